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
#include "costmodel/describe/hardware.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
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

struct PlanOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  double tokens = 0.0;
  double deadline_days = 0.0;
  double budget_usd = 0.0;
  std::string gpus;
  std::string gpu_types;
  std::vector<std::string> prices;
  std::string objective = "cost";
  int top = 5;
  std::string db;
  std::string csv;
  bool json = false;
  int threads = 1;
  std::string tp, pp, vpp, ep, micro_batch, zero, schedules, recompute, precisions;
  std::string nodes, max_batch;  // serving
  std::size_t stop_after = 0;
  std::size_t batch = plan::kDefaultBatch;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  if (!text.empty() && text.back() == sep) out.emplace_back();
  return out;
}

int parse_int(const std::string& option, const std::string& text, int min = 1) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || v < min) {
    throw UserError(fmt::format("{} {}: expected whole numbers of at least {}", option,
                                quote_value(text), min));
  }
  return v;
}

std::vector<int> parse_ints(const std::string& option, const std::string& text, int min = 1) {
  std::vector<int> out;
  for (const std::string& item : split(text, ',')) out.push_back(parse_int(option, item, min));
  if (out.empty()) throw UserError(fmt::format("{}: an empty list", option));
  return out;
}

// "MIN:MAX": the powers of two in the range that fill whole nodes; or a list "1024,2048".
std::vector<int> parse_gpu_counts(const std::string& text, int per_node) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) return parse_ints("--gpus", text);
  const int lo = parse_int("--gpus", text.substr(0, colon));
  const int hi = parse_int("--gpus", text.substr(colon + 1));
  std::vector<int> out;
  for (std::int64_t g = 1; g <= hi; g *= 2) {
    if (g >= lo && g % per_node == 0) out.push_back(static_cast<int>(g));
  }
  if (lo > hi || out.empty()) {
    throw UserError(
        fmt::format("--gpus {}: no power of two from {} to {} fills whole nodes of {} "
                    "GPUs; give MIN:MAX with MIN <= MAX, or a list",
                    quote_value(text), lo, hi, per_node));
  }
  return out;
}

template <typename T, typename Parse>
std::vector<T> parse_names(const std::string& option, const std::string& text, Parse parse,
                           const std::string& allowed) {
  std::vector<T> out;
  for (const std::string& item : split(text, ',')) {
    const auto v = parse(item);
    if (!v) {
      throw UserError(fmt::format("{} {}: allowed: {}", option, quote_value(item), allowed));
    }
    out.push_back(*v);
  }
  return out;
}

std::optional<RecomputePolicy> parse_recompute(const std::string& name) {
  for (auto p : {RecomputePolicy::kNone, RecomputePolicy::kAttention, RecomputePolicy::kSelective,
                 RecomputePolicy::kFull}) {
    if (recompute_policy_name(p) == name) return p;
  }
  return std::nullopt;
}

std::optional<RecipeKind> parse_precision(const std::string& name) {
  for (auto k : {RecipeKind::kFP8DeepSeek, RecipeKind::kBF16, RecipeKind::kFP16}) {
    if (make_recipe(k).name() == name) return k;
  }
  return std::nullopt;
}

plan::PlanSpace build_space(const PlanOptions& o, const Scenario& s) {
  plan::PlanSpace sp = plan::default_space(s.model, s.cluster.domain_gpus());
  if (!o.tp.empty()) sp.tp = parse_ints("--tp", o.tp);
  if (!o.pp.empty()) sp.pp = parse_ints("--pp", o.pp);
  if (!o.vpp.empty()) sp.vpp = parse_ints("--vpp", o.vpp);
  if (!o.ep.empty()) sp.ep = parse_ints("--ep", o.ep);
  if (!o.micro_batch.empty()) sp.micro_batch_sizes = parse_ints("--micro-batch", o.micro_batch);
  if (!o.zero.empty()) {
    sp.zero_stages = parse_ints("--zero", o.zero, 0);
    for (int z : sp.zero_stages) {
      if (z > 3) throw UserError(fmt::format("--zero {}: ZeRO stages are 0 to 3", z));
    }
  }
  if (!o.schedules.empty()) {
    sp.schedules = parse_names<ScheduleMethod>(
        "--schedules", o.schedules, [](const std::string& n) { return parse_schedule_method(n); },
        schedule_method_list());
  }
  if (!o.recompute.empty()) {
    sp.recompute = parse_names<RecomputePolicy>("--recompute", o.recompute, parse_recompute,
                                                "none, attention, selective, full");
  }
  if (!o.precisions.empty()) {
    sp.precisions =
        parse_names<RecipeKind>("--precision", o.precisions, parse_precision, "fp8, bf16, fp16");
  }
  return sp;
}

}  // namespace

