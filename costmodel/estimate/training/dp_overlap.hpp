#pragma once
// Data-parallel communication overlapped with computation, in buckets (training.overlap):
// gradient reduction under the last backward pass, the ZeRO weight gather under the next
// step's first forward pass. One bucket per transformer layer of each chunk a pipeline rank
// holds: a bucket's gradients are final when the rank's last backward-type operation over
// its chunk has passed that layer (layers in reverse order, evenly over the operation's
// time); its weights are needed when the rank's first forward over the chunk reaches it.
// The buckets' collectives run one after another on one communication stream: reductions
// each from when its bucket is final, gathers from the step's start (ZeRO-3 without pipelining:
// in every pass, each once the previous layer's pass starts), run_serially below.

#include <vector>

#include "costmodel/account/memory.hpp"
#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

struct DpBucket {
  double at_s = 0.0;           // gradients final (reduce) or weights needed (gather), from step start
  double dense_params = 0.0;   // on one GPU
  double expert_params = 0.0;
};

// The rank's gradient buckets, in the order they become final.
std::vector<DpBucket> grad_buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                                   const std::vector<ChunkLoad>& chunks, int rank);

// The rank's weight buckets, in the order the first forward needs them.
std::vector<DpBucket> gather_buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                                     const std::vector<ChunkLoad>& chunks, int rank);

// ZeRO-3 without pipelining (FSDP resharding after each forward) gathers and reduces in every
// pass, not once a step: the buckets of each forward's gather, each backward's gather (both at
// the start of their layer's slice) or each backward's reduction (at its end), over all the
// rank's micro-batches, in time order.
enum class PassBuckets { kForwardGather, kBackwardGather, kBackwardReduce };
std::vector<DpBucket> every_pass_buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                                         const std::vector<ChunkLoad>& chunks, int rank,
                                         PassBuckets kind);

// One bucket's collective on the communication stream, from its start to its end, seconds from
// the step's start.
struct CommInterval {
  double start = 0.0;
  double end = 0.0;
};

// The buckets' collectives one after another on one stream, bucket i starting once the
// previous one has ended and no earlier than `ready(i)`; `seconds(bucket)` prices one.
template <class Ready, class Seconds>
std::vector<CommInterval> run_serially(const std::vector<DpBucket>& buckets, Ready ready,
                                       Seconds seconds) {
  std::vector<CommInterval> out;
  double t = 0.0;
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const double start = std::max(t, ready(i));
    t = start + seconds(buckets[i]);
    out.push_back({start, t});
  }
  return out;
}

// The largest lateness of a bucket's collective against the time its bucket is needed (0:
// every one arrived in time).
double lateness(const std::vector<DpBucket>& buckets, const std::vector<CommInterval>& runs);

// How long the intervals run inside [from, to), seconds.
double overlap_with(const std::vector<CommInterval>& runs, double from, double to);

}  // namespace llmsim
