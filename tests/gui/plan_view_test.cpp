// The plan-search view without Qt: plot points and the front from the library's search and
// ranking, the store read back on a second open, the selected plan's step and breakdown.
#include "gui/plan_view.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "tests/gui/plan_fixture.hpp"

using namespace llmsim;
using namespace llmsim::gui;

namespace {

const std::string kSource = LLMSIM_SOURCE_DIR;

using test::tiny_space;

}  // namespace

TEST_CASE("plan view: points and front from the library, the store read back",
          "[gui][plan]") {
  const std::string file = kSource + "/tests/data/plan/llama-8b-plan.yaml";
  const Scenario s = load_scenario(file, {}, kSource + "/scenarios");
  const auto db = std::filesystem::temp_directory_path() / "llmsim_gui_plan_view_test.db";
  std::filesystem::remove(db);
  const PlanSearchView v = search_plans(s, "text", tiny_space(), db.string());
  CHECK(gpu_counts(s) == std::vector<int>{8, 16, 32});
  // TP 2 x (PP1 1F1B + PP2 x 2) x 2 x 2 on each of 8, 16 and 32 GPUs
  REQUIRE(v.candidates.size() == 3 * 24);
  REQUIRE(v.front.size() >= 2);
  CHECK(v.new_outcomes == v.candidates.size());
  const auto front = plan::pareto_front(v.candidates, v.outcomes, {});
  CHECK(v.front == front);
  std::size_t feasible = 0;
  for (const auto& o : v.outcomes) feasible += o && plan::is_feasible(*o, {});
  REQUIRE(feasible > front.size());
  CHECK(v.points.size() == feasible);
  CHECK(static_cast<std::size_t>(std::count_if(v.points.begin(), v.points.end(), [](auto& p) {
          return p.front;
        })) == front.size());
  for (const PlanPoint& p : v.points) {
    CHECK(p.days == v.outcomes[p.candidate]->eval.days());
    CHECK(p.usd == v.outcomes[p.candidate]->eval.cost_usd);
  }

  // A second open of the same file evaluates nothing and shows the same points.
  const PlanSearchView again = search_plans(s, "text", tiny_space(), db.string());
  CHECK(again.new_outcomes == 0);
  CHECK(again.from_store == v.candidates.size());
  CHECK(again.front == v.front);
  REQUIRE(again.points.size() == v.points.size());
  CHECK(again.points.back().usd == v.points.back().usd);
  // Another scenario text is another search: the store refuses it.
  CHECK_THROWS_WITH(search_plans(s, "other", tiny_space(), db.string()),
                    Catch::Contains("holds the results of another search"));

  // The selected plan: its step simulated on its own plan, its stored breakdown.
  const std::size_t pick = v.front.back();
  const plan::Candidate& c = v.candidates[pick];
  const PlanDetail d = plan_detail(v, pick);
  CHECK(d.timeline.plan.pp == c.plan.pp);
  CHECK(d.timeline.plan.method == c.plan.schedule);
  CHECK(d.timeline.title.find(plan_title(c)) == 0);
  CHECK(d.timeline.streams.size() == static_cast<std::size_t>(c.plan.pp));
  REQUIRE(d.breakdown.size() == 4);
  CHECK(d.breakdown[0] == plan_title(c));
  CHECK(d.breakdown[1].find("compute") != std::string::npos);
  CHECK(d.breakdown[3].find("days") != std::string::npos);
  std::filesystem::remove(db);
}

TEST_CASE("plan view: plan titles and the app's small space", "[gui][plan]") {
  plan::Candidate c;
  c.gpu = "H100";
  c.gpus = 16;
  c.plan.tp = 2;
  c.plan.pp = 4;
  c.plan.vpp = 2;
  c.plan.dp = 2;
  c.plan.zero_stage = 1;
  c.plan.schedule = ScheduleMethod::kInterleaved1F1B;
  c.recompute = RecomputePolicy::kSelective;
  CHECK(plan_title(c) ==
        "16 x H100: TP2 PP4 (interleaved x2) DP2 ZeRO-1, mb 1, recompute selective, bf16");
  const Scenario s = load_scenario(kSource + "/tests/data/plan/llama-8b-plan.yaml", {},
                                   kSource + "/scenarios");
  const plan::PlanSpace sp = small_space(s);
  CHECK(std::all_of(sp.pp.begin(), sp.pp.end(), [](int pp) { return pp <= 8; }));
  CHECK(sp.micro_batch_sizes == std::vector<int>{1});
  CHECK(sp.zero_stages == std::vector<int>{1});
}

namespace {

// `llmsim plan` on the llama-8b test scenario's small space, its rows in `db`.
void cli_plan_search(const std::filesystem::path& scenario, const std::filesystem::path& db) {
  std::filesystem::remove(db);
  const std::string cmd = std::string(LLMSIM_BINARY) + " plan " + scenario.string() +
                          " --gpus 16:32 --tp 1,2 --pp 1,2 --schedules 1f1b,zb1p --recompute "
                          "full --micro-batch 1 --zero 1 --precision bf16 --objective pareto "
                          "--db " + db.string() + " > /dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

}  // namespace

TEST_CASE("plan view: opens the --db file of an `llmsim plan` run", "[gui][plan]") {
  const auto dir = std::filesystem::temp_directory_path() / "llmsim_gui_plan_results_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto scenario = dir / "llama-8b-plan.yaml";
  std::filesystem::copy_file(kSource + "/tests/data/plan/llama-8b-plan.yaml", scenario);
  const auto db = dir / "plan.db";
  cli_plan_search(scenario, db);
  CHECK(is_plan_results(db.string()));

  // The same candidates rebuilt from the request it keeps: every row read back, none new.
  const PlanSearchView v = open_plan_results(db.string());
  CHECK(v.scenario_name == "llama-8b-plan");
  REQUIRE(v.hardware.size() == 2);
  CHECK(v.hardware[0].gpus == 16);
  CHECK(v.hardware[1].gpus == 32);
  REQUIRE(!v.candidates.empty());
  CHECK(v.from_store == v.candidates.size());
  CHECK(v.new_outcomes == 0);
  REQUIRE(!v.front.empty());
  CHECK(v.front == plan::pareto_front(v.candidates, v.outcomes, {}));
  const PlanDetail d = plan_detail(v, v.front.front());
  CHECK(d.breakdown.size() == 4);

  // A store of the app's own search is not one; a scenario changed since is refused.
  CHECK_FALSE(is_plan_results((dir / "missing.db").string()));
  std::ofstream(scenario, std::ios::app) << "\n# changed after the search\n";
  CHECK_THROWS_WITH(open_plan_results(db.string()),
                    Catch::Contains("holds the results of another search"));
  std::filesystem::remove_all(dir);
}
