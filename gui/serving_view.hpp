#pragma once
// The serving view's data, Qt-free: one curve per compared case (its TTFT and TPOT
// distributions, sorted, and its capacity figures), cumulative-distribution points for
// drawing, and the axes' extents.

#include <cstddef>
#include <string>
#include <vector>

#include "costmodel/describe/serving.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"

namespace llmsim::gui {

struct ServingCurve {
  std::string label;
  std::vector<double> ttft_s;  // per request, ascending
  std::vector<double> tpot_s;  // requests with two or more tokens, ascending
  LatencyTargets targets;
  double prefill_per_node = 0.0;  // input tokens/s per node at capacity
  double decode_per_node = 0.0;   // output tokens/s per node at capacity
  double nodes_for_daily_volume = 0.0;
  double usd_per_million_output = 0.0;
  double slo_attainment = 0.0;
};

ServingCurve serving_curve(const std::string& label, const ServingEstimate& e,
                           const LatencyTargets& targets);

// The empirical cumulative distribution of `sorted` as at most `max_points` (value, share)
// points, share rising from 1/n to 1.
struct CdfPoint {
  double value = 0.0;
  double share = 0.0;
};
std::vector<CdfPoint> cdf_points(const std::vector<double>& sorted, std::size_t max_points);

// An axis end for one latency over every curve: the largest 99th percentile and target, with
// 10% headroom (the slowest 1% would squeeze the rest into a corner).
double latency_axis_end(const std::vector<ServingCurve>& curves, bool tpot);

}  // namespace llmsim::gui
