#pragma once
// The communication plan of a training step: which collective, on which group of ranks, each
// communication need of the operator account becomes; where it sits against its operator's
// computation; what may overlap; and the data-parallel gradient synchronization at the end of
// the step.
//
// Groups, by name: "tp" (tensor parallel, also the SP gathers and scatters), "cp" (context
// parallel key/value gathers), "ep" (expert-parallel dispatch and combine), "dp" (dense
// gradients: dp x cp ranks) and "expert-dp" (expert gradients).
//
// Overlap rules: inside one chunk's pass, computation and communication alternate on the
// critical path (a layer's experts wait for its dispatch). DualPipe's overlapped F&B pairs run
// one micro-batch's computation against the other's communication on two streams (DeepSeek-V3
// report Figure 4), and while they do, the communication kernels hold `comm_sms` of the SMs
// (report s3.2.2). The DP reduction of a rank starts after its last pipeline operation.

#include <cstdint>
#include <vector>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/hardware.hpp"
#include "costmodel/describe/model_spec.hpp"
#include "costmodel/describe/parallel_plan.hpp"
#include "costmodel/describe/precision.hpp"
#include "costmodel/time/operator_timer.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace llmsim {

// What the plan needs to know of the scenario.
struct CommContext {
  const ModelSpec* model = nullptr;
  const PrecisionRecipe* recipe = nullptr;
  int cluster_nodes = 1;   // NVLink domains (ClusterSpec::domains)
  int gpus_per_node = 8;   // GPUs per NVLink domain (ClusterSpec::domain_gpus)
  int tp = 1;  // a CP group's ranks sit tp apart (Megatron's rank order tp-cp-ep-dp-pp)
  bool tp_overlap = false;  // training.overlap.tp_comm: TP collectives run under their GEMM
};

// Tensor-parallel gathers and reductions (the ones training.overlap.tp_comm can hide).
bool is_tp_comm(CommKind kind);

// Members per node of a group whose ranks sit `stride` GPUs apart (Megatron's rank order
// tp-cp-ep-dp-pp: a DP or CP group's ranks are tp apart), for CollectiveRequest::per_node.
int strided_per_node(int group, int stride, int gpus_per_node);

// The collective one need becomes in the forward (or backward) pass; group size 1 or no bytes:
// a request with gpus = 1, which the timer prices at zero.
GroupCollective layer_collective(const CommNeed& need, bool forward, const CommContext& ctx,
                                 OperatorTimer& timer);

// Gathers (SP all-gather, CP key/value gather) run before their operator's forward
// computation; everything else after it. The backward runs the mirror order.
bool comm_before_compute(CommKind kind);

// SMs an NCCL collective's kernel holds while it runs: one CTA per channel, each on an SM of
// its own (NVIDIA/nccl#689, sjeaugey: one NIC "should just launch 2 SMs ... 2 is the
// minimum"). 24 channels inside one NVSwitch node of 8 A100 (nccl-tests#100's log, "Channel
// 23/24"; nccl#1225: "For dgxA100, 12 nvlink and 24 cta for allreduce") or 8 H100 (nccl#1367,
// NCCL 2.19: 12 rings, duplicated to 24); 16 on rings across nodes (nccl#1453: 3 nodes of
// 8 H100, "Channel 05/16"). Other GPUs are assumed the same.
int nccl_sms(bool spans_nodes);

// Factor by which computation slows inside an overlapped F&B pair: sm / (sm - comm_sms).
double overlap_compute_slowdown(const GpuSpec& gpu, int comm_sms);

// The gradient synchronization of one pipeline rank holding `dense_params` and
// `expert_params` parameters. ZeRO 0: all-reduce; ZeRO >= 1: reduce-scatter, then an
// all-gather of the updated weights. DualPipe keeps two parameter copies per rank, so its
// groups are twice as large (V3 report s3.2.1).
struct DpSync {
  std::vector<GroupCollective> reduce;  // on the critical path after the rank's last op
  std::vector<GroupCollective> gather;  // ZeRO >= 1 only
  int dense_group = 1;
  int expert_group = 1;
};
DpSync dp_sync_plan(const ParallelPlan& plan, ScheduleMethod method, const PrecisionRecipe& recipe,
                    double dense_params, double expert_params, int gpus_per_node);

}  // namespace llmsim
