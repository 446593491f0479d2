// Which kernel profile a scenario runs with: the cluster's GPU must match the profile's, the
// GPU's own published profile is the default, and the run's clock scales the compute peaks.
#include <catch2/catch.hpp>

#include <algorithm>

#include <string>
#include <vector>

#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/time/calibration/published_tables.hpp"
#include "costmodel/time/operator_timer.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

Scenario deepseek(const std::vector<std::string>& overrides = {}) {
  return load_scenario(kData + "/deepseek-v3-pretrain.yaml", overrides, kData);
}

double gemm_seconds(const Scenario& s, Precision p) {
  const calibration::Profile profile = scenario_profile(s);
  OperatorTimer timer(profile, s.cluster);
  return timer.time(GemmOp{p, 4096, 7168, 7168}).seconds;
}

}  // namespace

TEST_CASE("Profile choice: a profile of another GPU is an error naming both", "[profile]") {
  const std::string llama = kData + "/llama-3.1-405b-pretrain.yaml";
  const Scenario s = load_scenario(llama, {"cluster.gpu=A100-80GB"}, kData);
  try {
    scenario_profile(s);
    FAIL("no error");
  } catch (const UserError& e) {
    const std::string what = e.what();
    CHECK(what.find("h100-published") != std::string::npos);
    CHECK(what.find("the H100") != std::string::npos);
    CHECK(what.find("A100-80GB") != std::string::npos);
    CHECK(what.find("allow_profile_mismatch") != std::string::npos);
  }
  // Asked for explicitly, it runs.
  const Scenario allowed =
      load_scenario(llama, {"cluster.gpu=A100-80GB", "allow_profile_mismatch=true"}, kData);
  CHECK(scenario_profile(allowed).gpu == "H100");
}

TEST_CASE("Profile choice: without `calibration`, the GPU's published profile", "[profile]") {
  Scenario s = load_scenario(kData + "/llama-3.1-405b-pretrain.yaml", {"calibration=~"}, kData);
  CHECK(scenario_profile(s).name == "h100-published");
  s = load_scenario(kData + "/llama-3.1-405b-pretrain.yaml",
                    {"calibration=~", "cluster.gpu=A100-80GB"}, kData);
  const calibration::Profile a100 = scenario_profile(s);
  CHECK(a100.name == "a100-80gb-published");
  // Ampere has no FP8 kernels: the profile holds no FP8 class.
  CHECK(a100.find(calibration::KernelClass::kGemmFp8) == nullptr);
  CHECK(a100.find(calibration::KernelClass::kGemmBf16)->model.peak_flops_per_s == Approx(312e12));
}

TEST_CASE("Profile choice: BF16 GEMMs are slower than FP8 on Hopper by the profile's ratio",
          "[profile]") {
  const Scenario s = deepseek();
  const calibration::Profile p = scenario_profile(s);
  const auto& fp8 = p.find(calibration::KernelClass::kGemmFp8)->model;
  const auto& bf16 = p.find(calibration::KernelClass::kGemmBf16)->model;
  // Each class's achieved fraction of its peak: its fitted efficiency, capped at the fastest
  // point it was fitted to (max_compute_fraction, the ceiling the model never exceeds).
  const auto achieved = [](const calibration::KernelModel& m) {
    const double cap = m.max_compute_fraction > 0 ? m.max_compute_fraction : m.compute_efficiency;
    return m.peak_flops_per_s * std::min(m.compute_efficiency, cap);
  };
  const double ratio = achieved(fp8) / achieved(bf16);
  // A large compute-bound GEMM: the time ratio is the ratio of achieved throughputs, within the
  // other terms' share (BF16 moves twice the input bytes; the two classes are fitted to
  // different tables, DeepGEMM's and XLA's, with their own tiles, waves and overheads).
  const double t_fp8 = gemm_seconds(s, Precision::kFP8);
  const double t_bf16 = gemm_seconds(s, Precision::kBF16);
  CHECK(t_bf16 > t_fp8);
  CHECK(t_bf16 / t_fp8 == Approx(ratio).epsilon(0.1));
}

