// llmsim plan: search the training plans of a scenario over GPU types and counts for the
// cheapest (or fastest) one that fits, with a results store that resumes.

#include "cli/plan_command.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/progress.hpp"
#include "cli/plan_mpi.hpp"
#include "costmodel/plan/plan_request.hpp"
#include "costmodel/describe/hardware.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/plan/serving_store.hpp"
#include "costmodel/read/cluster_file.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "costmodel/version.hpp"
#include "report/output_file.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::cli {

namespace {

namespace fs = std::filesystem;
using plan::Hardware;

using plan::lower;
using plan::parse_ints;
using plan::split;
using plan::PlanRequest;

// The request (what the search is: kept in its --db) and how to run and print it.
struct PlanOptions : PlanRequest {
  std::string db;
  std::string csv;
  bool json = false;
  int threads = 1;
  std::string nodes, max_batch;  // serving
  std::string disaggregate, prefill_nodes, prefill_tp, decode_nodes, decode_tp;  // serving
  std::size_t stop_after = 0;
  int fail_rank = -1;  // tests: this MPI rank fails as an internal check would
};

plan::SearchOptions search_options(const PlanOptions& o) {
  plan::SearchOptions so = plan::request_search_options(o);
  so.threads = o.threads;
  so.stop_after = o.stop_after;
  return so;
}

std::string join_ints(const std::vector<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : ", ") + std::to_string(x);
  return out;
}

std::vector<std::string> describe_space(const plan::PlanSpace& sp, const Scenario& s) {
  auto names = [](const auto& values, auto name) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ", ") + std::string(name(v));
    return out;
  };
  return {
      fmt::format("TP {} (within a node of {}); PP {}; virtual stages {} (interleaved only)",
                  join_ints(sp.tp), s.cluster.gpus_per_node, join_ints(sp.pp), join_ints(sp.vpp)),
      fmt::format("EP {}; micro-batch {}; ZeRO {}",
                  s.model.moe.enabled() ? join_ints(sp.ep) : "1 (dense model)",
                  join_ints(sp.micro_batch_sizes), join_ints(sp.zero_stages)),
      fmt::format("schedules {}", names(sp.schedules, schedule_method_name)),
      fmt::format("recompute {}; precision {} (FP8 only where the GPU has it)",
                  names(sp.recompute, recompute_policy_name),
                  names(sp.precisions, [](RecipeKind k) { return make_recipe(k).name(); })),
      fmt::format("DP = GPUs / (TP x CP x PP) per phase, with each phase's CP from the scenario")};
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Rank 0 opens the store; every rank learns whether it could.
std::unique_ptr<plan::ResultStore> open_store(const PlanOptions& o, const MpiSession& mpi) {
  std::unique_ptr<plan::ResultStore> store;
  if (!o.db.empty() && mpi.rank() == 0) {
    try {
      store = std::make_unique<plan::ResultStore>(o.db, plan::request_fingerprint(o));
      PlanRequest kept = o;  // with the scenario's absolute path, for llmsim-gui
      kept.scenario = fs::absolute(o.scenario).lexically_normal().string();
      store->set_value("request", plan::request_json(kept));
    } catch (...) {
      (void)mpi.all(false);
      throw;
    }
  }
  if (!mpi.all(true)) throw UserError("plan: rank 0 could not open --db");
  return store;
}

// Options that mean something for one kind of scenario only.
void check_kind_options(const PlanOptions& o, bool serving) {
  const std::vector<std::pair<const char*, bool>> training_only = {
      {"--gpus", !o.gpus.empty()},        {"--tokens", o.tokens > 0},
      {"--deadline-days", o.deadline_days > 0}, {"--budget", o.budget_usd > 0},
      {"--pp", !o.pp.empty()},            {"--vpp", !o.vpp.empty()},
      {"--micro-batch", !o.micro_batch.empty()}, {"--zero", !o.zero.empty()},
      {"--schedules", !o.schedules.empty()}, {"--recompute", !o.recompute.empty()},
      {"--precision", !o.precisions.empty()}};
  const std::vector<std::pair<const char*, bool>> serving_only = {
      {"--nodes", !o.nodes.empty()},
      {"--max-batch", !o.max_batch.empty()},
      {"--disaggregate", !o.disaggregate.empty()},
      {"--prefill-nodes", !o.prefill_nodes.empty()},
      {"--prefill-tp", !o.prefill_tp.empty()},
      {"--decode-nodes", !o.decode_nodes.empty()},
      {"--decode-tp", !o.decode_tp.empty()}};
  for (const auto& [name, given] : serving ? training_only : serving_only) {
    if (given) {
      throw UserError(fmt::format("{}: only for {} scenarios ({} is a {} scenario)", name,
                                  serving ? "training" : "serving", o.scenario,
                                  serving ? "serving" : "training"));
    }
  }
}

