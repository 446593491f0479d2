#include "costmodel/read/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include <fmt/format.h>

#include "costmodel/describe/plan_check.hpp"
#include "costmodel/read/cluster_file.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/reference_reader.hpp"
#include "costmodel/read/serving_reader.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kMaxSeqLen = 1LL << 24;        // 16M tokens per sequence
constexpr std::int64_t kMaxBatch = 1LL << 24;         // sequences per step
constexpr double kMaxTokens = 1e16;                   // 10 quadrillion tokens

void tag_tree(YAML::Node n) {
  n.SetTag(kOverrideTag);
  if (n.IsMap()) {
    for (auto kv : n) tag_tree(kv.second);
  } else if (n.IsSequence()) {
    for (auto e : n) tag_tree(e);
  }
}

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Reads the plan keys present in `pm` over `base`; dp is derived when not given.
// parallelism.layers_per_stage: a list of layer counts, one per pipeline stage (checked against
// the model and the schedule by check_plan).
void read_layers_per_stage(YamlMap& m, ParallelPlan& p) {
  if (!m.has("layers_per_stage")) {
    m.accept("layers_per_stage");
    return;
  }
  p.layers_per_stage.clear();
  for (const YAML::Node& n : m.sequence("layers_per_stage")) {
    int v = -1;
    if (!n.IsScalar() || !YAML::convert<int>::decode(n, v) || v < 0 || v > 100000) {
      m.fail("layers_per_stage", "expected a list of layer counts, each 0 to 100000");
    }
    p.layers_per_stage.push_back(v);
  }
}

ParallelPlan read_plan(YamlMap* pm, const ParallelPlan& base, int gpus) {
  ParallelPlan p = base;
  if (pm == nullptr) {
    const std::int64_t rest = std::int64_t{p.tp} * p.cp * p.pp;
    p.dp = gpus % rest == 0 ? static_cast<int>(gpus / rest) : 1;
    return p;
  }
  YamlMap& m = *pm;
  p.tp = static_cast<int>(m.integer_or("tp", p.tp, 1, 1024));
  p.sp = m.boolean_or("sp", p.sp);
  p.cp = static_cast<int>(m.integer_or("cp", p.cp, 1, 1024));
  p.pp = static_cast<int>(m.integer_or("pp", p.pp, 1, 4096));
  p.vpp = static_cast<int>(m.integer_or("vpp", p.vpp, 1, 64));
  p.ep = static_cast<int>(m.integer_or("ep", p.ep, 1, 1 << 16));
  p.zero_stage = static_cast<int>(m.integer_or("zero", p.zero_stage, 0, 3));
  p.micro_batch_size = static_cast<int>(m.integer_or("micro_batch_size", p.micro_batch_size, 1, 1 << 16));
  if (m.has("schedule")) {
    const std::string name = m.string("schedule");
    const auto method = parse_schedule_method(name);
    if (!method) {
      const std::string hint = did_you_mean(name, {"gpipe", "1f1b", "interleaved", "zb1p", "zb2p",
                                                   "zbv", "dualpipe", "dualpipev"});
      m.fail("schedule", fmt::format("{}allowed: {}", hint.empty() ? "" : "did you mean '" + hint + "'? ",
                                     schedule_method_list()));
    }
    p.schedule = *method;
  } else {
    m.accept("schedule");
  }
  // In 64 bits: tp, cp and pp within their ranges multiply past 2^31 (1024 x 1024 x 4096).
  const std::int64_t rest = std::int64_t{p.tp} * p.cp * p.pp;
  if (m.has("dp")) {
    p.dp = static_cast<int>(m.integer("dp", 1, 1 << 20));
  } else {
    m.accept("dp");
    if (gpus % rest != 0) {
      m.fail("dp", fmt::format("missing, and tp x cp x pp = {} does not divide the cluster's {} GPUs",
                               rest, gpus));
    }
    p.dp = static_cast<int>(gpus / rest);
  }
  read_layers_per_stage(m, p);
  m.finish({"tp", "sp", "cp", "pp", "vpp", "dp", "ep", "zero", "micro_batch_size", "schedule",
            "layers_per_stage"});
  return p;
}

