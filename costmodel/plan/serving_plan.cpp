#include "costmodel/plan/serving_plan.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include <fmt/format.h>

#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/serving/traffic.hpp"
#include "costmodel/plan/serving_store.hpp"
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

// Lays out every deployment of `s`; false (and the outcome pruned, with why) when one does not
// fit or leaves no room for one mean request's KV cache on a rank.
bool lay_out(const Scenario& s, ServingOutcome& o) {
  const ServingTraffic& t = s.serving.traffic;
  const double one_request = t.prompt_tokens + t.output_tokens;
  o.gpus = 0;
  for (const ServingDeployment& d : s.serving.deployments) {
    DeploymentLayout l;
    try {
      l = layout_deployment(d, s.model, s.cluster, s.gpu);
    } catch (const UserError& e) {
      o.pruned = true;
      o.reason = e.what();
      return false;
    }
    // The decode (or colocated) deployment's figures are the ones shown.
    o.gpus += l.gpus;
    o.dp = l.dp;
    o.weight_gib = l.weight_bytes / kGiB;
    o.kv_tokens_per_rank = l.kv_tokens_per_rank;
    if (static_cast<double>(l.kv_tokens_per_rank) < one_request) {
      o.pruned = true;
      o.reason = fmt::format(
          "{}weights {:.1f} GiB/GPU leave KV cache for {} tokens per rank, "
          "fewer than one mean request ({:.0f})",
          s.serving.disaggregated() ? d.role + " pool: " : "", o.weight_gib, l.kv_tokens_per_rank,
          one_request);
      return false;
    }
  }
  return true;
}

ServingOutcome evaluate(const Hardware& h, const calibration::Profile& profile,
                        const ServingCandidate& c) {
  ServingOutcome o;
  const Scenario s = serving_candidate_scenario(h, c);
  o.usd_per_hour = s.usd_per_gpu_hour * c.total_nodes() * s.cluster.gpus_per_node;
  if (!lay_out(s, o)) return o;
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
  if (!e.capacity.empty()) {
    o.rate_scale = e.capacity.front().rate_scale;
    for (const DeploymentCapacity& cap : e.capacity)
      o.rate_scale = std::min(o.rate_scale, cap.rate_scale);
  }
  o.meets = at_load && o.rate_scale >= 1.0;
  o.usd_per_m_output = e.usd_per_million_output_tokens;
  o.usd_per_m_input = e.usd_per_million_input_tokens;
  o.usd_per_m_at_load =
      o.usd_per_hour / 3600.0 / offered_output_tokens_per_s(s.serving.traffic) * 1e6;
  if (!c.disaggregated) {
    o.usd_per_m_at_capacity = o.usd_per_m_output;
  } else if (o.rate_scale > 0.0) {
    o.usd_per_m_at_capacity = o.usd_per_m_at_load / o.rate_scale;
  }
  return o;
}

std::string nodes_text(int n) {
  return fmt::format("{} node{}", n, n == 1 ? "" : "s");
}

std::string ep_text(bool moe, int ep) {
  if (!moe) return "";
  return ep == 0 ? " EP all" : fmt::format(" EP{}", ep);
}

// The key of a candidate, as every output names it.
std::string candidate_key(const ServingCandidate& c, int gpus_per_node, bool moe) {
  if (!c.disaggregated) {
    return fmt::format("{} {} TP{} DP{}{} batch {}", c.gpu, nodes_text(c.nodes), c.tp,
                       c.nodes * gpus_per_node / c.tp, ep_text(moe, c.ep), c.max_batch);
  }
  return fmt::format("{} prefill {} TP{} + decode {} TP{}{} batch {}", c.gpu,
                     nodes_text(c.prefill_nodes), c.prefill_tp, nodes_text(c.nodes), c.tp,
                     ep_text(moe, c.ep), c.max_batch);
}

bool fits_node(int tp, int gpus_per_node) {
  return tp <= gpus_per_node && gpus_per_node % tp == 0;
}

