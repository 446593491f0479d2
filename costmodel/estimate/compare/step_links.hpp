#pragma once
// StepLinks: which link tiers a training step keeps busy, as every front end shows it
// (`llmsim run --links`, run --json's "links", llmsim-gui's Links tab): per tier with traffic,
// its busiest link's busy time over the step and that time's share of the step, and the
// bottleneck tier. Computed once here from StepResult::link_busy_s; front ends only lay it out.
//
// "Busy" is the time a link needs to carry its bytes at full bandwidth (bytes / capacity),
// summed over the busiest pipeline rank's collectives, exposed or hidden behind compute, each
// loaded onto the links as the flow model routes it. Pipeline p2p transfers are not counted;
// collectives timed by the closed form place no bytes (`complete` is false then).

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/network/link_usage.hpp"

namespace llmsim {

struct StepResult;

struct TierBusyShare {
  LinkTier tier = LinkTier::kNvlink;
  double busy_s = 0.0;  // the tier's busiest link, over the step
  double share = 0.0;   // busy_s / the step time (a fraction, not %); 0 for an empty step
};

struct StepLinks {
  int rank = 0;          // the busiest pipeline rank, whose collectives are counted
  bool complete = true;  // false: some collectives were timed by the closed form
  double step_time_s = 0.0;
  std::vector<TierBusyShare> tiers;    // tiers with busy time > 0, in tier order
  std::optional<LinkTier> bottleneck;  // the tier busy longest (the first on a tie); none
                                       // without network traffic
  // The entry of `t`, or null if that tier carried nothing.
  const TierBusyShare* find(LinkTier t) const;
};

StepLinks step_links(const StepResult& st);

// {"rank", "complete", "bottleneck": tier name or null,
//  "tiers": [{"tier", "busy_s", "utilization": the share}]}
nlohmann::json step_links_json(const StepLinks& l);

}  // namespace llmsim
