// llmsim run: simulate a training step of a scenario and cost the whole run.
// llmsim compare: the same over a grid of field values, side by side, with what moved.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/compare_table.hpp"
#include "cli/interrupt.hpp"
#include "cli/ops_table.hpp"
#include "cli/progress.hpp"
#include "cli/published_text.hpp"
#include "cli/run_text.hpp"
#include "cli/serve_compare.hpp"
#include "costmodel/estimate/compare/comparison.hpp"
#include "costmodel/estimate/compare/step_links.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/estimate/published_figures.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"
#include "sim/network/link_usage.hpp"
#include "report/output_file.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::cli {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

nlohmann::json breakdown_json(const StepBreakdown& b) {
  return {{"compute_s", b.compute_s},     {"exposed_comm_s", b.exposed_comm_s},
          {"bubble_s", b.bubble_s},       {"dp_sync_s", b.dp_sync_s},
          {"optimizer_s", b.optimizer_s}};
}

nlohmann::json summary_json(const DeviationSummary& d) {
  if (d.count == 0) return nullptr;
  return {{"count", d.count}, {"median_deviation", d.median}, {"worst_deviation", d.worst},
          {"worst_id", d.worst_figure->id}, {"below", d.below}, {"above", d.above}};
}

nlohmann::json ranks_json(const StepResult& st);

void print_links(const StepResult& st) {
  const StepLinks links = step_links(st);
  fmt::print("Links over the step (rank {}; the busiest link of each tier, as the flow model "
             "loads it with each of the rank's collectives, exposed or hidden; pipeline "
             "transfers not included):\n",
             links.rank);
  for (const TierBusyShare& b : links.tiers) {
    fmt::print("  {:<12} {:>10.4f} s busy  {:>6.1f}% of the step\n", link_tier_name(b.tier),
               b.busy_s, 100.0 * b.share);
  }
  if (!links.bottleneck) fmt::print("  (no collective on the network)\n");
  else fmt::print("  bottleneck tier: {}\n", link_tier_name(*links.bottleneck));
  if (!links.complete) {
    fmt::print("  (collectives timed by the closed form place no bytes on links and are left "
               "out)\n");
  }
}

nlohmann::json run_json(const Scenario& s, const RunEstimate& run) {
  const StepResult& st = run.phases.front().step;
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : run.phases) {
    phases.push_back({{"name", p.name},
                      {"gpus", p.gpus},
                      {"tokens", p.tokens},
                      {"steps", p.steps},
                      {"step_time_s", p.step.step_time_s},
                      {"gpu_hours", p.gpu_hours},
                      {"cost_usd", p.cost_usd},
                      {"wall_clock_days", p.seconds / 86400.0},
                      {"mfu_bf16_causal", p.step.mfu_bf16_causal},
                      {"peak_memory_gib", p.step.peak_memory_bytes / kGiB},
                      {"breakdown", breakdown_json(p.step.breakdown)}});
  }
  const PublishedComparison published = compare_published(s, run);
  nlohmann::json refs = nlohmann::json::array();
  for (const ShownFigure& f : published.shown) {
    refs.push_back({{"id", f.figure->id},
                    {"name", f.figure->name},
                    {"quantity", figure_quantity_name(f.figure->quantity)},
                    {"published", f.figure->value},
                    {"unit", figure_quantity_unit(f.figure->quantity)},
                    {"convention", counts_flops(f.figure->quantity)
                                       ? nlohmann::json(flop_convention_name(f.figure->convention))
                                       : nlohmann::json()},
                    {"source", f.figure->source},
                    {"compared", f.compared},
                    {"ours", f.compared ? nlohmann::json(f.ours) : nlohmann::json(nullptr)},
                    {"deviation", f.compared && f.figure->value != 0 ? nlohmann::json(f.deviation)
                                                                     : nlohmann::json(nullptr)}});
    if (!f.compared) refs.back()["note"] = f.note;
  }
  nlohmann::json dropped = nlohmann::json::array();
  for (const DroppedFigure& f : published.dropped) {
    dropped.push_back({{"id", f.figure->id}, {"name", f.figure->name}, {"reason", f.reason}});
  }
  nlohmann::json out = {{"scenario", s.name},
          {"step_time_s", st.step_time_s},
          {"tokens_per_second", st.tokens_per_second},
          {"tflops_per_gpu", st.tflops_per_gpu},
          {"mfu_bf16_causal", st.mfu_bf16_causal},
          {"mfu_bf16_full", st.mfu_bf16_full},
          {"mfu_fp8_causal", st.mfu_fp8_causal},
          {"hfu_bf16", st.hfu_bf16},
          {"hfu_fp8", st.hfu_fp8},
          {"gpu_hours_per_trillion_tokens", run.gpu_hours_per_trillion_tokens},
          {"total_gpu_hours", run.total_gpu_hours},
          {"total_cost_usd", run.total_cost_usd},
          {"wall_clock_days", run.wall_clock_days},
          {"peak_memory_gib", st.peak_memory_bytes / kGiB},
          {"memory_fits", st.memory_fits},
          {"micro_batches", st.micro_batches},
          {"breakdown", breakdown_json(st.breakdown)},
          {"ranks", ranks_json(st)},
          {"links", step_links_json(step_links(st))},
          {"phases", phases},
          {"reference", refs},
          {"reference_dropped", dropped},
          {"reference_summary", summary_json(summarize_deviations(published))},
          {"notes", run.notes}};
  // The figures `llmsim compare` and the GUI show, by the same names: the bubble of rank 0 and
  // of the worst rank, whether the plan fits and by how much it is over.
  const nlohmann::json figures = comparison_json(compare_runs({s.name}, {&run})).front();
  for (const auto& [key, value] : figures.items()) {
    if (key != "case" && key != "best") out[key] = value;
  }
  out["bubble_worst_rank"] = pipeline_bubble(st.pipeline).worst_rank;
  return out;
}

