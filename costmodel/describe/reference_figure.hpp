#pragma once
// A published figure, as data: what it measures (a quantity with its unit), the value, the
// conditions it was measured under, and where it was published. A figure is shown beside our
// estimate only while the scenario still meets every condition (see matches() below); the
// quantity, not the figure's wording, says which of our numbers it is compared with.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "costmodel/account/flop_conventions.hpp"

namespace llmsim {

enum class FigureQuantity {
  kStepTime,                   // s, one step of the figure's phase (default: the first)
  kMfuBf16,                    // percent of the dense BF16 peak, causal attention, first phase
  kTflopsPerGpu,               // 1e12 FLOP/s per GPU, first phase
  kTokensPerSecond,            // tokens/s, whole cluster, first phase
  kPhaseGpuHours,              // GPU-hours of the phases named by `phases`, summed
  kPhaseCost,                  // USD of the phases named by `phases`, summed
  kTotalGpuHours,              // GPU-hours, all phases
  kTotalCost,                  // USD, all phases
  kGpuHoursPerTrillionTokens,  // GPU-hours per 1e12 tokens, first phase
  kDaysPerTrillionTokens,      // wall-clock days per 1e12 tokens, first phase
  // Utilization conventions other than mfu_bf16's (percent, first phase): model FLOPs with
  // full (non-causal) attention, as Megatron-LM, Korthikanti et al. and MosaicML count them;
  // hardware FLOPs (model + recomputed forward); model FLOPs against the FP8 peak.
  kMfuBf16FullAttention,
  kHfuBf16,
  kMfuFp8,
  // Peak memory per GPU (GiB, first phase): the worst rank, allocator reserve included, beside a
  // published peak of the caching allocator's reserved memory (torchtitan's "Memory(GiB)":
  // torch.cuda.max_memory_reserved, the maximum over the GPUs).
  kPeakMemoryGib,
  // Serving (llmsim serve): at each deployment's capacity.
  kPrefillInputTokensPerNode,  // tokens/s per node, prompt tokens incl. cache hits
  kDecodeOutputTokensPerNode,  // tokens/s per node
  kNodesForDailyVolume,        // nodes serving the scenario's daily volume
  kServingCostPerDay,          // USD per day for those nodes
  kServingRevenuePerDay,       // USD per day for the daily volume at the scenario's prices
};
bool is_serving_quantity(FigureQuantity q);
// A quantity that counts FLOPs (tflops_per_gpu, mfu_bf16, hfu_bf16, mfu_fp8): one a publisher's
// FLOP convention applies to. mfu_bf16_full_attention is not: it names llmsim's own
// full-attention count.
bool counts_flops(FigureQuantity q);
std::string_view figure_quantity_name(FigureQuantity q);  // "mfu_bf16"
std::string_view figure_quantity_unit(FigureQuantity q);  // "percent"
std::optional<FigureQuantity> parse_figure_quantity(std::string_view name);
std::string figure_quantity_list();  // for error messages

// The conditions a figure holds under; an absent field does not constrain. Phase-level
// conditions (gpus, tokens, seq_len, plan) apply to each of the figure's phases; `tokens` to
// their sum.
struct FigureConditions {
  std::optional<std::string> model;      // the model's name, case-insensitive ("DeepSeek-V3")
  std::optional<std::string> gpu;        // the GPU type ("H800")
  std::optional<int> gpus;               // GPUs the job runs on
  std::optional<std::string> precision;  // "fp8", "bf16", "fp16"
  std::optional<double> tokens;          // tokens trained (the phase's, or the run's total)
  std::optional<std::int64_t> seq_len;
  std::optional<int> tp, pp, dp, ep, cp;
  std::optional<std::string> schedule;   // "dualpipe", "interleaved", ...
  std::optional<double> usd_per_gpu_hour;
  // Serving: each role's deployment (nodes, expert parallelism) and the daily volume.
  std::optional<int> prefill_nodes, decode_nodes, prefill_ep, decode_ep;
  std::optional<double> daily_input_tokens, daily_output_tokens;
};

struct ReferenceFigure {
  std::string id;          // unique in the scenario ("v3-pretrain-gpu-hours")
  std::string name;        // shown in tables ("pre-training GPU hours")
  FigureQuantity quantity = FigureQuantity::kTotalGpuHours;
  // The phases the figure covers. Phase quantities: those summed (required). Totals: every
  // phase the published total includes (empty: whatever the scenario has); a scenario without
  // one of them does not describe the same run. Step and per-trillion quantities: the one
  // phase measured (empty: the first).
  std::vector<std::string> phases;
  double value = 0.0;      // in figure_quantity_unit(quantity)
  // How the publisher counted the FLOPs of a TFLOP/s, MFU or HFU figure: our step time is
  // converted to that count (account/flop_conventions) before the two are compared. kOpt: never
  // published, so the figure is shown and not compared. Other quantities: always kLlmsim.
  FlopConvention convention = FlopConvention::kLlmsim;
  FigureConditions conditions;
  std::string source;      // where it was published (paper, table, page)
};

}  // namespace llmsim
