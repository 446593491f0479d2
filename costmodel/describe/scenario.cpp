#include "costmodel/describe/scenario.hpp"

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

const TrainingPhase* Scenario::find_phase(const std::string& n) const {
  for (const auto& p : phases) {
    if (p.name == n) return &p;
  }
  return nullptr;
}

void require_training(const Scenario& s, const std::string& what) {
  if (s.workload == WorkloadKind::kTraining && !s.phases.empty()) return;
  throw UserError(fmt::format("{}: a serving scenario (serving:); {} estimates training jobs: "
                              "use `llmsim serve {}`", s.file, what, s.file));
}

}  // namespace llmsim