namespace {

// The cluster to resize for `gpu`: the scenario's own when it runs that GPU, otherwise the
// catalog file (scenarios/clusters/) with that GPU and the most nodes (a fabric built for many).
ClusterSpec cluster_for(const Scenario& s, const std::string& gpu, const std::string& data_dir) {
  if (lower(s.gpu.name) == lower(gpu)) return s.cluster;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(data_dir) / "clusters", ec)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::optional<ClusterSpec> best;
  for (const fs::path& f : files) {
    const ClusterSpec c = load_cluster_file(f.string());
    if (lower(c.gpu) == lower(gpu) && (!best || c.nodes > best->nodes)) best = c;
  }
  if (!best) {
    throw UserError(fmt::format("--gpu-types {}: no cluster file under {}/clusters runs that GPU",
                                quote_value(gpu), data_dir));
  }
  return *best;
}

// `base` on `gpus` GPUs of `cluster`'s type: whole nodes; a single-node catalog box scaled out
// becomes a rail-optimized fabric; the GPU's own published kernel profile.
Scenario resized(const Scenario& base, ClusterSpec cluster, int gpus, double usd_per_gpu_hour,
                 const std::string& data_dir) {
  if (gpus % cluster.domain_gpus() != 0) {
    throw UserError(fmt::format("--gpus {}: not a whole number of {}-GPU {} of {}", gpus,
                                cluster.domain_gpus(),
                                cluster.nvlink_domain_gpus > 0 ? "NVLink domains" : "nodes",
                                cluster.gpu));
  }
  Scenario s = base;
  const bool other_gpu = lower(cluster.gpu) != lower(base.gpu.name);
  cluster.nodes = gpus / cluster.gpus_per_node;
  if (cluster.topology == TopologyKind::kSingleNode && cluster.nodes > 1) {
    cluster.topology = TopologyKind::kRailOptimized;
  }
  s.cluster = cluster;
  s.usd_per_gpu_hour = usd_per_gpu_hour;
  if (!other_gpu) return s;
  s.gpu = *find_gpu(cluster.gpu);
  const fs::path profile =
      fs::path(data_dir) / "calibration" / (lower(cluster.gpu) + "-published.yaml");
  if (!fs::exists(profile)) {
    throw UserError(fmt::format("--gpu-types {}: no published kernel profile ({})", cluster.gpu,
                                profile.string()));
  }
  s.calibration_file = profile.string();
  return s;
}

std::map<std::string, double> parse_prices(const std::vector<std::string>& prices) {
  std::map<std::string, double> out;
  for (const std::string& p : prices) {
    const auto eq = p.find('=');
    double v = -1.0;
    try {
      if (eq != std::string::npos) v = std::stod(p.substr(eq + 1));
    } catch (const std::exception&) {
      v = -1.0;
    }
    if (eq == std::string::npos || eq == 0 || !(v >= 0.0)) {
      throw UserError(fmt::format("--price {}: expected GPU=dollars per GPU-hour, e.g. H100=2.5",
                                  quote_value(p)));
    }
    out[lower(p.substr(0, eq))] = v;
  }
  return out;
}

struct Fleet {
  std::vector<Hardware> hardware;
  std::vector<calibration::Profile> profiles;
};

Fleet build_fleet(const PlanOptions& o, const Scenario& base, const std::string& data_dir) {
  Fleet f;
  const auto prices = parse_prices(o.prices);
  const std::vector<std::string> types =
      o.gpu_types.empty() ? std::vector<std::string>{base.gpu.name} : split(o.gpu_types, ',');
  for (const std::string& type : types) {
    if (!find_gpu(type)) {
      throw UserError(fmt::format("--gpu-types {}: not a GPU of the catalog", quote_value(type)));
    }
    const ClusterSpec cluster = cluster_for(base, type, data_dir);
    const std::vector<int> counts = o.gpus.empty()
                                        ? std::vector<int>{base.cluster.gpus()}
                                        : parse_gpu_counts(o.gpus, cluster.domain_gpus());
    const auto price = prices.find(lower(type));
    const double usd = price == prices.end() ? base.usd_per_gpu_hour : price->second;
    std::optional<calibration::Profile> profile;
    for (int gpus : counts) {
      Hardware h{cluster.gpu, gpus, resized(base, cluster, gpus, usd, data_dir)};
      if (!profile) profile = scenario_profile(h.scenario);
      f.profiles.push_back(*profile);
      f.hardware.push_back(std::move(h));
    }
  }
  return f;
}

