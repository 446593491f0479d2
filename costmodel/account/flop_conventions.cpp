#include "costmodel/account/flop_conventions.hpp"

#include <array>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

struct ConventionRow {
  FlopConvention convention;
  std::string_view name;
  std::string_view tag;
  std::string_view summary;
};

constexpr std::array<ConventionRow, 7> kConventions = {{
    {FlopConvention::kLlmsim, "llmsim", "llmsim",
     "llmsim's own: every GEMM of the model, causal attention, no recomputation"},
    {FlopConvention::kMeg3, "meg3", "MEG3",
     "Megatron 2021 eq.(3), 96Bslh^2(1+s/6h+V/16lh): 4 passes with full recompute (3 without), "
     "attention not halved (arXiv:2104.04473)"},
    {FlopConvention::kKor, "kor", "KOR",
     "Korthikanti 2022: MFU 72Bslh^2(1+s/6h+V/12lh), attention not halved; HFU adds the "
     "recomputed forward (arXiv:2205.05198)"},
    {FlopConvention::kMos, "mos", "MOS",
     "MosaicML llm-foundry: 6N + 12lds per token, N all parameters, attention not halved; HFU "
     "4/3 of it with checkpointing (collect_results.py)"},
    {FlopConvention::kTt, "tt", "TT",
     "torchtitan: 6N + 12lhqs per token, N all parameters, attention not halved "
     "(docs/performance.md)"},
    {FlopConvention::kNemo, "nemo", "NEMO",
     "NeMo / Megatron-Bridge: 6N per token without the input embedding (active parameters), "
     "causal attention, MTP modules in, no recomputation"},
    {FlopConvention::kOpt, "opt", "OPT",
     "OPT-175B (arXiv:2205.01068 s2.4): the FLOP count behind its TFLOP/s was not published"},
}};

const ConventionRow& row(FlopConvention c) {
  for (const ConventionRow& r : kConventions) {
    if (r.convention == c) return r;
  }
  throw InternalError("unknown FLOP convention");
}

// Megatron's GPT, in the papers' letters: B sequences of s tokens, l layers of hidden size h,
// a 4h FFN, vocabulary V padded as Megatron-LM pads it for the run's TP (the logits it
// computes).
struct MegatronLetters {
  double b, s, l, h, v;
};

MegatronLetters megatron_letters(const ModelSpec& m, const ConventionStep& st) {
  return {static_cast<double>(st.sequences), static_cast<double>(st.seq_len),
          static_cast<double>(m.layers), static_cast<double>(m.hidden),
          static_cast<double>(padded_vocab(m.vocab, st.tp))};
}

// Megatron 2021 (Narayanan et al., arXiv:2104.04473) eq.(3), the FLOPs of one iteration with
// activation recomputation (4 passes: forward, recomputed forward, 2 x backward):
//   F = 96 B s l h^2 (1 + s/(6h) + V/(16 l h)),
// attention scores and context counted over the full s x s square (not halved for the causal
// mask), the logit layer in (3 passes: it is not recomputed). Without full recomputation the
// factor 96 = 24 x 4 becomes 24 x 3, as Megatron-DeepSpeed's throughput calculator writes it
// (megatron/utils.py: checkpoint_activations_factor 4 or 3; BLOOM tr11's logged TFLOP/s). The
// same number is their TFLOP/s and their "percent of peak": there is no separate HFU.
ConventionFlops meg3_flops(const ModelSpec& m, const ConventionStep& st) {
  const MegatronLetters x = megatron_letters(m, st);
  const double passes = st.recompute == RecomputePolicy::kFull ? 4.0 : 3.0;
  const double f = 24.0 * passes * x.b * x.s * x.l * x.h * x.h *
                   (1.0 + x.s / (6.0 * x.h) + x.v / (16.0 * x.l * x.h));
  return {f, f};
}

// Korthikanti et al. 2022 (arXiv:2205.05198) s6.3 / Appendix A; Megatron-LM README's MFU / HFU
// table. Model FLOPs (3 passes, attention not halved, logits in):
//   72 B s l h^2 (1 + s/(6h) + V/(12 l h)).
// Hardware FLOPs add what the backward recomputes:
//   selective (the attention core, llmsim `attention`): 72 B s l h^2 (1 + s/(3h) + V/(12 l h));
//   full: eq.(3) of Megatron 2021, 96 B s l h^2 (1 + s/(6h) + V/(16 l h)).
// (Check: 22B at s = 2048, h = 6144: HFU / MFU = 1.1256 / 1.0700 = 1.052, the README's
// 43.7 / 41.5.) DeepSeek's `selective` policy has no count in the paper: hardware = model.
ConventionFlops kor_flops(const ModelSpec& m, const ConventionStep& st) {
  const MegatronLetters x = megatron_letters(m, st);
  const double base = 72.0 * x.b * x.s * x.l * x.h * x.h;
  const double logits = x.v / (12.0 * x.l * x.h);
  ConventionFlops out;
  out.model_flops = base * (1.0 + x.s / (6.0 * x.h) + logits);
  out.hardware_flops = out.model_flops;
  if (st.recompute == RecomputePolicy::kAttention) {
    out.hardware_flops = base * (1.0 + x.s / (3.0 * x.h) + logits);
  } else if (st.recompute == RecomputePolicy::kFull) {
    out.hardware_flops = meg3_flops(m, st).model_flops;
  }
  return out;
}

