#include "costmodel/estimate/validation.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"

namespace llmsim {

namespace fs = std::filesystem;

namespace {

bool rate_like(FigureQuantity q) {
  return q == FigureQuantity::kMfuBf16 || q == FigureQuantity::kTflopsPerGpu ||
         q == FigureQuantity::kTokensPerSecond || q == FigureQuantity::kMfuBf16FullAttention ||
         q == FigureQuantity::kHfuBf16 || q == FigureQuantity::kMfuFp8;
}

// The order in which a run's figures stand for its step time (lower first).
int step_rank(FigureQuantity q) {
  switch (q) {
    case FigureQuantity::kStepTime: return 0;
    case FigureQuantity::kTokensPerSecond: return 1;
    case FigureQuantity::kTflopsPerGpu: return 2;
    case FigureQuantity::kMfuBf16:
    case FigureQuantity::kMfuBf16FullAttention:
    case FigureQuantity::kMfuFp8:
    case FigureQuantity::kHfuBf16: return 3;
    case FigureQuantity::kPhaseGpuHours: return 4;
    case FigureQuantity::kGpuHoursPerTrillionTokens: return 5;
    case FigureQuantity::kDaysPerTrillionTokens: return 6;
    case FigureQuantity::kTotalGpuHours: return 7;
    default: return -1;  // costs and serving figures do not stand for a step time
  }
}

void set_step_error(ValidationRun& run) {
  int best = -1;
  for (const ShownFigure& f : run.comparison.shown) {
    const int rank = step_rank(f.figure->quantity);
    if (rank < 0 || !f.compared || f.figure->value == 0 || f.ours <= 0) continue;
    if (best >= 0 && rank >= best) continue;
    best = rank;
    run.step_figure = f.figure;
    run.step_error = step_time_error(f.figure->quantity, f.figure->value, f.ours);
  }
}

void set_memory_error(ValidationRun& run) {
  for (const ShownFigure& f : run.comparison.shown) {
    if (f.figure->quantity != FigureQuantity::kPeakMemoryGib || !f.compared) continue;
    if (f.figure->value <= 0 || f.ours <= 0) continue;
    run.memory_figure = f.figure;
    run.memory_error = f.ours / f.figure->value - 1.0;
    return;
  }
}

void run_one(ValidationRun& run, const std::string& data_dir) {
  const auto start = std::chrono::steady_clock::now();
  run.scenario = load_scenario(run.file, {}, data_dir);
  require_training(run.scenario, "llmsim validate");
  run.estimate = estimate_run(run.scenario, scenario_profile(run.scenario));
  run.comparison = compare_published(run.scenario, run.estimate);
  set_step_error(run);
  set_memory_error(run);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

double step_time_error(FigureQuantity q, double published, double ours) {
  LLMSIM_CHECK(published > 0 && ours > 0, "step_time_error needs positive figures");
  return rate_like(q) ? published / ours - 1.0 : ours / published - 1.0;
}

std::vector<std::string> default_validation_files(const std::string& data_dir) {
  std::vector<std::string> files;
  const fs::path dir = fs::path(data_dir) / "validation";
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".yaml") files.push_back(e.path().string());
    }
  }
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".yaml" && name.find("pretrain") != std::string::npos) {
      files.push_back(e.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

ValidationSummary summarize(const std::vector<const ValidationRun*>& runs,
                            std::optional<double> ValidationRun::*error) {
  ValidationSummary s;
  std::vector<double> errors, sizes;
  for (const ValidationRun* r : runs) {
    if (!(r->*error)) continue;
    const double e = *(r->*error);
    errors.push_back(e);
    sizes.push_back(std::fabs(e));
    s.too_fast += e < 0;
    s.too_slow += e > 0;
    if (s.worst_run.empty() || std::fabs(e) > std::fabs(s.worst)) {
      s.worst = e;
      s.worst_run = r->scenario.name;
    }
  }
  s.runs = static_cast<int>(errors.size());
  s.median = median_of(errors);
  s.median_abs = median_of(sizes);
  return s;
}

}  // namespace

ValidationSummary summarize_runs(const std::vector<const ValidationRun*>& runs) {
  return summarize(runs, &ValidationRun::step_error);
}

ValidationSummary summarize_memory(const std::vector<const ValidationRun*>& runs) {
  return summarize(runs, &ValidationRun::memory_error);
}

namespace {

// The runs' summaries grouped by `key(run)`, groups in first-seen order.
template <class Key>
std::vector<std::pair<std::string, ValidationSummary>> summaries_by(
    const std::vector<const ValidationRun*>& all, Key key) {
  std::vector<std::pair<std::string, ValidationSummary>> out;
  for (const ValidationRun* r : all) {
    const std::string k = key(*r);
    if (std::none_of(out.begin(), out.end(), [&](const auto& g) { return g.first == k; })) {
      out.emplace_back(k, ValidationSummary{});
    }
  }
  for (auto& [k, summary] : out) {
    std::vector<const ValidationRun*> group;
    for (const ValidationRun* r : all) {
      if (key(*r) == k) group.push_back(r);
    }
    summary = summarize_runs(group);
  }
  return out;
}

}  // namespace

ValidationReport validate_runs(const std::vector<std::string>& files, const std::string& data_dir,
                               int threads, const ValidationProgress& progress) {
  ValidationReport report;
  std::mutex progress_mutex;
  std::size_t done = 0;
  report.runs.resize(files.size());  // filled in place: comparisons point into each scenario
  std::vector<std::exception_ptr> errors(files.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < files.size(); i = next++) {
      report.runs[i].file = files[i];
      try {
        run_one(report.runs[i], data_dir);
      } catch (const UserError& e) {
        const std::string what = e.what();
        errors[i] = std::make_exception_ptr(
            what.rfind(files[i], 0) == 0 ? e : UserError(files[i] + ": " + what));
      } catch (...) {
        errors[i] = std::current_exception();
      }
      if (progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        progress(++done, files.size());
      }
    }
  };
  std::vector<std::thread> pool;
  const int n = std::clamp(threads, 1, static_cast<int>(std::max<std::size_t>(1, files.size())));
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);  // the first failing file, in file order
  }
  std::vector<const ValidationRun*> all;
  for (const ValidationRun& r : report.runs) all.push_back(&r);
  report.summary = summarize_runs(all);
  report.memory = summarize_memory(all);
  report.by_gpu = summaries_by(all, [](const ValidationRun& r) { return r.scenario.gpu.name; });
  report.by_family = summaries_by(all, [](const ValidationRun& r) {
    return r.scenario.name.substr(0, r.scenario.name.find('-'));
  });
  return report;
}

}  // namespace llmsim
