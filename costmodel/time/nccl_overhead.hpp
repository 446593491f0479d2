#pragma once
// NCCL's time beyond the bandwidth term, for the ring collectives of a step (all-reduce,
// reduce-scatter, all-gather), from the profile's nccl-tests sweep (calibration::
// CollectiveCurve). The flow model moves the bytes at the links' rates; this adds what a
// real NCCL call pays on top: launch, synchronisation and the ring pipeline's fill.
//
// The rule, per ring step. A ring all-reduce over m GPUs of S bytes runs 2(m-1) steps, each
// moving a chunk of S/m per GPU; the sweep's excess at S (its time less S x 2(m-1)/m at its
// best bus bandwidth) is taken to be spread evenly over those steps. A step with a chunk of c
// bytes then costs excess(m x c) / (2(m-1)), and a collective over n GPUs pays that for each of
// its steps: a ring all-reduce 2(n-1) steps of chunk S/n, a reduce-scatter (S its input) and an
// all-gather (S its output) n-1 each. On one node of m GPUs this gives the sweep's own time
// back; a reduce-scatter pays half the all-reduce's excess, as the ring runs half the steps.
// Across nodes the ring's steps are counted the same way; each step's cost is the one measured
// on NVLink, a lower bound where a step crosses a NIC. The hierarchical all-reduce pays for its
// reduce-scatter and all-gather inside the node and its all-reduce across the nodes.
// The sweep's excess holds NCCL's latency too; the timer (OperatorTimer) takes off what the
// network model charges for the same collective of one byte, so latency is paid once.
// All-to-all, point-to-point and DeepEP's dispatch and combine are not ring collectives and pay
// nothing here (DeepEP has its own calibration).

#include "costmodel/time/calibration/collective_curve.hpp"
#include "sim/collectives/collective.hpp"

namespace llmsim {

// Seconds NCCL adds to `q` beyond its bandwidth time, by the rule above; 0 for collectives the
// rule does not cover. `gpus_per_node`: the cluster's (the hierarchical all-reduce's split).
double nccl_overhead_seconds(const calibration::CollectiveCurve& curve,
                             const CollectiveRequest& q, int gpus_per_node);

// The rule in one line, for an estimate's assumptions, naming the curve's source.
std::string nccl_overhead_note(const calibration::CollectiveCurve& curve,
                               const std::string& profile);

}  // namespace llmsim
