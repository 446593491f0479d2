#pragma once
// A greedy list scheduler that orders F, B and W on every rank of a plan whose layout is set
// (stage_rank filled, ops empty), under a cap on in-flight activations per rank. It plays the
// pipeline forward in unit time steps (F = B = W = 1, free transfers); an idle rank takes,
// in this priority, a ready B (earliest micro-batch, then the deepest stage), a ready F if
// its cap allows (deepest stage first, so that V-shapes close early), else its oldest
// deferred W. This is the heuristic of the zero-bubble paper's automatic scheduler
// (Qi et al., ICLR 2024, section 3.2) reduced to fixed unit costs, so the order does not
// depend on the costs the executor is later given.

#include <vector>

#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim::schedule_detail {

void fill_greedy_zero_bubble(PipelinePlan& plan, const std::vector<int>& max_in_flight);

}  // namespace llmsim::schedule_detail
