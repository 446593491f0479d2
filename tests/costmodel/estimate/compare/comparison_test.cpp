// The comparison model that `llmsim compare`, `llmsim run` and llmsim-gui share.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "costmodel/estimate/compare/comparison.hpp"

using namespace llmsim;

namespace {

std::string run_command(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  REQUIRE(pipe);
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  return out;
}

std::vector<std::string> names(const std::vector<ExperimentCase>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.emplace_back(schedule_method_name(c.plan.method));
  return out;
}

// A run whose first phase's step has the given step time, memory and per-rank bubbles.
RunEstimate fake_run(double step_s, double peak_gib, double capacity_gib,
                     const std::vector<double>& bubbles_s) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  RunEstimate run;
  StepResult& st = run.phases.emplace_back().step;
  st.step_time_s = step_s;
  st.tokens_per_second = 1e6 / step_s;
  st.peak_memory_bytes = peak_gib * kGiB;
  st.memory_capacity_bytes = capacity_gib * kGiB;
  st.memory_fits = peak_gib <= capacity_gib;
  for (double b : bubbles_s) st.pipeline.ranks.push_back({{}, SimTime::from_seconds(b)});
  run.total_gpu_hours = 1000 * step_s;
  run.total_cost_usd = 2000 * step_s;
  return run;
}

}  // namespace

TEST_CASE("FigureFormat: thousands separators, fixed precision, no exponent", "[compare]") {
  CHECK(format_figure(17752800.4, FigureUnit::kUsd) == "17,752,800");
  CHECK(format_figure(2788000.0, FigureUnit::kGpuHours) == "2,788,000");
  CHECK(format_figure(18.0624, FigureUnit::kSeconds) == "18.062");
  CHECK(format_figure(1234.5678, FigureUnit::kSeconds) == "1,234.568");
  CHECK(format_figure(0.3712, FigureUnit::kFraction) == "37.1");
  CHECK(format_figure(88.46, FigureUnit::kGiB) == "88.5");
  CHECK(format_figure(999.96, FigureUnit::kGiB) == "1,000.0");
  CHECK(format_figure(-0.0001, FigureUnit::kSeconds) == "0.000");
  CHECK(format_figure(-1234567.0, FigureUnit::kUsd) == "-1,234,567");
  CHECK(format_figure(8.0, FigureUnit::kCount) == "8");
  CHECK(format_figure(1.25, FigureUnit::kCount) == "1.25");
  CHECK(format_figure(1.5e18, FigureUnit::kUsd).find('e') == std::string::npos);
}

TEST_CASE("Comparison: the bubble is rank 0's and the worst rank's wait", "[compare]") {
  const RunEstimate a = fake_run(10.0, 60.0, 74.5, {1.0, 4.0, 2.5});
  const Comparison c = compare_runs({"a"}, {&a});
  CHECK(*c.row("bubble_rank0_s").values[0] == Approx(1.0));
  CHECK(*c.row("bubble_worst_s").values[0] == Approx(4.0));
  CHECK(c.row("bubble_rank0_s").format(0) == "1.000 (10.0%)");
  CHECK(c.row("bubble_worst_s").format(0) == "4.000 (40.0%, rank 1)");
  CHECK(pipeline_bubble(a.phases.front().step.pipeline).worst_rank == 1);
}

