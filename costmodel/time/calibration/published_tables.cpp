#include "costmodel/time/calibration/published_tables.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "costmodel/time/calibration/csv_table.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

// One figure of a table (FlashMLA) found by the text of its kernel / gpu / metric columns.
struct Figure {
  double value = 0.0;
  std::string unit;
  std::string source;
};

Figure find_figure(const CsvTable& t, const std::string& kernel, const std::string& gpu,
                   const std::string& metric) {
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (t.text(r, "kernel") == kernel && t.text(r, "gpu") == gpu && t.text(r, "metric") == metric) {
      return Figure{t.number(r, "value"), t.text(r, "unit"), t.text(r, "source")};
    }
  }
  throw UserError(fmt::format("{}: no row with kernel = '{}', gpu = '{}', metric = '{}'", t.file(),
                              kernel, gpu, metric));
}

void attach_points(ClassProfile& cp, const std::vector<Measurement>& points,
                   const std::vector<double>& loo_errors) {
  for (std::size_t i = 0; i < points.size(); ++i) {
    ProfilePoint pp;
    pp.shape = points[i].shape;
    pp.measured_s = points[i].seconds;
    pp.predicted_s =
        predict_work_seconds(cp.model, work_of(cp.kernel_class, points[i].shape, cp.model.tile, cp.model.units));
    pp.label = points[i].label;
    if (i < loo_errors.size()) pp.holdout_error_pct = loo_errors[i];
    cp.points.push_back(pp);
  }
}

// Fits `c` to `points` with every parameter free and reports leave-one-out errors.
ClassProfile fit_table_class(KernelClass c, const std::vector<Measurement>& points,
                             const KernelModel& start, bool fit_iteration_floor,
                             const std::string& source, const std::string& peak_source) {
  // Every parameter free but the saturation fraction (no table row has too few tiles to
  // fill the SMs under DeepGEMM's tile choice, so the data cannot pin it).
  FreeParameters free;
  free.compute_efficiency = free.memory_efficiency = free.combine_exponent = true;
  free.overhead = free.cache_bandwidth = free.wave_overhead = true;
  free.iteration_floor = fit_iteration_floor;
  free.max_efficiency = 1.0;
  const FitResult fit = fit_kernel_model(c, points, start, free);
  const std::vector<double> loo = leave_one_out_errors(c, points, start, free);
  ClassProfile cp;
  cp.kernel_class = c;
  cp.model = fit.model;
  cp.source = source;
  cp.peak_source = peak_source;
  cp.holdout_method = "leave-one-out";
  cp.fit_points = fit.points;
  cp.holdout_points = static_cast<int>(points.size());
  cp.train_mape_pct = fit.train_mape_pct;
  cp.holdout_mape_pct = mean_of(loo);
  cp.holdout_max_pct = max_of(loo);
  attach_points(cp, points, loo);
  return cp;
}

}  // namespace

DevicePeaks read_device_peaks(const std::string& hardware_csv, const std::string& gpu) {
  const CsvTable t = CsvTable::load(hardware_csv);
  DevicePeaks p;
  p.gpu = gpu;
  std::vector<std::string> used;
  auto get = [&](const std::string& metric, const std::string& unit) {
    for (std::size_t r = 0; r < t.rows(); ++r) {
      if (t.text(r, "gpu") == gpu && t.text(r, "metric") == metric) {
        if (t.text(r, "value") == "n/a") return 0.0;  // the GPU lacks it (FP8 on Ampere)
        if (t.text(r, "unit") != unit) {
          throw UserError(fmt::format("{} = '{}': expected unit {}", t.where(r, "unit"),
                                      t.text(r, "unit"), unit));
        }
        used.push_back(fmt::format("{} {} = {} {} ({})", gpu, metric, t.text(r, "value"), unit,
                                   t.text(r, "source")));
        return t.number(r, "value");
      }
    }
    throw UserError(fmt::format("{}: no row for gpu '{}', metric '{}'", hardware_csv, gpu, metric));
  };
  p.bf16_flops_per_s = get("bf16_fp16_tensor_dense", "TFLOPS") * 1e12;
  p.fp8_flops_per_s = get("fp8_tensor_dense", "TFLOPS") * 1e12;
  p.hbm_bytes_per_s = get("hbm_bandwidth", "TB/s") * 1e12;
  p.sm_count = static_cast<int>(get("sm_count", "SMs"));
  p.source = "hardware_specs.csv: ";
  for (std::size_t i = 0; i < used.size(); ++i) p.source += (i ? "; " : "") + used[i];
  return p;
}

