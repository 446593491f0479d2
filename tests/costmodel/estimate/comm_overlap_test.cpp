// training.overlap: tensor-parallel communication under its GEMMs, data-parallel gradient
// reduction under the last backward, ZeRO's weight gather under the next forward.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "costmodel/estimate/training/dp_overlap.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

// Llama 3.1 405B, TP8 within a node, PP4 1F1B, DP8 with the distributed optimizer.
StepResult llama_step(const std::vector<std::string>& extra) {
  std::vector<std::string> o = {"cluster.nodes=32",          "parallelism.pp=4",
                                "parallelism.dp=8",          "parallelism.schedule=1f1b",
                                "parallelism.vpp=1",         "parallelism.zero=1",
                                "training.phases.0.global_batch=64",  "training.recompute=none"};
  o.insert(o.end(), extra.begin(), extra.end());
  const Scenario s = load_scenario(kData + "/llama-3.1-405b-pretrain.yaml", o, kData);
  return simulate_step(s, s.phases.front(), scenario_profile(s));
}

double tp_comm_s(const StepResult& r) {
  double t = 0.0;
  for (const StageWork& st : r.stages) t += st.forward_s() - st.forward_compute_s();
  return t;
}

}  // namespace

TEST_CASE("Overlap: turning TP overlap off adds the TP communication to the step", "[overlap]") {
  const StepResult on = llama_step({"training.overlap.tp_comm=true"});
  const StepResult off = llama_step({"training.overlap.tp_comm=false"});
  REQUIRE(tp_comm_s(off) > 0);
  // TP8 all-reduces over NVLink are shorter than their GEMMs; what stays exposed is the
  // embedding's all-reduce, which has no GEMM to hide under.
  CHECK(tp_comm_s(on) > 0.0);
  CHECK(tp_comm_s(on) < 0.05 * tp_comm_s(off));
  CHECK(on.breakdown.compute_s == Approx(off.breakdown.compute_s).epsilon(1e-9));
  // The busiest rank's exposed communication is the TP communication it no longer hides.
  CHECK(off.breakdown.exposed_comm_s - on.breakdown.exposed_comm_s > 0.9 * off.breakdown.exposed_comm_s);
  CHECK(off.step_time_s - on.step_time_s >= 0.9 * (off.breakdown.exposed_comm_s - on.breakdown.exposed_comm_s));
}

TEST_CASE("Overlap: bucketed gradient reduction hides all but the tail", "[overlap]") {
  const StepResult after = llama_step({});
  const StepResult hidden = llama_step({"training.overlap.grad_reduce=true"});
  REQUIRE(after.breakdown.dp_sync_s > 0);
  CHECK(hidden.breakdown.dp_sync_s < after.breakdown.dp_sync_s);
  CHECK(hidden.breakdown.dp_sync_s >= 0.0);
  CHECK(hidden.pipeline.makespan == after.pipeline.makespan);
  CHECK(hidden.step_time_s < after.step_time_s);
}

