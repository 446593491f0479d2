// llmsim collective: how long one collective (or MoE expert all-to-all) takes on a cluster,
// by flow-level simulation or by the closed-form model, with nccl-tests' algbw / busbw and,
// for DeepEP's dispatch / combine, the per-GPU NVLink and RDMA bandwidth as DeepEP reports it.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "costmodel/time/calibration/csv_table.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "costmodel/time/nccl_overhead.hpp"
#include "costmodel/read/cluster_file.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"
#include "sim/collectives/collective_runner.hpp"
#include "sim/units.hpp"

namespace llmsim::cli {

namespace {

struct CollectiveOptions {
  std::string cluster;
  std::string op;
  int gpus = 0;
  int per_node = 0;
  int concurrent = 1;
  std::string bytes;
  std::string algorithm = "ring";
  std::string mode = "auto";
  std::string kernel = "normal";
  int tokens = 4096;
  int hidden = 7168;
  int topk = 8;
  int experts = 256;
  int max_nodes = 4;
  double skew = 0.0;
  bool json = false;
  bool links = false;
  std::string calibration = "auto";
};

// NCCL's time beyond the links' rates, from a profile's nccl-tests sweep (--calibration).
struct NcclPart {
  double seconds = 0.0;     // added to the flow (or closed-form) time
  double links_s = 0.0;     // the time at the links' rates alone
  std::string profile;      // where the sweep came from ("" when none applies)
  std::string sweep;
};

// "1GiB", "256MB", "4096", "1e9": a size in bytes (sim/units.hpp), more than zero.
double parse_size(const std::string& text) {
  const double v = parse_quantity("--bytes", text, QuantityKind::kSize, "B");
  if (!(v > 0.0)) throw UserError(fmt::format("--bytes = '{}': must be more than 0", text));
  return v;
}

std::string human_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.4g} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.4g} MB", b / 1e6);
  if (b >= 1e3) return fmt::format("{:.4g} KB", b / 1e3);
  return fmt::format("{:.4g} B", b);
}

// A figure DeepEP published for the same setting, to print beside the estimate.
struct Published {
  double gbps = 0.0;
  double latency_us = 0.0;  // low-latency kernels only
  std::string link;         // "NVLink" or "RDMA"
  std::string source;
};

// DeepEP's H800 tables (scenarios/reference/deepep_h800_*.csv, beside the cluster files)
// hold the figures of DeepEP's own test settings: 4096 tokens (normal) or 128 (low-latency),
// hidden 7168, top-8 of 256 experts, at most 4 nodes per token. The last row for an EP size
// is the newest revision. Targets only: nothing here feeds the estimate.
std::optional<Published> deepep_published(const std::string& cluster_path, const ClusterSpec& c,
                                          const CollectiveRequest& q) {
  const ExpertRouting& r = q.ep;
  const bool ll = r.kernel == EpKernel::kLowLatency;
  if (c.gpu != "H800" || r.hidden != 7168 || r.topk != 8 || r.experts != 256 || r.skew != 0.0 ||
      r.tokens != (ll ? 128 : 4096) || (!ll && r.max_nodes != 4)) {
    return std::nullopt;
  }
  namespace fs = std::filesystem;
  const fs::path file = fs::path(cluster_path).parent_path() / ".." / "reference" /
                        (ll ? "deepep_h800_low_latency.csv" : "deepep_h800_normal.csv");
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  const calibration::CsvTable t = calibration::CsvTable::load(file.string());
  const std::string p = q.op == CollectiveOp::kEpDispatch ? "dispatch_" : "combine_";
  std::optional<Published> found;
  for (std::size_t row = 0; row < t.rows(); ++row) {
    try {
      if (static_cast<int>(t.number(row, p + "ep")) != q.gpus) continue;
      Published pub;
      if (ll) {
        pub.gbps = t.number(row, p + "rdma_GBps");
        pub.latency_us = t.number(row, p + "latency_us");
        pub.link = "RDMA";
      } else {
        pub.gbps = t.number(row, p + "bottleneck_GBps");
        pub.link = t.text(row, p + "link");
      }
      pub.source = t.text(row, "source");
      found = pub;
    } catch (const UserError&) {
      continue;  // a malformed row is no comparison
    }
  }
  return found;
}

