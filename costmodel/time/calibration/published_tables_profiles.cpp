// One profile per GPU: which class comes from which table, and which rule stands in for the
// classes without one (H800's tables at the GPU's peaks).

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "costmodel/read/yaml_reader.hpp"
#include "costmodel/time/calibration/published_tables_internal.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

namespace published {

namespace {

// A GPU the H800's tables stand in for, where it has none of its own: its catalog name, its
// hardware_specs.csv rows, and how.
struct ScaledDevice {
  const char* device;   // --from-tables name, the catalog name in lower case
  const char* gpu;      // catalog name
  const char* csv_gpu;  // hardware_specs.csv gpu column
  double clock_mhz;     // the clock H800's efficiencies are taken to hold at
  const char* rule;     // why the H800's tables stand in
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

const ScaledDevice& scaled_device(const std::string& device) {
  for (const ScaledDevice& d : scaled_devices()) {
    if (device == d.device) return d;
  }
  LLMSIM_CHECK(false, "unknown scaled device");
}

bool fp8_class(KernelClass c) {
  return c == KernelClass::kGemmFp8 || c == KernelClass::kGroupedGemmFp8;
}

// One H800 class moved to `peaks`: same efficiencies, this GPU's peaks and SMs.
ClassProfile scaled_class(const ClassProfile& h800, const DevicePeaks& peaks,
                          const ScaledDevice& d) {
  ClassProfile c = h800;
  c.model = at_peaks(h800.model, c.kernel_class, peaks);
  c.peak_source = fmt::format("{} peak, HBM bandwidth, SMs from {}",
                              fp8_class(c.kernel_class) ? "FP8" : "BF16", peaks.source);
  c.source = "h800-published's " + kernel_class_name(c.kernel_class) + ": " + h800.source;
  c.assumption = fmt::format(
      "{}{}", d.rule, h800.assumption.empty() ? "" : "; on the H800 itself: " + h800.assumption);
  c.clock_mhz = 0.0;  // H800's classes ran at the profile's clock
  c.clock_source.clear();
  c.holdout_method = "none";
  c.holdout_mape_pct.reset();
  c.holdout_max_pct.reset();
  c.holdout_points = 0;
  c.points.clear();
  return c;
}

// The H800's classes at the GPU's peaks: what stands in where the GPU has no table.
Profile scaled_profile(const Profile& h800, const ScaledDevice& d, const DevicePeaks& peaks) {
  Profile p = h800;
  p.name = fmt::format("{}-published", d.device);
  p.device = fmt::format("{} (H800's published tables, scaled; no table of its own)", d.csv_gpu);
  p.gpu = d.gpu;
  p.clock_mhz = d.clock_mhz;
  p.clock_source = d.clock_mhz > 0
                       ? fmt::format(
                             "assumed: H800's efficiencies at its ~1600 MHz hold at the {}'s "
                             "clock under load ({:.0f} MHz)",
                             d.gpu, d.clock_mhz)
                       : std::string("not known");
  p.generator = fmt::format("llmsim calibrate --from-tables {}", d.device);
  p.classes.clear();
  for (const ClassProfile& c : h800.classes) {
    if (fp8_class(c.kernel_class) && peaks.fp8_flops_per_s <= 0) continue;
    // FlashAttention-2 is fitted on the GH100 die: a GH100 profile fits its own, others have
    // none (the A100's own attention class is FlashAttention-2).
    if (c.kernel_class == KernelClass::kAttentionFwdFa2 ||
        c.kernel_class == KernelClass::kAttentionBwdFa2) {
      continue;
    }
    p.classes.push_back(scaled_class(c, peaks, d));
  }
  return p;
}

// Puts `c` in the place of the profile's class of its kind.
void replace_class(Profile& p, const ClassProfile& c) {
  for (ClassProfile& have : p.classes) {
    if (have.kernel_class == c.kernel_class) {
      have = c;
      return;
    }
  }
  p.classes.push_back(c);
}

// What a profile with tables of its own says of itself.
void own_tables(Profile& p, const std::string& device, const std::vector<std::string>& files) {
  p.device = device;
  for (const std::string& f : files) {
    const std::string path = "scenarios/reference/kernels/" + f;
    if (std::find(p.sources.begin(), p.sources.end(), path) == p.sources.end()) {
      p.sources.push_back(path);
    }
  }
  std::string scaled;
  for (const ClassProfile& c : p.classes) {
    if (c.source.rfind("h800-published's ", 0) == 0) {
      scaled += (scaled.empty() ? "" : ", ") + kernel_class_name(c.kernel_class);
    }
  }
  if (!scaled.empty() && p.clock_mhz > 0) {
    p.clock_source = fmt::format(
        "the classes from H800's tables ({}): {}; the classes fitted "
        "to tables of their own give their own clock",
        scaled, p.clock_source);
  }
}

// Where the tables were measured and at which clock.
struct Tables {
  std::string dir;
  DevicePeaks h800, h100, a100;
  double call_s = 0.0;  // H800's one-wave gemm_fp8 call
  BwdRatio ratio;       // FlashMLA's B200 backward / forward
};

const char* kH100Clock =
    "assumed: 1830 MHz, the boost clock the H100's 989.4 TFLOPS BF16 peak is quoted at "
    "(hardware_specs.csv H100 SXM boost_clock_for_peak); XLA's table and MAMF do not publish "
    "their clock";
const char* kFa3Clock =
    "1830 MHz: the FlashAttention-3 paper locked the clock at 1830 MHz (arXiv:2407.08608 App. "
    "C.1; kernels/clocks.csv); tritonbench's rows publish none: assumed the same 1830 MHz, the "
    "boost clock the H100's peak is quoted at";
const char* kAzureH100Clock =
    "assumed: 1830 MHz, the boost clock the H100's 989.4 TFLOPS BF16 peak is quoted at "
    "(hardware_specs.csv H100 SXM boost_clock_for_peak); tritonbench's and Azure's runs do not "
    "publish their clock";
const char* kA100Clock =
    "assumed: 1410 MHz, the boost clock the A100's 312 TFLOPS peak is quoted at "
    "(hardware_specs.csv A100 SXM 80GB boost_clock_for_peak); the tables do not publish their "
    "clock (an A100-SXM4-40GB holds 1410 MHz under load: chipsandcheese, kernels/clocks.csv)";

std::string gh100_rule(const std::string& gpu) {
  return fmt::format(
      "the {} is the H100 SXM's GH100 die (132 SMs, the same BF16 tensor peak; "
      "hardware_specs.csv): the class fitted to the H100's tables stands for it, the fitted "
      "efficiencies kept at the {}'s peaks",
      gpu, gpu);
}

const char* kGa100Rule =
    "the A100-40GB is the A100-80GB's GA100 die (108 SMs, 312 TFLOPS BF16) with 40 GB HBM2 at "
    "1.555 TB/s: the class fitted to the A100-80GB's tables stands for it, the fitted "
    "efficiencies kept at the 40GB's peaks (memory terms at 1.555 TB/s)";

// NCCL's all-reduce sweep of `system` (kernels/nccl.csv); `assumption` when it stands in for
// another GPU.
void attach_nccl_sweep(Profile& p, const Tables& t, const std::string& system,
                       const std::string& assumption) {
  p.collectives = read_nccl_sweep(t.dir + "/kernels/nccl.csv", system);
  p.collectives->assumption = assumption;
  const std::string path = "scenarios/reference/kernels/nccl.csv";
  if (std::find(p.sources.begin(), p.sources.end(), path) == p.sources.end()) {
    p.sources.push_back(path);
  }
}

const char* kH100Sweep = "Azure ND H100 v5";

ClassProfile h100_family_gemm(const Tables& t, const DevicePeaks& target) {
  const ClassProfile memb =
      fit_babelstream(t.dir, "H100 80GB HBM3 (Azure ND H100 v5)", t.h100, t.h100, t.call_s);
  ClassProfile c = fit_h100_gemm_bf16(t.dir, t.h100, target, memb, 1830.0, kH100Clock);
  if (target.gpu != t.h100.gpu) {
    as_sibling(c, gh100_rule(target.gpu));
  }
  return c;
}

// FlashAttention-2 on the GH100 die (attention_fwd_fa2 and its backward), fitted to the H100's
// rows and moved to `target`'s peaks.
void add_hopper_fa2(Profile& p, const Tables& t, const DevicePeaks& target) {
  const ClassProfile h100_memb =
      fit_babelstream(t.dir, "H100 80GB HBM3 (Azure ND H100 v5)", t.h100, t.h100, t.call_s);
  Fa2Classes fa2 =
      fit_hopper_fa2(t.dir, t.h100, target, h100_memb, 1830.0, kAzureH100Clock);
  for (ClassProfile* c : {&fa2.forward, &fa2.backward}) {
    if (target.gpu != t.h100.gpu) as_sibling(*c, gh100_rule(target.gpu));
    replace_class(p, *c);
  }
}

Profile h800_profile(const Tables& t, Profile p) {
  p.classes.insert(p.classes.begin() + 2, h100_family_gemm(t, t.h800));
  add_hopper_fa2(p, t, t.h800);
  p.sources.push_back("scenarios/reference/kernels/gemm_h100.csv");
  p.sources.push_back("scenarios/reference/kernels/bandwidth.csv");
  p.clock_source += "; gemm_bf16, fitted to the H100's XLA table, gives its own clock";
  attach_nccl_sweep(
      p, t, kH100Sweep,
      "no nccl-tests size sweep of an H800 node is published: the H100's (the same NVSwitch "
      "generation and NCCL NVLS all-reduce) stands in, its time beyond the bandwidth term "
      "taken unchanged although the H800's NVLink has 400 of the H100's 900 GB/s");
  return p;
}

// H100 and H200: GEMMs in BF16 and attention from the H100's tables, memory from their own
// BabelStream runs, FP8 from H800's DeepGEMM tables.
Profile gh100_profile(const Tables& t, const Profile& h800, const std::string& device,
                      const std::string& stream_gpu) {
  const ScaledDevice& d = scaled_device(device);
  const DevicePeaks peaks = read_device_peaks(t.dir + "/hardware_specs.csv", d.csv_gpu);
  Profile p = scaled_profile(h800, d, peaks);
  const ClassProfile h100_memb =
      fit_babelstream(t.dir, "H100 80GB HBM3 (Azure ND H100 v5)", t.h100, t.h100, t.call_s);
  const ClassProfile memb = fit_babelstream(t.dir, stream_gpu, peaks, peaks, t.call_s);
  ClassProfile fwd = fit_h100_fa3(t.dir, t.h100, peaks, h100_memb, 1830.0, kFa3Clock);
  if (peaks.gpu != t.h100.gpu) {
    as_sibling(fwd, gh100_rule(peaks.gpu));
  }
  replace_class(p, h100_family_gemm(t, peaks));
  replace_class(p, memb);
  replace_class(p, fwd);
  replace_class(p, attention_bwd_by_ratio(fwd, t.ratio, d.gpu));
  add_hopper_fa2(p, t, peaks);
  attach_nccl_sweep(p, t, device == "h100" ? kH100Sweep : "Azure ND H200 v5", "");
  own_tables(p,
             fmt::format("{} (published tables: BF16 GEMM and attention from the H100's XLA and "
                         "FlashAttention-3 tables, memory from its BabelStream run, FP8 from "
                         "H800's DeepGEMM tables scaled; NCCL from its own nccl-tests sweep)",
                         d.csv_gpu),
             {"gemm_h100.csv", "attention_h100_fa3.csv", "bandwidth.csv", "nccl.csv"});
  return p;
}

// A100-80GB and -40GB: everything but FP8 (none on Ampere) from the A100-80GB's tables.
Profile ga100_profile(const Tables& t, const Profile& h800, const std::string& device) {
  const ScaledDevice& d = scaled_device(device);
  const DevicePeaks peaks = read_device_peaks(t.dir + "/hardware_specs.csv", d.csv_gpu);
  Profile p = scaled_profile(h800, d, peaks);
  const std::string stream_gpu = "A100-SXM4-80GB (Azure ND A100 v4)";
  const ClassProfile a100_memb = fit_babelstream(t.dir, stream_gpu, t.a100, t.a100, t.call_s);
  ClassProfile memb = fit_babelstream(t.dir, stream_gpu, t.a100, peaks, t.call_s);
  ClassProfile gemm = fit_a100_gemm_bf16(t.dir, t.a100, peaks, a100_memb, 1410.0, kA100Clock);
  ClassProfile fwd = fit_a100_fa2(t.dir, t.a100, peaks, a100_memb, t.ratio, 1410.0, kA100Clock);
  if (peaks.gpu != t.a100.gpu) {
    for (ClassProfile* c : {&memb, &gemm, &fwd}) as_sibling(*c, kGa100Rule);
  }
  replace_class(p, gemm);
  replace_class(p, memb);
  replace_class(p, fwd);
  replace_class(p, attention_bwd_by_ratio(fwd, t.ratio, d.gpu));
  attach_nccl_sweep(p, t, "Azure ND A100 v4",
                    peaks.gpu != t.a100.gpu
                        ? "the A100-40GB's node has the A100-80GB's NVLink 3 and NVSwitch: the "
                          "A100-80GB's sweep stands for it"
                        : "");
  own_tables(p,
             fmt::format("{} (published tables: the A100-80GB's cuBLASLt / MAMF GEMMs, "
                         "BabelStream, FlashAttention-2 and nccl-tests runs; no FP8 on Ampere)",
                         d.csv_gpu),
             {"gemm_a100.csv", "attention_a100_fa2.csv", "bandwidth.csv", "nccl.csv"});
  return p;
}

// B200: BF16 and FP8 GEMMs from XLA's sm_100 table; the rest H800's scaled.
Profile b200_profile(const Tables& t, const Profile& h800) {
  const ScaledDevice& d = scaled_device("b200");
  const DevicePeaks peaks = read_device_peaks(t.dir + "/hardware_specs.csv", d.csv_gpu);
  Profile p = scaled_profile(h800, d, peaks);
  replace_class(p, fit_b200_gemm(KernelClass::kGemmFp8, t.dir, peaks));
  replace_class(p, fit_b200_gemm(KernelClass::kGemmBf16, t.dir, peaks));
  attach_nccl_sweep(p, t, "Azure ND GB200 v6",
                    "no nccl-tests size sweep of an HGX B200 node is published: the GB200's "
                    "(4 GPUs of one tray, NVLink 5, ring) stands in, spread per ring step");
  own_tables(p,
             fmt::format("{} (published tables: BF16 and FP8 GEMMs from XLA's sm_100 table; "
                         "grouped FP8 GEMMs, memory and attention from H800's tables scaled)",
                         d.csv_gpu),
             {"gemm_b200.csv"});
  return p;
}

Tables read_tables(const std::string& dir, const Profile& h800) {
  Tables t;
  t.dir = dir;
  const std::string hw = dir + "/hardware_specs.csv";
  t.h800 = read_device_peaks(hw, "H800 SXM");
  t.h100 = read_device_peaks(hw, "H100 SXM");
  t.a100 = read_device_peaks(hw, "A100 SXM 80GB");
  t.call_s = h800_call_seconds(h800);
  t.ratio = flashmla_b200_bwd_ratio(dir);
  return t;
}

// H800 with DeepGEMM as first released: the FP8 GEMM classes refitted to the tables' first
// revision, the rest as h800-published. For runs before DeepGEMM's later revisions.
Profile h800_initial_profile(const std::string& dir, const std::string& date, Profile p) {
  const Profile initial = fit_h800_tables(dir, date, true);
  const char* why =
      "DeepGEMM's tables as first published (README @ a6d97a1, 2025-02-25), not their newest "
      "revision (2025-04-09, up to 30% faster on training shapes): for a run before any "
      "revision, e.g. DeepSeek-V3's 2024 pre-training, which DeepGEMM powered (\"powering "
      "V3/R1 training and inference\", DeepSeek's Open Source Week, day 3); the version it "
      "ran is not published, the first release is the nearest";
  for (KernelClass c : {KernelClass::kGemmFp8, KernelClass::kGroupedGemmFp8}) {
    ClassProfile cp = require_class(initial, c);
    cp.assumption = why;
    replace_class(p, cp);
  }
  p.name = "h800-deepgemm-initial-published";
  p.device = "H800 SXM5 with DeepGEMM as first released (published tables; no local measurement)";
  p.generator = "llmsim calibrate --from-tables h800-deepgemm-initial";
  return p;
}

std::string published_device_list() {
  std::string s = "h800, h800-deepgemm-initial";
  for (const ScaledDevice& d : scaled_devices()) s += std::string(", ") + d.device;
  return s;
}

}  // namespace

}  // namespace published

Profile fit_published_profile(const std::string& name, const std::string& reference_dir,
                              const std::string& date) {
  using namespace published;
  std::string device = name;  // a catalog name, in any case: H800 is h800
  std::transform(device.begin(), device.end(), device.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> known{"h800", "h800-deepgemm-initial"};
  for (const ScaledDevice& d : scaled_devices()) known.emplace_back(d.device);
  if (std::find(known.begin(), known.end(), device) == known.end()) {
    throw UserError(
        fmt::format("--from-tables {}: no published tables for this device{}; allowed: {}",
                    quote_value(name), did_you_mean_clause(device, known),
                    published_device_list()));
  }
  Profile h800 = fit_h800_tables(reference_dir, date);
  const Tables t = read_tables(reference_dir, h800);
  h800 = h800_profile(t, std::move(h800));
  if (device == "h800") return h800;
  if (device == "h800-deepgemm-initial") return h800_initial_profile(reference_dir, date, h800);
  if (device == "h100") return gh100_profile(t, h800, "h100", "H100 80GB HBM3 (Azure ND H100 v5)");
  if (device == "h200") return gh100_profile(t, h800, "h200", "H200 141GB (Azure ND H200 v5)");
  if (device == "b200") return b200_profile(t, h800);
  return ga100_profile(t, h800, device);
}

}  // namespace llmsim::calibration
