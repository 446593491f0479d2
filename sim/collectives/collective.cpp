#include "sim/collectives/collective.hpp"

#include <algorithm>

namespace llmsim {

std::string_view collective_op_name(CollectiveOp op) {
  switch (op) {
    case CollectiveOp::kAllReduce: return "all-reduce";
    case CollectiveOp::kReduceScatter: return "reduce-scatter";
    case CollectiveOp::kAllGather: return "all-gather";
    case CollectiveOp::kAllToAll: return "all-to-all";
    case CollectiveOp::kP2P: return "p2p";
    case CollectiveOp::kEpDispatch: return "ep-dispatch";
    case CollectiveOp::kEpCombine: return "ep-combine";
  }
  return "?";
}

std::optional<CollectiveOp> parse_collective_op(std::string_view name) {
  for (CollectiveOp op : {CollectiveOp::kAllReduce, CollectiveOp::kReduceScatter,
                          CollectiveOp::kAllGather, CollectiveOp::kAllToAll, CollectiveOp::kP2P,
                          CollectiveOp::kEpDispatch, CollectiveOp::kEpCombine}) {
    if (collective_op_name(op) == name) return op;
  }
  return std::nullopt;
}

int group_per_node(const CollectiveRequest& q, int gpus_per_node) {
  const int fill = std::min(q.gpus, gpus_per_node);
  return q.per_node > 0 ? std::min(q.per_node, fill) : fill;
}

std::vector<int> group_gpus(const CollectiveRequest& q, int gpus_per_node) {
  const int g = std::max(1, group_per_node(q, gpus_per_node));
  std::vector<int> gpus(static_cast<std::size_t>(std::max(0, q.gpus)));
  for (int r = 0; r < q.gpus; ++r) gpus[static_cast<std::size_t>(r)] = (r / g) * gpus_per_node + r % g;
  return gpus;
}

bool is_expert_op(CollectiveOp op) {
  return op == CollectiveOp::kEpDispatch || op == CollectiveOp::kEpCombine;
}

double bus_factor(CollectiveOp op, int n) {
  const double nn = n;
  switch (op) {
    case CollectiveOp::kAllReduce: return 2.0 * (nn - 1.0) / nn;
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather:
    case CollectiveOp::kAllToAll: return (nn - 1.0) / nn;
    case CollectiveOp::kP2P:
    case CollectiveOp::kEpDispatch:
    case CollectiveOp::kEpCombine: return 1.0;
  }
  return 1.0;
}

}  // namespace llmsim
