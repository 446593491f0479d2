// Serving plan search: the generator, the memory prune, determinism over threads and the
// ranking, on the Llama-3.1-70B serving scenario with a short run of requests.
#include "costmodel/plan/serving_plan.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;
using namespace llmsim::plan;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

std::vector<Hardware> llama_on_h100() {
  const Scenario s = load_scenario(kData + "/llama-3.1-70b-serving.yaml",
                                   {"serving.traffic.requests=500"}, kData);
  return {Hardware{"H100", 8, s}};
}

}  // namespace

TEST_CASE("Serving plan: candidates, the memory prune, one thread and two, the ranking",
          "[plan][serving]") {
  const std::vector<Hardware> hw = llama_on_h100();
  const std::vector<calibration::Profile> profiles = {scenario_profile(hw.front().scenario)};
  ServingSpace space = default_serving_space(hw.front().scenario);
  CHECK(space.tp == std::vector<int>{1, 2, 4, 8});
  space.nodes = {1};
  space.max_batch = {16, 256};
  const std::vector<ServingCandidate> cs = generate_serving_candidates(space, hw);
  REQUIRE(cs.size() == 8);
  CHECK(cs.front().key == "H100 1 node TP1 DP8 batch 16");

  ServingSearchOptions one;
  ServingSearchOptions two;
  two.threads = 2;
  const std::vector<ServingOutcome> a = run_serving_search(hw, profiles, cs, one);
  const std::vector<ServingOutcome> b = run_serving_search(hw, profiles, cs, two);
  REQUIRE(a.size() == cs.size());
  REQUIRE(b.size() == cs.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].pruned == b[i].pruned);
    CHECK(a[i].ttft_p90 == b[i].ttft_p90);
    CHECK(a[i].usd_per_m_output == b[i].usd_per_m_output);
  }
  // 131 GiB of BF16 weights on one 80 GB H100: TP1 is pruned, unsimulated.
  CHECK(a[0].pruned);
  CHECK(a[0].reason.find("no room for the KV cache") != std::string::npos);
  CHECK(a[0].usd_per_hour == 16.0);

  const std::vector<std::size_t> order = rank_serving(cs, a, false);
  REQUIRE(!order.empty());
  CHECK(order == rank_serving(cs, b, false));
  const ServingOutcome& best = a[order.front()];
  CHECK(best.meets);
  CHECK(best.ttft_p90 <= hw.front().scenario.serving.targets.ttft_s);
  CHECK(best.tpot_p90 <= hw.front().scenario.serving.targets.tpot_s);
  for (std::size_t i = 1; i < order.size(); ++i) {
    CHECK(a[order[i]].usd_per_m_at_load >= best.usd_per_m_at_load);
    CHECK(!serving_loss_reason(a[order[i]], cs[order[i]], best, cs[order.front()],
                               hw.front().scenario, false).empty());
  }
  CHECK(serving_loss_reason(a[0], cs[0], best, cs[order.front()], hw.front().scenario, false)
            .rfind("does not fit", 0) == 0);
}
