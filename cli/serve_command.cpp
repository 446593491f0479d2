// llmsim serve: simulate a serving scenario's requests through its deployments, from arrival
// to last token; latency percentiles, throughput, capacity within the latency targets, nodes
// for a daily volume and dollars per million tokens.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output_file.hpp"
#include "cli/progress.hpp"
#include "cli/published_text.hpp"
#include "costmodel/estimate/published_figures.hpp"
#include "costmodel/estimate/serving/serving_estimate.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"

namespace llmsim::cli {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

struct ServeOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  bool json = false;
  bool no_capacity = false;
  std::string trace;
};

std::string layout_text(const DeploymentLayout& l) {
  const ServingDeployment& d = l.deployment;
  std::string s = fmt::format("{} nodes ({} GPUs): TP{} x DP{}", d.nodes, l.gpus, l.tp, l.dp);
  if (l.experts_per_gpu > 0) s += fmt::format(", EP{} ({} experts per GPU)", l.ep, l.experts_per_gpu);
  if (d.micro_batches > 1) s += fmt::format(", {} overlapped micro-batches", d.micro_batches);
  if (d.comm_sms > 0) s += fmt::format(", {} SMs for communication", d.comm_sms);
  if (d.mtp_depth > 0) s += fmt::format(", MTP {} (acceptance {:g})", d.mtp_depth, d.mtp_acceptance);
  s += fmt::format("; weights {:.1f} GiB/GPU, KV cache {} tokens per rank", l.weight_bytes / kGiB,
                   human(static_cast<double>(l.kv_tokens_per_rank)));
  return s;
}

void print_latency(const char* name, const LatencySummary& l) {
  fmt::print("  {:<12} p50 {:>9.4f} s   p90 {:>9.4f} s   p99 {:>9.4f} s   mean {:>9.4f} s\n", name,
             l.p50, l.p90, l.p99, l.mean);
}

void print_metrics(const Scenario& s, const ServingEstimate& e) {
  const ServingMetrics& m = e.metrics;
  const ServingTraffic& t = s.serving.traffic;
  fmt::print("\nAt the scenario's load ({} requests, {}):\n", m.requests,
             t.arrivals == "trace" ? fmt::format("trace {}", t.trace_file)
                                   : fmt::format("{} arrivals at {:g} requests/s", t.arrivals, t.requests_per_s));
  print_latency("TTFT", m.ttft_s);
  print_latency("TPOT", m.tpot_s);
  print_latency("end-to-end", m.e2e_s);
  fmt::print("  throughput   {} input tokens/s, {} output tokens/s ({:.2f} requests/s over {:.1f} s)\n",
             human(m.input_tokens_per_s), human(m.output_tokens_per_s), m.arrival_rate, m.duration_s);
  fmt::print("  targets      TTFT <= {:g} s, TPOT <= {:g} s: met by {:.1f}% of requests (goodput {:.2f} requests/s)\n",
             s.serving.targets.ttft_s, s.serving.targets.tpot_s, 100 * m.slo_attainment, m.goodput_rps);
  fmt::print("  KV cache     peak {:.1f}% of blocks; queue peak {} waiting; {} preemptions\n",
             100 * m.peak_kv_used, m.peak_waiting, m.preemptions);
  fmt::print("  Little's law L = {:.2f} requests in the system; lambda x W = {:.2f} x {:.3f} s = {:.2f}\n",
             m.mean_in_system, m.arrival_rate, m.mean_time_in_system_s,
             m.arrival_rate * m.mean_time_in_system_s);
}

// The mean iteration of a run and where its time goes.
void print_iteration(const DeploymentActivity& a) {
  if (a.iterations == 0) return;
  const double n = static_cast<double>(a.iterations);
  fmt::print("  {:<10} mean iteration {:.2f} ms: {:.1f} decoding sequences and {:.0f} prompt tokens "
             "per GPU rank; computation {:.2f} ms (attention {:.2f}), communication {:.2f} ms\n",
             "", 1e3 * a.busy_unit_s / n, a.decode_seqs / n, a.prefill_tokens / n, 1e3 * a.compute_s / n,
             1e3 * a.attention_s / n, 1e3 * a.comm_s / n);
}

