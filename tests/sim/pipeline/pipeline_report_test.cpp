#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "report/timeline_svg.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/pipeline_report.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

using namespace llmsim;

TEST_CASE("PipelineReport: JSON carries the documented fields", "[sim][report]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipe, 4, 8, 1});
  const PipelineResult r = run_pipeline(p, PipelineCosts{});
  const nlohmann::json j = pipeline_to_json(p, r);
  CHECK(j["method"] == "dualpipe");
  CHECK(j["pp"] == 4);
  CHECK(j["micro_batches"] == 8);
  CHECK(j["makespan"].get<double>() == r.makespan.us());
  REQUIRE(j["ranks"].size() == 4);
  const auto& r0 = j["ranks"][0];
  CHECK(r0["parameter_copies"].get<double>() == 2.0);
  CHECK(r0["bubble"].get<double>() == r.ranks[0].bubble.us());
  std::size_t fb = 0;
  for (const auto& op : r0["ops"]) {
    for (const char* k : {"op", "mb", "dir", "stage", "start", "end"}) CHECK(op.contains(k));
    if (op["op"] == "FB") {
      ++fb;
      CHECK(op["f"]["op"] == "F");
      CHECK(op["b"]["op"] == "BW");
      CHECK(op["f"]["dir"] != op["b"]["dir"]);
    }
  }
  CHECK(fb == 3);
}

TEST_CASE("PipelineReport: Chrome trace has one track per rank and one span per op",
          "[sim][report]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::k1F1B, 3, 5, 1});
  const PipelineResult r = run_pipeline(p, PipelineCosts{});
  ChromeTrace t;
  add_pipeline_to_trace(t, 0, "1f1b", p, r);
  const nlohmann::json j = t.to_json();
  std::size_t spans = 0, threads = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X") ++spans;
    if (e["name"] == "thread_name") ++threads;
  }
  CHECK(spans == p.total_ops());
  CHECK(threads == 3);
}

TEST_CASE("ChromeTrace: streamed to a stream, the same document as collected", "[sim][report]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipe, 4, 8, 1});
  const PipelineResult r = run_pipeline(p, PipelineCosts{});
  ChromeTrace held;
  add_pipeline_to_trace(held, 0, "dualpipe", p, r);
  std::ostringstream out;
  ChromeTrace streamed(out);
  // Written as added: the opening and the first events are out before the trace is finished.
  add_pipeline_to_trace(streamed, 0, "dualpipe", p, r);
  const std::size_t before_finish = out.str().size();
  CHECK(before_finish + 2 == held.text().size());
  streamed.finish();
  CHECK(out.str() == held.text());
  CHECK_THROWS_AS(streamed.text(), InternalError);
  CHECK_THROWS_AS(streamed.finish(), InternalError);
  CHECK_THROWS_AS(held.finish(), InternalError);
  // An empty streamed trace is a valid document too.
  std::ostringstream none;
  ChromeTrace empty(none);
  empty.finish();
  CHECK(nlohmann::json::parse(none.str())["traceEvents"].empty());
}

TEST_CASE("PipelineReport: SVG timeline draws every op and labels every rank", "[sim][report]") {
  const PipelinePlan p = make_schedule({ScheduleMethod::kDualPipe, 8, 20, 1});
  const PipelineResult r = run_pipeline(p, PipelineCosts{});
  const std::string svg = timeline_svg({TimelineCase{"DualPipe", &p, &r}});
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("</svg>") != std::string::npos);
  for (int rank = 0; rank < 8; ++rank) {
    CHECK(svg.find(">rank " + std::to_string(rank) + "<") != std::string::npos);
  }
  // One rect per op, two per overlapped pair, one background per row, six legend swatches
  // and the page background.
  std::size_t rects = 0, fb = 0;
  for (std::size_t pos = 0; (pos = svg.find("<rect", pos)) != std::string::npos; ++pos) ++rects;
  for (const auto& ops : p.ops)
    for (const auto& op : ops) fb += op.kind == OpKind::FB;
  CHECK(rects == p.total_ops() + fb + 8 + 6 + 1);
}
