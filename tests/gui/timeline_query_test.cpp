#include <catch2/catch.hpp>

#include <vector>

#include "gui/timeline_layout.hpp"
#include "gui/timeline_query.hpp"
#include "tests/gui/timeline_fixture.hpp"

using namespace llmsim;
using namespace llmsim::gui;
using llmsim::gui::test::small_1f1b;

namespace {

// n ops of 1 us each, back to back from 0.
std::vector<OpTiming> back_to_back(int n) {
  std::vector<OpTiming> t;
  for (int i = 0; i < n; ++i) t.push_back({SimTime::from_us(i), SimTime::from_us(i + 1)});
  return t;
}


}  // namespace

TEST_CASE("visible_spans: zoomed in, one span per op in the window only", "[gui]") {
  const auto t = back_to_back(1000);
  const TimeAxis axis(100, 500, 10);  // 10 px per us, t = 500 at x = 100
  std::vector<DrawSpan> spans;
  visible_spans(t, axis, 100, 1100, 1.0, spans);  // 500..600 us
  REQUIRE(spans.size() == 102);  // ops 499 (ends at 500) .. 600 (starts at 600)
  CHECK(spans.front().first == 499);
  CHECK(spans.back().first == 600);
  for (const DrawSpan& s : spans) CHECK_FALSE(s.merged());
  CHECK(spans[1].x0_px == Approx(100));
  CHECK(spans[1].x1_px == Approx(110));
}

TEST_CASE("visible_spans: zoomed out, sub-pixel ops merge to at most one span per pixel",
          "[gui]") {
  const auto t = back_to_back(100000);
  const TimeAxis axis = TimeAxis::fit(0, 1000, 0, 100000);  // 0.01 px per us
  std::vector<DrawSpan> spans;
  visible_spans(t, axis, 0, 1000, 1.0, spans);
  CHECK(spans.size() <= 1001);
  CHECK(spans.size() >= 999);
  // Every op is in exactly one span, in order.
  CHECK(spans.front().first == 0);
  CHECK(spans.back().last == 99999);
  for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
    CHECK(spans[i + 1].first == spans[i].last + 1);
    CHECK(spans[i].x1_px - spans[i].x0_px >= 1.0 - 1e-9);
  }
}

TEST_CASE("search_flags: ops whose name contains the text, ignoring case", "[gui]") {
  const auto cases = small_1f1b();
  std::size_t n = 0;
  const OpFlags f = search_flags(cases[0].plan, "bw 1", &n);
  CHECK(n == 2);  // BW 1 on each rank
  REQUIRE(f.size() == 2);
  CHECK(f[0][3] == 1);  // rank 0: F0, F1, BW0, BW1
  CHECK(f[0][2] == 0);
  CHECK(search_flags(cases[0].plan, "  ", &n).empty());
  CHECK(n == 0);
  search_flags(cases[0].plan, "F", &n);
  CHECK(n == 4);  // the kind name: F only, not BW
  CHECK(any_flag(f, 0, 0, 3));
  // A number is matched whole: F 3 is not F 30..39 nor F 13.
  ScheduleExperiment e;
  e.pp = 2;
  e.micro_batches = 40;
  const auto big = run_experiment(e);
  search_flags(big[0].plan, "F 3", &n);
  CHECK(n == 2);  // one per rank
  search_flags(big[0].plan, "BW 3", &n);
  CHECK(n == 2);
  search_flags(big[0].plan, "w 3", &n);  // part of "BW 3"
  CHECK(n == 2);
  CHECK_FALSE(any_flag(f, 0, 0, 2));
}

TEST_CASE("critical_flags: the chain that sets the makespan is flagged", "[gui]") {
  const auto cases = small_1f1b();
  const OpFlags f = critical_flags(cases[0]);
  // See critical_path's test: rank 0 F0 and BW1, every op of rank 1.
  CHECK(f[0] == std::vector<std::uint8_t>{1, 0, 0, 1});
  CHECK(f[1] == std::vector<std::uint8_t>{1, 1, 1, 1});
}

TEST_CASE("describe_op: op, micro-batch, stage, start and duration", "[gui]") {
  const auto cases = small_1f1b();
  const std::string text = describe_op(cases[0], 1, 1);  // rank 1 BW0 [20,40]
  CHECK(text.find("rank 1") != std::string::npos);
  CHECK(text.find("BW micro-batch 0, stage 1, direction 0") != std::string::npos);
  CHECK(text.find("start 20 us, duration 20 us, end 40 us") != std::string::npos);
  // No stream pieces in a schedule experiment: no breakdown line.
  CHECK(text.find("compute") == std::string::npos);
  CHECK_FALSE(op_breakdown(cases[0], 1, 1));
}

