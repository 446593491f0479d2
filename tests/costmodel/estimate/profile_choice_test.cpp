// Which kernel profile a scenario runs with: the cluster's GPU must match the profile's, the
// GPU's own published profile is the default, and the run's clock scales the compute peaks.
#include <catch2/catch.hpp>

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
  const double ratio = (fp8.peak_flops_per_s * fp8.compute_efficiency) /
                       (bf16.peak_flops_per_s * bf16.compute_efficiency);
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
  REQUIRE(scenario_profile(sustained).notes.size() == 1);
  CHECK(scenario_profile(sustained).notes[0].find("gemm_bf16's data ran at 1830 MHz") !=
        std::string::npos);
  REQUIRE(scenario_profile(boost).notes.size() == 1);
  CHECK(scenario_profile(boost).notes[0].find("its data ran at 1600 MHz") != std::string::npos);
  CHECK(scenario_profile(boost).notes[0].find("1830 MHz") != std::string::npos);
}

TEST_CASE("Profile choice: a kernel faster than the GPU's peak is an internal error, never a result",
          "[profile]") {
  const Scenario s = deepseek();
  calibration::Profile p = scenario_profile(s);
  for (auto& c : p.classes) {
    if (c.kernel_class == calibration::KernelClass::kGemmBf16) c.model.compute_efficiency = 1.6;
    if (c.kernel_class == calibration::KernelClass::kMemoryBound) c.model.memory_efficiency = 1.3;
  }
  OperatorTimer timer(p, s.cluster);
  CHECK_THROWS_AS(timer.time(GemmOp{Precision::kBF16, 8192, 8192, 8192}), InternalError);
  CHECK_THROWS_AS(timer.time(MemoryBoundOp{1e10}), InternalError);
  // Within the peaks, it times.
  CHECK(timer.time(GemmOp{Precision::kFP8, 8192, 8192, 8192}).seconds > 0);
}
