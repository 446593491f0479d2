// llmsim plan's output on a serving scenario: the best deployment with its latency against
// the targets, the runners-up and why each loses, the cheaper deployments that cannot serve
// the load; JSON; every candidate as CSV.

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/plan_command.hpp"
#include "report/output_file.hpp"

namespace llmsim::cli {

namespace {

using plan::ServingCandidate;
using plan::ServingOutcome;

std::string ints(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
  return out;
}

// The `llmsim serve` line that simulates the candidate alone (the scenario's GPU type only).
std::string serve_command(const ServingPlanReport& r, const ServingCandidate& c) {
  const Scenario& s = *r.scenario;
  if (c.gpu != s.gpu.name) return "";
  std::string cmd = "llmsim serve " + r.scenario_file;
  for (const std::string& a : plan::serving_candidate_sets(s, c)) {
    const bool plain = a.find_first_of(" {}[],'") == std::string::npos;
    cmd += plain ? " --set " + a : " --set '" + a + "'";
  }
  return cmd;
}

// Width of the deployment column: the longest key shown, at least 34.
std::size_t key_width(const ServingPlanReport& r) {
  std::size_t w = 34;
  for (const ServingCandidate& c : *r.candidates) w = std::max(w, c.key.size());
  return w;
}

std::string capacity_text(const ServingOutcome& o) {
  return o.rate_scale > 0 ? fmt::format("{:.2f}x", o.rate_scale) : "-";
}

void print_row(const ServingPlanReport& r, std::size_t i, const std::string& rank) {
  const ServingCandidate& c = (*r.candidates)[i];
  const ServingOutcome& o = (*r.outcomes)[i];
  fmt::print("  {:<3} {:<{}} {:>5} {:>9.3f} {:>9.4f} {:>9} {:>9.3f} {:>9.3f}\n", rank, c.key,
             key_width(r), c.total_nodes(), o.ttft_p90, o.tpot_p90, capacity_text(o),
             o.usd_per_m_at_load, o.usd_per_m_at_capacity);
}

void print_layout(const ServingCandidate& c, const ServingOutcome& o) {
  if (!c.disaggregated) {
    fmt::print("  layout       {} node{} ({} GPUs): TP{} x DP{}, max batch {} per rank; weights "
               "{:.1f} GiB/GPU, KV cache {} tokens per rank\n",
               c.nodes, c.nodes == 1 ? "" : "s", o.gpus, c.tp, o.dp, c.max_batch, o.weight_gib,
               o.kv_tokens_per_rank);
    return;
  }
  fmt::print("  layout       disaggregated, {} GPUs: prefill {} node{} TP{}; decode {} node{} "
             "TP{} x DP{}, max batch {} per rank, weights {:.1f} GiB/GPU, KV cache {} tokens per "
             "rank; each request's KV cache sent from the prefill to the decode pool\n",
             o.gpus, c.prefill_nodes, c.prefill_nodes == 1 ? "" : "s", c.prefill_tp, c.nodes,
             c.nodes == 1 ? "" : "s", c.tp, o.dp, c.max_batch, o.weight_gib, o.kv_tokens_per_rank);
}

void print_best(const ServingPlanReport& r, std::size_t b) {
  const Scenario& s = *r.scenario;
  const ServingCandidate& c = (*r.candidates)[b];
  const ServingOutcome& o = (*r.outcomes)[b];
  const LatencyTargets& t = s.serving.targets;
  fmt::print("\nBest deployment: {}\n", c.key);
  print_layout(c, o);
  fmt::print("  TTFT         p90 {:.3f} s, p99 {:.3f} s   (target {:g} s)\n", o.ttft_p90,
             o.ttft_p99, t.ttft_s);
  fmt::print("  TPOT         p90 {:.4f} s, p99 {:.4f} s   (target {:g} s)\n", o.tpot_p90,
             o.tpot_p99, t.tpot_s);
  fmt::print("  within both  {:.1f}% of requests at the scenario's load; capacity {} the load{}\n",
             100 * o.attainment, capacity_text(o),
             c.disaggregated ? " (the smaller of the two pools', each alone)" : "");
  fmt::print("  cost         ${:g}/hour: ${:.3f} per million output tokens of the scenario's "
             "traffic, ${:.3f} at capacity\n",
             o.usd_per_hour, o.usd_per_m_at_load, o.usd_per_m_at_capacity);
  if (c.disaggregated) {
    fmt::print("  per pool     ${:.3f} per million output tokens on the decode pool, ${:.3f} per "
               "million input tokens on the prefill pool, each at its capacity (`llmsim "
               "serve`'s figures)\n",
               o.usd_per_m_output, o.usd_per_m_input);
  }
  const std::string cmd = serve_command(r, c);
  if (!cmd.empty()) fmt::print("  simulate it  {}\n", cmd);
}

void print_losers(const ServingPlanReport& r, const std::vector<std::size_t>& order) {
  const Scenario& s = *r.scenario;
  const std::size_t b = order.front();
  const auto& cs = *r.candidates;
  const auto& os = *r.outcomes;
  fmt::print("\nTop {} by {}:\n", std::min<std::size_t>(order.size(), r.top),
             r.by_nodes ? "nodes" : "$/M output tokens at the scenario's load");
  const std::size_t w = key_width(r);
  fmt::print("  {:<3} {:<{}} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "#", "deployment", w,
             "nodes", "TTFT p90", "TPOT p90", "capacity", "$/M load", "$/M cap");
  for (std::size_t k = 0; k < order.size() && k < static_cast<std::size_t>(r.top); ++k) {
    print_row(r, order[k], std::to_string(k + 1));
  }
  fmt::print("\nWhy each loses to the best:\n");
  for (std::size_t k = 1; k < order.size() && k < static_cast<std::size_t>(r.top); ++k) {
    fmt::print("  {:<{}} {}\n", cs[order[k]].key, w,
               plan::serving_loss_reason(os[order[k]], cs[order[k]], os[b], cs[b], s, r.by_nodes));
  }
  // Deployments no dearer per hour than the best that cannot serve the load.
  fmt::print("\nDeployments as cheap per hour as the best that miss a target or do not fit:\n");
  std::size_t shown = 0;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (os[i].usd_per_hour > os[b].usd_per_hour || (!os[i].pruned && os[i].meets)) continue;
    fmt::print("  {:<{}} {}\n", cs[i].key, w,
               plan::serving_loss_reason(os[i], cs[i], os[b], cs[b], s, r.by_nodes));
    ++shown;
  }
  if (shown == 0) fmt::print("  none\n");
}

}  // namespace