// The disaggregated candidates of one hardware choice, appended to `out`.
void add_disaggregated(const ServingSpace& space, std::size_t h, const Hardware& hw,
                       std::vector<ServingCandidate>& out) {
  const Scenario& s = hw.scenario;
  const int per_node = s.cluster.gpus_per_node;
  const bool moe = s.model.moe.enabled();
  for (int pn : space.prefill_nodes) {
    for (int ptp : space.prefill_tp) {
      if (!fits_node(ptp, per_node)) continue;
      for (int dn : space.decode_nodes) {
        for (int dtp : space.decode_tp) {
          if (!fits_node(dtp, per_node)) continue;
          for (int ep : moe ? space.ep : std::vector<int>{0}) {
            if (ep > std::min(pn, dn) * per_node) continue;
            for (int batch : space.max_batch) {
              ServingCandidate c{h, hw.gpu, dtp, ep, dn, batch, true, pn, ptp, ""};
              c.key = candidate_key(c, per_node, moe);
              out.push_back(std::move(c));
            }
          }
        }
      }
    }
  }
}

void add_colocated(const ServingSpace& space, std::size_t h, const Hardware& hw,
                   std::vector<ServingCandidate>& out) {
  const Scenario& s = hw.scenario;
  const bool moe = s.model.moe.enabled();
  for (int nodes : space.nodes) {
    for (int tp : space.tp) {
      if (!fits_node(tp, s.cluster.gpus_per_node)) continue;
      for (int ep : moe ? space.ep : std::vector<int>{0}) {
        if (ep > nodes * s.cluster.gpus_per_node) continue;
        for (int batch : space.max_batch) {
          ServingCandidate c{h, hw.gpu, tp, ep, nodes, batch, false, 0, 0, ""};
          c.key = candidate_key(c, s.cluster.gpus_per_node, moe);
          out.push_back(std::move(c));
        }
      }
    }
  }
}

// One deployment as a YAML flow mapping that the scenario reader reads back to the same value.
std::string deployment_yaml(const ServingDeployment& d, bool moe) {
  std::string name;
  for (char ch : d.name)
    name += ch == '"' || ch == '\\' ? std::string("\\") + ch : std::string(1, ch);
  std::string y =
      fmt::format("{{name: \"{}\", role: {}, nodes: {}, tp: {}", name, d.role, d.nodes, d.tp);
  if (moe) {
    y += fmt::format(", ep: {}, redundant_experts: {}, expert_imbalance: {}, ep_kernel: {}", d.ep,
                     d.redundant_experts, d.expert_imbalance,
                     d.ep_kernel == EpKernel::kNormal ? "normal" : "low-latency");
  }
  y += fmt::format(", micro_batches: {}, comm_sms: {}", d.micro_batches, d.comm_sms);
  if (d.mtp_depth > 0) {
    y += fmt::format(", mtp: {{depth: {}, acceptance: {}}}", d.mtp_depth, d.mtp_acceptance);
  }
  y += fmt::format(", precision: {{weights: {}, compute: {}, kv_cache: {}}}",
                   precision_name(d.precision.weights), precision_name(d.precision.compute),
                   precision_name(d.precision.kv_cache));
  const ServingScheduler& sc = d.scheduler;
  y += fmt::format(
      ", scheduler: {{max_batch: {}, token_budget: {}, prefill_chunk: {}, "
      "kv_block_tokens: {}, activation_reserve_gib: {}}}}}",
      sc.max_batch, sc.token_budget, sc.prefill_chunk, sc.kv_block_tokens,
      sc.activation_reserve_gib);
  return y;
}

}  // namespace

ServingSpace default_serving_space(const Scenario& s) {
  ServingSpace sp;
  for (int tp = 1; tp <= s.cluster.gpus_per_node; tp *= 2) sp.tp.push_back(tp);
  sp.ep = {0};
  sp.nodes = {1, 2, 4};
  sp.max_batch = {64, 128, 256};
  sp.disaggregate = {false, true};
  sp.prefill_nodes = {1};
  sp.decode_nodes = {1, 2};
  sp.prefill_tp = {sp.tp.back()};
  sp.decode_tp.assign(sp.tp.size() > 2 ? sp.tp.end() - 2 : sp.tp.begin(), sp.tp.end());
  return sp;
}

