#pragma once
// Profile: a calibration profile, i.e. the fitted kernel-time model of one device, loaded
// once from scenarios/calibration/*.yaml (or .json) into typed structs that keep where every
// number came from. The training simulation asks it one question:
//
//   double t = predict_seconds(profile, KernelClass::kGemmFp8, shape);
//
// A class the profile does not hold is an error naming the class and the profile, never a
// guess. Classes a profile fills by assumption rather than by fit (a GPU's class taken from
// another GPU's tables, where it has none of its own) carry the assumption as text, which an
// estimate should print.

#include <optional>
#include <string>
#include <vector>

#include "costmodel/time/calibration/collective_curve.hpp"
#include "costmodel/time/calibration/fitter.hpp"
#include "costmodel/time/calibration/kernel_class.hpp"
#include "costmodel/time/calibration/kernel_model.hpp"

namespace llmsim::calibration {

// One point of the data a class was fitted to, with the fitted model's prediction.
struct ProfilePoint {
  KernelShape shape;
  double measured_s = 0.0;   // the time fitted to (Measurement::seconds, or table)
  double median_s = 0.0;     // median of repetitions or passes (0 for tables)
  double predicted_s = 0.0;
  double spread = 0.0;     // relative spread (Measurement::spread; 0 for tables)
  bool held_out = false;   // not used by the fit that produced the parameters
  std::optional<double> holdout_error_pct;  // leave-one-out: error when this point was out
  std::string label;
};

struct ClassProfile {
  KernelClass kernel_class = KernelClass::kGemmFp32;
  KernelModel model;
  std::string peak_source;       // where peak_flops / peak_bandwidth come from
  std::string source;            // the kernel timed or the table rows fitted
  std::string assumption;        // non-empty: parameters set by this stated assumption
  // The SM clock this class's data ran at, MHz; 0: the profile's clock_mhz. A profile whose
  // classes come from tables measured at different clocks (DeepGEMM's H800 tables at ~1600
  // MHz, XLA's H100 table at 1830) gives each class its own; at_clock scales each from it.
  double clock_mhz = 0.0;
  std::string clock_source;      // where clock_mhz comes from ("" when 0)
  std::string holdout_method;    // "every 4th point", "leave-one-out", "none"
  int fit_points = 0;            // points the parameters were fitted to
  int holdout_points = 0;
  double train_mape_pct = 0.0;
  std::optional<double> holdout_mape_pct;  // absent when nothing was held out
  std::optional<double> holdout_max_pct;
  std::vector<ProfilePoint> points;

  bool is_fitted() const { return assumption.empty(); }
};

struct Profile {
  std::string name;              // "h800-published", "cpu-measured"
  std::string device;            // "H800 SXM5", "CPU: AMD EPYC (1 core)"
  // The catalog GPU the profile describes ("H800", "A100-80GB"); "" for a profile of this
  // machine's CPU. A scenario whose cluster runs another GPU is refused unless it allows it.
  std::string gpu;
  // The SM clock the profile's data ran at, MHz (0: not known). A run at another clock scales
  // the compute-bound classes' peaks (OperatorTimer; see at_clock below).
  double clock_mhz = 0.0;
  std::string clock_source;      // where clock_mhz comes from
  std::string date;              // when measured or generated, YYYY-MM-DD
  std::string method;            // "measured" or "published tables"
  std::string generator;         // the command that wrote it
  std::vector<std::string> sources;  // kernel implementations or table files used
  std::vector<ClassProfile> classes;
  // NCCL's all-reduce by size on one node of this GPU (nccl-tests); absent: collectives are
  // timed at the links' rates alone.
  std::optional<CollectiveCurve> collectives;
  std::string file;              // where it was loaded from ("" if built in memory)
  // Adjustments made when the profile was applied to a run (clock), shown with the estimate.
  std::vector<std::string> notes;

  const ClassProfile* find(KernelClass c) const;
  // Mean of the classes' holdout MAPE (those that have one), percent.
  std::optional<double> overall_holdout_mape_pct() const;
};

// Throws UserError naming the class, the profile and its file when the class is absent,
// and when the shape is invalid for the class.
double predict_seconds(const Profile& profile, KernelClass c, const KernelShape& shape);
const ClassProfile& require_class(const Profile& profile, KernelClass c);

// One line for the estimate's assumptions: each class's ceiling (KernelModel::
// max_compute_fraction), as a share of its peak and in TFLOPS at its data's clock; "" if none.
std::string ceiling_note(const Profile& p);

// The profile as it runs at `run_mhz`: the compute peaks of the GEMM and attention classes
// scaled by run_mhz / the clock their data ran at (the class's clock_mhz, else the profile's;
// memory bandwidth, overheads unchanged), with a note per data clock saying so. A class is
// unchanged when either clock is unknown (0) or they are equal.
Profile at_clock(const Profile& p, double run_mhz, const std::string& run_clock_source);

// Reading and writing. The format follows the extension: .json is JSON, anything else YAML.
// Errors name the file, line and key (YamlMap).
Profile load_profile(const std::string& path);
std::string profile_to_yaml(const Profile& p);
std::string profile_to_json(const Profile& p);
std::string profile_to_text(const Profile& p, const std::string& path);  // by extension

}  // namespace llmsim::calibration
