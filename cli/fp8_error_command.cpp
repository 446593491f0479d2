// llmsim fp8-error: the numerical error of FP8 GEMMs against FP64, for per-tensor versus
// DeepSeek-V3's fine-grained scaling and for limited-precision accumulation versus promotion
// to FP32 every 128 elements (DeepSeek-V3 report, sections 3.3.1 and 3.3.2).

#include <cstdio>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "costmodel/time/calibration/fp8.hpp"
#include "sim/check.hpp"

namespace llmsim::cli {

namespace {

using namespace llmsim::calibration;

struct Fp8ErrorOptions {
  std::int64_t m = 64;
  std::int64_t n = 64;
  std::int64_t k = 4096;
  std::uint64_t seed = 20241227;  // the V3 report's arXiv date, as a fixed seed
  bool json = false;
};

// DeepSeek-V3 report (arXiv:2412.19437) section 3.3.2: "the maximum relative error is nearly
// 2%" for K = 4096 with the limited accumulation of H800 tensor cores. A published target
// printed beside our figure, never an input.
constexpr double kPublishedLimitedAccumulationError = 0.02;

const Fp8ErrorRow& row(const Fp8ErrorReport& r, std::size_t i) { return r.rows.at(i); }

void run_fp8_error(const Fp8ErrorOptions& o) {
  const Fp8ErrorReport r = run_fp8_error_experiment(o.m, o.n, o.k, o.seed);
  // Rows (see run_fp8_error_experiment): 0 per-tensor FP32, 1 fine FP32, 2 per-tensor 14-bit
  // whole K, 3 per-tensor 14-bit promoted, 4 fine 14-bit promoted.
  const double fine_vs_tensor = row(r, 3).error.relative_frobenius / row(r, 4).error.relative_frobenius;
  const double promoted_vs_limited =
      row(r, 2).error.accumulation_relative / row(r, 3).error.accumulation_relative;
  if (o.json) {
    nlohmann::ordered_json j;
    j["m"] = r.m;
    j["n"] = r.n;
    j["k"] = r.k;
    j["seed"] = r.seed;
    j["inputs"] = r.inputs;
    j["accumulator_mantissa_bits"] = r.mantissa_bits;
    j["promote_every"] = r.promote_every;
    auto& rows = j["rows"] = nlohmann::ordered_json::array();
    for (const auto& x : r.rows) {
      rows.push_back({{"scaling", x.scaling},
                      {"accumulation", x.accumulation},
                      {"relative_error", x.error.relative_frobenius},
                      {"max_error_over_mean_abs", x.error.max_relative},
                      {"accumulation_relative_error", x.error.accumulation_relative},
                      {"accumulation_max_error_over_mean_abs", x.error.accumulation_max_relative}});
    }
    j["fine_grained_gain"] = fine_vs_tensor;
    j["promotion_gain"] = promoted_vs_limited;
    j["published_limited_accumulation_max_relative_error"] = kPublishedLimitedAccumulationError;
    j["published_source"] = "DeepSeek-V3 technical report (arXiv:2412.19437), section 3.3.2";
    std::puts(j.dump(2).c_str());
    return;
  }
  fmt::print("FP8 (E4M3) GEMM error against FP64: m={} n={} k={}, seed {}\n", r.m, r.n, r.k, r.seed);
  fmt::print("inputs: {}\n\n", r.inputs);
  fmt::print("{:<40} {:<24} {:>12} {:>12} {:>13} {:>13}\n", "scaling", "accumulation",
             "rel. error", "max |err| /", "accumulation", "accumulation");
  fmt::print("{:<40} {:<24} {:>12} {:>12} {:>13} {:>13}\n", "", "", "(Frobenius)", "mean |ref|",
             "alone (Frob.)", "alone (max)");
  for (const auto& x : r.rows) {
    fmt::print("{:<40} {:<24} {:>11.3f}% {:>11.2f}% {:>12.4f}% {:>12.3f}%\n", x.scaling,
               x.accumulation, 100.0 * x.error.relative_frobenius, 100.0 * x.error.max_relative,
               100.0 * x.error.accumulation_relative, 100.0 * x.error.accumulation_max_relative);
  }
  fmt::print("(vs FP64 of the original inputs; 'accumulation alone' vs FP64 of the quantized "
             "inputs; max columns: largest |error| over the mean |reference|)\n");
  fmt::print("\nfine-grained vs per-tensor scaling (both promoted every {}): {:.3f}% vs {:.3f}% "
             "relative error, {:.2f}x lower\n",
             r.promote_every, 100.0 * row(r, 4).error.relative_frobenius,
             100.0 * row(r, 3).error.relative_frobenius, fine_vs_tensor);
  fmt::print("promotion to FP32 every {} vs {}-bit accumulation over all K={} (accumulation "
             "error alone): {:.4f}% vs {:.4f}%, {:.1f}x lower\n",
             r.promote_every, r.mantissa_bits, r.k, 100.0 * row(r, 3).error.accumulation_relative,
             100.0 * row(r, 2).error.accumulation_relative, promoted_vs_limited);
  fmt::print("published (DeepSeek-V3 report, section 3.3.2): limited accumulation at K=4096 "
             "reaches a maximum relative error of nearly {:.0f}%; ours: {:.2f}% (accumulation alone, "
             "max |err| / mean |ref|), {:.3f}% (Frobenius). The hardware's exact "
             "alignment and rounding are unpublished: our accumulator sums the 32 products of one "
             "MMA instruction and truncates the running sum to {} bits.\n",
             100.0 * kPublishedLimitedAccumulationError,
             100.0 * row(r, 2).error.accumulation_max_relative,
             100.0 * row(r, 2).error.accumulation_relative, r.mantissa_bits);
}

}  // namespace

void add_fp8_error_command(CLI::App& app) {
  auto o = std::make_shared<Fp8ErrorOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fp8-error",
      "Relative error of FP8 GEMMs against FP64: per-tensor vs fine-grained (1x128 / 128x128) "
      "scaling, 14-bit accumulation vs promotion to FP32 every 128 (DeepSeek-V3 3.3.1-3.3.2).");
  cmd->add_option("--k", o->k, "inner dimension K")->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 20));
  cmd->add_option("--m", o->m, "rows of the output")->check(CLI::Range(std::int64_t{1}, std::int64_t{4096}));
  cmd->add_option("--n", o->n, "columns of the output")->check(CLI::Range(std::int64_t{1}, std::int64_t{4096}));
  cmd->add_option("--seed", o->seed, "seed of the random inputs");
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->callback([o] { run_fp8_error(*o); });
}

}  // namespace llmsim::cli