// --tokens: the first phase alone, with that many tokens.
void set_tokens(Scenario& s, double tokens) {
  if (tokens <= 0) return;
  s.phases.resize(1);
  TrainingPhase& ph = s.phases.front();
  ph.tokens = tokens;
  ph.steps = 0;
  if (ph.ramp && ph.ramp->over_tokens > tokens) ph.ramp->over_tokens = tokens;
}

// FNV-1a, 64 bits: a stable digest of the scenario file for the store's fingerprint.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string fingerprint(const PlanOptions& o) {
  std::ifstream in(o.scenario, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string sets, prices;
  for (const auto& s : o.overrides) sets += (sets.empty() ? "" : ";") + s;
  for (const auto& p : o.prices) prices += (prices.empty() ? "" : ";") + p;
  return fmt::format(
      "llmsim {} search {}; scenario {} (fnv1a {:016x}); --set [{}]; --tokens {:g} "
      "--deadline-days {:g} --budget {:g} --gpus '{}' --gpu-types '{}' --price [{}] --objective "
      "{} --top {} batch {}; space: tp '{}' pp '{}' vpp '{}' ep '{}' micro-batch '{}' zero '{}' "
      "schedules '{}' recompute '{}' precision '{}'",
      version(), plan::kSearchVersion, o.scenario, fnv1a(text), sets, o.tokens, o.deadline_days,
      o.budget_usd, o.gpus, o.gpu_types, prices, o.objective, o.top, o.batch, o.tp, o.pp, o.vpp,
      o.ep, o.micro_batch, o.zero, o.schedules, o.recompute, o.precisions);
}

}  // namespace

namespace {

plan::SearchOptions search_options(const PlanOptions& o) {
  plan::SearchOptions so;
  if (o.objective == "cost")
    so.objective = plan::Objective::kCost;
  else if (o.objective == "time")
    so.objective = plan::Objective::kTime;
  else if (o.objective == "pareto")
    so.objective = plan::Objective::kPareto;
  else
    throw UserError(
        fmt::format("--objective {}: allowed: cost, time, pareto", quote_value(o.objective)));
  so.limits.deadline_days = o.deadline_days;
  so.limits.budget_usd = o.budget_usd;
  so.top = o.top;
  so.threads = o.threads;
  so.batch = std::max<std::size_t>(1, o.batch);
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
      store = std::make_unique<plan::ResultStore>(o.db, fingerprint(o));
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
      {"--precision", !o.precisions.empty()}, {"--db", !o.db.empty()}};
  const std::vector<std::pair<const char*, bool>> serving_only = {
      {"--nodes", !o.nodes.empty()}, {"--max-batch", !o.max_batch.empty()}};
  for (const auto& [name, given] : serving ? training_only : serving_only) {
    if (given) {
      throw UserError(fmt::format("{}: only for {} scenarios ({} is a {} scenario)", name,
                                  serving ? "training" : "serving", o.scenario,
                                  serving ? "serving" : "training"));
    }
  }
}

plan::ServingSpace build_serving_space(const PlanOptions& o, const Scenario& s) {
  plan::ServingSpace sp = plan::default_serving_space(s);
  if (!o.tp.empty()) sp.tp = parse_ints("--tp", o.tp);
  for (int tp : sp.tp) {
    if (tp > s.cluster.gpus_per_node || s.cluster.gpus_per_node % tp != 0) {
      throw UserError(fmt::format("--tp {}: TP stays within a node of {} GPUs (a divisor of it)",
                                  tp, s.cluster.gpus_per_node));
    }
  }
  if (!o.ep.empty()) sp.ep = parse_ints("--ep", o.ep, 0);
  if (!o.nodes.empty()) sp.nodes = parse_ints("--nodes", o.nodes);
  if (!o.max_batch.empty()) sp.max_batch = parse_ints("--max-batch", o.max_batch);
  return sp;
}

