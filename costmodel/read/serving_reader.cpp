#include "costmodel/read/serving_reader.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace llmsim {

namespace {

ServingDeployment read_deployment(YamlMap& d, std::size_t i) {
  ServingDeployment out;
  out.name = d.string_or("name", fmt::format("deployment {}", i + 1));
  out.role = d.choice_or("role", "colocated", {"colocated", "prefill", "decode"});
  out.nodes = static_cast<int>(d.integer("nodes", 1, 1 << 16));
  d.finish({"name", "role", "nodes"});
  return out;
}

void check_roles(YamlMap& m, const std::vector<ServingDeployment>& ds) {
  int prefill = 0, decode = 0, colocated = 0;
  for (const auto& d : ds) {
    prefill += d.role == "prefill";
    decode += d.role == "decode";
    colocated += d.role == "colocated";
  }
  if ((prefill > 0) != (decode > 0)) {
    m.fail("deployments", "a disaggregated deployment needs both a prefill and a decode part");
  }
  if (colocated > 0 && prefill > 0) {
    m.fail("deployments", "mix of colocated and prefill/decode deployments; give one or the other");
  }
}

ServingTraffic read_traffic(YamlMap& t, const std::string& base_dir) {
  ServingTraffic out;
  out.arrivals = t.choice_or("arrivals", "poisson", {"poisson", "trace"});
  if (out.arrivals == "trace") {
    const std::string f = t.string("trace_file");
    const std::filesystem::path p = std::filesystem::path(base_dir) / f;
    std::error_code ec;  // a name too long for the file system is no such file, not a throw
    if (!std::filesystem::is_regular_file(p, ec)) t.fail("trace_file", "no such file");
    out.trace_file = p.string();
    t.finish({"arrivals", "trace_file"});
    return out;
  }
  out.requests_per_s = t.number("requests_per_s", 1e-9, 1e9);
  out.prompt_tokens = t.integer("prompt_tokens", 1, 1LL << 24);
  out.output_tokens = t.integer("output_tokens", 1, 1LL << 24);
  t.finish({"arrivals", "requests_per_s", "prompt_tokens", "output_tokens"});
  return out;
}

}  // namespace

ServingWorkload read_serving(YamlMap& m, const std::string& base_dir) {
  ServingWorkload w;
  const auto list = m.sequence("deployments");
  if (list.empty()) m.fail("deployments", "an empty list; give at least one deployment");
  for (std::size_t i = 0; i < list.size(); ++i) {
    YamlMap d(list[i], m.file(), fmt::format("{}.deployments.{}", m.path(), i));
    w.deployments.push_back(read_deployment(d, i));
  }
  check_roles(m, w.deployments);
  YamlMap t = m.map("traffic");
  w.traffic = read_traffic(t, base_dir);
  if (auto lt = m.map_if_present("targets")) {
    w.targets.ttft_s = lt->number_or("ttft_s", 0.0, 0.0, 3600.0);
    w.targets.tpot_s = lt->number_or("tpot_s", 0.0, 0.0, 60.0);
    lt->finish({"ttft_s", "tpot_s"});
  }
  m.finish({"deployments", "traffic", "targets"});
  return w;
}

}  // namespace llmsim