TEST_CASE("Overlap: buckets follow the last backward and the first forward", "[overlap]") {
  // Hand-made: one rank, one chunk of 4 layers, F at [0, 1), B at [1, 3).
  PipelinePlan plan;
  plan.ops = {{PipelineOp::make(OpKind::F, {0, 0, 0}), PipelineOp::make(OpKind::B, {0, 0, 0})}};
  PipelineResult res;
  res.timing = {{OpTiming{SimTime::from_us(0), SimTime::from_us(1e6)},
                 OpTiming{SimTime::from_us(1e6), SimTime::from_us(3e6)}}};
  ChunkLoad c;
  c.layers = 4;
  c.params = 400;
  const auto grads = grad_buckets(plan, res, {c}, 0);
  REQUIRE(grads.size() == 4);
  CHECK(grads.front().at_s == Approx(1.5));  // the last layer, a quarter into the backward
  CHECK(grads.back().at_s == Approx(3.0));
  CHECK(grads.front().dense_params == Approx(100));
  // Each reduction takes 1 s, from when its bucket is final: the first starts at 1.5 s, the
  // rest queue behind it.
  const auto ready = [&grads](std::size_t i) { return grads[i].at_s; };
  CHECK(run_serially(grads, ready, [](const DpBucket&) { return 1.0; }).back().end == Approx(5.5));
  // Reductions of 0.1 s finish 0.1 s after the last bucket is final.
  CHECK(run_serially(grads, ready, [](const DpBucket&) { return 0.1; }).back().end == Approx(3.1));
  const auto weights = gather_buckets(plan, res, {c}, 0);
  REQUIRE(weights.size() == 4);
  CHECK(weights.front().at_s == Approx(0.0));
  CHECK(weights.back().at_s == Approx(0.75));
  // Gathers of 0.2 s from t = 0: layer k's weights arrive at 0.2 (k + 1) and are needed at
  // 0.25 k; lateness 0.2 - 0.05 k, largest for layer 0.
  const auto from_zero = [](std::size_t) { return 0.0; };
  const auto g02 = run_serially(weights, from_zero, [](const DpBucket&) { return 0.2; });
  CHECK(lateness(weights, g02) == Approx(0.2));
  // Gathers of 0.5 s: lateness 0.5 (k + 1) - 0.25 k, largest at k = 3: 1.25.
  const auto g05 = run_serially(weights, from_zero, [](const DpBucket&) { return 0.5; });
  CHECK(lateness(weights, g05) == Approx(1.25));
  // Under the forward [0, 1): the 0.5 s gathers run [0, 2), half of it under computation.
  CHECK(overlap_with(g05, 0.0, 1.0) == Approx(1.0));
  CHECK(overlap_with(g05, 0.0, 3.0) == Approx(2.0));
  // ZeRO-3 without pipelining, every pass: the forward's gathers as above; the backward's,
  // layer 3 first, each needed as its slice of [1, 3) starts; its reductions at the slices' ends.
  const auto fwd = every_pass_buckets(plan, res, {c}, 0, PassBuckets::kForwardGather);
  const auto again = every_pass_buckets(plan, res, {c}, 0, PassBuckets::kBackwardGather);
  const auto reduced = every_pass_buckets(plan, res, {c}, 0, PassBuckets::kBackwardReduce);
  REQUIRE(fwd.size() == 4);
  CHECK(fwd.back().at_s == Approx(0.75));
  REQUIRE(again.size() == 4);
  CHECK(again.front().at_s == Approx(1.0));
  CHECK(again.back().at_s == Approx(2.5));
  REQUIRE(reduced.size() == 4);
  CHECK(reduced.front().at_s == Approx(1.5));
  CHECK(reduced.back().at_s == Approx(3.0));
}

TEST_CASE("Overlap: ZeRO-3 without pipelining gathers the weights again for the backward",
          "[overlap]") {
  // TP8 x DP8 on 8 nodes, no overlap: ZeRO-3 waits for the whole gather twice, ZeRO-1 once.
  const std::vector<std::string> pp1 = {"cluster.nodes=8", "parallelism.pp=1",
                                        "training.phases.0.global_batch=8"};
  auto with = [&pp1](std::vector<std::string> more) {
    more.insert(more.begin(), pp1.begin(), pp1.end());
    return llama_step(more);
  };
  const StepResult z1 = with({"parallelism.zero=1"});
  const StepResult z3 = with({"parallelism.zero=3"});
  const StepResult z0 = with({"parallelism.zero=0"});
  REQUIRE(z1.breakdown.dp_sync_s > 0);
  // ZeRO-1: reduce-scatter + gather; ZeRO-0: all-reduce (= reduce-scatter + all-gather on a
  // ring): about equal. ZeRO-3 adds one more gather: 1.5x ZeRO-1's, as the ring moves it.
  CHECK(z1.breakdown.dp_sync_s == Approx(z0.breakdown.dp_sync_s).epsilon(0.1));
  CHECK(z3.breakdown.dp_sync_s == Approx(1.5 * z1.breakdown.dp_sync_s).epsilon(0.05));
  CHECK(z3.pipeline.makespan == z1.pipeline.makespan);
  // With PP, ZeRO-3 keeps the gathered weights through the step (torchtitan: no reshard
  // after forward under pipelining): as ZeRO-1.
  CHECK(llama_step({"parallelism.zero=3"}).breakdown.dp_sync_s ==
        Approx(llama_step({"parallelism.zero=1"}).breakdown.dp_sync_s));
}

