// DeepEP's dispatch and combine on the H800 cluster against DeepEP's published bandwidths
// (scenarios/reference/deepep_h800_*.csv, copied from github.com/deepseek-ai/DeepEP README).
// The CSVs are read here only, as targets; the estimate derives from the cluster file.

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "costmodel/time/calibration/csv_table.hpp"
#include "costmodel/read/cluster_file.hpp"
#include "sim/collectives/collective_runner.hpp"
#include "sim/collectives/ep_routing.hpp"

namespace llmsim {
namespace {

// A reference CSV as rows of named fields (costmodel's reader: quotes, "" escapes).
std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
  const calibration::CsvTable t = calibration::CsvTable::load(path);
  std::vector<std::map<std::string, std::string>> rows(t.rows());
  for (const char* column : {"readme_commit", "source", "dispatch_ep", "combine_ep",
                             "dispatch_bottleneck_GBps", "combine_bottleneck_GBps",
                             "dispatch_link", "combine_link", "dispatch_rdma_GBps",
                             "combine_rdma_GBps", "dispatch_latency_us", "combine_latency_us"}) {
    if (!t.has_column(column)) continue;
    for (std::size_t r = 0; r < t.rows(); ++r) rows[r][column] = t.text(r, column);
  }
  return rows;
}

CollectiveResult ep(CollectiveOp op, int gpus, int tokens, EpKernel kernel) {
  const ClusterSpec c = load_cluster_file(LLMSIM_SOURCE_DIR "/scenarios/clusters/h800.yaml");
  CollectiveRequest q;
  q.op = op;
  q.gpus = gpus;
  q.ep.tokens = tokens;  // hidden 7168, top-8 of 256 experts, <= 4 nodes: the defaults
  q.ep.kernel = kernel;
  return run_collective(c, q, CollectiveMode::kFlow);
}

TEST_CASE("DeepEP: expected routing counts match the hypergeometric hand calculation",
          "[network]") {
  // EP8 on one node, 32 experts per GPU: a token misses a GPU with probability
  // prod_{i<8} (224 - i) / (256 - i) = 0.33817, so it reaches 8 * 0.66183 = 5.29 GPUs.
  ExpertRouting r;
  const auto h = expert_hit_probabilities(r, 8, 8);
  CHECK(h.rank[0] == Approx(0.66183).epsilon(1e-4));
  // EP64 over 8 nodes, at most 4 per token: a node is chosen with probability 1/2 and then
  // missed with prod_{i<8} (96 - i) / (128 - i) = 0.09275.
  const auto h64 = expert_hit_probabilities(r, 64, 8);
  CHECK(h64.node[3] == Approx(0.5 * (1 - 0.09275)).epsilon(1e-3));
  // Skew moves load to the first experts' GPU.
  r.skew = 1.0;
  const auto skewed = expert_hit_probabilities(r, 8, 8);
  CHECK(skewed.rank[0] > skewed.rank[7]);
}

TEST_CASE("DeepEP: normal-kernel bandwidths are within 15% of DeepEP's H800 figures", "[network]") {
  // The current figures (DeepEP README @ 3b1045d, unchanged through the 2026 V1 docs).
  int checked = 0;
  fmt::print(
      "DeepEP normal kernels on H800, 4096 tokens, hidden 7168, top-8, FP8 dispatch, "
      "BF16 combine\n{:<10} {:>4} {:>8} {:>10} {:>10} {:>8}\n",
      "kernel", "EP", "link", "DeepEP", "llmsim", "error");
  for (const auto& row :
       read_csv(LLMSIM_SOURCE_DIR "/scenarios/reference/deepep_h800_normal.csv")) {
    if (row.at("readme_commit") != "3b1045d") continue;
    for (const bool dispatch : {true, false}) {
      const std::string p = dispatch ? "dispatch_" : "combine_";
      const int epsize = std::stoi(row.at(p + "ep"));
      const double published = std::stod(row.at(p + "bottleneck_GBps"));
      const bool rdma = row.at(p + "link") == "RDMA";
      const auto r = ep(dispatch ? CollectiveOp::kEpDispatch : CollectiveOp::kEpCombine, epsize,
                        4096, EpKernel::kNormal);
      const double ours = rdma ? r.rdma_gbps : r.nvlink_gbps;
      const double err = ours / published - 1.0;
      fmt::print("{:<10} {:>4} {:>8} {:>10.4g} {:>10.4g} {:>+7.1f}%\n",
                 dispatch ? "dispatch" : "combine", epsize, rdma ? "RDMA" : "NVLink", published,
                 ours, 100 * err);
      INFO(fmt::format("EP{} {}: DeepEP {} GB/s, llmsim {:.4g} GB/s", epsize, p, published, ours));
      CHECK(std::abs(err) <= 0.15);
      ++checked;
    }
  }
  CHECK(checked == 8);  // EP8, 16, 32, 64, dispatch and combine
}

TEST_CASE("DeepEP: low-latency kernels reported beside DeepEP's figures", "[network]") {
  // Compared, not asserted: the model has no per-message or kernel-launch cost, which
  // dominates at 128 tokens. DeepEP README @ d8dd185 (NVLink where possible).
  fmt::print(
      "DeepEP low-latency kernels on H800, 128 tokens, hidden 7168, top-8\n"
      "{:<10} {:>4} {:>12} {:>12} {:>12} {:>12} {:>8}\n",
      "kernel", "EP", "DeepEP us", "llmsim us", "DeepEP GB/s", "llmsim GB/s", "error");
  int shown = 0;
  for (const auto& row :
       read_csv(LLMSIM_SOURCE_DIR "/scenarios/reference/deepep_h800_low_latency.csv")) {
    if (row.at("readme_commit") != "d8dd185") continue;
    for (const bool dispatch : {true, false}) {
      const std::string p = dispatch ? "dispatch_" : "combine_";
      const int epsize = std::stoi(row.at(p + "ep"));
      if (epsize > 256) continue;
      const auto r = ep(dispatch ? CollectiveOp::kEpDispatch : CollectiveOp::kEpCombine, epsize,
                        128, EpKernel::kLowLatency);
      const double published = std::stod(row.at(p + "rdma_GBps"));
      fmt::print("{:<10} {:>4} {:>12} {:>12.4g} {:>12} {:>12.4g} {:>+7.1f}%\n",
                 dispatch ? "dispatch" : "combine", epsize, row.at(p + "latency_us"), r.time.us(),
                 published, r.rdma_gbps, 100 * (r.rdma_gbps / published - 1.0));
      CHECK(r.rdma_gbps > 0.0);
      ++shown;
    }
  }
  CHECK(shown == 12);
}

}  // namespace
}  // namespace llmsim