std::vector<int> parse_tps(const std::string& option, const std::string& text,
                           std::vector<int> fallback, const Scenario& s) {
  std::vector<int> out = text.empty() ? std::move(fallback) : parse_ints(option, text);
  for (int tp : out) {
    if (tp > s.cluster.gpus_per_node || s.cluster.gpus_per_node % tp != 0) {
      throw UserError(fmt::format("{} {}: TP stays within a node of {} GPUs (a divisor of it)",
                                  option, tp, s.cluster.gpus_per_node));
    }
  }
  return out;
}

std::vector<bool> parse_disaggregate(const std::string& text) {
  std::vector<bool> out;
  for (const std::string& item : split(text, ',')) {
    if (item != "no" && item != "yes") {
      throw UserError(fmt::format("--disaggregate {}: allowed: no, yes, or no,yes",
                                  quote_value(item)));
    }
    out.push_back(item == "yes");
  }
  if (out.empty()) throw UserError("--disaggregate: an empty list");
  return out;
}

plan::ServingSpace build_serving_space(const PlanOptions& o, const Scenario& s) {
  plan::ServingSpace sp = plan::default_serving_space(s);
  sp.tp = parse_tps("--tp", o.tp, sp.tp, s);
  sp.prefill_tp = parse_tps("--prefill-tp", o.prefill_tp, sp.prefill_tp, s);
  sp.decode_tp = parse_tps("--decode-tp", o.decode_tp, sp.decode_tp, s);
  if (!o.ep.empty()) sp.ep = parse_ints("--ep", o.ep, 0);
  if (!o.nodes.empty()) sp.nodes = parse_ints("--nodes", o.nodes);
  if (!o.max_batch.empty()) sp.max_batch = parse_ints("--max-batch", o.max_batch);
  if (!o.disaggregate.empty()) sp.disaggregate = parse_disaggregate(o.disaggregate);
  if (!o.prefill_nodes.empty()) sp.prefill_nodes = parse_ints("--prefill-nodes", o.prefill_nodes);
  if (!o.decode_nodes.empty()) sp.decode_nodes = parse_ints("--decode-nodes", o.decode_nodes);
  return sp;
}

std::string serving_fingerprint(const PlanOptions& o) {
  return fmt::format(
      "llmsim {} serving search {}; {}; space: tp '{}' ep '{}' nodes '{}' max-batch '{}' "
      "disaggregate '{}' prefill-nodes '{}' prefill-tp '{}' decode-nodes '{}' decode-tp '{}'",
      version(), plan::kServingSearchVersion, plan::scenario_fingerprint(o), o.tp, o.ep, o.nodes,
      o.max_batch, o.disaggregate, o.prefill_nodes, o.prefill_tp, o.decode_nodes, o.decode_tp);
}

plan::ServingSearchResult serving_search(const PlanOptions& o, const plan::Fleet& fleet,
                                         const std::vector<plan::ServingCandidate>& candidates,
                                         plan::ServingStore* store) {
  InterruptGuard guard;
  Progress progress("plan", store ? "Ctrl-C stops and keeps what is done" : "Ctrl-C stops");
  plan::ServingSearchOptions so;
  so.by_nodes = o.objective == "nodes";
  so.threads = o.threads;
  so.batch = o.batch;
  so.stop_after = o.stop_after;
  so.store = store;
  so.stop = [&guard] { return guard.interrupted(); };
  so.progress = [&progress, n = candidates.size()](std::size_t done) { progress.update(done, n); };
  return plan::run_serving_search(fleet.hardware, fleet.profiles, candidates, so);
}

