// Plan search: the generator, the pruner, the store and the search's determinism, on small
// scenarios built in code.
#include "costmodel/plan/plan_search.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "costmodel/describe/plan_check.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/plan/plan_ranking.hpp"
#include "costmodel/plan/plan_store.hpp"
#include "costmodel/read/model_file.hpp"
#include "sim/check.hpp"

using namespace llmsim;
using namespace llmsim::plan;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

// `model` on `nodes` HGX H100 nodes, BF16, one phase of 1e11 tokens at 64 x 4096.
Scenario on_h100(const std::string& model, int nodes) {
  Scenario s;
  s.name = "plan test";
  s.cluster.gpu = "H100";
  s.cluster.nodes = nodes;
  s.cluster.gpus_per_node = 8;
  s.cluster.nvlink_gbps = 360;
  s.cluster.nic_gbps = 50;
  s.cluster.topology = nodes > 1 ? TopologyKind::kRailOptimized : TopologyKind::kSingleNode;
  s.gpu = *find_gpu("H100");
  s.model = load_model(model, kData, "");
  s.precision = make_recipe(RecipeKind::kBF16);
  s.usd_per_gpu_hour = 2.0;
  s.calibration_file = kData + "/calibration/h100-published.yaml";
  TrainingPhase ph;
  ph.name = "pre-training";
  ph.tokens = 1e11;
  ph.seq_len = 4096;
  ph.global_batch = 64;
  ph.plan.dp = s.cluster.gpus();
  s.plan = ph.plan;
  s.phases.push_back(ph);
  return s;
}

PlanSpace small_space() {
  PlanSpace sp;
  sp.tp = {1, 2, 4, 8};
  sp.pp = {1, 2, 4};
  sp.vpp = {2};
  sp.ep = {1};
  sp.micro_batch_sizes = {1};
  sp.zero_stages = {1};
  sp.schedules = {ScheduleMethod::k1F1B, ScheduleMethod::kInterleaved1F1B};
  sp.recompute = {RecomputePolicy::kSelective};
  sp.precisions = {RecipeKind::kBF16};
  return sp;
}

struct Setup {
  std::vector<Hardware> hardware;
  std::vector<calibration::Profile> profiles;
  std::vector<Candidate> candidates;
};

// Llama-3.1-8B on 16 H100: the small space, plus micro-batch 2 and two recompute modes.
Setup llama8b_search() {
  Setup s;
  s.hardware.push_back(Hardware{"H100", 16, on_h100("llama-3.1-8b", 2)});
  s.profiles.push_back(scenario_profile(s.hardware.front().scenario));
  PlanSpace sp = small_space();
  sp.micro_batch_sizes = {1, 2};
  sp.recompute = {RecomputePolicy::kSelective, RecomputePolicy::kFull};
  s.candidates = generate_candidates(sp, s.hardware);
  return s;
}

// Every field of two outcome lists, exactly (doubles bit for bit).
void require_same(const std::vector<std::optional<Outcome>>& a,
                  const std::vector<std::optional<Outcome>>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].has_value() == b[i].has_value());
    if (!a[i]) continue;
    const Outcome& x = *a[i];
    const Outcome& y = *b[i];
    CHECK(x.reason == y.reason);
    CHECK(x.detail == y.detail);
    CHECK(x.peak_memory_bytes == y.peak_memory_bytes);
    CHECK(x.eval.step_time_s == y.eval.step_time_s);
    CHECK(x.eval.seconds == y.eval.seconds);
    CHECK(x.eval.cost_usd == y.eval.cost_usd);
    CHECK(x.eval.breakdown.bubble_s == y.eval.breakdown.bubble_s);
    CHECK(x.eval.breakdown.exposed_comm_s == y.eval.breakdown.exposed_comm_s);
  }
}

std::string temp_db(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() / ("llmsim_plan_test_" + name + ".db");
  std::filesystem::remove(p);
  return p.string();
}

}  // namespace

TEST_CASE("Plan space: the generator keeps the shape rules and counts every combination",
          "[plan]") {
  std::vector<Hardware> hw{Hardware{"H100", 16, on_h100("llama-3.1-8b", 2)}};
  PlanSpace sp = small_space();
  sp.ep = {1, 2};  // a dense model: EP 2 is never generated
  sp.precisions = {RecipeKind::kFP8DeepSeek, RecipeKind::kBF16};
  const std::vector<Candidate> cs = generate_candidates(sp, hw);
  // (tp, pp) with tp x pp dividing 16: 4 x 3 pairs less (8, 4); the 7 with pp > 1 take 2
  // schedules, the 4 with pp 1 only 1F1B: 7 x 2 + 4 = 18; x 2 precisions.
  CHECK(cs.size() == 18 * 2);
  std::set<std::string> keys;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const Candidate& c = cs[i];
    keys.insert(c.key);
    if (i > 0) CHECK(cs[i - 1].key < c.key);
    CHECK(c.plan.ep == 1);
    CHECK(c.plan.tp * c.plan.pp * c.plan.cp * c.plan.dp == 16);
    CHECK((c.plan.vpp == 1) == (c.plan.schedule != ScheduleMethod::kInterleaved1F1B));
  }
  CHECK(keys.size() == cs.size());

  // No FP8 on an A100: half the candidates.
  std::vector<Hardware> a100{Hardware{"A100-80GB", 16, on_h100("llama-3.1-8b", 2)}};
  a100.front().scenario.gpu = *find_gpu("A100-80GB");
  CHECK(generate_candidates(sp, a100).size() == 18);
}