// The request the options describe on cluster `c`.
CollectiveRequest collective_request(const CollectiveOptions& o, const ClusterSpec& c) {
  CollectiveRequest q;
  const auto op = parse_collective_op(o.op);
  if (!op) {
    throw UserError(
        fmt::format("--op = '{}': expected all-reduce, reduce-scatter, all-gather, "
                    "all-to-all, p2p, ep-dispatch or ep-combine",
                    quote_value(o.op)));
  }
  q.op = *op;
  q.gpus = o.gpus > 0 ? o.gpus : c.gpus();
  q.per_node = o.per_node;
  q.concurrent = o.concurrent;
  q.algorithm =
      o.algorithm == "hierarchical" ? AllReduceAlgorithm::kHierarchical : AllReduceAlgorithm::kRing;
  if (is_expert_op(q.op)) {
    q.ep.tokens = o.tokens;
    q.ep.hidden = o.hidden;
    q.ep.topk = o.topk;
    q.ep.experts = o.experts;
    q.ep.max_nodes = o.max_nodes;
    q.ep.skew = o.skew;
    q.ep.kernel = o.kernel == "low-latency" ? EpKernel::kLowLatency : EpKernel::kNormal;
  } else {
    if (o.bytes.empty()) {
      throw UserError(fmt::format("--op {} needs --bytes SIZE", o.op));
    }
    q.bytes = parse_size(o.bytes);
  }
  return q;
}

// --mode as asked, or (auto) by the flow count; `why` says which and why.
CollectiveMode collective_mode(const std::string& asked, const CollectiveRequest& q,
                               const ClusterSpec& c, std::string& why) {
  CollectiveMode mode = CollectiveMode::kAuto;
  if (asked == "flow") mode = CollectiveMode::kFlow;
  if (asked == "analytical") mode = CollectiveMode::kAnalytical;
  validate_request(c, q);
  const std::size_t flows = estimated_flow_count(q, c.domain_gpus());
  if (mode == CollectiveMode::kAuto) {
    const std::size_t most = flow_mode_max_flows(c);
    const bool big = flows > most;
    mode = big ? CollectiveMode::kAnalytical : CollectiveMode::kFlow;
    why = fmt::format("auto: {} flows {} {}", flows, big ? ">" : "<=", most);
  } else {
    why = "as asked";
  }
  return mode;
}

nlohmann::ordered_json links_json(const CollectiveResult& r) {
  nlohmann::ordered_json links = nlohmann::ordered_json::array();
  for (const LinkLoad& l : r.busiest_links) {
    links.push_back({{"link", l.name},
                     {"tier", std::string(link_tier_name(l.tier))},
                     {"bytes", l.bytes},
                     {"busy_s", l.busy_s},
                     {"utilization", l.utilization}});
  }
  nlohmann::ordered_json tiers = nlohmann::ordered_json::array();
  for (const TierLoad& t : r.tiers) {
    tiers.push_back({{"tier", std::string(link_tier_name(t.tier))},
                     {"links_used", t.links_used},
                     {"bytes", t.bytes},
                     {"busiest_busy_s", t.busiest_busy_s},
                     {"utilization", t.utilization}});
  }
  return {{"busiest", links}, {"tiers", tiers}};
}

void print_links(const CollectiveResult& r) {
  if (r.analytical) {
    fmt::print("links: the closed form places no bytes on links; --mode flow lists them\n");
    return;
  }
  fmt::print("busiest links (busy = bytes / bandwidth; utilization = busy / the collective's "
             "time):\n");
  fmt::print("  {:<58} {:<11} {:>12} {:>12} {:>7}\n", "link", "tier", "bytes", "busy (us)",
             "util");
  for (const LinkLoad& l : r.busiest_links) {
    fmt::print("  {:<58} {:<11} {:>12} {:>12.4g} {:>6.1f}%\n", l.name, link_tier_name(l.tier),
               human_bytes(l.bytes), l.busy_s * 1e6, 100.0 * l.utilization);
  }
  fmt::print("per tier (its busiest link):\n");
  for (const TierLoad& t : r.tiers) {
    fmt::print("  {:<11} {:>6} links used {:>12} in all, busiest {:>10.4g} us busy {:>6.1f}%\n",
               link_tier_name(t.tier), t.links_used, human_bytes(t.bytes), t.busiest_busy_s * 1e6,
               100.0 * t.utilization);
  }
}

