#include "costmodel/estimate/serving/serving_estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "costmodel/estimate/serving/iteration_model.hpp"
#include "costmodel/estimate/serving/traffic.hpp"
#include "costmodel/time/operator_timer.hpp"
#include "sim/check.hpp"

namespace llmsim {

namespace {

// DistServe (Zhong et al. OSDI 2024) sizes a deployment at 90% SLO attainment.
constexpr double kAttainment = 0.90;
constexpr double kSkip = 0.10;        // warm-up and drain left out of the attainment
constexpr int kBisections = 8;        // capacity to within a factor 2^(1/256), 0.3%
constexpr double kMaxScale = 1 << 20;
// Serving stacks all-reduce up to 8 MiB inside a node in their own one-shot / two-shot
// kernels, not NCCL: vLLM's CustomAllreduce(max_size=8192 * 1024), world sizes 2, 4, 6, 8
// (vllm/distributed/device_communicators/custom_all_reduce.py); SGLang carries the same kernel.
constexpr double kCustomAllReduceBytes = 8192.0 * 1024.0;
const char* kCustomAllReduceNote =
    "serving: tensor-parallel all-reduces of at most 8 MiB inside a node run in the serving "
    "stack's own kernel (vLLM's CustomAllreduce, max_size 8 MiB), at the links' rates without "
    "NCCL's overhead; larger ones go through NCCL";

// Everything a simulation needs: layouts, a timer per deployment (each on its own cut of the
// cluster), the iteration models, and a timer on the whole cluster for KV transfers.
struct Bench {
  std::vector<DeploymentLayout> layouts;
  std::vector<std::unique_ptr<OperatorTimer>> timers;
  std::vector<std::unique_ptr<IterationModel>> models;
  ClusterSpec network_cluster;
  std::unique_ptr<OperatorTimer> network;

  Bench(const Scenario& s, const calibration::Profile& profile) {
    for (const ServingDeployment& d : s.serving.deployments) {
      layouts.push_back(layout_deployment(d, s.model, s.cluster, s.gpu));
    }
    for (const DeploymentLayout& l : layouts) {  // layouts no longer move
      timers.push_back(std::make_unique<OperatorTimer>(profile, l.cluster));
      timers.back()->set_custom_all_reduce_limit(kCustomAllReduceBytes, kCustomAllReduceNote);
      models.push_back(std::make_unique<IterationModel>(l, s.model, *timers.back()));
    }
    network_cluster = s.cluster;
    network_cluster.nodes = std::max(2, s.cluster.nodes);
    network = std::make_unique<OperatorTimer>(profile, network_cluster);
  }

