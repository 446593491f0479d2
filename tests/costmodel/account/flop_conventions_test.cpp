#include <catch2/catch.hpp>

#include <string>

#include "costmodel/account/flop_conventions.hpp"
#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

ModelSpec model_of(const std::string& file) {
  return load_scenario(kData + "/" + file, {}, kData).model;
}

// FLOPs per token of one sequence of `seq_len` tokens (no recomputation).
double per_token(FlopConvention c, const ModelSpec& m, std::int64_t seq_len) {
  const ConventionStep one{1, seq_len, RecomputePolicy::kNone, 1};
  return convention_flops(c, m, one).model_flops / static_cast<double>(seq_len);
}

}  // namespace

TEST_CASE("FlopConventions: MEG3 is Megatron 2021 eq.(3), four passes with full recompute",
          "[costmodel][conventions]") {
  const ModelSpec m = model_of("validation/megatron2021-gpt-18.4b-256gpu.yaml");
  // Table 1, 18.4B: B = 1024, s = 2048, l = 40, h = 6144, V = 51,200:
  // 96 x 1024 x 2048 x 40 x 6144^2 x (1 + 2048/36864 + 51200/3932160) = 3.2484e17 per iteration.
  const ConventionFlops full =
      convention_flops(FlopConvention::kMeg3, m, {1024, 2048, RecomputePolicy::kFull, 8});
  CHECK(full.model_flops == Approx(3.2484e17).epsilon(1e-4));
  CHECK(full.hardware_flops == full.model_flops);
  // 135 TFLOP/s per GPU on 256 GPUs is the README's derived step time of 9.399 s.
  CHECK(full.model_flops / (135e12 * 256) == Approx(9.399).epsilon(1e-3));
  // Without full recomputation Megatron-DeepSpeed counts 3 passes: 3/4 of it.
  const ConventionFlops none =
      convention_flops(FlopConvention::kMeg3, m, {1024, 2048, RecomputePolicy::kNone, 8});
  CHECK(none.model_flops == Approx(0.75 * full.model_flops));
}

TEST_CASE("FlopConventions: KOR's MFU and HFU match Korthikanti 2022's 22B row",
          "[costmodel][conventions]") {
  const ModelSpec m = model_of("validation/korthikanti2022-22b-8gpu-selective.yaml");
  // B = 4, s = 2048, l = 48, h = 6144, V = 51,200: 72 B s l h^2 (1 + s/6h + V/12lh)
  // = 72 x 4 x 2048 x 48 x 6144^2 x 1.070024 = 1.14356e15; HFU with the attention core
  // recomputed: (1 + s/3h + V/12lh) = 1.125579 instead.
  const ConventionFlops f =
      convention_flops(FlopConvention::kKor, m, {4, 2048, RecomputePolicy::kAttention, 8});
  CHECK(f.model_flops == Approx(1.14356e15).epsilon(1e-4));
  CHECK(f.hardware_flops / f.model_flops == Approx(1.125579 / 1.070024).epsilon(1e-5));
  // Table 5 / Megatron-LM README: 1.10 s on 8 A100s is MFU 41.5%, HFU 43.7% (1.10 s is rounded).
  const double peak = 8 * 312e12 * 1.10;
  CHECK(f.model_flops / peak == Approx(0.415).epsilon(0.01));
  CHECK(f.hardware_flops / peak == Approx(0.437).epsilon(0.01));
  // Full recomputation counts Megatron 2021's eq.(3) as hardware FLOPs; no recomputation none.
  const ConventionFlops full =
      convention_flops(FlopConvention::kKor, m, {4, 2048, RecomputePolicy::kFull, 8});
  CHECK(full.hardware_flops ==
        Approx(convention_flops(FlopConvention::kMeg3, m, {4, 2048, RecomputePolicy::kFull, 8})
                   .model_flops));
  CHECK(convention_flops(FlopConvention::kKor, m, {4, 2048, RecomputePolicy::kNone, 8})
            .hardware_flops == Approx(f.model_flops));
}