void print_json(const ClusterSpec& c, const CollectiveRequest& q, const CollectiveResult& r,
                const std::optional<Published>& published, double ours, bool links,
                const NcclPart& nccl) {
  nlohmann::ordered_json j;
  j["op"] = std::string(collective_op_name(q.op));
  j["gpus"] = q.gpus;
  j["bytes"] = r.bytes;
  j["time_s"] = r.time.seconds();
  j["links_time_s"] = nccl.links_s;
  j["nccl_overhead_s"] = nccl.seconds;
  if (!nccl.profile.empty()) j["nccl_sweep"] = {{"profile", nccl.profile}, {"source", nccl.sweep}};
  j["algbw_gbps"] = r.algbw_gbps;
  j["busbw_gbps"] = r.busbw_gbps;
  if (is_expert_op(q.op)) {
    j["nvlink_gbps"] = r.nvlink_gbps;
    j["rdma_gbps"] = r.rdma_gbps;
  }
  j["mode"] = r.analytical ? "analytical" : "flow";
  j["bottleneck"] = r.bottleneck;
  j["bottleneck_utilization"] = r.bottleneck_utilization;
  j["cluster"] = c.name;
  if (published) {
    j["published"] = {{"gbps", published->gbps},
                      {"link", published->link},
                      {"error", ours / published->gbps - 1.0},
                      {"source", published->source}};
  }
  if (!r.analytical) {
    j["flows"] = r.flows;
    j["events"] = r.events;
    if (links) j["links"] = links_json(r);
  }
  fmt::print("{}\n", j.dump(2));
}

// "all-reduce (ring)", "ep-dispatch (normal kernel; ...)": the operation as the table heads it.
std::string describe_op(const CollectiveRequest& q) {
  std::string what = std::string(collective_op_name(q.op));
  if (q.op == CollectiveOp::kAllReduce)
    what += q.algorithm == AllReduceAlgorithm::kHierarchical ? " (hierarchical)" : " (ring)";
  if (is_expert_op(q.op)) {
    what += fmt::format(
        " ({} kernel; {} tokens/GPU, hidden {}, top-{} of {} experts, <= {} "
        "nodes{})",
        q.ep.kernel == EpKernel::kLowLatency ? "low-latency" : "normal", q.ep.tokens, q.ep.hidden,
        q.ep.topk, q.ep.experts, q.ep.max_nodes,
        q.ep.skew > 0 ? fmt::format(", Zipf skew {}", q.ep.skew) : "");
  }
  return what;
}

void print_table(const ClusterSpec& c, const CollectiveRequest& q, const CollectiveResult& r,
                 const std::string& why, const std::optional<Published>& published, double ours) {
  fmt::print(
      "cluster: {} ({}, {} nodes x {} GPUs{}, {}; NVLink {:.4g} GB/s, NIC {:.4g} GB/s x {:.2g} "
      "achievable)\n",
      c.name, c.gpu, c.nodes, c.gpus_per_node,
      c.domain_gpus() != c.gpus_per_node
          ? fmt::format(" in NVLink domains of {} GPUs", c.domain_gpus())
          : "",
      topology_kind_name(c.topology), c.nvlink_gbps, c.nic_gbps, c.nic_efficiency);
  fmt::print("op: {} over {} GPUs\n", describe_op(q), q.gpus);
  fmt::print("mode: {} ({})\n", r.analytical ? "analytical (closed form)" : "flow (max-min)", why);
  fmt::print("{:>14} {:>14} {:>14} {:>14}\n", "size", "time (us)", "algbw (GB/s)", "busbw (GB/s)");
  fmt::print("{:>14} {:>14.6g} {:>14.4g} {:>14.4g}\n", human_bytes(r.bytes), r.time.us(),
             r.algbw_gbps, r.busbw_gbps);
  if (is_expert_op(q.op)) {
    fmt::print("DeepEP bandwidth per GPU: NVLink {:.4g} GB/s, RDMA {:.4g} GB/s\n", r.nvlink_gbps,
               r.rdma_gbps);
    if (published) {
      fmt::print("DeepEP published ({}): {} {:.4g} GB/s{}; llmsim {:.4g} GB/s ({:+.1f}%)\n",
                 published->source, published->link, published->gbps,
                 published->latency_us > 0 ? fmt::format(" in {:.4g} us (llmsim {:.4g} us)",
                                                         published->latency_us, r.time.us())
                                           : "",
                 ours, 100.0 * (ours / published->gbps - 1.0));
    }
  }
  fmt::print("bottleneck: {}, utilization {:.1f}%\n", r.bottleneck,
             100.0 * r.bottleneck_utilization);
  if (!r.analytical) {
    fmt::print("flows: {}, events: {}, rate solves: {}\n", r.flows, r.events, r.rate_solves);
  }
}

