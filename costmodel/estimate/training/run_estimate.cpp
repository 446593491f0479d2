#include "costmodel/estimate/training/run_estimate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

// A profile of another GPU than the cluster's is an error unless the scenario allows it.
void check_profile_gpu(const Scenario& s, const calibration::Profile& p) {
  std::string want = s.gpu.name, have = p.gpu;
  auto lower = [](std::string& t) {
    for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  lower(want);
  lower(have);
  if (want == have) return;
  const std::string what = p.gpu.empty() ? "this machine's CPU" : "the " + p.gpu;
  if (s.allow_profile_mismatch) return;
  throw UserError(fmt::format(
      "{}: calibration: the kernel profile {} ({}) describes {}, but the cluster runs {}; "
      "use that GPU's profile (calibration/{}-published.yaml where one ships), or set "
      "`allow_profile_mismatch: true` to time {} kernels with {}'s efficiencies",
      s.file, p.name, p.file, what, s.gpu.name, want, s.gpu.name, p.gpu.empty() ? "CPU" : p.gpu));
}

}  // namespace

calibration::Profile scenario_profile(const Scenario& s) {
  if (s.calibration_file.empty()) {
    throw UserError(fmt::format(
        "{}: calibration: missing, and no published profile ships for the cluster's {}; name "
        "the kernel profile that times the operators, e.g. "
        "`calibration: calibration/h800-published.yaml` (with `allow_profile_mismatch: true` "
        "for another GPU's), or build one with `llmsim calibrate`",
        s.file, s.gpu.name));
  }
  const calibration::Profile p = calibration::load_profile(s.calibration_file);
  check_profile_gpu(s, p);
  const GpuSpec& g = s.gpu;
  const bool sustained = !s.boost_clock && g.sustained_clock_mhz > 0;
  calibration::Profile out = calibration::at_clock(
      p, sustained ? g.sustained_clock_mhz : g.boost_clock_mhz,
      sustained ? fmt::format("{} sustained clock under load: {}", g.name, g.clock_source)
                : fmt::format("{} boost clock{}", g.name,
                              s.boost_clock ? ", `clock: boost`" : ": no sustained clock known"));
  if (const std::string c = calibration::ceiling_note(p); !c.empty()) out.notes.push_back(c);
  if (!s.boost_clock && !sustained) {
    out.notes.push_back(fmt::format("{}: no sustained clock under load is known; kernels run at "
                                    "the boost clock",
                                    g.name));
  }
  return out;
}

namespace {

void add_notes(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& n : from) {
    if (std::find(to.begin(), to.end(), n) == to.end()) to.push_back(n);
  }
}

}  // namespace

RunEstimate estimate_run(const Scenario& s, const calibration::Profile& profile,
                         const StepOptions& options) {
  require_training(s, "the training estimate");
  RunEstimate run;
  add_notes(run.notes, s.notes);
  for (const TrainingPhase& phase : s.phases) {
    PhaseEstimate pe;
    pe.name = phase.name;
    pe.gpus = phase.plan.gpus();
    pe.step = simulate_step(s, phase, profile, 0, options);
    add_notes(run.notes, pe.step.notes);
    pe.tokens = phase.tokens;
    double ramp_tokens = 0.0;
    if (phase.ramp && phase.ramp->over_tokens > 0) {
      const BatchRamp& ramp = *phase.ramp;
      ramp_tokens = std::min(ramp.over_tokens, phase.tokens);
      for (int i = 0; i < kRampSegments; ++i) {
        const double mid = (i + 0.5) / kRampSegments;
        const auto batch = static_cast<std::int64_t>(std::llround(
            ramp.from_sequences + (ramp.to_sequences - ramp.from_sequences) * mid));
        const StepResult st = simulate_step(s, phase, profile, batch, options);
        add_notes(run.notes, st.notes);
        RampPoint p;
        p.global_batch = st.global_batch;
        p.tokens = ramp_tokens / kRampSegments;
        p.step_time_s = st.step_time_s;
        p.tokens_per_second = st.tokens_per_second;
        pe.seconds += p.tokens / p.tokens_per_second;
        pe.steps += p.tokens / st.tokens_per_step;
        pe.ramp.push_back(p);
      }
    }
    const double rest = phase.tokens - ramp_tokens;
    pe.seconds += rest / pe.step.tokens_per_second;
    pe.steps += rest / pe.step.tokens_per_step;
    pe.gpu_hours = pe.seconds * pe.gpus / 3600.0;
    pe.cost_usd = pe.gpu_hours * s.usd_per_gpu_hour;
    run.total_gpu_hours += pe.gpu_hours;
    run.total_cost_usd += pe.cost_usd;
    run.wall_clock_days += pe.seconds / 86400.0;
    run.phases.push_back(std::move(pe));
  }
  if (!run.phases.empty() && run.phases.front().tokens > 0) {
    run.gpu_hours_per_trillion_tokens =
        run.phases.front().gpu_hours / (run.phases.front().tokens / 1e12);
  }
  return run;
}

}  // namespace llmsim
