#include "sim/network/link_usage.hpp"

#include <algorithm>
#include <numeric>

#include "sim/topology/topology.hpp"

namespace llmsim {

std::string_view link_tier_name(LinkTier t) {
  switch (t) {
    case LinkTier::kNvlink: return "nvlink";
    case LinkTier::kGpuNic: return "gpu-nic";
    case LinkTier::kNicLeaf: return "nic-leaf";
    case LinkTier::kLeafSpine: return "leaf-spine";
    case LinkTier::kSpineCore: return "spine-core";
  }
  return "?";
}

LinkTier link_tier(const Topology& t, std::int32_t link) {
  const LinkInfo& l = t.link(link);
  if (l.kind == LinkKind::kNvlink) return LinkTier::kNvlink;
  if (l.kind == LinkKind::kPcie) return LinkTier::kGpuNic;
  const VertexKind a = t.vertex(l.from).kind, b = t.vertex(l.to).kind;
  const auto either = [&](VertexKind k) { return a == k || b == k; };
  if (either(VertexKind::kCore)) return LinkTier::kSpineCore;
  if (either(VertexKind::kSpine)) return LinkTier::kLeafSpine;
  return LinkTier::kNicLeaf;
}

namespace {
double busy_seconds(const Topology& t, const std::vector<double>& bytes, std::int32_t l) {
  // GB/s is bytes per ns.
  return bytes[static_cast<std::size_t>(l)] / t.link(l).gbps * 1e-9;
}
double share(double busy_s, SimTime span) {
  return span.ns() > 0 ? busy_s / span.seconds() : 0.0;
}
}  // namespace

std::vector<LinkLoad> busiest_links(const Topology& t, const std::vector<double>& link_bytes,
                                    SimTime span, std::size_t top) {
  std::vector<std::int32_t> used;
  for (std::int32_t l = 0; l < t.links(); ++l) {
    if (link_bytes[static_cast<std::size_t>(l)] > 0.0) used.push_back(l);
  }
  std::stable_sort(used.begin(), used.end(), [&](std::int32_t a, std::int32_t b) {
    return busy_seconds(t, link_bytes, a) > busy_seconds(t, link_bytes, b);
  });
  if (used.size() > top) used.resize(top);
  std::vector<LinkLoad> out;
  for (std::int32_t l : used) {
    const double busy = busy_seconds(t, link_bytes, l);
    out.push_back({t.link_name(l), link_tier(t, l), link_bytes[static_cast<std::size_t>(l)], busy,
                   share(busy, span)});
  }
  return out;
}

std::vector<TierLoad> tier_loads(const Topology& t, const std::vector<double>& link_bytes,
                                 SimTime span) {
  std::array<TierLoad, kLinkTiers> tiers{};
  for (std::size_t i = 0; i < kLinkTiers; ++i) tiers[i].tier = static_cast<LinkTier>(i);
  for (std::int32_t l = 0; l < t.links(); ++l) {
    const double b = link_bytes[static_cast<std::size_t>(l)];
    if (b <= 0.0) continue;
    TierLoad& x = tiers[static_cast<std::size_t>(link_tier(t, l))];
    ++x.links_used;
    x.bytes += b;
    x.busiest_busy_s = std::max(x.busiest_busy_s, busy_seconds(t, link_bytes, l));
  }
  std::vector<TierLoad> out;
  for (TierLoad& x : tiers) {
    if (x.links_used == 0) continue;
    x.utilization = share(x.busiest_busy_s, span);
    out.push_back(x);
  }
  return out;
}

}  // namespace llmsim
