#include "costmodel/time/nccl_overhead.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace llmsim {

namespace {

// The sweep's excess per ring step whose chunk is `chunk` bytes per GPU.
double step_seconds(const calibration::CollectiveCurve& curve, double chunk) {
  const int m = curve.gpus;
  return curve.excess_seconds(chunk * m) / (2.0 * (m - 1));
}

// `steps` ring steps of `bytes / n` each.
double ring_seconds(const calibration::CollectiveCurve& curve, int steps, int n, double bytes) {
  if (n < 2 || steps <= 0) return 0.0;
  return steps * step_seconds(curve, bytes / n);
}

}  // namespace

double nccl_overhead_seconds(const calibration::CollectiveCurve& curve,
                             const CollectiveRequest& q, int gpus_per_node) {
  const int n = q.gpus;
  if (n < 2 || !(q.bytes > 0.0)) return 0.0;
  switch (q.op) {
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather: return ring_seconds(curve, n - 1, n, q.bytes);
    case CollectiveOp::kAllReduce: break;
    case CollectiveOp::kAllToAll:
    case CollectiveOp::kP2P:
    case CollectiveOp::kEpDispatch:
    case CollectiveOp::kEpCombine: return 0.0;
  }
  const int g = std::clamp(group_per_node(q, gpus_per_node), 1, n);
  const int nodes = n / g;
  if (q.algorithm != AllReduceAlgorithm::kHierarchical || nodes < 2 || g < 2) {
    return ring_seconds(curve, 2 * (n - 1), n, q.bytes);
  }
  // Reduce-scatter and all-gather inside the node, an all-reduce of a 1/g share across nodes.
  return 2.0 * ring_seconds(curve, g - 1, g, q.bytes) +
         ring_seconds(curve, 2 * (nodes - 1), nodes, q.bytes / g);
}

std::string nccl_overhead_note(const calibration::CollectiveCurve& curve,
                               const std::string& profile) {
  return fmt::format(
      "collectives: NCCL's time beyond the links' rates is added to each ring all-reduce, "
      "reduce-scatter and all-gather, per ring step (profile {}: {}; at 1 MiB, 16 MiB, "
      "128 MiB and 1 GiB its {}-GPU all-reduce spends {:.0f}, {:.0f}, {:.0f} and {:.0f} us "
      "beyond its best bus bandwidth, {:.0f} GB/s, spread over its {} steps; a step's cost is "
      "the one measured on NVLink, a lower bound across nodes){}",
      profile, curve.source, curve.gpus, curve.excess_seconds(1 << 20) * 1e6,
      curve.excess_seconds(16 << 20) * 1e6, curve.excess_seconds(128 << 20) * 1e6,
      curve.excess_seconds(1 << 30) * 1e6, curve.peak_busbw_gbps(), 2 * (curve.gpus - 1),
      curve.assumption.empty() ? "" : "; " + curve.assumption);
}

}  // namespace llmsim