void print_serving_plan_text(const ServingPlanReport& r) {
  const Scenario& s = *r.scenario;
  const ServingTraffic& tr = s.serving.traffic;
  fmt::print("{}: {} serving, {} arrivals at {:g} requests/s ({:g} prompt, {:g} output tokens "
             "mean); targets TTFT <= {:g} s, TPOT <= {:g} s for 90% of requests\n",
             s.name, s.model.name, tr.arrivals, tr.requests_per_s, tr.prompt_tokens,
             tr.output_tokens, s.serving.targets.ttft_s, s.serving.targets.tpot_s);
  std::string gpus;
  for (const auto& h : *r.hardware) gpus += (gpus.empty() ? "" : ",") + h.gpu;
  const auto& ds = r.space.disaggregate;
  const bool colocated = std::find(ds.begin(), ds.end(), false) != ds.end();
  const bool disaggregated = std::find(ds.begin(), ds.end(), true) != ds.end();
  fmt::print("Space: GPU {}; max batch {}{}; DP = GPUs / TP\n", gpus, ints(r.space.max_batch),
             s.model.moe.enabled() ? "; EP " + ints(r.space.ep) + " (0: every GPU)" : "");
  if (colocated) {
    fmt::print("  colocated prefill and decode: TP {} (within a node); nodes {}\n",
               ints(r.space.tp), ints(r.space.nodes));
  }
  if (disaggregated) {
    fmt::print("  disaggregated: prefill pool nodes {}, TP {}; decode pool nodes {}, TP {}\n",
               ints(r.space.prefill_nodes), ints(r.space.prefill_tp), ints(r.space.decode_nodes),
               ints(r.space.decode_tp));
  }
  const auto& os = *r.outcomes;
  const std::vector<std::size_t> order = plan::rank_serving(*r.candidates, os, r.by_nodes);
  std::size_t pruned = 0, meet = order.size();
  for (const auto& o : os) pruned += o.pruned ? 1 : 0;
  if (order.empty()) {
    fmt::print("\nNo deployment of the space serves the scenario's load within the targets.\n");
  } else {
    print_best(r, order.front());
    print_losers(r, order);
  }
  fmt::print("\nCandidates: {} generated, {} pruned (weights and one request's KV cache do not "
             "fit), {} simulated, {} meet the targets\n",
             os.size(), pruned, os.size() - pruned, meet);
}

