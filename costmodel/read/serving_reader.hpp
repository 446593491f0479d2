#pragma once
// Reads a scenario's `serving:` workload (describe/scenario.hpp, ServingWorkload):
//
//   serving:
//     deployments:                 # one colocated, or a prefill and a decode deployment
//       - {name: prefill, role: prefill, nodes: 4}
//       - {name: decode, role: decode, nodes: 18}
//     traffic: {arrivals: poisson, requests_per_s: 100, prompt_tokens: 2000, output_tokens: 500}
//                                  # or {arrivals: trace, trace_file: azure.csv}
//     targets: {ttft_s: 2.0, tpot_s: 0.05}
//
// The serving estimate and the rest of its fields (per-deployment layout, scheduler, prices)
// come with the serving issue. Errors name file, line and field.

#include <string>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"

namespace llmsim {

// `base_dir` resolves a relative trace_file.
ServingWorkload read_serving(YamlMap& m, const std::string& base_dir);

}  // namespace llmsim
