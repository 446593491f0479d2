#pragma once
// Data-parallel communication overlapped with computation, in buckets (training.overlap):
// gradient reduction under the last backward pass, the ZeRO weight gather under the next
// step's first forward pass. One bucket per transformer layer of each chunk a pipeline rank
// holds: a bucket's gradients are final when the rank's last backward-type operation over
// its chunk has passed that layer (layers in reverse order, evenly over the operation's
// time); its weights are needed when the rank's first forward over the chunk reaches it.
// The buckets' collectives run one after another on one communication stream.

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

// When the last of `buckets`' reductions ends, each starting once its bucket is final and the
// previous one has ended; `seconds(bucket)` prices one bucket's collectives.
template <class Seconds>
double overlapped_reduce_end(const std::vector<DpBucket>& buckets, Seconds seconds) {
  double t = 0.0;
  for (const DpBucket& b : buckets) t = std::max(t, b.at_s) + seconds(b);
  return t;
}

// How long the first forward waits for weights, the gathers starting at the step's start one
// after another: the largest lateness of any bucket (0: the gathers are all hidden).
template <class Seconds>
double overlapped_gather_wait(const std::vector<DpBucket>& buckets, Seconds seconds) {
  double t = 0.0, wait = 0.0;
  for (const DpBucket& b : buckets) {
    t += seconds(b);
    wait = std::max(wait, t - b.at_s);
  }
  return wait;
}

}  // namespace llmsim
