#pragma once
// OpDependencies: which operations of a simulated plan feed which, the data flow that
// PipelineExecutor waits on: a micro-batch's forward on stage s feeds its forward on s + 1,
// the last stage's forward feeds its backward, a backward on s + 1 feeds the backward on s,
// and a B feeds its own deferred W. Used by the Chrome trace's flow arrows, the GUI's
// dependency arrows and its critical path, so all of them show the same edges.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/pipeline/pipeline_executor.hpp"
#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

// One operation of a plan: plan.ops[rank][index].
struct OpRef {
  int rank = -1;
  std::size_t index = 0;
  bool valid() const { return rank >= 0; }
  friend bool operator==(const OpRef&, const OpRef&) = default;
};

// Why one operation waits for another.
enum class DependencyKind : std::uint8_t { kForward, kTurn, kBackward, kWeight };

struct Dependency {
  OpRef from;
  OpRef to;
  DependencyKind kind = DependencyKind::kForward;
};

class OpDependencies {
 public:
  // A flat table over (direction, stage, micro-batch, part): a 64-rank, 10,000
  // micro-batch plan holds 3.8 million entries.
  explicit OpDependencies(const PipelinePlan& plan);

  // The operations `op` waits for, and those that wait for it (in the order of the flow).
  std::vector<Dependency> inputs(OpRef op) const;
  std::vector<Dependency> outputs(OpRef op) const;
  // Every edge, forward chain, turn and backward chain of each micro-batch in turn; W edges
  // last when with_weight.
  std::vector<Dependency> all(bool with_weight) const;

 private:
  enum Part { kF = 0, kB = 1, kW = 2 };
  // The pass the op's first micro-batch runs: W, B (B and BW), else F (F, FB's forward).
  static Part first_part(const PipelineOp& o);
  std::size_t index(const MicroStage& m, Part part) const;
  OpRef at(int dir, int stage, int mb, Part part) const;
  void add_inputs(const MicroStage& m, Part part, OpRef op, std::vector<Dependency>& out) const;
  void add_outputs(const MicroStage& m, Part part, OpRef op, std::vector<Dependency>& out) const;

  const PipelinePlan* plan_;
  int stages_;
  int mbs_;
  std::vector<OpRef> places_;
};

// The chain of operations that sets the makespan, last first: from the op that ends last,
// repeatedly the input (data dependency or the rank's previous op) that ends latest before
// it starts. Empty for an empty plan.
std::vector<OpRef> critical_path(const PipelinePlan& plan, const PipelineResult& result,
                                 const OpDependencies& deps);

}  // namespace llmsim
