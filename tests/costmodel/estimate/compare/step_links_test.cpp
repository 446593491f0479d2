// StepLinks: the per-tier busy times, shares and bottleneck that `llmsim run --links`, run
// --json's "links" and llmsim-gui's Links tab all show.
#include <catch2/catch.hpp>

#include <string>

#include "costmodel/estimate/compare/step_links.hpp"
#include "costmodel/estimate/training/step_model.hpp"

using namespace llmsim;

namespace {

std::size_t at(LinkTier t) { return static_cast<std::size_t>(t); }

}  // namespace

TEST_CASE("StepLinks: tiers with traffic, their share of the step, the busiest is the bottleneck",
          "[compare][links]") {
  StepResult st;
  st.step_time_s = 2.0;
  st.busiest_rank = 3;
  st.link_busy_s[at(LinkTier::kNvlink)] = 0.5;
  st.link_busy_s[at(LinkTier::kNicLeaf)] = 1.5;
  st.link_busy_s[at(LinkTier::kLeafSpine)] = 1.5;  // a tie: the first tier is named
  const StepLinks l = step_links(st);
  CHECK(l.rank == 3);
  CHECK(l.complete);
  REQUIRE(l.tiers.size() == 3);
  CHECK(l.tiers[0].tier == LinkTier::kNvlink);
  CHECK(l.tiers[0].share == 0.25);  // 0.5 s of 2 s
  CHECK(l.tiers[1].share == 0.75);
  REQUIRE(l.bottleneck.has_value());
  CHECK(*l.bottleneck == LinkTier::kNicLeaf);
  CHECK(l.find(LinkTier::kGpuNic) == nullptr);
  CHECK(l.find(LinkTier::kLeafSpine)->busy_s == 1.5);

  const nlohmann::json j = step_links_json(l);
  CHECK(j["bottleneck"] == "nic-leaf");
  CHECK(j["tiers"][1]["tier"] == "nic-leaf");
  CHECK(j["tiers"][1]["utilization"] == 0.75);
}

TEST_CASE("StepLinks: no traffic, no bottleneck", "[compare][links]") {
  StepResult st;
  st.step_time_s = 1.0;
  st.link_busy_complete = false;
  const StepLinks l = step_links(st);
  CHECK(l.tiers.empty());
  CHECK_FALSE(l.bottleneck.has_value());
  CHECK_FALSE(l.complete);
  CHECK(step_links_json(l)["bottleneck"].is_null());
}
