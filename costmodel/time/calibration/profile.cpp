#include "costmodel/time/calibration/profile.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string profile_label(const Profile& p) {
  return p.file.empty() ? fmt::format("'{}'", p.name) : fmt::format("'{}' ({})", p.name, p.file);
}

// The shape fields a class reads, as (key, value) pairs for writing.
std::vector<std::pair<std::string, nlohmann::ordered_json>> shape_fields(KernelClass c,
                                                                         const KernelShape& s) {
  auto d = [](std::int64_t v) { return nlohmann::ordered_json(v); };
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8:
      // A batched GEMM (a published table's batch column) keeps its batch as groups.
      if (s.groups != 1) {
        return {{"groups", d(s.groups)}, {"m", d(s.m)}, {"n", d(s.n)}, {"k", d(s.k)}};
      }
      return {{"m", d(s.m)}, {"n", d(s.n)}, {"k", d(s.k)}};
    case KernelClass::kGroupedGemmFp8:
      return {{"groups", d(s.groups)}, {"m", d(s.m)}, {"n", d(s.n)}, {"k", d(s.k)}};
    case KernelClass::kMemoryBound: return {{"bytes", nlohmann::ordered_json(s.bytes)}};
    case KernelClass::kRmsNorm:
    case KernelClass::kSwiGlu:
    case KernelClass::kSoftmax:
    case KernelClass::kFp8Quantize: return {{"rows", d(s.rows)}, {"cols", d(s.cols)}};
    case KernelClass::kAttentionFwd:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2:
      return {{"batch", d(s.batch)},         {"heads", d(s.heads)},
              {"seq_q", d(s.seq_q)},         {"seq_kv", d(s.seq_kv)},
              {"head_dim_qk", d(s.head_dim_qk)}, {"head_dim_v", d(s.head_dim_v)},
              {"causal", d(s.causal ? 1 : 0)}};
    case KernelClass::kAllReduce:
    case KernelClass::kAllToAll:
      return {{"participants", d(s.participants)}, {"bytes", nlohmann::ordered_json(s.bytes)}};
    case KernelClass::kLaunch: return {};
  }
  return {};
}

const char* tile_policy_name(TilePolicy p) {
  switch (p) {
    case TilePolicy::kFixed: return "fixed";
    case TilePolicy::kWaveOptimal: return "wave_optimal";
    case TilePolicy::kWaveOptimalSplitK: return "wave_optimal_split_k";
  }
  return "fixed";
}

const std::vector<std::string> kShapeKeys = {"m",     "n",      "k",           "groups",
                                             "bytes", "participants", "rows",  "cols",
                                             "batch", "heads",  "seq_q",       "seq_kv",
                                             "head_dim_qk", "head_dim_v", "causal"};

