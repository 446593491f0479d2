// llmsim plan's request: its options as text, built into the fleet, the space and the search
// options; kept in the results store as JSON so another front end can reopen the search.

#include "costmodel/plan/plan_request.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "costmodel/describe/hardware.hpp"
#include "costmodel/describe/precision.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/read/cluster_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "costmodel/version.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::plan {

namespace fs = std::filesystem;

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

int parse_int(const std::string& option, const std::string& text, int min) {
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

std::vector<int> parse_ints(const std::string& option, const std::string& text, int min) {
  std::vector<int> out;
  for (const std::string& item : split(text, ',')) out.push_back(parse_int(option, item, min));
  if (out.empty()) throw UserError(fmt::format("{}: an empty list", option));
  return out;
}

namespace {

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
                 RecomputePolicy::kSelectiveOp, RecomputePolicy::kFull}) {
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

}  // namespace

PlanSpace build_space(const PlanRequest& o, const Scenario& s) {
  PlanSpace sp = default_space(s.model, s.cluster.domain_gpus());
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
                                                "none, attention, selective, selective_op, full");
  }
  if (!o.precisions.empty()) {
    sp.precisions =
        parse_names<RecipeKind>("--precision", o.precisions, parse_precision, "fp8, bf16, fp16");
  }
  return sp;
}


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

}  // namespace

Fleet build_fleet(const PlanRequest& o, const Scenario& base, const std::string& data_dir) {
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

namespace {

}  // namespace

// FNV-1a, 64 bits: a stable digest of the scenario file for the store's fingerprint.
std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string scenario_fingerprint(const PlanRequest& o) {
  std::ifstream in(o.scenario, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string sets, prices;
  for (const auto& s : o.overrides) sets += (sets.empty() ? "" : ";") + s;
  for (const auto& p : o.prices) prices += (prices.empty() ? "" : ";") + p;
  return fmt::format("scenario fnv1a {:016x}; --set [{}]; --gpu-types '{}' --price [{}]",
                     fnv1a(text), sets, o.gpu_types, prices);
}

std::string request_fingerprint(const PlanRequest& o) {
  return fmt::format(
      "llmsim {} search {}; {}; --tokens {:g} --deadline-days {:g} --budget {:g} --gpus '{}' "
      "--objective {} --top {} batch {}; space: tp '{}' pp '{}' vpp '{}' ep '{}' micro-batch "
      "'{}' zero '{}' schedules '{}' recompute '{}' precision '{}'",
      version(), kSearchVersion, scenario_fingerprint(o), o.tokens, o.deadline_days,
      o.budget_usd, o.gpus, o.objective, o.top, o.batch, o.tp, o.pp, o.vpp, o.ep,
      o.micro_batch, o.zero, o.schedules, o.recompute, o.precisions);
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

Scenario request_scenario(const PlanRequest& r, const std::string& data_dir) {
  Scenario s = load_scenario(r.scenario, r.overrides, data_dir);
  set_tokens(s, r.tokens);
  return s;
}

SearchOptions request_search_options(const PlanRequest& o) {
  SearchOptions so;
  if (o.objective == "cost")
    so.objective = Objective::kCost;
  else if (o.objective == "time")
    so.objective = Objective::kTime;
  else if (o.objective == "pareto")
    so.objective = Objective::kPareto;
  else
    throw UserError(
        fmt::format("--objective {}: allowed: cost, time, pareto", quote_value(o.objective)));
  so.limits.deadline_days = o.deadline_days;
  so.limits.budget_usd = o.budget_usd;
  so.top = o.top;
  so.batch = std::max<std::size_t>(1, o.batch);
  return so;
}

std::string request_json(const PlanRequest& r) {
  const nlohmann::json j = {
      {"scenario", r.scenario},   {"overrides", r.overrides},   {"tokens", r.tokens},
      {"deadline_days", r.deadline_days}, {"budget_usd", r.budget_usd}, {"gpus", r.gpus},
      {"gpu_types", r.gpu_types}, {"prices", r.prices},         {"objective", r.objective},
      {"top", r.top},             {"tp", r.tp},                 {"pp", r.pp},
      {"vpp", r.vpp},             {"ep", r.ep},                 {"micro_batch", r.micro_batch},
      {"zero", r.zero},           {"schedules", r.schedules},   {"recompute", r.recompute},
      {"precisions", r.precisions}, {"batch", r.batch}};
  return j.dump();
}

PlanRequest request_from_json(const std::string& text, const std::string& where) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    PlanRequest r;
    j.at("scenario").get_to(r.scenario);
    j.at("overrides").get_to(r.overrides);
    j.at("tokens").get_to(r.tokens);
    j.at("deadline_days").get_to(r.deadline_days);
    j.at("budget_usd").get_to(r.budget_usd);
    j.at("gpus").get_to(r.gpus);
    j.at("gpu_types").get_to(r.gpu_types);
    j.at("prices").get_to(r.prices);
    j.at("objective").get_to(r.objective);
    j.at("top").get_to(r.top);
    for (auto [key, field] : {std::pair{"tp", &r.tp}, {"pp", &r.pp}, {"vpp", &r.vpp},
                              {"ep", &r.ep}, {"micro_batch", &r.micro_batch}, {"zero", &r.zero},
                              {"schedules", &r.schedules}, {"recompute", &r.recompute},
                              {"precisions", &r.precisions}}) {
      j.at(key).get_to(*field);
    }
    j.at("batch").get_to(r.batch);
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw UserError(fmt::format("{}: not an llmsim plan request ({})", where, e.what()));
  }
}

}  // namespace llmsim::plan
