#pragma once
// Running collectives. Two ways in:
//  - CollectiveRun plays a FlowPlan on a FlowNetwork, on the caller's engine, so a training
//    simulation can overlap collectives with compute: start() at the engine's current time,
//    and `done` fires when the last flow of the last phase arrives.
//  - simulate_collective / estimate_collective / run_collective: pure functions "how long does
//    this collective take on this cluster", by flow simulation or by the closed form
//    (analytical_model.cpp), the latter chosen automatically for big plans.

#include <cstddef>

#include "sim/topology/cluster_spec.hpp"
#include "sim/collectives/collective.hpp"
#include "sim/collectives/flow_plan.hpp"
#include "sim/network/flow_network.hpp"

namespace llmsim {

class CollectiveRun final : public EventHandler {
 public:
  // The network must outlive the run. `done` fires once, at the completion time.
  CollectiveRun(FlowNetwork& network, FlowPlan plan, FlowDone done = {});
  void start();
  bool finished() const { return finished_; }
  SimTime start_time() const { return start_; }
  SimTime end_time() const { return end_; }
  const FlowPlan& plan() const { return plan_; }
  void on_event(SimTime now, std::uint64_t payload) override;

 private:
  void launch(std::size_t phase, SimTime now);
  FlowNetwork& network_;
  FlowPlan plan_;
  FlowDone done_;
  std::size_t phase_ = 0;
  std::size_t pending_ = 0;
  bool finished_ = false;
  SimTime start_, end_;
};

enum class CollectiveMode { kAuto, kFlow, kAnalytical };

// Plans with more flows than flow_mode_max_flows(cluster) run in analytical mode under kAuto.
// On single nodes, rail-optimized and multi-plane clusters the closed form gives the flow
// simulation's time to 0.03% on every group the two both ran (ring and hierarchical
// all-reduce, reduce-scatter, all-gather up to 8,192 GPUs; all-to-all and DeepEP dispatch /
// combine up to 256), while a flow simulation costs about 5 us per flow (a 65,536-flow
// reduce-scatter: 0.3 s): the switch comes early, at 4,096 flows (an all-to-all over 64 GPUs,
// 4,032 flows, and a reduce-scatter over 512, 4,096, still simulate flow by flow; an
// all-to-all over 128 and a reduce-scatter over 1,024 do not). At the former 70,000, a
// DeepSeek-V3 step on 65,536 GPUs took 1.16 s of llmsim's time and on 131,072 0.012 s (97x);
// at 4,096, bench/scaling_perftest's largest neighbour ratio is about 5. On a fat-tree the
// closed form ignores ECMP collisions and oversubscribed EP traffic (5% off for ring
// collectives over 1,024 GPUs, 54% for DeepEP dispatch over 256 at 3:1), so the flow
// simulation runs up to 70,000 flows there, as before, run-time cliff and all.
inline constexpr std::size_t kFlowModeMaxFlows = 4096;
inline constexpr std::size_t kFlowModeMaxFlowsFatTree = 70000;
std::size_t flow_mode_max_flows(const ClusterSpec& c);
// Flow count of the plan a request would build, without building it.
std::size_t estimated_flow_count(const CollectiveRequest& q, int gpus_per_node);

// Limits of an EP request (validate_request): far above today's MoE models (DeepSeek-V3: 256
// experts, hidden 7168, 4096 tokens per GPU in training).
inline constexpr int kMaxExperts = 1 << 16;
inline constexpr int kMaxTokensPerGpu = 1 << 20;
inline constexpr int kMaxHidden = 1 << 17;

// Throws UserError when the request does not fit the cluster.
void validate_request(const ClusterSpec& c, const CollectiveRequest& q);

// Flow-level simulation on `topology` (built from the cluster; see builders.hpp).
CollectiveResult simulate_collective(const Topology& topology, const CollectiveRequest& q);
// The closed-form bottleneck model (analytical_model.cpp); needs no topology.
CollectiveResult estimate_collective(const ClusterSpec& c, const CollectiveRequest& q);
// Validates, then simulates (building the topology) or estimates according to `mode`.
CollectiveResult run_collective(const ClusterSpec& c, const CollectiveRequest& q,
                                CollectiveMode mode);

// Fills bytes, algbw, busbw and the EP bandwidths of `r` from its time.
void finish_result(CollectiveResult& r, const CollectiveRequest& q, const FlowPlan* plan,
                   double ep_rdma_bytes, double ep_nvl_bytes);

}  // namespace llmsim
