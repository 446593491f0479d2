#include "costmodel/read/serving_reader.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace llmsim {

namespace {

Precision read_precision_field(YamlMap& m, const std::string& key, const std::string& fallback) {
  const std::string p = m.choice_or(key, fallback, {"fp8", "bf16", "fp16"});
  return p == "fp8" ? Precision::kFP8 : p == "fp16" ? Precision::kFP16 : Precision::kBF16;
}

ServingPrecision read_serving_precision(YamlMap& m) {
  ServingPrecision p;
  auto pm = m.map_if_present("precision");
  if (!pm) return p;
  p.weights = read_precision_field(*pm, "weights", "bf16");
  p.compute = read_precision_field(*pm, "compute", "bf16");
  p.kv_cache = read_precision_field(*pm, "kv_cache", "bf16");
  if (p.compute == Precision::kFP8 && p.weights != Precision::kFP8) {
    pm->fail("compute", "FP8 GEMMs need FP8 weights (weights: fp8)");
  }
  pm->finish({"weights", "compute", "kv_cache"});
  return p;
}

ServingScheduler read_scheduler(YamlMap& m) {
  ServingScheduler s;
  auto sm = m.map_if_present("scheduler");
  if (!sm) return s;
  s.max_batch = static_cast<int>(sm->integer_or("max_batch", s.max_batch, 1, 1 << 20));
  s.token_budget = sm->integer_or("token_budget", s.token_budget, 1, 1 << 24);
  s.prefill_chunk = sm->integer_or("prefill_chunk", 0, 0, 1 << 24);
  s.kv_block_tokens = static_cast<int>(sm->integer_or("kv_block_tokens", s.kv_block_tokens, 1, 1 << 16));
  s.activation_reserve_gib =
      sm->number_or("activation_reserve_gib", s.activation_reserve_gib, 0.0, 1e4);
  sm->finish({"max_batch", "token_budget", "prefill_chunk", "kv_block_tokens",
              "activation_reserve_gib"});
  return s;
}

void read_mtp(YamlMap& d, ServingDeployment& out) {
  auto mm = d.map_if_present("mtp");
  if (!mm) return;
  out.mtp_depth = static_cast<int>(mm->integer("depth", 0, 8));
  out.mtp_acceptance = mm->number("acceptance", 0.0, 1.0);
  mm->finish({"depth", "acceptance"});
}

ServingDeployment read_deployment(YamlMap& d, std::size_t i) {
  ServingDeployment out;
  out.name = d.string_or("name", fmt::format("deployment {}", i + 1));
  out.role = d.choice_or("role", "colocated", {"colocated", "prefill", "decode"});
  out.nodes = static_cast<int>(d.integer_or("nodes", 1, 1, 1 << 16));
  out.tp = static_cast<int>(d.integer_or("tp", 1, 1, 1024));
  out.ep = static_cast<int>(d.integer_or("ep", 0, 0, 1 << 20));
  out.redundant_experts = static_cast<int>(d.integer_or("redundant_experts", 0, 0, 1 << 16));
  out.expert_imbalance = d.number_or("expert_imbalance", 1.0, 1.0, 1000.0);
  out.micro_batches = static_cast<int>(d.integer_or("micro_batches", 1, 1, 2));
  out.comm_sms = static_cast<int>(d.integer_or("comm_sms", 0, 0, 1024));
  const std::string k = d.choice_or("ep_kernel", out.role == "decode" ? "low-latency" : "normal",
                                    {"normal", "low-latency"});
  out.ep_kernel = k == "normal" ? EpKernel::kNormal : EpKernel::kLowLatency;
  read_mtp(d, out);
  out.precision = read_serving_precision(d);
  out.scheduler = read_scheduler(d);
  d.finish({"name", "role", "nodes", "tp", "ep", "redundant_experts", "expert_imbalance",
            "micro_batches", "comm_sms",
            "ep_kernel", "mtp", "precision", "scheduler"});
  return out;
}

// The layout against the model and the node: TP splits the heads, EP the routed experts.
void check_layout(YamlMap& d, const ServingDeployment& dep, const ModelSpec& model,
                  int gpus_per_node) {
  const int gpus = dep.nodes * gpus_per_node;
  if (gpus % dep.tp != 0) d.fail("tp", fmt::format("must divide the deployment's {} GPUs", gpus));
  if (model.heads % dep.tp != 0) {
    d.fail("tp", fmt::format("must divide the model's {} attention heads", model.heads));
  }
  if (!model.moe.enabled()) {
    if (dep.ep > 1) d.fail("ep", "the model has no experts; leave ep out or give 1");
    if (dep.redundant_experts > 0) d.fail("redundant_experts", "the model has no experts");
    if (dep.expert_imbalance != 1.0) d.fail("expert_imbalance", "the model has no experts");
  } else {
    const int ep = dep.ep > 0 ? dep.ep : gpus;
    if (gpus % ep != 0) d.fail("ep", fmt::format("must divide the deployment's {} GPUs", gpus));
    const int experts = model.moe.routed_experts + dep.redundant_experts;
    if (experts % ep != 0) {
      d.fail(dep.ep > 0 ? "ep" : "redundant_experts",
             fmt::format("ep = {} must divide the {} routed + {} redundant experts", ep,
                         model.moe.routed_experts, dep.redundant_experts));
    }
  }
  if (dep.mtp_depth > model.mtp_modules) {
    d.fail("mtp", fmt::format("depth {} needs as many MTP modules; the model has {}",
                              dep.mtp_depth, model.mtp_modules));
  }
}

void check_roles(YamlMap& m, const std::vector<ServingDeployment>& ds) {
  int prefill = 0, decode = 0, colocated = 0;
  for (const auto& d : ds) {
    prefill += d.role == "prefill";
    decode += d.role == "decode";
    colocated += d.role == "colocated";
  }
  if (prefill > 1 || decode > 1 || colocated > 1) {
    m.fail("deployments", "one deployment per role (colocated, or one prefill and one decode)");
  }
  if ((prefill > 0) != (decode > 0)) {
    m.fail("deployments", "a disaggregated deployment needs both a prefill and a decode part");
  }
  if (colocated > 0 && prefill > 0) {
    m.fail("deployments", "mix of colocated and prefill/decode deployments; give one or the other");
  }
}

void read_trace_traffic(YamlMap& t, const std::string& base_dir, ServingTraffic& out) {
  const std::string f = t.string("trace_file");
  const std::filesystem::path p = std::filesystem::path(base_dir) / f;
  std::error_code ec;  // a name too long for the file system is no such file, not a throw
  if (!std::filesystem::is_regular_file(p, ec)) t.fail("trace_file", "no such file");
  out.trace_file = p.string();
  out.rate_scale = t.number_or("rate_scale", 1.0, 1e-6, 1e6);
}

void read_synthetic_traffic(YamlMap& t, ServingTraffic& out) {
  out.requests_per_s = t.number("requests_per_s", 1e-9, 1e9);
  if (out.arrivals == "bursty") out.burstiness = t.number("burstiness", 0.01, 100.0);
  out.prompt_tokens = static_cast<double>(t.integer("prompt_tokens", 1, 1LL << 24));
  out.output_tokens = static_cast<double>(t.integer("output_tokens", 1, 1LL << 24));
  out.lengths = t.choice_or("lengths", "exponential", {"fixed", "exponential"});
}

ServingTraffic read_traffic(YamlMap& t, const std::string& base_dir) {
  ServingTraffic out;
  out.arrivals = t.choice_or("arrivals", "poisson", {"poisson", "bursty", "trace"});
  if (out.arrivals == "trace") {
    read_trace_traffic(t, base_dir, out);
  } else {
    read_synthetic_traffic(t, out);
  }
  out.cache_hit_rate = t.number_or("cache_hit_rate", 0.0, 0.0, 0.999);
  // About 200 bytes per request are held while simulating: 10 million is 2 GB.
  out.requests = t.integer_or("requests", out.requests, 1, 10'000'000);
  out.seed = static_cast<std::uint64_t>(t.integer_or("seed", 1, 0, 1LL << 62));
  t.finish({"arrivals", "requests_per_s", "burstiness", "prompt_tokens", "output_tokens",
            "lengths", "cache_hit_rate", "requests", "seed", "trace_file", "rate_scale"});
  return out;
}

void read_money(YamlMap& m, ServingWorkload& w) {
  if (auto pm = m.map_if_present("prices")) {
    w.prices.usd_per_m_input_cache_hit = pm->number_or("usd_per_m_input_cache_hit", 0, 0, 1e6);
    w.prices.usd_per_m_input_cache_miss = pm->number_or("usd_per_m_input_cache_miss", 0, 0, 1e6);
    w.prices.usd_per_m_output = pm->number_or("usd_per_m_output", 0, 0, 1e6);
    pm->finish({"usd_per_m_input_cache_hit", "usd_per_m_input_cache_miss", "usd_per_m_output"});
  }
  if (auto dm = m.map_if_present("daily_volume")) {
    w.daily.input_tokens = dm->number("input_tokens", 0, 1e18);
    w.daily.output_tokens = dm->number("output_tokens", 0, 1e18);
    dm->finish({"input_tokens", "output_tokens"});
  }
}

}  // namespace