// --cluster: a catalog name (scenarios/clusters/NAME.yaml) or a cluster file.
std::string cluster_file(const std::string& name) {
  const std::string path = find_cluster_file(name, "", default_data_dir());
  if (!path.empty()) return path;
  const std::vector<std::string> known = catalog_clusters(default_data_dir());
  throw UserError(fmt::format("--cluster = '{}': no such cluster file or catalog name{} (known: {})",
                              quote_value(name), did_you_mean_clause(name, known),
                              fmt::join(known, ", ")));
}

// --calibration: "auto" (the cluster GPU's published profile, when one ships), "none", or a
// profile file. Returns the profile holding an nccl-tests sweep, if any.
std::optional<calibration::Profile> sweep_profile(const std::string& choice, const ClusterSpec& c) {
  if (choice == "none") return std::nullopt;
  std::string path = choice;
  if (choice == "auto") {
    std::string gpu = c.gpu;
    for (char& ch : gpu) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    path = (std::filesystem::path(default_data_dir()) / "calibration" / (gpu + "-published.yaml"))
               .string();
    if (!std::filesystem::exists(path)) return std::nullopt;
  }
  calibration::Profile p;
  try {
    p = calibration::load_profile(path);
  } catch (const UserError& e) {
    throw UserError(fmt::format("--calibration = '{}': {}", quote_value(choice), e.what()));
  }
  if (!p.collectives) {
    if (choice == "auto") return std::nullopt;
    throw UserError(fmt::format("--calibration = '{}': the profile has no nccl-tests sweep "
                                "(`collectives`); allowed: auto, none or a profile with one",
                                quote_value(choice)));
  }
  return p;
}

// Adds NCCL's overhead to `r` (time, algbw, busbw) when the profile's sweep covers `q`.
NcclPart add_nccl_overhead(const std::optional<calibration::Profile>& p, const ClusterSpec& c,
                           const CollectiveRequest& q, CollectiveMode mode, CollectiveResult& r) {
  NcclPart part;
  part.links_s = r.time.seconds();
  if (!p) return part;
  part.seconds = nccl_overhead_seconds(*p->collectives, q, c.gpus_per_node);
  if (!(part.seconds > 0.0)) return part;
  // The network model's own latency (its time for one byte) is in the sweep's excess already.
  CollectiveRequest one = q;
  one.bytes = 1.0;
  part.seconds = std::max(0.0, part.seconds - run_collective(c, one, mode).time.seconds());
  part.profile = p->name;
  part.sweep = p->collectives->source;
  r.time = SimTime::from_seconds(part.links_s + part.seconds);
  r.algbw_gbps = r.bytes / r.time.seconds() / 1e9;
  r.busbw_gbps = r.algbw_gbps * bus_factor(q.op, q.gpus);
  r.bottleneck_utilization *= part.links_s / r.time.seconds();
  return part;
}

void print_nccl_part(const NcclPart& n, const std::string& choice) {
  if (n.profile.empty()) {
    fmt::print("NCCL: not added ({}; the time is the links' rates alone)\n",
               choice == "none" ? "--calibration none"
                                : "no nccl-tests sweep applies to this collective or GPU");
    return;
  }
  fmt::print("NCCL: {:.4g} us at the links' rates + {:.4g} us beyond them, per ring step from "
             "{} ({}); --calibration none: the links alone\n",
             n.links_s * 1e6, n.seconds * 1e6, n.profile, n.sweep);
}

void run(const CollectiveOptions& o) {
  const std::string path = cluster_file(o.cluster);
  const ClusterSpec c = load_cluster_file(path);
  const CollectiveRequest q = collective_request(o, c);
  std::string why;
  const CollectiveMode mode = collective_mode(o.mode, q, c, why);
  CollectiveResult r = run_collective(c, q, mode);
  const NcclPart nccl = add_nccl_overhead(sweep_profile(o.calibration, c), c, q, mode, r);
  const std::optional<Published> published =
      is_expert_op(q.op) ? deepep_published(path, c, q) : std::nullopt;
  const double ours = published && published->link == "NVLink" ? r.nvlink_gbps : r.rdma_gbps;

  if (o.json) {
    print_json(c, q, r, published, ours, o.links, nccl);
    return;
  }
  print_table(c, q, r, why, published, ours);
  if (!is_expert_op(q.op)) print_nccl_part(nccl, o.calibration);
  if (o.links) print_links(r);
}

}  // namespace