nlohmann::ordered_json to_json(const Profile& p) {
  nlohmann::ordered_json j;
  j["name"] = p.name;
  j["device"] = p.device;
  j["gpu"] = p.gpu;
  j["clock_mhz"] = p.clock_mhz;
  j["clock_source"] = p.clock_source;
  j["date"] = p.date;
  j["method"] = p.method;
  j["generator"] = p.generator;
  j["sources"] = p.sources;
  if (auto o = p.overall_holdout_mape_pct()) j["overall_holdout_mape"] = *o;
  else j["overall_holdout_mape"] = nullptr;
  auto& classes = j["classes"] = nlohmann::ordered_json::array();
  for (const auto& c : p.classes) {
    nlohmann::ordered_json jc;
    jc["class"] = kernel_class_name(c.kernel_class);
    jc["source"] = c.source;
    jc["peak_source"] = c.peak_source;
    if (!c.assumption.empty()) jc["assumption"] = c.assumption;
    if (c.clock_mhz > 0.0) {
      jc["clock_mhz"] = c.clock_mhz;
      jc["clock_source"] = c.clock_source;
    }
    nlohmann::ordered_json m;
    m["peak_tflops"] = c.model.peak_flops_per_s / 1e12;
    m["peak_bandwidth_gbps"] = c.model.peak_bytes_per_s / 1e9;
    m["units"] = c.model.units;
    m["tile_m"] = c.model.tile.m;
    m["tile_n"] = c.model.tile.n;
    m["tile_policy"] = tile_policy_name(c.model.tile.policy);
    m["compute_efficiency"] = c.model.compute_efficiency;
    m["memory_efficiency"] = c.model.memory_efficiency;
    m["saturation_fraction"] = c.model.saturation_fraction;
    m["cache_bandwidth_factor"] = c.model.cache_bandwidth_factor;
    m["elementwise_per_s"] = c.model.elementwise_per_s;
    m["combine_exponent"] = c.model.combine_exponent;
    m["overhead_us"] = c.model.overhead_s * 1e6;
    m["wave_overhead_us"] = c.model.wave_overhead_s * 1e6;
  m["iteration_floor_us"] = c.model.iteration_floor_s * 1e6;
    jc["model"] = m;
    nlohmann::ordered_json f;
    f["holdout_method"] = c.holdout_method;
    f["fit_points"] = c.fit_points;
    f["holdout_points"] = c.holdout_points;
    f["train_mape"] = c.train_mape_pct;
    if (c.holdout_mape_pct) f["holdout_mape"] = *c.holdout_mape_pct;
    else f["holdout_mape"] = nullptr;
    if (c.holdout_max_pct) f["holdout_max_error"] = *c.holdout_max_pct;
    else f["holdout_max_error"] = nullptr;
    jc["fit"] = f;
    // The per-class holdout figure also at the class level, where readers look first.
    jc["holdout_mape"] = f["holdout_mape"];
    auto& pts = jc["points"] = nlohmann::ordered_json::array();
    for (const auto& pt : c.points) {
      nlohmann::ordered_json jp;
      for (const auto& [k, v] : shape_fields(c.kernel_class, pt.shape)) jp[k] = v;
      jp["measured_us"] = pt.measured_s * 1e6;
      if (pt.median_s > 0.0) jp["median_us"] = pt.median_s * 1e6;
      jp["predicted_us"] = pt.predicted_s * 1e6;
      if (pt.spread > 0.0) jp["spread"] = pt.spread;
      if (pt.held_out) jp["held_out"] = true;
      if (pt.holdout_error_pct) jp["holdout_error_pct"] = *pt.holdout_error_pct;
      if (!pt.label.empty()) jp["label"] = pt.label;
      pts.push_back(jp);
    }
    classes.push_back(jc);
  }
  if (p.collectives) j["collectives"] = collective_curve_json(*p.collectives);
  return j;
}

