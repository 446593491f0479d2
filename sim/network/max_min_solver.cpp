#include "sim/network/max_min_solver.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {
// Min-heap order on (share, link id).
bool heap_after(double sa, std::int32_t la, double sb, std::int32_t lb) {
  return sa != sb ? sa > sb : la > lb;
}

// The flows on each link, in LinkState::unfrozen: a link of `links` seen for the first time
// gets the next local index (in `touched`) and its whole capacity. LinkState: MaxMinSolver's.
template <typename LinkState>
void count_flows_per_link(std::span<const double> capacity, std::span<const std::int32_t> links,
                          std::vector<LinkState>& state, std::vector<std::int32_t>& touched) {
  for (std::size_t i = 0; i < links.size(); ++i) {
    const std::int32_t l = links[i];
    LinkState& s = state[static_cast<std::size_t>(l)];
    if (s.local < 0) {
      s.local = static_cast<std::int32_t>(touched.size());
      touched.push_back(l);
      s.remaining = capacity[static_cast<std::size_t>(l)];
      s.unfrozen = 0;
      LLMSIM_CHECK(s.remaining > 0.0, "a link used by a flow has no capacity");
    }
    ++s.unfrozen;
  }
}

// Freezes the still unfrozen flows among link_flows[lb, le) at `share` and takes that rate off
// every link they cross.
template <typename LinkState>
void freeze_flows(std::span<const std::int32_t> link_flows, std::size_t lb, std::size_t le,
                  double share, std::span<const std::int32_t> offsets,
                  std::span<const std::int32_t> links, std::vector<LinkState>& state,
                  std::vector<std::uint8_t>& frozen, std::span<double> rates) {
  for (std::size_t k = lb; k < le; ++k) {
    const auto f = static_cast<std::size_t>(link_flows[k]);
    if (frozen[f]) continue;
    frozen[f] = 1;
    rates[f] = share;
    for (auto i = static_cast<std::size_t>(offsets[f]);
         i < static_cast<std::size_t>(offsets[f + 1]); ++i) {
      LinkState& m = state[static_cast<std::size_t>(links[i])];
      m.remaining -= share;
      --m.unfrozen;
    }
  }
}
}  // namespace

void MaxMinSolver::solve(std::span<const double> capacity, std::span<const std::int32_t> offsets,
                         std::span<const std::int32_t> links, std::span<double> rates,
                         double unconstrained_rate) {
  LLMSIM_CHECK(!offsets.empty(), "offsets needs flows + 1 entries");
  const std::size_t flows = offsets.size() - 1;
  LLMSIM_CHECK(rates.size() == flows, "one rate per flow");
  if (state_.size() < capacity.size()) state_.resize(capacity.size());
  touched_.clear();

  // Count flows per link.
  count_flows_per_link<LinkState>(capacity, links, state_, touched_);
  // Link -> flows, as CSR over the touched links.
  link_flow_offsets_.assign(touched_.size() + 1, 0);
  for (std::int32_t l : touched_) {
    const LinkState& s = state_[static_cast<std::size_t>(l)];
    link_flow_offsets_[static_cast<std::size_t>(s.local) + 1] = s.unfrozen;
  }
  for (std::size_t i = 0; i < touched_.size(); ++i) {
    link_flow_offsets_[i + 1] += link_flow_offsets_[i];
  }
  link_flows_.resize(links.size());
  cursor_.assign(link_flow_offsets_.begin(), link_flow_offsets_.end() - 1);
  frozen_.assign(flows, 0);
  for (std::size_t f = 0; f < flows; ++f) {
    const auto b = static_cast<std::size_t>(offsets[f]);
    const auto e = static_cast<std::size_t>(offsets[f + 1]);
    if (b == e) {
      rates[f] = unconstrained_rate;
      frozen_[f] = 1;
      continue;
    }
    for (std::size_t i = b; i < e; ++i) {
      const std::int32_t local = state_[static_cast<std::size_t>(links[i])].local;
      link_flows_[static_cast<std::size_t>(cursor_[static_cast<std::size_t>(local)]++)] =
          static_cast<std::int32_t>(f);
    }
  }

  auto cmp = [](const HeapEntry& a, const HeapEntry& b) {
    return heap_after(a.share, a.link, b.share, b.link);
  };
  heap_.clear();
  for (std::int32_t l : touched_) {
    const LinkState& s = state_[static_cast<std::size_t>(l)];
    heap_.push_back({s.remaining / s.unfrozen, l});
  }
  std::make_heap(heap_.begin(), heap_.end(), cmp);

  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    const HeapEntry top = heap_.back();
    heap_.pop_back();
    LinkState& s = state_[static_cast<std::size_t>(top.link)];
    if (s.unfrozen == 0) continue;
    const double share = std::max(0.0, s.remaining) / s.unfrozen;
    if (share > top.share) {  // stale: the link's share grew since this entry was pushed
      heap_.push_back({share, top.link});
      std::push_heap(heap_.begin(), heap_.end(), cmp);
      continue;
    }
    const auto lb = static_cast<std::size_t>(link_flow_offsets_[static_cast<std::size_t>(s.local)]);
    const auto le =
        static_cast<std::size_t>(link_flow_offsets_[static_cast<std::size_t>(s.local) + 1]);
    freeze_flows<LinkState>(link_flows_, lb, le, share, offsets, links, state_, frozen_, rates);
  }
  check_capacities(capacity, offsets, links, rates);
  for (std::int32_t l : touched_) state_[static_cast<std::size_t>(l)].local = -1;
}

// No link carries more than its rate: an internal check, never a result.
void MaxMinSolver::check_capacities(std::span<const double> capacity,
                                    std::span<const std::int32_t> offsets,
                                    std::span<const std::int32_t> links,
                                    std::span<const double> rates) {
  for (std::int32_t l : touched_) state_[static_cast<std::size_t>(l)].used = 0.0;
  for (std::size_t f = 0; f + 1 < offsets.size(); ++f) {
    for (auto i = static_cast<std::size_t>(offsets[f]); i < static_cast<std::size_t>(offsets[f + 1]); ++i) {
      state_[static_cast<std::size_t>(links[i])].used += rates[f];
    }
  }
  for (std::int32_t l : touched_) {
    const double cap = capacity[static_cast<std::size_t>(l)];
    LLMSIM_CHECK(state_[static_cast<std::size_t>(l)].used <= cap * (1.0 + 1e-9),
                 fmt::format("link {} carries {:.6g} B/s over its {:.6g} B/s: the rates exceed "
                             "the hardware",
                             l, state_[static_cast<std::size_t>(l)].used, cap));
  }
}

}  // namespace llmsim