void print_full_batch(const ServingEstimate& e) {
  const FullBatchDecode& f = e.full_batch;
  fmt::print("\nFull {} deployment ({} sequences per GPU rank, {:.0f} cached tokens each): iteration "
             "{:.2f} ms (computation {:.2f}, attention {:.2f}, communication {:.2f}); {:.1f} tokens/s "
             "per user, {} output tokens/s per node\n",
             f.deployment, f.batch_per_rank, f.kv_tokens, 1e3 * f.iteration.seconds,
             1e3 * f.iteration.compute_s, 1e3 * f.iteration.attention_s, 1e3 * f.iteration.comm_s,
             f.tokens_per_s_per_user, human(f.tokens_per_s_per_node));
}

void print_capacity(const Scenario& s, const ServingEstimate& e) {
  if (e.capacity.empty()) return;
  fmt::print("\nCapacity (the largest load with 90% of requests within the targets):\n");
  for (const DeploymentCapacity& c : e.capacity) {
    if (c.rate_scale <= 0.0) {
      fmt::print("  {:<10} the targets are not met even at 1/1,048,576 of the load (TTFT p90 {:.3f} s, TPOT p90 {:.4f} s)\n",
                 c.name, c.metrics.ttft_s.p90, c.metrics.tpot_s.p90);
      continue;
    }
    const bool prefill = c.role == "prefill";
    const bool decode = c.role == "decode";
    fmt::print("  {:<10} {}{:.3g}x the scenario's load: ", c.name, c.bounded ? "" : ">= ", c.rate_scale);
    const double per_gpu = 1.0 / s.cluster.gpus_per_node;
    if (!decode) {
      fmt::print("{} input tokens/s per node ({} per GPU)", human(c.input_tokens_per_s_per_node),
                 human(c.input_tokens_per_s_per_node * per_gpu));
    }
    if (!decode && !prefill) fmt::print(", ");
    if (!prefill) {
      fmt::print("{} output tokens/s per node ({} per GPU)", human(c.output_tokens_per_s_per_node),
                 human(c.output_tokens_per_s_per_node * per_gpu));
    }
    fmt::print(" (TTFT p90 {:.3f} s, TPOT p90 {:.4f} s)\n", c.metrics.ttft_s.p90, c.metrics.tpot_s.p90);
    print_iteration(c.activity);
  }
  const ServingWorkload& w = s.serving;
  if (w.daily.input_tokens > 0 || w.daily.output_tokens > 0) {
    fmt::print("\nDaily volume {} input and {} output tokens:\n", human(w.daily.input_tokens),
               human(w.daily.output_tokens));
    if (w.disaggregated()) {
      fmt::print("  nodes        {:.1f} prefill + {:.1f} decode = {:.1f}\n", e.prefill_nodes_for_daily_volume,
                 e.decode_nodes_for_daily_volume, e.nodes_for_daily_volume);
    } else {
      fmt::print("  nodes        {:.1f}\n", e.nodes_for_daily_volume);
    }
    fmt::print("  cost         ${}/day at ${:g}/GPU-hour; revenue ${}/day at the prices\n",
               human(e.cost_per_day_usd), s.usd_per_gpu_hour, human(e.revenue_per_day_usd));
  }
  if (e.usd_per_million_input_tokens > 0) {
    fmt::print("  per million  input ${:.3f} (prefill GPUs), output ${:.3f} (decode GPUs)\n",
               e.usd_per_million_input_tokens, e.usd_per_million_output_tokens);
  } else if (e.usd_per_million_output_tokens > 0) {
    fmt::print("  per million  output tokens ${:.3f} (all GPUs' cost on output tokens)\n",
               e.usd_per_million_output_tokens);
  }
}

void print_serve(const Scenario& s, const calibration::Profile& profile, const ServingEstimate& e) {
  fmt::print("{}: {} on {} ({} GPUs per node), kernel profile {}\n", s.name, s.model.name,
             s.gpu.name, s.cluster.gpus_per_node, profile.name);
  if (!s.description.empty()) fmt::print("  {}\n", s.description);
  fmt::print("\nDeployments:\n");
  for (const DeploymentLayout& l : e.layouts) {
    fmt::print("  {:<10} {:<9} {}\n", l.deployment.name, l.deployment.role, layout_text(l));
  }
  print_metrics(s, e);
  print_full_batch(e);
  print_capacity(s, e);
  print_published(compare_published(s, e));
  if (!e.notes.empty()) {
    fmt::print("\nAssumptions this estimate rests on:\n");
    for (const auto& n : e.notes) fmt::print("  - {}\n", n);
  }
}

