#pragma once
// The invariants every execution of a pipeline plan keeps, for the schedule tests and the
// schedule property tests.

#include <string>

#include "sim/pipeline/pipeline_executor.hpp"

namespace llmsim::testing {

// Every (direction, micro-batch, stage) has exactly one forward and one backward, on the rank
// that holds the stage; a deferred W exactly once, after its B on the same rank; a rank's
// operations in order without overlap; a forward after its input arrives (the previous stage's
// forward plus the transfer between ranks), a backward after its forward and after its gradient
// arrives. Returns a description of the first violation, "" if none.
std::string check_execution(const PipelinePlan& p, const PipelineCosts& c,
                            const PipelineResult& res);

}  // namespace llmsim::testing
