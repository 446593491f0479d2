#pragma once
// TimeAxis: the mapping between simulated time (microseconds) and horizontal pixels of a
// timeline view, with its zoom and pan. A plain value type without Qt, tested with Catch2.
//   x_px = left_px + (t_us - start_us) * px_per_us

namespace llmsim::gui {

class TimeAxis {
 public:
  static constexpr double kMinPxPerUs = 1e-9;
  static constexpr double kMaxPxPerUs = 1e6;

  TimeAxis() = default;
  TimeAxis(double left_px, double start_us, double px_per_us);

  // The whole span [t0_us, t1_us] across `width_px` pixels starting at left_px.
  static TimeAxis fit(double left_px, double width_px, double t0_us, double t1_us);

  double to_px(double t_us) const { return left_px_ + (t_us - start_us_) * px_per_us_; }
  double to_us(double x_px) const { return start_us_ + (x_px - left_px_) / px_per_us_; }
  double px_per_us() const { return px_per_us_; }
  double start_us() const { return start_us_; }
  double left_px() const { return left_px_; }

  // Zooms by `factor` (> 1 zooms in) keeping the time under anchor_px where it is; the scale
  // stays within [kMinPxPerUs, kMaxPxPerUs].
  TimeAxis zoomed(double anchor_px, double factor) const;
  // Moves the content by dx_px pixels (positive: content moves right, earlier time shows).
  TimeAxis panned(double dx_px) const;

  friend bool operator==(const TimeAxis&, const TimeAxis&) = default;

 private:
  double left_px_ = 0.0;
  double start_us_ = 0.0;
  double px_per_us_ = 1.0;
};

}  // namespace llmsim::gui
