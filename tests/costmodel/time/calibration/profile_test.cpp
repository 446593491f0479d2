#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/calibration/published_tables.hpp"
#include "sim/check.hpp"

using namespace llmsim::calibration;

namespace {

const std::string kSource = LLMSIM_SOURCE_DIR;
const std::string kCommitted = kSource + "/scenarios/calibration/h800-published.yaml";

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

TEST_CASE("Profile: the committed H800 profile is what the tables produce (golden)", "[calibration]") {
  const Profile committed = load_profile(kCommitted);
  Profile fresh = fit_published_profile("h800", kSource + "/scenarios/reference", committed.date);
  fresh.generator = committed.generator;
  // A change that moves a fitted number must regenerate the profile on purpose:
  //   llmsim calibrate --from-tables h800 --out scenarios/calibration/h800-published.yaml
  CHECK(profile_to_yaml(fresh) == read_text(kCommitted));
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
      CHECK(q.classes[i].points.size() == p.classes[i].points.size());
    }
    const KernelShape s = gemm(4096, 7168, 2048);
    CHECK(predict_seconds(q, KernelClass::kGemmFp8, s) ==
          Approx(predict_seconds(p, KernelClass::kGemmFp8, s)).epsilon(1e-6));
    std::filesystem::remove(path);
  }
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
  // BF16 is filled by an assumption that says so; at the half peak it is slower than FP8.
  const ClassProfile& bf16 = require_class(p, KernelClass::kGemmBf16);
  CHECK(!bf16.is_fitted());
  CHECK_THAT(bf16.assumption, Catch::Contains("no published H800 BF16 GEMM table"));
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