void emit_json_as_yaml(YAML::Emitter& out, const nlohmann::ordered_json& j, bool flow) {
  if (j.is_object()) {
    out << (flow ? YAML::Flow : YAML::Block) << YAML::BeginMap;
    for (auto it = j.begin(); it != j.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      // Points are one line each; everything else is block style.
      emit_json_as_yaml(out, it.value(), flow);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    const bool scalars = !j.empty() && !j.front().is_structured();
    out << YAML::Block << YAML::BeginSeq;
    for (const auto& e : j) {
      const bool point = !scalars && (e.contains("measured_us") || e.contains("busbw_gbps"));
      emit_json_as_yaml(out, e, flow || point);
    }
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    out << YAML::DoubleQuoted << j.get<std::string>();
  } else if (j.is_boolean()) {
    out << j.get<bool>();
  } else if (j.is_number_integer()) {
    out << j.get<std::int64_t>();
  } else if (j.is_number()) {
    out << j.get<double>();
  } else {
    out << YAML::Null;
  }
}

KernelShape read_shape(YamlMap& m) {
  KernelShape s;
  auto i = [&](const char* key, std::int64_t fallback) {
    return m.integer_or(key, fallback, 0, std::int64_t{1} << 50);
  };
  s.m = i("m", s.m);
  s.n = i("n", s.n);
  s.k = i("k", s.k);
  s.groups = i("groups", s.groups);
  s.bytes = m.number_or("bytes", s.bytes, 0.0, 1e18);
  s.participants = i("participants", s.participants);
  s.rows = i("rows", s.rows);
  s.cols = i("cols", s.cols);
  s.batch = i("batch", s.batch);
  s.heads = i("heads", s.heads);
  s.seq_q = i("seq_q", s.seq_q);
  s.seq_kv = i("seq_kv", s.seq_kv);
  s.head_dim_qk = i("head_dim_qk", s.head_dim_qk);
  s.head_dim_v = i("head_dim_v", s.head_dim_v);
  s.causal = m.integer_or("causal", s.causal ? 1 : 0, 0, 1) == 1;
  return s;
}

std::optional<double> optional_number(YamlMap& m, const std::string& key) {
  if (!m.has(key) || m.node()[key].IsNull()) {
    m.accept(key);
    return std::nullopt;
  }
  return m.number(key, 0.0, 1e9);
}

ClassProfile read_class(YamlMap& m) {
  ClassProfile c;
  const std::string name = m.choice("class", kernel_class_names());
  c.kernel_class = *parse_kernel_class(name);
  c.source = m.string("source");
  c.peak_source = m.string_or("peak_source", "");
  c.assumption = m.string_or("assumption", "");
  c.clock_mhz = m.number_or("clock_mhz", 0.0, 0.0, 1e5);
  c.clock_source = m.string_or("clock_source", "");
  YamlMap mm = m.map("model");
  c.model.peak_flops_per_s = mm.number("peak_tflops", 0.0, 1e6) * 1e12;
  c.model.peak_bytes_per_s = mm.number("peak_bandwidth_gbps", 0.0, 1e8) * 1e9;
  c.model.units = static_cast<int>(mm.integer("units", 1, 1 << 20));
  c.model.tile.m = mm.integer_or("tile_m", 0, 0, 1 << 20);
  c.model.tile.n = mm.integer_or("tile_n", 0, 0, 1 << 20);
  const std::string policy =
      mm.choice_or("tile_policy", "fixed", {"fixed", "wave_optimal", "wave_optimal_split_k"});
  c.model.tile.policy = policy == "fixed"          ? TilePolicy::kFixed
                        : policy == "wave_optimal" ? TilePolicy::kWaveOptimal
                                                   : TilePolicy::kWaveOptimalSplitK;
  c.model.compute_efficiency = mm.number("compute_efficiency", 1e-9, 1e3);
  c.model.memory_efficiency = mm.number("memory_efficiency", 1e-9, 1e3);
  c.model.saturation_fraction = mm.number("saturation_fraction", 0.0, 1.0);
  c.model.cache_bandwidth_factor = mm.number_or("cache_bandwidth_factor", 0.0, 0.0, 1e6);
  c.model.elementwise_per_s = mm.number_or("elementwise_per_s", 0.0, 0.0, 1e18);
  c.model.combine_exponent = mm.number("combine_exponent", 1.0, 1e3);
  c.model.overhead_s = mm.number("overhead_us", 0.0, 1e9) * 1e-6;
  c.model.wave_overhead_s = mm.number_or("wave_overhead_us", 0.0, 0.0, 1e9) * 1e-6;
  c.model.iteration_floor_s = mm.number_or("iteration_floor_us", 0.0, 0.0, 1e9) * 1e-6;
  mm.finish({"peak_tflops", "peak_bandwidth_gbps", "units", "tile_m", "tile_n", "tile_policy",
             "compute_efficiency", "memory_efficiency", "saturation_fraction",
             "cache_bandwidth_factor", "elementwise_per_s", "combine_exponent", "overhead_us", "wave_overhead_us",
             "iteration_floor_us"});
  YamlMap f = m.map("fit");
  c.holdout_method = f.string("holdout_method");
  c.fit_points = static_cast<int>(f.integer("fit_points", 0, 1 << 30));
  c.holdout_points = static_cast<int>(f.integer("holdout_points", 0, 1 << 30));
  c.train_mape_pct = f.number("train_mape", 0.0, 1e9);
  c.holdout_mape_pct = optional_number(f, "holdout_mape");
  c.holdout_max_pct = optional_number(f, "holdout_max_error");
  f.finish({"holdout_method", "fit_points", "holdout_points", "train_mape", "holdout_mape",
            "holdout_max_error"});
  m.accept("holdout_mape");  // a copy of fit.holdout_mape
  if (m.has("points")) {
    const auto nodes = m.sequence("points");
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      YamlMap pm(nodes[i], m.file(), fmt::format("{}.points[{}]", m.path(), i));
      ProfilePoint pt;
      pt.shape = read_shape(pm);
      pt.measured_s = pm.number("measured_us", 0.0, 1e15) * 1e-6;
      pt.predicted_s = pm.number("predicted_us", 0.0, 1e15) * 1e-6;
      pt.median_s = pm.number_or("median_us", 0.0, 0.0, 1e15) * 1e-6;
      pt.spread = pm.number_or("spread", 0.0, 0.0, 1e6);
      pt.held_out = pm.boolean_or("held_out", false);
      pt.holdout_error_pct = optional_number(pm, "holdout_error_pct");
      pt.label = pm.string_or("label", "");
      std::vector<std::string> known = kShapeKeys;
      for (const char* k : {"measured_us", "median_us", "predicted_us", "spread", "held_out",
                            "holdout_error_pct", "label"}) {
        known.emplace_back(k);
      }
      pm.finish(known);
      c.points.push_back(pt);
    }
  } else {
    m.accept("points");
  }
  m.finish({"class", "source", "peak_source", "assumption", "clock_mhz", "clock_source", "model",
            "fit", "holdout_mape", "points"});
  return c;
}

}  // namespace

