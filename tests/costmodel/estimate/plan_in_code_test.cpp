// A scenario built in code, with no YAML for the plan, the cluster or the job: what a plan
// search or the GUI does.
#include <catch2/catch.hpp>

#include <string>

#include "costmodel/account/memory.hpp"
#include "costmodel/describe/plan_check.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/time/calibration/profile.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

// Llama-3.1-70B on 4 H100 nodes: TP8 PP2 DP2, 1F1B, BF16, 8K sequences.
Scenario llama70b_on_32_h100() {
  Scenario s;
  s.name = "in code";
  s.cluster.name = "h100-32";
  s.cluster.gpu = "H100";
  s.cluster.nodes = 4;
  s.cluster.gpus_per_node = 8;
  s.cluster.nvlink_gbps = 360;
  s.cluster.nic_gbps = 50;
  s.cluster.topology = TopologyKind::kRailOptimized;
  s.gpu = *find_gpu("H100");
  s.model = load_model("llama-3.1-70b", kData, "");  // the architecture, from the catalog
  s.precision = make_recipe(RecipeKind::kBF16);
  s.recompute = RecomputePolicy::kSelective;
  s.plan.tp = 8;
  s.plan.sp = true;
  s.plan.pp = 2;
  s.plan.dp = 2;
  s.plan.zero_stage = 1;
  s.plan.schedule = ScheduleMethod::k1F1B;
  TrainingPhase ph;
  ph.name = "pre-training";
  ph.tokens = 1e12;
  ph.seq_len = 8192;
  ph.global_batch = 64;
  ph.plan = s.plan;
  s.phases.push_back(ph);
  return s;
}

}  // namespace

TEST_CASE("A plan built in code is checked and its step timed", "[costmodel][training][plan]") {
  Scenario s = llama70b_on_32_h100();
  CHECK_FALSE(check_plan(s.plan, s.cluster.gpus(), s.model).has_value());
  CHECK_FALSE(check_phase(s.phases.front()).has_value());
  const MemoryEstimate mem = estimate_memory(s.model, memory_request(s, s.phases.front()));
  CHECK(mem.fits());

  const calibration::Profile profile =
      calibration::load_profile(kData + "/calibration/h800-published.yaml");
  const StepResult r = simulate_step(s, s.phases.front(), profile);
  CHECK(r.micro_batches == 32);  // 64 sequences / DP 2
  CHECK(r.step_time_s > 0);
  const StepBreakdown& b = r.breakdown;
  CHECK(b.compute_s + b.exposed_comm_s + b.bubble_s + b.dp_sync_s + b.optimizer_s ==
        Approx(r.step_time_s).epsilon(1e-9));
  // 1F1B with 2 stages and 32 micro-batches: the bubble is about (pp-1)/(m+pp-1) of the pipeline.
  CHECK(b.bubble_s / r.step_time_s < 0.08);
  CHECK(r.mfu_bf16_causal > 0.2);
  CHECK(r.mfu_bf16_causal < 0.8);
}

TEST_CASE("check_plan names the field at fault, without YAML", "[costmodel][plan]") {
  const Scenario s = llama70b_on_32_h100();
  const int gpus = s.cluster.gpus();
  ParallelPlan p = s.plan;
  p.dp = 4;
  auto e = check_plan(p, gpus, s.model);
  REQUIRE(e);
  CHECK(e->field == "dp");
  CHECK_THAT(e->message, Catch::Contains("64 GPUs, but the cluster has 32"));
  p = s.plan;
  p.tp = 3;
  p.dp = 5;  // 3 x 2 x 5 = 30: still the wrong count, reported first
  CHECK(check_plan(p, gpus, s.model)->field == "dp");
  p = s.plan;
  p.ep = 2;  // a dense model
  CHECK(check_plan(p, gpus, s.model)->message == "the model has no experts; use ep = 1");
  p = s.plan;
  p.schedule = ScheduleMethod::kDualPipe;
  p.pp = 1;
  p.dp = 4;
  REQUIRE(check_plan(p, gpus, s.model));  // DualPipe needs an even pp
  CHECK(check_plan(p, gpus, s.model)->field == "pp");

  TrainingPhase ph = s.phases.front();
  ph.global_batch = 63;
  auto b = check_phase(ph);
  REQUIRE(b);
  CHECK(b->field == "global_batch");
  ph.global_batch = 64;
  ph.seq_len = 8191;
  ph.plan.cp = 2;
  CHECK(check_phase(ph)->field == "seq_len");
}