// One micro-batch on a middle stage, its computation and its communication apart (what an
// overlap hides is decided by the schedule; this is what there is to hide).
void print_stage_parts(const StepResult& st) {
  if (st.stages.empty()) return;
  const StageWork& w = st.stages[st.stages.size() / 2];
  const double fc = w.forward_compute_s(), bc = w.backward_compute_s() + w.wgrad_s;
  fmt::print("  stage {} per micro-batch: forward {:.2f} ms compute + {:.2f} ms communication, "
             "backward {:.2f} ms compute + {:.2f} ms communication\n",
             st.stages.size() / 2, 1e3 * fc, 1e3 * (w.forward_s() - fc), 1e3 * bc,
             1e3 * (w.backward_s() - w.backward_compute_s()));
}

// The transformer layers of the stages each pipeline rank holds: where a layer layout
// (parallelism.layers_per_stage) puts the work.
std::vector<int> rank_layers(const StepResult& st) {
  std::vector<int> layers(st.pipeline.ranks.size(), 0);
  for (const auto& per_dir : st.plan.stage_rank) {
    for (std::size_t stage = 0; stage < per_dir.size() && stage < st.stages.size(); ++stage) {
      layers[static_cast<std::size_t>(per_dir[stage])] += st.stages[stage].layers;
    }
  }
  return layers;  // DualPipe: both of a rank's stages (r in one direction, pp-1-r in the other)
}

void print_rank_busy(const StepResult& st) {
  const auto& ranks = st.pipeline.ranks;
  if (ranks.size() < 2) return;
  const std::vector<int> layers = rank_layers(st);
  fmt::print("  busy per pipeline rank (s, layers):");
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    if (r > 0 && r % 8 == 0) fmt::print("\n                                     ");
    fmt::print(" {:.2f} ({})", ranks[r].busy.seconds(), layers[r]);
  }
  fmt::print("\n");
}

