#include "gui/time_axis.hpp"

#include <algorithm>

namespace llmsim::gui {

TimeAxis::TimeAxis(double left_px, double start_us, double px_per_us)
    : left_px_(left_px),
      start_us_(start_us),
      px_per_us_(std::clamp(px_per_us, kMinPxPerUs, kMaxPxPerUs)) {}

TimeAxis TimeAxis::fit(double left_px, double width_px, double t0_us, double t1_us) {
  const double span = t1_us > t0_us ? t1_us - t0_us : 1.0;
  return TimeAxis(left_px, t0_us, std::max(width_px, 1.0) / span);
}

TimeAxis TimeAxis::zoomed(double anchor_px, double factor) const {
  const double anchor_us = to_us(anchor_px);
  const double scale = std::clamp(px_per_us_ * factor, kMinPxPerUs, kMaxPxPerUs);
  // Keep anchor_us at anchor_px: anchor_px = left + (anchor_us - start) * scale.
  return TimeAxis(left_px_, anchor_us - (anchor_px - left_px_) / scale, scale);
}

TimeAxis TimeAxis::panned(double dx_px) const {
  return TimeAxis(left_px_, start_us_ - dx_px / px_per_us_, px_per_us_);
}

}  // namespace llmsim::gui
