#pragma once
// ScheduleExperiment: several pipeline schedules run on the same model and costs, side by
// side. Shared by `llmsim schedule` and llmsim-gui so both show the same numbers.

#include <optional>
#include <string>
#include <vector>

#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

// Costs as a user states them, in microseconds. A single value per kind is the time of 1/pp
// of the model (one 1F1B stage); schedules that cut the model into more stages
// (interleaved: vpp*pp, ZB-V and DualPipeV: 2*pp) share it evenly among them, so that every
// method runs the same model. A list gives each of the plan's stages its own value, used as
// is. Empty bw_us: BW = B + W; no fb_us: F&B = F + BW.
struct CostInputs {
  std::vector<double> f_us{1.0};
  std::vector<double> b_us{1.0};
  std::vector<double> w_us{1.0};
  std::vector<double> bw_us;
  std::optional<double> fb_us;
  double p2p_latency_us = 0.0;
  double p2p_bytes = 0.0;
  double p2p_gbps = 0.0;  // GB/s; 0 = unlimited
};

// Parses a duration typed by a user, in microseconds unless it names its unit ("2ms", "500ns";
// sim/units.hpp), or a comma-separated list with one per stage ("1" or "1,2ms,1,1"). `name` is
// how the value is called in the message, e.g. "--f". Throws UserError:
// "--f = 'abc': expected a duration such as 2ms (units: ns, us, ms, s; ...)".
double parse_duration(const std::string& name, const std::string& text);
std::vector<double> parse_duration_list(const std::string& name, const std::string& text);

// Throws UserError for lists of different lengths or negative values.
PipelineCosts costs_for_plan(const CostInputs& in, const PipelinePlan& plan);

// The published bubble of DeepSeek-V3 report Table 2 (and the DualPipe README for DualPipeV,
// whose PP counts stages) for this plan, in microseconds, where its assumptions hold: uniform
// stage costs, free transfers. Table 2's B is a full backward. A target to print beside the
// simulation, never an input to it.
std::optional<double> published_bubble_us(const PipelinePlan& plan, const PipelineCosts& costs);

struct ScheduleExperiment {
  std::vector<ScheduleMethod> methods{ScheduleMethod::k1F1B};
  int pp = 8;
  int micro_batches = 20;
  int vpp = 0;  // 0: 2 for interleaved; other methods always use 1
  CostInputs costs;
};

struct CaseSummary {
  double makespan_us = 0.0;
  double max_bubble_us = 0.0;
  double bubble_share = 0.0;            // max bubble / makespan
  double peak_activation_memory = 0.0;  // max over ranks, in 1F1B-stage units
  int peak_activations = 0;             // max over ranks, in the plan's own stages
  double parameter_copies = 0.0;        // max over ranks
  std::optional<double> published_bubble_us;
};

// A piece of an operation on one of a rank's streams: computation (stream 0) or
// communication (stream 1). The training step provides them; schedule experiments do not.
struct StreamPiece {
  SimTime start;
  SimTime end;
  bool comm = false;
  OpKind kind = OpKind::F;
  MicroStage part;
};

struct ExperimentCase {
  PipelinePlan plan;
  PipelineCosts costs;
  PipelineResult result;
  std::string title;
  CaseSummary summary;
  std::vector<std::vector<StreamPiece>> streams;  // per rank, by start; empty: none
};

// The summary figures of one simulated plan.
CaseSummary summarize_case(const PipelinePlan& plan, const PipelineCosts& costs,
                           const PipelineResult& result);

// Validates and runs every method; throws UserError on the first impossible request.
std::vector<ExperimentCase> run_experiment(const ScheduleExperiment& e);

std::string case_title(const PipelinePlan& p);

}  // namespace llmsim
