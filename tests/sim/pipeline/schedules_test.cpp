#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/schedules/schedule.hpp"
#include "tests/sim/pipeline/execution_check.hpp"

using namespace llmsim;

namespace {

std::string render(const PipelineOp& op) {
  auto ms = [](const MicroStage& m) { return fmt::format("d{}m{}", m.dir, m.mb); };
  if (op.kind == OpKind::FB) return fmt::format("FB({},{})", ms(op.first), ms(op.second));
  return fmt::format("{}{}", op_kind_name(op.kind), ms(op.first));
}

std::string render(const std::vector<PipelineOp>& ops) {
  std::string s;
  for (const auto& op : ops) {
    if (!s.empty()) s += ' ';
    s += render(op);
  }
  return s;
}

std::string render_v(const std::vector<PipelineOp>& ops) {
  auto ms = [](const MicroStage& m) { return fmt::format("s{}m{}", m.stage, m.mb); };
  std::string s;
  for (const auto& op : ops) {
    if (!s.empty()) s += ' ';
    if (op.kind == OpKind::FB) s += fmt::format("FB({},{})", ms(op.first), ms(op.second));
    else s += fmt::format("{}{}", op_kind_name(op.kind), ms(op.first));
  }
  return s;
}

PipelineCosts uniform(double f, double b, double w) {
  PipelineCosts c;
  c.stages[0].f = SimTime::from_us(f);
  c.stages[0].b = SimTime::from_us(b);
  c.stages[0].w = SimTime::from_us(w);
  return c;
}

}  // namespace

// Hand-derived from the step list of scenarios/reference/dualpipe_schedule.md (the reference
// implementation's DualPipe.step) for pp = 4, m = 8: n = 2, c = 4.
// Rank 0 (h = 0, phase 0 = direction 0): step 1 two forwards of d0; step 2 F d0m2, F d1m0;
// step 3 B d1m0, W, F d1m1; step 4 one round of two F&B; step 5 BW d1m2 and an F&B; step 6
// (h even) BW d1m3 then the switch, B d0m2; step 7 W, B d0m3; step 8 W.
// Rank 1 (h = 1, a middle rank): step 2 F d0m0 F d1m0 F d0m1 F d1m1; step 4 two rounds, the
// first pair not overlapped (F d0m2, BW d1m0); step 6 (h odd) switches before round 1's
// phase-1 backward; step 8 two W in FIFO order.
TEST_CASE("DualPipe: operation order of the reference implementation, pp=4 m=8", "[sim][schedule]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipe, 4, 8, 1});
  CHECK(render(p.ops[0]) ==
        "Fd0m0 Fd0m1 Fd0m2 Fd1m0 Bd1m0 Wd1m0 Fd1m1 FB(d0m3,d1m1) FB(d1m2,d0m0) BWd1m2 "
        "FB(d1m3,d0m1) BWd1m3 Bd0m2 Wd0m2 Bd0m3 Wd0m3");
  CHECK(render(p.ops[1]) ==
        "Fd0m0 Fd1m0 Fd0m1 Fd1m1 Fd0m2 BWd1m0 FB(d1m2,d0m0) FB(d0m3,d1m1) FB(d1m3,d0m1) "
        "BWd1m2 BWd0m2 Bd1m3 Bd0m3 Wd1m3 Wd0m3");
  // Ranks 2 and 3 mirror ranks 1 and 0 with the directions swapped.
  CHECK(render(p.ops[2]) ==
        "Fd1m0 Fd0m0 Fd1m1 Fd0m1 Fd1m2 BWd0m0 FB(d0m2,d1m0) FB(d1m3,d0m1) FB(d0m3,d1m1) "
        "BWd0m2 BWd1m2 Bd0m3 Bd1m3 Wd0m3 Wd1m3");
  CHECK(render(p.ops[3]) ==
        "Fd1m0 Fd1m1 Fd1m2 Fd0m0 Bd0m0 Wd0m0 Fd0m1 FB(d1m3,d0m1) FB(d0m2,d1m0) BWd0m2 "
        "FB(d0m3,d1m1) BWd0m3 Bd1m2 Wd1m2 Bd1m3 Wd1m3");
  // Stages: rank r computes stage r for direction 0 and stage pp-1-r for direction 1.
  for (int r = 0; r < 4; ++r) {
    for (const auto& op : p.ops[r]) {
      CHECK(op.first.stage == (op.first.dir == 0 ? r : 3 - r));
    }
  }
}

