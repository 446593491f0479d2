#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "costmodel/estimate/published_figures.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

struct Case {
  Scenario scenario;
  RunEstimate run;
};

Case estimate(const std::string& file, const std::vector<std::string>& set) {
  Case c{load_scenario(kData + "/" + file, set, kData), {}};
  c.run = estimate_run(c.scenario, scenario_profile(c.scenario));
  return c;
}

bool shown(const PublishedComparison& p, const std::string& id) {
  for (const auto& f : p.shown) {
    if (f.figure->id == id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("Published figures: Llama 405B's figures are shown for 405B, not for 70B",
          "[costmodel][published]") {
  const Case base = estimate("llama-3.1-405b-pretrain.yaml", {});
  const PublishedComparison a = compare_published(base.scenario, base.run);
  CHECK(shown(a, "llama3-mfu-16k-8k"));
  CHECK(shown(a, "llama3-tflops-16k-8k"));
  // Table 4's other rows are other runs: 8K GPUs, or 128K sequences with CP16.
  CHECK_FALSE(shown(a, "llama3-mfu-8k-gpus"));
  CHECK_FALSE(shown(a, "llama3-mfu-16k-128k"));
  for (const auto& f : a.shown) {
    if (f.figure->id == "llama3-mfu-16k-8k") CHECK(f.ours == Approx(base.run.phases[0].step.mfu_bf16_causal * 100));
  }

  const Case small = estimate("llama-3.1-405b-pretrain.yaml", {"model=llama-3.1-70b"});
  const PublishedComparison b = compare_published(small.scenario, small.run);
  CHECK(b.shown.empty());
  REQUIRE(b.dropped.size() == small.scenario.reference.size());
  CHECK(b.dropped.front().reason == "the scenario has model Llama-3.1-70B, the figure Llama-3.1-405B");
}

TEST_CASE("Published figures: DeepSeek-V3 on 1024 GPUs shows no 2048-GPU figure",
          "[costmodel][published]") {
  const Case half = estimate("deepseek-v3-pretrain.yaml",
                             {"cluster.nodes=128", "parallelism.dp=64",
                              "training.phases.1.parallelism.dp=8",
                              "training.phases.2.parallelism.dp=2"});
  REQUIRE(half.scenario.phases.front().plan.gpus() == 1024);
  const PublishedComparison p = compare_published(half.scenario, half.run);
  CHECK(p.shown.empty());
  for (const DroppedFigure& d : p.dropped) {
    CHECK(d.figure->conditions.gpus == 2048);
    INFO(d.reason);
    const bool gpus_or_phase = d.reason.find("1024 GPUs, the figure on 2048") != std::string::npos ||
                               d.reason.find("post-training") != std::string::npos;
    CHECK(gpus_or_phase);
  }

  const Case full = estimate("deepseek-v3-pretrain.yaml", {});
  const PublishedComparison q = compare_published(full.scenario, full.run);
  CHECK(shown(q, "v3-pretrain-gpu-hours"));
  CHECK(shown(q, "v3-gpu-hours-per-trillion"));
  // The published total includes post-training, which the scenario does not simulate.
  CHECK_FALSE(shown(q, "v3-total-gpu-hours"));
  // Signed errors, all of them: the median, the worst and the side.
  const DeviationSummary d = summarize_deviations(q);
  CHECK(d.count == static_cast<int>(q.shown.size()));
  CHECK(d.below + d.above == d.count);
  REQUIRE(d.worst_figure != nullptr);
  for (const auto& f : q.shown) CHECK(std::abs(f.deviation) <= std::abs(d.worst));
  CHECK(d.median >= -std::abs(d.worst));
  CHECK(d.median <= std::abs(d.worst));
  // Another precision, or fewer tokens, is another run.
  const Case bf16 = estimate("deepseek-v3-pretrain.yaml", {"precision=bf16"});
  CHECK(compare_published(bf16.scenario, bf16.run).shown.empty());
  const Case fewer = estimate("deepseek-v3-pretrain.yaml", {"training.phases.0.tokens=7.4e12"});
  const PublishedComparison f = compare_published(fewer.scenario, fewer.run);
  CHECK_FALSE(shown(f, "v3-pretrain-gpu-hours"));
}

TEST_CASE("Published figures: a MEG3 figure is compared with our step time counted by eq.(3)",
          "[costmodel][published][conventions]") {
  const Case c = estimate("validation/megatron2021-gpt-18.4b-256gpu.yaml", {});
  const StepResult& st = c.run.phases.front().step;
  // Megatron 2021 eq.(3) for the step, 3.2484e17 FLOPs (full recompute, TP 8), over our step
  // time on 256 GPUs; the percent-of-peak figure against the A100's 312 TFLOP/s.
  const double eq3 = convention_flops(FlopConvention::kMeg3, c.scenario.model,
                                      {1024, 2048, RecomputePolicy::kFull, 8})
                         .model_flops;
  REQUIRE(eq3 == Approx(3.2484e17).epsilon(1e-4));
  const PublishedComparison p = compare_published(c.scenario, c.run);
  int seen = 0;
  for (const ShownFigure& f : p.shown) {
    if (f.figure->id == "megatron2021-gpt-18.4b-256gpu-tflops") {
      ++seen;
      CHECK(f.figure->convention == FlopConvention::kMeg3);
      CHECK(f.ours == Approx(eq3 / st.step_time_s / 256 / 1e12));
      CHECK(f.deviation == Approx(f.ours / 135 - 1));
      // Counted the same way, the figure and the step time agree on the sign: a step shorter
      // than the derived 9.399 s is more TFLOP/s than the published 135.
      CHECK((f.deviation > 0) == (st.step_time_s < 9.399));
      CHECK(f.ours != Approx(st.tflops_per_gpu));  // not llmsim's causal count
    }
    if (f.figure->id == "megatron2021-gpt-18.4b-256gpu-peak") {
      ++seen;
      CHECK(f.ours == Approx(100 * eq3 / (st.step_time_s * 256 * 312e12)));
    }
  }
  CHECK(seen == 2);
}

TEST_CASE("Published figures: OPT's TFLOP/s is shown, not compared, and says why",
          "[costmodel][published][conventions]") {
  const Case c = estimate("validation/opt-175b-992gpu.yaml", {});
  const PublishedComparison p = compare_published(c.scenario, c.run);
  REQUIRE(p.shown.size() == 1);
  const ShownFigure& f = p.shown.front();
  CHECK_FALSE(f.compared);
  CHECK(f.ours == 0);
  CHECK(f.note.find("not published") != std::string::npos);
  CHECK(summarize_deviations(p).count == 0);
}
