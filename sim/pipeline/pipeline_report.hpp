#pragma once
// Reports of a simulated pipeline as data: the JSON document of `llmsim schedule --json` and
// Chrome trace spans. Pictures of it (SVG, the GUI) live in report/.
// Times are reported in microseconds.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/chrome_trace.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

// {"method","pp","micro_batches","vpp","time_unit","makespan","max_bubble","ranks":[...]}.
// with_ops = false leaves out the per-operation lists (the summary alone). Written as it is
// produced, one operation per line, so that a plan of millions of operations never exists
// as a JSON tree; `indent` shifts every line (a document inside a list).
void write_pipeline_json(std::ostream& out, const PipelinePlan& plan, const PipelineResult& result,
                         bool with_ops = true, int indent = 0);
// The same as a tree (small plans, tests).
nlohmann::json pipeline_to_json(const PipelinePlan& plan, const PipelineResult& result,
                                bool with_ops = true);

// Adds one process `pid` named `title`, one thread per rank, one span per operation, and
// flow arrows along the data: a micro-batch's forward on stage s to its forward on s + 1,
// the last stage's forward to its backward, a backward on s + 1 to the backward on s.
void add_pipeline_to_trace(ChromeTrace& trace, int pid, const std::string& title,
                           const PipelinePlan& plan, const PipelineResult& result);

// A short human name for an operation, e.g. "F 3", "B 12", "F 3 | BW 1".
std::string op_label(const PipelineOp& op);

}  // namespace llmsim