// Hand-derived likewise for DualPipeV (n = pp = 2, h = r, c = m = 4): rank 0 holds stages 0
// and 3, rank 1 (the last rank, first F&B not overlapped) stages 1 and 2.
TEST_CASE("DualPipeV: operation order of the reference implementation, pp=2 m=4",
          "[sim][schedule]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipeV, 2, 4, 1});
  CHECK(render_v(p.ops[0]) ==
        "Fs0m0 Fs0m1 Fs0m2 Fs3m0 Bs3m0 Ws3m0 Fs3m1 FB(s0m3,s3m1) FB(s3m2,s0m0) BWs3m2 "
        "FB(s3m3,s0m1) BWs3m3 Bs0m2 Ws0m2 Bs0m3 Ws0m3");
  CHECK(render_v(p.ops[1]) ==
        "Fs1m0 Fs2m0 Fs1m1 Fs2m1 Fs1m2 BWs2m0 FB(s2m2,s1m0) FB(s1m3,s2m1) FB(s2m3,s1m1) "
        "BWs2m2 BWs1m2 Bs2m3 Bs1m3 Ws2m3 Ws1m3");
}

TEST_CASE("1F1B and interleaved: Megatron-LM order", "[sim][schedule]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 4, 6, 1});
  CHECK(render(p.ops[0]) == "Fd0m0 Fd0m1 Fd0m2 Fd0m3 BWd0m0 Fd0m4 BWd0m1 Fd0m5 BWd0m2 BWd0m3 "
                            "BWd0m4 BWd0m5");
  CHECK(render(p.ops[3]) == "Fd0m0 BWd0m0 Fd0m1 BWd0m1 Fd0m2 BWd0m2 Fd0m3 BWd0m3 Fd0m4 BWd0m4 "
                            "Fd0m5 BWd0m5");
  // Interleaved, pp = 2, v = 2, m = 4. Rank 1: warm-up 2(2-1-1) + (2-1)*2 = 2 forwards.
  // Forward k: chunk (k/2)%2, micro-batch (k/4)*2 + k%2; chunk c of rank 1 is stage 2c+1.
  const PipelinePlan q = make_schedule({ScheduleMethod::kInterleaved1F1B, 2, 4, 2});
  CHECK(render_v(q.ops[1]) ==
        "Fs1m0 Fs1m1 Fs3m0 BWs3m0 Fs3m1 BWs3m1 Fs1m2 BWs1m0 Fs1m3 BWs1m1 Fs3m2 BWs3m2 Fs3m3 "
        "BWs3m3 BWs1m2 BWs1m3");
}

