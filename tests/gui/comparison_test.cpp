#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "gui/comparison.hpp"

using namespace llmsim;
using namespace llmsim::gui;

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

const ComparisonRow& row(const std::vector<ComparisonRow>& rows, const std::string& metric) {
  for (const auto& r : rows) {
    if (r.metric == metric) return r;
  }
  FAIL("no row " << metric);
  return rows.front();
}

}  // namespace

TEST_CASE("Comparison: the table holds the CLI's figures for the same input", "[gui]") {
  ScheduleExperiment e;
  e.methods = {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P, ScheduleMethod::kDualPipe,
               ScheduleMethod::kZBV};
  e.pp = 8;
  e.micro_batches = 20;
  e.costs.f_us = {3};
  e.costs.b_us = {4};
  e.costs.w_us = {2};
  e.costs.p2p_latency_us = 0.5;
  const auto rows = comparison_rows(run_experiment(e));
  const std::string json = run_command(std::string(LLMSIM_BINARY) +
                                       " schedule --compare 1f1b,zb1p,dualpipe,zbv --pp 8 "
                                       "--micro-batches 20 --f 3 --b 4 --w 2 --p2p-latency 0.5 "
                                       "--json");
  const auto cli = nlohmann::json::parse(json);
  REQUIRE(cli.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("case " << i);
    CHECK(*row(rows, "makespan (us)").values[i] == cli[i]["makespan"].get<double>());
    CHECK(*row(rows, "max bubble (us)").values[i] == cli[i]["max_bubble"].get<double>());
    double peak = 0, copies = 0;
    for (const auto& r : cli[i]["ranks"]) {
      peak = std::max(peak, r["peak_activation_memory"].get<double>());
      copies = std::max(copies, r["parameter_copies"].get<double>());
    }
    CHECK(*row(rows, "peak activations (1F1B stages)").values[i] == peak);
    CHECK(*row(rows, "parameter copies").values[i] == copies);
  }
}

TEST_CASE("Comparison: best values are marked, ties included, references never", "[gui]") {
  ScheduleExperiment e;
  e.methods = {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P, ScheduleMethod::kDualPipe};
  e.pp = 8;
  e.micro_batches = 20;
  const auto rows = comparison_rows(run_experiment(e));
  // F = B = W = 1: makespans 81, 67, 66 (see the schedule tests): DualPipe is best.
  CHECK(row(rows, "makespan (us)").best == std::vector<bool>{false, false, true});
  // 1F1B and ZB1P both hold 8 stage activations, DualPipe 9: both marked.
  CHECK(row(rows, "peak activations (1F1B stages)").best == std::vector<bool>{true, true, false});
  CHECK(row(rows, "published bubble (us)").best == std::vector<bool>{false, false, false});
  CHECK(row(rows, "bubble share (%)").format(0) == "25.9");
}

TEST_CASE("Comparison: CSV has a header and quotes what needs quoting", "[gui]") {
  ComparisonRow r;
  r.metric = "a, b";
  r.values = {1.5, std::nullopt};
  r.best = {false, false};
  CHECK(comparison_csv({r}, {"x", "say \"y\""}) == "metric,x,\"say \"\"y\"\"\"\n\"a, b\",1.5,\n");
}
