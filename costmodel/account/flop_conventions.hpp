#pragma once
// A training step's FLOPs as each publisher of TFLOP/s and MFU figures counts them. The groups
// that publish these figures count differently (three or four passes, attention halved for
// causality or not, embeddings in or out, recomputation in or out), so a published figure is
// comparable only with llmsim's step time counted its way: our step time, the convention's
// FLOPs, the convention's peak. scenarios/validation/README.md ("FLOP / MFU conventions")
// lists them with consistency checks, which tests/costmodel/account/flop_conventions_test.cpp
// repeats by hand.
//
//   const ConventionFlops f = convention_flops(FlopConvention::kMeg3, model, step);
//   f.model_flops / step_time_s / gpus;  // the step's TFLOP/s per GPU as Megatron 2021 counts it

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/model_spec.hpp"

namespace llmsim {

enum class FlopConvention {
  kLlmsim,  // llmsim's own: every GEMM of the account, causal attention, no recomputation
  kMeg3,    // Megatron-LM 2021, eq.(3) (also BLOOM's Megatron-DeepSpeed log)
  kKor,     // Korthikanti et al. 2022, MFU and HFU
  kMos,     // MosaicML llm-foundry
  kTt,      // torchtitan
  kNemo,    // NeMo / Megatron-Bridge "Model TFLOP/sec/GPU"
  kOpt,     // OPT-175B: a TFLOP/s figure whose FLOP count was not published
};

std::string_view flop_convention_name(FlopConvention c);  // "meg3", as in scenario files
std::string_view flop_convention_tag(FlopConvention c);   // "MEG3", as in figure names
// One line: what the convention counts and where it is defined.
std::string_view flop_convention_summary(FlopConvention c);
std::optional<FlopConvention> parse_flop_convention(std::string_view name);
std::vector<std::string> flop_convention_names();  // in the enum's order, for error messages
// False for a convention whose FLOP count was never published (OPT): its figures are shown,
// never compared.
bool is_published_convention(FlopConvention c);

// One training step of the whole cluster.
struct ConventionStep {
  std::int64_t sequences = 0;  // global batch, sequences per step
  std::int64_t seq_len = 0;    // tokens per sequence
  RecomputePolicy recompute = RecomputePolicy::kNone;
  int tp = 1;                  // tensor parallelism: Megatron pads the vocabulary by it
};

// FLOPs of one step, whole cluster, as the convention counts them.
struct ConventionFlops {
  double model_flops = 0.0;     // what its TFLOP/s and MFU figures count
  double hardware_flops = 0.0;  // what its HFU figures count (recomputation included)
};

// Throws InternalError for a convention that was never published (kOpt). For kLlmsim the
// hardware count is the model count: llmsim's own HFU takes the recomputed forward from the
// operator account of the plan (StepResult::hardware_flops), which this function does not see.
ConventionFlops convention_flops(FlopConvention c, const ModelSpec& m, const ConventionStep& step);

}  // namespace llmsim
