#include "gui/timeline_layout.hpp"

#include <algorithm>

namespace llmsim::gui {

namespace {

std::vector<CaseRows> plain_rows(const std::vector<int>& ranks_per_case) {
  std::vector<CaseRows> out;
  for (int r : ranks_per_case) out.push_back(CaseRows{r, false, {}});
  return out;
}

}  // namespace

TimelineLayout::TimelineLayout(const std::vector<int>& ranks_per_case, LayoutMetrics m)
    : TimelineLayout(plain_rows(ranks_per_case), m) {}

TimelineLayout::TimelineLayout(const std::vector<CaseRows>& cases, LayoutMetrics m) : m_(m) {
  double y = m_.top_px + m_.axis_px;
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const CaseRows& cr = cases[c];
    case_tops_.push_back(y);
    y += m_.title_px;
    auto& index = row_index_.emplace_back(static_cast<std::size_t>(std::max(cr.ranks, 0)), -1);
    for (int r = 0; r < cr.ranks; ++r) {
      if (cr.folded && r > 0) {
        index[r] = index[0];
        continue;
      }
      if (!cr.folded && std::find(cr.hidden.begin(), cr.hidden.end(), r) != cr.hidden.end()) {
        continue;
      }
      index[r] = static_cast<int>(rows_.size());
      rows_.push_back(RowPlace{static_cast<int>(c), r, y, cr.folded});
      y += m_.row_px + m_.row_gap_px;
    }
    y += m_.case_gap_px;
  }
  bottom_ = y;
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

std::optional<RowPlace> TimelineLayout::row_of(int case_index, int rank) const {
  if (case_index < 0 || case_index >= static_cast<int>(row_index_.size())) return std::nullopt;
  const auto& index = row_index_[case_index];
  if (rank < 0 || rank >= static_cast<int>(index.size()) || index[rank] < 0) return std::nullopt;
  return rows_[index[rank]];
}

LayoutMetrics fit_rows(LayoutMetrics base, int cases, int rows, double height_px,
                       double max_row_px) {
  const double fixed = base.top_px + base.axis_px + cases * (base.title_px + base.case_gap_px);
  const double per_row = rows > 0 ? (height_px - fixed) / rows : max_row_px;
  base.row_gap_px = per_row >= 14.0 ? 3.0 : 1.0;
  base.row_px = std::clamp(per_row - base.row_gap_px, 2.0, max_row_px);
  return base;
}

std::optional<std::size_t> op_at(const std::vector<OpTiming>& timing, double t_us) {
  // Ops on a rank are sequential: the candidate is the last one starting at or before t.
  auto it = std::upper_bound(timing.begin(), timing.end(), t_us,
                             [](double t, const OpTiming& o) { return t < o.start.us(); });
  if (it == timing.begin()) return std::nullopt;
  --it;
  if (t_us >= it->end.us()) return std::nullopt;
  return static_cast<std::size_t>(it - timing.begin());
}

std::optional<Hit> hit_test(const std::vector<ExperimentCase>& cases, const TimelineLayout& layout,
                            const TimeAxis& axis, double x_px, double y_px) {
  if (x_px < axis.left_px()) return std::nullopt;
  const auto row = layout.row_at(y_px);
  if (!row || row->case_index >= static_cast<int>(cases.size())) return std::nullopt;
  const auto& timing = cases[row->case_index].result.timing;
  const double t_us = axis.to_us(x_px);
  const int last = row->summary ? static_cast<int>(timing.size()) - 1 : row->rank;
  for (int r = row->rank; r <= last && r < static_cast<int>(timing.size()); ++r) {
    if (const auto i = op_at(timing[r], t_us)) return Hit{row->case_index, r, *i};
  }
  return std::nullopt;
}

double longest_makespan_us(const std::vector<ExperimentCase>& cases) {
  double m = 0.0;
  for (const auto& c : cases) m = std::max(m, c.result.makespan.us());
  return m;
}

}  // namespace llmsim::gui