TEST_CASE("Schedules: impossible requests get one clear error", "[sim][schedule]") {
  auto message = [](ScheduleRequest r) {
    try {
      make_schedule(r);
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message({ScheduleMethod::kDualPipe, 3, 12, 1}) ==
        "pp = 3: DualPipe needs an even pipeline size");
  CHECK(message({ScheduleMethod::kDualPipe, 8, 14, 1}) ==
        "micro-batches = 14: DualPipe needs an even number of at least 2*pp = 16");
  CHECK(message({ScheduleMethod::kDualPipe, 8, 17, 1}) ==
        "micro-batches = 17: DualPipe needs an even number of at least 2*pp = 16");
  CHECK(message({ScheduleMethod::kDualPipeV, 4, 7, 1}) ==
        "micro-batches = 7: DualPipeV needs at least 2*pp = 8");
  CHECK(message({ScheduleMethod::kInterleaved1F1B, 4, 6, 2}) ==
        "micro-batches = 6: interleaved 1F1B needs a multiple of pp = 4 (Megatron-LM's order)");
  CHECK(message({ScheduleMethod::kInterleaved1F1B, 4, 8, 1}).find("at least 2 virtual") !=
        std::string::npos);
  CHECK(message({ScheduleMethod::k1F1B, 4, 8, 2}).find("apply to 'interleaved' only") !=
        std::string::npos);
  CHECK(message({ScheduleMethod::k1F1B, 0, 8, 1}) == "pipeline size pp = 0: must be between 1 and 4096");
  CHECK(message({ScheduleMethod::k1F1B, 4, 0, 1}).find("micro-batches = 0") == 0);
  CHECK(parse_schedule_method("DualPipeV") == ScheduleMethod::kDualPipeV);
  CHECK(parse_schedule_method("zb-h1") == ScheduleMethod::kZB1P);
  CHECK_FALSE(parse_schedule_method("2f2b").has_value());
}

// DeepSeek-V3 report Table 2 (and the DualPipe README for DualPipeV): bubbles, with B a full
// backward, exact when the input-gradient backward takes as long as the forward, F&B = F + B
// and transfers are free. We simulate with B_input = F and check max over ranks of
// (makespan - busy) against each formula for every even pp from 2 to 16.
TEST_CASE("Schedules: bubbles equal the published formulas", "[sim][schedule]") {
  for (int pp = 2; pp <= 16; pp += 2) {
    for (int m : {2 * pp, 2 * pp + 2, 3 * pp, 4 * pp + 2}) {
      for (double w : {3.0, 5.0, 10.0}) {
        const double f = 10.0;
        const double b = 10.0;  // input-gradient part, = F
        const double bfull = b + w;
        const double fb = f + bfull;
        const PipelineCosts c = uniform(f, b, w);
        auto bubble = [&](ScheduleMethod method, int ranks) {
          return run_pipeline(make_schedule({method, ranks, m, 1}), c).max_bubble().us();
        };
        INFO("pp=" << pp << " m=" << m << " w=" << w);
        CHECK(bubble(ScheduleMethod::k1F1B, pp) == Approx((pp - 1) * (f + bfull)));
        CHECK(bubble(ScheduleMethod::kZB1P, pp) == Approx((pp - 1) * (f + bfull - 2 * w)));
        CHECK(bubble(ScheduleMethod::kDualPipe, pp) ==
              Approx((pp / 2 - 1) * (fb + bfull - 3 * w)).margin(1e-9));
        // DualPipeV's PP counts stages: pp/2 ranks hold pp stages.
        CHECK(bubble(ScheduleMethod::kDualPipeV, pp / 2) ==
              Approx((pp / 2 - 1) * (fb + bfull - 3 * w)).margin(1e-9));
      }
    }
  }
}

TEST_CASE("Schedules: executions keep every invariant on generated configurations",
          "[sim][schedule][property]") {
  std::mt19937 rng(20241226);  // fixed seed: the same configurations on every run
  const ScheduleMethod methods[] = {ScheduleMethod::kGPipe,    ScheduleMethod::k1F1B,
                                    ScheduleMethod::kInterleaved1F1B, ScheduleMethod::kZB1P,
                                    ScheduleMethod::kZB2P,     ScheduleMethod::kZBV,
                                    ScheduleMethod::kDualPipe, ScheduleMethod::kDualPipeV};
  int checked = 0;
  for (int trial = 0; trial < 60; ++trial) {
    for (ScheduleMethod method : methods) {
      int pp = std::uniform_int_distribution<int>(1, 12)(rng);
      int m = std::uniform_int_distribution<int>(1, 40)(rng);
      int vpp = 1;
      if (method == ScheduleMethod::kDualPipe) {
        pp = 2 * std::max(1, pp / 2);
        m = 2 * pp + 2 * std::uniform_int_distribution<int>(0, 10)(rng);
      } else if (method == ScheduleMethod::kDualPipeV) {
        m = 2 * pp + std::uniform_int_distribution<int>(0, 20)(rng);
      } else if (method == ScheduleMethod::kInterleaved1F1B) {
        vpp = std::uniform_int_distribution<int>(2, 4)(rng);
        m = pp * std::uniform_int_distribution<int>(1, 5)(rng);
      }
      const PipelinePlan plan = make_schedule({method, pp, m, vpp});
      // Random per-stage costs and transfer latency.
      PipelineCosts c;
      std::uniform_int_distribution<int> us(1, 50);
      c.stages.assign(plan.num_stages, StageCost{});
      for (auto& s : c.stages) {
        s.f = SimTime::from_us(us(rng));
        s.b = SimTime::from_us(us(rng));
        s.w = SimTime::from_us(us(rng));
      }
      c.p2p_latency = SimTime::from_us(std::uniform_int_distribution<int>(0, 5)(rng));
      const PipelineResult res = run_pipeline(plan, c);
      INFO(schedule_method_name(method) << " pp=" << pp << " m=" << m << " vpp=" << vpp);
      CHECK(testing::check_execution(plan, c, res) == "");
      int peak = 0;
      for (const auto& r : res.ranks) peak = std::max(peak, r.peak_activations);
      // Published activation bounds (DeepSeek-V3 report Table 2), in stage activations.
      switch (method) {
        case ScheduleMethod::k1F1B:
        case ScheduleMethod::kZB1P: CHECK(peak <= pp); break;
        case ScheduleMethod::kDualPipe: CHECK(peak <= pp + 1); break;
        case ScheduleMethod::kDualPipeV: CHECK(peak <= 2 * pp + 1); break;  // half-size stages
        case ScheduleMethod::kZBV: CHECK(peak <= 2 * pp); break;
        case ScheduleMethod::kZB2P: CHECK(peak <= 2 * pp - 1); break;
        default: break;
      }
      ++checked;
    }
  }
  CHECK(checked == 480);
}

TEST_CASE("Schedules: zero-bubble variants order their W work to cut the 1F1B bubble",
          "[sim][schedule]") {
  const PipelineCosts c = uniform(10, 10, 10);
  const double b1f1b = run_pipeline(make_schedule({ScheduleMethod::k1F1B, 8, 32, 1}), c).max_bubble().us();
  const double bzb1 = run_pipeline(make_schedule({ScheduleMethod::kZB1P, 8, 32, 1}), c).max_bubble().us();
  const double bzb2 = run_pipeline(make_schedule({ScheduleMethod::kZB2P, 8, 32, 1}), c).max_bubble().us();
  CHECK(bzb1 < b1f1b);
  CHECK(bzb2 <= bzb1);
  // No schedule can do better than the last rank's wait for its first input, (pp-1)F.
  CHECK(bzb2 >= 7 * 10.0);
}
