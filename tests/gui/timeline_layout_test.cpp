#include <catch2/catch.hpp>

#include "gui/time_axis.hpp"
#include "gui/timeline_layout.hpp"
#include "tests/gui/timeline_fixture.hpp"

using namespace llmsim;
using namespace llmsim::gui;

TEST_CASE("TimelineLayout: the axis on top, rows stack under their case titles", "[gui]") {
  LayoutMetrics m;  // top 6, axis 28, title 24, row 22, gap 3, case gap 12
  const TimelineLayout l({2, 3}, m);
  REQUIRE(l.rows().size() == 5);
  // The axis at 6; case 0's title at 34; rows at 58 and 83; then 108 + 12 = 120 for case 1.
  CHECK(l.axis_top_px() == Approx(6));
  CHECK(l.case_top_px(0) == Approx(34));
  CHECK(l.rows()[0].top_px == Approx(58));
  CHECK(l.rows()[1].top_px == Approx(83));
  CHECK(l.case_top_px(1) == Approx(120));
  CHECK(l.rows()[2].top_px == Approx(144));
  CHECK(l.rows()[4].case_index == 1);
  CHECK(l.rows()[4].rank == 2);
  CHECK(l.height_px() == Approx(144 + 3 * 25 + 12));
  CHECK(l.row_at(68)->rank == 0);
  CHECK(l.row_at(81).has_value() == false);   // the 3 px gap after row 0 (80..83)
  CHECK(l.row_at(128).has_value() == false);  // case 1's title band
  CHECK(l.row_at(20).has_value() == false);   // the axis
}

TEST_CASE("hit_test: finds the operation under the cursor, not idle time", "[gui]") {
  // small_1f1b: rank 1 runs F0 [10,20], BW0 [20,40], F1 [40,50] (its input arrived at 20),
  // BW1 [50,70].
  const auto cases = llmsim::gui::test::small_1f1b();
  const TimelineLayout l({2});
  const TimeAxis axis = TimeAxis::fit(72, 700, 0, 70);  // 10 px per us
  const double rank1_y = l.rows()[1].top_px + 5;
  auto hit = hit_test(cases, l, axis, axis.to_px(15), rank1_y);
  REQUIRE(hit);
  CHECK(hit->rank == 1);
  CHECK(hit->op_index == 0);
  hit = hit_test(cases, l, axis, axis.to_px(45), rank1_y);
  REQUIRE(hit);
  CHECK(hit->op_index == 2);
  CHECK_FALSE(hit_test(cases, l, axis, axis.to_px(5), rank1_y));   // rank 1 idle before 10
  CHECK_FALSE(hit_test(cases, l, axis, axis.to_px(75), rank1_y));  // after the end
  CHECK_FALSE(hit_test(cases, l, axis, 30, rank1_y));              // over the labels
  // Rank 0: BW0 after rank 1's BW0 (ends 40): [40,60]; BW1 after rank 1's BW1 (ends 70):
  // [70,90].
  CHECK(longest_makespan_us(cases) == Approx(90.0));
}
