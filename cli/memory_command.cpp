// llmsim memory: memory per GPU for the worst pipeline stage of a scenario's plan.

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/published_text.hpp"
#include "costmodel/account/memory.hpp"
#include "costmodel/read/model_file.hpp"
#include "costmodel/read/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim::cli {

namespace {

struct MemoryOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::string phase;
  bool json = false;
};

constexpr double kGB = 1e9;

nlohmann::json rank_json(const RankMemory& r) {
  return {{"rank", r.rank},
          {"chunks", r.chunks},
          {"params", r.params},
          {"weight_bytes", r.weight_bytes},
          {"grad_bytes", r.grad_bytes},
          {"optimizer_bytes", r.optimizer_bytes},
          {"activation_bytes", r.activation_bytes},
          {"peak_in_flight", r.peak_in_flight},
          {"comm_buffer_bytes", r.comm_buffer_bytes},
          {"gathered_bytes", r.gathered_bytes},
          {"working_bytes", r.working_bytes},
          {"reserve_bytes", r.reserve_bytes},
          {"allocated_bytes", r.allocated_bytes()},
          {"total_bytes", r.total_bytes()}};
}

// The worst rank's lines, each with what it counts.
void print_rank_table(const Scenario& s, const MemoryEstimate& e) {
  const RankMemory& w = e.worst();
  const ParallelPlan& p = e.request.plan;
  const double cap = e.request.capacity_bytes;
  auto line = [](std::string_view what, double bytes, const std::string& how) {
    fmt::print("  {:<34} {:>10.2f}   {}\n", what, bytes / kGB, how);
  };
  fmt::print("  {:<34} {:>10}\n", "", "GB");
  line("weights", w.weight_bytes,
       fmt::format("{:.2f} B parameters x {} bytes", w.params / 1e9, s.precision.weight_bytes));
  line("gradients", w.grad_bytes,
       fmt::format("x {} bytes{}", s.precision.grad_bytes, p.zero_stage >= 2 ? ", ZeRO-sharded" : ""));
  line("optimizer state", w.optimizer_bytes,
       fmt::format("master + 2 moments = {} bytes{}", s.precision.optimizer_bytes(),
                   p.zero_stage >= 1 ? fmt::format(", sharded over dp x cp = {} (experts: {})",
                                                   p.dp * p.cp, p.expert_dp())
                                     : ""));
  line("activations", w.activation_bytes,
       fmt::format("peak {:.1f} micro-batches of the heaviest stage in flight", w.peak_in_flight));
  line("communication buffers", w.comm_buffer_bytes, "pipeline p2p, EP dispatch/combine, TP");
  if (p.zero_stage >= 3) {
    line("gathered (ZeRO-3)", w.gathered_bytes,
         p.pp > 1 ? "the stages' weights and accumulated gradients, unsharded"
                  : "2 units' weights (in use, prefetched) + 1 unit's gradient, unsharded");
  }
  line("transient", w.working_bytes,
       "the loss over the logits, or a layer's recomputed activations in its backward");
  line("allocator reserve", w.reserve_bytes,
       fmt::format("{:.0f}% of the {:.2f} GB allocated (assumed)", 100.0 * kAllocatorReserve,
                   w.allocated_bytes() / kGB));
  line("total", w.total_bytes(),
       fmt::format("of {:.2f} GB ({:.0f}%)", cap / kGB, 100.0 * w.total_bytes() / cap));
  fmt::print("not counted: the CUDA context and library workspaces\n");
}

