#include "costmodel/describe/hardware.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace llmsim {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

constexpr double kGB = 1e9;
constexpr double kTBps = 1e12;

// The clock the peaks are quoted at and the clock under sustained load (hardware_specs.csv
// rows boost_clock_for_peak and sustained_clock_under_load).
void set_clocks(GpuSpec& g) {
  if (g.name == "H800" || g.name == "H100" || g.name == "H200") {
    g.boost_clock_mhz = 1830.0;
    g.sustained_clock_mhz = 1600.0;
    g.clock_source =
        "hardware_specs.csv: peaks at 1830 MHz (FlashMLA deep-dive 2025-09-29: \"989 TFlops / "
        "1830 MHz / 132 SMs\"); ~1600 MHz under load, measured by DeepSeek on H800 (FlashMLA "
        "deep-dive 2025-04-22); H100 and H200 assumed the same (same GH100 die, same 700 W)";
  } else if (g.name == "A100-80GB" || g.name == "A100-40GB") {
    g.boost_clock_mhz = 1410.0;
    g.sustained_clock_mhz = 0.0;
    g.clock_source = "hardware_specs.csv: peaks at the 1410 MHz boost clock (NVIDIA A100 "
                     "datasheet: 312 TFLOPS = 108 SMs x 2048 FLOP/clock x 1410 MHz)";
  }
}

}  // namespace

std::vector<GpuSpec> builtin_gpus() {
  // Every figure is a row of scenarios/reference/hardware_specs.csv (columns gpu, metric);
  // the `source` field names the CSV rows' sources. tests/costmodel/hardware_test.cpp
  // checks this table against the CSV.
  std::vector<GpuSpec> g;
  g.push_back({"H800", 989.0, 1979.0, 494.7, 80 * kGB, 3.35 * kTBps, 400.0, 132,
               "hardware_specs.csv rows 'H800 SXM': FlashMLA deep-dive docs (989 TFLOPS BF16, "
               "3.35 TB/s); FP8 = 2x BF16 (DeepSeek-V3 report p.15); ISCA25 s4.1 (NVLink 400 GB/s); "
               "deepseek-ai/profile-data (132 SMs, 80 GB)", 0.0, 0.0, ""});
  g.push_back({"H100", 989.4, 1978.9, 494.7, 80 * kGB, 3.35 * kTBps, 900.0, 132,
               "hardware_specs.csv rows 'H100 SXM': NVIDIA H100 datasheet via "
               "glennklockwood.com and hpctech.co.jp", 0.0, 0.0, ""});
  g.push_back({"H200", 989.4, 1978.9, 494.7, 141 * kGB, 4.8 * kTBps, 900.0, 132,
               "hardware_specs.csv rows 'H200 SXM': glennklockwood.com (compute = H100), "
               "MLCommons inference v4.1 NVIDIA system file (141 GB, NVLink 900 GB/s), "
               "allaboutcircuits.com (4.8 TB/s)", 0.0, 0.0, ""});
  g.push_back({"A100-80GB", 312.0, 0.0, 156.0, 80 * kGB, 2.039 * kTBps, 600.0, 108,
               "hardware_specs.csv rows 'A100 SXM 80GB': NVIDIA A100 datasheet via "
               "glennklockwood.com (no FP8 on Ampere)", 0.0, 0.0, ""});
  g.push_back({"A100-40GB", 312.0, 0.0, 156.0, 40 * kGB, 1.555 * kTBps, 600.0, 108,
               "hardware_specs.csv rows 'A100 SXM 40GB': NVIDIA A100 datasheet (40 GB HBM2, "
               "1,555 GB/s; compute and NVLink as the 80 GB part)", 0.0, 0.0, ""});
  g.push_back({"B200", 2250.0, 4500.0, 1100.0, 192 * kGB, 8.0 * kTBps, 1800.0, 148,
               "hardware_specs.csv rows 'B200 (HGX, 1000 W)': glennklockwood.com HGX B200 "
               "table; 148 SMs from blackwell-gpu-wiki (secondary)", 0.0, 0.0, ""});
  for (GpuSpec& gpu : g) set_clocks(gpu);
  return g;
}

std::optional<GpuSpec> find_gpu(const std::string& name, const std::vector<GpuSpec>& extra) {
  const std::string want = lower(name);
  for (const auto& g : extra) {
    if (lower(g.name) == want) return g;
  }
  for (auto& g : builtin_gpus()) {
    if (lower(g.name) == want) return g;
  }
  return std::nullopt;
}

std::string gpu_name_list(const std::vector<GpuSpec>& extra) {
  std::string s;
  auto add = [&s](const std::string& n) { s += s.empty() ? n : ", " + n; };
  for (const auto& g : extra) add(g.name);
  for (const auto& g : builtin_gpus()) add(g.name);
  return s;
}

namespace {

// A declared GPU's clocks: the one its peaks are quoted at and the one it holds under sustained
// dense load (the run's default clock); the sustained one needs the boost one and a source.
void read_gpu_clocks(YamlMap& m, GpuSpec& g) {
  g.boost_clock_mhz = m.number_or("boost_clock_mhz", 0.0, 0.0, 1e5);
  g.sustained_clock_mhz = m.number_or("sustained_clock_mhz", 0.0, 0.0, 1e5);
  if (g.sustained_clock_mhz > 0.0 && !(g.boost_clock_mhz > 0.0)) {
    m.fail("sustained_clock_mhz",
           "needs boost_clock_mhz too: the clock the peaks are quoted at, which the sustained "
           "clock scales them from");
  }
  if (g.sustained_clock_mhz > g.boost_clock_mhz) {
    m.fail("sustained_clock_mhz", fmt::format("above boost_clock_mhz ({} MHz); a GPU under "
                                              "load holds at most its boost clock",
                                              g.boost_clock_mhz));
  }
  g.clock_source = m.string_or("clock_source", "");
  if (g.sustained_clock_mhz > 0.0 && g.clock_source.empty()) {
    m.fail("clock_source", "missing: say where the sustained clock comes from (a measurement, "
                           "or `assumed:` and why)");
  }
}

}  // namespace

GpuSpec read_gpu(YamlMap& m) {
  GpuSpec g;
  g.name = m.string("name");
  g.bf16_tflops = m.number("bf16_tflops", 1e-3, 1e6);
  g.fp8_tflops = m.number_or("fp8_tflops", 0.0, 0.0, 1e6);
  g.tf32_tflops = m.number_or("tf32_tflops", g.bf16_tflops / 2, 0.0, 1e6);
  g.hbm_bytes = m.number("hbm_gb", 1e-3, 1e6) * kGB;
  g.hbm_bytes_per_second = m.number("hbm_tbps", 1e-3, 1e4) * kTBps;
  g.nvlink_gbps_bidirectional = m.number_or("nvlink_gbps", 0.0, 0.0, 1e6);
  g.sm_count = static_cast<int>(m.integer_or("sm_count", 0, 0, 100000));
  g.source = m.string_or("source", "");
  read_gpu_clocks(m, g);
  m.finish({"name", "bf16_tflops", "fp8_tflops", "tf32_tflops", "hbm_gb", "hbm_tbps",
            "nvlink_gbps", "sm_count", "source", "boost_clock_mhz", "sustained_clock_mhz",
            "clock_source"});
  return g;
}

}  // namespace llmsim
