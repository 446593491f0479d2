#pragma once
// The requests a serving simulation replays: arrival times and prompt / output lengths, drawn
// from the traffic description (Poisson or bursty arrivals at a rate, fixed or exponential
// lengths) or read from a trace file in the Azure LLM inference trace's format
// (TIMESTAMP,ContextTokens,GeneratedTokens; scenarios/reference/azure_llm_inference_2023/).
//
// Deterministic: the random numbers come from std::mt19937_64, whose output the C++ standard
// fixes, turned into exponential and gamma variates here (the standard's distributions are
// implementation-defined), so a seed gives the same requests with any library.

#include <cstdint>
#include <vector>

#include "costmodel/describe/serving.hpp"

namespace llmsim {

struct ServingRequest {
  double arrival_s = 0.0;
  std::int64_t prompt = 0;  // prompt tokens, cache hits included
  std::int64_t cached = 0;  // of which found in the prefix cache (not computed)
  std::int64_t output = 0;  // tokens generated (>= 1)
};

// `rate_scale` multiplies the arrival rate (the capacity search's knob). Requests in arrival
// order. Throws UserError naming the trace file's line on a bad row.
std::vector<ServingRequest> make_requests(const ServingTraffic& t, double rate_scale = 1.0);

}  // namespace llmsim
