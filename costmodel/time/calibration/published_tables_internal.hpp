#pragma once
// Shared by the published_tables*.cpp files, one per source family:
//   published_tables.cpp            device peaks, the fitting and held-out helpers
//   published_tables_profiles.cpp   one profile per GPU: which class comes from which table
//   published_tables_deepgemm.cpp   H800: DeepGEMM's FP8 GEMM tables, FlashMLA's figures
//   published_tables_gemm.cpp       kernels/gemm_*.csv: XLA perf tables, MAMF, Azure cuBLASLt
//   published_tables_stream.cpp     kernels/bandwidth.csv: BabelStream
//   published_tables_attention.cpp  kernels/attention_*.csv: FlashAttention-2 / -3
// Not part of the library's interface.

#include <functional>
#include <string>
#include <vector>

#include "costmodel/time/calibration/csv_table.hpp"
#include "costmodel/time/calibration/fitter.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/calibration/published_tables.hpp"

namespace llmsim::calibration::published {

// One figure of a table (FlashMLA) found by the text of its kernel / gpu / metric columns.
struct Figure {
  double value = 0.0;
  std::string unit;
  std::string source;
};
Figure find_figure(const CsvTable& t, const std::string& kernel, const std::string& gpu,
                   const std::string& metric);

// How a class's held-out error is measured.
enum class Holdout {
  kLeaveOneOut,  // each point predicted by a fit to all the others (small tables)
  kEveryFourth,  // every 4th point (2nd, 6th, ...) held out of the one fit (large tables)
  kChecksOnly,   // one row fitted: only the checks (other benchmarks' rows) are held out
};

// A class fitted to published rows. `checks` are rows of other benchmarks (MAMF's best
// shape, ...) never fitted: always held out. `transfer` moves a fitted model to the GPU the
// profile describes (a sibling on the same die: that GPU's peaks); identity when empty.
struct TableFit {
  KernelClass kernel_class = KernelClass::kGemmBf16;
  std::vector<Measurement> points;
  std::vector<Measurement> checks;
  KernelModel start;
  FreeParameters free;
  Holdout holdout = Holdout::kLeaveOneOut;
  std::function<KernelModel(const KernelModel&)> transfer;
};

// Fits `f` and fills the class: model, points (held-out ones marked, each with its error),
// held-out MAPE / max over held-out points and checks. Source texts are the caller's.
ClassProfile fit_published_class(const TableFit& f);
// fit_published_class, then the target GPU's peak text and the clock its data ran at.
ClassProfile fit_for_target(const TableFit& f, const DevicePeaks& target, double clock_mhz,
                            const std::string& clock_source);

// Every parameter free but the saturation fraction, as for DeepGEMM's tables.
FreeParameters all_but_saturation(bool iteration_floor);

// The model of another GPU on the same die: its peaks (BF16 or FP8 by class), bandwidth, SMs.
KernelModel at_peaks(const KernelModel& m, KernelClass c, const DevicePeaks& peaks);

// "H800 SXM bf16_fp16_tensor_dense = 989 TFLOPS (...)" for the peaks the class uses.
std::string peak_text(KernelClass c, const DevicePeaks& peaks);

// H800 (published_tables_deepgemm.cpp).
// `first_release`: the FP8 GEMM classes from DeepGEMM's tables as first released rather than
// their newest revision.
Profile fit_h800_tables(const std::string& reference_dir, const std::string& date,
                        bool first_release = false);
// The fixed time of one kernel call, from H800's fitted gemm_fp8 (its per-call overhead plus
// one wave's prologue and epilogue): the call time a streaming kernel is given.
double h800_call_seconds(const Profile& h800);
// FlashMLA's B200 dense MHA prefill backward / forward throughput ratio (flashmla_h800.csv).
struct BwdRatio {
  double ratio = 0.0;
  double forward = 0.0;   // TFLOPS
  double backward = 0.0;  // TFLOPS
};
BwdRatio flashmla_b200_bwd_ratio(const std::string& reference_dir);
// attention_bwd: the forward's model at its compute efficiency x r.ratio, saying so for `gpu`.
ClassProfile attention_bwd_by_ratio(const ClassProfile& fwd, const BwdRatio& r,
                                    const std::string& gpu);

// GEMM tables (published_tables_gemm.cpp). `gpu`: the table's gpu column, exactly;
// `precision`: "bf16", "fp16", "fp8 e4m3"; `library`: the start of the library column.
std::vector<Measurement> read_gemm_rows(const std::string& path, const std::string& gpu,
                                        const std::string& precision, const std::string& library);

// The classes fitted to one GPU's tables (`data`: its peaks) for the profile of `target`
// (the same GPU, or a sibling on the same die: the fitted model moved to its peaks).
// `memory_bound`: the data GPU's BabelStream class (its bandwidth efficiency, call time).
ClassProfile fit_h100_gemm_bf16(const std::string& reference_dir, const DevicePeaks& h100,
                                const DevicePeaks& target, const ClassProfile& memory_bound,
                                double clock_mhz, const std::string& clock_source);
ClassProfile fit_b200_gemm(KernelClass c, const std::string& reference_dir,
                           const DevicePeaks& b200);
ClassProfile fit_a100_gemm_bf16(const std::string& reference_dir, const DevicePeaks& a100,
                                const DevicePeaks& target, const ClassProfile& memory_bound,
                                double clock_mhz, const std::string& clock_source);

// BabelStream (published_tables_stream.cpp): memory_bound fitted to the Copy, Mul, Add and
// Triad rows of `gpu` (bandwidth.csv's gpu column); `call_s`: the fixed time of a call.
ClassProfile fit_babelstream(const std::string& reference_dir, const std::string& gpu,
                             const DevicePeaks& data, const DevicePeaks& target, double call_s);

// FlashAttention (published_tables_attention.cpp): attention_fwd fitted to FA3's H100
// forward rows, and to FA2's A100 fwd+bwd rows (the forward's share, by `r`).
ClassProfile fit_h100_fa3(const std::string& reference_dir, const DevicePeaks& h100,
                          const DevicePeaks& target, const ClassProfile& memory_bound,
                          double clock_mhz, const std::string& clock_source);
// attention_fwd_fa2 and attention_bwd_fa2 on Hopper: FlashAttention-2 (no TMA, no WGMMA). The
// forward fitted to PyTorch SDPA's FA2 backend on H100 (pytorch#142132), the backward to
// Azure's H100 fwd+bwd run less that forward, Azure's H200 run held out as a check.
struct Fa2Classes {
  ClassProfile forward;
  ClassProfile backward;
};
Fa2Classes fit_hopper_fa2(const std::string& reference_dir, const DevicePeaks& h100,
                          const DevicePeaks& target, const ClassProfile& memory_bound,
                          double clock_mhz, const std::string& clock_source);
ClassProfile fit_a100_fa2(const std::string& reference_dir, const DevicePeaks& a100,
                          const DevicePeaks& target, const ClassProfile& memory_bound,
                          const BwdRatio& r, double clock_mhz, const std::string& clock_source);

// A class fitted to another GPU's tables: `rule` (why they stand for this GPU) joins its
// assumption, and its held-out method says whose rows, fit and errors they are
// (kSiblingHoldout): the points' predictions are the fit's at the other GPU's peaks, the
// class's model that fit at this GPU's.
inline constexpr const char* kSiblingHoldout =
    "fitted and held out on the other GPU's rows at its peaks: the points' predictions and "
    "errors are that fit's; the model is that fit at this GPU's peaks";
void as_sibling(ClassProfile& c, const std::string& rule);

}  // namespace llmsim::calibration::published