nlohmann::json ranks_json(const StepResult& st) {
  const std::vector<int> layers = rank_layers(st);
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t r = 0; r < st.pipeline.ranks.size(); ++r) {
    out.push_back({{"rank", r},
                   {"busy_s", st.pipeline.ranks[r].busy.seconds()},
                   {"bubble_s", st.pipeline.ranks[r].bubble.seconds()},
                   {"layers", layers[r]}});
  }
  return out;
}
// The phases' steps, GPU-hours and days, and the run's totals.
void print_phases(const Scenario& s, const RunEstimate& run) {
  fmt::print("{:<24} {:>6} {:>10} {:>10} {:>10} {:>13} {:>9}\n", "phase", "GPUs", "tokens",
             "steps", "step (s)", "GPU-hours", "days");
  for (const auto& ph2 : run.phases) {
    fmt::print("{:<24} {:>6} {:>10} {:>10} {:>10.3f} {:>13} {:>9.2f}\n", ph2.name, ph2.gpus,
               human(ph2.tokens), human(ph2.steps), ph2.step.step_time_s,
               format_figure(ph2.gpu_hours, FigureUnit::kGpuHours), ph2.seconds / 86400.0);
  }
  fmt::print("{:<24} {:>6} {:>10} {:>10} {:>10} {:>13} {:>9.2f}\n", "total", "", "", "", "",
             format_figure(run.total_gpu_hours, FigureUnit::kGpuHours), run.wall_clock_days);
  fmt::print("GPU-hours per trillion tokens ({}): {}\n", run.phases.front().name,
             format_figure(run.gpu_hours_per_trillion_tokens, FigureUnit::kGpuHours));
  fmt::print("total cost at ${}/GPU-hour: ${}\n", s.usd_per_gpu_hour,
             format_figure(run.total_cost_usd, FigureUnit::kUsd));
}

// The bubble as `llmsim compare` and the GUI define it (costmodel/estimate/compare): the time a
// rank waits on pipeline dependencies, exposed communication apart; rank 0's and the worst.
void print_bubble(const StepResult& st) {
  const PipelineBubble b = pipeline_bubble(st.pipeline);
  auto pct = [&](double x) { return 100.0 * x / st.step_time_s; };
  fmt::print("  pipeline bubble        rank 0: {} s ({:.1f}%); worst, rank {}: {} s ({:.1f}%)\n",
             format_figure(b.rank0_s, FigureUnit::kSeconds), pct(b.rank0_s), b.worst_rank,
             format_figure(b.worst_s, FigureUnit::kSeconds), pct(b.worst_s));
}

}  // namespace

void print_run(const Scenario& s, const calibration::Profile& profile, const RunEstimate& run) {
  const TrainingPhase& ph = s.phases.front();
  const StepResult& st = run.phases.front().step;
  const ParallelPlan& p = ph.plan;
  fmt::print("{} ({})\n", s.name, s.file);
  fmt::print("  {} x {} ({} nodes, {}); model {}; precision {}\n", p.gpus(), s.gpu.name,
             s.cluster.nodes, topology_kind_name(s.cluster.topology), s.model.name,
             s.precision.name());
  fmt::print("  plan: TP{} CP{} PP{} ({}) DP{} EP{} ZeRO-{}, micro-batch {} x {} tokens\n", p.tp,
             p.cp, p.pp, schedule_method_name(p.schedule), p.dp, p.ep, p.zero_stage,
             p.micro_batch_size, ph.seq_len);
  fmt::print("  kernel profile: {} ({}, {})\n\n", profile.name, profile.device, profile.method);

  fmt::print("One {} step: {} sequences, {} micro-batches per pipeline\n", ph.name, st.global_batch,
             st.micro_batches);
  fmt::print("  step time              {:.3f} s\n", st.step_time_s);
  fmt::print("  tokens per second      {}\n", format_figure(st.tokens_per_second, FigureUnit::kTokensPerSecond));
  fmt::print("  TFLOPS per GPU         {:.1f} (model FLOPs, causal attention)\n", st.tflops_per_gpu);
  fmt::print("  MFU vs BF16 peak       {:.1f}% causal, {:.1f}% full attention ({} TFLOPS dense)\n",
             100 * st.mfu_bf16_causal, 100 * st.mfu_bf16_full, s.gpu.bf16_tflops);
  if (st.mfu_fp8_causal > 0 && s.precision.linear_gemm == Precision::kFP8) {
    fmt::print("  MFU vs FP8 peak        {:.1f}% causal ({} TFLOPS dense)\n", 100 * st.mfu_fp8_causal,
               s.gpu.fp8_tflops);
  }
  fmt::print("  HFU vs BF16 peak       {:.1f}% (model FLOPs + the forward FLOPs recomputed under "
             "recompute: {})\n",
             100 * st.hfu_bf16, recompute_policy_name(s.recompute));
  if (st.hfu_fp8 > 0 && s.precision.linear_gemm == Precision::kFP8) {
    fmt::print("  HFU vs FP8 peak        {:.1f}% ({} TFLOPS dense)\n", 100 * st.hfu_fp8,
               s.gpu.fp8_tflops);
  }
  const StepBreakdown& b = st.breakdown;
  auto pct = [&](double x) { return 100.0 * x / st.step_time_s; };
  fmt::print("  breakdown (busiest rank {}): compute {:.3f} s ({:.1f}%), exposed communication {:.3f} s "
             "({:.1f}%),\n                         its pipeline bubble {:.3f} s ({:.1f}%), DP sync "
             "{:.3f} s ({:.1f}%), optimizer {:.3f} s ({:.1f}%)\n",
             st.busiest_rank, b.compute_s, pct(b.compute_s), b.exposed_comm_s,
             pct(b.exposed_comm_s), b.bubble_s, pct(b.bubble_s), b.dp_sync_s, pct(b.dp_sync_s),
             b.optimizer_s, pct(b.optimizer_s));
  print_bubble(st);
  print_stage_parts(st);
  print_rank_busy(st);
  fmt::print("  peak memory per GPU    {:.1f} GiB of {:.1f} GiB{}\n\n", st.peak_memory_bytes / kGiB,
             st.memory_capacity_bytes / kGiB, st.memory_fits ? "" : " (" + st.memory_message + ")");
  print_phases(s, run);

  print_published(compare_published(s, run));
  if (!run.notes.empty()) {
    fmt::print("\nAssumptions this estimate rests on:\n");
    for (const auto& n : run.notes) fmt::print("  - {}\n", n);
  }
}

