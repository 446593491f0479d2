#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "costmodel/read/model_file.hpp"
#include "costmodel/account/operator_account.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";
const std::string kTestData = std::string(LLMSIM_SOURCE_DIR) + "/tests/data";

ModelTotals totals(const std::string& name) {
  return model_totals(load_model(name, kData), 4096, true);
}

}  // namespace

TEST_CASE("Model catalog: DeepSeek-V3 has 671B total and about 37B activated parameters", "[model]") {
  // By hand (d = 7168, 61 layers, 3 dense, 58 MoE, vocab 129280):
  //   MLA per layer: q_down 7168*1536 + q_up 1536*128*192 + kv_down 7168*576 + kv_up 512*128*256
  //     + out 128*128*7168 + norms 1536+512+2*7168 = 187.1M
  //   dense FFN 3*7168*18432 = 396.4M; one expert 3*7168*2048 = 44.04M; router 256*7168
  //   total = 61*187.1M + 3*396.4M + 58*(257*44.04M + 1.84M) + 2*129280*7168 = 671.0B
  //   active = 61*187.1M + 3*396.4M + 58*(9*44.04M + 1.84M) + 1.85B = 37.5B
  // DeepSeek publishes 671B and "37B" (README_WEIGHTS: 36.7B, incl. 0.9B embedding and 0.9B
  // head); counting the embedding and head, as Mixtral's 12.9B does, gives 37.55B: 1.5% above
  // 37B. The total matches to 0.01%, so the architecture is right; DeepSeek's activated counts
  // sit below this arithmetic for V2 too (21.38B vs 21B, +1.8%), a counting difference of
  // 0.85B (58 x 7168 x 2048, one expert matrix per MoE layer, would explain it exactly, but
  // nothing published says so). No honest count rule found puts V3 within 1% of 37B: without
  // the embedding lookup it is 36.63B (-1.01%).
  const ModelTotals t = totals("deepseek-v3");
  CHECK(t.total_params == Approx(671e9).epsilon(0.01));
  CHECK(t.active_params == Approx(37e9).epsilon(0.015));
  CHECK(t.active_params == Approx(37.55e9).epsilon(0.002));
  // README_WEIGHTS: MTP module 11.5B unique parameters (excluding shared embedding and head).
  CHECK(t.mtp_params == Approx(11.5e9).epsilon(0.02));
}

TEST_CASE("Model catalog: Llama-3.1-405B, GPT-3 175B and Mixtral 8x7B match their published sizes",
          "[model]") {
  // Llama 405B: 126*(2*16384^2 + 2*16384*1024 + 3*16384*53248) + 2*128256*16384 = 405.8B.
  CHECK(totals("llama-3.1-405b").total_params == Approx(405e9).epsilon(0.01));
  // GPT-3: 96*12*12288^2 (+ biases, norms) + 50257*12288 + 2048*12288 = 174.6B.
  CHECK(totals("gpt-3-175b").total_params == Approx(175e9).epsilon(0.01));
  // Mixtral: 32*(2*4096^2 + 2*4096*1024 + 8*3*4096*14336) + 2*32000*4096 = 46.7B;
  //   active: 32*(41.9M + 2*176.2M) + 262M = 12.9B.
  const ModelTotals mx = totals("mixtral-8x7b");
  CHECK(mx.total_params == Approx(46.7e9).epsilon(0.01));
  CHECK(mx.active_params == Approx(12.9e9).epsilon(0.01));
  CHECK(totals("llama-3.1-8b").total_params == Approx(8.03e9).epsilon(0.01));
  CHECK(totals("llama-3.1-70b").total_params == Approx(70.6e9).epsilon(0.01));
  // DeepSeek-V2 report: 236B total, 21B activated.
  const ModelTotals v2 = totals("deepseek-v2");
  CHECK(v2.total_params == Approx(236e9).epsilon(0.01));
  CHECK(v2.active_params == Approx(21e9).epsilon(0.05));
}