std::vector<ServingCandidate> generate_serving_candidates(const ServingSpace& space,
                                                          const std::vector<Hardware>& hardware) {
  std::vector<ServingCandidate> out;
  for (std::size_t h = 0; h < hardware.size(); ++h) {
    for (bool disaggregated : space.disaggregate) {
      if (disaggregated) {
        add_disaggregated(space, h, hardware[h], out);
      } else {
        add_colocated(space, h, hardware[h], out);
      }
    }
  }
  return out;
}

Scenario serving_candidate_scenario(const Hardware& h, const ServingCandidate& c) {
  Scenario s = h.scenario;
  const std::vector<ServingDeployment>& base = s.serving.deployments;
  ServingDeployment d = base.front();
  if (!c.disaggregated) {
    d.role = "colocated";
    d.nodes = c.nodes;
    d.tp = c.tp;
    d.ep = c.ep;
    d.scheduler.max_batch = c.max_batch;
    s.serving.deployments = {d};
  } else {
    ServingDeployment p = base.front();
    d = base.back();
    if (!s.serving.disaggregated()) {
      p.name = "prefill";
      p.role = "prefill";
      d.name = "decode";
      d.role = "decode";
      d.ep_kernel = EpKernel::kLowLatency;
    }
    p.nodes = c.prefill_nodes;
    p.tp = c.prefill_tp;
    p.ep = c.ep;
    d.nodes = c.nodes;
    d.tp = c.tp;
    d.ep = c.ep;
    d.scheduler.max_batch = c.max_batch;
    s.serving.deployments = {p, d};
  }
  s.cluster.nodes = c.total_nodes();
  if (s.cluster.topology == TopologyKind::kSingleNode && s.cluster.nodes > 1) {
    s.cluster.topology = TopologyKind::kRailOptimized;
  }
  return s;
}

std::vector<std::string> serving_candidate_sets(const Scenario& base, const ServingCandidate& c) {
  std::vector<std::string> sets;
  if (c.total_nodes() != base.cluster.nodes) {
    sets.push_back(fmt::format("cluster.nodes={}", c.total_nodes()));
    if (base.cluster.topology == TopologyKind::kSingleNode) {
      sets.emplace_back("cluster.topology=rail-optimized");
    }
  }
  const bool moe = base.model.moe.enabled();
  if (!c.disaggregated && !base.serving.disaggregated()) {
    sets.push_back(fmt::format("serving.deployments.0.nodes={}", c.nodes));
    sets.push_back(fmt::format("serving.deployments.0.tp={}", c.tp));
    if (moe) sets.push_back(fmt::format("serving.deployments.0.ep={}", c.ep));
    sets.push_back(fmt::format("serving.deployments.0.scheduler.max_batch={}", c.max_batch));
    return sets;
  }
  const Scenario s = serving_candidate_scenario(Hardware{c.gpu, 0, base}, c);
  std::string list;
  for (const ServingDeployment& d : s.serving.deployments) {
    list += (list.empty() ? "" : ", ") + deployment_yaml(d, moe);
  }
  sets.push_back("serving.deployments=[" + list + "]");
  return sets;
}