void add_collective_command(CLI::App& app) {
  auto o = std::make_shared<CollectiveOptions>();
  CLI::App* cmd = app.add_subcommand(
      "collective",
      "Time one collective or MoE all-to-all on a cluster: nccl-tests' algbw and busbw, the "
      "bottleneck link, and for ep-dispatch / ep-combine DeepEP's per-GPU NVLink and RDMA "
      "bandwidth. Flow-level simulation (max-min fair sharing) by default; plans with more "
      "than 4096 flows (e.g. all-to-all over more than 64 GPUs; on fat-trees, 70000) switch "
      "to the closed-form analytical model automatically, and the output says which mode ran.");
  cmd->add_option("--cluster", o->cluster, "cluster: a catalog name (h800, h100, a100, ...: "
                  "scenarios/clusters/NAME.yaml) or a cluster YAML file")->required();
  cmd->add_option("--op", o->op,
                  "all-reduce | reduce-scatter | all-gather | all-to-all | p2p | ep-dispatch | "
                  "ep-combine")
      ->required();
  cmd->add_option("--gpus", o->gpus, "group size: GPUs 0..N-1 (default: the whole cluster)");
  cmd->add_option("--per-node", o->per_node,
                  "group members per node (default: whole nodes); 1: one GPU on each of --gpus "
                  "nodes, as a data-parallel group under TP 8")
      ->check(CLI::Range(0, 1 << 20));
  cmd->add_option("--concurrent", o->concurrent,
                  "identical groups at once on the same nodes, each on the next --per-node GPUs "
                  "of every node (e.g. --per-node 1 --concurrent 8: the 8 data-parallel groups of "
                  "TP 8 reducing together, sharing the nodes' uplinks); default 1")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--bytes", o->bytes,
                  "per-GPU size as nccl-tests counts it, e.g. 1GiB, 256MB, 4096 (units: B, KB, MB, "
                  "GB, TB, KiB, MiB, GiB, TiB; bare: bytes)");
  cmd->add_option("--algorithm", o->algorithm, "all-reduce algorithm: ring | hierarchical")
      ->check(CLI::IsMember({"ring", "hierarchical"}));
  cmd->add_option("--mode", o->mode,
                  "auto (flow up to 4096 flows, 70000 on fat-trees; analytical above) | flow | "
                  "analytical")
      ->check(CLI::IsMember({"auto", "flow", "analytical"}));
  cmd->add_option("--tokens", o->tokens, "EP: tokens per GPU (default 4096)");
  cmd->add_option("--hidden", o->hidden, "EP: hidden size (default 7168)");
  cmd->add_option("--topk", o->topk, "EP: experts per token (default 8)");
  cmd->add_option("--experts", o->experts, "EP: routed experts over the group (default 256)");
  cmd->add_option("--max-nodes", o->max_nodes,
                  "EP: node-limited routing, nodes per token (default 4)");
  cmd->add_option("--skew", o->skew, "EP: Zipf exponent of expert popularity (default 0: uniform)");
  cmd->add_option("--kernel", o->kernel, "EP: DeepEP kernel, normal | low-latency")
      ->check(CLI::IsMember({"normal", "low-latency"}));
  cmd->add_flag("--json", o->json, "print JSON instead of a table");
  cmd->add_flag("--links", o->links,
                "also list the busiest links (name, tier, bytes, busy time, utilization) and "
                "each tier's busiest link (flow mode; JSON: under \"links\")");
  cmd->add_option("--calibration", o->calibration,
                  "where NCCL's time beyond the links' rates comes from (all-reduce, "
                  "reduce-scatter, all-gather): auto (the cluster GPU's published profile, "
                  "scenarios/calibration/GPU-published.yaml, and its nccl-tests sweep), none "
                  "(the links' rates alone), or a profile file")
      ->capture_default_str();
  cmd->callback([o] { run(*o); });
}

}  // namespace llmsim::cli
