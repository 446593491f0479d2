#include "gui/serving_view.hpp"

#include <algorithm>
#include <cmath>

namespace llmsim::gui {

ServingCurve serving_curve(const std::string& label, const ServingEstimate& e,
                           const LatencyTargets& targets) {
  ServingCurve c;
  c.label = label;
  for (const ServedRequest& r : e.run.requests) {
    c.ttft_s.push_back(r.first_token_s - r.arrival_s);
    if (r.output > 1) {
      c.tpot_s.push_back((r.finish_s - r.first_token_s) / static_cast<double>(r.output - 1));
    }
  }
  std::sort(c.ttft_s.begin(), c.ttft_s.end());
  std::sort(c.tpot_s.begin(), c.tpot_s.end());
  c.targets = targets;
  c.prefill_per_node = e.prefill_input_tokens_per_s_per_node;
  c.decode_per_node = e.decode_output_tokens_per_s_per_node;
  c.nodes_for_daily_volume = e.nodes_for_daily_volume;
  c.usd_per_million_output = e.usd_per_million_output_tokens;
  c.slo_attainment = e.metrics.slo_attainment;
  return c;
}

std::vector<CdfPoint> cdf_points(const std::vector<double>& sorted, std::size_t max_points) {
  std::vector<CdfPoint> out;
  const std::size_t n = sorted.size();
  if (n == 0 || max_points < 2) return out;
  const std::size_t step = std::max<std::size_t>(1, n / max_points);
  for (std::size_t i = 0; i < n; i += step) {
    out.push_back({sorted[i], static_cast<double>(i + 1) / static_cast<double>(n)});
  }
  if (out.back().share < 1.0) out.push_back({sorted.back(), 1.0});
  return out;
}

double latency_axis_end(const std::vector<ServingCurve>& curves, bool tpot) {
  double end = 0.0;
  for (const ServingCurve& c : curves) {
    const std::vector<double>& v = tpot ? c.tpot_s : c.ttft_s;
    if (!v.empty()) {
      const auto i = static_cast<std::size_t>(std::floor(0.99 * static_cast<double>(v.size() - 1)));
      end = std::max(end, v[i]);
    }
    end = std::max(end, tpot ? c.targets.tpot_s : c.targets.ttft_s);
  }
  return end > 0.0 ? 1.1 * end : 1.0;
}

}  // namespace llmsim::gui