TEST_CASE("FlopConventions: NEMO counts 6N without the input embedding plus causal attention",
          "[costmodel][conventions]") {
  // README consistency checks: Llama 3 70B 6 x 69.50e9 + 6 s h l (s = 8192, h = 8192, l = 80)
  // = 449.2 GFLOP per token (x 1602 tok/s/GPU = 719.7 vs 719 TFLOP/s published); Llama 3 8B
  // 6 x 7.50e9 + 6 x 8192 x 4096 x 32 = 51.47 GFLOP (x 14451 = 743.8 vs 744).
  const ModelSpec big = model_of("validation/nemo-llama3-70b-h100-64gpu-fp8.yaml");
  const double f70 = per_token(FlopConvention::kNemo, big, 8192);
  CHECK(f70 == Approx(449.2e9).epsilon(5e-4));
  CHECK(f70 * 1602 / 1e12 == Approx(719).epsilon(2e-3));
  const ModelSpec small = model_of("validation/nemo-llama3-8b-h100-8gpu-fp8.yaml");
  const double f8 = per_token(FlopConvention::kNemo, small, 8192);
  CHECK(f8 == Approx(51.47e9).epsilon(5e-4));
  CHECK(f8 * 14451 / 1e12 == Approx(744).epsilon(2e-3));
  // MoE with MTP: DeepSeek-V3 (25.09) at s = 4096, 338 TFLOP/s / 1297 tok/s/GPU = 260.6 GFLOP
  // per token; the active parameters without the MTP module give 250.5 only.
  const ModelSpec v3 = model_of("validation/nemo-deepseek-v3-h100-1024gpu-fp8.yaml");
  CHECK(per_token(FlopConvention::kNemo, v3, 4096) == Approx(338e12 / 1297).epsilon(3e-3));
}

TEST_CASE("FlopConventions: TT counts 6N + 12 l h q s with N all parameters",
          "[costmodel][conventions]") {
  // torchtitan docs/performance.md, Llama 3 8B at s = 8192: N = 8.03e9,
  // 6 x 8.03e9 + 12 x 32 x 4096 x 8192 = 61.07e9 per token; 2904 tok/s x 61.07e9 / 312e12
  // = 56.8% MFU.
  const ModelSpec m = model_of("validation/torchtitan-llama3-8b-a100-64gpu.yaml");
  const double f = per_token(FlopConvention::kTt, m, 8192);
  CHECK(f == Approx(61.07e9).epsilon(5e-4));
  CHECK(2904 * f / 312e12 == Approx(0.568).epsilon(2e-3));
  // Not halved for the causal mask, so above NEMO's count of the same model.
  CHECK(f > per_token(FlopConvention::kNemo, m, 8192));
}

TEST_CASE("FlopConventions: MOS counts 6Ns + 12lds^2 per sequence, 4/3 of it with checkpointing",
          "[costmodel][conventions]") {
  // llm-foundry benchmarking README, MPT-7B on 8 H100: 85,144 tok/s at MFU 46.44% of 989.4
  // TFLOP/s, i.e. 46.44% x 8 x 989.4e12 / 85144 = 43.17 GFLOP per token; by the formula
  // 6 x 6.6589e9 + 12 x 32 x 4096 x 2048 = 43.17 GFLOP (N = 6,658,859,008, the table's
  // NumParams, which the file's model reproduces).
  const ModelSpec m = model_of("validation/mosaicml-mpt-7b-h100-8gpu.yaml");
  CHECK(model_totals(m, 2048, true).total_params == Approx(6658859008.0).epsilon(1e-6));
  const double f = per_token(FlopConvention::kMos, m, 2048);
  CHECK(f == Approx(6 * 6658859008.0 + 12.0 * 32 * 4096 * 2048).epsilon(1e-6));
  CHECK(f == Approx(0.4644 * 8 * 989.4e12 / 85144).epsilon(1e-3));
  const ConventionFlops ckpt =
      convention_flops(FlopConvention::kMos, m, {2, 2048, RecomputePolicy::kFull, 1});
  CHECK(ckpt.hardware_flops == Approx(ckpt.model_flops * 4.0 / 3.0));
  CHECK(ckpt.model_flops == Approx(2 * 2048 * f));
}

TEST_CASE("FlopConventions: names, tags, and OPT's unpublished count",
          "[costmodel][conventions]") {
  for (const std::string& name : flop_convention_names()) {
    const auto c = parse_flop_convention(name);
    REQUIRE(c.has_value());
    CHECK(flop_convention_name(*c) == name);
  }
  CHECK_FALSE(parse_flop_convention("MEG3").has_value());  // scenario values are lower case
  CHECK(flop_convention_tag(FlopConvention::kMeg3) == "MEG3");
  CHECK_FALSE(is_published_convention(FlopConvention::kOpt));
  const ModelSpec m = model_of("validation/opt-175b-992gpu.yaml");
  CHECK_THROWS_AS(convention_flops(FlopConvention::kOpt, m, {1, 2048, RecomputePolicy::kNone, 1}),
                  InternalError);
  // llmsim's own count is the account's causal model FLOPs.
  CHECK(per_token(FlopConvention::kLlmsim, m, 2048) ==
        Approx(model_totals(m, 2048, true).train_flops_per_token));
}
