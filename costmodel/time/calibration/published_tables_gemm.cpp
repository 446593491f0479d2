// GEMM classes from scenarios/reference/kernels/gemm_*.csv: XLA's matmul perf tables (H100
// sm_90, B200 sm_100), MAMF's best shapes and Azure's cuBLASLt shapes.

#include <filesystem>

#include <fmt/format.h>

#include "costmodel/time/calibration/published_tables_internal.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration::published {

std::vector<Measurement> read_gemm_rows(const std::string& path, const std::string& gpu,
                                        const std::string& precision, const std::string& library) {
  const CsvTable t = CsvTable::load(path);
  const std::string file = std::filesystem::path(path).filename().string();
  std::vector<Measurement> out;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (t.text(r, "gpu") != gpu || t.text(r, "precision") != precision ||
        t.text(r, "library").rfind(library, 0) != 0) {
      continue;
    }
    Measurement m;
    m.shape.groups = static_cast<std::int64_t>(t.number(r, "batch"));
    m.shape.m = static_cast<std::int64_t>(t.number(r, "m"));
    m.shape.n = static_cast<std::int64_t>(t.number(r, "n"));
    m.shape.k = static_cast<std::int64_t>(t.number(r, "k"));
    const double tflops = t.number(r, "tflops");
    if (!(tflops > 0.0)) throw UserError(fmt::format("{}: must be positive", t.where(r, "tflops")));
    const double flops = 2.0 * static_cast<double>(m.shape.groups * m.shape.m) *
                         static_cast<double>(m.shape.n) * static_cast<double>(m.shape.k);
    m.seconds = flops / (tflops * 1e12);
    m.label =
        fmt::format("{} row {} ({} {}, batch {}, {} TFLOPS; {}; {})", file, r + 2, gpu, precision,
                    m.shape.groups, t.text(r, "tflops"), t.text(r, "library"), t.text(r, "source"));
    out.push_back(m);
  }
  if (out.empty()) {
    throw UserError(fmt::format("{}: no row with gpu = '{}', precision = '{}', library '{}...'",
                                path, gpu, precision, library));
  }
  return out;
}

namespace {

struct TileCandidate {
  TileShape tile;
  const char* name;
};

// The tile policies a library GEMM (cuBLAS, XLA's Triton) is fitted with: DeepGEMM's
// wave-optimal block choice with block_n up to 128 or 256, with and without split-K.
const std::vector<TileCandidate>& tile_candidates() {
  static const std::vector<TileCandidate> c = {
      {{128, 128, TilePolicy::kWaveOptimal}, "wave_optimal 128 x 128"},
      {{128, 256, TilePolicy::kWaveOptimal}, "wave_optimal 128 x 256"},
      {{128, 128, TilePolicy::kWaveOptimalSplitK}, "wave_optimal_split_k 128 x 128"},
      {{128, 256, TilePolicy::kWaveOptimalSplitK}, "wave_optimal_split_k 128 x 256"},
  };
  return c;
}

// Sets f.start.tile to the candidate whose fit to the training rows (all of them under
// leave-one-out) has the least error; the held-out rows play no part. Returns the text.
std::string choose_tile(TableFit& f) {
  std::vector<Measurement> train;
  for (std::size_t i = 0; i < f.points.size(); ++i) {
    if (f.holdout == Holdout::kLeaveOneOut || i % 4 != 1) train.push_back(f.points[i]);
  }
  std::string text;
  double best = 0.0;
  TileShape chosen{};
  std::string chosen_name;
  for (const TileCandidate& t : tile_candidates()) {
    KernelModel start = f.start;
    start.tile = t.tile;
    const double e = fit_kernel_model(f.kernel_class, train, start, f.free).train_mape_pct;
    text += fmt::format("{}{} {:.2f}%", text.empty() ? "" : ", ", t.name, e);
    if (chosen_name.empty() || e < best) {
      best = e;
      chosen = t.tile;
      chosen_name = t.name;
    }
  }
  f.start.tile = chosen;
  return fmt::format("tiles: {}, the least training error among {}", chosen_name, text);
}

KernelModel gemm_start(KernelClass c, const DevicePeaks& peaks) {
  KernelModel m;
  m.peak_flops_per_s = c == KernelClass::kGemmFp8 ? peaks.fp8_flops_per_s : peaks.bf16_flops_per_s;
  m.peak_bytes_per_s = peaks.hbm_bytes_per_s;
  m.units = peaks.sm_count;
  m.compute_efficiency = 0.7;
  m.memory_efficiency = 0.7;
  m.combine_exponent = 2.0;
  m.overhead_s = 3e-6;
  m.cache_bandwidth_factor = 3.0;
  m.wave_overhead_s = 0.3e-6;
  return m;
}

std::function<KernelModel(const KernelModel&)> sibling_transfer(KernelClass c,
                                                                const DevicePeaks& data,
                                                                const DevicePeaks& target) {
  if (data.gpu == target.gpu) return {};
  return [c, target](const KernelModel& m) { return at_peaks(m, c, target); };
}

}  // namespace

