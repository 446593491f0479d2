#include <catch2/catch.hpp>

#include <string>

#include "costmodel/account/memory.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;

namespace {

const std::string kSrc = LLMSIM_SOURCE_DIR;

MemoryEstimate scenario_memory(const std::vector<std::string>& overrides) {
  const Scenario s = load_scenario(kSrc + "/scenarios/deepseek-v3-pretrain.yaml", overrides,
                                   kSrc + "/scenarios");
  return estimate_memory(s.model, memory_request(s, s.phases.front()));
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
  ModelSpec m;
  m.name = "dense";
  m.layers = 8;
  m.hidden = 256;
  m.heads = 4;
  m.kv_heads = 4;
  m.head_dim = 64;
  m.ffn = 1024;
  m.vocab = 1000;
  MemoryRequest r;
  r.plan.pp = 4;
  r.plan.dp = 8;
  r.plan.zero_stage = 1;
  r.plan.schedule = ScheduleMethod::k1F1B;
  r.recipe = make_recipe(RecipeKind::kBF16);
  r.seq_len = 128;
  r.micro_batches = 16;
  r.capacity_bytes = 80e9;
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