TEST_CASE("Model catalog: published counts are read with their sources, beside ours", "[model]") {
  const ModelSpec v3 = load_model("deepseek-v3", kData);
  REQUIRE(v3.published.size() == 4);
  CHECK(v3.published[1].figure == "active_params");
  CHECK(v3.published[1].value == 37e9);
  for (const auto& c : v3.published) CHECK_FALSE(c.source.empty());
  // A figure name outside the allowed set names the file, the key and the choices.
  const auto dir = std::filesystem::temp_directory_path() / "llmsim_model_published";
  std::filesystem::create_directories(dir);
  const auto path = (dir / "bad.yaml").string();
  {
    std::string text;
    std::ifstream in(kData + "/models/llama-3.1-8b.yaml");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    const auto at = text.find("figure: total_params");
    REQUIRE(at != std::string::npos);
    text.replace(at, 20, "figure: total_paramz");
    std::ofstream(path) << text;
  }
  CHECK_THROWS_WITH(load_model_file(path), Catch::Contains("bad.yaml:") &&
                                               Catch::Contains("published.0.figure") &&
                                               Catch::Contains("total_params"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Model: KV cache per token is MLA's latent for DeepSeek-V3 and GQA's heads for Llama",
          "[model]") {
  // MLA caches the compressed KV (d_c = 512) and the decoupled RoPE key (64) per layer:
  //   (512 + 64) * 2 bytes * 61 layers = 70,272 bytes.
  CHECK(totals("deepseek-v3").kv_cache_bytes_per_token == 70272.0);
  // GQA caches K and V of 8 KV heads of 128 per layer: 2 * 8 * 128 * 2 bytes * 126 = 516,096.
  CHECK(totals("llama-3.1-405b").kv_cache_bytes_per_token == 516096.0);
  // MHA for comparison, GPT-3: 2 * 96 * 128 * 2 * 96 = 4,718,592.
  CHECK(totals("gpt-3-175b").kv_cache_bytes_per_token == 4718592.0);
}

TEST_CASE("Model: Hugging Face configs import to the catalog's architecture", "[model]") {
  const ModelSpec llama = load_hf_config(kTestData + "/hf/llama-3.1-8b/config.json");
  CHECK(llama.attention == AttentionKind::kGQA);
  CHECK(llama.kv_heads == 8);
  CHECK(model_totals(llama, 4096, true).total_params ==
        Approx(totals("llama-3.1-8b").total_params).epsilon(1e-9));
  const ModelSpec v3 = load_hf_config(kTestData + "/hf/deepseek-v3/config.json");
  CHECK(v3.attention == AttentionKind::kMLA);
  CHECK(v3.moe.max_nodes_per_token == 4);
  CHECK(v3.mtp_modules == 1);
  CHECK(model_totals(v3, 4096, true).total_params ==
        Approx(totals("deepseek-v3").total_params).epsilon(1e-9));
  const ModelSpec mx = load_hf_config(kTestData + "/hf/mixtral-8x7b/config.json");
  CHECK(model_totals(mx, 4096, true).active_params == Approx(12.9e9).epsilon(0.01));
  // Qwen2-7B: 7.6B parameters (Qwen2 report, arXiv:2407.10671, Table 1: 7B); Q, K, V biases.
  const ModelSpec qwen = load_hf_config(kTestData + "/hf/qwen2-7b/config.json");
  CHECK(qwen.qkv_bias);
  CHECK(model_totals(qwen, 4096, true).total_params == Approx(7.62e9).epsilon(0.01));
  // The same file through the generic loader.
  CHECK(load_model(kTestData + "/hf/qwen2-7b/config.json", kData).hidden == 3584);
}

TEST_CASE("Model: bad configs and unknown names are one-line user errors", "[model]") {
  CHECK_THROWS_WITH(load_hf_config(kTestData + "/hf/broken/config.json"),
                    Catch::Contains("broken JSON"));
  CHECK_THROWS_WITH(load_hf_config(kTestData + "/hf/none/config.json"), Catch::Contains("no such file"));
  CHECK_THROWS_WITH(load_model("deepseek-v4", kData),
                    Catch::Contains("not in the catalog") && Catch::Contains("deepseek-v3"));
}

TEST_CASE("Model: a vocabulary TP does not divide is padded as Megatron-LM pads it", "[model]") {
  // GPT-3's 50,257 at TP 8: the next multiple of 128 x 8 = 1024 is 50 x 1024 = 51,200.
  CHECK(padded_vocab(50257, 8) == 51200);
  CHECK(padded_vocab(50257, 2) == 50432);  // 197 x 256
  CHECK(padded_vocab(50257, 1) == 50257);  // no TP: nothing to divide
  CHECK(padded_vocab(129280, 8) == 129280);  // DeepSeek-V3's divides: unchanged
  const ModelSpec gpt3 = load_model("gpt-3-175b", kData);
  AccountRequest r;
  r.shard.tp = 8;
  const ModelAccount a = account_model(gpt3, r);  // threw "must divide the vocabulary" before
  const LayerAccount* head = a.find(LayerKind::kHead);
  REQUIRE(head != nullptr);
  bool found = false;
  for (const OpAccount& op : head->ops) {
    if (op.name != "head") continue;
    found = true;
    CHECK(op.gemm.n == 51200 / 8);  // each TP rank holds 6,400 rows of the padded head
  }
  CHECK(found);
}