ClassProfile fit_h100_gemm_bf16(const std::string& reference_dir, const DevicePeaks& h100,
                                const DevicePeaks& target, const ClassProfile& memory_bound,
                                double clock_mhz, const std::string& clock_source) {
  const std::string path = reference_dir + "/kernels/gemm_h100.csv";
  TableFit f;
  f.kernel_class = KernelClass::kGemmBf16;
  f.points = read_gemm_rows(path, "H100 (sm_90)", "bf16", "XLA");
  f.checks = read_gemm_rows(path, "H100 SXM", "bf16", "mamf-finder");
  f.start = gemm_start(f.kernel_class, h100);
  f.start.memory_efficiency = memory_bound.model.memory_efficiency;
  f.free = all_but_saturation(false);
  f.free.memory_efficiency = false;
  f.holdout = Holdout::kEveryFourth;
  const std::string tiles = choose_tile(f);
  f.transfer = sibling_transfer(f.kernel_class, h100, target);
  ClassProfile cp = fit_for_target(f, target, clock_mhz, clock_source);
  cp.source = fmt::format(
      "XLA's default matmul perf table for sm_90 (kernels/gemm_h100.csv; XLA's "
      "hlo_op_profiles_data.h names its sm_90 device NVIDIA H100 80GB HBM3, the SXM part): its "
      "{} BF16 rows, batch 1, 2 and 4 (a batch as groups of one GEMM), m, n, k from 256 to "
      "4096; time = 2 b m n k / published TFLOPS. Held out as checks: MAMF's best H100 SXM "
      "BF16 shapes. Memory efficiency fixed at the H100's BabelStream fit ({:.3f}; left free, "
      "it runs to its bound of 1: the table's shapes are compute- or call-bound); no "
      "iteration floor (no tile is thin enough to reach one); {}",
      f.points.size(), memory_bound.model.memory_efficiency, tiles);
  return cp;
}

ClassProfile fit_b200_gemm(KernelClass c, const std::string& reference_dir,
                           const DevicePeaks& b200) {
  const std::string path = reference_dir + "/kernels/gemm_b200.csv";
  const std::string precision = c == KernelClass::kGemmFp8 ? "fp8 e4m3" : "bf16";
  TableFit f;
  f.kernel_class = c;
  f.points = read_gemm_rows(path, "B200 (sm_100)", precision, "XLA");
  f.checks = read_gemm_rows(path, "B200 SXM", precision, "mamf-finder");
  f.start = gemm_start(c, b200);
  f.free = all_but_saturation(false);
  f.holdout = Holdout::kEveryFourth;
  const std::string tiles = choose_tile(f);
  ClassProfile cp = fit_published_class(f);
  cp.peak_source = peak_text(c, b200);
  cp.source = fmt::format(
      "XLA's default matmul perf table for sm_100_B200 (kernels/gemm_b200.csv): its {} {} "
      "rows (batch 1), m, n, k from 256 to 4096; time = 2 m n k / published TFLOPS{}. Held out "
      "as a check: MAMF's best B200 shape. XLA's table runs below MAMF (BF16: 1417 TFLOPS at "
      "4096^3 against MAMF's 1745 at its best shape): the fit follows XLA, whose shapes sweep "
      "what a model's GEMMs look like, and reports MAMF's error as a check (MAMF is the best "
      "of a brute-force shape search, an upper envelope); no iteration floor (no tile is thin "
      "enough to reach one); {}. Clock: not published, and hardware_specs.csv has no B200 "
      "clock: none assumed, so runs are not rescaled",
      f.points.size(), precision,
      c == KernelClass::kGemmFp8 ? " (per-tensor E4M3, not "
                                   "DeepGEMM's fine-grained scaling)"
                                 : "",
      tiles);
  return cp;
}

ClassProfile fit_a100_gemm_bf16(const std::string& reference_dir, const DevicePeaks& a100,
                                const DevicePeaks& target, const ClassProfile& memory_bound,
                                double clock_mhz, const std::string& clock_source) {
  const std::string path = reference_dir + "/kernels/gemm_a100.csv";
  TableFit f;
  f.kernel_class = KernelClass::kGemmBf16;
  f.points = read_gemm_rows(path, "A100-SXM4-80GB (Azure ND A100 v4)", "fp16", "cuBLASLt");
  for (Measurement& m : read_gemm_rows(path, "A100 SXM", "bf16", "mamf-finder")) {
    f.points.push_back(m);
  }
  f.start = gemm_start(f.kernel_class, a100);
  f.start.memory_efficiency = memory_bound.model.memory_efficiency;
  f.start.cache_bandwidth_factor = 0.0;
  f.start.wave_overhead_s = 0.0;
  f.free.compute_efficiency = f.free.overhead = true;
  f.holdout = Holdout::kLeaveOneOut;
  const std::string tiles = choose_tile(f);
  f.transfer = sibling_transfer(f.kernel_class, a100, target);
  ClassProfile cp = fit_for_target(f, target, clock_mhz, clock_source);
  cp.source = fmt::format(
      "Azure's cuBLASLt FP16 GEMMs on A100-SXM4-80GB (kernels/gemm_a100.csv, 8 shapes from "
      "1024^3 to 16384^3) and MAMF's best A100 SXM BF16 shapes (2 rows); time = 2 m n k / "
      "published TFLOPS; FP16 taken at the BF16 rate (the A100's dense tensor peak is 312 "
      "TFLOPS for both). {} points pin two parameters: compute efficiency (the large shapes) "
      "and the per-call overhead (1024-sized shapes); the rest is fixed: memory efficiency at "
      "the A100-80GB's BabelStream fit ({:.3f}), combine exponent 2, no L2-load term, no "
      "per-wave overhead, no iteration floor; {}",
      f.points.size(), memory_bound.model.memory_efficiency, tiles);
  return cp;
}

}  // namespace llmsim::calibration::published