const ClassProfile* Profile::find(KernelClass c) const {
  for (const auto& cp : classes) {
    if (cp.kernel_class == c) return &cp;
  }
  return nullptr;
}

namespace {

bool clock_bound(KernelClass c) {
  switch (c) {
    case KernelClass::kGemmFp32:
    case KernelClass::kGemmBf16:
    case KernelClass::kGemmFp8:
    case KernelClass::kGroupedGemmFp8:
    case KernelClass::kAttentionFwd:
    case KernelClass::kAttentionBwd:
    case KernelClass::kAttentionFwdFa2:
    case KernelClass::kAttentionBwdFa2: return true;
    default: return false;
  }
}

}  // namespace

namespace {

// The classes one clock note covers: same data clock, same source of it.
struct ClockGroup {
  double data_mhz = 0.0;
  bool own = false;  // the classes' own clock_mhz, not the profile's
  std::string source;
  std::vector<std::string> classes;
};

std::string clock_note(const Profile& p, const ClockGroup& g, double run_mhz,
                       const std::string& run_clock_source) {
  std::string names;
  for (const std::string& c : g.classes) names += (names.empty() ? "" : ", ") + c;
  const double ratio = run_mhz / g.data_mhz;
  return fmt::format(
      "profile {}: {} ran at {:.0f} MHz ({}); this run's SM clock is {:.0f} MHz ({}): "
      "{} peaks x {:.3f}, their per-iteration and per-wave times / {:.3f}",
      p.name, g.own ? names + "'s data" : std::string("its data"), g.data_mhz, g.source, run_mhz,
      run_clock_source, g.own ? names : std::string("GEMM and attention"), ratio, ratio);
}

}  // namespace

std::string ceiling_note(const Profile& p) {
  std::string classes;
  for (const ClassProfile& c : p.classes) {
    const double f = c.model.max_compute_fraction;
    if (!(f > 0.0)) continue;
    classes += fmt::format("{}{} {:.1f}% of peak ({:.1f} TFLOPS)", classes.empty() ? "" : ", ",
                           kernel_class_name(c.kernel_class), 100.0 * f,
                           f * c.model.peak_flops_per_s / 1e12);
  }
  if (classes.empty()) return "";
  return fmt::format("profile {}: no call runs faster than the fastest point its class was "
                     "fitted to or checked on (the model does not extrapolate above its data), at "
                     "its data's clock: {}",
                     p.name, classes);
}

Profile at_clock(const Profile& p, double run_mhz, const std::string& run_clock_source) {
  if (!(run_mhz > 0.0)) return p;
  Profile out = p;
  std::vector<ClockGroup> groups;  // in the order first met
  for (ClassProfile& c : out.classes) {
    const bool own = c.clock_mhz > 0.0;
    const double data_mhz = own ? c.clock_mhz : p.clock_mhz;
    if (!clock_bound(c.kernel_class) || !(data_mhz > 0.0) || data_mhz == run_mhz) continue;
    const double ratio = run_mhz / data_mhz;
    c.model.peak_flops_per_s *= ratio;
    c.model.iteration_floor_s /= ratio;
    c.model.wave_overhead_s /= ratio;
    const std::string& source = own ? c.clock_source : p.clock_source;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const ClockGroup& x) {
      return x.data_mhz == data_mhz && x.own == own && x.source == source;
    });
    if (g == groups.end()) g = groups.insert(groups.end(), ClockGroup{data_mhz, own, source, {}});
    g->classes.push_back(kernel_class_name(c.kernel_class));
  }
  for (const ClockGroup& g : groups) {
    out.notes.push_back(clock_note(p, g, run_mhz, run_clock_source));
  }
  return out;
}

