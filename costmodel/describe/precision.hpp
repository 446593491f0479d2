#pragma once
// PrecisionRecipe: the precision each kind of tensor is computed and stored in.
// fp8: DeepSeek-V3's recipe (report s3.3): FP8 (E4M3) Fprop, Dgrad and Wgrad for linear
//   layers with FP8-cached linear inputs; embedding, output head, MoE gating, norms and the
//   attention core in BF16; FP32 master weights and weight gradients; BF16 AdamW moments
//   (s3.3.3); FP8 dispatch, BF16 combine.
// bf16 / fp16: classic mixed precision (ZeRO paper, Rajbhandari et al. 2020, s3.1): 16-bit
//   weights, gradients and activations; FP32 master weights and both moments.

#include <string>
#include <string_view>

namespace llmsim {

enum class Precision { kFP8, kBF16, kFP16, kFP32 };
std::string_view precision_name(Precision p);
double precision_bytes(Precision p);

enum class RecipeKind { kFP8DeepSeek, kBF16, kFP16 };

struct PrecisionRecipe {
  RecipeKind kind = RecipeKind::kBF16;
  Precision linear_gemm = Precision::kBF16;  // linear-layer GEMMs (all three passes)
  Precision other = Precision::kBF16;        // embedding, head, gating, norms, attention core
  double weight_bytes = 2.0;         // compute copy of a parameter
  double grad_bytes = 2.0;           // weight gradient kept per parameter
  double master_bytes = 4.0;         // optimizer's master copy
  double moment_bytes = 4.0;         // each of AdamW's two moments
  double linear_input_bytes = 2.0;   // a linear layer's input cached for its backward
  double dispatch_bytes = 2.0;       // per element sent by the MoE dispatch
  double combine_bytes = 2.0;        // per element sent by the MoE combine

  std::string_view name() const;
  double optimizer_bytes() const { return master_bytes + 2 * moment_bytes; }
};

// The recipe of each kind, with the byte counts above.
PrecisionRecipe make_recipe(RecipeKind kind);

}  // namespace llmsim
