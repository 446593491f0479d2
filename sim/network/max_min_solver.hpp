#pragma once
// MaxMinSolver: max-min fair rates for flows sharing links, by progressive filling (Bertsekas &
// Gallager, Data Networks, §6.5.2): raise every unfrozen flow's rate together until some link
// is full; freeze the flows crossing it at that link's fair share; repeat.
//
// A pure function of its input, deterministic: ties between links of equal fair share are
// broken by the smaller link id. Link ids may be sparse (a subset of a large network):
// scratch space is sized to the largest id and only touched entries are reset, so solving a
// small component of a big network costs in proportion to the component.
//
// Cost: O(P log L) for P flow-link incidences and L distinct links: fair shares only grow as
// flows freeze (a frozen flow's rate is at most the fair share of every link it crosses), so a
// heap entry that went stale is just re-pushed when popped.

#include <cstdint>
#include <span>
#include <vector>

namespace llmsim {

class MaxMinSolver {
 public:
  // capacity[l]: capacity of link l (any unit, e.g. GB/s), > 0 for every link used.
  // Flow f crosses links[offsets[f] .. offsets[f+1]) (no link twice); offsets has flows + 1
  // entries. A flow crossing no link gets `unconstrained_rate`. Writes rates[f].
  void solve(std::span<const double> capacity, std::span<const std::int32_t> offsets,
             std::span<const std::int32_t> links, std::span<double> rates,
             double unconstrained_rate = 0.0);

 private:
  void check_capacities(std::span<const double> capacity, std::span<const std::int32_t> offsets,
                        std::span<const std::int32_t> links, std::span<const double> rates);
  struct LinkState {
    double remaining = 0.0;
    double used = 0.0;  // the rates of its flows, summed after the solve (the capacity check)
    std::int32_t unfrozen = 0;
    std::int32_t local = -1;  // index into touched_, -1 when untouched
  };
  std::vector<LinkState> state_;
  std::vector<std::int32_t> touched_;
  std::vector<std::int32_t> link_flow_offsets_;
  std::vector<std::int32_t> link_flows_;
  std::vector<std::int32_t> cursor_;
  std::vector<std::uint8_t> frozen_;
  struct HeapEntry {
    double share;
    std::int32_t link;
  };
  std::vector<HeapEntry> heap_;
};

}  // namespace llmsim