// Checks the plan against the cluster and the model (check_plan); errors name a key of `m`.
void validate_plan(const ParallelPlan& p, const YamlMap& m, int gpus, const ModelSpec& model) {
  if (auto e = check_plan(p, gpus, model)) m.fail(e->field, e->message);
}

struct PhaseDefaults {
  std::int64_t seq_len = 0;  // 0: none
  std::int64_t global_batch = 0;
  std::optional<BatchRamp> ramp;
};

std::optional<BatchRamp> read_ramp(YamlMap& m) {
  auto rm = m.map_if_present("batch_ramp");
  if (!rm) return std::nullopt;
  BatchRamp r;
  r.from_sequences = rm->integer("from", 1, kMaxBatch);
  r.to_sequences = rm->integer("to", 1, kMaxBatch);
  r.over_tokens = rm->number("tokens", 1.0, kMaxTokens);
  rm->finish({"from", "to", "tokens"});
  if (r.from_sequences > r.to_sequences) rm->fail("from", fmt::format("must not exceed to = {}", r.to_sequences));
  return r;
}

TrainingPhase read_phase(YamlMap& m, const PhaseDefaults& d, const ParallelPlan& base_plan,
                         int gpus, const ModelSpec& model,
                         const std::string& default_name, bool with_parallelism) {
  TrainingPhase ph;
  ph.name = m.string_or("name", default_name);
  const bool has_tokens = m.has("tokens"), has_steps = m.has("steps");
  if (has_tokens && has_steps) m.fail("steps", "give tokens or steps, not both");
  if (!has_tokens && !has_steps) m.fail("tokens", "missing; give tokens or steps");
  if (has_tokens) ph.tokens = m.number("tokens", 1.0, kMaxTokens); else m.accept("tokens");
  if (has_steps) ph.steps = m.integer("steps", 1, 1'000'000'000); else m.accept("steps");
  if (d.seq_len > 0) ph.seq_len = m.integer_or("seq_len", d.seq_len, 1, kMaxSeqLen);
  else ph.seq_len = m.integer("seq_len", 1, kMaxSeqLen);
  ph.ramp = read_ramp(m);
  if (m.has("global_batch")) {
    if (ph.ramp) m.fail("global_batch", "give global_batch or batch_ramp, not both");
    ph.global_batch = m.integer("global_batch", 1, kMaxBatch);
  } else {
    m.accept("global_batch");
    if (!ph.ramp && !(m.path() != "training" && (d.ramp || d.global_batch > 0))) {
      m.fail("global_batch", "missing; give global_batch (sequences per step) or batch_ramp");
    }
    if (!ph.ramp && d.ramp) ph.ramp = d.ramp;
    if (!ph.ramp) ph.global_batch = d.global_batch;
  }
  if (ph.ramp) {
    ph.global_batch = ph.ramp->to_sequences;
    if (has_steps) m.fail("steps", "a batch ramp is given in tokens: use tokens");
    if (ph.ramp->over_tokens > ph.tokens) {
      m.fail("batch_ramp", fmt::format("ramps over {:g} tokens, more than the phase's {:g}",
                                       ph.ramp->over_tokens, ph.tokens));
    }
  }
  std::optional<YamlMap> pm;
  if (with_parallelism) pm = m.map_if_present("parallelism");
  ph.plan = pm ? read_plan(&*pm, base_plan, gpus) : base_plan;
  if (pm) validate_plan(ph.plan, *pm, gpus, model);
  if (auto e = check_phase(ph)) m.fail(e->field, e->message);
  if (has_steps) {
    ph.tokens = static_cast<double>(ph.steps) * ph.global_batch * ph.seq_len;
  } else if (ph.tokens < static_cast<double>(ph.seq_len) * ph.global_batch && !ph.ramp) {
    m.fail("tokens", fmt::format("fewer than one step of {} x {} tokens", ph.global_batch, ph.seq_len));
  }
  return ph;
}

}  // namespace

