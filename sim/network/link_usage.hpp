#pragma once
// Which links a flow simulation kept busy: per directed link, the bytes it carried and the time
// that takes at its bandwidth (busy = bytes / capacity: full use), and per link tier the busiest
// link. A tier is where a link sits: NVLink (GPU <-> NVSwitch), GPU <-> NIC, NIC <-> leaf,
// leaf <-> spine, spine <-> core.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/sim_time.hpp"

namespace llmsim {

class Topology;

enum class LinkTier : std::uint8_t { kNvlink, kGpuNic, kNicLeaf, kLeafSpine, kSpineCore };
inline constexpr std::size_t kLinkTiers = 5;
std::string_view link_tier_name(LinkTier t);  // "nvlink", "gpu-nic", "nic-leaf", ...
LinkTier link_tier(const Topology& t, std::int32_t link);

// Seconds the busiest link of each tier (indexed by LinkTier) is busy.
using TierBusy = std::array<double, kLinkTiers>;

struct LinkLoad {
  std::string name;  // Topology::link_name
  LinkTier tier = LinkTier::kNvlink;
  double bytes = 0.0;
  double busy_s = 0.0;       // bytes / capacity
  double utilization = 0.0;  // busy_s / the span
};

struct TierLoad {
  LinkTier tier = LinkTier::kNvlink;
  int links_used = 0;           // directed links of the tier that carried bytes
  double bytes = 0.0;           // all of the tier's links together
  double busiest_busy_s = 0.0;  // its busiest link's busy time
  double utilization = 0.0;     // that / the span
};

// The `top` busiest links (most busy time first; ties by link id), over `span`.
std::vector<LinkLoad> busiest_links(const Topology& t, const std::vector<double>& link_bytes,
                                    SimTime span, std::size_t top);
// One entry per tier with traffic, in tier order.
std::vector<TierLoad> tier_loads(const Topology& t, const std::vector<double>& link_bytes,
                                 SimTime span);

}  // namespace llmsim
