// memory_bound from BabelStream (scenarios/reference/kernels/bandwidth.csv).

#include <filesystem>

#include <fmt/format.h>

#include "costmodel/time/calibration/published_tables_internal.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration::published {

namespace {

// BabelStream 5.0's default array: 2^25 FP64 elements. Copy and Mul move two arrays (one read,
// one written), Add and Triad three (BabelStream's own byte count, bandwidth.csv notes).
constexpr double kArrayBytes = 33554432.0 * 8.0;

std::vector<Measurement> read_babelstream(const std::string& path, const std::string& gpu) {
  const CsvTable t = CsvTable::load(path);
  const std::string file = std::filesystem::path(path).filename().string();
  std::vector<Measurement> out;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::string op = t.text(r, "operation");
    if (t.text(r, "gpu") != gpu || t.text(r, "benchmark") != "BabelStream") continue;
    const bool two = op == "Copy" || op == "Mul";
    if (!two && op != "Add" && op != "Triad") continue;  // Dot only reads: another kernel
    if (t.text(r, "unit") != "TB/s") {
      throw UserError(
          fmt::format("{} = '{}': expected TB/s", t.where(r, "unit"), t.text(r, "unit")));
    }
    Measurement m;
    m.shape.bytes = (two ? 2.0 : 3.0) * kArrayBytes;
    m.seconds = m.shape.bytes / (t.number(r, "value") * 1e12);
    m.label =
        fmt::format("{} row {} ({} BabelStream {}, {} TB/s, {} arrays of 2^25 FP64; {})", file,
                    r + 2, gpu, op, t.text(r, "value"), two ? 2 : 3, t.text(r, "source"));
    out.push_back(m);
  }
  if (out.size() < 2) {
    throw UserError(
        fmt::format("{}: fewer than two BabelStream Copy / Mul / Add / Triad rows "
                    "for gpu '{}'",
                    path, gpu));
  }
  return out;
}

}  // namespace

ClassProfile fit_babelstream(const std::string& reference_dir, const std::string& gpu,
                             const DevicePeaks& data, const DevicePeaks& target, double call_s) {
  TableFit f;
  f.kernel_class = KernelClass::kMemoryBound;
  f.points = read_babelstream(reference_dir + "/kernels/bandwidth.csv", gpu);
  f.start.peak_bytes_per_s = data.hbm_bytes_per_s;
  f.start.units = data.sm_count;
  f.start.memory_efficiency = 0.8;
  f.start.overhead_s = call_s;
  f.free.memory_efficiency = true;
  f.holdout = Holdout::kLeaveOneOut;
  if (data.gpu != target.gpu) {
    f.transfer = [target](const KernelModel& m) {
      return at_peaks(m, KernelClass::kMemoryBound, target);
    };
  }
  ClassProfile cp = fit_published_class(f);
  cp.peak_source = peak_text(cp.kernel_class, target);
  cp.source = fmt::format(
      "BabelStream Copy, Mul, Add and Triad on {} (kernels/bandwidth.csv, Azure's runs: mean "
      "of 5, BabelStream 5.0 default arrays); time = bytes / published bandwidth; efficiency = "
      "measured / {:.3g} TB/s datasheet bandwidth ({:.1f}%); Dot (a read-only reduction) left "
      "out. The fixed time of a call: H800's one-wave gemm_fp8 call ({:.2f} us), as H800's "
      "memory_bound (BabelStream's 0.5-0.8 GB kernels cannot pin it)",
      gpu, data.hbm_bytes_per_s / 1e12, 100.0 * cp.model.memory_efficiency, call_s * 1e6);
  return cp;
}

}  // namespace llmsim::calibration::published
