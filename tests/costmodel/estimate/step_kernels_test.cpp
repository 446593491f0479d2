// The kernels of a real step around its GEMMs (residual adds, dropout, rotary, the unfused
// attention core, FP8 quantization, MoE routing) and how recomputation and the optimizer are
// timed.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

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

// Llama 3.1 405B with TP8 on one node: one stage of 2 layers, one micro-batch.
Scenario llama(const std::vector<std::string>& extra = {}) {
  std::vector<std::string> o = {"cluster.nodes=1", "parallelism.pp=1", "parallelism.dp=1",
                                "parallelism.schedule=1f1b", "parallelism.vpp=1",
                                "training.phases.0.global_batch=1"};
  o.insert(o.end(), extra.begin(), extra.end());
  return load_scenario(kData + "/llama-3.1-405b-pretrain.yaml", o, kData);
}

struct Stage {
  double fwd_compute, fwd_comm, bwd_compute, bwd_comm;
};

Stage one_layer(const Scenario& s) {
  const calibration::Profile profile = scenario_profile(s);
  OperatorTimer timer(profile, s.cluster);
  const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
  ChunkLoad c;
  c.first_layer = 0;
  c.layers = 1;
  const CommContext comm{&s.model, &s.precision, s.cluster.nodes, s.cluster.gpus_per_node,
                         s.plan.tp};
  const StageWork st = build_stage_work(s.model, a, {c}, comm, timer).front();
  return {st.forward_compute_s(), st.forward_s() - st.forward_compute_s(), st.backward_compute_s(),
          st.backward_s() - st.backward_compute_s()};
}

const OpAccount* find_op(const LayerAccount& l, const std::string& name) {
  for (const auto& op : l.ops) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Step kernels: full recomputation adds one forward's compute and its TP communication",
          "[step-kernels]") {
  const Stage none = one_layer(llama({"training.recompute=none"}));
  const Stage full = one_layer(llama({"training.recompute=full"}));
  REQUIRE(none.fwd_comm > 0);  // TP8: two all-reduces in the forward
  CHECK(full.fwd_compute == Approx(none.fwd_compute));
  // FlashAttention's own recomputation of S is in `none` already: the difference is the rest
  // of the forward, within the attention core's share.
  CHECK(full.bwd_compute - none.bwd_compute == Approx(none.fwd_compute).epsilon(0.1));
  CHECK(full.bwd_compute - none.bwd_compute <= none.fwd_compute * 1.0001);
  CHECK(full.bwd_comm - none.bwd_comm == Approx(none.fwd_comm).epsilon(1e-6));
}

TEST_CASE("Step kernels: the unfused attention core materializes the scores", "[step-kernels]") {
  Scenario s = llama({"training.kernels.attention=unfused", "training.kernels.attention_dropout=0.1",
                      "training.recompute=none"});
  const AccountRequest req = account_request(s, s.phases.front());
  const ModelAccount a = account_model(s.model, req);
  const LayerAccount& dense = *a.find(LayerKind::kDense);
  CHECK(find_op(dense, "attn.core") == nullptr);
  const OpAccount* scores = find_op(dense, "attn.scores");
  const OpAccount* softmax = find_op(dense, "attn.softmax");
  const OpAccount* dropout = find_op(dense, "attn.dropout");
  REQUIRE(scores);
  REQUIRE(softmax);
  REQUIRE(dropout);
  REQUIRE(find_op(dense, "attn.context"));
  // Every (q, k) pair: 16 heads per GPU x 8192^2 scores, BF16 read and written.
  const double pairs = 16.0 * 8192 * 8192;
  CHECK(softmax->forward_bytes == Approx(2 * 2 * pairs));
  CHECK(softmax->saved_bytes == Approx(2 * pairs));
  CHECK(dropout->saved_bytes == Approx(3 * pairs));  // probabilities and the 1-byte mask
  CHECK(scores->forward_flops == Approx(2 * pairs * 128));
  CHECK(scores->params == 0.0);
  // Megatron's selective recomputation recomputes them instead of keeping them.
  s.recompute = RecomputePolicy::kAttention;
  const ModelAccount r = account_model(s.model, account_request(s, s.phases.front()));
  const LayerAccount& rd = *r.find(LayerKind::kDense);
  CHECK(find_op(rd, "attn.softmax")->saved_bytes == 0.0);
  CHECK(find_op(rd, "attn.softmax")->forward_recomputed);
  CHECK(rd.saved_bytes() < dense.saved_bytes() - 4 * pairs);
  // Slower than the fused kernel.
  const Stage flash = one_layer(llama({"training.recompute=none"}));
  const Stage unfused = one_layer(s);
  CHECK(unfused.fwd_compute > flash.fwd_compute);
}

TEST_CASE("Step kernels: residual adds, rotary, hidden dropout", "[step-kernels]") {
  const Scenario plain = llama();
  const Scenario dropout = llama({"training.kernels.hidden_dropout=0.1"});
  const Scenario fused = llama({"training.kernels.residual=fused_with_norm"});
  auto residual = [](const Scenario& s) {
    const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
    return *find_op(*a.find(LayerKind::kDense), "attn.residual");
  };
  const double e = 8192.0 * 16384 / 8;  // tokens x hidden, 1/8 of the tokens under SP
  CHECK(residual(plain).forward_bytes == Approx(3 * 2 * e));
  CHECK(residual(dropout).forward_bytes == Approx(3 * 2 * e + e));
  CHECK(residual(dropout).saved_bytes == Approx(e));
  CHECK(residual(fused).forward_bytes < residual(plain).forward_bytes);
  const ModelAccount a = account_model(plain.model, account_request(plain, plain.phases.front()));
  CHECK(find_op(*a.find(LayerKind::kDense), "attn.rotary") != nullptr);  // Llama: RoPE
}

