#include "sim/pipeline/pipeline_plan.hpp"

#include <set>
#include <utility>

namespace llmsim {

std::string_view op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::F: return "F";
    case OpKind::B: return "B";
    case OpKind::W: return "W";
    case OpKind::BW: return "BW";
    case OpKind::FB: return "FB";
  }
  return "?";
}

double PipelinePlan::parameter_copies(int rank) const {
  // Distinct model stages held by the rank. Both DualPipe directions run the same model,
  // so (dir, stage) pairs with the same stage are one set of parameters.
  std::set<int> held;
  for (const auto& per_dir : stage_rank) {
    for (int s = 0; s < static_cast<int>(per_dir.size()); ++s) {
      if (per_dir[s] == rank) held.insert(s);
    }
  }
  return static_cast<double>(held.size()) * pp / num_stages;
}

std::size_t PipelinePlan::total_ops() const {
  std::size_t n = 0;
  for (const auto& r : ops) n += r.size();
  return n;
}

}  // namespace llmsim
