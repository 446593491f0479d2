// plan_perftest: how fast `llmsim plan` searches. On DeepSeek-V3's scenario (every phase):
//   1. full simulations per second on one thread, with and without the collective times shared
//      between candidates (CollectiveCache), on the same 200 valid candidates;
//   2. a search of about 10,000 candidates (2048 H800, FP8, ZeRO-1) on one thread and on two,
//      pruned and simulated counts apart;
//   3. a search of about 120,000 candidates (1024, 2048 and 4096 H800, the default space) on
//      two threads (skipped with --quick).
// Targets (issue #16): 10,000 candidates in under 60 s and 100,000 in under 300 s on 2 cores.

#include "bench/bench_main.hpp"
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/plan/plan_ranking.hpp"
#include "costmodel/plan/plan_search.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;
using namespace llmsim::plan;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Process CPU seconds, all threads: on a shared machine wall time depends on the neighbours'
// load; CPU time per candidate does not (much).
double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

struct Fleet {
  std::vector<Hardware> hardware;
  std::vector<calibration::Profile> profiles;
};

Fleet h800_fleet(const Scenario& base, const std::vector<int>& counts) {
  Fleet f;
  const calibration::Profile profile = scenario_profile(base);
  for (int gpus : counts) {
    Hardware h{"H800", gpus, base};
    h.scenario.cluster.nodes = gpus / base.cluster.gpus_per_node;
    f.hardware.push_back(std::move(h));
    f.profiles.push_back(profile);
  }
  return f;
}

// Simulations per second over the first `n` valid candidates, with or without shared times.
double simulations_per_second(const Fleet& f, const std::vector<Candidate>& all, std::size_t n,
                              bool share) {
  std::vector<Candidate> valid;
  for (const Candidate& c : all) {
    if (valid.size() == n) break;
    if (!check_candidate(apply_candidate(f.hardware[c.hardware].scenario, c)).pruned()) {
      valid.push_back(c);
    }
  }
  CollectiveCache cache;
  const auto t0 = Clock::now();
  for (const Candidate& c : valid) {
    evaluate_candidate(apply_candidate(f.hardware[c.hardware].scenario, c), f.profiles[c.hardware],
                       share ? &cache : nullptr);
  }
  return static_cast<double>(valid.size()) / since(t0);
}

double search(const char* label, const Fleet& f, const std::vector<Candidate>& cs, int threads) {
  SearchOptions o;
  o.threads = threads;
  const auto t0 = Clock::now();
  const double c0 = cpu_seconds();
  const SearchResult r = run_search(f.hardware, f.profiles, cs, o, nullptr);
  const double s = since(t0), cpu = cpu_seconds() - c0;
  const Counts c = count_outcomes(r.outcomes, o.limits);
  const std::size_t pruned = c.reached - c.evaluated;
  std::printf(
      "%s, %d thread%s: %zu candidates in %.1f s wall (%.1f CPU s) = %.0f per second; "
      "%zu pruned (plan %zu, memory %zu, bound %zu), %zu simulated = %.0f simulations "
      "per second\n",
      label, threads, threads > 1 ? "s" : "", c.generated, s, cpu, c.generated / s, pruned,
      c.pruned[1], c.pruned[2], c.pruned[5], c.evaluated, c.evaluated / s);
  return s;
}

int run(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::string data = LLMSIM_SOURCE_DIR "/scenarios";
  const Scenario base = load_scenario(data + "/deepseek-v3-pretrain.yaml", {}, data);

  const Fleet one = h800_fleet(base, {2048});
  PlanSpace small = default_space(base.model, base.cluster.domain_gpus());
  small.precisions = {RecipeKind::kFP8DeepSeek};
  small.zero_stages = {1};
  const std::vector<Candidate> cs = generate_candidates(small, one.hardware);

  const double plain = simulations_per_second(one, cs, 200, false);
  const double shared = simulations_per_second(one, cs, 200, true);
  std::printf(
      "full simulations (3 phases each), 1 thread: %.0f per second without shared "
      "collective times, %.0f with (ratio %.2f)\n",
      plain, shared, shared / plain);

  const double t1 = search("~10k search", one, cs, 1);
  const double t2 = search("~10k search", one, cs, 2);
  std::printf(
      "ratios in this run: 2 threads / 1 thread speed-up %.2f; 2-thread time / 60 s "
      "target = %.2f\n",
      t1 / t2, t2 / 60.0);
  if (quick) return 0;

  const Fleet three = h800_fleet(base, {1024, 2048, 4096});
  const std::vector<Candidate> big =
      generate_candidates(default_space(base.model, base.cluster.domain_gpus()), three.hardware);
  const double tb = search("~120k search", three, big, 2);
  std::printf("ratio in this run: time / 300 s target = %.2f\n", tb / 300.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return llmsim::bench::guarded_main("plan_perftest", run, argc, argv);
}
