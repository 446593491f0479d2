#include <catch2/catch.hpp>

#include <string>

#include "costmodel/account/memory.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "tests/costmodel/account/small_models.hpp"

using namespace llmsim;

namespace {

const std::string kSrc = LLMSIM_SOURCE_DIR;

MemoryEstimate scenario_memory(const std::vector<std::string>& overrides) {
  const Scenario s = load_scenario(kSrc + "/scenarios/deepseek-v3-pretrain.yaml", overrides,
                                   kSrc + "/scenarios");
  return estimate_memory(s.model, memory_request(s, s.phases.front()));
}

// 8 layers of d = 256, 4 heads of 64, FFN 1024, vocab 1000.
ModelSpec small_dense() { return test::small_dense_model("dense", 8, 256, 4, 1024, 1000); }

MemoryRequest small_request(int pp, int zero) {
  MemoryRequest r;
  r.plan.pp = pp;
  r.plan.dp = 8;
  r.plan.zero_stage = zero;
  r.plan.schedule = ScheduleMethod::k1F1B;
  r.recipe = make_recipe(RecipeKind::kBF16);
  r.seq_len = 128;
  r.micro_batches = 16;
  r.capacity_bytes = 80e9;
  return r;
}


}  // namespace

TEST_CASE("Memory: DeepSeek-V3's published plan (PP16 DualPipe, EP64, ZeRO-1, FP8) fits in 80 GB",
          "[memory]") {
  const MemoryEstimate e = scenario_memory({});
  CHECK(e.fits());
  CHECK(e.worst().total_bytes() <= 80e9);
  // 15360 sequences / (dp 128 x 1) = 120 micro-batches per step.
  CHECK(e.request.micro_batches == 120);
  // DualPipe: rank r holds stages r and 15 - r (two parameter copies).
  REQUIRE(e.ranks.size() == 16);
  CHECK(e.ranks[0].chunks == std::vector<int>{0, 15});
  CHECK(e.ranks[7].chunks == std::vector<int>{7, 8});
  // The scenario's layout (profile-data: 4 MoE layers per chunk): the 3 dense layers on stage 0,
  // 4 on stages 1..14, the last 2 MoE layers with MTP and the head on stage 15.
  CHECK(e.chunks[0].layers == 3);
  CHECK(e.chunks[1].layers == 4);
  CHECK(e.chunks[15].layers == 2);
  // DualPipe's published bound is PP + 1 = 17 stage activations per rank (V3 report Table 2);
  // the schedule run rank by rank never exceeds it.
  for (const auto& r : e.ranks) CHECK(r.peak_in_flight <= 17.0 + 1e-9);
}

