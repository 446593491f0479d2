#include "costmodel/estimate/serving/serving_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace llmsim {

double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  const std::size_t i = std::min(values.size() - 1, rank == 0 ? 0 : rank - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i), values.end());
  return values[i];
}

namespace {

LatencySummary summarize(const std::vector<double>& v) {
  LatencySummary s;
  if (v.empty()) return s;
  double sum = 0.0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  s.p50 = percentile(v, 0.50);
  s.p90 = percentile(v, 0.90);
  s.p99 = percentile(v, 0.99);
  s.max = *std::max_element(v.begin(), v.end());
  return s;
}

bool within(double value, double target) { return target <= 0.0 || value <= target; }

}  // namespace

ServingMetrics measure(const ServingRun& run, const LatencyTargets& targets, double skip) {
  ServingMetrics m;
  m.requests = run.requests.size();
  if (run.requests.empty()) return m;
  std::vector<double> ttft, tpot, e2e;
  double input = 0.0, output = 0.0, good = 0.0, counted = 0.0;
  const auto n = static_cast<double>(run.requests.size());
  const auto from = static_cast<std::size_t>(std::floor(skip * n));
  const auto to = run.requests.size() - from;
  for (std::size_t i = 0; i < run.requests.size(); ++i) {
    const ServedRequest& r = run.requests[i];
    ttft.push_back(r.first_token_s - r.arrival_s);
    e2e.push_back(r.finish_s - r.arrival_s);
    const double t = r.output > 1 ? (r.finish_s - r.first_token_s) / static_cast<double>(r.output - 1) : 0.0;
    if (r.output > 1) tpot.push_back(t);
    if (i >= from && i < to) {
      counted += 1.0;
      good += within(ttft.back(), targets.ttft_s) && within(t, targets.tpot_s) ? 1.0 : 0.0;
    }
    input += static_cast<double>(r.prompt);
    output += static_cast<double>(r.output);
  }
  m.duration_s = run.end_s - run.requests.front().arrival_s;
  const double span = m.duration_s > 0.0 ? m.duration_s : 1.0;
  m.arrival_rate = static_cast<double>(m.requests) / span;
  m.input_tokens_per_s = input / span;
  m.output_tokens_per_s = output / span;
  m.ttft_s = summarize(ttft);
  m.tpot_s = summarize(tpot);
  m.e2e_s = summarize(e2e);
  m.slo_attainment = counted > 0.0 ? good / counted : 0.0;
  m.goodput_rps = m.slo_attainment * m.arrival_rate;
  m.mean_in_system = run.in_system_integral / span;
  m.mean_time_in_system_s = m.e2e_s.mean;
  m.peak_kv_used = run.peak_kv_used;
  m.peak_waiting = run.peak_waiting;
  for (const DeploymentActivity& a : run.deployments) m.preemptions += a.preemptions;
  return m;
}

}  // namespace llmsim
