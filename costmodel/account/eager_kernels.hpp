#pragma once
// The kernels a PyTorch-eager model launches for the ops that a fused stack runs as one memory
// pass each: a norm written in Python ops, SwiGLU as silu then mul, rotary embedding through
// complex numbers in FP32, and a loss over FP32 logits. Each pass is a list of kernels, the HBM
// bytes each one reads plus writes; the operator timer times every kernel of the list by the
// profile's memory-bound class, so each launch pays the class's call time.
//
// The lists follow the code of torchtitan's Llama (pytorch/torchtitan, end of 2024: the
// benchmark pages cite torchtitan 9dec370 of 2024-12-26 and docs/performance.md @ 0413364; the
// files read are those stored for the repository, named at each function) and PyTorch's
// autograd formulas (pytorch/pytorch tools/autograd/derivatives.yaml and
// torch/csrc/autograd/FunctionsManual.cpp): the backward of each forward op is the kernels its
// formula launches, plus the engine's addition where one tensor's gradient arrives twice.
//
// Byte conventions: BF16 activations (2 bytes), FP32 upcasts (4 bytes), every operand read once
// and every result written once. Row-sized tensors (one value per token: the RMS statistic, its
// gradient) are counted; width-sized ones (the norm weight, the rotary frequencies, each a few
// MiB at most and read from L2 after the first block) are left out, as are the scalar kernels
// of a loss reduction.

#include <vector>

namespace llmsim {

// The kernels of one op's forward and input-gradient passes, bytes each.
struct KernelList {
  std::vector<double> forward;
  std::vector<double> dgrad;

  double forward_bytes() const;
  double dgrad_bytes() const;
};

// torchtitan's RMSNorm (torchtitan/models/norms.py, class RMSNorm, norm_type "rmsnorm", the
// default of train_configs/llama3_8b.toml): y = (x.float() * rsqrt(x.float().pow(2).mean(-1) +
// eps)).type_as(x) * weight over `rows` x `width`.
KernelList eager_rms_norm(double rows, double width);

// torchtitan's FeedForward (torchtitan/models/llama/model.py): F.silu(w1(x)) * w3(x), `rows` x
// `width` (the FFN size on this GPU) each; swiglu = false: one GeLU kernel (nn.GELU) each way.
KernelList eager_activation(double rows, double width, bool swiglu);

// torchtitan's apply_rotary_emb (torchtitan/models/llama/model.py): for Q and K, each `rows` x
// its width: x.float() viewed as complex, multiplied by freqs_cis, viewed back, type_as(x).
KernelList eager_rotary(double rows, double q_width, double k_width);

// torchtitan's loss over `rows` x `vocab` logits (the vocabulary on this GPU): the BF16 logits
// cast to FP32 (Transformer.forward: self.output(h).float() in 2024; later the loss function's
// pred.float()), then F.cross_entropy = log_softmax + nll_loss, each with its backward.
KernelList eager_loss(double rows, double vocab);

}  // namespace llmsim