void apply_override(YAML::Node& root, const std::string& assignment) {
  const std::size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw UserError(fmt::format("--set '{}': expected path.to.key=value", quote_value(assignment)));
  }
  const std::string path = assignment.substr(0, eq);
  YAML::Node value = load_yaml_string(assignment.substr(eq + 1), "--set " + quote_value(path));
  tag_tree(value);
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    keys.push_back(path.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& k : keys) {
    if (k.empty()) {
      throw UserError(fmt::format("--set {}: empty key in the path", quote_value(path)));
    }
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    throw UserError(fmt::format("--set {}: the scenario is not a mapping", quote_value(path)));
  }
  YAML::Node node = root;  // YAML::Node is a reference type: edits reach the tree
  std::string sofar;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& k = keys[i];
    const bool last = i + 1 == keys.size();
    sofar += (sofar.empty() ? "" : ".") + k;
    if (node.IsSequence()) {
      if (!is_index(k) || std::stoul(k) >= node.size()) {
        throw UserError(fmt::format("--set {}: {} is a list of {}; use an index from 0 to {}",
                                    quote_value(path),
                                    quote_value(sofar.substr(0, sofar.size() - k.size() - 1)),
                                    node.size(), node.size() == 0 ? 0 : node.size() - 1));
      }
      const std::size_t idx = std::stoul(k);
      if (last) {
        node[idx] = value;
        return;
      }
      YAML::Node next = node[idx];
      node.reset(next);
      continue;
    }
    if (!node.IsMap()) {
      throw UserError(fmt::format("--set {}: {} is not a mapping", quote_value(path),
                                  quote_value(sofar.substr(0, sofar.size() - k.size() - 1))));
    }
    if (last) {
      node[k] = value;
      return;
    }
    if (!node[k] || node[k].IsNull()) {
      YAML::Node fresh(YAML::NodeType::Map);
      fresh.SetTag(kOverrideTag);
      node[k] = fresh;
    }
    YAML::Node next = node[k];
    node.reset(next);
  }
}