TEST_CASE("Plan space: a scenario's layer layout stays with the candidates of its stage count",
          "[plan]") {
  // Llama 3.1 8B (32 layers) with a given 4-stage layout; candidates of PP 1, 2, 4 under 1F1B
  // and interleaved (vpp 2): only the 4-chunk ones (PP 4 1F1B, PP 2 interleaved) keep it.
  std::vector<Hardware> hw{Hardware{"H100", 16, on_h100("llama-3.1-8b", 2)}};
  hw.front().scenario.plan.layers_per_stage = {7, 9, 9, 7};
  const std::vector<Candidate> cs = generate_candidates(small_space(), hw);
  int kept = 0;
  for (const Candidate& c : cs) {
    const bool four = model_chunks(c.plan) == 4;
    CHECK(c.plan.layers_per_stage.empty() == !four);
    kept += four ? 1 : 0;
    // Every candidate's layout is one check_plan accepts on this count.
    const auto problem = check_plan(c.plan, 16, hw.front().scenario.model);
    CHECK((!problem || problem->field != "layers_per_stage"));
  }
  CHECK(kept > 0);
}

TEST_CASE("Plan pruner: invalid plans and plans that do not fit are pruned with the reason",
          "[plan]") {
  const Scenario base = on_h100("llama-3.1-8b", 2);
  Candidate c;
  c.gpu = "H100";
  c.gpus = 16;
  c.plan.tp = 1;
  c.plan.pp = 16;
  c.plan.dp = 1;
  c.plan.schedule = ScheduleMethod::kDualPipeV;
  c.plan.zero_stage = 1;
  c.precision = RecipeKind::kBF16;
  // DualPipeV holds two chunks per rank: 2 x 16 = 32 chunks of Llama-8B's 32 layers, valid;
  // on 32 ranks, 64 chunks for 32 layers: invalid, and the detail names the field.
  CHECK_FALSE(check_candidate(apply_candidate(base, c)).pruned());
  c.plan.pp = 32;
  c.gpus = 32;
  const Scenario big = on_h100("llama-3.1-8b", 4);
  Verdict v = check_candidate(apply_candidate(big, c));
  CHECK(v.reason == PruneReason::kPlan);
  CHECK_THAT(v.detail, Catch::Contains("pp"));

  // Llama-3.1-405B on one 8-GPU node without TP or PP: far over 80 GB.
  Scenario huge = on_h100("llama-3.1-405b", 1);
  Candidate h;
  h.gpu = "H100";
  h.gpus = 8;
  h.plan.dp = 8;
  h.plan.zero_stage = 1;
  h.precision = RecipeKind::kBF16;
  v = check_candidate(apply_candidate(huge, h));
  CHECK(v.reason == PruneReason::kMemory);
  CHECK(v.peak_memory_bytes > huge.gpu.hbm_bytes);
  CHECK_THAT(v.detail, Catch::Contains("GiB"));
}

TEST_CASE("Plan pruner: the compute bound is below every simulated run and prunes against limits",
          "[plan]") {
  const Setup s = llama8b_search();
  const SearchResult r = run_search(s.hardware, s.profiles, s.candidates, {}, nullptr);
  REQUIRE(r.complete);
  int simulated = 0;
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    if (!r.outcomes[i]->evaluated()) continue;
    ++simulated;
    const LowerBound b =
        compute_bound(apply_candidate(s.hardware.front().scenario, s.candidates[i]));
    CHECK(b.seconds < r.outcomes[i]->eval.seconds);
    CHECK(b.cost_usd < r.outcomes[i]->eval.cost_usd);
    // The timed bound is tighter, and still below the simulation.
    const LowerBound t = timed_compute_bound(
        apply_candidate(s.hardware.front().scenario, s.candidates[i]), s.profiles.front(), nullptr);
    CHECK(t.seconds > b.seconds);
    CHECK(t.seconds <= r.outcomes[i]->eval.seconds);
  }
  CHECK(simulated > 5);

  LowerBound b;
  b.seconds = 10 * 86400.0;
  b.cost_usd = 1000.0;
  CHECK(check_bound(b, Limits{5.0, 0.0}, Objective::kCost, 0.0).reason == PruneReason::kDeadline);
  CHECK(check_bound(b, Limits{0.0, 500.0}, Objective::kCost, 0.0).reason == PruneReason::kBudget);
  CHECK(check_bound(b, Limits{}, Objective::kCost, 999.0).reason == PruneReason::kBound);
  CHECK_FALSE(check_bound(b, Limits{}, Objective::kCost, 1001.0).pruned());
  CHECK(check_bound(b, Limits{}, Objective::kTime, 9.0).reason == PruneReason::kBound);
  CHECK_FALSE(check_bound(b, Limits{}, Objective::kPareto, 1.0).pruned());
}