// MosaicML llm-foundry scripts/train/benchmarking/collect_results.py: per sequence
//   flops_per_seq = 2 N s, attn_flops_per_seq = l x 2 x 2 x (d s^2),
//   MFU FLOPs = 3 flops_per_seq + 3 attn_flops_per_seq = 6 N s + 12 l d s^2,
//   HFU FLOPs = 4/3 of it when activation checkpointing is on (any recompute here),
// N = every parameter of the model (embeddings included), d = d_model, attention not halved.
ConventionFlops mos_flops(const ModelSpec& m, const ConventionStep& st) {
  const double n = model_totals(m, st.seq_len, true).total_params;
  const double s = static_cast<double>(st.seq_len);
  const double per_seq = 6.0 * n * s + 12.0 * m.layers * static_cast<double>(m.hidden) * s * s;
  const double f = per_seq * static_cast<double>(st.sequences);
  return {f, st.recompute == RecomputePolicy::kNone ? f : f * 4.0 / 3.0};
}

// Query-key and value widths of one layer's attention (heads x head dims).
struct AttentionWidths {
  double qk = 0.0, v = 0.0;
};

AttentionWidths attention_widths(const ModelSpec& m) {
  if (m.attention == AttentionKind::kMLA) {
    return {static_cast<double>(m.heads) * (m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim),
            static_cast<double>(m.heads) * m.mla.v_head_dim};
  }
  const double width =
      static_cast<double>(m.heads) * (m.head_dim > 0 ? m.head_dim : m.hidden / m.heads);
  return {width, width};
}

// torchtitan docs/performance.md and torchtitan/utils.py get_num_flop_per_token: per token
//   6 N + 12 l h q s  (h heads of width q; attention not halved for causality, FlashAttention's
//   recomputation not counted),
// with N = all parameters: the A100 MFUs published in docs/performance.md match N = 8.03e9 for
// Llama 3 8B (2904 tok/s x 61.07e9 / 312e12 = 56.8%). For MLA, h q is the mean of the
// query-key and value widths. No HFU: hardware = model.
ConventionFlops tt_flops(const ModelSpec& m, const ConventionStep& st) {
  const double n = model_totals(m, st.seq_len, true).total_params;
  const AttentionWidths w = attention_widths(m);
  const double s = static_cast<double>(st.seq_len);
  const double per_token = 6.0 * n + 6.0 * m.layers * (w.qk + w.v) * s;
  const double f = per_token * s * static_cast<double>(st.sequences);
  return {f, f};
}

// Training FLOPs per token of the MTP modules (DeepSeek-V3 report s2.2), as the account counts
// them (their GEMMs, the shared output head run again, causal attention).
double mtp_flops_per_token(const ModelSpec& m, std::int64_t seq_len) {
  if (m.mtp_modules == 0) return 0.0;
  ModelSpec without = m;
  without.mtp_modules = 0;
  return model_totals(m, seq_len, true).train_flops_per_token -
         model_totals(without, seq_len, true).train_flops_per_token;
}

// NeMo / Megatron-Bridge "Model TFLOP/sec/GPU" (docs/performance-summary.md; the flops
// formulas of its performance scripts): per token 6 x the parameters a token uses without the
// input embedding (the output layer in), plus causal attention (the s x s square halved):
//   6 (N_active - N_embedding) + 3 l s (qk + v)   (= 6 N' + 6 s h l for MHA / GQA),
// plus the MTP modules where the model has them; no recomputation. Consistency checks: Llama 3
// 70B 6 x 69.50e9 + 6 s h l = 449.2 GFLOP/token, x 1602 tok/s/GPU = 719.7 vs 719 published
// (README); DeepSeek-V3 (25.09) 338 TFLOP/s / 1297 tok/s/GPU = 260.6 GFLOP/token, which this
// count gives only with the MTP module (250.5 without it).
ConventionFlops nemo_flops(const ModelSpec& m, const ConventionStep& st) {
  const ModelTotals t = model_totals(m, st.seq_len, true);
  const AttentionWidths w = attention_widths(m);
  const double s = static_cast<double>(st.seq_len);
  const double per_token = 6.0 * (t.active_params - t.embedding_params) +
                           3.0 * m.layers * s * (w.qk + w.v) + mtp_flops_per_token(m, st.seq_len);
  const double f = per_token * s * static_cast<double>(st.sequences);
  return {f, f};
}

}  // namespace

std::string_view flop_convention_name(FlopConvention c) { return row(c).name; }
std::string_view flop_convention_tag(FlopConvention c) { return row(c).tag; }
std::string_view flop_convention_summary(FlopConvention c) { return row(c).summary; }

std::optional<FlopConvention> parse_flop_convention(std::string_view name) {
  for (const ConventionRow& r : kConventions) {
    if (r.name == name) return r.convention;
  }
  return std::nullopt;
}

std::vector<std::string> flop_convention_names() {
  std::vector<std::string> out;
  for (const ConventionRow& r : kConventions) out.emplace_back(r.name);
  return out;
}

bool is_published_convention(FlopConvention c) { return c != FlopConvention::kOpt; }

ConventionFlops convention_flops(FlopConvention c, const ModelSpec& m, const ConventionStep& st) {
  switch (c) {
    case FlopConvention::kLlmsim: {
      const double f = model_totals(m, st.seq_len, true).train_flops_per_token *
                       static_cast<double>(st.seq_len) * static_cast<double>(st.sequences);
      return {f, f};
    }
    case FlopConvention::kMeg3: return meg3_flops(m, st);
    case FlopConvention::kKor: return kor_flops(m, st);
    case FlopConvention::kMos: return mos_flops(m, st);
    case FlopConvention::kTt: return tt_flops(m, st);
    case FlopConvention::kNemo: return nemo_flops(m, st);
    case FlopConvention::kOpt: break;
  }
  throw InternalError(fmt::format("the {} convention has no published FLOP count",
                                  flop_convention_tag(c)));
}

}  // namespace llmsim
