#include "sim/network/flow_network.hpp"

#include <algorithm>
#include <cmath>

#include "sim/check.hpp"

namespace llmsim {

namespace {
// Event payload: kind in the top two bits, a 22-bit completion version, the flow id in the low
// 40 bits. A completion event whose version is no longer the flow's is stale and ignored (the
// engine's cancel() scans its heap, too slow for rate changes on thousands of flows).
constexpr std::uint64_t kActivate = 0;
constexpr std::uint64_t kComplete = 1;
constexpr std::uint64_t kRecompute = 2;
constexpr int kKindShift = 62;
constexpr int kVersionShift = 40;
constexpr std::uint64_t kIdMask = (1ULL << kVersionShift) - 1;
constexpr std::uint64_t kVersionMask = (1ULL << (kKindShift - kVersionShift)) - 1;
std::uint64_t payload(std::uint64_t kind, std::int64_t id, std::uint32_t version = 0) {
  return (kind << kKindShift) | ((version & kVersionMask) << kVersionShift) |
         static_cast<std::uint64_t>(id);
}
// A flow whose remaining bytes are below this (relative to its size) is done: floating-point
// dust from integrating rates over integer-ns intervals.
constexpr double kRelativeDust = 1e-9;
}  // namespace

FlowNetwork::FlowNetwork(Engine& engine, const Topology& topology)
    : engine_(engine), topology_(topology) {
  const auto n = static_cast<std::size_t>(topology.links());
  capacity_.resize(n);
  for (std::size_t l = 0; l < n; ++l)
    capacity_[l] = topology.link(static_cast<std::int32_t>(l)).gbps;
  link_bytes_.assign(n, 0.0);
  link_flows_.resize(n);
  link_visit_.assign(n, 0);
}

std::int64_t FlowNetwork::start(int src, int dst, double bytes, FlowDone done, std::int64_t tag) {
  return start_on_route(topology_.route(src, dst), src, dst, bytes, done, tag);
}

std::int64_t FlowNetwork::start_on_route(const Route& route, int src, int dst, double bytes,
                                         FlowDone done, std::int64_t tag, SimTime extra_latency) {
  LLMSIM_CHECK(bytes >= 0.0 && std::isfinite(bytes), "a flow needs a finite, non-negative size");
  // Reuse the slot of a finished flow (latest first, so runs stay deterministic): memory
  // follows the flows in flight, not all flows ever started.
  std::int64_t id = 0;
  if (!free_slots_.empty()) {
    id = free_slots_.back();
    free_slots_.pop_back();
  } else {
    id = static_cast<std::int64_t>(flows_.size());
    LLMSIM_CHECK(static_cast<std::uint64_t>(id) <= kIdMask, "too many flows for one network");
    flows_.emplace_back();
    state_.push_back(State::kDone);
    visit_.push_back(0);
  }
  ++started_;
  Flow& f = flows_[static_cast<std::size_t>(id)];
  const std::uint32_t version = f.version + 1;  // completion events of the slot's past are stale
  const auto n = static_cast<std::int32_t>(route.links.size());
  std::int32_t begin = f.link_begin, capacity = f.link_capacity;
  if (n > capacity) {
    begin = static_cast<std::int32_t>(link_pool_.size());
    capacity = n;
    link_pool_.resize(link_pool_.size() + static_cast<std::size_t>(n));
  }
  std::copy(route.links.begin(), route.links.end(),
            link_pool_.begin() + static_cast<std::ptrdiff_t>(begin));
  f = Flow{};
  f.version = version;
  f.link_begin = begin;
  f.link_end = begin + n;
  f.link_capacity = capacity;
  f.bytes = bytes;
  f.remaining = bytes;
  f.start = engine_.now();
  f.src = src;
  f.dst = dst;
  f.tag = tag;
  f.done = done;
  state_[static_cast<std::size_t>(id)] = State::kPending;
  engine_.schedule_at(engine_.now() + route.latency + extra_latency, this, payload(kActivate, id));
  return id;
}

void FlowNetwork::on_event(SimTime now, std::uint64_t p) {
  const std::uint64_t kind = p >> kKindShift;
  const auto id = static_cast<std::int64_t>(p & kIdMask);
  if (kind == kActivate) {
    activate(id, now);
  } else if (kind == kComplete) {
    Flow& fl = flows_[static_cast<std::size_t>(id)];
    const auto version = static_cast<std::uint32_t>((p >> kVersionShift) & kVersionMask);
    if (state_[static_cast<std::size_t>(id)] != State::kActive || !fl.has_completion ||
        version != (fl.version & kVersionMask)) {
      ++stale_events_;
      return;
    }
    fl.has_completion = false;
    settle(fl, now);
    LLMSIM_CHECK(fl.remaining <= fl.rate * 2.0 + kRelativeDust * fl.bytes + 1e-6,
                 "a flow completed with bytes left over");
    mark_dirty(id);
    finish(id, now);
  } else {
    recompute_scheduled_ = false;
    recompute(now);
  }
}

void FlowNetwork::activate(std::int64_t id, SimTime now) {
  Flow& fl = flows_[static_cast<std::size_t>(id)];
  fl.updated = now;
  if (fl.link_begin == fl.link_end || fl.bytes <= 0.0) {
    finish(id, now);
    return;
  }
  state_[static_cast<std::size_t>(id)] = State::kActive;
  ++active_;
  for (std::int32_t i = fl.link_begin; i < fl.link_end; ++i) {
    link_flows_[static_cast<std::size_t>(link_pool_[static_cast<std::size_t>(i)])].push_back(
        static_cast<std::int32_t>(id));
  }
  mark_dirty(id);
}

void FlowNetwork::mark_dirty(std::int64_t id) {
  const Flow& fl = flows_[static_cast<std::size_t>(id)];
  for (std::int32_t i = fl.link_begin; i < fl.link_end; ++i) {
    dirty_links_.push_back(link_pool_[static_cast<std::size_t>(i)]);
  }
  if (!recompute_scheduled_) {
    recompute_scheduled_ = true;
    // Scheduled after every event already queued for this instant, so all starts and ends of
    // the instant are folded into one recomputation.
    engine_.schedule_at(engine_.now(), this, payload(kRecompute, 0));
  }
}

void FlowNetwork::settle(Flow& fl, SimTime now) {
  const double dt = static_cast<double>((now - fl.updated).ns());
  if (dt > 0.0 && fl.rate > 0.0) {
    const double moved = std::min(fl.remaining, fl.rate * dt);
    fl.remaining -= moved;
    for (std::int32_t i = fl.link_begin; i < fl.link_end; ++i) {
      link_bytes_[static_cast<std::size_t>(link_pool_[static_cast<std::size_t>(i)])] += moved;
    }
  }
  fl.updated = now;
}

void FlowNetwork::finish(std::int64_t id, SimTime now) {
  Flow& fl = flows_[static_cast<std::size_t>(id)];
  if (state_[static_cast<std::size_t>(id)] == State::kActive) {
    --active_;
    // Credit the dust so that every link carries exactly the flow's bytes.
    for (std::int32_t i = fl.link_begin; i < fl.link_end; ++i) {
      link_bytes_[static_cast<std::size_t>(link_pool_[static_cast<std::size_t>(i)])] +=
          fl.remaining;
    }
  }
  fl.has_completion = false;  // a pending completion event is now stale
  state_[static_cast<std::size_t>(id)] = State::kDone;
  fl.remaining = 0.0;
  fl.rate = 0.0;
  ++finished_;
  if (!engine_.observers().empty()) {
    TransferRecord r;
    r.src = fl.src;
    r.dst = fl.dst;
    r.start = fl.start;
    r.end = now;
    r.bytes = fl.bytes;
    r.id = fl.tag;
    engine_.observers().transfer(r);
  }
  if (fl.done.handler != nullptr) engine_.schedule_at(now, fl.done.handler, fl.done.payload);
  free_slots_.push_back(static_cast<std::int32_t>(id));
}

void FlowNetwork::recompute(SimTime now) {
  // The component: every active flow reachable from a dirty link through shared links.
  ++epoch_;
  comp_flows_.clear();
  queue_.clear();
  for (std::int32_t l : dirty_links_) {
    if (link_visit_[static_cast<std::size_t>(l)] != epoch_) {
      link_visit_[static_cast<std::size_t>(l)] = epoch_;
      queue_.push_back(l);
    }
  }
  dirty_links_.clear();
  // One pass per flow: discover it, bring it up to date (a flow with only dust left finishes
  // now) and lay out its links for the solver. A finished flow's links are still explored,
  // which at worst makes the component a little larger than it is.
  comp_offsets_.assign(1, 0);
  comp_links_.clear();
  std::size_t keep = 0;
  for (std::size_t q = 0; q < queue_.size(); ++q) {
    std::vector<std::int32_t>& on_link = link_flows_[static_cast<std::size_t>(queue_[q])];
    std::size_t kept = 0;
    for (std::int32_t f : on_link) {
      const auto fi = static_cast<std::size_t>(f);
      if (state_[fi] != State::kActive) continue;
      on_link[kept++] = f;
      if (visit_[fi] == epoch_) continue;
      visit_[fi] = epoch_;
      Flow& fl = flows_[fi];
      for (std::int32_t i = fl.link_begin; i < fl.link_end; ++i) {
        const std::int32_t m = link_pool_[static_cast<std::size_t>(i)];
        if (link_visit_[static_cast<std::size_t>(m)] != epoch_) {
          link_visit_[static_cast<std::size_t>(m)] = epoch_;
          queue_.push_back(m);
        }
      }
      settle(fl, now);
      if (fl.remaining <= kRelativeDust * fl.bytes) {
        finish(f, now);
        --kept;  // finish() made it inactive: drop it from this list too
        continue;
      }
      comp_flows_.push_back(f);
      ++keep;
      comp_links_.insert(comp_links_.end(), link_pool_.begin() + fl.link_begin,
                         link_pool_.begin() + fl.link_end);
      comp_offsets_.push_back(static_cast<std::int32_t>(comp_links_.size()));
    }
    on_link.resize(kept);
  }
  comp_flows_.resize(keep);
  if (comp_flows_.empty()) return;
  comp_rates_.resize(comp_flows_.size());
  solver_.solve(capacity_, comp_offsets_, comp_links_, comp_rates_);
  ++solves_;
  solved_incidences_ += static_cast<std::int64_t>(comp_links_.size());
  for (std::size_t i = 0; i < comp_flows_.size(); ++i) {
    Flow& fl = flows_[static_cast<std::size_t>(comp_flows_[i])];
    const double rate = comp_rates_[i];
    if (fl.has_completion && rate == fl.rate) continue;  // its completion time stands
    LLMSIM_CHECK(rate > 0.0, "a flow got a zero rate");
    fl.rate = rate;
    ++fl.version;
    const auto ns = static_cast<std::int64_t>(std::ceil(fl.remaining / rate));
    engine_.schedule_at(now + SimTime::from_ns(std::max<std::int64_t>(ns, 1)), this,
                        payload(kComplete, comp_flows_[i], fl.version));
    fl.has_completion = true;
  }
}

}  // namespace llmsim
