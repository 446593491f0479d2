#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/calibration/published_tables.hpp"
#include "sim/check.hpp"

using namespace llmsim::calibration;

namespace {

const std::string kSource = LLMSIM_SOURCE_DIR;
const std::string kCommitted = kSource + "/scenarios/calibration/h800-published.yaml";
// Every GPU with a published profile (llmsim calibrate --from-tables <device>).
const std::vector<std::string> kDevices = {"h800", "h800-deepgemm-initial", "h100", "h200", "a100-80gb", "a100-40gb",
                                           "b200"};

std::string committed_path(const std::string& device) {
  return kSource + "/scenarios/calibration/" + device + "-published.yaml";
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path.string();
}

KernelShape gemm(std::int64_t m, std::int64_t n, std::int64_t k) { return gemm_shape(m, n, k); }

}  // namespace

TEST_CASE("Profile: each committed published profile is what the tables produce (golden)",
          "[calibration]") {
  for (const std::string& device : kDevices) {
    INFO(device);
    const Profile committed = load_profile(committed_path(device));
    Profile fresh =
        fit_published_profile(device, kSource + "/scenarios/reference", committed.date);
    fresh.generator = committed.generator;
    // A change that moves a fitted number must regenerate the profiles on purpose:
    //   llmsim calibrate --from-tables h800 --out scenarios/calibration/h800-published.yaml
    // and the same for h800-deepgemm-initial, h100, h200, a100-80gb, a100-40gb and b200.
    CHECK(profile_to_yaml(fresh) == read_text(committed_path(device)));
  }
}

TEST_CASE("Profile: YAML and JSON round trips keep every parameter", "[calibration]") {
  const Profile p = load_profile(kCommitted);
  for (const std::string ext : {".yaml", ".json"}) {
    const std::string path = write_temp("llmsim_profile_roundtrip" + ext, profile_to_text(p, ext));
    const Profile q = load_profile(path);
    REQUIRE(q.classes.size() == p.classes.size());
    for (std::size_t i = 0; i < p.classes.size(); ++i) {
      CHECK(q.classes[i].kernel_class == p.classes[i].kernel_class);
      CHECK(q.classes[i].assumption == p.classes[i].assumption);
      CHECK(q.classes[i].clock_mhz == p.classes[i].clock_mhz);
      CHECK(q.classes[i].clock_source == p.classes[i].clock_source);
      CHECK(q.classes[i].model.tile.policy == p.classes[i].model.tile.policy);
      CHECK(q.classes[i].points.size() == p.classes[i].points.size());
    }
    const KernelShape s = gemm(4096, 7168, 2048);
    CHECK(predict_seconds(q, KernelClass::kGemmFp8, s) ==
          Approx(predict_seconds(p, KernelClass::kGemmFp8, s)).epsilon(1e-6));
    // The nccl-tests sweep comes back whole.
    REQUIRE(p.collectives);
    REQUIRE(q.collectives);
    CHECK(q.collectives->points.size() == p.collectives->points.size());
    CHECK(q.collectives->assumption == p.collectives->assumption);
    CHECK(q.collectives->excess_seconds(64e6) == Approx(p.collectives->excess_seconds(64e6)));
    std::filesystem::remove(path);
  }
}

TEST_CASE("Profile: an nccl-tests sweep out of size order is an error naming the point",
          "[calibration]") {
  std::string text = read_text(kCommitted);
  const std::string key = "- {bytes: 2048,";
  const auto at = text.find(key);
  REQUIRE(at != std::string::npos);
  text.replace(at, key.size(), "- {bytes: 512,");
  const std::string path = write_temp("llmsim_bad_sweep.yaml", text);
  CHECK_THROWS_WITH(load_profile(path), Catch::Contains("llmsim_bad_sweep.yaml:") &&
                                            Catch::Contains("collectives.points[1].bytes") &&
                                            Catch::Contains("ascending"));
  std::filesystem::remove(path);
}

TEST_CASE("Profile: a class the profile lacks is an error naming class and profile", "[calibration]") {
  const Profile p = load_profile(kCommitted);
  KernelShape s;
  s.rows = 4096;
  s.cols = 7168;
  CHECK_THROWS_WITH(predict_seconds(p, KernelClass::kRmsNorm, s),
                    Catch::Contains("'h800-published'") && Catch::Contains("'rmsnorm'") &&
                        Catch::Contains("h800-published.yaml"));
}