namespace {

struct ReadContext {
  std::string file;
  std::string base_dir;  // the scenario file's folder
  std::string data_dir;  // models/ and clusters/
};

std::vector<GpuSpec> read_hardware(YamlMap& m) {
  std::vector<GpuSpec> custom;
  if (!m.has("hardware")) {
    m.accept("hardware");
    return custom;
  }
  const auto list = m.sequence("hardware");
  for (std::size_t i = 0; i < list.size(); ++i) {
    YamlMap g(list[i], m.file(), fmt::format("hardware.{}", i));
    custom.push_back(read_gpu(g));
  }
  return custom;
}

ModelSpec read_model_field(YamlMap& m, const ReadContext& ctx) {
  if (!m.has("model")) m.fail("model", "missing; give a catalog name, a model file or a mapping");
  if (m.node()["model"].IsMap()) {
    YamlMap mm = m.map("model");
    return read_model(mm, ctx.base_dir);
  }
  const std::string name = m.string("model");
  try {
    return load_model(name, ctx.data_dir, ctx.base_dir);
  } catch (const UserError& e) {
    throw UserError(fmt::format("{}: {}", m.where("model"), e.what()));
  }
}

// The cluster file a name refers to: a path, or a name under data_dir/clusters/.
std::string cluster_path(const YamlMap& m, const std::string& name, const ReadContext& ctx) {
  const std::string path = find_cluster_file(name, ctx.base_dir, ctx.data_dir);
  if (!path.empty()) return path;
  const std::vector<std::string> names = catalog_clusters(ctx.data_dir);
  std::string list;
  for (const auto& n : names) list += list.empty() ? n : ", " + n;
  m.fail("cluster", fmt::format("no such cluster file; known under {}/clusters: {}{}", ctx.data_dir,
                                list.empty() ? "(none)" : list, did_you_mean_clause(name, names)));
}

// The cluster and its GPU (from the catalog or `hardware:`).
void read_cluster_field(YamlMap& m, Scenario& s, const std::vector<GpuSpec>& custom,
                        const ReadContext& ctx) {
  if (!m.has("cluster")) m.fail("cluster", "missing; give a file under scenarios/clusters/ or a mapping");
  std::string cluster_where = m.where("cluster");
  if (m.node()["cluster"].IsMap()) {
    YamlMap cm = m.map("cluster");
    s.cluster = read_cluster(cm);
    cluster_where = cm.where("gpu");
  } else {
    const std::string path = cluster_path(m, m.string("cluster"), ctx);
    try {
      s.cluster = load_cluster_file(path);
    } catch (const UserError& e) {
      throw UserError(fmt::format("{}: {}", m.where("cluster"), e.what()));
    }
  }
  const auto gpu = find_gpu(s.cluster.gpu, custom);
  if (!gpu) {
    throw UserError(
        fmt::format("{} = {}: not in the hardware catalog; known: {} (add yours under "
                    "hardware:)",
                    cluster_where, quote_value(s.cluster.gpu), gpu_name_list(custom)));
  }
  s.gpu = *gpu;
}

void read_precision(YamlMap& m, Scenario& s) {
  const std::string prec = m.choice_or("precision", "bf16", {"fp8", "bf16", "fp16"});
  s.precision = make_recipe(prec == "fp8" ? RecipeKind::kFP8DeepSeek
                            : prec == "bf16" ? RecipeKind::kBF16 : RecipeKind::kFP16);
  if (prec == "fp8" && !s.gpu.has_fp8()) {
    m.fail("precision", fmt::format("the cluster's {} has no FP8 tensor cores; use bf16", s.gpu.name));
  }
}

void read_parallelism(YamlMap& m, Scenario& s) {
  const int gpus = s.cluster.gpus();
  std::optional<YamlMap> pm = m.map_if_present("parallelism");
  s.plan = read_plan(pm ? &*pm : nullptr, ParallelPlan{}, gpus);
  if (pm) {
    validate_plan(s.plan, *pm, gpus, s.model);
  } else {
    validate_plan(s.plan, m, gpus, s.model);
  }
}

void reject_unused_defaults(YamlMap& tm, const std::vector<YAML::Node>& phases,
                            const PhaseDefaults& d);

void read_phase_list(YamlMap& tm, Scenario& s) {
  if (tm.has("tokens")) tm.fail("tokens", "with phases, give tokens or steps in each phase");
  if (tm.has("steps")) tm.fail("steps", "with phases, give tokens or steps in each phase");
  PhaseDefaults d;
  d.seq_len = tm.integer_or("seq_len", 0, 0, kMaxSeqLen);
  d.ramp = read_ramp(tm);
  d.global_batch = tm.integer_or("global_batch", 0, 0, kMaxBatch);
  const auto list = tm.sequence("phases");
  if (list.empty()) tm.fail("phases", "an empty list; give at least one phase");
  for (std::size_t i = 0; i < list.size(); ++i) {
    YamlMap ph(list[i], tm.file(), fmt::format("training.phases.{}", i));
    s.phases.push_back(read_phase(ph, d, s.plan, s.cluster.gpus(), s.model,
                                  fmt::format("phase {}", i + 1), true));
    ph.finish({"name", "tokens", "steps", "seq_len", "global_batch", "batch_ramp", "parallelism"});
    for (std::size_t j = 0; j < i; ++j) {
      if (s.phases[j].name == s.phases.back().name) ph.fail("name", "two phases have this name");
    }
  }
  reject_unused_defaults(tm, list, d);
  tm.accept("tokens");
  tm.accept("steps");
}

// A training-level default that every phase overrides applies to none: an error, not silence
// (a `--set training.global_batch=8` on a scenario whose phases give their own would otherwise
// change nothing).
void reject_unused_defaults(YamlMap& tm, const std::vector<YAML::Node>& phases,
                            const PhaseDefaults& d) {
  const auto all_set = [&phases](std::initializer_list<const char*> keys) {
    for (const YAML::Node& ph : phases) {
      bool own = false;
      for (const char* k : keys) own = own || (ph.IsMap() && ph[k]);
      if (!own) return false;
    }
    return true;
  };
  if (d.global_batch > 0 && all_set({"global_batch", "batch_ramp"})) {
    tm.fail("global_batch",
            "every phase sets its own global_batch or batch_ramp, so this default applies to "
            "none; set it in the phase (training.phases.N.global_batch)");
  }
  if (d.seq_len > 0 && all_set({"seq_len"})) {
    tm.fail("seq_len",
            "every phase sets its own seq_len, so this default applies to none; set it in the "
            "phase (training.phases.N.seq_len)");
  }
}

// An optional sub-map of `parent`: read by `read` when present, T's defaults when not.
template <class T, class Read>
T optional_section(YamlMap& parent, const std::string& key, Read read) {
  auto m = parent.map_if_present(key);
  if (!m) {
    parent.accept(key);
    return T{};
  }
  return read(*m);
}

// training.kernels: how the stack runs the kernels around its GEMMs (KernelStack).
KernelStack read_kernel_stack(YamlMap& km, const ModelSpec& model) {
  KernelStack k;
  const std::string attention = km.choice_or("attention", "flash", {"flash", "flash2", "unfused"});
  k.flash_attention = attention != "unfused";
  k.flash2 = attention == "flash2";
  k.attention_dropout = km.number_or("attention_dropout", 0.0, 0.0, 0.99);
  k.hidden_dropout = km.number_or("hidden_dropout", 0.0, 0.0, 0.99);
  k.fused_residual_norm = km.choice_or("residual", "separate", {"separate", "fused_with_norm"}) ==
                          "fused_with_norm";
  const auto eager = [&km](const char* key) {
    return km.choice_or(key, "fused", {"fused", "eager"}) == "eager";
  };
  k.eager_norm = eager("norm");
  k.eager_activation = eager("activation");
  k.eager_rotary = eager("rotary");
  k.eager_loss = eager("loss");
  // The eager norm is the RMSNorm written in PyTorch ops (eager_kernels.hpp); PyTorch's own
  // LayerNorm is one kernel each way, which `fused` already counts.
  if (k.eager_norm && model.norm != NormKind::kRMSNorm) {
    km.fail("norm", "eager is an RMSNorm written in PyTorch ops; the model's norm is a LayerNorm "
                    "(one native kernel each way: use fused)");
  }
  if (k.eager_norm && k.fused_residual_norm) {
    km.fail("norm", "eager norms cannot take in the residual add: give residual: separate, or "
                    "norm: fused");
  }
  if (k.eager_rotary && model.learned_positions) {
    km.fail("rotary", "the model has learned positions and no rotary embedding; use fused or leave "
                      "it out");
  }
  km.finish({"attention", "attention_dropout", "hidden_dropout", "residual", "norm", "activation",
             "rotary", "loss"});
  return k;
}

// training.overlap: which communication the stack hides behind computation (CommOverlap).
CommOverlap read_comm_overlap(YamlMap& om) {
  CommOverlap o;
  o.tp_comm = om.boolean_or("tp_comm", false);
  o.grad_reduce = om.boolean_or("grad_reduce", false);
  o.param_gather = om.boolean_or("param_gather", false);
  om.finish({"tp_comm", "grad_reduce", "param_gather"});
  return o;
}

void read_training(YamlMap& m, Scenario& s) {
  YamlMap tm = m.map("training");
  const std::string rc =
      tm.choice_or("recompute", "selective", {"none", "attention", "selective", "selective_op", "full"});
  s.recompute = rc == "none"           ? RecomputePolicy::kNone
                : rc == "attention"    ? RecomputePolicy::kAttention
                : rc == "selective"    ? RecomputePolicy::kSelective
                : rc == "selective_op" ? RecomputePolicy::kSelectiveOp
                                       : RecomputePolicy::kFull;
  s.stack = optional_section<KernelStack>(
      tm, "kernels", [&s](YamlMap& km) { return read_kernel_stack(km, s.model); });
  s.overlap = optional_section<CommOverlap>(tm, "overlap", read_comm_overlap);
  s.expert_imbalance = tm.number_or("expert_imbalance", 1.0, 1.0, 1000.0);
  if (s.expert_imbalance != 1.0 && !s.model.moe.enabled()) {
    tm.fail("expert_imbalance", "the model has no experts");
  }
  if (tm.has("phases")) {
    read_phase_list(tm, s);
  } else {
    s.phases.push_back(read_phase(tm, PhaseDefaults{}, s.plan, s.cluster.gpus(), s.model,
                                  "training", false));
  }
  tm.finish({"recompute", "kernels", "overlap", "expert_imbalance", "tokens", "steps", "seq_len", "global_batch", "batch_ramp",
             "phases", "name"});
}

// A training job (`training:`, with the plan in `parallelism:`) or a serving job (`serving:`,
// whose deployments carry their own layout).
void read_workload(YamlMap& m, Scenario& s, const ReadContext& ctx) {
  if (m.has("training") && m.has("serving")) {
    m.fail("serving", "a scenario holds one workload: give training or serving, not both");
  }
  if (!m.has("serving")) {
    read_parallelism(m, s);
    if (!m.has("training")) m.fail("training", "missing; give training: (phases of tokens) or serving: (deployments and traffic)");
    read_training(m, s);
    m.accept("serving");
    return;
  }
  if (m.has("parallelism")) {
    m.fail("parallelism", "a serving scenario gives its layout per deployment (serving.deployments)");
  }
  m.accept("parallelism");
  m.accept("training");
  s.workload = WorkloadKind::kServing;
  YamlMap sm = m.map("serving");
  s.serving = read_serving(sm, ctx.base_dir, s.model, s.cluster.gpus_per_node);
}

void read_cost(YamlMap& m, Scenario& s) {
  if (auto cm = m.map_if_present("cost")) {
    s.usd_per_gpu_hour = cm->number_or("usd_per_gpu_hour", 0.0, 0.0, 1e4);
    cm->finish({"usd_per_gpu_hour"});
  }
}

// The GPU's own published profile, calibration/<gpu>-published.yaml, when there is one.
std::string default_calibration(const Scenario& s, const ReadContext& ctx) {
  std::string gpu = s.gpu.name;
  std::transform(gpu.begin(), gpu.end(), gpu.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return resolve_path((fs::path(ctx.data_dir) / "calibration" / (gpu + "-published.yaml")).string(),
                      "");
}

void read_calibration(YamlMap& m, Scenario& s, const ReadContext& ctx) {
  s.boost_clock = m.choice_or("clock", "sustained", {"sustained", "boost"}) == "boost";
  s.allow_profile_mismatch = m.boolean_or("allow_profile_mismatch", false);
  if (!m.has("calibration")) {
    m.accept("calibration");
    s.calibration_file = default_calibration(s, ctx);
    return;
  }
  const std::string c = m.string("calibration");
  s.calibration_file = resolve_path(c, ctx.base_dir);
  if (s.calibration_file.empty()) s.calibration_file = resolve_path(c, ctx.data_dir);
  if (s.calibration_file.empty()) m.fail("calibration", "no such file");
}

}  // namespace

Scenario read_scenario(YAML::Node root, const std::string& file, const std::string& data_dir) {
  if (!root || root.IsNull()) throw UserError(fmt::format("{}: empty scenario file", file));
  YamlMap m(root, file, "");
  const ReadContext ctx{file, fs::path(file).parent_path().string(), data_dir};
  Scenario s;
  s.file = file;
  s.name = m.string_or("name", fs::path(file).stem().string());
  s.description = m.string_or("description", "");
  const std::vector<GpuSpec> custom = read_hardware(m);
  s.model = read_model_field(m, ctx);
  read_cluster_field(m, s, custom, ctx);
  read_precision(m, s);
  read_workload(m, s, ctx);
  read_cost(m, s);
  // Published figures: printed beside estimates while their conditions hold, never used to
  // compute them.
  s.reference = read_reference_figures(m);
  read_calibration(m, s, ctx);
  m.finish({"name", "description", "model", "cluster", "hardware", "parallelism", "precision",
            "training", "serving", "cost", "reference", "calibration", "clock",
            "allow_profile_mismatch"});
  return s;
}

namespace {

bool is_gpu_count(const std::string& assignment) {
  return assignment.rfind("gpus=", 0) == 0;
}

// Removes `key` from the mapping at root[first][second...] when there is one (lookups through a
// const node: yaml-cpp's non-const operator[] would add the missing keys).
void remove_dp(YAML::Node node) {
  if (node.IsMap() && node["dp"]) node.remove("dp");
}

}  // namespace

void set_gpu_count(YAML::Node& root, const std::string& assignment) {
  const std::string text = assignment.substr(assignment.find('=') + 1);
  std::size_t used = 0;
  long long gpus = 0;
  try {
    gpus = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || gpus < 1 || gpus > (1LL << 24)) {
    throw UserError(fmt::format("--gpus / --set gpus={}: expected a whole number of GPUs, 1 to "
                                "16777216", quote_value(text)));
  }
  const YAML::Node& croot = root;
  if (!root.IsMap() || !croot["cluster"] || !croot["cluster"].IsMap()) {
    throw UserError("--gpus: the scenario's cluster is neither a catalog name nor a mapping");
  }
  YAML::Node cluster = root["cluster"];
  const YAML::Node& ccluster = cluster;
  const long long per_node =
      ccluster["gpus_per_node"] ? ccluster["gpus_per_node"].as<long long>(8) : 8;
  if (per_node < 1 || gpus % per_node != 0) {
    throw UserError(fmt::format("--gpus {}: not a whole number of {}-GPU nodes", gpus, per_node));
  }
  cluster["nodes"] = gpus / per_node;
  if (gpus > per_node && ccluster["topology"] && ccluster["topology"].as<std::string>("") ==
                                                     "single-node") {
    cluster["topology"] = "rail-optimized";  // one box scaled out, as llmsim plan does
  }
  if (croot["parallelism"]) remove_dp(root["parallelism"]);
  if (croot["training"] && croot["training"]["phases"] && croot["training"]["phases"].IsSequence()) {
    for (YAML::Node phase : root["training"]["phases"]) {
      const YAML::Node& cphase = phase;
      if (cphase.IsMap() && cphase["parallelism"]) remove_dp(phase["parallelism"]);
    }
  }
}

void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     const std::string& path, const std::string& data_dir) {
  // `--set cluster.nodes=128` (or `gpus=1024`) on a scenario that names its cluster by file:
  // the file's mapping takes the name's place first, so that any of its fields can be
  // overridden.
  const bool cluster_field = std::any_of(overrides.begin(), overrides.end(), [](const auto& o) {
    return o.rfind("cluster.", 0) == 0 || is_gpu_count(o);
  });
  if (cluster_field && root.IsMap() && root["cluster"] && root["cluster"].IsScalar()) {
    const std::string file = find_cluster_file(root["cluster"].Scalar(),
                                               fs::path(path).parent_path().string(), data_dir);
    if (!file.empty()) root["cluster"] = load_yaml_file(file);
  }
  for (const auto& o : overrides) {
    if (is_gpu_count(o))
      set_gpu_count(root, o);
    else
      apply_override(root, o);
  }
}