ServingWorkload read_serving(YamlMap& m, const std::string& base_dir, const ModelSpec& model,
                             int gpus_per_node) {
  ServingWorkload w;
  const auto list = m.sequence("deployments");
  if (list.empty()) m.fail("deployments", "an empty list; give at least one deployment");
  for (std::size_t i = 0; i < list.size(); ++i) {
    YamlMap d(list[i], m.file(), fmt::format("{}.deployments.{}", m.path(), i));
    w.deployments.push_back(read_deployment(d, i));
    check_layout(d, w.deployments.back(), model, gpus_per_node);
  }
  check_roles(m, w.deployments);
  // Prefill first: the simulation walks deployments in the order requests pass through them.
  if (w.deployments.front().role == "decode") std::swap(w.deployments.front(), w.deployments.back());
  YamlMap t = m.map("traffic");
  w.traffic = read_traffic(t, base_dir);
  if (auto lt = m.map_if_present("targets")) {
    w.targets.ttft_s = lt->number_or("ttft_s", 0.0, 0.0, 3600.0);
    w.targets.tpot_s = lt->number_or("tpot_s", 0.0, 0.0, 60.0);
    lt->finish({"ttft_s", "tpot_s"});
  }
  read_money(m, w);
  m.finish({"deployments", "traffic", "targets", "prices", "daily_volume"});
  return w;
}

}  // namespace llmsim
