#include "costmodel/read/model_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/check.hpp"

#ifndef LLMSIM_DATA_DIR
#define LLMSIM_DATA_DIR "scenarios"
#endif

namespace llmsim {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kMaxDim = 1 << 24;       // any width or count in a real model
constexpr std::int64_t kMaxVocab = 1LL << 26;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int dim(YamlMap& m, const std::string& key, int fallback = -1, int min = 1) {
  if (fallback < 0) return static_cast<int>(m.integer(key, min, kMaxDim));
  return static_cast<int>(m.integer_or(key, fallback, min, kMaxDim));
}

// A JSON config.json reader with file-and-key errors.
class JsonReader {
 public:
  JsonReader(nlohmann::json j, std::string file) : j_(std::move(j)), file_(std::move(file)) {}

  bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }

  std::int64_t integer(const char* key, std::int64_t min, std::int64_t max) const {
    if (!has(key)) throw UserError(fmt::format("{}: {}: missing; this key is required", file_, key));
    return integer_at(key, min, max);
  }
  std::int64_t integer_or(const char* key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) const {
    return has(key) ? integer_at(key, min, max) : fallback;
  }
  bool boolean_or(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_boolean()) {
      throw UserError(fmt::format("{}: {} = {}: expected true or false", file_, key, text(j_[key])));
    }
    return j_[key].get<bool>();
  }
  std::string string_or(const char* key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    if (!j_[key].is_string()) {
      throw UserError(fmt::format("{}: {} = {}: expected a text value", file_, key, text(j_[key])));
    }
    return j_[key].get<std::string>();
  }

 private:
  std::int64_t integer_at(const char* key, std::int64_t min, std::int64_t max) const {
    const auto& v = j_[key];
    if (!v.is_number_integer()) {
      throw UserError(fmt::format("{}: {} = {}: expected a whole number", file_, key, text(v)));
    }
    const std::int64_t x = v.get<std::int64_t>();
    if (x < min || x > max) {
      throw UserError(fmt::format("{}: {} = {}: must be between {} and {}", file_, key, x, min, max));
    }
    return x;
  }
  // A value as errors quote it (quote_value: at most 80 characters).
  static std::string text(const nlohmann::json& v) { return quote_value(v.dump()); }

  nlohmann::json j_;
  std::string file_;
};

// config.json text as JSON, within the limits a YAML file has (yaml_reader.hpp): bytes,
// nesting depth (a value nested a hundred thousand levels deep overflowed the stack when it
// was copied or printed) and number of values.
nlohmann::json parse_config_json(const std::string& text, const std::string& path) {
  if (text.size() > kMaxYamlBytes) {
    throw UserError(fmt::format("{}: {} bytes of JSON; at most {}", path, text.size(), kMaxYamlBytes));
  }
  std::size_t values = 0;
  const auto limits = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if (depth > kMaxYamlDepth) {
      throw UserError(fmt::format("{}: JSON nested deeper than {} levels", path, kMaxYamlDepth));
    }
    using Event = nlohmann::json::parse_event_t;
    const bool value = event == Event::value || event == Event::object_start ||
                       event == Event::array_start;
    if (value && ++values > kMaxYamlValues) {
      throw UserError(fmt::format("{}: more than {} JSON values", path, kMaxYamlValues));
    }
    return true;
  };
  nlohmann::json j = nlohmann::json::parse(text, limits, false);
  if (j.is_discarded() || !j.is_object()) {
    throw UserError(fmt::format("{}: broken JSON: expected a Hugging Face config.json object", path));
  }
  return j;
}

}  // namespace

