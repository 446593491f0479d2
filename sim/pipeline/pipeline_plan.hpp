#pragma once
// PipelinePlan: what each pipeline rank runs, in order. Produced by the schedule generators
// in sim/pipeline/schedules/ and consumed by PipelineExecutor. Knows stages and micro-batches, not LLMs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmsim {

// F: forward of one stage. B: backward for inputs only (weight gradient deferred to a W).
// W: a deferred weight gradient. BW: full backward. FB: a forward and a full backward of two
// different micro-batches, overlapped and run as one operation (DualPipe's F&B).
enum class OpKind : std::uint8_t { F, B, W, BW, FB };
inline constexpr int kNumOpKinds = 5;

std::string_view op_kind_name(OpKind k);

// One (micro-batch, stage) pair of one direction. For DualPipe, dir 0 micro-batches enter at
// rank 0 and dir 1 micro-batches at the last rank; mb counts within its direction.
struct MicroStage {
  std::int32_t mb = 0;
  std::int16_t stage = 0;
  std::int8_t dir = 0;
  friend bool operator==(const MicroStage&, const MicroStage&) = default;
};

struct PipelineOp {
  OpKind kind = OpKind::F;
  MicroStage first;   // the op's work; for FB its forward part
  MicroStage second;  // FB only: its (full) backward part
  friend bool operator==(const PipelineOp&, const PipelineOp&) = default;

  static PipelineOp make(OpKind k, MicroStage ms) { return PipelineOp{k, ms, MicroStage{}}; }
  static PipelineOp make_fb(MicroStage fwd, MicroStage bwd) {
    return PipelineOp{OpKind::FB, fwd, bwd};
  }
};

// Which schedule, and its shape.
enum class ScheduleMethod : std::uint8_t {
  kGPipe,
  k1F1B,
  kInterleaved1F1B,
  kZB1P,
  kZB2P,
  kZBV,
  kDualPipe,
  kDualPipeV,
};

struct PipelinePlan {
  ScheduleMethod method = ScheduleMethod::k1F1B;
  int pp = 1;               // ranks
  int micro_batches = 1;    // in total, both directions together
  int vpp = 1;              // model chunks per rank (interleaved 1F1B)
  int num_dirs = 1;         // 2 for DualPipe
  int num_stages = 1;       // pipeline stages along one direction's path
  // stage_rank[dir][stage]: the rank that computes that stage for that direction.
  std::vector<std::vector<int>> stage_rank;
  // ops[rank]: the operations of that rank, in the order it runs them.
  std::vector<std::vector<PipelineOp>> ops;

  int micro_batches_per_dir() const { return micro_batches / num_dirs; }
  int rank_of(const MicroStage& ms) const { return stage_rank[ms.dir][ms.stage]; }
  // The model's parameters held by a rank, in units of (model parameters / pp): 1 for every
  // schedule except DualPipe, whose rank r holds both stage r and stage pp-1-r.
  double parameter_copies(int rank) const;
  std::size_t total_ops() const;
};

}  // namespace llmsim
