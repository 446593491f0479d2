// llmsim validate: estimates every published training run of the validation set and prints
// measured beside estimated, each run's signed step-time error, and their median and worst.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/published_text.hpp"
#include "costmodel/estimate/validation.hpp"
#include "costmodel/read/model_file.hpp"
#include "sim/check.hpp"

namespace llmsim::cli {

namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  bool json = false;
  bool all_figures = false;
  int threads = 0;
  double max_median = -1.0;  // percent; < 0: no gate
  double max_worst = -1.0;
};

std::string pct(double v) { return fmt::format("{:+.1f}%", 100 * v); }

std::string summary_text(const ValidationSummary& s) {
  if (s.runs == 0) return "no run has a figure that describes it";
  return fmt::format("median {} (median size {:.1f}%), worst {} ({}); llmsim faster than "
                     "measured in {}, slower in {}",
                     pct(s.median), 100 * s.median_abs, pct(s.worst), s.worst_run, s.too_fast,
                     s.too_slow);
}

void print_run_row(const ValidationRun& r) {
  const std::string gpus =
      r.estimate.phases.empty()
          ? "-"
          : fmt::format("{} x {}", r.estimate.phases.front().gpus, r.scenario.gpu.name);
  if (!r.step_figure) {
    std::string why = "(no figure describes this run)";
    for (const ShownFigure& f : r.comparison.shown) {
      if (!f.compared) why = fmt::format("({}: {})", f.figure->name.substr(0, 28), f.note);
    }
    fmt::print("  {:<34} {:<17} {}\n", r.scenario.name, gpus, why);
    return;
  }
  double ours = 0.0;
  for (const ShownFigure& f : r.comparison.shown) {
    if (f.figure == r.step_figure) ours = f.ours;
  }
  // A FLOP figure names the convention our number was counted in.
  const FlopConvention conv = r.step_figure->convention;
  const std::string suffix =
      conv == FlopConvention::kLlmsim ? "" : fmt::format(" ({})", flop_convention_name(conv));
  const std::string figure = r.step_figure->name.substr(0, 28 - suffix.size()) + suffix;
  fmt::print("  {:<34} {:<17} {:<28} {:>10} {:>10} {:>8}  {}\n", r.scenario.name, gpus,
             figure, human(r.step_figure->value), human(ours),
             pct(*r.step_error), r.step_figure->source);
}

// The runs with a published peak memory: theirs beside ours (the worst rank, allocator reserve
// included), and the summary. Not part of the step-time figures above.
void print_memory(const ValidationReport& rep) {
  if (rep.memory.runs == 0) return;
  fmt::print("\nPeak memory per GPU: llmsim's worst rank (allocator reserve included) / the published "
             "peak of reserved memory - 1; negative: llmsim below.\n\n");
  fmt::print("  {:<34} {:<17} {:>10} {:>10} {:>8}  {}\n", "run", "GPUs", "published", "llmsim",
             "error", "source");
  for (const ValidationRun& r : rep.runs) {
    if (!r.memory_error) continue;
    const double ours = r.memory_figure->value * (1.0 + *r.memory_error);
    fmt::print("  {:<34} {:<17} {:>6.1f} GiB {:>6.1f} GiB {:>8}  {}\n", r.scenario.name,
               fmt::format("{} x {}", r.estimate.phases.front().gpus, r.scenario.gpu.name),
               r.memory_figure->value, ours, pct(*r.memory_error), r.memory_figure->source);
  }
  const ValidationSummary& s = rep.memory;
  fmt::print("\nover {} runs: median {} (median size {:.1f}%), worst {} ({}); llmsim below the "
             "published peak in {}, above in {}\n",
             s.runs, pct(s.median), 100 * s.median_abs, pct(s.worst), s.worst_run, s.too_fast,
             s.too_slow);
}

