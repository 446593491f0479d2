// Serving plan search: the generator, the memory prune, determinism over threads and the
// ranking, on the Llama-3.1-70B serving scenario with a short run of requests.
#include "costmodel/plan/serving_plan.hpp"

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/plan/serving_store.hpp"
#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"

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
  space.disaggregate = {false};
  const std::vector<ServingCandidate> cs = generate_serving_candidates(space, hw);
  REQUIRE(cs.size() == 8);
  CHECK(cs.front().key == "H100 1 node TP1 DP8 batch 16");

  ServingSearchOptions one;
  ServingSearchOptions two;
  two.threads = 2;
  const std::vector<ServingOutcome> a = run_serving_search(hw, profiles, cs, one).outcomes;
  const std::vector<ServingOutcome> b = run_serving_search(hw, profiles, cs, two).outcomes;
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

TEST_CASE("Serving plan: disaggregated candidates, their scenario and their keys",
          "[plan][serving]") {
  const std::vector<Hardware> hw = llama_on_h100();
  ServingSpace space = default_serving_space(hw.front().scenario);
  CHECK(space.disaggregate == std::vector<bool>{false, true});
  CHECK(space.prefill_tp == std::vector<int>{8});
  CHECK(space.decode_tp == std::vector<int>{4, 8});
  space.disaggregate = {true};
  space.prefill_nodes = {1};
  space.prefill_tp = {8};
  space.decode_nodes = {1, 2};
  space.decode_tp = {4};
  space.max_batch = {128};
  const std::vector<ServingCandidate> cs = generate_serving_candidates(space, hw);
  REQUIRE(cs.size() == 2);
  CHECK(cs[1].key == "H100 prefill 1 node TP8 + decode 2 nodes TP4 batch 128");
  CHECK(cs[1].total_nodes() == 3);
  const Scenario s = serving_candidate_scenario(hw.front(), cs[1]);
  REQUIRE(s.serving.deployments.size() == 2);
  CHECK(s.serving.disaggregated());
  CHECK(s.serving.deployments[0].role == "prefill");
  CHECK(s.serving.deployments[0].tp == 8);
  CHECK(s.serving.deployments[1].role == "decode");
  CHECK(s.serving.deployments[1].nodes == 2);
  CHECK(s.serving.deployments[1].scheduler.max_batch == 128);
  CHECK(s.cluster.nodes == 3);
  // The --set assignments give `llmsim serve` the same scenario.
  const Scenario& base = hw.front().scenario;
  std::vector<std::string> sets = {"serving.traffic.requests=500"};
  for (const std::string& a : serving_candidate_sets(base, cs[1])) sets.push_back(a);
  const Scenario r = load_scenario(kData + "/llama-3.1-70b-serving.yaml", sets, kData);
  REQUIRE(r.serving.deployments.size() == 2);
  CHECK(r.cluster.nodes == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    const ServingDeployment& a = s.serving.deployments[i];
    const ServingDeployment& b = r.serving.deployments[i];
    CHECK(a.role == b.role);
    CHECK(a.nodes == b.nodes);
    CHECK(a.tp == b.tp);
    CHECK(a.ep_kernel == b.ep_kernel);
    CHECK(a.scheduler.max_batch == b.scheduler.max_batch);
    CHECK(a.scheduler.prefill_chunk == b.scheduler.prefill_chunk);
    CHECK(a.scheduler.kv_block_tokens == b.scheduler.kv_block_tokens);
  }
}

TEST_CASE("Serving plan: a search stopped and resumed from its store gives the same outcomes",
          "[plan][serving]") {
  const std::vector<Hardware> hw = llama_on_h100();
  const std::vector<calibration::Profile> profiles = {scenario_profile(hw.front().scenario)};
  ServingSpace space = default_serving_space(hw.front().scenario);
  space.tp = {1, 8};
  space.nodes = {1};
  space.max_batch = {256};
  space.disaggregate = {false};
  const std::vector<ServingCandidate> cs = generate_serving_candidates(space, hw);
  REQUIRE(cs.size() == 2);
  const ServingSearchResult plain = run_serving_search(hw, profiles, cs, {});
  REQUIRE(plain.complete);

  const std::string path =
      (std::filesystem::temp_directory_path() / "llmsim_serving_plan_test.db").string();
  std::remove(path.c_str());
  {
    ServingStore store(path, "test");
    ServingSearchOptions o;
    o.store = &store;
    o.batch = 1;
    o.stop_after = 1;
    const ServingSearchResult first = run_serving_search(hw, profiles, cs, o);
    CHECK(!first.complete);
    CHECK(first.new_outcomes == 1);
  }
  ServingStore store(path, "test");
  ServingSearchOptions o;
  o.store = &store;
  const ServingSearchResult resumed = run_serving_search(hw, profiles, cs, o);
  REQUIRE(resumed.complete);
  CHECK(resumed.from_store == 1);
  CHECK(resumed.new_outcomes == 1);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const ServingOutcome& a = plain.outcomes[i];
    const ServingOutcome& b = resumed.outcomes[i];
    CHECK(a.pruned == b.pruned);
    CHECK(a.reason == b.reason);
    CHECK(a.ttft_p90 == b.ttft_p90);
    CHECK(a.tpot_p99 == b.tpot_p99);
    CHECK(a.rate_scale == b.rate_scale);
    CHECK(a.meets == b.meets);
    CHECK(a.usd_per_m_at_capacity == b.usd_per_m_at_capacity);
    CHECK(a.kv_tokens_per_rank == b.kv_tokens_per_rank);
  }
  CHECK_THROWS_AS(ServingStore(path, "another search"), UserError);
  std::remove(path.c_str());
}