std::vector<Measurement> read_deepgemm_table(const std::string& path, bool grouped) {
  const CsvTable t = CsvTable::load(path);
  // Newest revision of each shape: key (groups, m, n, k) -> row with the latest readme_date.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>, std::size_t> newest;
  std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> order;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const auto g = grouped ? static_cast<std::int64_t>(t.number(r, "groups")) : 1;
    const auto m = static_cast<std::int64_t>(t.number(r, grouped ? "M_per_group" : "M"));
    const auto n = static_cast<std::int64_t>(t.number(r, "N"));
    const auto k = static_cast<std::int64_t>(t.number(r, "K"));
    const auto key = std::make_tuple(g, m, n, k);
    auto it = newest.find(key);
    if (it == newest.end()) {
      newest[key] = r;
      order.push_back(key);
    } else if (t.text(r, "readme_date") > t.text(it->second, "readme_date")) {
      it->second = r;
    }
  }
  std::vector<Measurement> out;
  for (const auto& key : order) {
    const std::size_t r = newest[key];
    Measurement m;
    m.shape.groups = std::get<0>(key);
    m.shape.m = std::get<1>(key);
    m.shape.n = std::get<2>(key);
    m.shape.k = std::get<3>(key);
    const double tflops = t.number(r, "tflops");
    if (!(tflops > 0.0)) throw UserError(fmt::format("{}: must be positive", t.where(r, "tflops")));
    const double flops = 2.0 * static_cast<double>(m.shape.groups * m.shape.m) *
                         static_cast<double>(m.shape.n) * static_cast<double>(m.shape.k);
    m.seconds = flops / (tflops * 1e12);
    // The file's name only: a profile must read the same in every clone.
    m.label = fmt::format("{} row {} ({} TFLOPS; DeepGEMM README @ {}, {})",
                          std::filesystem::path(path).filename().string(), r + 2,
                          t.text(r, "tflops"), t.text(r, "readme_commit"),
                          t.text(r, "readme_date"));
    out.push_back(m);
  }
  return out;
}

