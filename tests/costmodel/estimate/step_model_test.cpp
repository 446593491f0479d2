#include <catch2/catch.hpp>

#include <string>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

Scenario deepseek(const std::vector<std::string>& overrides = {}) {
  return load_scenario(kData + "/deepseek-v3-pretrain.yaml", overrides, kData);
}

}  // namespace

TEST_CASE("simulate_step: DeepSeek-V3's step adds up and fits", "[costmodel][training]") {
  const Scenario s = deepseek();
  const calibration::Profile profile = scenario_profile(s);
  const StepResult r = simulate_step(s, s.phases.front(), profile);
  CHECK(r.micro_batches == 120);  // 15360 sequences / DP 128, micro-batch 1
  CHECK(r.plan.num_stages == 16);
  const StepBreakdown& b = r.breakdown;
  CHECK(b.compute_s + b.exposed_comm_s + b.bubble_s + b.dp_sync_s + b.optimizer_s ==
        Approx(r.step_time_s).epsilon(1e-9));
  CHECK(r.mfu_bf16_causal > 0.05);
  CHECK(r.mfu_bf16_causal < 1.0);
  CHECK(r.mfu_bf16_full > r.mfu_bf16_causal);  // full attention counts more FLOPs
  // HFU counts the recomputed forward (selective: RMSNorm, MLA up-projections); against the
  // FP8 peak (2x BF16 on the H800) it is half the BF16 one.
  CHECK(r.hfu_bf16 > r.mfu_bf16_causal);
  CHECK(r.hfu_fp8 == Approx(r.hfu_bf16 * s.gpu.bf16_tflops / s.gpu.fp8_tflops));
  CHECK(r.memory_fits);
  // Every stage forwards, and the stages hold all 61 layers between them.
  int layers = 0;
  for (const auto& st : r.stages) {
    CHECK(st.forward_s() > 0);
    layers += st.layers;
  }
  CHECK(layers == 61);
}

TEST_CASE("simulate_step: what-ifs move the step the way the model says", "[costmodel][training]") {
  const Scenario base = deepseek();
  const calibration::Profile profile = scenario_profile(base);
  const StepResult dp = simulate_step(base, base.phases.front(), profile);

  // 1F1B cannot overlap one micro-batch's all-to-all with another's compute: more exposed
  // communication and a longer step.
  const Scenario f1b = deepseek({"parallelism.schedule=1f1b"});
  const StepResult r1 = simulate_step(f1b, f1b.phases.front(), profile);
  CHECK(r1.breakdown.exposed_comm_s > dp.breakdown.exposed_comm_s);
  CHECK(r1.step_time_s > dp.step_time_s);

  // BF16 GEMMs run at half the FP8 peak: more compute time.
  const Scenario bf = deepseek({"precision=bf16"});
  const StepResult rb = simulate_step(bf, bf.phases.front(), profile);
  CHECK(rb.breakdown.compute_s > dp.breakdown.compute_s);
  CHECK(rb.step_time_s > dp.step_time_s);

  // H100 instead of H800: the same SMs and tensor peaks (hardware_specs.csv), but NVLink at
  // 900 instead of 400 GB/s (360 achievable per direction, scenarios/clusters/h100.yaml): the
  // NVLink legs of the all-to-all get faster, nothing gets slower.
  const Scenario h100 = deepseek({"cluster.gpu=H100", "cluster.nvlink_gbps=360"});
  const StepResult rg = simulate_step(h100, h100.phases.front(), profile);
  CHECK(rg.breakdown.compute_s == Approx(dp.breakdown.compute_s));
  CHECK(rg.step_time_s <= dp.step_time_s);

  // Half the GPUs (DP 64) with the same global batch: twice the micro-batches per pipeline,
  // so a step takes about twice as long and the GPU-hours per token stay about the same.
  const Scenario half = deepseek({"parallelism.dp=64", "training.phases.1.parallelism.dp=8",
                                   "training.phases.2.parallelism.dp=2", "cluster.nodes=128"});
  const StepResult rh = simulate_step(half, half.phases.front(), profile);
  CHECK(rh.micro_batches == 240);
  CHECK(rh.step_time_s / dp.step_time_s == Approx(2.0).epsilon(0.15));
}

TEST_CASE("simulate_step: a given layer layout moves work between pipeline ranks",
          "[costmodel][training]") {
  // DeepSeek-V3 under 1F1B on PP16: balanced, stage 15 holds 3 layers plus the head and the
  // MTP module; moving one of them to stage 0 lightens rank 15 by one layer's work.
  const std::vector<std::string> base = {"parallelism.schedule=1f1b",
                                         "parallelism.layers_per_stage=[]"};
  auto with = base;
  with.push_back("parallelism.layers_per_stage=[4,4,4,4,4,4,4,4,4,4,4,4,4,4,3,2]");
  const Scenario even = deepseek(base), given = deepseek(with);
  const StepResult a = simulate_step(even, even.phases.front(), scenario_profile(even));
  const StepResult b = simulate_step(given, given.phases.front(), scenario_profile(given));
  REQUIRE(a.stages.back().layers == 3);
  CHECK(b.stages.back().layers == 2);
  CHECK(b.stages.front().layers == 4);
  const double last_a = a.pipeline.ranks.back().busy.seconds();
  const double last_b = b.pipeline.ranks.back().busy.seconds();
  const double first_a = a.pipeline.ranks.front().busy.seconds();
  const double first_b = b.pipeline.ranks.front().busy.seconds();
  CHECK(last_b < last_a);
  CHECK(first_b > first_a);
  // One MoE layer's forward and backward for each micro-batch moved.
  CHECK(last_a - last_b == Approx(first_b - first_a).epsilon(0.05));
}

