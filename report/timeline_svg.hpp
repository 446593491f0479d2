#pragma once
// An SVG timeline of simulated pipelines in the style of the DeepSeek-V3 report's DualPipe
// figure (`llmsim schedule --svg`). Times in microseconds.

#include <string>
#include <vector>

#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

struct TimelineCase {
  std::string title;
  const PipelinePlan* plan = nullptr;
  const PipelineResult* result = nullptr;
};

// One block of rows per case, stacked on a shared time axis; one row per rank, cells
// numbered by micro-batch, one colour per operation kind, DualPipe's second direction in
// darker shades, idle time left as the light background.
std::string timeline_svg(const std::vector<TimelineCase>& cases);

}  // namespace llmsim