TEST_CASE("Plan search: one thread and two give the same outcomes, bit for bit", "[plan]") {
  const Setup s = llama8b_search();
  SearchOptions one;
  one.batch = 8;
  SearchOptions two = one;
  two.threads = 2;
  const SearchResult a = run_search(s.hardware, s.profiles, s.candidates, one, nullptr);
  const SearchResult b = run_search(s.hardware, s.profiles, s.candidates, two, nullptr);
  REQUIRE(a.complete);
  REQUIRE(b.complete);
  require_same(a.outcomes, b.outcomes);
  const auto ra = rank_candidates(s.candidates, a.outcomes, Objective::kCost, {});
  CHECK(ra == rank_candidates(s.candidates, b.outcomes, Objective::kCost, {}));
  CHECK_FALSE(ra.empty());
}

TEST_CASE(
    "Plan store: a stopped search resumes, evaluates nothing twice, ends as one never "
    "stopped",
    "[plan]") {
  const Setup s = llama8b_search();
  SearchOptions o;
  o.batch = 8;
  const SearchResult fresh = run_search(s.hardware, s.profiles, s.candidates, o, nullptr);
  const std::string db = temp_db("resume");
  SearchOptions stopped = o;
  stopped.stop_after = 13;  // mid-batch
  {
    ResultStore store(db, "test search");
    const SearchResult part = run_search(s.hardware, s.profiles, s.candidates, stopped, &store);
    CHECK_FALSE(part.complete);
    CHECK(part.new_outcomes == 13);
  }
  {
    ResultStore store(db, "test search");
    CHECK(store.load().size() == 13);  // every finished outcome was committed
    SearchOptions two = o;
    two.threads = 2;
    const SearchResult rest = run_search(s.hardware, s.profiles, s.candidates, two, &store);
    CHECK(rest.complete);
    CHECK(rest.from_store == 13);
    CHECK(rest.new_outcomes == s.candidates.size() - 13);
    require_same(fresh.outcomes, rest.outcomes);
    CHECK(store.load().size() == s.candidates.size());
  }
  {
    ResultStore store(db, "test search");  // a third run reads everything back
    const SearchResult again = run_search(s.hardware, s.profiles, s.candidates, o, &store);
    CHECK(again.new_outcomes == 0);
    require_same(fresh.outcomes, again.outcomes);
  }
  CHECK_THROWS_WITH(ResultStore(db, "another search"),
                    Catch::Contains("another search") && Catch::Contains("--db"));
  std::filesystem::remove(db);
}

TEST_CASE("Plan store: an unwritable file is one clear error", "[plan]") {
  CHECK_THROWS_AS(ResultStore("/nonexistent-dir/x.db", "f"), UserError);
  const std::string not_db = temp_db("not_sqlite");
  std::FILE* f = std::fopen(not_db.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs("this is not an SQLite database, it is text long enough to have a header......\n", f);
  std::fclose(f);
  CHECK_THROWS_AS(ResultStore(not_db, "f"), UserError);
  std::filesystem::remove(not_db);
}

TEST_CASE("Plan space: TP reaches across nodes inside an NVLink domain", "[plan]") {
  // 4 trays of 4 GPUs on one NVLink domain of 16 (as GB200 NVL72's racks, smaller): TP 16 is a
  // candidate; on 4-GPU nodes without the domain TP stops at 4.
  Scenario s = on_h100("llama-3.1-8b", 4);
  s.cluster.gpus_per_node = 4;
  s.cluster.nvlink_domain_gpus = 16;
  s.phases.front().plan.dp = 16;
  PlanSpace sp = small_space();
  sp.tp = default_space(s.model, s.cluster.domain_gpus()).tp;
  CHECK(sp.tp.back() == 16);
  const auto with_domain = generate_candidates(sp, {Hardware{"H100", 16, s}});
  Scenario trays = s;
  trays.cluster.nvlink_domain_gpus = 0;
  const auto without = generate_candidates(sp, {Hardware{"H100", 16, trays}});
  const auto max_tp = [](const std::vector<Candidate>& cs) {
    int most = 0;
    for (const Candidate& c : cs) most = std::max(most, c.plan.tp);
    return most;
  };
  CHECK(max_tp(with_domain) == 16);
  CHECK(max_tp(without) == 4);
}
