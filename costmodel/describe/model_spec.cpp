#include "costmodel/describe/model_spec.hpp"

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

std::string_view attention_kind_name(AttentionKind k) {
  switch (k) {
    case AttentionKind::kMHA: return "mha";
    case AttentionKind::kGQA: return "gqa";
    case AttentionKind::kMLA: return "mla";
  }
  return "?";
}

std::string_view mlp_kind_name(MlpKind k) {
  return k == MlpKind::kSwiGLU ? "swiglu" : "gelu";
}

void validate_model(const ModelSpec& m, const std::string& where) {
  auto fail = [&](std::string_view field, auto value, std::string_view what) {
    throw UserError(fmt::format("{}: {} = {}: {}", where, field, value, what));
  };
  if (m.attention != AttentionKind::kMLA) {
    if (m.kv_heads < 1 || m.kv_heads > m.heads) {
      fail("kv_heads", m.kv_heads, fmt::format("must be between 1 and heads = {}", m.heads));
    }
    if (m.heads % m.kv_heads != 0) {
      fail("kv_heads", m.kv_heads, fmt::format("must divide heads = {}", m.heads));
    }
  }
  if (m.moe.enabled()) {
    if (m.moe.top_k < 1 || m.moe.top_k > m.moe.routed_experts) {
      fail("moe.top_k", m.moe.top_k,
           fmt::format("must be between 1 and routed_experts = {}", m.moe.routed_experts));
    }
    if (m.moe.first_dense_layers > m.layers) {
      fail("moe.first_dense_layers", m.moe.first_dense_layers,
           fmt::format("cannot exceed layers = {}", m.layers));
    }
    if (m.moe.first_dense_layers > 0 && m.ffn < 1) {
      fail("ffn", m.ffn, "dense layers need a dense FFN size");
    }
  } else if (m.ffn < 1) {
    fail("ffn", m.ffn, "a dense model needs an FFN intermediate size of at least 1");
  }
  if (m.mtp_modules > 0 && !m.moe.enabled() && m.ffn < 1) {
    fail("mtp_modules", m.mtp_modules, "an MTP module needs an FFN");
  }
}

std::int64_t padded_vocab(std::int64_t vocab, int tp) {
  if (tp <= 1 || vocab % tp == 0) return vocab;
  const std::int64_t multiple = kVocabPadMultiple * tp;
  return (vocab + multiple - 1) / multiple * multiple;
}

}  // namespace llmsim