namespace {

// The profile's identity and sources: everything but its classes.
Profile published_profile_header(const std::string& date) {
  Profile p;
  p.name = "h800-published";
  p.device = "H800 SXM5 (published tables; no local measurement)";
  p.gpu = "H800";
  p.clock_mhz = 1600.0;
  p.clock_source =
      "assumed: DeepGEMM's and FlashMLA's tables were measured on DeepSeek's H800s, which "
      "throttle to ~1600 MHz under such load (FlashMLA deep-dive 2025-04-22, "
      "hardware_specs.csv H800 SXM sustained_clock_under_load)";
  p.date = date;
  p.method = "published tables";
  p.generator = "llmsim calibrate --from-tables h800";
  p.sources = {"scenarios/reference/hardware_specs.csv",
               "scenarios/reference/deepgemm_h800_normal.csv",
               "scenarios/reference/deepgemm_h800_grouped_contiguous.csv",
               "scenarios/reference/deepgemm_h800_grouped_masked.csv",
               "scenarios/reference/flashmla_h800.csv"};
  return p;
}

// Tiles: DeepGEMM picks its block per shape (TilePolicy::kWaveOptimal, block_m 64 or 128,
// block_n up to 128); units: the SM count.
KernelModel fp8_start_model(const DevicePeaks& peaks) {
  KernelModel fp8;
  fp8.peak_flops_per_s = peaks.fp8_flops_per_s;
  fp8.peak_bytes_per_s = peaks.hbm_bytes_per_s;
  fp8.units = peaks.sm_count;
  fp8.tile = TileShape{128, 128, TilePolicy::kWaveOptimal};
  fp8.compute_efficiency = 0.7;
  fp8.memory_efficiency = 0.7;
  fp8.saturation_fraction = 0.0;
  fp8.combine_exponent = 2.0;
  fp8.overhead_s = 3e-6;
  fp8.cache_bandwidth_factor = 3.0;
  fp8.wave_overhead_s = 0.3e-6;
  fp8.iteration_floor_s = 0.05e-6;
  return fp8;
}

// BF16 GEMM: no published H800 table. Assumption: the BF16 kernel reaches the same
// fraction of its (half) peak as DeepGEMM's FP8 kernel, with twice the input bytes.
ClassProfile bf16_from_fp8(const ClassProfile& gemm, const DevicePeaks& peaks) {
  ClassProfile bf16 = gemm;
  bf16.kernel_class = KernelClass::kGemmBf16;
  bf16.model.peak_flops_per_s = peaks.bf16_flops_per_s;
  bf16.peak_source = fmt::format("BF16 peak, HBM bandwidth, SMs from {}", peaks.source);
  bf16.source = "gemm_fp8's parameters, fitted to DeepGEMM's FP8 table";
  bf16.assumption =
      fmt::format("no published H800 BF16 GEMM table: a BF16 GEMM is assumed to reach the same "
                  "fraction of the BF16 dense peak ({:.0f} TFLOPS) as DeepGEMM's FP8 GEMM reaches "
                  "of the FP8 peak, with the same tile, wave and bandwidth behaviour (BF16 "
                  "inputs move twice the bytes)",
                  peaks.bf16_flops_per_s / 1e12);
  bf16.holdout_method = "none";
  bf16.holdout_mape_pct.reset();
  bf16.holdout_max_pct.reset();
  bf16.holdout_points = 0;
  bf16.points.clear();
  return bf16;
}

// `call_s`: the fixed time of a kernel call (see add_flashmla_classes).
ClassProfile memory_bound_from_flashmla(const Figure& mem, const DevicePeaks& peaks,
                                        double call_s) {
  ClassProfile memb;
  memb.kernel_class = KernelClass::kMemoryBound;
  memb.model.peak_bytes_per_s = peaks.hbm_bytes_per_s;
  memb.model.units = peaks.sm_count;
  memb.model.memory_efficiency = mem.value * 1e9 / peaks.hbm_bytes_per_s;
  memb.model.overhead_s = call_s;
  memb.peak_source = fmt::format("HBM bandwidth from {}", peaks.source);
  memb.source = fmt::format("flashmla_h800.csv: dense MLA decode memory-bound {} {} ({})",
                            mem.value, mem.unit, mem.source);
  memb.assumption = fmt::format(
      "no published H800 table for elementwise kernels: a streaming kernel is assumed to reach "
      "the bandwidth FlashMLA's memory-bound decode reaches ({} GB/s of {} TB/s = {:.1f}%), "
      "plus the fixed time of a one-wave gemm_fp8 call (fitted overhead plus one wave's "
      "prologue and epilogue: {:.2f} us)",
      mem.value, peaks.hbm_bytes_per_s / 1e12, 100.0 * memb.model.memory_efficiency,
      call_s * 1e6);
  memb.holdout_method = "none";
  return memb;
}

ClassProfile attention_fwd_from_flashmla(const Figure& comp, const Figure& mem,
                                         const DevicePeaks& peaks, double memory_efficiency,
                                         double call_s) {
  ClassProfile fwd;
  fwd.kernel_class = KernelClass::kAttentionFwd;
  fwd.model.peak_flops_per_s = peaks.bf16_flops_per_s;
  fwd.model.peak_bytes_per_s = peaks.hbm_bytes_per_s;
  fwd.model.units = peaks.sm_count;
  fwd.model.tile = TileShape{64, 0};  // FlashMLA: 64 query rows per tile (one warpgroup pair)
  fwd.model.compute_efficiency = comp.value * 1e12 / peaks.bf16_flops_per_s;
  fwd.model.memory_efficiency = memory_efficiency;
  fwd.model.combine_exponent = 1.0;
  fwd.model.overhead_s = call_s;
  fwd.peak_source = fmt::format("BF16 peak, HBM bandwidth, SMs from {}", peaks.source);
  fwd.source = fmt::format("flashmla_h800.csv: dense MLA decode compute-bound {} {} ({}); "
                           "memory-bound {} {}",
                           comp.value, comp.unit, comp.source, mem.value, mem.unit);
  fwd.assumption = fmt::format(
      "FlashMLA publishes achieved throughput, not shapes: training attention (prefill-like) is "
      "assumed to reach FlashMLA's dense compute-bound {} TFLOPS ({:.1f}% of BF16 peak; its "
      "sparse prefill forward, 640 TFLOPS, agrees within 3%), with query tiles of 64 rows "
      "quantized over 132 SMs and the fixed time of a one-wave gemm_fp8 call",
      comp.value, 100.0 * fwd.model.compute_efficiency);
  fwd.holdout_method = "none";
  return fwd;
}

ClassProfile attention_bwd_from_b200_ratio(const ClassProfile& fwd, const Figure& b200_fwd,
                                           const Figure& b200_bwd) {
  ClassProfile bwd = fwd;
  bwd.kernel_class = KernelClass::kAttentionBwd;
  const double ratio = b200_bwd.value / b200_fwd.value;
  bwd.model.compute_efficiency = fwd.model.compute_efficiency * ratio;
  bwd.source = fmt::format("{}; flashmla_h800.csv B200 dense MHA prefill forward {} and "
                           "backward {} TFLOPS",
                           fwd.source, b200_fwd.value, b200_bwd.value);
  bwd.assumption = fmt::format(
      "no published H800 attention backward figure: the backward is assumed to keep the "
      "B200 backward/forward throughput ratio FlashMLA reports for dense MHA prefill "
      "({} / {} = {:.3f}), applied to the forward efficiency ({:.1f}% of BF16 peak)",
      b200_bwd.value, b200_fwd.value, ratio, 100.0 * bwd.model.compute_efficiency);
  return bwd;
}

// The memory-bound and attention classes, from FlashMLA's figures; `gemm`: the fitted
// gemm_fp8 class.
void add_flashmla_classes(Profile& p, const std::string& flashmla, const DevicePeaks& peaks,
                          const ClassProfile& gemm) {
  const CsvTable mla = CsvTable::load(flashmla);
  const Figure mem = find_figure(mla, "dense MLA decode (BF16), new kernel", "H800 SXM5",
                                 "memory-bound bandwidth");
  const Figure comp = find_figure(mla, "dense MLA decode (BF16), new kernel 2025-04-22",
                                  "H800 SXM5", "compute-bound");
  const Figure b200_fwd =
      find_figure(mla, "dense MHA prefill (SM100, from NVIDIA PR #76)", "B200", "forward");
  const Figure b200_bwd = find_figure(mla, "dense MHA prefill (SM100)", "B200", "backward");

  // The fixed time of a kernel call: gemm_fp8's per-call overhead plus one wave's prologue
  // and epilogue (a streaming kernel is one wave of blocks that each fill and drain).
  const double call_s = gemm.model.overhead_s + gemm.model.wave_overhead_s;
  const ClassProfile memb = memory_bound_from_flashmla(mem, peaks, call_s);
  p.classes.push_back(memb);
  const ClassProfile fwd =
      attention_fwd_from_flashmla(comp, mem, peaks, memb.model.memory_efficiency, call_s);
  p.classes.push_back(fwd);
  p.classes.push_back(attention_bwd_from_b200_ratio(fwd, b200_fwd, b200_bwd));
}

Profile fit_h800_profile(const std::string& reference_dir, const std::string& date) {
  const std::string hw = reference_dir + "/hardware_specs.csv";
  const std::string normal = reference_dir + "/deepgemm_h800_normal.csv";
  const std::string contiguous = reference_dir + "/deepgemm_h800_grouped_contiguous.csv";
  const std::string masked = reference_dir + "/deepgemm_h800_grouped_masked.csv";
  const std::string flashmla = reference_dir + "/flashmla_h800.csv";
  const DevicePeaks peaks = read_device_peaks(hw, "H800 SXM");

  Profile p = published_profile_header(date);
  const KernelModel fp8 = fp8_start_model(peaks);
  const std::string peak_fp8 = fmt::format("FP8 peak, HBM bandwidth, SMs from {}", peaks.source);

  const auto dense = read_deepgemm_table(normal, false);
  ClassProfile gemm = fit_table_class(
      KernelClass::kGemmFp8, dense, fp8, true,
      "DeepGEMM dense FP8 GEMM table (deepgemm_h800_normal.csv), newest revision of each shape; "
      "time = 2 m n k / published TFLOPS",
      peak_fp8);
  p.classes.push_back(gemm);

  auto grouped_points = read_deepgemm_table(contiguous, true);
  for (auto& m : read_deepgemm_table(masked, true)) grouped_points.push_back(m);
  // No grouped row has a thin tile (block_n >= 64 throughout), so no iteration is short
  // enough to hit the floor: the data cannot pin it, and it stays off.
  KernelModel grouped_start = fp8;
  grouped_start.iteration_floor_s = 0.0;
  p.classes.push_back(fit_table_class(
      KernelClass::kGroupedGemmFp8, grouped_points, grouped_start, false,
      "DeepGEMM grouped FP8 GEMM tables (contiguous and masked layouts), newest revision of "
      "each shape; time = 2 groups m n k / published TFLOPS",
      peak_fp8));

  p.classes.push_back(bf16_from_fp8(gemm, peaks));
  add_flashmla_classes(p, flashmla, peaks, gemm);
  return p;
}

// A GPU without kernel tables of its own: its catalog name, its hardware_specs.csv rows, and
// how the H800's tables stand in for it.
struct ScaledDevice {
  const char* device;    // --from-tables name, the catalog name in lower case
  const char* gpu;       // catalog name
  const char* csv_gpu;   // hardware_specs.csv gpu column
  double clock_mhz;      // the clock H800's efficiencies are taken to hold at
  const char* rule;      // why the H800's tables stand in
};

const std::vector<ScaledDevice>& scaled_devices() {
  static const std::vector<ScaledDevice> d = {
      {"h100", "H100", "H100 SXM", 1600.0,
       "the H800 is an H100 SXM with NVLink cut to 400 GB/s and FP64 reduced (hardware_specs.csv): "
       "same GH100 die, 132 SMs, tensor peaks, HBM3 bandwidth and clocks, so DeepGEMM's and "
       "FlashMLA's H800 tables stand for the H100 unchanged"},
      {"h200", "H200", "H200 SXM", 1600.0,
       "the H200 is the H100's GH100 die with 141 GB HBM3e at 4.8 TB/s (hardware_specs.csv): "
       "H800's fitted efficiencies are kept, at the H200's peaks (memory terms at 4.8 TB/s)"},
      {"a100-80gb", "A100-80GB", "A100 SXM 80GB", 1410.0,
       "no kernel table for the A100 ships: H800's fitted efficiencies (fractions of the peak, "
       "tile and wave behaviour) are assumed to hold at the A100's BF16 peak, HBM bandwidth and "
       "108 SMs; Ampere has no FP8 and the classes of Hopper-only kernels (FP8) are left out"},
      {"a100-40gb", "A100-40GB", "A100 SXM 40GB", 1410.0,
       "no kernel table for the A100 ships: H800's fitted efficiencies (fractions of the peak, "
       "tile and wave behaviour) are assumed to hold at the A100's BF16 peak, HBM bandwidth and "
       "108 SMs; Ampere has no FP8 and the classes of Hopper-only kernels (FP8) are left out"},
      {"b200", "B200", "B200 (HGX, 1000 W)", 0.0,
       "no kernel table for the B200 ships: H800's fitted efficiencies are assumed to hold at "
       "the B200's peaks, HBM bandwidth and 148 SMs"},
  };
  return d;
}

bool fp8_class(KernelClass c) {
  return c == KernelClass::kGemmFp8 || c == KernelClass::kGroupedGemmFp8;
}

// One H800 class moved to `peaks`: same efficiencies, this GPU's peaks and SMs.
ClassProfile scaled_class(const ClassProfile& h800, const DevicePeaks& peaks,
                          const ScaledDevice& d) {
  ClassProfile c = h800;
  const bool fp8 = fp8_class(c.kernel_class);
  if (c.model.peak_flops_per_s > 0) {
    c.model.peak_flops_per_s = fp8 ? peaks.fp8_flops_per_s : peaks.bf16_flops_per_s;
  }
  c.model.peak_bytes_per_s = peaks.hbm_bytes_per_s;
  c.model.units = peaks.sm_count;
  c.peak_source = fmt::format("{} peak, HBM bandwidth, SMs from {}", fp8 ? "FP8" : "BF16",
                              peaks.source);
  c.source = "h800-published's " + kernel_class_name(c.kernel_class) + ": " + h800.source;
  c.assumption = fmt::format("{}{}", d.rule,
                             h800.assumption.empty() ? "" : "; on the H800 itself: " + h800.assumption);
  c.holdout_method = "none";
  c.holdout_mape_pct.reset();
  c.holdout_max_pct.reset();
  c.holdout_points = 0;
  c.points.clear();
  return c;
}

Profile scaled_profile(const ScaledDevice& d, const std::string& reference_dir,
                       const std::string& date) {
  const Profile h800 = fit_h800_profile(reference_dir, date);
  const DevicePeaks peaks = read_device_peaks(reference_dir + "/hardware_specs.csv", d.csv_gpu);
  Profile p = h800;
  p.name = fmt::format("{}-published", d.device);
  p.device = fmt::format("{} (H800's published tables, scaled; no table of its own)", d.csv_gpu);
  p.gpu = d.gpu;
  p.clock_mhz = d.clock_mhz;
  p.clock_source = d.clock_mhz > 0
                       ? fmt::format("assumed: H800's efficiencies at its ~1600 MHz hold at the {}'s "
                                     "clock under load ({:.0f} MHz)",
                                     d.gpu, d.clock_mhz)
                       : std::string("not known");
  p.generator = fmt::format("llmsim calibrate --from-tables {}", d.device);
  p.classes.clear();
  for (const ClassProfile& c : h800.classes) {
    if (fp8_class(c.kernel_class) && peaks.fp8_flops_per_s <= 0) continue;
    p.classes.push_back(scaled_class(c, peaks, d));
  }
  return p;
}

std::string published_device_list() {
  std::string s = "h800";
  for (const ScaledDevice& d : scaled_devices()) s += std::string(", ") + d.device;
  return s;
}

}  // namespace

Profile fit_published_profile(const std::string& device, const std::string& reference_dir,
                              const std::string& date) {
  if (device == "h800") return fit_h800_profile(reference_dir, date);
  for (const ScaledDevice& d : scaled_devices()) {
    if (device == d.device) return scaled_profile(d, reference_dir, date);
  }
  throw UserError(fmt::format("--from-tables {}: no published tables for this device; allowed: {}",
                              quote_value(device), published_device_list()));
}

}  // namespace llmsim::calibration