std::optional<double> Profile::overall_holdout_mape_pct() const {
  double sum = 0.0;
  int n = 0;
  for (const auto& c : classes) {
    if (c.holdout_mape_pct) {
      sum += *c.holdout_mape_pct;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

const ClassProfile& require_class(const Profile& profile, KernelClass c) {
  if (const ClassProfile* cp = profile.find(c)) return *cp;
  std::string have;
  for (const auto& cp : profile.classes) {
    have += (have.empty() ? "" : ", ") + kernel_class_name(cp.kernel_class);
  }
  throw UserError(fmt::format("calibration profile {} has no kernel class '{}' (it has: {}); "
                              "calibrate that class or choose a profile that has it",
                              profile_label(profile), kernel_class_name(c), have));
}

double predict_seconds(const Profile& profile, KernelClass c, const KernelShape& shape) {
  const ClassProfile& cp = require_class(profile, c);
  return predict_work_seconds(cp.model, work_of(c, shape, cp.model.tile, cp.model.units));
}

std::string profile_to_json(const Profile& p) { return to_json(p).dump(2) + "\n"; }

std::string profile_to_yaml(const Profile& p) {
  YAML::Emitter out;
  out.SetDoublePrecision(7);
  emit_json_as_yaml(out, to_json(p), false);
  std::string header =
      "# llmsim calibration profile: the fitted kernel-time model of one device.\n"
      "# Written by `" + p.generator + "`; regenerate rather than edit.\n"
      "# Units: peak_tflops 1e12 FLOP/s, peak_bandwidth_gbps 1e9 B/s, overhead_us and *_us\n"
      "# microseconds, *_mape / *_error / *_pct percent, efficiencies fractions of peak.\n"
      "# Model (costmodel/time/calibration/kernel_model.hpp): t = overhead + a p-norm of compute\n"
      "# (waves of tiles, each k-block at peak x compute_efficiency but no faster than\n"
      "# iteration_floor), memory (bytes at bandwidth x memory_efficiency), tile loads and\n"
      "# elementwise terms, + waves x wave_overhead. collectives: an nccl-tests all-reduce sweep\n"
      "# (bytes per GPU, busbw_gbps 1e9 B/s); NCCL's time beyond the links' rates per ring step\n"
      "# comes from it (costmodel/time/nccl_overhead.hpp).\n";
  return header + out.c_str() + "\n";
}

std::string profile_to_text(const Profile& p, const std::string& path) {
  return ends_with(path, ".json") ? profile_to_json(p) : profile_to_yaml(p);
}

namespace {

// The largest fraction of the class's peak FLOP rate that any of its points reached, measured
// (the points' times include their call overhead); 0 for a class without FLOPs or points.
double max_measured_fraction(const ClassProfile& c) {
  const KernelModel& km = c.model;
  if (!(km.peak_flops_per_s > 0.0)) return 0.0;
  double best = 0.0;
  for (const ProfilePoint& pt : c.points) {
    if (!(pt.measured_s > 0.0)) continue;
    const KernelWork w = work_of(c.kernel_class, pt.shape, km.tile, km.units);
    best = std::max(best, w.flops / pt.measured_s / km.peak_flops_per_s);
  }
  return best;
}

}  // namespace

Profile load_profile(const std::string& path) {
  YamlMap m(load_yaml_file(path), path, "");
  Profile p;
  p.file = path;
  p.name = m.string("name");
  p.device = m.string("device");
  p.gpu = m.string_or("gpu", "");
  p.clock_mhz = m.number_or("clock_mhz", 0.0, 0.0, 1e5);
  p.clock_source = m.string_or("clock_source", "");
  p.date = m.string("date");
  p.method = m.choice("method", {"measured", "published tables"});
  p.generator = m.string_or("generator", "");
  if (m.has("sources")) {
    for (const auto& n : m.sequence("sources")) p.sources.push_back(n.as<std::string>(""));
  } else {
    m.accept("sources");
  }
  m.accept("overall_holdout_mape");  // recomputed from the classes
  const auto nodes = m.sequence("classes");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    YamlMap cm(nodes[i], path, fmt::format("classes[{}]", i));
    ClassProfile c = read_class(cm);
    c.model.max_compute_fraction = max_measured_fraction(c);
    if (p.find(c.kernel_class)) {
      cm.fail("class", "this class appears twice in the profile");
    }
    p.classes.push_back(std::move(c));
  }
  if (auto cm = m.map_if_present("collectives")) p.collectives = read_collective_curve(*cm);
  m.finish({"name", "device", "gpu", "clock_mhz", "clock_source", "date", "method", "generator",
            "sources", "overall_holdout_mape", "classes", "collectives"});
  return p;
}

}  // namespace llmsim::calibration
