#pragma once
// ModelSpec: the architecture of a decoder-only transformer LM, as the cost model needs it.
// Dense and MoE FFNs (shared + routed experts, top-k, first-k dense layers, node-limited
// routing), MHA / GQA / MLA attention (DeepSeek-V2 report s2.1: compressed KV and query,
// decoupled RoPE), SwiGLU and GeLU MLPs, tied or untied embeddings, MTP modules
// (DeepSeek-V3 report s2.2). Read from scenarios/models/*.yaml, an inline `model:` mapping
// or a Hugging Face config.json (costmodel/model_file.*).

#include <cstdint>
#include <string>
#include <vector>
#include <string_view>

namespace llmsim {

enum class AttentionKind { kMHA, kGQA, kMLA };
enum class MlpKind { kSwiGLU, kGeLU };
enum class NormKind { kRMSNorm, kLayerNorm };

std::string_view attention_kind_name(AttentionKind k);
std::string_view mlp_kind_name(MlpKind k);

// Multi-head latent attention dims (DeepSeek-V2 report s2.1.2-2.1.3; HF config names).
struct MlaDims {
  int q_lora_rank = 0;         // d_c': query compression; 0 = no query compression
  int kv_lora_rank = 512;      // d_c: KV compression
  int qk_nope_head_dim = 128;  // d_h
  int qk_rope_head_dim = 64;   // d_h^R: decoupled RoPE
  int v_head_dim = 128;
};

struct MoeSpec {
  int routed_experts = 0;     // 0: a dense model
  int shared_experts = 0;
  int top_k = 0;              // routed experts per token
  int expert_ffn = 0;         // intermediate size of one expert
  int first_dense_layers = 0; // first k layers have a dense FFN (DeepSeek first_k_dense_replace)
  int max_nodes_per_token = 0;  // node-limited routing M (DeepSeek-V3 s2.1.2); 0 = unlimited

  bool enabled() const { return routed_experts > 0; }
};

// A published parameter count of a model, printed beside ours by `llmsim model`: a target to
// compare with, never an input to any estimate.
struct PublishedCount {
  std::string figure;  // total_params, active_params or mtp_params
  double value = 0.0;  // parameters
  std::string note;    // how the publisher counted, where it says
  std::string source;
};

struct ModelSpec {
  std::string name;
  std::string source;  // where the figures come from
  std::vector<PublishedCount> published;
  int layers = 0;
  int hidden = 0;
  int heads = 0;
  int kv_heads = 0;    // GQA groups; = heads for MHA; unused for MLA
  int head_dim = 0;    // MHA / GQA
  int ffn = 0;         // dense FFN intermediate size
  std::int64_t vocab = 0;
  std::int64_t max_seq_len = 4096;  // positions the model was built for (learned position table)
  AttentionKind attention = AttentionKind::kMHA;
  MlaDims mla;
  MlpKind mlp = MlpKind::kSwiGLU;
  NormKind norm = NormKind::kRMSNorm;
  bool linear_bias = false;        // biases on every linear layer (GPT-3)
  bool qkv_bias = false;           // biases on Q, K, V only (Qwen2)
  bool learned_positions = false;  // a learned position-embedding table (GPT-3)
  bool tied_embeddings = false;
  MoeSpec moe;
  int mtp_modules = 0;             // multi-token prediction depth D (DeepSeek-V3 s2.2)

  bool is_moe_layer(int layer) const {
    return moe.enabled() && layer >= moe.first_dense_layers;
  }
  int dense_layers() const { return moe.enabled() ? moe.first_dense_layers : layers; }
  int moe_layers() const { return layers - dense_layers(); }
};

// Checks the dimensions fit together (heads divisible by kv_heads, top_k <= experts, ...).
// Throws UserError "<where>: <field> = <value>: <what>" on the first problem.
void validate_model(const ModelSpec& m, const std::string& where);

// The vocabulary a TP-sharded head and embedding hold: `vocab` itself when tp divides it,
// otherwise padded as Megatron-LM does (make_vocab_size_divisible_by 128, times TP) to the next
// multiple of 128 x tp, e.g. GPT-3's 50,257 at tp 8 -> 51,200. The padded rows are weights and
// logits like any other (their FLOPs and bytes count).
inline constexpr std::int64_t kVocabPadMultiple = 128;
std::int64_t padded_vocab(std::int64_t vocab, int tp);

}  // namespace llmsim
