#include "sim/collectives/collective_runner.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/network/link_usage.hpp"
#include "sim/topology/builders.hpp"

namespace llmsim {

CollectiveRun::CollectiveRun(FlowNetwork& network, FlowPlan plan, FlowDone done)
    : network_(network), plan_(std::move(plan)), done_(done) {}

void CollectiveRun::start() {
  start_ = network_.engine().now();
  launch(0, start_);
}

void CollectiveRun::launch(std::size_t phase, SimTime now) {
  phase_ = phase;
  while (phase_ < plan_.phases.size() && plan_.phases[phase_].empty()) ++phase_;
  if (phase_ == plan_.phases.size()) {
    finished_ = true;
    end_ = now;
    if (done_.handler != nullptr) network_.engine().schedule_at(now, done_.handler, done_.payload);
    return;
  }
  const Topology& topo = network_.topology();
  const auto& flows = plan_.phases[phase_];
  pending_ = flows.size();
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const PlannedFlow& f = flows[i];
    const Route route = f.loopback ? topo.loopback_route(f.src) : topo.route(f.src, f.dst);
    const SimTime extra = route.latency * (f.latency_steps - 1) + f.extra_latency;
    network_.start_on_route(route, f.src, f.dst, f.bytes, FlowDone{this, phase_},
                            static_cast<std::int64_t>(i), extra);
  }
}

void CollectiveRun::on_event(SimTime now, std::uint64_t payload) {
  LLMSIM_CHECK(payload == phase_ && pending_ > 0, "flow completion for another phase");
  if (--pending_ == 0) launch(phase_ + 1, now);
}

namespace {
std::size_t one_group_flow_count(const CollectiveRequest& q, int gpus_per_node) {
  const auto n = static_cast<std::size_t>(q.gpus);
  const auto g = static_cast<std::size_t>(group_per_node(q, gpus_per_node));
  const std::size_t nodes = (n + g - 1) / g;
  switch (q.op) {
    case CollectiveOp::kAllReduce:
      if (q.algorithm == AllReduceAlgorithm::kHierarchical) return 3 * n;
      [[fallthrough]];
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather: return nodes > 1 ? n * g : n;
    case CollectiveOp::kAllToAll: return n * (n - 1);
    case CollectiveOp::kP2P: return 1;
    case CollectiveOp::kEpDispatch:
    case CollectiveOp::kEpCombine:
      if (q.ep.kernel == EpKernel::kLowLatency) return n * n;
      return nodes > 1 ? n * (nodes - 1) + n * g : n * n;
  }
  return 0;
}
}  // namespace

std::size_t estimated_flow_count(const CollectiveRequest& q, int gpus_per_node) {
  return one_group_flow_count(q, gpus_per_node) * static_cast<std::size_t>(std::max(1, q.concurrent));
}

void validate_request(const ClusterSpec& spec, const CollectiveRequest& q) {
  const ClusterSpec c = nvlink_domain_view(spec);
  const int min_gpus = is_expert_op(q.op) ? 1 : 2;
  if (q.gpus < min_gpus || q.gpus > c.gpus()) {
    throw UserError(
        fmt::format("--gpus = {}: must be between {} and the cluster's {} GPUs "
                    "({} nodes x {})",
                    q.gpus, min_gpus, c.gpus(), c.nodes, c.gpus_per_node));
  }
  if (q.per_node < 0 || q.per_node > c.gpus_per_node || (q.per_node > 0 && is_expert_op(q.op))) {
    throw UserError(fmt::format("--per-node = {}: must be between 1 and gpus_per_node = {} (0: "
                                "whole nodes), and is not for the EP operations",
                                q.per_node, c.gpus_per_node));
  }
  const int g = group_per_node(q, c.gpus_per_node);
  if (q.concurrent < 1 || q.concurrent * g > c.gpus_per_node ||
      (q.concurrent > 1 && is_expert_op(q.op))) {
    throw UserError(fmt::format(
        "--concurrent = {}: must be between 1 and gpus_per_node / members per node = {} / {} = "
        "{}, and 1 for the EP operations",
        q.concurrent, c.gpus_per_node, g, c.gpus_per_node / g));
  }
  if (q.gpus > g && q.gpus % g != 0) {
    throw UserError(
        fmt::format("--gpus = {}: a group across nodes takes the same number of GPUs on each "
                    "node, i.e. a multiple of {} ({})",
                    q.gpus, g, q.per_node > 0 ? "--per-node" : "gpus_per_node"));
  }
  if ((q.gpus + g - 1) / g > c.nodes) {
    throw UserError(fmt::format("--gpus = {} at {} per node needs {} nodes; the cluster has {}",
                                q.gpus, g, (q.gpus + g - 1) / g, c.nodes));
  }
  if (is_expert_op(q.op)) {
    const ExpertRouting& r = q.ep;
    if (r.tokens < 1 || r.hidden < 1 || r.topk < 1 || r.experts < 1 || r.max_nodes < 1 ||
        r.skew < 0.0) {
      throw UserError(
          "--tokens, --hidden, --topk, --experts and --max-nodes must be positive "
          "and --skew >= 0");
    }
    // Stated limits, so that the routing tables (per expert and per token) stay small.
    if (r.experts > kMaxExperts || r.tokens > kMaxTokensPerGpu || r.hidden > kMaxHidden ||
        r.topk > r.experts || !(r.skew <= 100.0)) {
      throw UserError(fmt::format(
          "EP routing out of range: --experts {} (at most {}), --tokens {} (at most {} per GPU), "
          "--hidden {} (at most {}), --topk {} (at most --experts), --skew {} (at most 100)",
          r.experts, kMaxExperts, r.tokens, kMaxTokensPerGpu, r.hidden, kMaxHidden, r.topk,
          r.skew));
    }
    if (r.experts % q.gpus != 0) {
      throw UserError(
          fmt::format("--experts = {} must be a multiple of --gpus = {} (experts are "
                      "spread evenly over the EP ranks)",
                      r.experts, q.gpus));
    }
  } else if (!(q.bytes > 0.0)) {
    throw UserError(fmt::format("--bytes = {}: must be positive", q.bytes));
  }
}

