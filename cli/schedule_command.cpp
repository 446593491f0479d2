// llmsim schedule: simulate pipeline schedules rank by rank and show where time goes.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output_file.hpp"
#include "sim/check.hpp"
#include "sim/pipeline_executor.hpp"
#include "sim/pipeline_report.hpp"
#include "sim/schedules/schedule.hpp"

namespace llmsim::cli {

namespace {

struct ScheduleOptions {
  std::string method = "1f1b";
  std::string compare;
  int pp = 8;
  int micro_batches = 20;
  int vpp = 0;  // 0: 2 for interleaved, 1 otherwise
  std::string f = "1", b = "1", w = "1", bw, fb;
  double p2p_latency_us = 0.0;
  double p2p_bytes = 0.0;
  double p2p_gbps = 0.0;
  bool json = false;
  std::string trace_path;
  std::string svg_path;
};

double parse_number(const std::string& flag, const std::string& text) {
  double v = 0.0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  while (first < last && *first == ' ') ++first;
  const auto [end, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || end != last || !std::isfinite(v)) {
    throw UserError(fmt::format("{} = '{}': expected a number of microseconds", flag, text));
  }
  if (v < 0.0) throw UserError(fmt::format("{} = {}: a duration cannot be negative", flag, text));
  if (v > 1e12) throw UserError(fmt::format("{} = {}: at most 1e12 microseconds", flag, text));
  return v;
}

// "1" or "1,2,1,1": one duration for all stages, or one per stage, in microseconds.
std::vector<double> parse_list(const std::string& flag, const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    out.push_back(parse_number(flag, text.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Costs for one plan. A single value per kind is the time of 1/pp of the model, i.e. one
// 1F1B stage; schedules that cut the model into more stages (interleaved, ZB-V, DualPipeV)
// share it evenly among a rank's stages, so that every method runs the same model. A list
// gives each of the plan's stages its own value, used as is.
PipelineCosts make_costs(const ScheduleOptions& o, const PipelinePlan& plan) {
  const auto f = parse_list("--f", o.f);
  const auto b = parse_list("--b", o.b);
  const auto w = parse_list("--w", o.w);
  std::vector<double> bw;
  if (!o.bw.empty()) bw = parse_list("--bw", o.bw);
  std::size_t n = std::max({f.size(), b.size(), w.size(), bw.size()});
  auto pick = [&](const std::vector<double>& v, const char* flag, std::size_t i) {
    if (v.size() == 1) return v[0];
    if (v.size() != n) {
      throw UserError(fmt::format("{}: {} values given but another cost list has {}; give one "
                                  "value for all stages or the same number for each",
                                  flag, v.size(), n));
    }
    return v[i];
  };
  const double share = n == 1 ? static_cast<double>(plan.pp) / plan.num_stages : 1.0;
  PipelineCosts c;
  c.stages.assign(n, StageCost{});
  for (std::size_t i = 0; i < n; ++i) {
    c.stages[i].f = SimTime::from_us(share * pick(f, "--f", i));
    c.stages[i].b = SimTime::from_us(share * pick(b, "--b", i));
    c.stages[i].w = SimTime::from_us(share * pick(w, "--w", i));
    if (!bw.empty()) c.stages[i].bw = SimTime::from_us(share * pick(bw, "--bw", i));
  }
  if (!o.fb.empty()) c.fb = SimTime::from_us(share * parse_number("--fb", o.fb));
  c.p2p_latency = SimTime::from_us(o.p2p_latency_us);
  c.p2p_bytes = o.p2p_bytes;
  c.p2p_bytes_per_second = o.p2p_gbps * 1e9;
  return c;
}

// The published bubble of DeepSeek-V3 report Table 2 (and the DualPipe README for DualPipeV,
// whose PP counts stages) for this plan, in microseconds, when its assumptions hold: uniform
// stage costs, free transfers. Table 2's B is a full backward. A target printed beside the
// simulation, never an input to it.
std::optional<double> published_bubble(const PipelinePlan& plan, const PipelineCosts& c) {
  if (c.stages.size() != 1 || c.transfer_time() != SimTime::zero()) return std::nullopt;
  const double f = c.stages[0].f.us();
  const double w = c.stages[0].w.us();
  const double bfull = c.stages[0].full_backward().us();
  const double fb = c.fb ? c.fb->us() : f + bfull;
  const double pp = plan.pp;
  switch (plan.method) {
    case ScheduleMethod::k1F1B: return (pp - 1) * (f + bfull);
    case ScheduleMethod::kZB1P: return (pp - 1) * (f + bfull - 2 * w);
    case ScheduleMethod::kDualPipe: return (pp / 2 - 1) * (fb + bfull - 3 * w);
    case ScheduleMethod::kDualPipeV: return (plan.num_stages / 2.0 - 1) * (fb + bfull - 3 * w);
    default: return std::nullopt;
  }
}

struct Case {
  PipelinePlan plan;
  PipelineCosts costs;
  PipelineResult result;
  std::string title;
};

std::string title_of(const PipelinePlan& p) {
  std::string t = fmt::format("{}  pp={}  micro-batches={}", schedule_method_name(p.method), p.pp,
                              p.micro_batches);
  if (p.method == ScheduleMethod::kInterleaved1F1B) t += fmt::format("  vpp={}", p.vpp);
  return t;
}

std::string fmt_us(SimTime t) { return fmt::format("{:.6g}", t.us()); }

void print_rank_table(const Case& c) {
  const PipelineResult& r = c.result;
  fmt::print("{}\n", c.title);
  fmt::print("{:>5} {:>12} {:>12} {:>8} {:>11} {:>9} {:>12}\n", "rank", "busy (us)",
             "bubble (us)", "bubble%", "peak stages", "act. mem", "param copies");
  for (std::size_t i = 0; i < r.ranks.size(); ++i) {
    const RankSummary& s = r.ranks[i];
    const double pct = r.makespan.ns() > 0 ? 100.0 * s.bubble.us() / r.makespan.us() : 0.0;
    fmt::print("{:>5} {:>12} {:>12} {:>7.1f}% {:>11} {:>9.3g} {:>12.3g}\n", i, fmt_us(s.busy),
               fmt_us(s.bubble), pct, s.peak_activations, s.peak_activation_memory,
               s.parameter_copies);
  }
  fmt::print("makespan: {} us   max bubble: {} us", fmt_us(r.makespan), fmt_us(r.max_bubble()));
  if (auto pb = published_bubble(c.plan, c.costs)) {
    fmt::print("   (published formula: {:.6g} us)", *pb);
  }
  fmt::print("\n");
}

void print_compare_table(const std::vector<Case>& cases) {
  fmt::print("{:<11} {:>14} {:>16} {:>8} {:>18} {:>9} {:>12}\n", "method", "makespan (us)",
             "max bubble (us)", "bubble%", "published bubble", "act. mem", "param copies");
  for (const Case& c : cases) {
    const PipelineResult& r = c.result;
    double peak = 0.0;
    double copies = 0.0;
    for (const auto& s : r.ranks) {
      peak = std::max(peak, s.peak_activation_memory);
      copies = std::max(copies, s.parameter_copies);
    }
    const double pct =
        r.makespan.ns() > 0 ? 100.0 * r.max_bubble().us() / r.makespan.us() : 0.0;
    const auto pb = published_bubble(c.plan, c.costs);
    fmt::print("{:<11} {:>14} {:>16} {:>7.1f}% {:>18} {:>9.3g} {:>12.3g}\n",
               schedule_method_name(c.plan.method), fmt_us(r.makespan), fmt_us(r.max_bubble()),
               pct, pb ? fmt::format("{:.6g}", *pb) : std::string("-"), peak, copies);
  }
}

void run_schedule(const ScheduleOptions& o) {
  std::vector<std::string> names;
  if (!o.compare.empty()) {
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = o.compare.find(',', start);
      names.push_back(o.compare.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else {
    names.push_back(o.method);
  }
  std::vector<Case> cases;
  cases.reserve(names.size());
  for (const std::string& name : names) {
    const auto method = parse_schedule_method(name);
    if (!method) {
      throw UserError(fmt::format("method '{}': unknown; allowed: {}", name,
                                  schedule_method_list()));
    }
    ScheduleRequest req{*method, o.pp, o.micro_batches, 1};
    if (*method == ScheduleMethod::kInterleaved1F1B) req.vpp = o.vpp == 0 ? 2 : o.vpp;
    else if (o.vpp > 1 && o.compare.empty()) req.vpp = o.vpp;  // rejected with a clear message
    Case c;
    c.plan = make_schedule(req);
    c.costs = make_costs(o, c.plan);
    c.result = run_pipeline(c.plan, c.costs);
    c.title = title_of(c.plan);
    cases.push_back(std::move(c));
  }

  // Files first, so that a write error is reported before anything is printed.
  if (!o.trace_path.empty()) {
    ChromeTrace trace;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      add_pipeline_to_trace(trace, static_cast<int>(i), cases[i].title, cases[i].plan,
                            cases[i].result);
    }
    write_file_atomically(o.trace_path, trace.to_json().dump() + "\n");
  }
  if (!o.svg_path.empty()) {
    std::vector<TimelineCase> tl;
    for (const Case& c : cases) tl.push_back(TimelineCase{c.title, &c.plan, &c.result});
    write_file_atomically(o.svg_path, timeline_svg(tl));
  }

  if (o.json) {
    if (cases.size() == 1) {
      fmt::print("{}\n", pipeline_to_json(cases[0].plan, cases[0].result).dump(1));
    } else {
      nlohmann::json all = nlohmann::json::array();
      for (const Case& c : cases) all.push_back(pipeline_to_json(c.plan, c.result));
      fmt::print("{}\n", all.dump(1));
    }
    return;
  }
  fmt::print("costs of 1/pp of the model (us): F={} B={} W={} BW={} F&B={}; p2p transfer {} us\n",
             o.f, o.b, o.w, o.bw.empty() ? "B+W" : o.bw, o.fb.empty() ? "F+BW" : o.fb,
             fmt_us(cases[0].costs.transfer_time()));
  if (cases.size() == 1) {
    print_rank_table(cases[0]);
  } else {
    print_compare_table(cases);
  }
}

}  // namespace

void add_schedule_command(CLI::App& app) {
  auto opts = std::make_shared<ScheduleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "schedule",
      "Simulate a pipeline-parallel schedule rank by rank: busy time, bubbles, activations in "
      "flight, parameter copies, and the whole timeline.");
  cmd->footer(
      "Methods: " + schedule_method_list() +
      ".\nDurations are in microseconds. A single --f/--b/--w/--bw/--fb value is the time of 1/pp "
      "of the model (one 1F1B stage); schedules with more stages (interleaved: vpp*pp, ZB-V and "
      "DualPipeV: 2*pp) share it evenly, so every method runs the same model. A comma-separated "
      "list gives each of the plan's stages its own value, used as is. B is the "
      "backward for inputs only; W the weight gradient; BW, the full backward, defaults to B+W; "
      "F&B, DualPipe's overlapped pair, defaults to F+BW.\n"
      "Bubble = makespan - busy, per rank. Peak stages: the most stage activations a rank holds "
      "at once (forward started, its input-gradient backward not done); act. mem: the same in "
      "units of one 1F1B stage's activations (1/pp of the model). Param copies: the rank's "
      "parameters in units of (model / pp); DualPipe holds 2.\n"
      "Example: llmsim schedule --compare 1f1b,zb1p,dualpipe --pp 8 --micro-batches 20 --svg "
      "timeline.svg");
  cmd->add_option("-m,--method", opts->method, "Schedule to simulate")->capture_default_str();
  cmd->add_option("--compare", opts->compare,
                  "Comma-separated schedules to put side by side, e.g. 1f1b,zb1p,dualpipe");
  cmd->add_option("-p,--pp", opts->pp, "Pipeline ranks")->capture_default_str()->check(
      CLI::Range(1, 4096));
  cmd->add_option("-n,--micro-batches", opts->micro_batches, "Micro-batches per step")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--vpp", opts->vpp, "Model chunks per rank for 'interleaved' (default 2)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--f", opts->f, "Forward duration (us)")->capture_default_str();
  cmd->add_option("--b", opts->b, "Backward-for-inputs duration (us)")->capture_default_str();
  cmd->add_option("--w", opts->w, "Weight-gradient duration (us)")->capture_default_str();
  cmd->add_option("--bw", opts->bw, "Full-backward duration (us); default B+W");
  cmd->add_option("--fb", opts->fb, "Overlapped F&B duration (us); default F+BW");
  cmd->add_option("--p2p-latency", opts->p2p_latency_us,
                  "Latency of a transfer between neighbouring ranks (us)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e12));
  cmd->add_option("--p2p-bytes", opts->p2p_bytes, "Bytes per activation or gradient transfer")
      ->check(CLI::Range(0.0, 1e15));
  cmd->add_option("--p2p-gbps", opts->p2p_gbps,
                  "Bandwidth between neighbouring ranks (GB/s); 0 = unlimited")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_flag("--json", opts->json, "Print JSON instead of tables");
  cmd->add_option("--trace", opts->trace_path, "Write a Chrome trace (Perfetto) to FILE");
  cmd->add_option("--svg", opts->svg_path, "Write an SVG timeline to FILE");
  cmd->callback([opts] { run_schedule(*opts); });
}

}  // namespace llmsim::cli