// Every run of the set ran on its GPUs, so each must fit in llmsim's memory model; one that
// does not is a memory-model error, named here.
std::vector<std::string> runs_over_memory(const ValidationReport& rep) {
  std::vector<std::string> out;
  for (const ValidationRun& r : rep.runs) {
    for (const PhaseEstimate& p : r.estimate.phases) {
      if (!p.step.memory_fits) {
        out.push_back(fmt::format("{} (phase {}: {:.1f} GiB of {:.1f})", r.scenario.name, p.name,
                                  p.step.peak_memory_bytes / (1024.0 * 1024 * 1024),
                                  p.step.memory_capacity_bytes / (1024.0 * 1024 * 1024)));
      }
    }
  }
  return out;
}

void print_fit(const ValidationReport& rep) {
  const std::vector<std::string> over = runs_over_memory(rep);
  fmt::print("\nEvery run ran, so each should fit in llmsim's memory model: {} of {} do",
             rep.runs.size() - over.size(), rep.runs.size());
  fmt::print("{}\n", over.empty() ? "" : "; over:");
  for (const std::string& o : over) fmt::print("  {}\n", o);
}

void print_text(const ValidationReport& rep, const ValidateOptions& o, double seconds) {
  fmt::print("Validation: {} published training runs. The figures are for validation only: no "
             "factor is fitted to them.\n",
             rep.runs.size());
  fmt::print("Step-time error: the run's step time as estimated / as measured - 1 (from a rate "
             "figure: measured / estimated - 1); negative: llmsim faster than the real run.\n\n");
  fmt::print("  {:<34} {:<17} {:<28} {:>10} {:>10} {:>8}  {}\n", "run", "GPUs", "figure",
             "published", "llmsim", "error", "source");
  for (const ValidationRun& r : rep.runs) print_run_row(r);
  fmt::print("\nover {} runs: {}\n", rep.summary.runs, summary_text(rep.summary));
  for (const auto& [gpu, s] : rep.by_gpu) fmt::print("  {:<10} {} runs: {}\n", gpu, s.runs, summary_text(s));
  fmt::print("by source family (publisher and stack):\n");
  for (const auto& [family, s] : rep.by_family) {
    if (s.runs > 0) fmt::print("  {:<16} {} runs: {}\n", family, s.runs, summary_text(s));
  }
  print_memory(rep);
  print_fit(rep);
  if (o.all_figures) {
    for (const ValidationRun& r : rep.runs) {
      fmt::print("\n{} ({})", r.scenario.name, r.file);
      print_published(r.comparison);
    }
  }
  fmt::print("\n{} runs estimated in {:.1f} s\n", rep.runs.size(), seconds);
}

nlohmann::json summary_json(const ValidationSummary& s) {
  return {{"runs", s.runs},           {"median", s.median},     {"median_abs", s.median_abs},
          {"worst", s.worst},         {"worst_run", s.worst_run}, {"too_fast", s.too_fast},
          {"too_slow", s.too_slow}};
}

