#include "costmodel/describe/reference_figure.hpp"

#include <array>
#include <utility>

namespace llmsim {

namespace {

struct QuantityRow {
  FigureQuantity quantity;
  std::string_view name;
  std::string_view unit;
};

constexpr std::array<QuantityRow, 20> kQuantities = {{
    {FigureQuantity::kStepTime, "step_time", "s"},
    {FigureQuantity::kMfuBf16, "mfu_bf16", "percent"},
    {FigureQuantity::kTflopsPerGpu, "tflops_per_gpu", "TFLOPS"},
    {FigureQuantity::kTokensPerSecond, "tokens_per_second", "tokens/s"},
    {FigureQuantity::kPhaseGpuHours, "phase_gpu_hours", "GPU-hours"},
    {FigureQuantity::kPhaseCost, "phase_cost", "USD"},
    {FigureQuantity::kTotalGpuHours, "total_gpu_hours", "GPU-hours"},
    {FigureQuantity::kTotalCost, "total_cost", "USD"},
    {FigureQuantity::kGpuHoursPerTrillionTokens, "gpu_hours_per_trillion_tokens", "GPU-hours"},
    {FigureQuantity::kDaysPerTrillionTokens, "days_per_trillion_tokens", "days"},
    {FigureQuantity::kMfuBf16FullAttention, "mfu_bf16_full_attention", "percent"},
    {FigureQuantity::kHfuBf16, "hfu_bf16", "percent"},
    {FigureQuantity::kMfuFp8, "mfu_fp8", "percent"},
    {FigureQuantity::kPeakMemoryGib, "peak_memory_gib", "GiB"},
    {FigureQuantity::kPrefillInputTokensPerNode, "prefill_input_tokens_per_s_per_node", "tokens/s"},
    {FigureQuantity::kDecodeOutputTokensPerNode, "decode_output_tokens_per_s_per_node", "tokens/s"},
    {FigureQuantity::kNodesForDailyVolume, "nodes_for_daily_volume", "nodes"},
    {FigureQuantity::kServingCostPerDay, "serving_cost_per_day", "USD"},
    {FigureQuantity::kServingRevenuePerDay, "serving_revenue_per_day", "USD"},
    {FigureQuantity::kStepTime, "", ""},  // sentinel, never matched by name
}};

const QuantityRow& row(FigureQuantity q) {
  for (const QuantityRow& r : kQuantities) {
    if (r.quantity == q) return r;
  }
  return kQuantities.back();
}

}  // namespace

std::string_view figure_quantity_name(FigureQuantity q) { return row(q).name; }
std::string_view figure_quantity_unit(FigureQuantity q) { return row(q).unit; }

bool is_serving_quantity(FigureQuantity q) {
  return q == FigureQuantity::kPrefillInputTokensPerNode ||
         q == FigureQuantity::kDecodeOutputTokensPerNode ||
         q == FigureQuantity::kNodesForDailyVolume || q == FigureQuantity::kServingCostPerDay ||
         q == FigureQuantity::kServingRevenuePerDay;
}

bool counts_flops(FigureQuantity q) {
  return q == FigureQuantity::kTflopsPerGpu || q == FigureQuantity::kMfuBf16 ||
         q == FigureQuantity::kHfuBf16 || q == FigureQuantity::kMfuFp8;
}

std::optional<FigureQuantity> parse_figure_quantity(std::string_view name) {
  for (const QuantityRow& r : kQuantities) {
    if (!r.name.empty() && r.name == name) return r.quantity;
  }
  return std::nullopt;
}

std::string figure_quantity_list() {
  std::string out;
  for (const QuantityRow& r : kQuantities) {
    if (r.name.empty()) continue;
    out += (out.empty() ? "" : ", ") + std::string(r.name);
  }
  return out;
}

}  // namespace llmsim
