// H800: DeepGEMM's FP8 GEMM tables and FlashMLA's figures (scenarios/reference/).

#include <filesystem>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "costmodel/time/calibration/published_tables_internal.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

std::vector<Measurement> read_deepgemm_table(const std::string& path, bool grouped,
                                             bool first_release) {
  const CsvTable t = CsvTable::load(path);
  // One revision of each shape: key (groups, m, n, k) -> row with the latest readme_date (or
  // the earliest, first_release).
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
    } else if (first_release ? t.text(r, "readme_date") < t.text(it->second, "readme_date")
                             : t.text(r, "readme_date") > t.text(it->second, "readme_date")) {
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
    m.label =
        fmt::format("{} row {} ({} TFLOPS; DeepGEMM README @ {}, {})",
                    std::filesystem::path(path).filename().string(), r + 2, t.text(r, "tflops"),
                    t.text(r, "readme_commit"), t.text(r, "readme_date"));
    out.push_back(m);
  }
  return out;
}

namespace published {

namespace {

// The profile's identity and sources: everything but its classes.
Profile h800_header(const std::string& date) {
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

// Fits `c` to `points` with every parameter free but the saturation fraction (no table row
// has too few tiles to fill the SMs under DeepGEMM's tile choice, so the data cannot pin
// it); leave-one-out errors.
ClassProfile fit_deepgemm_class(KernelClass c, const std::vector<Measurement>& points,
                                const KernelModel& start, bool fit_iteration_floor,
                                const std::string& source, const std::string& peak_source) {
  TableFit f;
  f.kernel_class = c;
  f.points = points;
  f.start = start;
  f.free = all_but_saturation(fit_iteration_floor);
  f.holdout = Holdout::kLeaveOneOut;
  ClassProfile cp = fit_published_class(f);
  cp.source = source;
  cp.peak_source = peak_source;
  return cp;
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
      mem.value, peaks.hbm_bytes_per_s / 1e12, 100.0 * memb.model.memory_efficiency, call_s * 1e6);
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
  fwd.source = fmt::format(
      "flashmla_h800.csv: dense MLA decode compute-bound {} {} ({}); "
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

}  // namespace

BwdRatio flashmla_b200_bwd_ratio(const std::string& reference_dir) {
  const CsvTable mla = CsvTable::load(reference_dir + "/flashmla_h800.csv");
  const Figure fwd =
      find_figure(mla, "dense MHA prefill (SM100, from NVIDIA PR #76)", "B200", "forward");
  const Figure bwd = find_figure(mla, "dense MHA prefill (SM100)", "B200", "backward");
  BwdRatio r;
  r.ratio = bwd.value / fwd.value;
  r.forward = fwd.value;
  r.backward = bwd.value;
  return r;
}

// The backward: the forward's model, its compute efficiency times FlashMLA's B200
// backward / forward throughput ratio. `gpu`: the GPU the profile describes ("H800").
ClassProfile attention_bwd_by_ratio(const ClassProfile& fwd, const BwdRatio& r,
                                    const std::string& gpu) {
  ClassProfile bwd = fwd;
  bwd.kernel_class = fwd.kernel_class == KernelClass::kAttentionFwdFa2
                         ? KernelClass::kAttentionBwdFa2
                         : KernelClass::kAttentionBwd;
  bwd.model.compute_efficiency = fwd.model.compute_efficiency * r.ratio;
  bwd.source = fmt::format(
      "{}; flashmla_h800.csv B200 dense MHA prefill forward {} and "
      "backward {} TFLOPS",
      fwd.source, r.forward, r.backward);
  const std::string on_fwd = fwd.assumption.empty() ? "" : "; the forward: " + fwd.assumption;
  bwd.assumption = fmt::format(
      "no published {} attention backward figure: the backward is assumed to keep the "
      "B200 backward/forward throughput ratio FlashMLA reports for dense MHA prefill "
      "({} / {} = {:.3f}), applied to the forward efficiency ({:.1f}% of BF16 peak){}",
      gpu, r.backward, r.forward, r.ratio, 100.0 * bwd.model.compute_efficiency,
      gpu == "H800" ? "" : on_fwd);
  bwd.holdout_method = "none";
  bwd.holdout_mape_pct.reset();
  bwd.holdout_max_pct.reset();
  bwd.holdout_points = 0;
  bwd.fit_points = 0;
  bwd.train_mape_pct = 0.0;
  bwd.points.clear();
  return bwd;
}

double h800_call_seconds(const Profile& h800) {
  const ClassProfile& gemm = require_class(h800, KernelClass::kGemmFp8);
  // A streaming kernel is one wave of blocks that each fill and drain.
  return gemm.model.overhead_s + gemm.model.wave_overhead_s;
}

Profile fit_h800_tables(const std::string& reference_dir, const std::string& date,
                        bool first_release) {
  const DevicePeaks peaks = read_device_peaks(reference_dir + "/hardware_specs.csv", "H800 SXM");
  Profile p = h800_header(date);
  const KernelModel fp8 = fp8_start_model(peaks);
  const std::string peak_fp8 = fmt::format("FP8 peak, HBM bandwidth, SMs from {}", peaks.source);
  const std::string revision =
      first_release ? "the revision first released (2025-02-25)" : "newest revision";

  const auto dense =
      read_deepgemm_table(reference_dir + "/deepgemm_h800_normal.csv", false, first_release);
  p.classes.push_back(fit_deepgemm_class(
      KernelClass::kGemmFp8, dense, fp8, true,
      "DeepGEMM dense FP8 GEMM table (deepgemm_h800_normal.csv), " + revision +
          " of each shape; time = 2 m n k / published TFLOPS",
      peak_fp8));

  auto grouped_points = read_deepgemm_table(
      reference_dir + "/deepgemm_h800_grouped_contiguous.csv", true, first_release);
  for (auto& m : read_deepgemm_table(reference_dir + "/deepgemm_h800_grouped_masked.csv", true,
                                     first_release)) {
    grouped_points.push_back(m);
  }
  // No grouped row has a thin tile (block_n >= 64 throughout), so no iteration is short
  // enough to hit the floor: the data cannot pin it, and it stays off.
  KernelModel grouped_start = fp8;
  grouped_start.iteration_floor_s = 0.0;
  p.classes.push_back(fit_deepgemm_class(
      KernelClass::kGroupedGemmFp8, grouped_points, grouped_start, false,
      "DeepGEMM grouped FP8 GEMM tables (contiguous and masked layouts), " + revision +
          " of each shape; time = 2 groups m n k / published TFLOPS",
      peak_fp8));

  // Memory-bound and attention classes from FlashMLA's figures, each call paying the fixed
  // time of a one-wave gemm_fp8 call.
  const CsvTable mla = CsvTable::load(reference_dir + "/flashmla_h800.csv");
  const Figure mem = find_figure(mla, "dense MLA decode (BF16), new kernel", "H800 SXM5",
                                 "memory-bound bandwidth");
  const Figure comp = find_figure(mla, "dense MLA decode (BF16), new kernel 2025-04-22",
                                  "H800 SXM5", "compute-bound");
  const double call_s = h800_call_seconds(p);
  const ClassProfile memb = memory_bound_from_flashmla(mem, peaks, call_s);
  p.classes.push_back(memb);
  const ClassProfile fwd =
      attention_fwd_from_flashmla(comp, mem, peaks, memb.model.memory_efficiency, call_s);
  p.classes.push_back(fwd);
  p.classes.push_back(attention_bwd_by_ratio(fwd, flashmla_b200_bwd_ratio(reference_dir), "H800"));
  return p;
}

}  // namespace published

}  // namespace llmsim::calibration
