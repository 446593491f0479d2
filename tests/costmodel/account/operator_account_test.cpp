#include <catch2/catch.hpp>

#include <string>

#include "costmodel/read/model_file.hpp"
#include "costmodel/account/operator_account.hpp"
#include "tests/costmodel/account/small_models.hpp"

using namespace llmsim;

namespace {

// A tiny dense model: 2 layers, d = 64, 4 heads of 16 (MHA), SwiGLU FFN 128, vocab 100, untied.
ModelSpec tiny_dense() { return test::small_dense_model("tiny-dense", 2, 64, 4, 128, 100); }

// The same with layer 1 an MoE layer: 4 routed experts of 32, top-2, 1 shared expert.
ModelSpec tiny_moe() {
  ModelSpec m = tiny_dense();
  m.name = "tiny-moe";
  m.moe.routed_experts = 4;
  m.moe.shared_experts = 1;
  m.moe.top_k = 2;
  m.moe.expert_ffn = 32;
  m.moe.first_dense_layers = 1;
  return m;
}

const OpAccount& op(const ModelAccount& a, LayerKind k, const std::string& name) {
  for (const auto& o : a.find(k)->ops) {
    if (o.name == name) return o;
  }
  FAIL("no op " << name);
  throw;
}

}  // namespace

TEST_CASE("Operator account: FLOPs per token of a small dense model match a hand derivation",
          "[account]") {
  // Per token, forward (2 FLOPs per multiply-add), seq_len 8:
  //   qkv 2*64*192 = 24,576; out 2*64*64 = 8,192; up_gate 2*64*256 = 32,768; down 2*128*64 = 16,384
  //   attention, causal: 8*9/2 = 36 pairs per sequence = 4.5 per token;
  //     2 * 4.5 * 4 heads * (16 + 16) = 1,152
  //   layer = 83,072; 2 layers = 166,144; head 2*64*100 = 12,800; forward = 178,944.
  // Training: every GEMM does forward + dgrad + wgrad of equal FLOPs; attention's backward is 2x
  // its forward, no weight gradient: so training = 3 * forward = 536,832.
  // Full attention: 8 pairs per token: 2*8*4*32 = 2,048 per layer; forward = 180,736;
  //   training = 542,208.
  const ModelTotals causal = model_totals(tiny_dense(), 8, true);
  CHECK(causal.forward_flops_per_token == Approx(178944.0));
  CHECK(causal.train_flops_per_token == Approx(536832.0));
  const ModelTotals full = model_totals(tiny_dense(), 8, false);
  CHECK(full.train_flops_per_token == Approx(542208.0));
  // Parameters: embedding 6,400; per layer norms 128 + qkv 12,288 + out 4,096 + up 16,384 +
  //   down 8,192 = 41,088; head 6,400 + final norm 64: total 6,400 + 82,176 + 6,464 = 95,040.
  CHECK(causal.total_params == 95040.0);
  CHECK(causal.active_params == 95040.0);
  // MHA KV cache: 2 * 4 * 16 * 2 bytes * 2 layers = 512 bytes per token.
  CHECK(causal.kv_cache_bytes_per_token == 512.0);
}

TEST_CASE("Operator account: FLOPs per token of a small MoE model match a hand derivation",
          "[account]") {
  // Dense layer 0 as above: 83,072 per token. MoE layer 1, per token:
  //   attention 24,576 + 1,152 + 8,192 = 33,920; router 2*64*4 = 512;
  //   2 routed experts: up 2 * (2*64*64) = 16,384, down 2 * (2*32*64) = 8,192;
  //   shared expert: up 2*64*64 = 8,192, down 2*32*64 = 4,096; MoE layer = 71,296.
  //   forward = 83,072 + 71,296 + 12,800 = 167,168; training = 3x = 501,504.
  const ModelTotals t = model_totals(tiny_moe(), 8, true);
  CHECK(t.forward_flops_per_token == Approx(167168.0));
  CHECK(t.train_flops_per_token == Approx(501504.0));
  // Parameters: MoE layer = norms 128 + attention 16,384 + router 256 + 4 experts * 6,144 +
  //   shared 6,144 = 47,488; total = 6,400 + 41,088 + 47,488 + 6,464 = 101,440.
  //   Active: 2 of 4 routed experts, so 12,288 fewer: 89,152.
  CHECK(t.total_params == 101440.0);
  CHECK(t.active_params == 89152.0);
}