TEST_CASE("Step kernels: FP8 GEMMs have their quantization passes", "[step-kernels]") {
  const Scenario s = load_scenario(kData + "/deepseek-v3-pretrain.yaml", {}, kData);
  const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
  const LayerAccount& moe = *a.find(LayerKind::kMoE);
  const OpAccount* up = find_op(moe, "moe.experts.up_gate");
  const OpAccount* q = find_op(moe, "moe.experts.up_gate.quantize");
  REQUIRE(up);
  REQUIRE(q);
  const double rows = up->gemm.tokens_per_group * up->gemm.groups;
  CHECK(q->forward_bytes == Approx(rows * 7168 * (2 + 1 + 4.0 / 128)));
  CHECK(find_op(moe, "moe.route") != nullptr);
  CHECK(find_op(moe, "moe.permute") != nullptr);
  CHECK(find_op(moe, "moe.unpermute") != nullptr);
  // The BF16 head has none.
  CHECK(find_op(*a.find(LayerKind::kHead), "head.quantize") == nullptr);
}

TEST_CASE("Step kernels: the optimizer step scales with parameters over ZeRO shards",
          "[step-kernels]") {
  const std::vector<std::string> plan = {"cluster.nodes=2", "parallelism.pp=1", "parallelism.dp=2",
                                         "parallelism.schedule=1f1b", "parallelism.vpp=1", "training.phases.0.global_batch=2",
                                         "model=llama-3.1-8b"};
  auto optimizer_s = [&](int zero) {
    std::vector<std::string> o = plan;
    o.push_back("parallelism.zero=" + std::to_string(zero));
    const Scenario s = load_scenario(kData + "/llama-3.1-405b-pretrain.yaml", o, kData);
    return simulate_step(s, s.phases.front(), scenario_profile(s)).breakdown.optimizer_s;
  };
  const double unsharded = optimizer_s(0);
  const double sharded = optimizer_s(1);
  REQUIRE(unsharded > 0);
  CHECK(unsharded / sharded == Approx(2.0).epsilon(0.02));
}

TEST_CASE("Step kernels: expert imbalance slows the MoE layers by the busiest rank's excess",
          "[step-kernels]") {
  const std::string file = kData + "/deepseek-v3-pretrain.yaml";
  const auto moe_layer = [&](const std::string& imbalance) {
    const Scenario s = load_scenario(file, {"training.expert_imbalance=" + imbalance}, kData);
    const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
    return *a.find(LayerKind::kMoE);
  };
  const LayerAccount even = moe_layer("1"), skewed = moe_layer("1.5");
  const OpAccount* up_even = find_op(even, "moe.experts.up_gate");
  const OpAccount* up_skew = find_op(skewed, "moe.experts.up_gate");
  REQUIRE(up_even != nullptr);
  REQUIRE(up_skew != nullptr);
  // The busiest rank's experts get 1.5x the rows: 1.5x the FLOPs of its grouped GEMMs.
  CHECK(up_skew->forward_flops == Approx(1.5 * up_even->forward_flops));
  CHECK(find_op(skewed, "moe.dispatch")->comms.front().forward_bytes ==
        Approx(1.5 * find_op(even, "moe.dispatch")->comms.front().forward_bytes));
  // What the rank computes for its own tokens (attention, router, shared expert) is unchanged.
  CHECK(find_op(skewed, "moe.router")->forward_flops == find_op(even, "moe.router")->forward_flops);
  // And a dense model refuses the key.
  CHECK_THROWS_AS(load_scenario(kData + "/llama-3.1-405b-pretrain.yaml",
                                {"training.expert_imbalance=1.5"}, kData),
                  UserError);
}

TEST_CASE("Step kernels: FlashAttention-2 on Hopper (attention: flash2) slows the attention core "
          "alone, by the profile's FA2 classes",
          "[step-kernels]") {
  const Stage best = one_layer(llama({"training.recompute=none"}));
  const Scenario s = llama({"training.recompute=none", "training.kernels.attention=flash2"});
  const Stage fa2 = one_layer(s);
  // The layer's attention on one GPU: TP8 leaves 16 of 128 heads, one 8192-token sequence.
  const calibration::Profile profile = scenario_profile(s);
  OperatorTimer timer(profile, s.cluster);
  AttentionOp a;
  a.batch = 1;
  a.heads = 16;
  a.q_len = a.kv_len = 8192;
  a.head_dim_qk = a.head_dim_v = 128;
  AttentionOp a2 = a;
  a2.flash2 = true;
  const double fwd_gap = timer.time(a2).seconds - timer.time(a).seconds;
  a.pass = a2.pass = AttentionPass::kBackward;
  const double bwd_gap = timer.time(a2).seconds - timer.time(a).seconds;
  CHECK(fwd_gap > 0.0);
  CHECK(bwd_gap > 0.0);
  CHECK(fa2.fwd_compute - best.fwd_compute == Approx(fwd_gap).epsilon(1e-6));
  CHECK(fa2.bwd_compute - best.bwd_compute == Approx(bwd_gap).epsilon(1e-6));
  CHECK(fa2.fwd_comm == Approx(best.fwd_comm));
}
