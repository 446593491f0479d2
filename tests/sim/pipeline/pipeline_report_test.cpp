#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <vector>
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

namespace {

struct Span {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
};

std::int64_t trace_ns(const nlohmann::json& us) { return std::llround(us.get<double>() * 1e3); }

// Checks every flow of a schedule's trace: one "s" and one "f" ("bp":"e") per id, each
// strictly inside an operation's span on its rank's track, the producer ending no later
// than the consumer starts. Returns the number of flows.
std::size_t checked_flows(const nlohmann::json& trace) {
  std::map<int, std::vector<Span>> tracks;
  std::map<std::uint64_t, std::vector<nlohmann::json>> ends;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") {
      const std::int64_t start = trace_ns(e["ts"]);
      tracks[e["tid"].get<int>()].push_back({start, start + trace_ns(e["dur"])});
    } else if (e["ph"] == "s" || e["ph"] == "f") {
      ends[e["id"].get<std::uint64_t>()].push_back(e);
    }
  }
  auto enclosing = [&](const nlohmann::json& e) -> const Span* {
    const std::int64_t at = trace_ns(e["ts"]);
    for (const Span& s : tracks[e["tid"].get<int>()]) {
      if (s.start_ns < at && at < s.end_ns) return &s;
    }
    return nullptr;
  };
  for (const auto& [id, pair] : ends) {
    INFO("flow " << id);
    REQUIRE(pair.size() == 2);
    REQUIRE(pair[0]["ph"] == "s");
    REQUIRE(pair[1]["ph"] == "f");
    CHECK(pair[1]["bp"] == "e");
    const Span* from = enclosing(pair[0]);
    const Span* to = enclosing(pair[1]);
    REQUIRE(from != nullptr);
    REQUIRE(to != nullptr);
    CHECK(from->end_ns <= to->start_ns);
  }
  return ends.size();
}

}  // namespace

TEST_CASE("PipelineReport: Chrome trace flows follow each micro-batch through the stages",
          "[sim][report]") {
  // Each micro-batch: stages - 1 forward hand-overs, one turn at the last stage, stages - 1
  // backward hand-overs. 4 ranks, 8 micro-batches: 8 x (3 + 1 + 3) = 56.
  for (const ScheduleMethod m : {ScheduleMethod::k1F1B, ScheduleMethod::kZB1P,
                                 ScheduleMethod::kDualPipe, ScheduleMethod::kInterleaved1F1B}) {
    const PipelinePlan p = make_schedule({m, 4, 8, m == ScheduleMethod::kInterleaved1F1B ? 2 : 1});
    INFO(schedule_method_name(m) << ", " << p.num_stages << " stages");
    const PipelineResult r = run_pipeline(p, PipelineCosts{});
    ChromeTrace t;
    add_pipeline_to_trace(t, 0, "case", p, r);
    CHECK(checked_flows(t.to_json()) ==
          static_cast<std::size_t>(p.micro_batches * (2 * (p.num_stages - 1) + 1)));
  }
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