TEST_CASE("Overlap: overlapped DP collectives slow the computation under them by NCCL's SMs",
          "[overlap]") {
  // ZeRO-3, TP8 x DP8 on 8 nodes, everything overlapped: the DP rings cross nodes (16 SMs of
  // H100's 132 while they run).
  const StepResult r = llama_step({"cluster.nodes=8", "parallelism.pp=1", "training.phases.0.global_batch=8",
                                   "parallelism.zero=3", "training.overlap.grad_reduce=true",
                                   "training.overlap.param_gather=true"});
  // The note gives the slowdown in seconds ("... slows by that share: X s on the worst rank").
  double slowed = -1.0;
  for (const std::string& n : r.notes) {
    if (n.find("NCCL's 16 SMs of 132") == n.npos) continue;
    const std::string key = "slows by that share: ";
    slowed = std::stod(n.substr(n.find(key) + key.size()));
  }
  REQUIRE(slowed > 0.0);
  // At most 16/132 of the step's computation per collective stream (gathers and reductions
  // run on two, each holding its SMs), as no more can run under them; the rest of DP sync is
  // the gathers' lateness (ZeRO-3 gathers in both passes here).
  CHECK(slowed <= 2.0 * 16.0 / 132.0 * r.pipeline.makespan.seconds() + 1e-9);
  CHECK(r.breakdown.dp_sync_s >= slowed);
  // No overlap, no contention: the note is absent.
  const StepResult serial = llama_step({"cluster.nodes=8", "parallelism.pp=1",
                                        "training.phases.0.global_batch=8", "parallelism.zero=3"});
  for (const std::string& n : serial.notes) CHECK(n.find("SMs of") == n.npos);
}

TEST_CASE("Overlap: all DP groups reduce at once and share an oversubscribed fabric", "[overlap]") {
  // TP8 x DP8 on 8 nodes, one node per 16-port leaf: the 8 DP groups' reductions cross the
  // leaves together; at 2:1 they get half their NICs' rate there (NICs at their line rate here:
  // with nic_efficiency 0.8 the ratio would be 0.8 x 2 = 1.6).
  const auto dp_sync = [](const std::string& oversubscription) {
    return llama_step({"cluster.nodes=8", "parallelism.pp=1", "training.phases.0.global_batch=8",
                       "cluster.topology=fat-tree", "cluster.switch_ports=16", "cluster.nic_efficiency=1",
                       "cluster.oversubscription=" + oversubscription})
        .breakdown.dp_sync_s;
  };
  const double open = dp_sync("1"), tight = dp_sync("2");
  REQUIRE(open > 0);
  CHECK(tight == Approx(2.0 * open).epsilon(0.05));
}

TEST_CASE("Overlap: a 16,384-GPU dense step on a three-tier Clos simulates in seconds",
          "[overlap]") {
  const std::string file = kData + "/llama-3.1-405b-pretrain.yaml";
  const auto t0 = std::chrono::steady_clock::now();
  const Scenario s = load_scenario(
      file, {"cluster.topology=fat-tree", "cluster.tiers=3", "cluster.spine_oversubscription=4"},
      kData);
  REQUIRE(s.cluster.gpus() == 16384);
  const StepResult r = simulate_step(s, s.phases.front(), scenario_profile(s));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(r.step_time_s > 0);
  CHECK(r.breakdown.dp_sync_s > 0);
  CHECK(seconds < 2.0);  // issue: under 2 s on one core (about 0.07 s here)
}
