#include "gui/timeline_layout.hpp"

#include <algorithm>

namespace llmsim::gui {

TimelineLayout::TimelineLayout(const std::vector<int>& ranks_per_case, LayoutMetrics m) : m_(m) {
  double y = m_.top_px;
  for (std::size_t c = 0; c < ranks_per_case.size(); ++c) {
    case_tops_.push_back(y);
    y += m_.title_px;
    for (int r = 0; r < ranks_per_case[c]; ++r) {
      rows_.push_back(RowPlace{static_cast<int>(c), r, y});
      y += m_.row_px + m_.row_gap_px;
    }
    y += m_.case_gap_px;
  }
  axis_top_ = y;
}

std::optional<RowPlace> TimelineLayout::row_at(double y_px) const {
  // Rows are sorted by top: find the last row starting at or above y.
  auto it = std::upper_bound(rows_.begin(), rows_.end(), y_px,
                             [](double y, const RowPlace& r) { return y < r.top_px; });
  if (it == rows_.begin()) return std::nullopt;
  --it;
  if (y_px >= it->top_px + m_.row_px) return std::nullopt;  // in a gap or the title band
  return *it;
}

std::optional<Hit> hit_test(const std::vector<ExperimentCase>& cases, const TimelineLayout& layout,
                            const TimeAxis& axis, double x_px, double y_px) {
  if (x_px < axis.left_px()) return std::nullopt;
  const auto row = layout.row_at(y_px);
  if (!row || row->case_index >= static_cast<int>(cases.size())) return std::nullopt;
  const auto& timing = cases[row->case_index].result.timing;
  if (row->rank >= static_cast<int>(timing.size())) return std::nullopt;
  const auto& ops = timing[row->rank];
  const double t_us = axis.to_us(x_px);
  // Ops on a rank are sequential: the candidate is the last one starting at or before t.
  auto it = std::upper_bound(ops.begin(), ops.end(), t_us,
                             [](double t, const OpTiming& o) { return t < o.start.us(); });
  if (it == ops.begin()) return std::nullopt;
  --it;
  if (t_us >= it->end.us()) return std::nullopt;
  return Hit{row->case_index, row->rank, static_cast<std::size_t>(it - ops.begin())};
}

double longest_makespan_us(const std::vector<ExperimentCase>& cases) {
  double m = 0.0;
  for (const auto& c : cases) m = std::max(m, c.result.makespan.us());
  return m;
}

}  // namespace llmsim::gui
