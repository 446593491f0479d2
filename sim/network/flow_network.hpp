#pragma once
// FlowNetwork: the flow-level network model on the engine (SimGrid's network models). A flow
// moves `bytes` along a route; after the route's latency it shares link bandwidth with the
// other active flows at its max-min fair rate (MaxMinSolver). Rates are recomputed when a flow
// starts or ends, only for the connected component of flows (through shared links) it
// touches, and once per instant however many flows start or end at that instant.
//
// Completion: when a flow's last byte arrives, the network reports a TransferRecord to the
// engine's observers and schedules `done.handler->on_event(now, done.payload)` at that time.
// Links are full duplex: every cable is two directed links (see Topology).
//
// Units: bandwidth in GB/s, which is bytes per ns, so a flow's rate is in bytes/ns.

#include <cstdint>
#include <vector>

#include "sim/engine.hpp"
#include "sim/network/max_min_solver.hpp"
#include "sim/topology/topology.hpp"

namespace llmsim {

// Who to tell when a flow completes (nothing when handler is null).
struct FlowDone {
  EventHandler* handler = nullptr;
  std::uint64_t payload = 0;
};

class FlowNetwork final : public EventHandler {
 public:
  // The engine and topology must outlive the network.
  FlowNetwork(Engine& engine, const Topology& topology);

  // Starts a flow from GPU src to GPU dst now, routed by the topology. `tag` comes back in the
  // TransferRecord's id. Returns the flow's id, valid until the flow completes (ids of
  // finished flows are reused). bytes >= 0; a flow with no links (src == dst)
  // or no bytes completes after its latency.
  std::int64_t start(int src, int dst, double bytes, FlowDone done = {}, std::int64_t tag = 0);
  // Same, on an explicit route, with `extra_latency` added before data moves.
  std::int64_t start_on_route(const Route& route, int src, int dst, double bytes, FlowDone done,
                              std::int64_t tag = 0, SimTime extra_latency = SimTime::zero());

  const Topology& topology() const { return topology_; }
  Engine& engine() const { return engine_; }
  // Bytes each directed link carried so far (integral of its flows' rates over time).
  const std::vector<double>& link_bytes() const { return link_bytes_; }
  std::int64_t flows_started() const { return started_; }
  // Flow slots allocated: the most flows ever in flight at once (slots are reused).
  std::int64_t flow_slots() const { return static_cast<std::int64_t>(flows_.size()); }
  std::int64_t flows_finished() const { return finished_; }
  std::int64_t active_flows() const { return active_; }
  std::int64_t rate_solves() const { return solves_; }
  // Completion events that fired after a rate change had superseded them.
  std::int64_t stale_events() const { return stale_events_; }
  // Flow-link incidences fed to the solver so far (the work of all rate computations).
  std::int64_t solved_incidences() const { return solved_incidences_; }

  void on_event(SimTime now, std::uint64_t payload) override;

 private:
  enum class State : std::uint8_t { kPending, kActive, kDone };
  struct Flow {
    double bytes = 0.0;
    double remaining = 0.0;
    double rate = 0.0;  // bytes per ns
    SimTime updated;    // when `remaining` was last brought up to date
    SimTime start;
    std::int32_t link_begin = 0, link_end = 0;  // into link_pool_
    std::int32_t link_capacity = 0;             // the slot's segment of link_pool_
    std::int32_t src = 0, dst = 0;
    std::int64_t tag = 0;
    FlowDone done;
    std::uint32_t version = 0;  // of the live completion event
    bool has_completion = false;
  };
  void activate(std::int64_t f, SimTime now);
  void finish(std::int64_t f, SimTime now);
  void mark_dirty(std::int64_t f);
  void recompute(SimTime now);
  void settle(Flow& fl, SimTime now);

  Engine& engine_;
  const Topology& topology_;
  std::vector<double> capacity_;
  std::vector<double> link_bytes_;
  std::vector<Flow> flows_;
  // Per flow, apart from Flow so that the component search touches small arrays only.
  std::vector<State> state_;
  std::vector<std::uint32_t> visit_;
  std::vector<std::int32_t> free_slots_;
  std::vector<std::int32_t> link_pool_;
  std::vector<std::vector<std::int32_t>> link_flows_;  // active flows per link, compacted lazily
  std::vector<std::uint32_t> link_visit_;
  std::vector<std::int32_t> dirty_links_;
  bool recompute_scheduled_ = false;
  std::uint32_t epoch_ = 0;
  std::int64_t started_ = 0;
  std::int64_t finished_ = 0;
  std::int64_t active_ = 0;
  std::int64_t solves_ = 0;
  std::int64_t stale_events_ = 0;
  std::int64_t solved_incidences_ = 0;
  MaxMinSolver solver_;
  // Scratch for one recomputation.
  std::vector<std::int32_t> comp_flows_, comp_offsets_, comp_links_, queue_;
  std::vector<double> comp_rates_;
};

}  // namespace llmsim