namespace {

struct RunOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  bool json = false;
  bool ops = false;
  bool links = false;
  std::string trace;
};

void run_run(const RunOptions& o) {
  Scenario s = load_scenario(o.scenario, o.overrides, default_data_dir());
  s.name = scenario_title(s.name, o.overrides);
  require_training(s, "llmsim run");
  const calibration::Profile profile = scenario_profile(s);
  if (o.ops) {
    print_ops_table(s, profile);
    return;
  }
  const RunEstimate run = estimate_run(s, profile);
  if (!o.trace.empty()) {
    write_file_atomically(o.trace, step_trace_json(run.phases.front().step));
  }
  if (o.json) {
    fmt::print("{}\n", run_json(s, run).dump(1));
  } else {
    print_run(s, profile, run);
    if (o.links) print_links(run.phases.front().step);
  }
}

// ---- compare ----

struct CompareOptions {
  std::vector<std::string> scenarios;
  std::vector<std::string> overrides;
  std::vector<std::string> vary;
  bool zip = false;  // the axes advance together instead of making a grid
  bool json = false;
};

struct Axis {
  std::string key;
  std::vector<std::string> values;
};

Axis parse_vary(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw UserError(fmt::format("--vary {}: expected key=value1,value2,... (e.g. "
                                "parallelism.schedule=1f1b,dualpipe)",
                                quote_value(text)));
  }
  Axis a;
  a.key = text.substr(0, eq);
  std::size_t start = eq + 1;
  while (true) {
    const auto comma = text.find(',', start);
    std::string v = text.substr(start, comma - start);
    if (v.empty()) throw UserError(fmt::format("--vary {}: an empty value", quote_value(text)));
    a.values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return a;
}

struct Case {
  std::string label;
  RunEstimate run;
};

