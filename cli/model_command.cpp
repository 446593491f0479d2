// llmsim model: parameters, KV cache, training FLOPs per token and the per-operator table of a
// catalog model, a model YAML file or a Hugging Face config.json.

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/account/operator_account.hpp"
#include "sim/check.hpp"

namespace llmsim::cli {

namespace {

struct ModelOptions {
  std::string model;
  std::int64_t seq_len = 4096;
  bool json = false;
};

nlohmann::json op_json(const OpAccount& op) {
  nlohmann::json j{{"name", op.name},
                   {"kind", operator_kind_name(op.kind)},
                   {"precision", precision_name(op.precision)},
                   {"forward_flops", op.forward_flops},
                   {"dgrad_flops", op.dgrad_flops},
                   {"wgrad_flops", op.wgrad_flops},
                   {"forward_bytes", op.forward_bytes},
                   {"dgrad_bytes", op.dgrad_bytes},
                   {"wgrad_bytes", op.wgrad_bytes},
                   {"params", op.params},
                   {"saved_bytes", op.saved_bytes}};
  if (op.kind == OperatorKind::kGemm || op.kind == OperatorKind::kGroupedGemm) {
    j["gemm"] = {{"m", op.gemm.m}, {"n", op.gemm.n}, {"k", op.gemm.k}, {"groups", op.gemm.groups},
                 {"tokens_per_group", op.gemm.tokens_per_group}};
  }
  return j;
}

std::string shape_text(const OpAccount& op) {
  if (op.kind == OperatorKind::kGroupedGemm) {
    return fmt::format("{}x[{:.4g}x{}x{}]", op.gemm.groups, op.gemm.tokens_per_group, op.gemm.n,
                       op.gemm.k);
  }
  if (op.kind == OperatorKind::kGemm) return fmt::format("{}x{}x{}", op.gemm.m, op.gemm.n, op.gemm.k);
  return "";
}

double our_count(const PublishedCount& c, const ModelTotals& t) {
  if (c.figure == "total_params") return t.total_params;
  if (c.figure == "active_params") return t.active_params;
  return t.mtp_params;
}

double deviation_pct(double ours, double published) { return 100.0 * (ours / published - 1.0); }

void run_model(const ModelOptions& o) {
  const ModelSpec m = load_model(o.model, default_data_dir());
  const ModelTotals causal = model_totals(m, o.seq_len, true);
  const ModelTotals full = model_totals(m, o.seq_len, false);
  AccountRequest r;
  r.seq_len = o.seq_len;
  r.recipe = make_recipe(RecipeKind::kBF16);
  const ModelAccount a = account_model(m, r);

  if (o.json) {
    nlohmann::json j{{"name", m.name},
                     {"source", m.source},
                     {"seq_len", o.seq_len},
                     {"total_params", causal.total_params},
                     {"active_params", causal.active_params},
                     {"embedding_params", causal.embedding_params},
                     {"head_params", causal.head_params},
                     {"mtp_params", causal.mtp_params},
                     {"kv_cache_bytes_per_token", causal.kv_cache_bytes_per_token},
                     {"forward_flops_per_token_causal", causal.forward_flops_per_token},
                     {"train_flops_per_token_causal", causal.train_flops_per_token},
                     {"train_flops_per_token_full", full.train_flops_per_token}};
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& l : a.layers) {
      nlohmann::json ops = nlohmann::json::array();
      for (const auto& op : l.ops) ops.push_back(op_json(op));
      layers.push_back({{"kind", layer_kind_name(l.kind)}, {"count", l.count},
                        {"tokens", a.tokens}, {"ops", ops}});
    }
    j["layers"] = layers;
    nlohmann::json published = nlohmann::json::array();
    for (const auto& c : m.published) {
      const double ours = our_count(c, causal);
      published.push_back({{"figure", c.figure}, {"published", c.value}, {"llmsim", ours},
                           {"deviation_pct", deviation_pct(ours, c.value)}, {"note", c.note},
                           {"source", c.source}});
    }
    j["published"] = published;
    fmt::print("{}\n", j.dump(1));
    return;
  }
  fmt::print("{} ({})\n", m.name, m.source);
  fmt::print("  {} layers, hidden {}, {} heads, {} attention, {} MLP{}\n", m.layers, m.hidden, m.heads,
             attention_kind_name(m.attention), mlp_kind_name(m.mlp),
             m.moe.enabled() ? fmt::format(", MoE {} routed + {} shared experts, top-{}",
                                           m.moe.routed_experts, m.moe.shared_experts, m.moe.top_k)
                             : std::string());
  fmt::print("parameters        total {:>9.2f} B   active per token {:>8.2f} B   embedding {:.2f} B"
             "   head {:.2f} B   MTP {:.2f} B\n",
             causal.total_params / 1e9, causal.active_params / 1e9, causal.embedding_params / 1e9,
             causal.head_params / 1e9, causal.mtp_params / 1e9);
  fmt::print("KV cache          {:.0f} bytes per token (BF16, all {} layers)\n",
             causal.kv_cache_bytes_per_token, m.layers);
  fmt::print("training FLOPs    {:.1f} GFLOP per token (causal attention), {:.1f} (full), seq_len {}\n",
             causal.train_flops_per_token / 1e9, full.train_flops_per_token / 1e9, o.seq_len);
  if (!m.published.empty()) {
    fmt::print("\nPublished figures (targets, not inputs), beside ours:\n");
    fmt::print("  {:<14} {:>10} {:>10} {:>10}  {}\n", "figure", "published", "llmsim", "deviation",
               "source");
    for (const auto& c : m.published) {
      const double ours = our_count(c, causal);
      fmt::print("  {:<14} {:>8.2f} B {:>8.2f} B {:>+9.1f}%  {}{}\n", c.figure, c.value / 1e9,
                 ours / 1e9, deviation_pct(ours, c.value), c.source,
                 c.note.empty() ? "" : " (" + c.note + ")");
    }
  }
  fmt::print("\nper operator, one sequence of {} tokens (BF16, no parallelism); FLOPs per token:\n",
             o.seq_len);
  fmt::print("{:<10} {:<26} {:<13} {:<22} {:>11} {:>11} {:>11} {:>12}\n", "layer", "operator", "kind",
             "GEMM m x n x k", "fwd MFLOP", "dgrad MFLOP", "wgrad MFLOP", "params (M)");
  for (const auto& l : a.layers) {
    const std::string layer = fmt::format("{} x{}", layer_kind_name(l.kind), l.count);
    for (const auto& op : l.ops) {
      fmt::print("{:<10} {:<26} {:<13} {:<22} {:>11.2f} {:>11.2f} {:>11.2f} {:>12.2f}\n", layer,
                 op.name, operator_kind_name(op.kind), shape_text(op), op.forward_flops / a.tokens / 1e6,
                 op.dgrad_flops / a.tokens / 1e6, op.wgrad_flops / a.tokens / 1e6, op.params / 1e6);
    }
  }
}

}  // namespace

