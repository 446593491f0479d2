#pragma once
// The text of `llmsim run`: a training estimate with its step breakdown, phases, cost,
// published figures and assumptions. `llmsim plan` prints its best plan with it.

#include "costmodel/estimate/training/run_estimate.hpp"

namespace llmsim::cli {

void print_run(const Scenario& s, const calibration::Profile& profile, const RunEstimate& run);

}  // namespace llmsim::cli
