// The kernels of a PyTorch-eager stack (training.kernels.norm / activation / rotary / loss:
// eager): their bytes, their timing kernel by kernel, their effect on the torchtitan Llama 3.1
// 8B step, the defaults, and the reader's errors.
#include "costmodel/account/eager_kernels.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/estimate/training/stage_work.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/time/operator_timer.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";
const std::string kTitan = kData + "/validation/torchtitan-llama31-8b-h100-8gpu.yaml";

const std::vector<std::string> kFused = {
    "training.kernels.norm=fused", "training.kernels.activation=fused",
    "training.kernels.rotary=fused", "training.kernels.loss=fused"};
const std::vector<std::string> kEager = {
    "training.kernels.norm=eager", "training.kernels.activation=eager",
    "training.kernels.rotary=eager", "training.kernels.loss=eager"};

const OpAccount& find_op(const ModelAccount& a, LayerKind k, const std::string& name) {
  const OpAccount* found = nullptr;
  for (const auto& op : a.find(k)->ops) {
    if (op.name == name) found = &op;
  }
  REQUIRE(found != nullptr);
  return *found;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

TEST_CASE("Eager kernels: the eager RMSNorm moves the bytes of its kernel list", "[eager]") {
  const Scenario s = load_scenario(kTitan, {"training.kernels.norm=eager"}, kData);
  const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
  const OpAccount& norm = find_op(a, LayerKind::kDense, "attn_norm");
  // Local batch 2 x 8192 tokens, hidden 4096: e elements, r rows.
  const double r = 2.0 * 8192, e = r * 4096;
  // Forward, torchtitan's RMSNorm: x.float() 2e+4e, pow 4e+4e, mean 4e+4r, + eps 4r+4r,
  // rsqrt 4r+4r, x * rstd 4e+4r+4e, type_as 4e+2e, * weight 2e+2e: 36e + 24r in 8 kernels.
  REQUIRE(norm.forward_kernels.size() == 8);
  CHECK(norm.forward_bytes == Approx(36 * e + 24 * r));
  // Backward: * weight (4e, 6e, 2e for the input and the weight and its row sum), type_as 6e,
  // x * rstd (8e+4r, 12e, 4e+4r), rsqrt (8r, 8r, 12r), mean 4r+4e, pow (8e, 8e, 12e), the two
  // gradients of x.float() added 12e, x.float() 6e: 92e + 40r in 16 kernels.
  REQUIRE(norm.dgrad_kernels.size() == 16);
  CHECK(norm.dgrad_bytes == Approx(92 * e + 40 * r));
  CHECK(sum(norm.forward_kernels) == Approx(norm.forward_bytes));
  // The fused kernel it replaces: read x, write y; read x and dy, write dx.
  const Scenario f = load_scenario(kTitan, {"training.kernels.norm=fused"}, kData);
  const ModelAccount fa = account_model(f.model, account_request(f, f.phases.front()));
  const OpAccount& fused = find_op(fa, LayerKind::kDense, "attn_norm");
  CHECK(fused.forward_bytes == Approx(4 * e));
  CHECK(fused.forward_kernels.empty());
  // Timed kernel by kernel: each launch pays the memory-bound class's call time, so the list
  // is slower than one kernel moving the same bytes.
  OperatorTimer timer(scenario_profile(s), s.cluster);
  const AccountRequest req = account_request(s, s.phases.front());
  double by_kernel = 0;
  for (double b : norm.forward_kernels) by_kernel += timer.time(MemoryBoundOp{b}).seconds;
  const double t = pass_seconds(norm, Pass::kForward, req, s.model, timer);
  CHECK(t == Approx(by_kernel));
  CHECK(t > timer.time(MemoryBoundOp{norm.forward_bytes}).seconds);
}

TEST_CASE("Eager kernels: SwiGLU, rotary and the loss move their kernels' bytes", "[eager]") {
  const Scenario s = load_scenario(kTitan, kEager, kData);
  const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
  const double r = 2.0 * 8192;
  // silu 2F+2F, mul 4F+2F bytes... in elements x 2 bytes: forward 5 tensors, backward 9.
  const double f = r * 14336;
  const OpAccount& act = find_op(a, LayerKind::kDense, "mlp.act");
  CHECK(act.forward_kernels.size() == 2);
  CHECK(act.forward_bytes == Approx(5 * 2 * f));
  CHECK(act.dgrad_bytes == Approx(9 * 2 * f));
  // Rotary: Q (32 heads x 128) and K (8 x 128); per tensor 6 + 8 + 6 bytes an element each way.
  const double q = r * 4096, k = r * 1024;
  const OpAccount& rope = find_op(a, LayerKind::kDense, "attn.rotary");
  CHECK(rope.forward_kernels.size() == 6);
  CHECK(rope.forward_bytes == Approx(20 * (q + k)));
  CHECK(rope.dgrad_bytes == Approx(20 * (q + k)));
  // Loss over 128256 logits a token: .float() 6, log_softmax 8, nll_loss 12 a row; backward
  // zero fill 4, scatter 12 a row, log_softmax_backward 12, to BF16 6.
  const double l = r * 128256;
  const OpAccount& loss = find_op(a, LayerKind::kHead, "loss");
  CHECK(loss.forward_bytes == Approx(14 * l + 12 * r));
  CHECK(loss.dgrad_bytes == Approx(22 * l + 12 * r));
  CHECK(loss.dgrad_kernels.size() == 4);
}

TEST_CASE("Eager kernels: the eager ops slow torchtitan's 8B step by their own time", "[eager]") {
  const Scenario fs = load_scenario(kTitan, kFused, kData);
  const Scenario es = load_scenario(kTitan, kEager, kData);
  const calibration::Profile profile = scenario_profile(fs);
  const StepResult fused = simulate_step(fs, fs.phases.front(), profile);
  const StepResult eager = simulate_step(es, es.phases.front(), profile);
  // What the eager kernels add, op by op: each pass's eager time minus the fused one's, the
  // forward twice where the policy recomputes it, times the layers and the micro-batches.
  OperatorTimer timer(profile, fs.cluster);
  const AccountRequest freq = account_request(fs, fs.phases.front());
  const AccountRequest ereq = account_request(es, es.phases.front());
  const ModelAccount fa = account_model(fs.model, freq);
  const ModelAccount ea = account_model(es.model, ereq);
  double added = 0;
  for (std::size_t li = 0; li < fa.layers.size(); ++li) {
    const LayerAccount& fl = fa.layers[li];
    const LayerAccount& el = ea.layers[li];
    REQUIRE(fl.ops.size() == el.ops.size());
    for (std::size_t i = 0; i < fl.ops.size(); ++i) {
      const double fw = pass_seconds(el.ops[i], Pass::kForward, ereq, es.model, timer) -
                        pass_seconds(fl.ops[i], Pass::kForward, freq, fs.model, timer);
      const double bw = pass_seconds(el.ops[i], Pass::kDgrad, ereq, es.model, timer) -
                        pass_seconds(fl.ops[i], Pass::kDgrad, freq, fs.model, timer);
      added += fl.count * (fw * (fl.ops[i].forward_recomputed ? 2 : 1) + bw);
    }
  }
  added *= fused.micro_batches;
  REQUIRE(added > 0);
  const double slower = eager.step_time_s - fused.step_time_s;
  // FSDP's gathers and reductions run under the computation: the step grows by the added
  // computation, less what it newly hides.
  CHECK(slower <= added * 1.000001);
  CHECK(slower >= 0.9 * added);
  // Bounded: the norms, SwiGLU, rotary and the loss are memory passes around 8B parameters of
  // GEMMs at 16K tokens a GPU: they add between 5% and 30% to the step, not multiples of it.
  CHECK(slower > 0.05 * fused.step_time_s);
  CHECK(slower < 0.30 * fused.step_time_s);
}

TEST_CASE("Eager kernels: the defaults leave a scenario bit-identical", "[eager]") {
  const std::string file = kData + "/llama-3.1-405b-pretrain.yaml";
  const Scenario plain = load_scenario(file, {}, kData);
  const Scenario fused = load_scenario(file, kFused, kData);
  const calibration::Profile profile = scenario_profile(plain);
  const StepResult a = simulate_step(plain, plain.phases.front(), profile);
  const StepResult b = simulate_step(fused, fused.phases.front(), profile);
  CHECK(a.step_time_s == b.step_time_s);
  CHECK(a.peak_memory_bytes == b.peak_memory_bytes);
  const ModelAccount acc = account_model(plain.model, account_request(plain, plain.phases.front()));
  for (const auto& l : acc.layers) {
    for (const auto& op : l.ops) {
      CHECK(op.forward_kernels.empty());
      CHECK(op.dgrad_kernels.empty());
    }
  }
}

TEST_CASE("Eager kernels: the reader names the field, the value and what is allowed", "[eager]") {
  const std::string mpt = kData + "/validation/mosaicml-mpt-7b-h100-8gpu.yaml";
  auto error = [](const std::string& file, const std::vector<std::string>& set) {
    try {
      load_scenario(file, set, kData);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string bad = error(kTitan, {"training.kernels.norm=compiled"});
  CHECK_THAT(bad, Catch::Contains("training.kernels.norm"));
  CHECK_THAT(bad, Catch::Contains("compiled"));
  CHECK_THAT(bad, Catch::Contains("fused"));
  CHECK_THAT(bad, Catch::Contains("eager"));
  // MPT: PyTorch's LayerNorm is one kernel; learned positions, no rotary.
  const std::string ln = error(mpt, {"training.kernels.norm=eager"});
  CHECK_THAT(ln, Catch::Contains("training.kernels.norm = eager"));
  CHECK_THAT(ln, Catch::Contains("LayerNorm"));
  CHECK_THAT(error(mpt, {"training.kernels.rotary=eager"}), Catch::Contains("learned positions"));
  const std::string both =
      error(kTitan, {"training.kernels.residual=fused_with_norm", "training.kernels.norm=eager"});
  CHECK_THAT(both, Catch::Contains("training.kernels.norm = eager"));
}