std::string default_data_dir() {
  if (const char* env = std::getenv("LLMSIM_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return LLMSIM_DATA_DIR;
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  std::error_code ec;
  if (!base_dir.empty() && fs::path(path).is_relative()) {
    const fs::path p = fs::path(base_dir) / path;
    if (fs::exists(p, ec)) return p.string();
  }
  if (fs::exists(path, ec)) return path;
  return "";
}

ModelSpec read_model(YamlMap& m, const std::string& base_dir) {
  if (m.has("hf_config")) {
    const std::string rel = m.string("hf_config");
    m.finish({"hf_config"});
    const std::string path = resolve_path(rel, base_dir);
    if (path.empty()) m.fail("hf_config", "no such file");
    return load_hf_config(path);
  }
  ModelSpec s;
  s.name = m.string("name");
  s.source = m.string_or("source", "");
  s.layers = dim(m, "layers");
  s.hidden = dim(m, "hidden");
  s.heads = dim(m, "heads");
  const std::string att = m.choice_or("attention", "mha", {"mha", "gqa", "mla"});
  s.attention = att == "mha" ? AttentionKind::kMHA
                : att == "gqa" ? AttentionKind::kGQA : AttentionKind::kMLA;
  s.kv_heads = s.attention == AttentionKind::kGQA ? dim(m, "kv_heads") : dim(m, "kv_heads", s.heads);
  if (s.attention == AttentionKind::kMHA && s.kv_heads != s.heads) {
    m.fail("kv_heads", fmt::format("multi-head attention has kv_heads = heads = {}; use "
                                   "attention: gqa for grouped-query attention", s.heads));
  }
  s.head_dim = dim(m, "head_dim", std::max(1, s.hidden / s.heads));
  s.ffn = dim(m, "ffn", 0, 0);
  s.vocab = m.integer("vocab", 1, kMaxVocab);
  s.max_seq_len = m.integer_or("max_seq_len", s.max_seq_len, 1, 1LL << 30);
  if (auto mla = m.map_if_present("mla")) {
    if (s.attention != AttentionKind::kMLA) m.fail("mla", "only with attention: mla");
    s.mla.q_lora_rank = dim(*mla, "q_lora_rank", 0, 0);
    s.mla.kv_lora_rank = dim(*mla, "kv_lora_rank");
    s.mla.qk_nope_head_dim = dim(*mla, "qk_nope_head_dim");
    s.mla.qk_rope_head_dim = dim(*mla, "qk_rope_head_dim");
    s.mla.v_head_dim = dim(*mla, "v_head_dim");
    mla->finish({"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"});
  } else if (s.attention == AttentionKind::kMLA) {
    m.fail("mla", "missing; attention: mla needs its dims (kv_lora_rank, ...)");
  }
  s.mlp = m.choice_or("mlp", "swiglu", {"swiglu", "gelu"}) == "swiglu" ? MlpKind::kSwiGLU : MlpKind::kGeLU;
  s.norm = m.choice_or("norm", "rmsnorm", {"rmsnorm", "layernorm"}) == "rmsnorm" ? NormKind::kRMSNorm
                                                                                  : NormKind::kLayerNorm;
  s.linear_bias = m.boolean_or("linear_bias", false);
  s.qkv_bias = m.boolean_or("qkv_bias", false);
  s.learned_positions = m.boolean_or("learned_positions", false);
  s.tied_embeddings = m.boolean_or("tied_embeddings", false);
  if (auto moe = m.map_if_present("moe")) {
    s.moe.routed_experts = dim(*moe, "routed_experts");
    s.moe.shared_experts = dim(*moe, "shared_experts", 0, 0);
    s.moe.top_k = dim(*moe, "top_k");
    s.moe.expert_ffn = dim(*moe, "expert_ffn");
    s.moe.first_dense_layers = dim(*moe, "first_dense_layers", 0, 0);
    s.moe.max_nodes_per_token = dim(*moe, "max_nodes_per_token", 0, 0);
    moe->finish({"routed_experts", "shared_experts", "top_k", "expert_ffn", "first_dense_layers",
                 "max_nodes_per_token"});
  }
  s.mtp_modules = static_cast<int>(m.integer_or("mtp_modules", 0, 0, 16));
  // published counts: printed beside ours by `llmsim model`, never used to compute anything
  if (m.has("published")) {
    const auto list = m.sequence("published");
    for (std::size_t i = 0; i < list.size(); ++i) {
      YamlMap r(list[i], m.file(), fmt::format("{}published.{}", m.path().empty() ? "" : m.path() + ".", i));
      PublishedCount c;
      c.figure = r.choice("figure", {"total_params", "active_params", "mtp_params"});
      c.value = r.number("value", 1.0, 1e16);
      c.note = r.string_or("note", "");
      c.source = r.string("source");
      if (c.source.empty()) r.fail("source", "every published figure needs its source");
      r.finish({"figure", "value", "note", "source"});
      s.published.push_back(std::move(c));
    }
  }
  m.finish({"name", "source", "published", "layers", "hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab",
            "max_seq_len", "attention", "mla", "mlp", "norm", "linear_bias", "qkv_bias",
            "learned_positions", "tied_embeddings", "moe", "mtp_modules", "hf_config"});
  validate_model(s, fmt::format("{}: {}", m.file(), m.path().empty() ? "model" : m.path()));
  return s;
}

ModelSpec load_model_file(const std::string& path) {
  YamlMap m(load_yaml_file(path), path, "");
  return read_model(m, fs::path(path).parent_path().string());
}

ModelSpec load_hf_config(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw UserError(fmt::format("{}: no such file", path));
  const auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxYamlBytes) {
    throw UserError(fmt::format("{}: {} bytes of JSON; at most {}", path, size, kMaxYamlBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return read_hf_config(ss.str(), path);
}

ModelSpec read_hf_config(const std::string& text, const std::string& path) {
  const JsonReader r(parse_config_json(text, path), path);
  const std::string type = r.string_or("model_type", "");
  const std::vector<std::string> known{"llama", "mistral", "mixtral", "qwen2", "deepseek_v2",
                                       "deepseek_v3"};
  if (std::find(known.begin(), known.end(), type) == known.end()) {
    throw UserError(fmt::format("{}: model_type = {}: allowed: llama, mistral, mixtral, qwen2, "
                                "deepseek_v2, deepseek_v3", path,
                                type.empty() ? "(missing)" : quote_value(type)));
  }
  ModelSpec s;
  s.name = fs::path(path).parent_path().filename().string();
  if (s.name.empty()) s.name = type;
  s.source = path;
  s.layers = static_cast<int>(r.integer("num_hidden_layers", 1, kMaxDim));
  s.hidden = static_cast<int>(r.integer("hidden_size", 1, kMaxDim));
  s.heads = static_cast<int>(r.integer("num_attention_heads", 1, kMaxDim));
  s.kv_heads = static_cast<int>(r.integer_or("num_key_value_heads", s.heads, 1, kMaxDim));
  s.head_dim = static_cast<int>(r.integer_or("head_dim", std::max(1, s.hidden / s.heads), 1, kMaxDim));
  s.ffn = static_cast<int>(r.integer("intermediate_size", 1, kMaxDim));
  s.vocab = r.integer("vocab_size", 1, kMaxVocab);
  s.max_seq_len = r.integer_or("max_position_embeddings", 4096, 1, 1LL << 30);
  s.tied_embeddings = r.boolean_or("tie_word_embeddings", false);
  const std::string act = r.string_or("hidden_act", "silu");
  s.mlp = (act == "gelu" || act == "gelu_new") ? MlpKind::kGeLU : MlpKind::kSwiGLU;
  s.attention = s.kv_heads == s.heads ? AttentionKind::kMHA : AttentionKind::kGQA;
  if (type == "qwen2") s.qkv_bias = true;  // Qwen2 has biases on Q, K and V (modeling_qwen2.py)
  if (type == "mixtral") {
    s.moe.routed_experts = static_cast<int>(r.integer("num_local_experts", 1, kMaxDim));
    s.moe.top_k = static_cast<int>(r.integer("num_experts_per_tok", 1, kMaxDim));
    s.moe.expert_ffn = s.ffn;
  }
  if (type == "deepseek_v2" || type == "deepseek_v3") {
    s.attention = AttentionKind::kMLA;
    s.kv_heads = s.heads;
    s.mla.q_lora_rank = static_cast<int>(r.integer_or("q_lora_rank", 0, 0, kMaxDim));
    s.mla.kv_lora_rank = static_cast<int>(r.integer("kv_lora_rank", 1, kMaxDim));
    s.mla.qk_nope_head_dim = static_cast<int>(r.integer("qk_nope_head_dim", 1, kMaxDim));
    s.mla.qk_rope_head_dim = static_cast<int>(r.integer("qk_rope_head_dim", 1, kMaxDim));
    s.mla.v_head_dim = static_cast<int>(r.integer("v_head_dim", 1, kMaxDim));
    if (r.has("n_routed_experts")) {
      s.moe.routed_experts = static_cast<int>(r.integer("n_routed_experts", 1, kMaxDim));
      s.moe.shared_experts = static_cast<int>(r.integer_or("n_shared_experts", 0, 0, kMaxDim));
      s.moe.top_k = static_cast<int>(r.integer("num_experts_per_tok", 1, kMaxDim));
      s.moe.expert_ffn = static_cast<int>(r.integer("moe_intermediate_size", 1, kMaxDim));
      s.moe.first_dense_layers = static_cast<int>(r.integer_or("first_k_dense_replace", 0, 0, kMaxDim));
      // Node-limited routing: topk_group of n_group groups (one group per node in V3).
      s.moe.max_nodes_per_token = static_cast<int>(r.integer_or("topk_group", 0, 0, kMaxDim));
      if (r.integer_or("moe_layer_freq", 1, 1, kMaxDim) != 1) {
        throw UserError(fmt::format("{}: moe_layer_freq: only 1 (every layer after the first dense "
                                    "ones) is supported", path));
      }
    }
    s.mtp_modules = static_cast<int>(r.integer_or("num_nextn_predict_layers", 0, 0, 16));
  }
  validate_model(s, path);
  return s;
}

std::vector<std::string> catalog_models(const std::string& data_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(fs::path(data_dir) / "models", ec), end; !ec && it != end;
       it.increment(ec)) {
    const fs::path p = it->path();
    if (p.extension() == ".yaml") names.push_back(p.stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

ModelSpec load_model(const std::string& name, const std::string& data_dir,
                     const std::string& base_dir) {
  for (const auto& c : catalog_models(data_dir)) {
    if (lower(c) == lower(name)) return load_model_file((fs::path(data_dir) / "models" / (c + ".yaml")).string());
  }
  if (ends_with(name, ".yaml") || ends_with(name, ".yml") || ends_with(name, ".json")) {
    const std::string path = resolve_path(name, base_dir);
    if (path.empty()) throw UserError(fmt::format("{}: no such file", quote_value(name)));
    return ends_with(path, ".json") ? load_hf_config(path) : load_model_file(path);
  }
  const auto names = catalog_models(data_dir);
  std::string list;
  for (const auto& n : names) list += list.empty() ? n : ", " + n;
  throw UserError(fmt::format("model '{}': not in the catalog ({}/models){}; known: {}; or give a "
                              ".yaml model file or a config.json", quote_value(name), data_dir,
                              did_you_mean_clause(lower(name), names),
                              list.empty() ? "(none)" : list));
}

}  // namespace llmsim
