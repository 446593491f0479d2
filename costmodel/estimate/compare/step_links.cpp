#include "costmodel/estimate/compare/step_links.hpp"

#include <string>

#include "costmodel/estimate/training/step_model.hpp"

namespace llmsim {

const TierBusyShare* StepLinks::find(LinkTier t) const {
  for (const TierBusyShare& b : tiers) {
    if (b.tier == t) return &b;
  }
  return nullptr;
}

StepLinks step_links(const StepResult& st) {
  StepLinks out;
  out.rank = st.busiest_rank;
  out.complete = st.link_busy_complete;
  out.step_time_s = st.step_time_s;
  for (std::size_t i = 0; i < kLinkTiers; ++i) {
    const double busy = st.link_busy_s[i];
    if (busy <= 0.0) continue;
    const auto tier = static_cast<LinkTier>(i);
    out.tiers.push_back({tier, busy, st.step_time_s > 0 ? busy / st.step_time_s : 0.0});
    if (!out.bottleneck || busy > st.link_busy_s[static_cast<std::size_t>(*out.bottleneck)]) {
      out.bottleneck = tier;
    }
  }
  return out;
}

nlohmann::json step_links_json(const StepLinks& l) {
  nlohmann::json tiers = nlohmann::json::array();
  for (const TierBusyShare& b : l.tiers) {
    tiers.push_back({{"tier", std::string(link_tier_name(b.tier))},
                     {"busy_s", b.busy_s},
                     {"utilization", b.share}});
  }
  return {{"rank", l.rank},
          {"complete", l.complete},
          {"bottleneck", l.bottleneck ? nlohmann::json(std::string(link_tier_name(*l.bottleneck)))
                                      : nlohmann::json(nullptr)},
          {"tiers", tiers}};
}

}  // namespace llmsim