nlohmann::json report_json(const ValidationReport& rep) {
  nlohmann::json runs = nlohmann::json::array();
  for (const ValidationRun& r : rep.runs) {
    nlohmann::json figures = nlohmann::json::array();
    for (const ShownFigure& f : r.comparison.shown) {
      figures.push_back({{"id", f.figure->id},
                         {"quantity", figure_quantity_name(f.figure->quantity)},
                         {"unit", figure_quantity_unit(f.figure->quantity)},
                         {"convention", counts_flops(f.figure->quantity)
                                            ? nlohmann::json(flop_convention_name(f.figure->convention))
                                            : nlohmann::json()},
                         {"published", f.figure->value},
                         {"compared", f.compared},
                         {"llmsim", f.compared ? nlohmann::json(f.ours) : nlohmann::json()},
                         {"deviation", f.compared ? nlohmann::json(f.deviation) : nlohmann::json()},
                         {"source", f.figure->source}});
      if (!f.compared) figures.back()["note"] = f.note;
    }
    runs.push_back({{"scenario", r.scenario.name},
                    {"file", r.file},
                    {"gpu", r.scenario.gpu.name},
                    {"step_error", r.step_error ? nlohmann::json(*r.step_error) : nlohmann::json()},
                    {"step_figure", r.step_figure ? r.step_figure->id : ""},
                    {"memory_error", r.memory_error ? nlohmann::json(*r.memory_error) : nlohmann::json()},
                    {"memory_figure", r.memory_figure ? r.memory_figure->id : ""},
                    {"figures", figures}});
  }
  nlohmann::json by_gpu = nlohmann::json::object();
  for (const auto& [gpu, s] : rep.by_gpu) by_gpu[gpu] = summary_json(s);
  nlohmann::json by_family = nlohmann::json::object();
  for (const auto& [family, s] : rep.by_family) by_family[family] = summary_json(s);
  return {{"runs", runs},
          {"summary", summary_json(rep.summary)},
          {"by_gpu", by_gpu},
          {"by_family", by_family},
          {"memory", summary_json(rep.memory)},
          {"over_memory", runs_over_memory(rep)}};
}

// Exit 1 when a gate is set and the errors exceed it.
int gate(const ValidationSummary& s, const ValidateOptions& o) {
  const bool median_bad = o.max_median >= 0 && 100 * s.median_abs > o.max_median;
  const bool worst_bad = o.max_worst >= 0 && 100 * std::fabs(s.worst) > o.max_worst;
  if (!median_bad && !worst_bad) return 0;
  fmt::print(stderr, "llmsim validate: errors over the limits: median size {:.1f}% (limit {}), "
             "worst {:.1f}% (limit {})\n",
             100 * s.median_abs, o.max_median >= 0 ? fmt::format("{:g}%", o.max_median) : "none",
             100 * std::fabs(s.worst), o.max_worst >= 0 ? fmt::format("{:g}%", o.max_worst) : "none");
  return 1;
}

int run_validate(const ValidateOptions& o) {
  const std::string data = default_data_dir();
  const std::vector<std::string> files = o.files.empty() ? default_validation_files(data) : o.files;
  if (files.empty()) throw UserError(fmt::format("no validation runs under {}/validation", data));
  const int threads =
      o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto start = std::chrono::steady_clock::now();
  const ValidationReport rep = [&] {
    Progress progress("validate");  // cleared before the report prints
    return validate_runs(files, data, threads, [&progress](std::size_t done, std::size_t total) {
      progress.update(done, total);
    });
  }();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (o.json) fmt::print("{}\n", report_json(rep).dump(2));
  else print_text(rep, o, seconds);
  return gate(rep.summary, o);
}

}  // namespace

void add_validate_command(CLI::App& app) {
  auto o = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "validate",
      "Estimate the published training runs of the validation set (scenarios/validation/ and "
      "the *-pretrain scenarios) and print each measured figure beside llmsim's, the run's "
      "signed step-time error (negative: llmsim faster than the real run), and the median and "
      "worst over the runs, overall and per GPU. The figures are for validation only: nothing "
      "is fitted to them.");
  cmd->add_option("files", o->files,
                  "scenario files to validate instead of the shipped set (each with reference: "
                  "figures measured on the real run)");
  cmd->add_flag("--json", o->json, "print the runs, their figures and the summaries as JSON");
  cmd->add_flag("--all-figures", o->all_figures,
                "also print every figure of every run, and the figures left out with the reason");
  cmd->add_option("--threads", o->threads, "runs estimated at once (default: the CPUs)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-median", o->max_median,
                  "exit 1 when the median size of the step-time errors exceeds this, percent")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--max-worst", o->max_worst,
                  "exit 1 when the worst step-time error's size exceeds this, percent")
      ->check(CLI::Range(0.0, 1e6));
  cmd->callback([o] {
    const int rc = run_validate(*o);
    if (rc != 0) throw ExitStatus{rc};
  });
}

}  // namespace llmsim::cli