TEST_CASE("Operator account: EP turns routed experts into grouped GEMMs with the balanced token "
          "count, and FP8 dispatch bytes", "[account]") {
  const ModelSpec v3 = load_model("deepseek-v3", std::string(LLMSIM_SOURCE_DIR) + "/scenarios");
  AccountRequest r;
  r.shard.ep = 64;
  r.recipe = make_recipe(RecipeKind::kFP8DeepSeek);
  r.seq_len = 4096;
  const ModelAccount a = account_model(v3, r);
  // 256 experts / 64 GPUs = 4 per GPU; 4096 tokens * 8 copies arrive per GPU (balanced):
  // 4096*8/4 = 8192 rows per expert.
  const OpAccount& up = op(a, LayerKind::kMoE, "moe.experts.up_gate");
  CHECK(up.kind == OperatorKind::kGroupedGemm);
  CHECK(up.precision == Precision::kFP8);
  CHECK(up.gemm.groups == 4);
  CHECK(up.gemm.tokens_per_group == 8192.0);
  CHECK(up.gemm.n == 4096);
  CHECK(up.gemm.k == 7168);
  CHECK(up.params == 4.0 * 7168 * 4096);
  // Dispatch sends 4096*8 token copies of 7168 FP8 values; its backward returns BF16 gradients.
  const OpAccount& d = op(a, LayerKind::kMoE, "moe.dispatch");
  REQUIRE(d.comms.size() == 1);
  CHECK(d.comms[0].kind == CommKind::kEpDispatch);
  CHECK(d.comms[0].forward_bytes == 4096.0 * 8 * 7168 * 1);
  CHECK(d.comms[0].backward_bytes == 4096.0 * 8 * 7168 * 2);
  // The attention core and the router stay in BF16 under DeepSeek's recipe.
  CHECK(op(a, LayerKind::kMoE, "attn.core").precision == Precision::kBF16);
  CHECK(op(a, LayerKind::kMoE, "moe.router").precision == Precision::kBF16);
  CHECK(op(a, LayerKind::kHead, "head").precision == Precision::kBF16);
}

TEST_CASE("Operator account: TP shards heads and FFN columns and adds its all-reduces",
          "[account]") {
  const ModelSpec l70 = load_model("llama-3.1-70b", std::string(LLMSIM_SOURCE_DIR) + "/scenarios");
  AccountRequest r;
  r.shard.tp = 8;
  r.seq_len = 4096;
  const ModelAccount a = account_model(l70, r);
  // 64 heads / 8 = 8 query heads, 8 KV heads / 8 = 1: n = (8 + 2*1) * 128 = 1280.
  const OpAccount& qkv = op(a, LayerKind::kDense, "attn.qkv");
  CHECK(qkv.gemm.n == 1280);
  CHECK(qkv.gemm.k == 8192);
  // Row-parallel output projection: all-reduce of the 4096 x 8192 BF16 output in the forward.
  const OpAccount& out = op(a, LayerKind::kDense, "attn.out");
  REQUIRE(out.comms.size() == 1);
  CHECK(out.comms[0].kind == CommKind::kTpAllReduce);
  CHECK(out.comms[0].forward_bytes == 4096.0 * 8192 * 2);
  CHECK(op(a, LayerKind::kDense, "mlp.down").gemm.k == 28672 / 8);
  // Sequence parallelism turns the all-reduce into reduce-scatter and the norms see 1/8.
  r.shard.sp = true;
  const ModelAccount s = account_model(l70, r);
  CHECK(op(s, LayerKind::kDense, "attn.out").comms[0].kind == CommKind::kTpReduceScatter);
  CHECK(op(s, LayerKind::kDense, "attn_norm").forward_bytes ==
        Approx(op(a, LayerKind::kDense, "attn_norm").forward_bytes / 8));
}