void finish_result(CollectiveResult& r, const CollectiveRequest& q, const FlowPlan* plan,
                   double ep_rdma_bytes, double ep_nvl_bytes) {
  (void)plan;
  const double s = r.time.seconds();
  r.bytes = is_expert_op(q.op) ? ep_nvl_bytes : q.bytes;
  r.algbw_gbps = s > 0.0 ? r.bytes / s / 1e9 : 0.0;
  r.busbw_gbps = r.algbw_gbps * bus_factor(q.op, q.gpus);
  if (is_expert_op(q.op) && s > 0.0) {
    r.nvlink_gbps = ep_nvl_bytes / s / 1e9;
    r.rdma_gbps = ep_rdma_bytes / s / 1e9;
  }
}

namespace {
// One-hop latencies of the topology, for the EP forward's wait.
void hop_latencies(const Topology& t, SimTime& ib, SimTime& nv) {
  const int g = t.gpus_per_node();
  nv = g > 1 ? t.route(0, 1).latency : SimTime::zero();
  ib = t.gpus() > g ? t.route(0, g).latency : SimTime::zero();
}
}  // namespace

CollectiveResult simulate_collective(const Topology& topology, const CollectiveRequest& q) {
  SimTime ib, nv;
  hop_latencies(topology, ib, nv);
  FlowPlan plan = plan_collective(q, topology.gpus_per_node(), ib, nv);
  const double rdma = plan.ep_rdma_bytes, nvl = plan.ep_nvl_bytes;
  Engine engine;
  FlowNetwork network(engine, topology);
  CollectiveRun run(network, std::move(plan));
  run.start();
  CollectiveResult r;
  r.events = static_cast<std::int64_t>(engine.run());
  LLMSIM_CHECK(run.finished(), "a collective did not finish");
  r.time = run.end_time() - run.start_time();
  r.flows = network.flows_started();
  r.rate_solves = network.rate_solves();
  // The busiest link: the most bytes per unit of capacity.
  const auto& bytes = network.link_bytes();
  double best = -1.0;
  std::int32_t best_link = -1;
  for (std::int32_t l = 0; l < topology.links(); ++l) {
    const double load = bytes[static_cast<std::size_t>(l)] / topology.link(l).gbps;
    if (load > best * (1.0 + 1e-12)) {
      best = load;
      best_link = l;
    }
  }
  if (best_link >= 0 && best > 0.0) {
    r.bottleneck = topology.link_name(best_link);
    // load is bytes / (bytes per ns) = ns of full use
    r.bottleneck_utilization = r.time.ns() > 0 ? best / static_cast<double>(r.time.ns()) : 0.0;
  }
  r.busiest_links = busiest_links(topology, bytes, r.time, kBusiestLinks);
  r.tiers = tier_loads(topology, bytes, r.time);
  finish_result(r, q, nullptr, rdma, nvl);
  return r;
}

std::size_t flow_mode_max_flows(const ClusterSpec& c) {
  return c.topology == TopologyKind::kFatTree ? kFlowModeMaxFlowsFatTree : kFlowModeMaxFlows;
}

CollectiveResult run_collective(const ClusterSpec& spec, const CollectiveRequest& q,
                                CollectiveMode mode) {
  const ClusterSpec c = nvlink_domain_view(spec);
  validate_request(c, q);
  if (mode == CollectiveMode::kAuto) {
    mode = estimated_flow_count(q, c.gpus_per_node) > flow_mode_max_flows(c)
               ? CollectiveMode::kAnalytical
               : CollectiveMode::kFlow;
  }
  if (mode == CollectiveMode::kAnalytical) return estimate_collective(c, q);
  // Only the nodes the group uses: the first ones.
  ClusterSpec used = c;
  const int g = group_per_node(q, c.gpus_per_node);
  used.nodes = (q.gpus + g - 1) / g;
  if (used.nodes == 1 && c.topology != TopologyKind::kSingleNode) {
    used.topology = TopologyKind::kSingleNode;
  }
  // DeepEP's internode normal kernels: NVLink carries only the forwards, at the kernel's rate.
  if (is_expert_op(q.op) && q.ep.kernel == EpKernel::kNormal && used.nodes > 1 &&
      c.ep_forward_gbps > 0.0) {
    used.nvlink_gbps = std::min(used.nvlink_gbps, c.ep_forward_gbps);
  }
  return simulate_collective(build_topology(used), q);
}

}  // namespace llmsim
