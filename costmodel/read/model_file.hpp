#pragma once
// Reading a ModelSpec: a catalog name (scenarios/models/<name>.yaml), a model YAML file, an
// inline `model:` mapping of a scenario, or a Hugging Face config.json (Llama, Mixtral, Qwen2,
// DeepSeek-V2 and DeepSeek-V3 formats). Every error names the file, line (YAML) and key.
//
// Model YAML keys: name, source, layers, hidden, heads, kv_heads, head_dim, ffn, vocab,
// max_seq_len, attention (mha|gqa|mla), mla {q_lora_rank, kv_lora_rank, qk_nope_head_dim,
// qk_rope_head_dim, v_head_dim}, mlp (swiglu|gelu), norm (rmsnorm|layernorm), linear_bias,
// qkv_bias, learned_positions, tied_embeddings, moe {routed_experts, shared_experts, top_k,
// expert_ffn, first_dense_layers, max_nodes_per_token}, mtp_modules; or hf_config: <path>.

#include <string>
#include <vector>

#include "costmodel/describe/model_spec.hpp"
#include "costmodel/read/yaml_reader.hpp"

namespace llmsim {

// The directory that holds models/, clusters/ and reference/: $LLMSIM_DATA_DIR if set, else
// the source tree's scenarios/ (compiled in).
std::string default_data_dir();

// Reads a model mapping. Relative hf_config paths are resolved against `base_dir`.
ModelSpec read_model(YamlMap& map, const std::string& base_dir);
ModelSpec load_model_file(const std::string& path);
ModelSpec load_hf_config(const std::string& path);
// The text of a config.json; `path` names it in errors and gives the model its name (the
// folder's name) and source.
ModelSpec read_hf_config(const std::string& text, const std::string& path);

// The catalog: names of scenarios/models/*.yaml (without .yaml), sorted.
std::vector<std::string> catalog_models(const std::string& data_dir);

// NAME (a catalog name, case-insensitive), a .yaml model file or a config.json. Throws
// UserError listing the catalog when nothing matches.
ModelSpec load_model(const std::string& name_or_path, const std::string& data_dir,
                     const std::string& base_dir = "");

// `path` if it exists as given, else relative to base_dir; "" if neither exists.
std::string resolve_path(const std::string& path, const std::string& base_dir);

}  // namespace llmsim