TEST_CASE("simulate_step: DeepSeek-V3's layout puts the head and MTP on ranks 0 and 15, and "
          "evens their load against the balanced split",
          "[costmodel][training]") {
  // The scenario's layout [3, 4 x 14, 2] (profile-data: 4 MoE layers per DualPipe chunk) against
  // llmsim's balanced split [3, 4 x 13, 3, 3]. DualPipe: rank r holds stages r and 15 - r, so the
  // last stage (2 MoE layers, MTP, head) sits on ranks 0 and 15, with stage 0's embedding.
  const Scenario real = deepseek();
  const Scenario even = deepseek({"parallelism.layers_per_stage=[]"});
  const StepResult a = simulate_step(real, real.phases.front(), scenario_profile(real));
  const StepResult b = simulate_step(even, even.phases.front(), scenario_profile(even));
  REQUIRE(a.stages.size() == 16);
  CHECK(a.stages.front().layers == 3);
  CHECK(a.stages.back().layers == 2);
  CHECK(b.stages.back().layers == 3);
  // The head and MTP are on the last stage only: its forward outweighs a middle stage's by more
  // than the 2 layers it gives up.
  const double per_layer = a.stages[8].forward_s() / a.stages[8].layers;
  CHECK(a.stages.back().forward_s() > 2.0 * per_layer);
  const auto busy = [](const StepResult& r, int i) { return r.pipeline.ranks[i].busy.seconds(); };
  // Ranks 0 and 15 carry 5 layers + head + MTP instead of 6 + head + MTP: less busy; ranks 1 and
  // 14 carry 8 layers instead of 7: busier; the middle ranks do not move.
  CHECK(busy(a, 0) < busy(b, 0));
  CHECK(busy(a, 15) < busy(b, 15));
  CHECK(busy(a, 1) > busy(b, 1));
  CHECK(busy(a, 14) > busy(b, 14));
  CHECK(busy(a, 7) == Approx(busy(b, 7)).epsilon(1e-9));
  // The busiest rank sets the makespan: the real layout's step is shorter.
  CHECK(a.step_time_s < b.step_time_s);
}

TEST_CASE("Scenario: an override that changes the stage count leaves the file's layout behind, "
          "and says so",
          "[costmodel][training]") {
  // The file's 16-stage layout under DualPipeV (32 chunks): balanced, with a note.
  const Scenario v = deepseek({"parallelism.schedule=dualpipev"});
  CHECK(v.plan.layers_per_stage.empty());
  REQUIRE(v.notes.size() == 1);
  CHECK(v.notes[0].find("16 stages") != std::string::npos);
  CHECK(v.notes[0].find("32") != std::string::npos);
  // 1F1B on PP16 has the file's 16 stages: the layout stays, no note.
  const Scenario f = deepseek({"parallelism.schedule=1f1b"});
  CHECK(f.plan.layers_per_stage.size() == 16);
  CHECK(f.notes.empty());
  // A layout the override itself gives is checked as given.
  CHECK_THROWS_AS(deepseek({"parallelism.schedule=dualpipev", "parallelism.layers_per_stage=[30,31]"}),
                  UserError);
  // And without an override the file's layout is its own: a wrong count is an error (below).
}

TEST_CASE("simulate_step: a layer layout that does not fit the plan is refused",
          "[costmodel][training]") {
  CHECK_THROWS_AS(deepseek({"parallelism.layers_per_stage=[30,31]"}), UserError);
  CHECK_THROWS_AS(deepseek({"parallelism.layers_per_stage=[4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4]"}),
                  UserError);  // 64 layers
  CHECK_THROWS_AS(deepseek({"parallelism.layers_per_stage=[5,0,4,4,4,4,4,4,4,4,4,4,4,4,4,4]"}),
                  UserError);  // an empty stage in the middle
}

TEST_CASE("simulate_step: TP16 stays on NVLink in GB200 NVL72 racks, not on 4-GPU trays alone",
          "[costmodel][training]") {
  // Llama 3.1 405B on the 576 GPUs of scenarios/clusters/gb200-nvl72.yaml: TP16 x PP9 x DP4.
  const Scenario rack = load_scenario(
      kData + "/llama-3.1-405b-pretrain.yaml",
      {"cluster=gb200-nvl72", "calibration=calibration/b200-published.yaml", "parallelism.tp=16",
       "parallelism.pp=9", "parallelism.dp=4", "parallelism.schedule=1f1b", "parallelism.vpp=1",
       "training.phases.0.global_batch=64"},
      kData);
  REQUIRE(rack.cluster.domain_gpus() == 72);
  const calibration::Profile profile = scenario_profile(rack);
  const StepResult a = simulate_step(rack, rack.phases.front(), profile);
  // The same trays without the NVLink switch trays: NVLink ends at 4 GPUs, TP16 crosses NICs.
  Scenario trays = rack;
  trays.cluster.nvlink_domain_gpus = 0;
  const StepResult b = simulate_step(trays, trays.phases.front(), profile);
  CHECK(b.breakdown.exposed_comm_s > 3.0 * a.breakdown.exposed_comm_s);
  CHECK(b.step_time_s > a.step_time_s);
  // The link report: in the racks NVLink carries the TP traffic and is the busiest tier.
  const auto tier = [](LinkTier t) { return static_cast<std::size_t>(t); };
  CHECK(a.link_busy_complete);
  CHECK(a.link_busy_s[tier(LinkTier::kNvlink)] > 0.0);
  CHECK(a.link_busy_s[tier(LinkTier::kNvlink)] > a.link_busy_s[tier(LinkTier::kGpuNic)]);
  CHECK(b.link_busy_s[tier(LinkTier::kGpuNic)] > a.link_busy_s[tier(LinkTier::kGpuNic)]);
}