TEST_CASE("Profile: H800 predictions land near DeepGEMM's rows and keep assumptions", "[calibration]") {
  const Profile p = load_profile(kCommitted);
  // deepgemm_h800_normal.csv, 327ec92: m=4096 n=7168 k=16384 at 1520 TFLOPS,
  // i.e. 2 * 4096 * 7168 * 16384 / 1520e12 = 632.9 us. Within 15%.
  const double table = 2.0 * 4096 * 7168 * 16384 / 1520e12;
  CHECK(predict_seconds(p, KernelClass::kGemmFp8, gemm(4096, 7168, 16384)) ==
        Approx(table).epsilon(0.15));
  // BF16: the class fitted to the H100's XLA table stands for the H800 (the same GH100 die),
  // which says so; it keeps the H100 table's rows, held-out errors and clock. At the half
  // peak it is slower than FP8.
  const ClassProfile& bf16 = require_class(p, KernelClass::kGemmBf16);
  CHECK(!bf16.is_fitted());
  CHECK_THAT(bf16.assumption, Catch::Contains("GH100"));
  CHECK_THAT(bf16.source, Catch::Contains("gemm_h100.csv") && Catch::Contains("sm_90"));
  CHECK(bf16.clock_mhz == 1830.0);
  CHECK_THAT(bf16.holdout_method, Catch::Contains("every 4th row"));
  REQUIRE(bf16.holdout_mape_pct.has_value());
  CHECK(*bf16.holdout_mape_pct < 10.0);
  // XLA's 375 BF16 rows (batch 1, 2, 4) and MAMF's two best shapes as checks.
  REQUIRE(bf16.points.size() == 377);
  for (const auto& pt : bf16.points) {
    INFO(pt.label);
    CHECK((pt.label.rfind("gemm_h100.csv row ", 0) == 0 ||
           pt.label.rfind("check, never fitted: gemm_h100.csv row ", 0) == 0));
  }
  CHECK(bf16.model.peak_flops_per_s == Approx(989e12));  // the H800's peak, not the H100's
  CHECK(predict_seconds(p, KernelClass::kGemmBf16, gemm(4096, 7168, 16384)) >
        1.5 * predict_seconds(p, KernelClass::kGemmFp8, gemm(4096, 7168, 16384)));
  // The fitted classes carry leave-one-out errors.
  const ClassProfile& fp8 = require_class(p, KernelClass::kGemmFp8);
  REQUIRE(fp8.holdout_mape_pct.has_value());
  CHECK(fp8.holdout_method == "leave-one-out");
  CHECK(*fp8.holdout_mape_pct < 10.0);
  // Issue #5: every row of DeepGEMM's dense table within 15% when it is held out.
  REQUIRE(fp8.points.size() == 18);
  for (const auto& pt : fp8.points) {
    INFO(pt.label);
    REQUIRE(pt.holdout_error_pct.has_value());
    CHECK(*pt.holdout_error_pct < 15.0);
  }
  CHECK(*fp8.holdout_max_pct < 15.0);
  const ClassProfile& grouped = require_class(p, KernelClass::kGroupedGemmFp8);
  CHECK(*grouped.holdout_max_pct < 15.0);
}

TEST_CASE("Profile: bad files fail with file, line and key", "[calibration]") {
  std::string text = read_text(kCommitted);
  const std::string key = "compute_efficiency: ";
  const auto at = text.find(key);
  REQUIRE(at != std::string::npos);
  const auto eol = text.find('\n', at);
  text.replace(at, eol - at, key + "-1");
  const std::string path = write_temp("llmsim_bad_profile.yaml", text);
  CHECK_THROWS_WITH(load_profile(path), Catch::Contains("llmsim_bad_profile.yaml:") &&
                                            Catch::Contains("classes[0].model.compute_efficiency"));
  std::filesystem::remove(path);
}

TEST_CASE("read_deepgemm_table: the newest revision of each shape", "[calibration]") {
  const auto rows = read_deepgemm_table(kSource + "/scenarios/reference/deepgemm_h800_normal.csv", false);
  // 18 shapes, each published in three README revisions; 4096x2112x7168 was 1058 TFLOPS
  // (a6d97a1), 1009 (55ab91f) and 1127 (327ec92, newest): time = 2*4096*2112*7168 / 1127e12.
  REQUIRE(rows.size() == 18);
  bool found = false;
  for (const auto& r : rows) {
    if (r.shape.m == 4096 && r.shape.n == 2112) {
      found = true;
      CHECK(r.seconds == Approx(2.0 * 4096 * 2112 * 7168 / 1127e12));
    }
  }
  CHECK(found);
}