void run_serving_plan(const PlanOptions& o, const Scenario& base, const std::string& data_dir) {
  check_kind_options(o, true);
  if (o.objective != "cost" && o.objective != "nodes") {
    throw UserError(fmt::format("--objective {}: allowed for a serving scenario: cost, nodes",
                                quote_value(o.objective)));
  }
  if (o.top < 1 || o.threads < 1) throw UserError("--top and --threads: at least 1");
  if (!o.csv.empty()) check_writable(o.csv);
  const plan::Fleet fleet = plan::build_fleet(o, base, data_dir);
  const plan::ServingSpace space = build_serving_space(o, base);
  const std::vector<plan::ServingCandidate> candidates =
      plan::generate_serving_candidates(space, fleet.hardware);
  std::unique_ptr<plan::ServingStore> store;
  if (!o.db.empty()) store = std::make_unique<plan::ServingStore>(o.db, serving_fingerprint(o));
  const double start = now_s();
  const plan::ServingSearchResult result = serving_search(o, fleet, candidates, store.get());
  const double seconds = now_s() - start;
  const std::size_t reached = result.from_store + result.new_outcomes;
  fmt::print(stderr, "plan: {} of {} candidates done, {} new in {:.1f} s ({} threads){}\n",
             reached, candidates.size(), result.new_outcomes, seconds, o.threads,
             store ? fmt::format(", {} read back from {}", result.from_store, o.db) : "");
  if (!result.complete) {
    throw Interrupted{store ? fmt::format("plan: interrupted after {} of {} candidates; all {} "
                                          "are kept in {}: run the same command to resume",
                                          reached, candidates.size(), reached, o.db)
                            : fmt::format("plan: interrupted after {} of {} candidates; nothing "
                                          "kept (give --db FILE to resume a search)",
                                          reached, candidates.size())};
  }
  const ServingPlanReport report{o.scenario, &base, &fleet.hardware, &candidates,
                                 &result.outcomes, o.objective == "nodes", o.top, space, seconds};
  if (!o.csv.empty()) write_serving_plan_csv(report, o.csv);
  if (o.json)
    print_serving_plan_json(report);
  else
    print_serving_plan_text(report);
}

// The search, with an error on one rank (an internal check, a store that cannot be written)
// ending every rank instead of leaving the others waiting in the next exchange.
template <typename Search>
plan::SearchResult search_on_every_rank(const MpiSession& mpi, int fail_rank, Search search) {
  try {
    if (fail_rank == mpi.rank()) throw InternalError("--fail-rank: this rank fails on purpose");
    return search();
  } catch (const std::exception& e) {
    mpi.abort_all(e.what());
    throw;
  }
}