void run_memory(const MemoryOptions& o) {
  Scenario s = load_scenario(o.scenario, o.overrides, default_data_dir());
  s.name = scenario_title(s.name, o.overrides);
  require_training(s, "llmsim memory");
  const TrainingPhase* ph = &s.phases.front();
  if (!o.phase.empty()) {
    ph = s.find_phase(o.phase);
    if (ph == nullptr) {
      std::string names;
      for (const auto& p : s.phases) names += (names.empty() ? "" : ", ") + p.name;
      throw UserError(fmt::format("--phase {}: no such phase; the scenario has: {}",
                                  quote_value(o.phase), names));
    }
  }
  const MemoryRequest r = memory_request(s, *ph);
  const MemoryEstimate e = estimate_memory(s.model, r);
  const RankMemory& w = e.worst();
  const ParallelPlan& p = r.plan;

  if (o.json) {
    nlohmann::json ranks = nlohmann::json::array();
    for (const auto& rm : e.ranks) ranks.push_back(rank_json(rm));
    nlohmann::json j{{"scenario", s.name},
                     {"phase", ph->name},
                     {"model", s.model.name},
                     {"gpu", s.gpu.name},
                     {"capacity_bytes", r.capacity_bytes},
                     {"precision", s.precision.name()},
                     {"recompute", recompute_policy_name(s.recompute)},
                     {"schedule", schedule_method_name(p.schedule)},
                     {"micro_batches", r.micro_batches},
                     {"worst_rank", e.worst_rank},
                     {"fits", e.fits()},
                     {"worst", rank_json(w)},
                     {"ranks", ranks}};
    fmt::print("{}\n", j.dump(1));
  } else {
    fmt::print("{}: {} on {} x {} ({} GB each), phase '{}'\n", s.name, s.model.name,
               s.cluster.gpus(), s.gpu.name, r.capacity_bytes / kGB, ph->name);
    fmt::print("plan: tp {}{} cp {} pp {} ({}{}) dp {} ep {} ZeRO-{}, micro-batch {} x {} tokens, "
               "{} micro-batches per step; precision {}, recompute {}\n",
               p.tp, p.sp ? "+sp" : "", p.cp, p.pp, schedule_method_name(p.schedule),
               p.vpp > 1 ? fmt::format(", vpp {}", p.vpp) : "", p.dp, p.ep, p.zero_stage,
               p.micro_batch_size, ph->seq_len, r.micro_batches, s.precision.name(),
               recompute_policy_name(s.recompute));
    std::string chunks;
    for (int c : w.chunks) {
      const ChunkLoad& ch = e.chunks[static_cast<std::size_t>(c)];
      chunks += fmt::format("{}stage {} (layers {}-{}{}{})", chunks.empty() ? "" : ", ", c,
                            ch.first_layer, ch.first_layer + ch.layers - 1,
                            ch.embedding ? ", embedding" : "", ch.head ? ", head, MTP" : "");
    }
    fmt::print("\nworst pipeline rank: {} of {}, holding {}\n", w.rank, p.pp, chunks);
    print_rank_table(s, e);
    fmt::print("\nper rank (GB):");
    for (const auto& rm : e.ranks) fmt::print(" {}:{:.1f}", rm.rank, rm.total_bytes() / kGB);
    fmt::print("\n");
  }
  if (!e.fits()) throw UserError(e.overflow_message());
}

}  // namespace

void add_memory_command(CLI::App& app) {
  auto opts = std::make_shared<MemoryOptions>();
  CLI::App* cmd = app.add_subcommand("memory", "Memory per GPU of a scenario's plan, worst stage");
  cmd->footer(
      "Weights (DualPipe ranks hold two stages), gradients, optimizer state (FP32 master and "
      "AdamW moments, ZeRO-sharded), activations of the schedule's peak in-flight micro-batches "
      "under the recomputation policy (the schedule is run rank by rank), communication "
      "buffers, ZeRO-3's gathered copies, the transient peak (the loss over the logits, or a "
      "layer's recomputed activations) and the allocator's reserve (5% assumed). Exits 2 with what would help when the plan does not fit.\n"
      "Example: llmsim memory scenarios/deepseek-v3-pretrain.yaml --set precision=bf16");
  add_scenario_options(*cmd, opts->scenario, opts->overrides, "Scenario YAML file",
                       "Override a scenario field: path.to.key=value");
  cmd->add_option("--phase", opts->phase, "Training phase (default: the first)");
  cmd->add_flag("--json", opts->json, "Print JSON instead of tables");
  cmd->callback([opts] { run_memory(*opts); });
}

}  // namespace llmsim::cli