// One sentence on what moved between the baseline and a case, from the step breakdown (each
// case's busiest rank, whose parts add up to the step).
std::string explain(const Case& base, const Case& c) {
  const StepResult& a = base.run.phases.front().step;
  const StepResult& b = c.run.phases.front().step;
  struct Part {
    const char* name;
    double delta;
  };
  Part parts[] = {
      {"compute", b.breakdown.compute_s - a.breakdown.compute_s},
      {"exposed communication", b.breakdown.exposed_comm_s - a.breakdown.exposed_comm_s},
      {"pipeline bubble", b.breakdown.bubble_s - a.breakdown.bubble_s},
      {"DP sync", b.breakdown.dp_sync_s - a.breakdown.dp_sync_s},
      {"optimizer", b.breakdown.optimizer_s - a.breakdown.optimizer_s},
  };
  std::sort(std::begin(parts), std::end(parts),
            [](const Part& x, const Part& y) { return std::fabs(x.delta) > std::fabs(y.delta); });
  std::string out = fmt::format("{}: step {:+.1f}% vs {}; GPU-hours {:+.1f}%", c.label,
                                100 * (b.step_time_s / a.step_time_s - 1), base.label,
                                100 * (c.run.total_gpu_hours / base.run.total_gpu_hours - 1));
  out += "; moved most (busiest rank): ";
  for (int i = 0; i < 3; ++i) {
    out += fmt::format("{}{} {:+.3f} s", i ? ", " : "", parts[i].name, parts[i].delta);
  }
  if (b.plan.pp != a.plan.pp || b.global_batch != a.global_batch) {
    out += fmt::format(" (micro-batches per pipeline {} -> {})", a.micro_batches, b.micro_batches);
  }
  return out;
}

// The values' combinations, in order: every one (a grid), or the i-th of each (--zip).
std::vector<std::vector<std::size_t>> combinations(const std::vector<Axis>& axes, bool zip) {
  std::vector<std::vector<std::size_t>> out;
  if (axes.empty()) return {{}};
  if (zip) {
    for (const auto& a : axes) {
      if (a.values.size() != axes.front().values.size()) {
        throw UserError(fmt::format("--zip: every --vary needs as many values ({} has {}, {} has {})",
                                    axes.front().key, axes.front().values.size(), a.key, a.values.size()));
      }
    }
    for (std::size_t i = 0; i < axes.front().values.size(); ++i) out.emplace_back(axes.size(), i);
    return out;
  }
  std::size_t total = 1;
  for (const auto& a : axes) {
    total *= a.values.size();
    if (total > 10000) throw UserError("--vary: more than 10000 combinations; narrow the grid");
  }
  std::vector<std::size_t> idx(axes.size(), 0);
  for (std::size_t n = 0; n < total; ++n) {
    out.push_back(idx);
    for (std::size_t i = axes.size(); i-- > 0;) {
      if (++idx[i] < axes[i].values.size()) break;
      idx[i] = 0;
    }
  }
  return out;
}

// The cases in order: each scenario file with each combination of the varied values.
std::vector<ComparePoint> grid_points(const CompareOptions& o) {
  if (o.vary.empty() && o.scenarios.size() < 2) {
    throw UserError("compare needs at least one --vary key=value1,value2,... or two scenarios");
  }
  std::vector<Axis> axes;
  for (const auto& v : o.vary) axes.push_back(parse_vary(v));
  std::vector<ComparePoint> points;
  for (const std::string& file : o.scenarios) {
    for (const auto& combo : combinations(axes, o.zip)) {
      ComparePoint& p = points.emplace_back(ComparePoint{file, "", o.overrides});
      if (o.scenarios.size() > 1) p.label = std::filesystem::path(file).stem().string();
      for (std::size_t i = 0; i < axes.size(); ++i) {
        p.overrides.push_back(axes[i].key + "=" + axes[i].values[combo[i]]);
        p.label += (p.label.empty() ? "" : " ") + axes[i].key + "=" + axes[i].values[combo[i]];
      }
    }
  }
  return points;
}

using GridPoints = std::vector<ComparePoint>;

// Estimates the grid's points in order until done or Ctrl-C; returns the finished cases.
std::vector<Case> run_grid(const GridPoints& points, std::size_t& total) {
  total = points.size();
  InterruptGuard guard;
  Progress progress("compare", "Ctrl-C stops and keeps what is done");
  std::vector<Case> cases;
  for (const ComparePoint& p : points) {
    if (guard.interrupted()) break;
    const Scenario s = load_scenario(p.file, p.overrides, default_data_dir());
    require_training(s, "llmsim compare");
    const calibration::Profile profile = scenario_profile(s);
    cases.push_back(Case{p.label, estimate_run(s, profile)});
    progress.update(cases.size(), points.size(), p.label);
  }
  return cases;
}

void print_compare(const CompareOptions& o, const std::vector<Case>& cases);