TEST_CASE("Memory: the same plan in BF16 without recomputation does not fit, and says what helps",
          "[memory]") {
  const MemoryEstimate e = scenario_memory({"precision=bf16", "training.recompute=none"});
  CHECK_FALSE(e.fits());
  const std::string msg = e.overflow_message();
  CHECK_THAT(msg, Catch::Contains("does not fit") && Catch::Contains("GB over") &&
                      Catch::Contains("would help") && Catch::Contains("training.recompute"));
  CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE("Memory: 1F1B rank r holds pp - r micro-batches, ZeRO-1 shards the optimizer by dp",
          "[memory]") {
  const ModelSpec m = small_dense();
  MemoryRequest r = small_request(4, 1);
  const MemoryEstimate e = estimate_memory(m, r);
  // Middle ranks (no embedding, no head) hold 2 layers each: in-flight counts 3 and 2.
  CHECK(e.ranks[1].activation_bytes == Approx(3 * e.chunks[1].activation_bytes));
  CHECK(e.ranks[2].activation_bytes == Approx(2 * e.chunks[2].activation_bytes));
  CHECK(e.ranks[1].peak_in_flight == Approx(3.0));
  // Mixed precision: 2 bytes weights, 2 bytes gradients, 12 bytes optimizer / dp 8.
  const RankMemory& m1 = e.ranks[1];
  CHECK(m1.weight_bytes == Approx(2 * m1.params));
  CHECK(m1.grad_bytes == Approx(2 * m1.params));
  CHECK(m1.optimizer_bytes == Approx(12 * m1.params / 8));
  // ZeRO-3 shards the weights too.
  r.plan.zero_stage = 3;
  CHECK(estimate_memory(m, r).ranks[1].weight_bytes == Approx(2 * m1.params / 8));
}


TEST_CASE("Memory: the head's rank holds the loss over the logits, eager 12 and fused 6 bytes each",
          "[memory]") {
  const ModelSpec m = small_dense();
  MemoryRequest r = small_request(2, 1);
  r.recompute = RecomputePolicy::kNone;
  const double logits = 128.0 * 1000;  // one sequence of 128 tokens x the vocabulary
  const MemoryEstimate fused = estimate_memory(m, r);
  // Without recomputation a layer brings nothing back: rank 0's transient is 0, rank 1's the
  // loss less the BF16 logits already kept with the activations.
  CHECK(fused.ranks[0].working_bytes == 0.0);
  CHECK(fused.ranks[1].working_bytes == Approx(logits * (6 - 2)));
  r.stack.eager_loss = true;
  CHECK(estimate_memory(m, r).ranks[1].working_bytes == Approx(logits * (12 - 2)));
}

TEST_CASE("Memory: under full recomputation a layer's backward brings back what it dropped",
          "[memory]") {
  const ModelSpec m = small_dense();
  MemoryRequest r = small_request(2, 1);
  r.recompute = RecomputePolicy::kNone;
  const MemoryEstimate none = estimate_memory(m, r);
  r.recompute = RecomputePolicy::kFull;
  const MemoryEstimate full = estimate_memory(m, r);
  // Rank 0 holds layers only: its transient is one layer's activations without recomputation
  // less the input full recomputation keeps (128 tokens x 256 x 2 bytes).
  const double layer_none = none.chunks[0].activation_bytes / none.chunks[0].layers;
  const double layer_full = 128.0 * 256 * 2;
  CHECK(full.ranks[0].working_bytes == Approx(layer_none - layer_full).epsilon(0.02));
  CHECK(full.ranks[0].activation_bytes < none.ranks[0].activation_bytes);
}

TEST_CASE("Memory: ZeRO-3 holds 2 gathered units and 1 gradient, or with pipelining the whole stage",
          "[memory]") {
  const ModelSpec m = small_dense();
  // No pipelining: the largest unit is a layer: attention 4 x 256^2, SwiGLU 3 x 256 x 1024 and
  // two norms of 256.
  const MemoryEstimate flat = estimate_memory(m, small_request(1, 3));
  const double layer = 4.0 * 256 * 256 + 3.0 * 256 * 1024 + 2 * 256;
  CHECK(flat.ranks[0].gathered_bytes == Approx(layer * (2 * 2 + 2)));
  // PyTorch pipelining with FSDP: each rank's stage stays gathered, its gradient unsharded.
  const MemoryEstimate piped = estimate_memory(m, small_request(2, 3));
  for (const RankMemory& rm : piped.ranks) CHECK(rm.gathered_bytes == Approx(rm.params * (2 + 2)));
  // ZeRO-1 gathers nothing; the allocator reserve is 5% of what is allocated, everywhere.
  const MemoryEstimate z1 = estimate_memory(m, small_request(2, 1));
  for (const RankMemory& rm : z1.ranks) {
    CHECK(rm.gathered_bytes == 0.0);
    CHECK(rm.reserve_bytes == Approx(kAllocatorReserve * rm.allocated_bytes()));
    CHECK(rm.total_bytes() == Approx(rm.allocated_bytes() * (1 + kAllocatorReserve)));
  }
}

TEST_CASE("Memory: torchtitan's Llama 2 70B on 64 A100 fits where it ran and not where it ran out",
          "[memory]") {
  // pytorch/torchtitan docs/performance.md, Llama 2 table and its footnote 1: local batch 1 with
  // selective op checkpointing and local batch 2 with full checkpointing ran; local batch 2 with
  // selective checkpointing "will cause an OOM error".
  auto estimate = [](const std::vector<std::string>& overrides) {
    const Scenario s = load_scenario(kSrc + "/scenarios/validation/torchtitan-llama2-70b-a100-64gpu.yaml",
                                     overrides, kSrc + "/scenarios");
    return estimate_memory(s.model, memory_request(s, s.phases.front()));
  };
  CHECK(estimate({}).fits());
  CHECK_FALSE(estimate({"parallelism.micro_batch_size=2", "training.phases.0.global_batch=128"}).fits());
  CHECK(estimate({"parallelism.micro_batch_size=2", "training.phases.0.global_batch=128",
                  "training.recompute=full"})
            .fits());
}
