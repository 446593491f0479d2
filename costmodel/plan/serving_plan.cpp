#include "costmodel/plan/serving_plan.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/serving/traffic.hpp"
#include "sim/check.hpp"

namespace llmsim::plan {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
// As serving_estimate.cpp sizes capacity: 90% of requests within the targets, the first and
// last 10% (warm-up, drain) left out.
constexpr double kAttainment = 0.90;
constexpr double kSkip = 0.10;

// $/M at three significant digits, as printed: candidates this close tie on cost.
double rounded(double usd) {
  if (usd <= 0.0) return usd;
  const double scale = std::pow(10.0, 2 - std::floor(std::log10(usd)));
  return std::round(usd * scale) / scale;
}

// The traffic's output tokens per second as offered (the same for every candidate).
double offered_output_tokens_per_s(const ServingTraffic& t) {
  const std::vector<ServingRequest> rs = make_requests(t);
  if (rs.empty()) return 1e-9;
  double out = 0.0;
  for (const ServingRequest& r : rs) out += static_cast<double>(r.output);
  return out / std::max(rs.back().arrival_s, 1e-9);
}

ServingOutcome evaluate(const Hardware& h, const calibration::Profile& profile,
                        const ServingCandidate& c) {
  ServingOutcome o;
  const Scenario s = serving_candidate_scenario(h, c);
  o.usd_per_hour = s.usd_per_gpu_hour * c.nodes * s.cluster.gpus_per_node;
  DeploymentLayout l;
  try {
    l = layout_deployment(s.serving.deployments.front(), s.model, s.cluster, s.gpu);
  } catch (const UserError& e) {
    o.pruned = true;
    o.reason = e.what();
    return o;
  }
  o.gpus = l.gpus;
  o.dp = l.dp;
  o.weight_gib = l.weight_bytes / kGiB;
  o.kv_tokens_per_rank = l.kv_tokens_per_rank;
  const ServingTraffic& t = s.serving.traffic;
  const double one_request = t.prompt_tokens + t.output_tokens;
  if (static_cast<double>(l.kv_tokens_per_rank) < one_request) {
    o.pruned = true;
    o.reason = fmt::format("weights {:.1f} GiB/GPU leave KV cache for {} tokens per rank, fewer "
                           "than one mean request ({:.0f})",
                           o.weight_gib, l.kv_tokens_per_rank, one_request);
    return o;
  }
  ServingOptions so;
  so.max_spans = 0;
  so.capacity = false;
  ServingEstimate e = estimate_serving(s, profile, so);
  // Missing the targets at the scenario's own load: no capacity search (it would halve the
  // load twenty times), the candidate cannot serve the traffic.
  const bool at_load = measure(e.run, s.serving.targets, kSkip).slo_attainment >= kAttainment;
  if (at_load) {
    so.capacity = true;
    e = estimate_serving(s, profile, so);
  }
  o.ttft_p90 = e.metrics.ttft_s.p90;
  o.tpot_p90 = e.metrics.tpot_s.p90;
  o.ttft_p99 = e.metrics.ttft_s.p99;
  o.tpot_p99 = e.metrics.tpot_s.p99;
  o.attainment = e.metrics.slo_attainment;
  if (!e.capacity.empty()) o.rate_scale = e.capacity.front().rate_scale;
  o.meets = at_load && o.rate_scale >= 1.0;
  o.usd_per_m_output = e.usd_per_million_output_tokens;
  o.usd_per_m_at_load = o.usd_per_hour / 3600.0 / offered_output_tokens_per_s(t) * 1e6;
  return o;
}

}  // namespace

ServingSpace default_serving_space(const Scenario& s) {
  ServingSpace sp;
  for (int tp = 1; tp <= s.cluster.gpus_per_node; tp *= 2) sp.tp.push_back(tp);
  sp.ep = {0};
  sp.nodes = {1, 2, 4};
  sp.max_batch = {64, 128, 256};
  return sp;
}

std::vector<ServingCandidate> generate_serving_candidates(const ServingSpace& space,
                                                          const std::vector<Hardware>& hardware) {
  std::vector<ServingCandidate> out;
  for (std::size_t h = 0; h < hardware.size(); ++h) {
    const Scenario& s = hardware[h].scenario;
    const bool moe = s.model.moe.enabled();
    for (int nodes : space.nodes) {
      for (int tp : space.tp) {
        if (tp > s.cluster.gpus_per_node || s.cluster.gpus_per_node % tp != 0) continue;
        for (int ep : moe ? space.ep : std::vector<int>{0}) {
          if (ep > nodes * s.cluster.gpus_per_node) continue;
          for (int batch : space.max_batch) {
            ServingCandidate c{h, hardware[h].gpu, tp, ep, nodes, batch, ""};
            const int dp = nodes * s.cluster.gpus_per_node / tp;
            c.key = fmt::format("{} {} node{} TP{} DP{}{} batch {}", c.gpu, nodes,
                                nodes == 1 ? "" : "s", tp, dp,
                                moe ? (ep == 0 ? " EP all" : fmt::format(" EP{}", ep)) : "", batch);
            out.push_back(std::move(c));
          }
        }
      }
    }
  }
  return out;
}

