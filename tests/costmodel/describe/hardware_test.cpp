#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "costmodel/describe/hardware.hpp"

using namespace llmsim;

namespace {

// Splits one CSV line, honouring double quotes ("" is a literal quote).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// (gpu, metric) -> value, from scenarios/reference/hardware_specs.csv.
std::map<std::pair<std::string, std::string>, std::string> read_specs() {
  std::ifstream in(std::string(LLMSIM_SOURCE_DIR) + "/scenarios/reference/hardware_specs.csv");
  REQUIRE(in);
  std::map<std::pair<std::string, std::string>, std::string> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto f = split_csv(line);
    if (f.size() >= 3) out[{f[0], f[1]}] = f[2];
  }
  return out;
}

}  // namespace

TEST_CASE("Hardware catalog: every built-in figure is the reference CSV's", "[hardware]") {
  const auto csv = read_specs();
  const std::map<std::string, std::string> row{{"H800", "H800 SXM"},
                                               {"H100", "H100 SXM"},
                                               {"H200", "H200 SXM"},
                                               {"A100-80GB", "A100 SXM 80GB"},
                                               {"A100-40GB", "A100 SXM 40GB"},
                                               {"B200", "B200 (HGX, 1000 W)"}};
  const auto gpus = builtin_gpus();
  REQUIRE(gpus.size() == 6);
  for (const auto& g : gpus) {
    INFO(g.name);
    const std::string r = row.at(g.name);
    auto value = [&](const char* metric) { return std::stod(csv.at({r, metric})); };
    CHECK(g.bf16_tflops == Approx(value("bf16_fp16_tensor_dense")));
    if (g.has_fp8()) CHECK(g.fp8_tflops == Approx(value("fp8_tensor_dense")));
    else CHECK(csv.at({r, "fp8_tensor_dense"}) == "n/a");
    CHECK(g.tf32_tflops == Approx(value("tf32_tensor_dense")));
    CHECK(g.hbm_bytes == Approx(value("hbm_capacity") * 1e9));
    CHECK(g.hbm_bytes_per_second == Approx(value("hbm_bandwidth") * 1e12));
    CHECK(g.nvlink_gbps_bidirectional == Approx(value("nvlink_bw_total")));
    CHECK(g.sm_count == static_cast<int>(value("sm_count")));
    // Clocks: absent rows are unknown (0).
    auto clock = [&](const char* metric) {
      auto it = csv.find({r, metric});
      return it == csv.end() ? 0.0 : std::stod(it->second);
    };
    CHECK(g.boost_clock_mhz == Approx(clock("boost_clock_for_peak")));
    CHECK(g.sustained_clock_mhz == Approx(clock("sustained_clock_under_load")));
  }
}

TEST_CASE("Hardware catalog: lookup ignores case and user GPUs come first", "[hardware]") {
  CHECK(find_gpu("h800")->name == "H800");
  CHECK_FALSE(find_gpu("H900").has_value());
  GpuSpec mine;
  mine.name = "H100";
  mine.bf16_tflops = 1.0;
  CHECK(find_gpu("H100", {mine})->bf16_tflops == 1.0);
  CHECK(gpu_name_list().find("A100-80GB") != std::string::npos);
}
