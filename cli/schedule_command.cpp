// llmsim schedule: simulate pipeline schedules rank by rank and show where time goes.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/compare_table.hpp"
#include "cli/output_file.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "report/timeline_svg.hpp"
#include "sim/pipeline/pipeline_report.hpp"
#include "sim/pipeline/schedule_experiment.hpp"
#include "sim/pipeline/schedules/schedule.hpp"
#include "sim/units.hpp"

namespace llmsim::cli {

namespace {

struct ScheduleOptions {
  std::string method = "1f1b";
  std::string compare;
  int pp = 8;
  int micro_batches = 20;
  int vpp = 0;  // 0: 2 for interleaved, 1 otherwise
  std::string f = "1", b = "1", w = "1", bw, fb;
  std::string p2p_latency = "0", p2p_bytes = "0", p2p_gbps = "0";
  bool json = false;
  std::string trace_path;
  std::string svg_path;
};

// `value` (parsed from `text`, in `unit`) if it is at most `limit`.
double at_most(const char* name, const std::string& text, double limit, const char* unit,
               double value) {
  if (value > limit) {
    throw UserError(fmt::format("{} = {}: at most {:g} {}", name, text, limit, unit));
  }
  return value;
}

CostInputs cost_inputs(const ScheduleOptions& o) {
  CostInputs in;
  in.f_us = parse_duration_list("--f", o.f);
  in.b_us = parse_duration_list("--b", o.b);
  in.w_us = parse_duration_list("--w", o.w);
  if (!o.bw.empty()) in.bw_us = parse_duration_list("--bw", o.bw);
  if (!o.fb.empty()) in.fb_us = parse_duration("--fb", o.fb);
  in.p2p_latency_us = parse_duration("--p2p-latency", o.p2p_latency);
  in.p2p_bytes = at_most("--p2p-bytes", o.p2p_bytes, 1e15, "B",
                         parse_quantity("--p2p-bytes", o.p2p_bytes, QuantityKind::kSize, "B"));
  in.p2p_gbps = at_most("--p2p-gbps", o.p2p_gbps, 1e6, "GB/s",
                        parse_quantity("--p2p-gbps", o.p2p_gbps, QuantityKind::kBandwidth, "GB/s"));
  return in;
}

std::string fmt_us(SimTime t) { return fmt::format("{:.6g}", t.us()); }

// Durations as parsed, in microseconds: "1" or "1,2000,1".
std::string us_list(const std::vector<double>& us) {
  return fmt::format("{:g}", fmt::join(us, ","));
}

void print_rank_table(const ExperimentCase& c) {
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
  const PipelineBubble b = pipeline_bubble(r);
  fmt::print("makespan: {} us   bubble: rank 0 {} us, worst (rank {}) {} us", fmt_us(r.makespan),
             fmt::format("{:.6g}", 1e6 * b.rank0_s), b.worst_rank,
             fmt::format("{:.6g}", 1e6 * b.worst_s));
  if (c.summary.published_bubble_us) {
    fmt::print("   (published formula: {:.6g} us)", *c.summary.published_bubble_us);
  }
  fmt::print("\n");
}

void print_compare_table(const std::vector<ExperimentCase>& cases) {
  std::vector<std::string> names;
  for (const ExperimentCase& c : cases) names.emplace_back(schedule_method_name(c.plan.method));
  print_comparison(compare_schedules(names, cases));
}

// One document for one case, a list of them for several; streamed (see write_pipeline_json).
void print_json(const std::vector<ExperimentCase>& cases) {
  std::ostream& out = std::cout;
  if (cases.size() == 1) {
    write_pipeline_json(out, cases[0].plan, cases[0].result);
  } else {
    out << "[\n";
    for (std::size_t i = 0; i < cases.size(); ++i) {
      if (i) out << ",\n";
      write_pipeline_json(out, cases[i].plan, cases[i].result, true, 1);
    }
    out << "\n]";
  }
  out << std::endl;
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
  ScheduleExperiment e;
  e.methods.clear();
  for (const std::string& name : names) {
    const auto method = parse_schedule_method(name);
    if (!method) {
      throw UserError(fmt::format("method '{}': unknown; allowed: {}", quote_value(name),
                                  schedule_method_list()));
    }
    e.methods.push_back(*method);
  }
  e.pp = o.pp;
  e.micro_batches = o.micro_batches;
  e.vpp = o.vpp;
  // A single non-interleaved method with --vpp gets make_schedule's clear refusal.
  if (o.compare.empty() && o.vpp > 1 && e.methods[0] != ScheduleMethod::kInterleaved1F1B) {
    make_schedule({e.methods[0], o.pp, o.micro_batches, o.vpp});
  }
  e.costs = cost_inputs(o);
  const std::vector<ExperimentCase> cases = run_experiment(e);

  // Files first, so that a write error is reported before anything is printed.
  if (!o.trace_path.empty()) {
    write_file_atomically(o.trace_path, [&](std::ostream& out) {
      ChromeTrace trace(out);  // streamed: the spans are never held
      for (std::size_t i = 0; i < cases.size(); ++i) {
        add_pipeline_to_trace(trace, static_cast<int>(i), cases[i].title, cases[i].plan,
                              cases[i].result);
      }
      trace.finish();
      out << '\n';
    });
  }
  if (!o.svg_path.empty()) {
    std::vector<TimelineCase> tl;
    for (const ExperimentCase& c : cases) tl.push_back(TimelineCase{c.title, &c.plan, &c.result});
    write_file_atomically(o.svg_path, timeline_svg(tl));
  }

  if (o.json) {
    print_json(cases);
    return;
  }
  const CostInputs& in = e.costs;
  fmt::print("costs of 1/pp of the model (us): F={} B={} W={} BW={} F&B={}; p2p transfer {} us\n",
             us_list(in.f_us), us_list(in.b_us), us_list(in.w_us),
             in.bw_us.empty() ? "B+W" : us_list(in.bw_us),
             in.fb_us ? fmt::format("{:g}", *in.fb_us) : "F+BW",
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
      ".\nDurations take a unit (ns, us, ms, s; a bare number is in microseconds), sizes B, KB, "
      "MB, GB, KiB, MiB, GiB (bare: bytes), bandwidths GB/s, Gb/s, TB/s (bare: GB/s). A single --f/--b/--w/--bw/--fb value is the time of 1/pp "
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
  cmd->add_option("-n,--micro-batches", opts->micro_batches,
                  "Micro-batches per step (pp x micro-batches x vpp at most 4,194,304, ZB-V "
                  "counting vpp 2: about 5 s and 550 MB)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  cmd->add_option("--vpp", opts->vpp, "Model chunks per rank for 'interleaved' (default 2)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--f", opts->f, "Forward duration (bare number: us)")->capture_default_str();
  cmd->add_option("--b", opts->b, "Backward-for-inputs duration (bare number: us)")
      ->capture_default_str();
  cmd->add_option("--w", opts->w, "Weight-gradient duration (bare number: us)")
      ->capture_default_str();
  cmd->add_option("--bw", opts->bw, "Full-backward duration (bare number: us); default B+W");
  cmd->add_option("--fb", opts->fb, "Overlapped F&B duration (bare number: us); default F+BW");
  cmd->add_option("--p2p-latency", opts->p2p_latency,
                  "Latency of a transfer between neighbouring ranks (bare number: us)")
      ->capture_default_str();
  cmd->add_option("--p2p-bytes", opts->p2p_bytes,
                  "Size of an activation or gradient transfer (bare number: bytes), e.g. 64MiB")
      ->capture_default_str();
  cmd->add_option("--p2p-gbps", opts->p2p_gbps,
                  "Bandwidth between neighbouring ranks (bare number: GB/s), e.g. 400Gb/s; "
                  "0 = unlimited")
      ->capture_default_str();
  cmd->add_flag("--json", opts->json, "Print JSON instead of tables");
  cmd->add_option("--trace", opts->trace_path, "Write a Chrome trace (Perfetto) to FILE");
  cmd->add_option("--svg", opts->svg_path, "Write an SVG timeline to FILE");
  cmd->callback([opts] { run_schedule(*opts); });
}

}  // namespace llmsim::cli