TEST_CASE("Profile: every class of every shipped profile says its source", "[calibration]") {
  for (const std::string& device : kDevices) {
    const Profile p = load_profile(committed_path(device));
    CHECK(!p.classes.empty());
    for (const ClassProfile& c : p.classes) {
      INFO(device << ": " << kernel_class_name(c.kernel_class));
      CHECK(!c.source.empty());
      CHECK(!c.peak_source.empty());
      // A class without rows of its own says which rule stands in.
      if (c.points.empty()) CHECK(!c.assumption.empty());
      // A class whose data ran at a clock of its own says where that clock comes from.
      if (c.clock_mhz > 0.0) CHECK(!c.clock_source.empty());
      for (const ProfilePoint& pt : c.points) CHECK(!pt.label.empty());
    }
  }
}

TEST_CASE("Profile: each class's held-out error is what its points say", "[calibration]") {
  for (const std::string& device : kDevices) {
    const Profile p = load_profile(committed_path(device));
    for (const ClassProfile& c : p.classes) {
      INFO(device << ": " << kernel_class_name(c.kernel_class) << " (" << c.holdout_method << ")");
      if (!c.holdout_mape_pct) {
        CHECK(c.holdout_points == 0);
        continue;
      }
      std::vector<double> errors;
      for (const ProfilePoint& pt : c.points) {
        if (pt.holdout_error_pct) errors.push_back(*pt.holdout_error_pct);
      }
      REQUIRE(static_cast<int>(errors.size()) == c.holdout_points);
      const double mean = std::accumulate(errors.begin(), errors.end(), 0.0) / errors.size();
      CHECK(mean == Approx(*c.holdout_mape_pct).epsilon(1e-5));
      CHECK(*std::max_element(errors.begin(), errors.end()) ==
            Approx(*c.holdout_max_pct).epsilon(1e-5));
      // The points' predictions are the class model's, unless the rows are another GPU's
      // (then they are the fit's at that GPU's peaks, and the model that fit moved here).
      const bool sibling = c.holdout_method.find("other GPU's rows") != std::string::npos;
      for (const ProfilePoint& pt : c.points) {
        INFO(pt.label);
        if (!sibling) {
          // The points record the fit's own prediction: the model without the ceiling
          // load_profile adds from them.
          KernelModel fitted = c.model;
          fitted.max_compute_fraction = 0.0;
          const double t = predict_work_seconds(
              fitted, work_of(c.kernel_class, pt.shape, c.model.tile, c.model.units));
          CHECK(pt.predicted_s == Approx(t).epsilon(1e-5));
        }
        // A point the fit never saw (every 4th row, a check) has the one fit's error; a
        // leave-one-out point, the error of the fit without it (not recomputable here).
        if (pt.held_out) {
          REQUIRE(pt.holdout_error_pct.has_value());
          CHECK(*pt.holdout_error_pct ==
                Approx(100.0 * std::abs(pt.predicted_s - pt.measured_s) / pt.measured_s)
                    .margin(1e-3));
        }
      }
    }
  }
}