TEST_CASE("op_breakdown: the stream pieces inside the op", "[gui]") {
  auto cases = small_1f1b();
  ExperimentCase& c = cases[0];
  c.streams.assign(2, {});
  // Rank 1 BW0 runs [20,40]: 15 us of compute in two pieces, 5 us of communication.
  auto us = [](double v) { return SimTime::from_us(v); };
  c.streams[1] = {{us(10), us(20), false, OpKind::F, {}},
                  {us(20), us(30), false, OpKind::BW, {}},
                  {us(30), us(35), true, OpKind::BW, {}},
                  {us(35), us(40), false, OpKind::BW, {}},
                  {us(40), us(50), false, OpKind::F, {}}};
  const auto b = op_breakdown(c, 1, 1);
  REQUIRE(b);
  CHECK(b->compute_us == Approx(15));
  CHECK(b->compute_pieces == 2);
  CHECK(b->comm_us == Approx(5));
  CHECK(b->comm_pieces == 1);
  CHECK(describe_op(c, 1, 1).find("compute 15 us in 2 kernel spans; communication 5 us in 1 span") !=
        std::string::npos);
}

TEST_CASE("measure_between: either drag direction, the duration between", "[gui]") {
  const TimeAxis axis(100, 0, 2);  // 2 px per us
  const Measure m = measure_between(axis, 300, 140);
  CHECK(m.t0_us == Approx(20));
  CHECK(m.t1_us == Approx(100));
  CHECK(m.duration_us() == Approx(80));
  CHECK(format_us(m.duration_us()) == "80 us");
  CHECK(format_us(12345) == "12.35 ms");
  CHECK(format_us(17.94e6) == "17.94 s");
}

TEST_CASE("wrap_legend: entries wrap to a new line at the width", "[gui]") {
  const auto p = wrap_legend({100, 200, 300, 50}, 400, 10);
  REQUIRE(p.size() == 4);
  CHECK(p[0].line == 0);
  CHECK(p[1].x_px == Approx(110));
  CHECK(p[2].line == 1);  // 320 + 300 > 400
  CHECK(p[2].x_px == 0);
  CHECK(p[3].line == 1);
  CHECK(p[3].x_px == Approx(310));
  // An entry wider than a line still gets one.
  CHECK(wrap_legend({500}, 400, 10)[0].line == 0);
}

TEST_CASE("TimelineLayout: folded cases get one summary row, hidden ranks none", "[gui]") {
  LayoutMetrics m;
  const TimelineLayout l({CaseRows{4, true, {}}, CaseRows{3, false, {1}}}, m);
  REQUIRE(l.rows().size() == 3);
  CHECK(l.rows()[0].summary);
  CHECK(l.row_of(0, 3)->top_px == l.rows()[0].top_px);  // every rank: the summary row
  CHECK(l.row_of(1, 2)->rank == 2);
  CHECK_FALSE(l.row_of(1, 1));
  CHECK_FALSE(l.row_of(2, 0));
}

TEST_CASE("fit_rows: rows shrink so that every case fits the height", "[gui]") {
  LayoutMetrics base;
  // 3 cases of 16 rows in 700 px: 6 + 28 + 3 * (24 + 12) = 142 px fixed, 558 / 48 = 11.6.
  const LayoutMetrics m = fit_rows(base, 3, 48, 700, 34);
  CHECK(m.row_px + m.row_gap_px == Approx(558.0 / 48));
  const TimelineLayout l(std::vector<CaseRows>(3, CaseRows{16, false, {}}), m);
  CHECK(l.height_px() <= 700 + 1e-9);
  // Room to spare: capped at the full row height.
  CHECK(fit_rows(base, 1, 2, 2000, 22).row_px == 22);
  // No room: never below 2 px.
  CHECK(fit_rows(base, 3, 1000, 700, 22).row_px == 2);
}

TEST_CASE("hit_test: a summary row finds the op of any rank", "[gui]") {
  const auto cases = small_1f1b();
  const TimelineLayout l({CaseRows{2, true, {}}}, LayoutMetrics{});
  const TimeAxis axis = TimeAxis::fit(72, 700, 0, 90);
  const double y = l.rows()[0].top_px + 5;
  const auto a = hit_test(cases, l, axis, axis.to_px(5), y);  // only rank 0 busy
  REQUIRE(a);
  CHECK(a->rank == 0);
  const auto b = hit_test(cases, l, axis, axis.to_px(65), y);  // rank 0 idle, rank 1 BW1
  REQUIRE(b);
  CHECK(b->rank == 1);
  CHECK(b->op_index == 3);
}