nlohmann::json latency_json(const LatencySummary& l) {
  return {{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"mean", l.mean}, {"max", l.max}};
}

nlohmann::json capacity_json(const DeploymentCapacity& c, int gpus_per_node) {
  return {{"deployment", c.name},
          {"input_tokens_per_s_per_gpu", c.input_tokens_per_s_per_node / gpus_per_node},
          {"output_tokens_per_s_per_gpu", c.output_tokens_per_s_per_node / gpus_per_node},
          {"role", c.role},
          {"nodes", c.nodes},
          {"rate_scale", c.rate_scale},
          {"bounded", c.bounded},
          {"input_tokens_per_s_per_node", c.input_tokens_per_s_per_node},
          {"output_tokens_per_s_per_node", c.output_tokens_per_s_per_node},
          {"ttft_s_p90", c.metrics.ttft_s.p90},
          {"tpot_s_p90", c.metrics.tpot_s.p90}};
}

// At most `n` samples, evenly spaced over the run (the last always kept).
nlohmann::json timeline_json(const std::vector<ServingSample>& samples, std::size_t n) {
  nlohmann::json out = nlohmann::json::array();
  const std::size_t stride = std::max<std::size_t>(1, samples.size() / n);
  for (std::size_t i = 0; i < samples.size(); i += stride) {
    const ServingSample& s = samples[i];
    out.push_back({{"time_s", s.time_s}, {"deployment", s.deployment}, {"kv_used", s.kv_used},
                   {"waiting", s.waiting}, {"running", s.running}});
  }
  return out;
}

nlohmann::json serve_json(const Scenario& s, const ServingEstimate& e) {
  const ServingMetrics& m = e.metrics;
  nlohmann::json j = {
      {"scenario", s.name},
      {"prefill_input_tokens_per_s_per_node", e.prefill_input_tokens_per_s_per_node},
      {"decode_output_tokens_per_s_per_node", e.decode_output_tokens_per_s_per_node},
      {"ttft_s_p50", m.ttft_s.p50}, {"ttft_s_p90", m.ttft_s.p90}, {"ttft_s_p99", m.ttft_s.p99},
      {"tpot_s_p50", m.tpot_s.p50}, {"tpot_s_p90", m.tpot_s.p90}, {"tpot_s_p99", m.tpot_s.p99},
      {"e2e_s", latency_json(m.e2e_s)},
      {"input_tokens_per_s", m.input_tokens_per_s}, {"output_tokens_per_s", m.output_tokens_per_s},
      {"slo_attainment", m.slo_attainment}, {"goodput_requests_per_s", m.goodput_rps},
      {"mean_in_system", m.mean_in_system}, {"arrival_rate", m.arrival_rate},
      {"mean_time_in_system_s", m.mean_time_in_system_s},
      {"peak_kv_used", m.peak_kv_used}, {"peak_waiting", m.peak_waiting},
      {"preemptions", m.preemptions},
      {"prefill_nodes_for_daily_volume", e.prefill_nodes_for_daily_volume},
      {"decode_nodes_for_daily_volume", e.decode_nodes_for_daily_volume},
      {"nodes_for_daily_volume", e.nodes_for_daily_volume},
      {"usd_per_million_input_tokens", e.usd_per_million_input_tokens},
      {"usd_per_million_output_tokens", e.usd_per_million_output_tokens},
      {"cost_per_day_usd", e.cost_per_day_usd}, {"revenue_per_day_usd", e.revenue_per_day_usd}};
  const FullBatchDecode& full = e.full_batch;
  j["full_batch"] = {{"deployment", full.deployment}, {"batch_per_rank", full.batch_per_rank},
                     {"kv_tokens", full.kv_tokens}, {"iteration_s", full.iteration.seconds},
                     {"tokens_per_s_per_user", full.tokens_per_s_per_user},
                     {"tokens_per_s_per_node", full.tokens_per_s_per_node}};
  j["capacity"] = nlohmann::json::array();
  for (const DeploymentCapacity& c : e.capacity) {
    j["capacity"].push_back(capacity_json(c, s.cluster.gpus_per_node));
  }
  j["timeline"] = timeline_json(e.run.samples, 200);
  const PublishedComparison pc = compare_published(s, e);
  j["reference"] = nlohmann::json::array();
  for (const ShownFigure& f : pc.shown) {
    j["reference"].push_back({{"id", f.figure->id}, {"published", f.figure->value}, {"llmsim", f.ours},
                              {"deviation", f.deviation}, {"source", f.figure->source}});
  }
  j["reference_dropped"] = nlohmann::json::array();
  for (const DroppedFigure& f : pc.dropped) {
    j["reference_dropped"].push_back({{"id", f.figure->id}, {"reason", f.reason}});
  }
  j["notes"] = e.notes;
  return j;
}

