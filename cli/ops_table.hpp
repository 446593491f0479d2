#pragma once
// `llmsim run --ops`: every operator of one layer of each kind, for one micro-batch of the
// first phase on one GPU, with the time of each pass, its communication and where the time
// comes from (the profile's class, fitted or assumed, or the network model).

#include "costmodel/describe/scenario.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::cli {

void print_ops_table(const Scenario& s, const calibration::Profile& profile);

}  // namespace llmsim::cli