void run_plan(const PlanOptions& o) {
  const MpiSession mpi;  // first: ranks other than 0 print nothing
  const std::string data_dir = default_data_dir();
  Scenario base = load_scenario(o.scenario, o.overrides, data_dir);
  if (base.workload == WorkloadKind::kServing) {
    // Every rank would run the whole search (and write the same --db): refused. Every rank
    // says so and aborts, so that the first to end cannot cut off the others' message.
    if (mpi.ranks()) {
      const std::string why = "plan: a serving search runs in one process; run it without "
                              "mpirun (--threads N uses the cores)";
      mpi.abort_all(why);
      throw UserError(why);
    }
    return run_serving_plan(o, base, data_dir);
  }
  check_kind_options(o, false);
  require_training(base, "llmsim plan");
  plan::set_tokens(base, o.tokens);
  const plan::SearchOptions options = search_options(o);
  if (o.top < 1 || o.threads < 1) throw UserError("--top and --threads: at least 1");
  if (!o.csv.empty()) check_writable(o.csv);
  const plan::Fleet fleet = plan::build_fleet(o, base, data_dir);
  const plan::PlanSpace space = plan::build_space(o, base);
  const std::vector<plan::Candidate> candidates = plan::generate_candidates(space, fleet.hardware);
  const std::unique_ptr<plan::ResultStore> store = open_store(o, mpi);

  InterruptGuard guard;
  Progress progress("plan", "Ctrl-C stops and keeps what is done");
  const double start = now_s();
  const plan::SearchResult result = search_on_every_rank(mpi, o.fail_rank, [&] {
    return plan::run_search(fleet.hardware, fleet.profiles, candidates, options, store.get(),
                            {[&guard] { return guard.interrupted(); },
                             [&progress, n = candidates.size()](std::size_t done, std::size_t) {
                               progress.update(done, n);
                             },
                             mpi.ranks()});
  });
  const double seconds = now_s() - start;
  const std::size_t reached = result.from_store + result.new_outcomes;
  fmt::print(stderr,
             "plan: {} of {} candidates done, {} new in {:.1f} s ({:.0f} per second, {} "
             "threads){}\n",
             reached, candidates.size(), result.new_outcomes, seconds,
             seconds > 0 ? static_cast<double>(result.new_outcomes) / seconds : 0.0, o.threads,
             store ? fmt::format(", {} read back from {}", result.from_store, o.db) : "");
  if (!result.complete) {
    const std::size_t kept = reached;
    throw Interrupted{store ? fmt::format("plan: interrupted after {} of {} candidates; all {} "
                                          "are kept in {}: run the same command to resume",
                                          kept, candidates.size(), kept, o.db)
                            : fmt::format("plan: interrupted after {} of {} candidates; nothing "
                                          "kept (give --db FILE to resume a search)",
                                          kept, candidates.size())};
  }
  if (mpi.rank() != 0) return;
  PlanReport report{o.scenario,  &base,   &fleet.hardware, &fleet.profiles,
                    &candidates, &result, options,         describe_space(space, base),
                    seconds};
  if (!o.csv.empty()) write_plan_csv(report, o.csv);
  if (o.json)
    print_plan_json(report);
  else
    print_plan_text(report);
}

