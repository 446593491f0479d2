#pragma once
// TimelineLayout: where each compared case and each of its rank rows sits vertically, and
// which operation lies under a point. Plain C++ without Qt, shared by the widget, the
// offscreen renderer and the tests. The time axis sits at the top, pinned: cases stack
// below it. A folded case shows one summary row (all its ranks overlaid); hidden ranks get
// no row.

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
  double axis_px = 28.0;      // time axis above the first case
};

// What rows a case shows.
struct CaseRows {
  int ranks = 0;
  bool folded = false;       // one summary row for all ranks
  std::vector<int> hidden;   // ranks without a row (unfolded cases only)
};

struct RowPlace {
  int case_index = 0;
  int rank = 0;          // the first rank of a summary row
  double top_px = 0.0;
  bool summary = false;  // a folded case's one row: every rank of the case
};

class TimelineLayout {
 public:
  TimelineLayout() = default;
  // ranks_per_case[i]: rows of case i.
  TimelineLayout(const std::vector<int>& ranks_per_case, LayoutMetrics m = {});
  TimelineLayout(const std::vector<CaseRows>& cases, LayoutMetrics m);

  const LayoutMetrics& metrics() const { return m_; }
  const std::vector<RowPlace>& rows() const { return rows_; }
  double case_top_px(int case_index) const { return case_tops_[case_index]; }
  double axis_top_px() const { return m_.top_px; }
  double height_px() const { return bottom_; }
  // The row whose band contains y, if any.
  std::optional<RowPlace> row_at(double y_px) const;
  // The row that shows `rank` of a case (its summary row when folded), none when hidden.
  std::optional<RowPlace> row_of(int case_index, int rank) const;

 private:
  LayoutMetrics m_;
  std::vector<RowPlace> rows_;
  std::vector<double> case_tops_;
  std::vector<std::vector<int>> row_index_;  // [case][rank]: index into rows_, -1 hidden
  double bottom_ = 0.0;
};

// `base` with rows as tall as they can be, at most max_row_px and at least 2 px, so that
// `cases` with `rows` rows in all fit in height_px (titles, gaps and the axis included).
LayoutMetrics fit_rows(LayoutMetrics base, int cases, int rows, double height_px,
                       double max_row_px);

struct Hit {
  int case_index = 0;
  int rank = 0;
  std::size_t op_index = 0;
  friend bool operator==(const Hit&, const Hit&) = default;
};

// The operation under (x_px, y_px), or nothing over idle time, labels or gaps. On a summary
// row, the lowest rank with an op there.
std::optional<Hit> hit_test(const std::vector<ExperimentCase>& cases, const TimelineLayout& layout,
                            const TimeAxis& axis, double x_px, double y_px);

// The op of `timing` (one rank, sorted by start) running at t_us, if any.
std::optional<std::size_t> op_at(const std::vector<OpTiming>& timing, double t_us);

// The latest end time over all cases, in microseconds (the span a fit-to-window shows).
double longest_makespan_us(const std::vector<ExperimentCase>& cases);

}  // namespace llmsim::gui