TEST_CASE("Profile: classes fitted to each GPU's own tables", "[calibration]") {
  auto load = [](const std::string& device) { return load_profile(committed_path(device)); };
  // H100: BF16 GEMM from XLA's sm_90 table, memory from BabelStream, attention from FA3.
  const Profile h100 = load("h100");
  const ClassProfile& bf16 = require_class(h100, KernelClass::kGemmBf16);
  CHECK(bf16.is_fitted());
  CHECK(bf16.clock_mhz == 1830.0);
  CHECK(*bf16.holdout_mape_pct < 10.0);
  const ClassProfile& mem = require_class(h100, KernelClass::kMemoryBound);
  CHECK(mem.is_fitted());
  CHECK_THAT(mem.source, Catch::Contains("BabelStream"));
  // Copy / Mul 2.9, Add / Triad 2.97 TB/s of 3.35.
  CHECK(mem.model.memory_efficiency == Approx(2.94 / 3.35).epsilon(0.01));
  const ClassProfile& fwd = require_class(h100, KernelClass::kAttentionFwd);
  CHECK(fwd.is_fitted());
  CHECK_THAT(fwd.source, Catch::Contains("FlashAttention-3"));
  CHECK(*fwd.holdout_max_pct < 10.0);
  // The backward keeps the stated ratio to the fitted forward; FP8 stays H800's DeepGEMM fit.
  CHECK(require_class(h100, KernelClass::kAttentionBwd).model.compute_efficiency ==
        Approx(fwd.model.compute_efficiency * 1000.0 / 1460.0));
  CHECK_THAT(require_class(h100, KernelClass::kGemmFp8).source, Catch::Contains("DeepGEMM"));

  // H200: the H100's fits at the H200's peaks; its own BabelStream.
  const Profile h200 = load("h200");
  const ClassProfile& bf16_h200 = require_class(h200, KernelClass::kGemmBf16);
  CHECK_THAT(bf16_h200.assumption, Catch::Contains("GH100"));
  CHECK(bf16_h200.model.compute_efficiency == Approx(bf16.model.compute_efficiency));
  CHECK(bf16_h200.model.peak_bytes_per_s == Approx(4.8e12));
  CHECK(require_class(h200, KernelClass::kMemoryBound).model.memory_efficiency ==
        Approx(4.08 / 4.8).epsilon(0.01));

  // A100-80GB: cuBLASLt + MAMF GEMMs (leave-one-out), FA2 attention; the 40GB takes them.
  const Profile a100 = load("a100-80gb");
  const ClassProfile& gemm_a100 = require_class(a100, KernelClass::kGemmBf16);
  CHECK(gemm_a100.is_fitted());
  CHECK(gemm_a100.holdout_method == "leave-one-out");
  CHECK(gemm_a100.points.size() == 10);
  CHECK(gemm_a100.clock_mhz == 1410.0);
  CHECK_THAT(require_class(a100, KernelClass::kAttentionFwd).assumption,
             Catch::Contains("fwd+bwd"));
  const Profile a100_40 = load("a100-40gb");
  const ClassProfile& gemm_40 = require_class(a100_40, KernelClass::kGemmBf16);
  CHECK_THAT(gemm_40.assumption, Catch::Contains("GA100"));
  CHECK(gemm_40.model.compute_efficiency == Approx(gemm_a100.model.compute_efficiency));
  CHECK(gemm_40.model.peak_bytes_per_s == Approx(1.555e12));

  // B200: BF16 and FP8 from XLA's sm_100 table, MAMF's best shape as a check; the rest H800's.
  const Profile b200 = load("b200");
  for (KernelClass k : {KernelClass::kGemmBf16, KernelClass::kGemmFp8}) {
    const ClassProfile& c = require_class(b200, k);
    INFO(kernel_class_name(k));
    CHECK(c.is_fitted());
    CHECK_THAT(c.source, Catch::Contains("sm_100"));
    CHECK(c.points.back().label.rfind("check, never fitted: gemm_b200.csv", 0) == 0);
    CHECK(*c.holdout_mape_pct < 10.0);
  }
  CHECK_THAT(require_class(b200, KernelClass::kGroupedGemmFp8).assumption,
             Catch::Contains("no kernel table for the B200"));
}

TEST_CASE("Profile: at_clock scales each class from the clock its data ran at", "[calibration]") {
  const Profile p = load_profile(kCommitted);
  const ClassProfile& fp8 = require_class(p, KernelClass::kGemmFp8);
  const ClassProfile& bf16 = require_class(p, KernelClass::kGemmBf16);
  REQUIRE(p.clock_mhz == 1600.0);
  REQUIRE(fp8.clock_mhz == 0.0);  // the profile's
  REQUIRE(bf16.clock_mhz == 1830.0);
  // At 1600 MHz: DeepGEMM's classes as fitted, the XLA-fitted BF16 GEMM slowed to 1600 / 1830.
  const Profile at1600 = at_clock(p, 1600.0, "test");
  CHECK(require_class(at1600, KernelClass::kGemmFp8).model.peak_flops_per_s ==
        fp8.model.peak_flops_per_s);
  CHECK(require_class(at1600, KernelClass::kGemmBf16).model.peak_flops_per_s ==
        Approx(bf16.model.peak_flops_per_s * 1600.0 / 1830.0));
  // gemm_bf16 (XLA's table) and the FA2 classes (tritonbench, Azure) ran at 1830 MHz: one
  // note per data source.
  REQUIRE(at1600.notes.size() == 2);
  CHECK_THAT(at1600.notes[0], Catch::Contains("gemm_bf16") && Catch::Contains("1830 MHz"));
  CHECK_THAT(at1600.notes[1], Catch::Contains("attention_fwd_fa2") && Catch::Contains("1830 MHz"));
  // At 1830 MHz: the other way round.
  const Profile at1830 = at_clock(p, 1830.0, "test");
  CHECK(require_class(at1830, KernelClass::kGemmFp8).model.peak_flops_per_s ==
        Approx(fp8.model.peak_flops_per_s * 1830.0 / 1600.0));
  CHECK(require_class(at1830, KernelClass::kGemmBf16).model.peak_flops_per_s ==
        bf16.model.peak_flops_per_s);
  REQUIRE(at1830.notes.size() == 1);
  CHECK_THAT(at1830.notes[0], Catch::Contains("its data ran at 1600 MHz"));
  // Memory-bound classes never scale.
  CHECK(require_class(at1830, KernelClass::kMemoryBound).model.memory_efficiency ==
        require_class(p, KernelClass::kMemoryBound).model.memory_efficiency);
}