void add_model_command(CLI::App& app) {
  auto opts = std::make_shared<ModelOptions>();
  CLI::App* cmd = app.add_subcommand(
      "model", "Parameters, KV cache and training FLOPs per token of a model, per operator");
  cmd->footer(
      "MODEL is a catalog name (scenarios/models/*.yaml, e.g. deepseek-v3, llama-3.1-405b), a "
      "model .yaml file or a Hugging Face config.json.\n"
      "FLOPs are matmul FLOPs (GEMMs and attention), 2 per multiply-add; training = forward + "
      "input-gradient + weight-gradient. Causal attention counts the s(s+1)/2 pairs of the "
      "triangle; full counts s^2. Active parameters include the embedding and head; total "
      "excludes MTP modules (DeepSeek's 671B convention). Counts published for a catalog model "
      "(its file's `published` list) are printed beside ours with their sources, never used.\n"
      "Example: llmsim model deepseek-v3 --seq-len 4096");
  cmd->add_option("model", opts->model, "Catalog name, model file or config.json")->required();
  cmd->add_option("--seq-len", opts->seq_len, "Sequence length (tokens)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 24));
  cmd->add_flag("--json", opts->json, "Print JSON instead of tables");
  cmd->callback([opts] { run_model(*opts); });
}

}  // namespace llmsim::cli