// The serving space's options (refused on a training scenario).
void add_serving_options(CLI::App& cmd, PlanOptions& o) {
  cmd.add_option("--nodes", o.nodes,
                  "Serving: node counts of the deployment (default: 1,2,4)");
  cmd.add_option("--max-batch", o.max_batch,
                  "Serving: scheduler max batch per attention DP rank, of the decode pool when "
                  "disaggregated (default: 64,128,256)");
  cmd.add_option("--disaggregate", o.disaggregate,
                  "Serving: no (colocated prefill and decode), yes (a prefill pool and a decode "
                  "pool, the KV cache sent between them) or no,yes (default: no,yes)");
  cmd.add_option("--prefill-nodes", o.prefill_nodes,
                  "Serving, disaggregated: node counts of the prefill pool (default: 1)");
  cmd.add_option("--decode-nodes", o.decode_nodes,
                  "Serving, disaggregated: node counts of the decode pool (default: 1,2)");
  cmd.add_option("--prefill-tp", o.prefill_tp,
                  "Serving, disaggregated: TP of the prefill pool (default: the largest --tp "
                  "value)");
  cmd.add_option("--decode-tp", o.decode_tp,
                  "Serving, disaggregated: TP of the decode pool (default: the two largest "
                  "--tp values)");
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto o = std::make_shared<PlanOptions>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "Search the training plans of a scenario for the cheapest (or fastest) one: every "
      "combination of TP, PP, virtual stages, EP, micro-batch size, pipeline schedule, "
      "recomputation, ZeRO stage and precision on each GPU type and count, pruned by plan "
      "validity, memory and a compute-only lower bound, the rest simulated as `llmsim run` "
      "does. Prints the best plan with its breakdown, the runners-up and why each loses, the "
      "Pareto front of days against dollars, and the counts. On a serving scenario: the "
      "deployments (GPU type, TP, DP, EP for MoE, nodes, max batch; colocated, or "
      "disaggregated into a prefill and a decode pool with their own nodes and TP) that serve "
      "the scenario's traffic within its TTFT and TPOT targets, cheapest per million output "
      "tokens of that traffic on all their GPUs (or fewest nodes), each simulated as `llmsim "
      "serve` does (the KV transfer between pools included).");
  add_scenario_options(*cmd, o->scenario, o->overrides, "Scenario YAML file (training or serving)",
                       "Override a scenario field first: path.to.key=value");
  cmd->add_option("--tokens", o->tokens,
                  "Tokens to train (the first phase alone, with this many); default: the "
                  "scenario's phases");
  cmd->add_option("--deadline-days", o->deadline_days,
                  "Only plans that finish within this many days");
  cmd->add_option("--budget", o->budget_usd, "Only plans that cost at most this many dollars");
  cmd->add_option("--gpus", o->gpus,
                  "GPU counts: MIN:MAX (the powers of two in the range that fill whole nodes) or "
                  "a list 1024,2048; default: the scenario's count");
  cmd->add_option("--gpu-types", o->gpu_types,
                  "GPU types, e.g. H800,H100: the scenario's cluster when it runs that GPU, "
                  "otherwise the catalog's cluster file for it (scenarios/clusters/), resized by "
                  "node count; default: the scenario's GPU");
  cmd->add_option("--price", o->prices,
                  "Dollars per GPU-hour of a type, GPU=USD (repeatable); default: the scenario's "
                  "cost.usd_per_gpu_hour for every type");
  cmd->add_option("--objective", o->objective,
                  "cost (dollars), time (days) or pareto (rank by dollars; the bound prunes by "
                  "deadline and budget only); serving: cost ($/M output tokens) or nodes")
      ->default_str("cost");
  cmd->add_option("--top", o->top, "Runners-up to show (and the bound keeps)")->default_str("5");
  cmd->add_option("--db", o->db,
                  "SQLite results store (training and serving): one row per candidate, "
                  "committed a batch at a time; re-running with the same file resumes a "
                  "stopped search (Ctrl-C keeps what is done) and evaluates nothing twice");
  cmd->add_option("--csv", o->csv, "Write every candidate (evaluated or pruned, and why) to FILE");
  cmd->add_flag("--json", o->json, "Print JSON instead of text");
  cmd->add_option("--threads", o->threads,
                  "Threads that evaluate candidates (results do not "
                  "depend on it)")
      ->default_str("1");
  cmd->add_option("--tp", o->tp, "TP values (default: powers of two up to a node)");
  cmd->add_option("--pp", o->pp, "PP values (default: powers of two up to 64 and the layers)");
  cmd->add_option("--vpp", o->vpp, "Virtual stages of the interleaved schedule (default: 2,4)");
  cmd->add_option("--ep", o->ep,
                  "EP values, MoE models (default: powers of two up to the experts)");
  cmd->add_option("--micro-batch", o->micro_batch, "Micro-batch sizes in sequences (default: 1,2)");
  cmd->add_option("--zero", o->zero, "ZeRO stages (default: 0,1; see README for 2 and 3)");
  cmd->add_option("--schedules", o->schedules,
                  "Pipeline schedules (default: all: " + schedule_method_list() + ")");
  cmd->add_option("--recompute", o->recompute, "Recompute modes (default: none,selective,full)");
  cmd->add_option("--precision", o->precisions, "Precision recipes (default: fp8,bf16)");
  add_serving_options(*cmd, *o);
  cmd->add_option("--stop-after", o->stop_after)->group("");  // tests: stop as Ctrl-C would
  cmd->add_option("--fail-rank", o->fail_rank)->group("");    // tests: an error on one rank
  cmd->add_option("--batch", o->batch)->group("");            // candidates per committed batch
  cmd->footer(
      "Space by default: TP 1..GPUs per node, PP 1..64, EP 1..experts (powers of two), VPP 2,4, "
      "micro-batch 1,2, ZeRO 0,1, every schedule, recompute none/selective/full, FP8 and BF16.\n"
      "Serving space by default: colocated (TP 1..GPUs per node, nodes 1,2,4, max batch "
      "64,128,256) and disaggregated (prefill 1 node at the largest TP, decode 1 or 2 nodes at "
      "the two largest TP values, the same max batches); EP every GPU of each pool (MoE).\n"
      "Example: llmsim plan scenarios/deepseek-v3-pretrain.yaml --gpus 1024:4096 "
      "--gpu-types H800,H100 --deadline-days 90 --threads 2 --db plan.db\n"
      "Example: llmsim plan scenarios/llama-3.1-70b-serving.yaml --threads 2 --db serve.db");
  cmd->callback([o] { run_plan(*o); });
}

}  // namespace llmsim::cli
