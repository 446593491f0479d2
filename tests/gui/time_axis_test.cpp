#include <catch2/catch.hpp>

#include "gui/time_axis.hpp"

using llmsim::gui::TimeAxis;

TEST_CASE("TimeAxis: fit maps the span onto the width", "[gui]") {
  // 70 px of labels, 1000 px of plot for 0..250 us: 4 px per us.
  const TimeAxis a = TimeAxis::fit(70, 1000, 0, 250);
  CHECK(a.px_per_us() == Approx(4.0));
  CHECK(a.to_px(0) == Approx(70.0));
  CHECK(a.to_px(250) == Approx(1070.0));
  CHECK(a.to_us(570) == Approx(125.0));
  // An empty span still gives a usable axis.
  CHECK(TimeAxis::fit(0, 100, 5, 5).px_per_us() == Approx(100.0));
}

TEST_CASE("TimeAxis: zoom keeps the time under the cursor in place", "[gui]") {
  const TimeAxis a = TimeAxis::fit(70, 1000, 0, 250);
  const double anchor = 370;  // 75 us
  const TimeAxis z = a.zoomed(anchor, 2.0);
  CHECK(z.px_per_us() == Approx(8.0));
  CHECK(z.to_us(anchor) == Approx(75.0));
  // 100 us was at 470 px; at 8 px/us it is 25 us * 8 = 200 px right of the anchor.
  CHECK(z.to_px(100) == Approx(570.0));
  const TimeAxis back = z.zoomed(anchor, 0.5);
  CHECK(back.to_px(0) == Approx(70.0));
  // The scale is clamped.
  CHECK(a.zoomed(0, 1e30).px_per_us() == TimeAxis::kMaxPxPerUs);
  CHECK(a.zoomed(0, 1e-30).px_per_us() == TimeAxis::kMinPxPerUs);
}

TEST_CASE("TimeAxis: panning moves content with the drag", "[gui]") {
  const TimeAxis a = TimeAxis::fit(70, 1000, 0, 250);
  const TimeAxis p = a.panned(40);  // drag right by 40 px: content moves right
  CHECK(p.to_px(0) == Approx(110.0));
  CHECK(p.to_us(70) == Approx(-10.0));
  CHECK(p.panned(-40).to_px(0) == Approx(70.0));
}
