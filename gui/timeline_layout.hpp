#pragma once
// TimelineLayout: where each compared case and each of its rank rows sits vertically, and
// which operation lies under a point. Plain C++ without Qt, shared by the widget, the
// offscreen renderer and the tests.

#include <cstddef>
#include <optional>
#include <vector>

#include "gui/time_axis.hpp"
#include "sim/pipeline/schedule_experiment.hpp"

namespace llmsim::gui {

struct LayoutMetrics {
  double top_px = 6.0;
  double title_px = 24.0;     // case title band above its rows
  double row_px = 22.0;       // one rank
  double row_gap_px = 3.0;
  double case_gap_px = 12.0;
  double label_px = 72.0;     // rank labels, left of the time area
  double axis_px = 28.0;      // time axis below the last case
};

struct RowPlace {
  int case_index = 0;
  int rank = 0;
  double top_px = 0.0;
};

class TimelineLayout {
 public:
  TimelineLayout() = default;
  // ranks_per_case[i]: rows of case i.
  TimelineLayout(const std::vector<int>& ranks_per_case, LayoutMetrics m = {});

  const LayoutMetrics& metrics() const { return m_; }
  const std::vector<RowPlace>& rows() const { return rows_; }
  double case_top_px(int case_index) const { return case_tops_[case_index]; }
  double axis_top_px() const { return axis_top_; }
  double height_px() const { return axis_top_ + m_.axis_px; }
  // The row whose band contains y, if any.
  std::optional<RowPlace> row_at(double y_px) const;

 private:
  LayoutMetrics m_;
  std::vector<RowPlace> rows_;
  std::vector<double> case_tops_;
  double axis_top_ = 0.0;
};

struct Hit {
  int case_index = 0;
  int rank = 0;
  std::size_t op_index = 0;
};

// The operation under (x_px, y_px), or nothing over idle time, labels or gaps.
std::optional<Hit> hit_test(const std::vector<ExperimentCase>& cases, const TimelineLayout& layout,
                            const TimeAxis& axis, double x_px, double y_px);

// The latest end time over all cases, in microseconds (the span a fit-to-window shows).
double longest_makespan_us(const std::vector<ExperimentCase>& cases);

}  // namespace llmsim::gui