namespace {

// Evaluates the candidates `todo` (indices) on the option's threads into `out`; `done[k]` says
// whether todo[k] was reached (a stop leaves the rest undone).
void run_batch(const std::vector<Hardware>& hardware,
               const std::vector<calibration::Profile>& profiles,
               const std::vector<ServingCandidate>& candidates,
               const std::vector<std::size_t>& todo, const std::function<bool()>& stop,
               const ServingSearchOptions& options, std::vector<ServingOutcome>& out,
               std::vector<char>& done, std::size_t& finished) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopped{false};
  std::mutex mu;
  std::exception_ptr error;
  auto work = [&] {
    while (!stopped) {
      const std::size_t k = next++;
      if (k >= todo.size()) break;
      if (stop()) {
        stopped = true;
        break;
      }
      const std::size_t i = todo[k];
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
      done[k] = 1;
      ++finished;
      if (options.progress) options.progress(finished);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, options.threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

ServingSearchResult run_serving_search(const std::vector<Hardware>& hardware,
                                       const std::vector<calibration::Profile>& profiles,
                                       const std::vector<ServingCandidate>& candidates,
                                       const ServingSearchOptions& options) {
  ServingSearchResult r;
  r.outcomes.resize(candidates.size());
  const std::map<std::string, ServingOutcome> stored =
      options.store ? options.store->load() : std::map<std::string, ServingOutcome>{};
  std::atomic<std::size_t> fresh{0};
  const std::function<bool()> stop = [&] {
    return (options.stop && options.stop()) ||
           (options.stop_after > 0 && fresh.fetch_add(1) >= options.stop_after);
  };
  std::size_t finished = 0;
  const std::size_t batch = std::max<std::size_t>(1, options.batch);
  for (std::size_t start = 0; start < candidates.size(); start += batch) {
    const std::size_t end = std::min(candidates.size(), start + batch);
    std::vector<std::size_t> todo;
    for (std::size_t i = start; i < end; ++i) {
      const auto it = stored.find(candidates[i].key);
      if (it == stored.end()) {
        todo.push_back(i);
        continue;
      }
      r.outcomes[i] = it->second;
      ++r.from_store;
      if (options.progress) options.progress(++finished);
    }
    std::vector<char> done(todo.size(), 0);
    run_batch(hardware, profiles, candidates, todo, stop, options, r.outcomes, done, finished);
    std::vector<const ServingCandidate*> rows;
    std::vector<ServingOutcome> row_outcomes;
    for (std::size_t k = 0; k < todo.size(); ++k) {
      if (!done[k]) continue;
      rows.push_back(&candidates[todo[k]]);
      row_outcomes.push_back(r.outcomes[todo[k]]);
    }
    r.new_outcomes += rows.size();
    if (options.store && !rows.empty()) options.store->add(rows, row_outcomes);
    if (rows.size() < todo.size()) return r;  // stopped
  }
  r.complete = true;
  return r;
}

std::vector<std::size_t> rank_serving(const std::vector<ServingCandidate>& candidates,
                                      const std::vector<ServingOutcome>& outcomes, bool by_nodes) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].pruned && outcomes[i].meets) order.push_back(i);
  }
  auto key = [&](std::size_t i) {
    const ServingOutcome& o = outcomes[i];
    const double load = rounded(o.usd_per_m_at_load), cap = rounded(o.usd_per_m_at_capacity);
    const double nodes = candidates[i].total_nodes();
    return by_nodes ? std::tuple(nodes, load, cap, i) : std::tuple(load, cap, nodes, i);
  };
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
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
    return fmt::format(
        "{}: {:.1f}% of requests within both targets at the scenario's load, "
        "under 90%",
        text, 100 * o.attainment);
  }
  const std::string nodes =
      fmt::format("more nodes ({} vs {})", c.total_nodes(), best_c.total_nodes());
  if (by_nodes && c.total_nodes() > best_c.total_nodes()) return nodes;
  if (rounded(o.usd_per_m_at_load) > rounded(best.usd_per_m_at_load)) {
    return fmt::format(
        "higher $/M at the scenario's load (${:.3f} vs ${:.3f}, ${:g} vs ${:g} "
        "per hour){}",
        o.usd_per_m_at_load, best.usd_per_m_at_load, o.usd_per_hour, best.usd_per_hour,
        c.total_nodes() > best_c.total_nodes() ? ": " + nodes : "");
  }
  if (rounded(o.usd_per_m_at_capacity) > rounded(best.usd_per_m_at_capacity)) {
    return fmt::format(
        "same cost at the load, higher $/M at capacity (${:.3f} vs ${:.3f}: "
        "less headroom, {:.2f}x vs {:.2f}x the load)",
        o.usd_per_m_at_capacity, best.usd_per_m_at_capacity, o.rate_scale, best.rate_scale);
  }
  if (c.total_nodes() > best_c.total_nodes()) return nodes;
  return "ties the best; later in the search order";
}

}  // namespace llmsim::plan