TEST_CASE("Operator account: recomputation trades kept activations for recomputed FLOPs",
          "[account]") {
  const ModelSpec v3 = load_model("deepseek-v3", std::string(LLMSIM_SOURCE_DIR) + "/scenarios");
  AccountRequest r;
  r.recipe = make_recipe(RecipeKind::kFP8DeepSeek);
  r.recompute = RecomputePolicy::kNone;
  const double none = account_model(v3, r).find(LayerKind::kMoE)->saved_bytes();
  r.recompute = RecomputePolicy::kSelective;
  const ModelAccount sel = account_model(v3, r);
  r.recompute = RecomputePolicy::kFull;
  const ModelAccount full = account_model(v3, r);
  CHECK(sel.find(LayerKind::kMoE)->saved_bytes() < none);
  // Full recomputation keeps only the layer input: 4096 tokens * 7168 * 2 bytes.
  CHECK(full.find(LayerKind::kMoE)->saved_bytes() == 4096.0 * 7168 * 2);
  // Selective recomputes the MLA up-projections: q_up's forward FLOPs reappear.
  CHECK(op(sel, LayerKind::kMoE, "attn.q_up").recompute_flops ==
        op(sel, LayerKind::kMoE, "attn.q_up").forward_flops);
  CHECK(op(sel, LayerKind::kMoE, "attn.q_up").saved_bytes == 0.0);
}

TEST_CASE("Operator account: torchtitan's op policy keeps every other matmul and SDPA, recomputes "
          "the rest", "[account]") {
  // GQA so that wq, wk and wv differ: 4 query heads of 16, 2 KV heads.
  ModelSpec m = tiny_dense();
  m.kv_heads = 2;
  AccountRequest r;
  r.recipe = make_recipe(RecipeKind::kBF16);
  r.seq_len = 32;
  r.recompute = RecomputePolicy::kSelectiveOp;
  const ModelAccount a = account_model(m, r);
  const double T = 32;
  // Matmuls in torchtitan's order: wq (1, kept), wk (2, recomputed), wv (3, kept), wo (4,
  // recomputed), w1 (5, kept), w3 (6, recomputed), w2 (7, kept).
  const OpAccount& qkv = op(a, LayerKind::kDense, "attn.qkv");
  CHECK(qkv.saved_bytes == Approx(T * (64 + 32) * 2));
  CHECK(qkv.recompute_flops == Approx(qkv.forward_flops * 32 / (64 + 2 * 32)));
  const OpAccount& out = op(a, LayerKind::kDense, "attn.out");
  CHECK(out.saved_bytes == 0.0);
  CHECK(out.recompute_flops == Approx(out.forward_flops));
  const OpAccount& up = op(a, LayerKind::kDense, "mlp.up_gate");
  CHECK(up.saved_bytes == Approx(T * 128 * 2));
  CHECK(up.recompute_flops == Approx(up.forward_flops / 2));
  const OpAccount& down = op(a, LayerKind::kDense, "mlp.down");
  CHECK(down.saved_bytes == Approx(T * 64 * 2));
  CHECK(down.recompute_flops == 0.0);
  // SDPA keeps O and the log-sum-exp; norms and SwiGLU are recomputed and keep nothing; the
  // block input is kept by the first op.
  CHECK(op(a, LayerKind::kDense, "attn.core").saved_bytes == Approx(T * 64 * 2 + T * 4 * 4));
  CHECK(op(a, LayerKind::kDense, "mlp.act").forward_recomputed);
  CHECK(op(a, LayerKind::kDense, "mlp.act").saved_bytes == 0.0);
  CHECK(op(a, LayerKind::kDense, "attn_norm").saved_bytes == Approx(T * 64 * 2));
  // Between DeepSeek's selective policy and full recomputation in what it keeps.
  r.recompute = RecomputePolicy::kNone;
  const double none = account_model(m, r).find(LayerKind::kDense)->saved_bytes();
  r.recompute = RecomputePolicy::kFull;
  const double full = account_model(m, r).find(LayerKind::kDense)->saved_bytes();
  const double op_sac = a.find(LayerKind::kDense)->saved_bytes();
  CHECK(op_sac < none);
  CHECK(op_sac > full);
  // The head sits outside the checkpointed blocks: kept as without recomputation.
  CHECK(op(a, LayerKind::kHead, "head").recompute_flops == 0.0);
}

TEST_CASE("Operator account: impossible sharding is a user error", "[account]") {
  AccountRequest r;
  r.seq_len = 8;
  r.shard.tp = 3;
  CHECK_THROWS_WITH(account_model(tiny_dense(), r), Catch::Contains("tp = 3: must divide"));
  r.shard.tp = 1;
  r.shard.ep = 3;
  CHECK_THROWS_WITH(account_model(tiny_moe(), r), Catch::Contains("ep = 3"));
}