Scenario serving_candidate_scenario(const Hardware& h, const ServingCandidate& c) {
  Scenario s = h.scenario;
  ServingDeployment d = s.serving.deployments.front();
  d.role = "colocated";
  d.nodes = c.nodes;
  d.tp = c.tp;
  d.ep = c.ep;
  d.scheduler.max_batch = c.max_batch;
  s.serving.deployments = {d};
  s.cluster.nodes = c.nodes;
  if (s.cluster.topology == TopologyKind::kSingleNode && c.nodes > 1) {
    s.cluster.topology = TopologyKind::kRailOptimized;
  }
  return s;
}

std::vector<ServingOutcome> run_serving_search(const std::vector<Hardware>& hardware,
                                               const std::vector<calibration::Profile>& profiles,
                                               const std::vector<ServingCandidate>& candidates,
                                               const ServingSearchOptions& options) {
  std::vector<ServingOutcome> out(candidates.size());
  std::vector<char> done_flags(candidates.size(), 0);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};
  std::mutex mu;
  std::size_t done = 0;
  std::exception_ptr error;
  auto work = [&] {
    while (!stopped) {
      const std::size_t i = next++;
      if (i >= candidates.size()) break;
      if (options.stop && options.stop()) {
        stopped = true;
        break;
      }
      try {
        const ServingCandidate& c = candidates[i];
        out[i] = evaluate(hardware[c.hardware], profiles[c.hardware], c);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(mu);
        if (!error) error = std::current_exception();
        stopped = true;
        break;
      }
      const std::lock_guard<std::mutex> lock(mu);
      done_flags[i] = 1;
      ++done;
      if (options.progress) options.progress(done);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, options.threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  // Outcomes up to the first unfinished candidate: a stopped search keeps a prefix.
  std::size_t prefix = 0;
  while (prefix < out.size() && done_flags[prefix]) ++prefix;
  out.resize(prefix);
  return out;
}

std::vector<std::size_t> rank_serving(const std::vector<ServingCandidate>& candidates,
                                      const std::vector<ServingOutcome>& outcomes, bool by_nodes) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].pruned && outcomes[i].meets) order.push_back(i);
  }
  auto key = [&](std::size_t i) {
    const ServingOutcome& o = outcomes[i];
    const double load = rounded(o.usd_per_m_at_load), cap = rounded(o.usd_per_m_output);
    const double nodes = candidates[i].nodes;
    return by_nodes ? std::tuple(nodes, load, cap, i) : std::tuple(load, cap, nodes, i);
  };
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  return order;
}

std::string serving_loss_reason(const ServingOutcome& o, const ServingCandidate& c,
                                const ServingOutcome& best, const ServingCandidate& best_c,
                                const Scenario& s, bool by_nodes) {
  if (o.pruned) return "does not fit: " + o.reason;
  if (!o.meets) {
    const LatencyTargets& t = s.serving.targets;
    std::vector<std::string> misses;
    if (t.ttft_s > 0 && o.ttft_p90 > t.ttft_s) {
      misses.push_back(fmt::format("misses TTFT (p90 {:.3f} s > {:g} s)", o.ttft_p90, t.ttft_s));
    }
    if (t.tpot_s > 0 && o.tpot_p90 > t.tpot_s) {
      misses.push_back(fmt::format("misses TPOT (p90 {:.4f} s > {:g} s)", o.tpot_p90, t.tpot_s));
    }
    std::string text;
    for (const auto& m : misses) text += (text.empty() ? "" : ", ") + m;
    if (text.empty()) text = "misses TTFT and TPOT together";
    return fmt::format("{}: {:.1f}% of requests within both targets at the scenario's load, "
                       "under 90%", text, 100 * o.attainment);
  }
  const std::string nodes = fmt::format("more nodes ({} vs {})", c.nodes, best_c.nodes);
  if (by_nodes && c.nodes > best_c.nodes) return nodes;
  if (rounded(o.usd_per_m_at_load) > rounded(best.usd_per_m_at_load)) {
    return fmt::format("higher $/M at the scenario's load (${:.3f} vs ${:.3f}, ${:g} vs ${:g} "
                       "per hour){}",
                       o.usd_per_m_at_load, best.usd_per_m_at_load, o.usd_per_hour,
                       best.usd_per_hour, c.nodes > best_c.nodes ? ": " + nodes : "");
  }
  if (rounded(o.usd_per_m_output) > rounded(best.usd_per_m_output)) {
    return fmt::format("same cost at the load, higher $/M at capacity (${:.3f} vs ${:.3f}: "
                       "less headroom, {:.2f}x vs {:.2f}x the load)",
                       o.usd_per_m_output, best.usd_per_m_output, o.rate_scale, best.rate_scale);
  }
  if (c.nodes > best_c.nodes) return nodes;
  return "ties the best; later in the search order";
}

}  // namespace llmsim::plan
