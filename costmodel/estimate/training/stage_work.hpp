#pragma once
// The work of one pipeline stage (model chunk) for one micro-batch: which operators run, in
// which order, in the forward, the input-gradient (with recomputation) and the
// weight-gradient pass, each computation timed by the OperatorTimer and each communication
// need turned into a collective by the communication plan (comm_plan.hpp).

#include <string>
#include <vector>

#include "costmodel/account/memory.hpp"
#include "costmodel/account/operator_account.hpp"
#include "costmodel/estimate/training/comm_plan.hpp"
#include "costmodel/time/operator_timer.hpp"

namespace llmsim {

// One piece of a chunk's pass: computation on the SMs, or communication.
struct Segment {
  std::string name;  // "L12 attn", "L12 dispatch", ...
  bool comm = false;
  double seconds = 0.0;
  // Seconds the busiest link of each tier is busy in this piece (its collectives, and those
  // hidden under a computation piece), from the flow model (operator_timer.hpp).
  TierBusy link_busy_s{};
};

// What one pipeline stage (model chunk) does for one micro-batch.
struct StageWork {
  int first_layer = 0;
  int layers = 0;
  std::vector<Segment> forward;   // in execution order
  std::vector<Segment> backward;  // input-gradient pass (with recomputation), in order
  double wgrad_s = 0.0;           // weight gradients, computation only
  Segment wgrad_segment;          // the same as one compute segment
  double forward_s() const;
  double backward_s() const;
  double forward_compute_s() const;
  double backward_compute_s() const;
};

enum class Pass { kForward, kDgrad, kWgrad };

// Compute seconds of one pass of one operator (its communication excluded).
double pass_seconds(const OpAccount& op, Pass pass, const AccountRequest& req,
                    const ModelSpec& model, OperatorTimer& timer);

// One stage per chunk of `chunks`, built from the layers of `account`.
std::vector<StageWork> build_stage_work(const ModelSpec& model, const ModelAccount& account,
                                        const std::vector<ChunkLoad>& chunks,
                                        const CommContext& comm, OperatorTimer& timer);

}  // namespace llmsim