void run_compare(const CompareOptions& o) {
  const GridPoints points = grid_points(o);
  if (load_scenario(points.front().file, points.front().overrides, default_data_dir()).workload ==
      WorkloadKind::kServing) {
    compare_serving(points, o.json);
    return;
  }
  std::size_t total = 0;
  const std::vector<Case> cases = run_grid(points, total);
  if (!cases.empty()) print_compare(o, cases);
  if (cases.size() < total) {
    throw Interrupted{fmt::format("compare: interrupted after {} of {} cases; the finished ones "
                                  "are printed above", cases.size(), total)};
  }
}

void print_compare(const CompareOptions& o, const std::vector<Case>& cases) {
  std::vector<std::string> labels;
  std::vector<const RunEstimate*> runs;
  for (const auto& c : cases) {
    labels.push_back(c.label);
    runs.push_back(&c.run);
  }
  const Comparison comparison = compare_runs(labels, runs);
  if (o.json) {
    nlohmann::json all = comparison_json(comparison);
    for (std::size_t i = 0; i < cases.size(); ++i) {
      all[i]["breakdown"] = breakdown_json(cases[i].run.phases.front().step.breakdown);
      all[i]["explain"] = explain(cases.front(), cases[i]);
    }
    fmt::print("{}\n", all.dump(1));
    return;
  }
  print_comparison(comparison);
  if (cases.size() > 1) {
    fmt::print("\nWhat changed, against the first case:\n");
    for (std::size_t i = 1; i < cases.size(); ++i) fmt::print("  {}\n", explain(cases.front(), cases[i]));
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Simulate a training step of a scenario and cost the whole run: step time, tokens/s, "
      "MFU, where the time goes, memory, GPU-hours, dollars and days per phase, beside the "
      "scenario's published figures.");
  add_scenario_options(*cmd, o->scenario, o->overrides, "Scenario YAML file",
                       "Override a field: path.to.key=value (repeatable), e.g. "
                       "parallelism.schedule=1f1b, precision=bf16, cluster=h100");
  add_gpus_option(*cmd, o->overrides);
  cmd->add_flag("--json", o->json, "Print JSON instead of text");
  cmd->add_flag("--ops", o->ops,
                "Print every operator of one layer of each kind instead: its time per pass "
                "(forward, dgrad, wgrad, recomputed forward) and its communication, for one "
                "micro-batch of the first phase on one GPU");
  cmd->add_flag("--links", o->links,
                "Also print, per link tier (nvlink, gpu-nic, nic-leaf, leaf-spine, spine-core), "
                "how long its busiest link is busy over the step and the bottleneck tier (JSON: "
                "always, under \"links\")");
  cmd->add_option("--trace", o->trace,
                  "Write a Chrome trace of one step (pipeline ranks as processes, compute and "
                  "communication streams as tracks) to FILE");
  cmd->footer("Example: llmsim run scenarios/deepseek-v3-pretrain.yaml --set parallelism.schedule=1f1b");
  cmd->callback([o] { run_run(*o); });

  auto c = std::make_shared<CompareOptions>();
  CLI::App* cmp = app.add_subcommand(
      "compare",
      "Run a scenario over a grid of field values and put the results side by side, saying "
      "which part of the step moved (training) or of each deployment's iteration (serving).");
  cmp->add_option("scenarios", c->scenarios,
                  "Scenario YAML files (one, or several to compare with each other)")
      ->required();
  cmp->add_option("--vary", c->vary,
                  "key=value1,value2,... (repeatable: several keys make a grid)");
  cmp->add_flag("--zip", c->zip,
                "Advance the --vary keys together (their i-th values make case i) instead of "
                "making a grid, e.g. --zip --vary serving.deployments.1.nodes=18,40 --vary "
                "serving.deployments.1.ep=144,320");
  cmp->add_option("--set", c->overrides, "Override a field for every case: path.to.key=value");
  add_gpus_option(*cmp, c->overrides);
  cmp->add_flag("--json", c->json, "Print JSON instead of a table");
  cmp->footer("Examples: llmsim compare scenarios/deepseek-v3-pretrain.yaml --vary "
              "parallelism.schedule=1f1b,zb1p,dualpipe\n"
              "  llmsim compare scenarios/deepseek-v3-serving.yaml --vary cluster=h800,h200-fleet");
  cmp->callback([c] { run_compare(*c); });
}

}  // namespace llmsim::cli
