#include "costmodel/account/eager_kernels.hpp"

#include <numeric>

namespace llmsim {

namespace {

constexpr double kBf16 = 2.0;
constexpr double kFp32 = 4.0;
constexpr double kIndex = 8.0;  // int64 target ids

double sum(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0);
}

}  // namespace

double KernelList::forward_bytes() const {
  return sum(forward);
}
double KernelList::dgrad_bytes() const {
  return sum(dgrad);
}

KernelList eager_rms_norm(double rows, double width) {
  const double e = rows * width;  // elements of x
  const double r = rows;          // one statistic per row
  KernelList k;
  k.forward = {
      e * (kBf16 + kFp32),          // x.float()
      e * (kFp32 + kFp32),          // .pow(2)
      e * kFp32 + r * kFp32,        // .mean(-1, keepdim=True)
      r * (kFp32 + kFp32),          // + eps
      r * (kFp32 + kFp32),          // torch.rsqrt
      e * (2 * kFp32) + r * kFp32,  // x * rstd (rstd broadcast over the row)
      e * (kFp32 + kBf16),          // .type_as(x)
      e * (kBf16 + kBf16),          // output * self.weight
  };
  k.dgrad = {
      e * (kBf16 + kBf16),          // mul: grad * weight, the input's gradient
      e * (3 * kBf16),              // mul: grad * output, the weight's gradient ...
      e * kBf16,                    // ... summed over the rows (sum_to the weight's shape)
      e * (kBf16 + kFp32),          // type_as backward: the gradient back to FP32
      e * (2 * kFp32) + r * kFp32,  // mul: grad * rstd, x's gradient
      e * (3 * kFp32),              // mul: grad * x, rstd's gradient ...
      e * kFp32 + r * kFp32,        // ... summed over the row
      r * (kFp32 + kFp32),          // rsqrt: -0.5 * grad * result.pow(3): the scalar mul,
      r * (kFp32 + kFp32),          //   result.pow(3),
      r * (3 * kFp32),              //   and their product
      r * kFp32 + e * kFp32,        // mean backward: grad expanded over the row / width
      e * (kFp32 + kFp32),          // pow backward, grad * (2 * x.pow(1)): x.pow(1) (a copy),
      e * (kFp32 + kFp32),          //   2 * it,
      e * (3 * kFp32),              //   grad * that
      e * (3 * kFp32),              // x.float() feeds pow and the mul: its two gradients added
      e * (kFp32 + kBf16),          // x.float() backward: the gradient back to BF16
  };
  return k;
}

KernelList eager_activation(double rows, double width, bool swiglu) {
  const double e = rows * width;  // elements of each input (gate, up) and of the output
  KernelList k;
  if (!swiglu) {
    k.forward = {2 * e * kBf16};  // gelu: read, write
    k.dgrad = {3 * e * kBf16};    // gelu_backward: read grad and input, write
    return k;
  }
  k.forward = {
      2 * e * kBf16,  // F.silu(w1(x))
      3 * e * kBf16,  // silu(...) * w3(x)
  };
  k.dgrad = {
      3 * e * kBf16,  // mul backward: grad * w3(x), the gate's gradient
      3 * e * kBf16,  // mul backward: grad * silu(w1(x)), the up projection's gradient
      3 * e * kBf16,  // silu_backward: read grad and w1(x), write
  };
  return k;
}

KernelList eager_rotary(double rows, double q_width, double k_width) {
  KernelList k;
  for (const double width : {q_width, k_width}) {
    const double e = rows * width;  // real elements (two per complex number)
    // xq.float(), view_as_complex (a view), * freqs_cis (complex64, broadcast over the batch and
    // the heads), view_as_real and flatten (views), .type_as(xq).
    k.forward.insert(k.forward.end(), {e * (kBf16 + kFp32), e * (2 * kFp32), e * (kFp32 + kBf16)});
    // type_as backward (to FP32), mul backward (grad * freqs_cis.conj()), .float() backward (to
    // BF16).
    k.dgrad.insert(k.dgrad.end(), {e * (kBf16 + kFp32), e * (2 * kFp32), e * (kFp32 + kBf16)});
  }
  return k;
}

KernelList eager_loss(double rows, double vocab) {
  const double l = rows * vocab;  // logits
  KernelList k;
  k.forward = {
      l * (kBf16 + kFp32),      // the BF16 logits .float()
      l * (2 * kFp32),          // log_softmax: read, write (its reductions in-kernel)
      rows * (kIndex + kFp32),  // nll_loss: each row's target and its log-probability
  };
  k.dgrad = {
      l * kFp32,                // nll_loss_backward: the gradient zero-filled ...
      rows * (kIndex + kFp32),  // ... and -1/n scattered at each target
      l * (3 * kFp32),          // log_softmax_backward: read grad and output, write
      l * (kFp32 + kBf16),      // .float() backward: the gradient back to BF16
  };
  return k;
}

}  // namespace llmsim
