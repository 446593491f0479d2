#pragma once
// Reads a scenario's `serving:` workload (describe/serving.hpp, ServingWorkload):
//
//   serving:
//     deployments:                 # one colocated, or a prefill and a decode deployment
//       - name: decode
//         role: decode             # colocated | prefill | decode
//         nodes: 18
//         tp: 1                    # attention / dense-FFN tensor parallelism
//         ep: 144                  # expert parallelism (default: all GPUs of the deployment)
//         redundant_experts: 32
//         expert_imbalance: 1.0    # routed tokens on the busiest GPU / the mean (1: balanced)
//         micro_batches: 2         # two overlapped micro-batches
//         comm_sms: 0
//         ep_kernel: low-latency   # normal | low-latency (DeepEP)
//         mtp: {depth: 1, acceptance: 0.85}
//         precision: {weights: fp8, compute: fp8, kv_cache: bf16}
//         scheduler: {max_batch: 256, token_budget: 8192, prefill_chunk: 0,
//                     kv_block_tokens: 64, activation_reserve_gib: 4}
//     traffic: {arrivals: poisson, requests_per_s: 100, prompt_tokens: 2000, output_tokens: 500,
//               lengths: exponential, cache_hit_rate: 0.5, requests: 10000, seed: 1}
//                                  # or {arrivals: trace, trace_file: azure.csv, rate_scale: 2}
//     targets: {ttft_s: 2.0, tpot_s: 0.05}
//     prices: {usd_per_m_input_cache_hit: 0.14, usd_per_m_input_cache_miss: 0.55,
//              usd_per_m_output: 2.19}
//     daily_volume: {input_tokens: 608e9, output_tokens: 168e9}
//
// Errors name file, line and field.

#include <string>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"

namespace llmsim {

// `base_dir` resolves a relative trace_file; deployments are checked against the model (heads
// over TP, experts over EP, MTP depth) and the cluster's GPUs per node.
ServingWorkload read_serving(YamlMap& m, const std::string& base_dir, const ModelSpec& model,
                             int gpus_per_node);

}  // namespace llmsim