namespace {

bool starts_with_any(const std::string& o, std::initializer_list<const char*> keys) {
  return std::any_of(keys.begin(), keys.end(), [&](const char* k) { return o.rfind(k, 0) == 0; });
}

// An override of pp, vpp or the schedule can leave the file's parallelism.layers_per_stage with
// a count for stages the plan no longer has: then llmsim's balanced split takes its place and
// the note says so. A layout the file gives for its own plan, or an override sets, is checked
// as given. Returns the note, "" when nothing was dropped.
std::string drop_stale_layout(YAML::Node& root, const std::vector<std::string>& overrides) {
  bool stages = false, layout = false;
  for (const auto& o : overrides) {
    stages = stages || starts_with_any(o, {"parallelism.pp=", "parallelism.vpp=",
                                           "parallelism.schedule="});
    layout = layout || starts_with_any(o, {"parallelism.layers_per_stage="});
  }
  if (!stages || layout || !root.IsMap()) return "";
  YAML::Node par = root["parallelism"];
  if (!par || !par.IsMap() || !par["layers_per_stage"] || !par["layers_per_stage"].IsSequence()) {
    return "";
  }
  ParallelPlan p;
  try {  // a malformed value is the reader's to report, at its line
    if (par["pp"]) p.pp = par["pp"].as<int>();
    if (par["vpp"]) p.vpp = par["vpp"].as<int>();
    if (par["schedule"]) {
      const auto m = parse_schedule_method(par["schedule"].as<std::string>());
      if (!m) return "";
      p.schedule = *m;
    }
  } catch (const YAML::Exception&) {
    return "";
  }
  const std::size_t given = par["layers_per_stage"].size();
  const int chunks = model_chunks(p);
  if (given == static_cast<std::size_t>(chunks)) return "";
  par.remove("layers_per_stage");
  return fmt::format("parallelism.layers_per_stage: the file's layout has {} stages, the plan "
                     "after --set has {} ({}, pp {}): its layers are split as llmsim balances "
                     "them",
                     given, chunks, schedule_method_name(p.schedule), p.pp);
}

}  // namespace

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides,
                       const std::string& data_dir) {
  YAML::Node root = load_yaml_file(path);
  apply_overrides(root, overrides, path, data_dir);
  const std::string note = drop_stale_layout(root, overrides);
  Scenario s = read_scenario(root, path, data_dir);
  if (!note.empty()) s.notes.push_back(note);
  return s;
}

}  // namespace llmsim