// Chrome trace: one process per deployment, one track per unit, a slice per iteration; the
// KV cache use and the queue as counters.
std::string serve_trace(const ServingEstimate& e) {
  nlohmann::json events = nlohmann::json::array();
  for (std::size_t d = 0; d < e.layouts.size(); ++d) {
    events.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", d},
                      {"args", {{"name", e.layouts[d].deployment.name}}}});
  }
  for (const IterationSpan& s : e.run.spans) {
    // Start and end rounded to the nanosecond, the duration their difference: an iteration
    // never overlaps the next on its unit's track (rounding the duration alone could).
    const long long start_ns = std::llround(s.start_s * 1e9);
    const long long end_ns = std::llround((s.start_s + s.seconds) * 1e9);
    events.push_back({{"ph", "X"}, {"name", s.prefill_tokens > 0 ? "prefill+decode" : "decode"},
                      {"pid", s.deployment}, {"tid", s.unit}, {"ts", start_ns / 1e3},
                      {"dur", (end_ns - start_ns) / 1e3},
                      {"args", {{"decode_seqs_per_rank", s.decode_seqs}, {"prefill_tokens_per_rank", s.prefill_tokens}}}});
  }
  const double end = e.run.spans.empty() ? 0.0 : e.run.spans.back().start_s + e.run.spans.back().seconds;
  for (const ServingSample& s : e.run.samples) {
    if (s.time_s > end) break;
    events.push_back({{"ph", "C"}, {"name", "KV cache used"}, {"pid", s.deployment},
                      {"ts", std::llround(s.time_s * 1e9) / 1e3}, {"args", {{"share", s.kv_used}}}});
    events.push_back({{"ph", "C"}, {"name", "requests"}, {"pid", s.deployment},
                      {"ts", std::llround(s.time_s * 1e9) / 1e3},
                      {"args", {{"waiting", s.waiting}, {"running", s.running}}}});
  }
  return nlohmann::json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump();
}

void run_serve(const ServeOptions& o) {
  Scenario s = load_scenario(o.scenario, o.overrides, default_data_dir());
  s.name = scenario_title(s.name, o.overrides);
  const calibration::Profile profile = scenario_profile(s);
  ServingOptions so;
  so.capacity = !o.no_capacity;
  so.max_spans = o.trace.empty() ? 0 : 20000;
  ServingEstimate e;
  {
    Progress progress("serve");
    so.progress = [&progress](const std::string& stage, std::size_t done, std::size_t total) {
      progress.update(done, total, stage);
    };
    e = estimate_serving(s, profile, so);
  }
  if (!o.trace.empty()) write_file_atomically(o.trace, serve_trace(e));
  if (o.json) {
    fmt::print("{}\n", serve_json(s, e).dump(1));
  } else {
    print_serve(s, profile, e);
  }
}

}  // namespace

void add_serve_command(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Simulate a serving scenario request by request: arrivals, continuous batching with "
      "chunked prefill, paged KV cache, prefill/decode disaggregation. Prints TTFT, TPOT and "
      "end-to-end latency percentiles, throughput, each deployment's capacity within the "
      "latency targets (90% of requests), nodes for the daily volume, dollars per million "
      "tokens and per day, beside the scenario's published figures.");
  add_scenario_options(*cmd, o->scenario, o->overrides,
                       "Scenario YAML file with a `serving:` section",
                       "Override a field: path.to.key=value (repeatable), e.g. "
                       "serving.traffic.requests_per_s=20, serving.deployments.1.nodes=36");
  cmd->add_flag("--json", o->json, "Print JSON instead of text");
  cmd->add_flag("--no-capacity", o->no_capacity,
                "Simulate the scenario's load only; skip the capacity search");
  cmd->add_option("--trace", o->trace,
                  "Write a Chrome trace of the first 20,000 iterations (a track per unit) with "
                  "KV-cache use and queue counters to FILE");
  cmd->footer("Example: llmsim serve scenarios/deepseek-v3-serving.yaml --json");
  cmd->callback([o] { run_serve(*o); });
}

}  // namespace llmsim::cli
