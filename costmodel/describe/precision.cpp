#include "costmodel/describe/precision.hpp"

namespace llmsim {

std::string_view precision_name(Precision p) {
  switch (p) {
    case Precision::kFP8: return "fp8";
    case Precision::kBF16: return "bf16";
    case Precision::kFP16: return "fp16";
    case Precision::kFP32: return "fp32";
  }
  return "?";
}

double precision_bytes(Precision p) {
  switch (p) {
    case Precision::kFP8: return 1.0;
    case Precision::kBF16:
    case Precision::kFP16: return 2.0;
    case Precision::kFP32: return 4.0;
  }
  return 0.0;
}

std::string_view PrecisionRecipe::name() const {
  switch (kind) {
    case RecipeKind::kFP8DeepSeek: return "fp8";
    case RecipeKind::kBF16: return "bf16";
    case RecipeKind::kFP16: return "fp16";
  }
  return "?";
}

PrecisionRecipe make_recipe(RecipeKind kind) {
  PrecisionRecipe r;
  r.kind = kind;
  switch (kind) {
    case RecipeKind::kFP8DeepSeek:
      // DeepSeek-V3 report s3.3.1 (FP8 GEMMs, BF16 elsewhere), s3.3.3 (BF16 moments, FP32
      // master weights and gradients, FP8-cached activations, FP8 dispatch / BF16 combine).
      r.linear_gemm = Precision::kFP8;
      r.other = Precision::kBF16;
      r.weight_bytes = 2.0;  // BF16 compute copy, quantized to FP8 128x128 blocks per GEMM
      r.grad_bytes = 4.0;
      r.master_bytes = 4.0;
      r.moment_bytes = 2.0;
      r.linear_input_bytes = 1.0;
      r.dispatch_bytes = 1.0;
      r.combine_bytes = 2.0;
      break;
    case RecipeKind::kBF16:
    case RecipeKind::kFP16:
      r.linear_gemm = kind == RecipeKind::kBF16 ? Precision::kBF16 : Precision::kFP16;
      r.other = r.linear_gemm;
      break;
  }
  return r;
}

}  // namespace llmsim