TEST_CASE("Comparison: a plan that does not fit is flagged and never best", "[compare]") {
  // b is fastest and cheapest but needs 88.5 GiB of 74.5: a is best everywhere it can be.
  const RunEstimate a = fake_run(10.0, 60.0, 74.5, {1.0, 2.0});
  const RunEstimate b = fake_run(8.0, 88.5, 74.5, {0.5, 1.0});
  const RunEstimate d = fake_run(12.0, 70.0, 74.5, {1.5, 3.0});
  const Comparison c = compare_runs({"a", "b", "d"}, {&a, &b, &d});
  CHECK(c.memory[1].over_text() == "88.5 GiB, 14.0 over 74.5");
  CHECK(c.memory[0].fits);
  CHECK(c.row("peak_memory_gib").format(1) == "88.5 (14.0 over 74.5)");
  for (const ComparisonRow& r : c.rows) {
    INFO(r.key);
    CHECK_FALSE(r.best[1]);
  }
  CHECK(c.row("step_time_s").best == std::vector<bool>{true, false, false});
  CHECK(c.row("tokens_per_second").best == std::vector<bool>{true, false, false});
  // Equal up to rounding is a tie: both marked.
  const RunEstimate e = fake_run(10.0 * (1 + 1e-12), 60.0, 74.5, {1.0, 2.0});
  CHECK(compare_runs({"a", "e", "d"}, {&a, &e, &d}).row("step_time_s").best ==
        std::vector<bool>{true, true, false});
  const nlohmann::json j = comparison_json(c);
  CHECK(j[1]["fits"] == false);
  CHECK(j[1]["memory_over_gib"].get<double>() == Approx(14.0));
  CHECK(j[1]["best"].empty());
  CHECK(j[0]["step_time_s"].get<double>() == 10.0);
}

TEST_CASE("Comparison: schedule experiments hold the CLI's figures for the same input",
          "[compare]") {
  ScheduleExperiment e;
  e.methods = {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P, ScheduleMethod::kDualPipe,
               ScheduleMethod::kZBV};
  e.pp = 8;
  e.micro_batches = 20;
  e.costs.f_us = {3};
  e.costs.b_us = {4};
  e.costs.w_us = {2};
  e.costs.p2p_latency_us = 0.5;
  const auto cases = run_experiment(e);
  const Comparison c = compare_schedules(names(cases), cases);
  const std::string json = run_command(std::string(LLMSIM_BINARY) +
                                       " schedule --compare 1f1b,zb1p,dualpipe,zbv --pp 8 "
                                       "--micro-batches 20 --f 3 --b 4 --w 2 --p2p-latency 0.5 "
                                       "--json");
  const auto cli = nlohmann::json::parse(json);
  REQUIRE(cli.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("case " << i);
    CHECK(*c.row("makespan_us").values[i] == cli[i]["makespan"].get<double>());
    CHECK(*c.row("bubble_worst_us").values[i] == Approx(cli[i]["max_bubble"].get<double>()));
    double peak = 0, copies = 0;
    for (const auto& r : cli[i]["ranks"]) {
      peak = std::max(peak, r["peak_activation_memory"].get<double>());
      copies = std::max(copies, r["parameter_copies"].get<double>());
    }
    CHECK(*c.row("peak_activation_memory").values[i] == peak);
    CHECK(*c.row("parameter_copies").values[i] == copies);
  }
}

TEST_CASE("Comparison: best values are marked, ties included, references never", "[compare]") {
  ScheduleExperiment e;
  e.methods = {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P, ScheduleMethod::kDualPipe};
  e.pp = 8;
  e.micro_batches = 20;
  const auto cases = run_experiment(e);
  const Comparison c = compare_schedules(names(cases), cases);
  // F = B = W = 1: makespans 81, 67, 66 (see the schedule tests): DualPipe is best.
  CHECK(c.row("makespan_us").best == std::vector<bool>{false, false, true});
  // 1F1B and ZB1P both hold 8 stage activations, DualPipe 9: both marked.
  CHECK(c.row("peak_activation_memory").best == std::vector<bool>{true, true, false});
  CHECK(c.row("published_bubble_us").best == std::vector<bool>{false, false, false});
  // 1F1B's worst rank waits 21 of 81 us.
  CHECK(c.row("bubble_worst_us").format(0) == "21.0 (25.9%, rank 0)");
}

TEST_CASE("Comparison: CSV has a header, plain numbers, and quotes what needs quoting",
          "[compare]") {
  Comparison c;
  c.cases = {"x", "say \"y\""};
  c.memory.assign(2, CaseMemory{});
  ComparisonRow& r = c.rows.emplace_back();
  r.name = "a, b";
  r.unit = FigureUnit::kUsd;
  r.values = {1234567.0, std::nullopt};
  r.best = {false, false};
  CHECK(comparison_csv(c) == "metric,x,\"say \"\"y\"\"\"\n\"a, b\",1234567,\n");
}
