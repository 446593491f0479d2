// llmsim calibrate: measure reference kernels on this machine (or read published tables),
// fit the kernel-time model per class, and report how well it predicts held-out shapes.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output_file.hpp"
#include "cli/progress.hpp"
#include "costmodel/time/calibration/cpu_calibration.hpp"
#include "costmodel/time/calibration/cuda_calibration.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/calibration/published_tables.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

namespace llmsim::cli {

namespace {

using namespace llmsim::calibration;

struct CalibrateOptions {
  std::string device = "cpu";
  bool quick = false;
  std::string grid;  // "ci", "quick", "full"; --quick means "quick"
  int threads = 1;
  std::string classes;
  std::string from_tables;
  std::string reference_dir;
  std::string out;
  std::string date;
  bool json = false;
  std::vector<std::string> argv;
};

std::string today_utc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// `device`: "cpu" or "cuda"; each class must have a reference kernel there.
std::vector<KernelClass> parse_classes(const std::string& text, const std::string& device) {
  std::vector<KernelClass> out;
  if (text.empty()) return out;
  const bool cuda = device == "cuda";
  const std::vector<KernelClass> available = cuda ? cuda_kernel_classes() : cpu_kernel_classes();
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string name = text.substr(start, comma - start);
    const auto c = parse_kernel_class(name);
    if (!c || std::find(available.begin(), available.end(), *c) == available.end()) {
      std::string allowed;
      for (KernelClass k : available) allowed += (allowed.empty() ? "" : ", ") + kernel_class_name(k);
      throw UserError(fmt::format("--classes: '{}' has no {} reference kernel; allowed: {}",
                                  quote_value(name),
                                  cuda ? "CUDA" : "CPU", allowed));
    }
    out.push_back(*c);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string pct(const std::optional<double>& v) {
  return v ? fmt::format("{:.1f}%", *v) : std::string("-");
}

// The median over a class's points of their spread (0 for tables): how much repeated
// measurements of one shape disagreed, beside the error of the fit.
std::optional<double> median_spread_pct(const ClassProfile& c) {
  std::vector<double> s;
  for (const ProfilePoint& pt : c.points) {
    if (pt.spread > 0.0) s.push_back(100.0 * pt.spread);
  }
  if (s.empty()) return std::nullopt;
  std::nth_element(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(s.size() / 2), s.end());
  return s[s.size() / 2];
}

void print_table(const Profile& p) {
  fmt::print("calibration profile: {}\n", p.name);
  fmt::print("device: {}\n", p.device);
  fmt::print("date: {}   method: {}\n", p.date, p.method);
  fmt::print("\n{:<17} {:>6} {:>5} {:>9} {:>9} {:>7} {:>9} {:>11} {:>11} {:>11}  {}\n", "class",
             "fit", "held", "holdout", "max err", "spread", "train", "compute eff", "memory eff",
             "overhead", "basis");
  fmt::print("{:<17} {:>6} {:>5} {:>9} {:>9} {:>7} {:>9} {:>11} {:>11} {:>11}\n", "", "points",
             "out", "MAPE", "held out", "", "MAPE", "(of peak)", "(of peak)", "(us)");
  for (const auto& c : p.classes) {
    const bool flops = c.kernel_class != KernelClass::kMemoryBound &&
                       c.model.peak_flops_per_s > 0.0;
    fmt::print("{:<17} {:>6} {:>5} {:>9} {:>9} {:>7} {:>9} {:>11} {:>11} {:>11.2f}  {}\n",
               kernel_class_name(c.kernel_class), c.fit_points, c.holdout_points,
               pct(c.holdout_mape_pct), pct(c.holdout_max_pct), pct(median_spread_pct(c)),
               c.is_fitted() ? fmt::format("{:.1f}%", c.train_mape_pct) : std::string("-"),
               flops ? fmt::format("{:.3f}", c.model.compute_efficiency) : std::string("-"),
               c.model.peak_bytes_per_s > 0.0 ? fmt::format("{:.3f}", c.model.memory_efficiency)
                                              : std::string("-"),
               c.model.overhead_s * 1e6,
               c.is_fitted() ? c.holdout_method : std::string("assumption (see below)"));
  }
  if (const auto o = p.overall_holdout_mape_pct()) {
    fmt::print("\noverall holdout MAPE (mean over fitted classes): {:.1f}%\n", *o);
  }
  for (const auto& c : p.classes) {
    if (!c.is_fitted()) fmt::print("\nassumption, {}: {}\n", kernel_class_name(c.kernel_class), c.assumption);
  }
  fmt::print("\nMAPE: mean |predicted - measured| / measured over the held-out shapes (percent).\n");
  fmt::print("spread: median over the class's shapes of (p90 - p10) / median of the repeated "
             "measurements each time is taken from (see basis).\n");
}

void run_calibrate(const CalibrateOptions& o) {
  const std::string date = o.date.empty() ? today_utc() : o.date;
  std::string generator = "llmsim calibrate";
  for (const auto& a : o.argv) generator += " " + a;
  // A profile that cannot be written is refused before the measurements, not after them.
  if (!o.out.empty()) check_writable(o.out);
  Profile p;
  if (!o.from_tables.empty()) {
    const std::string dir =
        o.reference_dir.empty() ? default_data_dir() + "/reference" : o.reference_dir;
    p = fit_published_profile(o.from_tables, dir, date);
    p.generator = generator;
  } else {
    const bool cuda = o.device == "cuda";
    if (cuda && o.threads != 1) {
      throw UserError(fmt::format("--threads = {}: applies to --device cpu only (the GPU's "
                                  "units are its SMs)",
                                  o.threads));
    }
    CalibrationOptions c;
    c.grid = GridSize::kQuick;
    if (!o.grid.empty()) {
      c.grid = o.grid == "ci" ? GridSize::kCi : o.grid == "full" ? GridSize::kFull : GridSize::kQuick;
    } else if (!o.quick) {
      c.grid = GridSize::kFull;
    }
    c.threads = o.threads;
    c.date = date;
    c.generator = generator;
    c.classes = parse_classes(o.classes, o.device);
    c.reference_dir = o.reference_dir;
    Progress progress("calibrate");
    c.progress = [&progress](const CalibrationProgress& x) {
      progress.update(static_cast<std::size_t>(x.done), static_cast<std::size_t>(x.total),
                      kernel_class_name(x.kernel_class) + " " + x.shape);
    };
    p = cuda ? calibrate_cuda(c) : calibrate_cpu(c);
  }
  const std::string text = o.out.empty() ? "" : profile_to_text(p, o.out);
  if (!o.out.empty()) write_file_atomically(o.out, text);
  if (o.json) {
    std::fputs(profile_to_json(p).c_str(), stdout);
  } else {
    print_table(p);
    if (!o.out.empty()) fmt::print("wrote {}\n", o.out);
  }
}

}  // namespace

void add_calibrate_command(CLI::App& app) {
  auto o = std::make_shared<CalibrateOptions>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Fit the kernel-time model: run reference kernels on this machine (GEMMs in FP32, BF16 "
      "and FP8, memory-bound kernels, attention, thread all-reduce / all-to-all, dispatch) or "
      "read published tables (--from-tables h800, h100, ...), and report the error on held-out shapes.");
  cmd->add_option("--device", o->device,
                  "where to run the reference kernels: cpu, or cuda (GPU 0; needs a build "
                  "configured with -DLLMSIM_CUDA=ON)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_flag("--quick", o->quick, "the quick grid: under a minute on 2 cores");
  cmd->add_option("--grid", o->grid, "grid size: ci (tests), quick, full (default full, or quick "
                                     "with --quick)")
      ->check(CLI::IsMember({"ci", "quick", "full"}));
  cmd->add_option("--threads", o->threads, "threads the kernels use (the model's units)");
  cmd->add_option("--classes", o->classes, "comma-separated kernel classes (default: all)");
  cmd->add_option("--from-tables", o->from_tables,
                  "fit published kernel tables instead of measuring: h800, h800-deepgemm-initial "
                  "(the H800's FP8 GEMMs from DeepGEMM's tables as first released, 2025-02-25, "
                  "for runs before its later revisions), h100, h200, a100-80gb, a100-40gb, b200")
      ->check([](const std::string& v) {
        // An empty value would fall through to a full CPU calibration: refuse it.
        return v.empty() ? std::string("an empty device name; allowed: h800, h100, h200, "
                                       "a100-80gb, a100-40gb, b200")
                         : std::string();
      });
  cmd->add_option("--reference-dir", o->reference_dir,
                  "folder with the published tables and hardware_specs.csv (default: "
                  "scenarios/reference)");
  cmd->add_option("--out", o->out, "write the profile (.yaml, or .json by extension)");
  cmd->add_option("--date", o->date, "date written into the profile (default: today, UTC)");
  cmd->add_flag("--json", o->json, "print the profile as JSON");
  cmd->callback([o] {
    o->argv.clear();
    if (!o->from_tables.empty()) o->argv.push_back("--from-tables " + o->from_tables);
    if (o->device != "cpu") o->argv.push_back("--device " + o->device);
    if (o->quick) o->argv.push_back("--quick");
    if (!o->grid.empty()) o->argv.push_back("--grid " + o->grid);
    if (o->threads != 1) o->argv.push_back(fmt::format("--threads {}", o->threads));
    if (!o->classes.empty()) o->argv.push_back("--classes " + o->classes);
    if (!o->out.empty()) o->argv.push_back("--out " + o->out);
    run_calibrate(*o);
  });
}

}  // namespace llmsim::cli