namespace {

nlohmann::json candidate_json(const ServingPlanReport& r, std::size_t i) {
  const ServingCandidate& c = (*r.candidates)[i];
  const ServingOutcome& o = (*r.outcomes)[i];
  nlohmann::json j = {{"key", c.key}, {"gpu", c.gpu},
                      {"layout", c.disaggregated ? "disaggregated" : "colocated"},
                      {"tp", c.tp}, {"ep", c.ep}, {"nodes", c.total_nodes()},
                      {"max_batch", c.max_batch}, {"status", o.pruned ? "pruned" : "evaluated"}};
  if (c.disaggregated) {
    j["prefill"] = {{"nodes", c.prefill_nodes}, {"tp", c.prefill_tp}};
    j["decode"] = {{"nodes", c.nodes}, {"tp", c.tp}};
  }
  if (c.gpu == r.scenario->gpu.name) j["serve_set"] = plan::serving_candidate_sets(*r.scenario, c);
  if (o.pruned) {
    j["reason"] = o.reason;
    return j;
  }
  j.update({{"gpus", o.gpus}, {"dp", o.dp}, {"meets", o.meets}, {"ttft_s_p90", o.ttft_p90},
            {"tpot_s_p90", o.tpot_p90}, {"ttft_s_p99", o.ttft_p99}, {"tpot_s_p99", o.tpot_p99},
            {"slo_attainment", o.attainment}, {"rate_scale", o.rate_scale},
            {"usd_per_hour", o.usd_per_hour},
            {"usd_per_million_output_tokens_at_load", o.usd_per_m_at_load},
            {"usd_per_million_output_tokens_at_capacity", o.usd_per_m_at_capacity},
            {"usd_per_million_output_tokens", o.usd_per_m_output}});
  if (c.disaggregated) j["usd_per_million_input_tokens"] = o.usd_per_m_input;
  return j;
}

}  // namespace

void print_serving_plan_json(const ServingPlanReport& r) {
  const auto& os = *r.outcomes;
  const std::vector<std::size_t> order = plan::rank_serving(*r.candidates, os, r.by_nodes);
  nlohmann::json j = {{"scenario", r.scenario->name},
                      {"objective", r.by_nodes ? "nodes" : "cost"},
                      {"targets", {{"ttft_s", r.scenario->serving.targets.ttft_s},
                                   {"tpot_s", r.scenario->serving.targets.tpot_s}}}};
  j["top"] = nlohmann::json::array();
  for (std::size_t k = 0; k < order.size() && k < static_cast<std::size_t>(r.top); ++k) {
    nlohmann::json row = candidate_json(r, order[k]);
    if (k > 0) {
      row["loses_because"] = plan::serving_loss_reason(os[order[k]], (*r.candidates)[order[k]],
                                                       os[order[0]], (*r.candidates)[order[0]],
                                                       *r.scenario, r.by_nodes);
    }
    j["top"].push_back(row);
  }
  j["candidates"] = nlohmann::json::array();
  for (std::size_t i = 0; i < os.size(); ++i) j["candidates"].push_back(candidate_json(r, i));
  fmt::print("{}\n", j.dump(1));
}

void write_serving_plan_csv(const ServingPlanReport& r, const std::string& path) {
  std::ostringstream out;
  out << "key,gpu,layout,nodes,prefill_nodes,prefill_tp,gpus,tp,dp,ep,max_batch,status,reason,"
         "meets,ttft_s_p90,tpot_s_p90,slo_attainment,rate_scale,usd_per_hour,"
         "usd_per_million_output_tokens_at_load,usd_per_million_output_tokens_at_capacity,"
         "usd_per_million_output_tokens,usd_per_million_input_tokens\n";
  for (std::size_t i = 0; i < r.outcomes->size(); ++i) {
    const ServingCandidate& c = (*r.candidates)[i];
    const ServingOutcome& o = (*r.outcomes)[i];
    std::string reason = o.reason;
    for (char& ch : reason) ch = ch == '"' ? '\'' : ch;
    out << fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},\"{}\",{},{},{},{},{},{},{},{},{},{}\n",
                       c.key, c.gpu, c.disaggregated ? "disaggregated" : "colocated",
                       c.total_nodes(), c.prefill_nodes, c.prefill_tp, o.gpus, c.tp, o.dp, c.ep,
                       c.max_batch, o.pruned ? "pruned" : "evaluated", reason, o.meets ? 1 : 0,
                       o.ttft_p90, o.tpot_p90, o.attainment, o.rate_scale, o.usd_per_hour,
                       o.usd_per_m_at_load, o.usd_per_m_at_capacity, o.usd_per_m_output,
                       o.usd_per_m_input);
  }
  write_file_atomically(path, out.str());
}

}  // namespace llmsim::cli