TEST_CASE("Profile choice: the boost clock runs compute-bound kernels faster by the clock ratio",
          "[profile]") {
  const Scenario sustained = deepseek();
  const Scenario boost = deepseek({"clock=boost"});
  REQUIRE(sustained.gpu.sustained_clock_mhz == 1600.0);
  REQUIRE(sustained.gpu.boost_clock_mhz == 1830.0);
  const double ratio = gemm_seconds(sustained, Precision::kFP8) / gemm_seconds(boost, Precision::kFP8);
  CHECK(ratio > 1.0);
  CHECK(ratio <= 1830.0 / 1600.0 + 1e-9);
  CHECK(ratio == Approx(1830.0 / 1600.0).epsilon(0.05));
  // DeepGEMM's data ran at the sustained clock: a default run leaves those classes as fitted
  // and scales only gemm_bf16 (fitted to the H100's XLA table, at 1830 MHz); a boost run
  // scales DeepGEMM's and FlashMLA's classes and leaves gemm_bf16. Each says what it scaled.
  // (The other note: each class's ceiling, the fastest of its points.)
  const auto clock_notes = [](const calibration::Profile& p) {
    std::vector<std::string> out;
    for (const std::string& n : p.notes) {
      if (n.find("this run's SM clock") != std::string::npos) out.push_back(n);
    }
    return out;
  };
  const auto sustained_notes = clock_notes(scenario_profile(sustained));
  const auto boost_notes = clock_notes(scenario_profile(boost));
  // Two data sources ran at 1830 MHz: XLA's GEMM table and the FA2 rows (tritonbench, Azure).
  REQUIRE(sustained_notes.size() == 2);
  CHECK(sustained_notes[0].find("gemm_bf16's data ran at 1830 MHz") != std::string::npos);
  CHECK(sustained_notes[1].find("attention_fwd_fa2, attention_bwd_fa2's data ran at 1830 MHz") !=
        std::string::npos);
  REQUIRE(boost_notes.size() == 1);
  CHECK(boost_notes[0].find("its data ran at 1600 MHz") != std::string::npos);
  CHECK(boost_notes[0].find("1830 MHz") != std::string::npos);
}

TEST_CASE("Profile choice: no GEMM runs faster than the fastest point its class was fitted to",
          "[profile]") {
  // The H100 BF16 class: XLA's table and MAMF's best shapes; the fit's efficiency (0.84 of
  // peak) would put a large square GEMM above every measured point.
  const Scenario s = deepseek({"cluster.gpu=H100", "clock=boost",
                               "calibration=calibration/h100-published.yaml"});
  const calibration::Profile p = scenario_profile(s);
  const calibration::ClassProfile* c = p.find(calibration::KernelClass::kGemmBf16);
  REQUIRE(c != nullptr);
  double best = 0.0;  // the fastest point, FLOP/s
  for (const calibration::ProfilePoint& pt : c->points) {
    const auto w = calibration::work_of(c->kernel_class, pt.shape, c->model.tile, c->model.units);
    best = std::max(best, w.flops / pt.measured_s);
  }
  CHECK(c->model.max_compute_fraction * c->model.peak_flops_per_s == Approx(best));
  OperatorTimer timer(p, s.cluster);
  const double flops = 2.0 * 16384.0 * 16384.0 * 16384.0;
  const double t = timer.time(GemmOp{Precision::kBF16, 16384, 16384, 16384}).seconds;
  CHECK(flops / t <= best * (1 + 1e-9));
  CHECK(flops / t == Approx(best).epsilon(0.02));  // the ceiling binds here
  // Without the ceiling the fit alone would be faster.
  calibration::Profile off = p;
  for (auto& k : off.classes) k.model.max_compute_fraction = 0.0;
  OperatorTimer free_timer(off, s.cluster);
  CHECK(free_timer.time(GemmOp{Precision::kBF16, 16384, 16384, 16384}).seconds < t);
  CHECK(std::any_of(p.notes.begin(), p.notes.end(), [](const std::string& n) {
    return n.find("no call runs faster than the fastest point") != std::string::npos;
  }));
}

TEST_CASE("Profile choice: a kernel faster than the GPU's peak is an internal error, never a result",
          "[profile]") {
  const Scenario s = deepseek();
  calibration::Profile p = scenario_profile(s);
  for (auto& c : p.classes) {
    c.model.max_compute_fraction = 0.0;  // the measured ceiling would hide the broken fit
    if (c.kernel_class == calibration::KernelClass::kGemmBf16) c.model.compute_efficiency = 1.6;
    if (c.kernel_class == calibration::KernelClass::kMemoryBound) c.model.memory_efficiency = 1.3;
  }
  OperatorTimer timer(p, s.cluster);
  CHECK_THROWS_AS(timer.time(GemmOp{Precision::kBF16, 8192, 8192, 8192}), InternalError);
  CHECK_THROWS_AS(timer.time(MemoryBoundOp{1e10}), InternalError);
  // Within the peaks, it times.
  CHECK(timer.time(GemmOp{Precision::kFP8, 8192, 8192, 8192}).seconds > 0);
}