  ServingRun simulate(const std::vector<ServingRequest>& requests, ServingPath path,
                      std::size_t max_spans,
                      std::function<void(std::size_t)> progress = nullptr) {
    std::vector<DeploymentLayout> ls;
    std::vector<IterationModel*> ms;
    const std::size_t first = path == ServingPath::kDecodeOnly ? layouts.size() - 1 : 0;
    const std::size_t last = path == ServingPath::kPrefillOnly ? 1 : layouts.size();
    for (std::size_t i = first; i < last; ++i) {
      ls.push_back(layouts[i]);
      ms.push_back(models[i].get());
    }
    ServingSimOptions o;
    o.path = path;
    o.max_spans = max_spans;
    o.progress = std::move(progress);
    return simulate_serving(requests, ls, ms, *network, o);
  }
};

double mean_of(const std::vector<ServingRequest>& rs, std::int64_t ServingRequest::*field) {
  double sum = 0.0;
  for (const ServingRequest& r : rs) sum += static_cast<double>(r.*field);
  return rs.empty() ? 0.0 : sum / static_cast<double>(rs.size());
}

struct Trial {
  bool meets = false;
  ServingMetrics metrics;
  DeploymentActivity activity;
  double input_tokens_per_s = 0.0;   // offered: arrival rate x mean prompt
  double output_tokens_per_s = 0.0;
};

Trial try_load(Bench& b, const Scenario& s, const ServingTraffic& traffic, ServingPath path,
               double scale) {
  const std::vector<ServingRequest> rs = make_requests(traffic, scale);
  const ServingRun run = b.simulate(rs, path, 0);
  Trial t;
  t.metrics = measure(run, s.serving.targets, kSkip);
  t.activity = run.deployments.front();
  t.meets = t.metrics.slo_attainment >= kAttainment;
  const double span = std::max(rs.back().arrival_s, 1e-9);
  const double rate = static_cast<double>(rs.size()) / span;
  t.input_tokens_per_s = rate * mean_of(rs, &ServingRequest::prompt);
  // A decode deployment generates all but the first token (the prefill's).
  const double first = path == ServingPath::kDecodeOnly ? 1.0 : 0.0;
  t.output_tokens_per_s = rate * (mean_of(rs, &ServingRequest::output) - first);
  return t;
}

// The largest load (x the scenario's rate) at which the path meets the targets: doubling or
// halving from the scenario's own load to a bracket, then geometric bisection.
DeploymentCapacity search_capacity(Bench& b, const Scenario& s, const ServingTraffic& traffic,
                                   ServingPath path, const DeploymentLayout& layout,
                                   const ServingOptions& o) {
  std::size_t step = 0;
  const std::size_t steps = 20 + kBisections;
  auto trial = [&](double scale) {
    if (o.progress) o.progress(fmt::format("capacity of {}", layout.deployment.name), ++step, steps);
    return try_load(b, s, traffic, path, scale);
  };
  double lo = 0.0, hi = 0.0;
  Trial best = trial(1.0), t;
  if (best.meets) {
    lo = 1.0;
    for (hi = 2.0; hi <= kMaxScale && (t = trial(hi)).meets; hi *= 2.0) lo = hi, best = t;
  } else {
    hi = 1.0;
    for (lo = 0.5; lo >= 1.0 / kMaxScale && !(t = trial(lo)).meets; lo /= 2.0) hi = lo;
    best = t;
  }
  DeploymentCapacity c;
  c.name = layout.deployment.name;
  c.role = layout.deployment.role;
  c.nodes = layout.deployment.nodes;
  c.bounded = hi <= kMaxScale && lo >= 1.0 / kMaxScale;
  for (int i = 0; c.bounded && i < kBisections; ++i) {
    const double mid = std::sqrt(lo * hi);
    t = trial(mid);
    if (t.meets) lo = mid, best = t;
    else hi = mid;
  }
  c.metrics = best.metrics;
  c.activity = best.activity;
  if (!best.meets) return c;  // not even at 1 / 2^20 of the load: no capacity
  c.rate_scale = lo;
  c.input_tokens_per_s_per_node = best.input_tokens_per_s / c.nodes;
  c.output_tokens_per_s_per_node = best.output_tokens_per_s / c.nodes;
  return c;
}

// A capacity measured on a run too short for a steady state overstates it (the batch is still
// filling): with synthetic traffic the search runs again with at least kSteadyFactor times
// the requests in the system at capacity; a trace keeps its length and says so.
constexpr double kSteadyFactor = 15.0;
constexpr std::int64_t kMaxCapacityRequests = 2'000'000;

DeploymentCapacity steady_capacity(Bench& b, const Scenario& s, ServingPath path,
                                   const DeploymentLayout& layout, const ServingOptions& o,
                                   std::vector<std::string>& notes) {
  ServingTraffic traffic = s.serving.traffic;
  DeploymentCapacity c = search_capacity(b, s, traffic, path, layout, o);
  const double wanted = std::ceil(kSteadyFactor * c.metrics.mean_in_system);
  if (static_cast<double>(traffic.requests) >= wanted) return c;
  if (traffic.arrivals == "trace" || traffic.requests >= kMaxCapacityRequests) {
    notes.push_back(fmt::format(
        "{}: capacity measured on {} requests, fewer than {:.0f} x the {:.0f} in the system at "
        "capacity: the run may end before a steady state, and the capacity be overstated",
        layout.deployment.name, traffic.requests, kSteadyFactor, c.metrics.mean_in_system));
    return c;
  }
  traffic.requests = std::min(kMaxCapacityRequests, static_cast<std::int64_t>(wanted));
  notes.push_back(fmt::format("{}: capacity searched with {} requests ({:.0f} x the {:.0f} in "
                              "the system at capacity), not the scenario's {}, for a steady state",
                              layout.deployment.name, traffic.requests, kSteadyFactor,
                              c.metrics.mean_in_system, s.serving.traffic.requests));
  return search_capacity(b, s, traffic, path, layout, o);
}

void add_capacities(Bench& b, const Scenario& s, const ServingOptions& o, ServingEstimate& e) {
  if (s.serving.targets.ttft_s <= 0.0 && s.serving.targets.tpot_s <= 0.0) {
    e.notes.push_back("no latency targets (serving.targets): capacity, nodes for the daily volume "
                      "and prices per token are not estimated");
    return;
  }
  if (s.serving.disaggregated()) {
    e.capacity.push_back(steady_capacity(b, s, ServingPath::kPrefillOnly, b.layouts.front(), o, e.notes));
    e.capacity.push_back(steady_capacity(b, s, ServingPath::kDecodeOnly, b.layouts.back(), o, e.notes));
    e.prefill_input_tokens_per_s_per_node = e.capacity.front().input_tokens_per_s_per_node;
    e.decode_output_tokens_per_s_per_node = e.capacity.back().output_tokens_per_s_per_node;
  } else {
    e.capacity.push_back(steady_capacity(b, s, ServingPath::kFull, b.layouts.front(), o, e.notes));
    e.prefill_input_tokens_per_s_per_node = e.capacity.front().input_tokens_per_s_per_node;
    e.decode_output_tokens_per_s_per_node = e.capacity.front().output_tokens_per_s_per_node;
  }
}

double per_million(double usd_per_node_s, double tokens_per_node_s) {
  return tokens_per_node_s > 0.0 ? usd_per_node_s / tokens_per_node_s * 1e6 : 0.0;
}

void add_money(const Scenario& s, ServingEstimate& e) {
  const ServingWorkload& w = s.serving;
  const double usd_per_node_s = s.usd_per_gpu_hour * s.cluster.gpus_per_node / 3600.0;
  e.usd_per_million_output_tokens = per_million(usd_per_node_s, e.decode_output_tokens_per_s_per_node);
  if (w.disaggregated()) {
    e.usd_per_million_input_tokens = per_million(usd_per_node_s, e.prefill_input_tokens_per_s_per_node);
  }
  const double in_rate = w.daily.input_tokens / 86400.0, out_rate = w.daily.output_tokens / 86400.0;
  if (e.prefill_input_tokens_per_s_per_node > 0.0 && e.decode_output_tokens_per_s_per_node > 0.0) {
    if (w.disaggregated()) {
      e.prefill_nodes_for_daily_volume = in_rate / e.prefill_input_tokens_per_s_per_node;
      e.decode_nodes_for_daily_volume = out_rate / e.decode_output_tokens_per_s_per_node;
      e.nodes_for_daily_volume = e.prefill_nodes_for_daily_volume + e.decode_nodes_for_daily_volume;
    } else {
      e.nodes_for_daily_volume = std::max(in_rate / e.prefill_input_tokens_per_s_per_node,
                                          out_rate / e.decode_output_tokens_per_s_per_node);
    }
  }
  e.cost_per_day_usd = e.nodes_for_daily_volume * usd_per_node_s * 86400.0;
  const double hit = w.traffic.cache_hit_rate;
  e.revenue_per_day_usd = (w.daily.input_tokens * hit * w.prices.usd_per_m_input_cache_hit +
                           w.daily.input_tokens * (1.0 - hit) * w.prices.usd_per_m_input_cache_miss +
                           w.daily.output_tokens * w.prices.usd_per_m_output) / 1e6;
}

bool contains_text(std::string hay, std::string needle) {
  for (auto* t : {&hay, &needle}) {
    std::transform(t->begin(), t->end(), t->begin(), [](unsigned char c) { return std::tolower(c); });
  }
  return hay.find(needle) != std::string::npos;
}

void add_notes(const Scenario& s, const calibration::Profile& profile, Bench& b, ServingEstimate& e) {
  if (!contains_text(profile.gpu, s.gpu.name) || profile.gpu.size() != s.gpu.name.size()) {
    e.notes.push_back(fmt::format(
        "kernel profile {} was made for {} (allow_profile_mismatch): operators on the {} are "
        "timed with that device's peaks and efficiencies",
        profile.name, profile.device, s.gpu.name));
  }
  e.notes.insert(e.notes.end(), profile.notes.begin(), profile.notes.end());
  e.notes.push_back(fmt::format(
      "capacity: the largest load at which {:.0f}% of requests meet the latency targets "
      "(DistServe's SLO attainment), the first and last {:.0f}% of requests (warm-up, drain) "
      "left out; disaggregated deployments are sized alone",
      100 * kAttainment, 100 * kSkip));
  for (const DeploymentLayout& l : b.layouts) e.notes.push_back(l.deployment.name + ": " + l.kv_note);
  const ServingDeployment& last = b.layouts.back().deployment;
  if (last.mtp_depth > 0) {
    e.notes.push_back(fmt::format(
        "{}: MTP speculative decoding: every step verifies {} drafted token(s) and yields the "
        "expected 1 + a + a^2 + ... tokens per sequence (a = {:g}), not a per-request draw",
        last.name, last.mtp_depth, last.mtp_acceptance));
  }
  if (s.serving.disaggregated()) {
    e.notes.push_back(
        "disaggregated: a request's KV cache goes from the prefill to the decode deployment as "
        "one transfer from a GPU to a GPU of another node, timed by the network model (a line "
        "through 1 MiB and 256 MiB); the decode deployment admits a request only with blocks for "
        "its whole output, so it never preempts");
  } else {
    e.notes.push_back("colocated: KV blocks are allocated as sequences grow; when none is free, "
                      "the most recently admitted sequence is preempted and later recomputed "
                      "(vLLM's recompute preemption)");
  }
  auto add = [&](const std::vector<std::string>& from) {
    for (const std::string& n : from) {
      if (std::find(e.notes.begin(), e.notes.end(), n) == e.notes.end()) e.notes.push_back(n);
    }
  };
  for (const auto& m : b.models) add(m->notes());
  for (const auto& t : b.timers) add(t->notes());
}

FullBatchDecode full_batch(Bench& b, const std::vector<ServingRequest>& requests) {
  const DeploymentLayout& l = b.layouts.back();
  FullBatchDecode f;
  f.deployment = l.deployment.name;
  f.batch_per_rank = l.deployment.scheduler.max_batch;
  f.kv_tokens = mean_of(requests, &ServingRequest::prompt) + mean_of(requests, &ServingRequest::output) / 2.0;
  IterationLoad load;
  load.decode_seqs = f.batch_per_rank;
  load.decode_kv = f.kv_tokens;
  f.iteration = b.models.back()->time(load);
  double accepted = 1.0, tokens = 1.0;  // per step, MTP drafts accepted in a chain
  for (int i = 1; i <= l.deployment.mtp_depth; ++i) tokens += (accepted *= l.deployment.mtp_acceptance);
  f.tokens_per_s_per_user = tokens / f.iteration.seconds;
  f.tokens_per_s_per_node = f.tokens_per_s_per_user * f.batch_per_rank * l.ranks_per_unit * l.units /
                            l.deployment.nodes;
  return f;
}

}  // namespace

ServingEstimate estimate_serving(const Scenario& s, const calibration::Profile& profile,
                                 const ServingOptions& options) {
  if (s.workload != WorkloadKind::kServing) {
    throw UserError(fmt::format("{}: a training scenario; the serving estimate needs `serving:` "
                                "(deployments and traffic)", s.file));
  }
  Bench b(s, profile);
  ServingEstimate e;
  e.layouts = b.layouts;
  const std::vector<ServingRequest> requests = make_requests(s.serving.traffic);
  std::function<void(std::size_t)> progress;
  if (options.progress) {
    progress = [&](std::size_t done) { options.progress("the scenario's traffic", done, requests.size()); };
  }
  e.run = b.simulate(requests, ServingPath::kFull, options.max_spans, progress);
  e.metrics = measure(e.run, s.serving.targets);
  e.full_batch = full_batch(b, requests);
  if (options.capacity) add_capacities(b, s, options, e);
  add_money(s, e);
  add_notes(s, profile, b, e);
  return e;
}

}  // namespace llmsim