void run_serving_plan(const PlanOptions& o, const Scenario& base, const std::string& data_dir) {
  check_kind_options(o, true);
  if (o.objective != "cost" && o.objective != "nodes") {
    throw UserError(fmt::format("--objective {}: allowed for a serving scenario: cost, nodes",
                                quote_value(o.objective)));
  }
  if (o.top < 1 || o.threads < 1) throw UserError("--top and --threads: at least 1");
  if (!o.csv.empty()) check_writable(o.csv);
  const Fleet fleet = build_fleet(o, base, data_dir);
  const plan::ServingSpace space = build_serving_space(o, base);
  const std::vector<plan::ServingCandidate> candidates =
      plan::generate_serving_candidates(space, fleet.hardware);
  InterruptGuard guard;
  std::vector<plan::ServingOutcome> outcomes;
  const double start = now_s();
  {
    Progress progress("plan", "Ctrl-C stops");
    plan::ServingSearchOptions so;
    so.by_nodes = o.objective == "nodes";
    so.threads = o.threads;
    so.stop = [&guard] { return guard.interrupted(); };
    so.progress = [&progress, n = candidates.size()](std::size_t done) { progress.update(done, n); };
    outcomes = plan::run_serving_search(fleet.hardware, fleet.profiles, candidates, so);
  }
  const double seconds = now_s() - start;
  fmt::print(stderr, "plan: {} of {} candidates done in {:.1f} s ({} threads)\n", outcomes.size(),
             candidates.size(), seconds, o.threads);
  if (outcomes.size() < candidates.size()) {
    throw Interrupted{fmt::format("plan: interrupted after {} of {} candidates; nothing kept "
                                  "(a serving search has no --db)",
                                  outcomes.size(), candidates.size())};
  }
  const ServingPlanReport report{o.scenario, &base, &fleet.hardware, &candidates, &outcomes,
                                 o.objective == "nodes", o.top, space, seconds};
  if (!o.csv.empty()) write_serving_plan_csv(report, o.csv);
  if (o.json)
    print_serving_plan_json(report);
  else
    print_serving_plan_text(report);
}

void run_plan(const PlanOptions& o) {
  const MpiSession mpi;  // first: ranks other than 0 print nothing
  const std::string data_dir = default_data_dir();
  Scenario base = load_scenario(o.scenario, o.overrides, data_dir);
  if (base.workload == WorkloadKind::kServing) return run_serving_plan(o, base, data_dir);
  check_kind_options(o, false);
  require_training(base, "llmsim plan");
  set_tokens(base, o.tokens);
  const plan::SearchOptions options = search_options(o);
  if (o.top < 1 || o.threads < 1) throw UserError("--top and --threads: at least 1");
  if (!o.csv.empty()) check_writable(o.csv);
  const Fleet fleet = build_fleet(o, base, data_dir);
  const plan::PlanSpace space = build_space(o, base);
  const std::vector<plan::Candidate> candidates = plan::generate_candidates(space, fleet.hardware);
  const std::unique_ptr<plan::ResultStore> store = open_store(o, mpi);

  InterruptGuard guard;
  Progress progress("plan", "Ctrl-C stops and keeps what is done");
  const double start = now_s();
  const plan::SearchResult result = plan::run_search(
      fleet.hardware, fleet.profiles, candidates, options, store.get(),
      {[&guard] { return guard.interrupted(); },
       [&progress, n = candidates.size()](std::size_t done, std::size_t) {
         progress.update(done, n);
       },
       mpi.ranks()});
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
      "deployments (GPU type, TP, DP, EP for MoE, nodes, max batch; colocated) that serve the "
      "scenario's traffic within its TTFT and TPOT targets, cheapest per million output "
      "tokens at capacity (or fewest nodes), each simulated as `llmsim serve` does.");
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
                  "SQLite results store: one row per candidate; re-running with the same file "
                  "resumes a stopped search");
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
  cmd->add_option("--nodes", o->nodes,
                  "Serving: node counts of the deployment (default: 1,2,4)");
  cmd->add_option("--max-batch", o->max_batch,
                  "Serving: scheduler max batch per attention DP rank (default: 64,128,256)");
  cmd->add_option("--stop-after", o->stop_after)->group("");  // tests: stop as Ctrl-C would
  cmd->add_option("--batch", o->batch)->group("");            // candidates per committed batch
  cmd->footer(
      "Space by default: TP 1..GPUs per node, PP 1..64, EP 1..experts (powers of two), VPP 2,4, "
      "micro-batch 1,2, ZeRO 0,1, every schedule, recompute none/selective/full, FP8 and BF16.\n"
      "Example: llmsim plan scenarios/deepseek-v3-pretrain.yaml --gpus 1024:4096 "
      "--gpu-types H800,H100 --deadline-days 90 --threads 2 --db plan.db");
  cmd->callback([o] { run_plan(*o); });
}

}  // namespace llmsim::cli
