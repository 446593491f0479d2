#include "costmodel/account/memory.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace {

constexpr double kGB = 1e9;  // capacities are quoted in GB (hardware_specs.csv)
constexpr double kBf16 = 2.0;

// Peak in-flight activations reach steady state once every rank has started its backward;
// a run of 8 x pp micro-batches (a multiple of pp, even, >= 2 pp: valid for every schedule)
// has the same per-rank peak as any longer one, so longer runs are capped to it.
int simulated_micro_batches(int micro_batches, int pp) {
  return micro_batches > 8 * pp ? 8 * pp : micro_batches;
}

double layer_params(const ModelAccount& a, LayerKind k, bool expert) {
  const LayerAccount* l = a.find(k);
  if (l == nullptr) return 0.0;
  return expert ? l->expert_params() : l->params();
}

double layer_saved(const ModelAccount& a, LayerKind k) {
  const LayerAccount* l = a.find(k);
  return l == nullptr ? 0.0 : l->saved_bytes();
}

}  // namespace

std::vector<ChunkLoad> layout_chunks(const ModelSpec& m, const ModelAccount& a, int chunks,
                                     const std::vector<int>& layers_per_stage) {
  const bool given = !layers_per_stage.empty();
  if (given && static_cast<int>(layers_per_stage.size()) != chunks) {
    throw UserError(fmt::format("parallelism.layers_per_stage: {} counts for {} pipeline stages",
                                layers_per_stage.size(), chunks));
  }
  if (!given && m.layers < chunks) {
    throw UserError(fmt::format("the model's {} layers cannot fill {} pipeline stages (one layer "
                                "each at least); use a smaller pp",
                                m.layers, chunks));
  }
  std::vector<ChunkLoad> out(static_cast<std::size_t>(chunks));
  const int base = m.layers / chunks;
  const int extra = m.layers % chunks;
  int next = 0;
  for (int c = 0; c < chunks; ++c) {
    ChunkLoad& ch = out[static_cast<std::size_t>(c)];
    ch.first_layer = next;
    ch.layers = given ? layers_per_stage[static_cast<std::size_t>(c)]
                      : base + ((c >= 1 && c <= extra) ? 1 : 0);
    next += ch.layers;
    for (int i = ch.first_layer; i < next; ++i) {
      const LayerKind k = m.is_moe_layer(i) ? LayerKind::kMoE : LayerKind::kDense;
      ch.params += layer_params(a, k, false);
      ch.expert_params += layer_params(a, k, true);
      ch.activation_bytes += layer_saved(a, k);
    }
  }
  if (given && next != m.layers) {
    throw UserError(fmt::format("parallelism.layers_per_stage: the counts add up to {}; the model "
                                "has {} layers",
                                next, m.layers));
  }
  LLMSIM_CHECK(next == m.layers, "layer layout does not cover the model");
  out.front().embedding = true;
  out.front().params += layer_params(a, LayerKind::kEmbedding, false);
  out.front().activation_bytes += layer_saved(a, LayerKind::kEmbedding);
  ChunkLoad& last = out.back();
  last.head = true;
  last.params += layer_params(a, LayerKind::kHead, false);
  last.activation_bytes += layer_saved(a, LayerKind::kHead);
  if (const LayerAccount* mtp = a.find(LayerKind::kMtp)) {
    last.params += mtp->params() * mtp->count;
    last.expert_params += mtp->expert_params() * mtp->count;
    last.activation_bytes += mtp->saved_bytes() * mtp->count;
  }
  return out;
}

namespace {

AccountRequest account_request(const MemoryRequest& r) {
  const ParallelPlan& p = r.plan;
  AccountRequest ar;
  ar.shard = p.shard();
  ar.recipe = r.recipe;
  ar.recompute = r.recompute;
  ar.stack = r.stack;
  ar.seq_len = r.seq_len;
  ar.micro_batch = p.micro_batch_size;
  return ar;
}

// Communication buffers per GPU, every rank alike: pipeline sends and receives, the expert
// dispatch and combine buffers, the tensor-parallel buffer. `tokens`: per micro-batch.
double comm_buffer_bytes(const ModelSpec& m, const MemoryRequest& r, double tokens) {
  const ParallelPlan& p = r.plan;
  const double p2p = p.pp > 1 ? 4.0 * tokens * m.hidden * kBf16 / (p.sp ? p.tp : 1) : 0.0;
  double ep_buffers = 0.0;
  if (m.moe.enabled() && p.ep > 1) {
    const double copies = tokens / p.tp * m.moe.top_k;
    ep_buffers = copies * m.hidden * (r.recipe.dispatch_bytes + r.recipe.combine_bytes);
    // DualPipe overlaps one micro-batch's all-to-all with another's compute: two sets.
    if (p.schedule == ScheduleMethod::kDualPipe || p.schedule == ScheduleMethod::kDualPipeV) {
      ep_buffers *= 2;
    }
  }
  const double tp_buffer = p.tp > 1 ? tokens * m.hidden * kBf16 : 0.0;
  return p2p + ep_buffers + tp_buffer;
}

// The stages `rank` runs in any direction, ascending.
std::vector<int> chunks_held(const PipelinePlan& plan, int rank) {
  std::set<int> held;
  for (const auto& per_dir : plan.stage_rank) {
    for (int s = 0; s < static_cast<int>(per_dir.size()); ++s) {
      if (per_dir[static_cast<std::size_t>(s)] == rank) held.insert(s);
    }
  }
  return std::vector<int>(held.begin(), held.end());
}

// Walk the rank's operations: a forward adds its chunk's activations, a backward (B, BW,
// or the backward half of an F&B) frees them (sim's peak_activations, weighted).
double peak_activation_bytes(const std::vector<PipelineOp>& ops,
                             const std::vector<ChunkLoad>& chunks) {
  double now = 0.0, peak = 0.0;
  auto act = [&](const MicroStage& ms) {
    return chunks[static_cast<std::size_t>(ms.stage)].activation_bytes;
  };
  for (const auto& op : ops) {
    switch (op.kind) {
      case OpKind::F:
        now += act(op.first);
        peak = std::max(peak, now);
        break;
      case OpKind::B:
      case OpKind::BW: now -= act(op.first); break;
      case OpKind::FB:
        now += act(op.first);
        peak = std::max(peak, now);
        now -= act(op.second);
        break;
      case OpKind::W: break;
    }
  }
  return peak;
}

// Per layer kind, the bytes a layer's backward brings back: what it would keep without
// recomputation less what the policy keeps (the policy's recomputed forward regenerates them).
struct DroppedActivations {
  double dense = 0.0, moe = 0.0, mtp = 0.0;
};

DroppedActivations dropped_activations(const ModelSpec& m, const MemoryRequest& r,
                                       const ModelAccount& kept) {
  DroppedActivations d;
  if (r.recompute == RecomputePolicy::kNone) return d;
  AccountRequest none = account_request(r);
  none.recompute = RecomputePolicy::kNone;
  const ModelAccount all = account_model(m, none);
  auto diff = [&](LayerKind k) {
    const LayerAccount* a = all.find(k);
    const LayerAccount* b = kept.find(k);
    return a == nullptr || b == nullptr ? 0.0 : std::max(0.0, a->saved_bytes() - b->saved_bytes());
  };
  d.dense = diff(LayerKind::kDense);
  d.moe = diff(LayerKind::kMoE);
  d.mtp = diff(LayerKind::kMtp);
  return d;
}

// Each chunk's transient peak: the largest dropped layer it runs, or its loss (the head chunk:
// the main head's and the MTP modules').
void set_working_bytes(std::vector<ChunkLoad>& chunks, const ModelSpec& m, const ModelAccount& a,
                       const DroppedActivations& d) {
  auto working = [&](LayerKind k) {
    const LayerAccount* l = a.find(k);
    return l == nullptr ? 0.0 : l->working_bytes();
  };
  for (ChunkLoad& ch : chunks) {
    double w = 0.0;
    for (int i = ch.first_layer; i < ch.first_layer + ch.layers; ++i) {
      w = std::max(w, m.is_moe_layer(i) ? d.moe : d.dense);
    }
    if (ch.head) {
      w = std::max({w, d.mtp, working(LayerKind::kHead), working(LayerKind::kMtp)});
    }
    ch.working_bytes = w;
  }
}

// The largest unit FSDP gathers at once without pipelining: the embedding, the head, one layer
// or one MTP module, as held on this GPU (after TP / EP sharding).
double largest_gathered_unit(const ModelAccount& a) {
  double unit = 0.0;
  for (const LayerAccount& l : a.layers) unit = std::max(unit, l.params());
  return unit;
}

// ZeRO-3's unsharded copies (RankMemory::gathered_bytes).
// - No pipelining: PyTorch FSDP gathers a unit in the compute precision, prefetches the next
//   (torchtitan's FSDP docs: "implicit forward prefetching (always enabled)"), and holds one
//   unit's unsharded gradient until its reduce-scatter: 2 x weight + 1 x gradient bytes of the
//   largest unit.
// - Pipelining (PyTorch's pipelining with FSDP2, as torchtitan runs it): the stages are not
//   resharded after the forward (torchtitan parallelize: reshard_after_forward = not
//   pp_enabled), and the gradient is reduced on the last micro-batch only
//   (torch.distributed.pipelining stage.py: set_requires_gradient_sync(last_backward)), so the
//   unsharded gradient accumulates in the reduce precision (FSDP2 _fsdp_param.py
//   to_accumulated_grad_if_needed): the rank's whole parameters, weight + gradient bytes.
double gathered_bytes(const RankMemory& rm, const MemoryRequest& r, double unit_params) {
  if (r.plan.zero_stage < 3) return 0.0;
  if (r.plan.pp > 1) return rm.params * (r.recipe.weight_bytes + r.recipe.grad_bytes);
  return unit_params * (2.0 * r.recipe.weight_bytes + r.recipe.grad_bytes);
}

// One pipeline rank's memory. dense_shard, expert_shard: the ZeRO shard counts (see estimate).
RankMemory rank_memory(int rank, const PipelinePlan& plan, const std::vector<ChunkLoad>& chunks,
                       const MemoryRequest& r, double dense_shard, double expert_shard,
                       double comm_bytes) {
  const ParallelPlan& p = r.plan;
  RankMemory rm;
  rm.rank = rank;
  rm.chunks = chunks_held(plan, rank);
  double expert = 0.0;
  double heaviest = 0.0;
  for (int c : rm.chunks) {
    const ChunkLoad& ch = chunks[static_cast<std::size_t>(c)];
    rm.params += ch.params;
    expert += ch.expert_params;
    heaviest = std::max(heaviest, ch.activation_bytes);
    rm.working_bytes = std::max(rm.working_bytes, ch.working_bytes);
  }
  const double dense = rm.params - expert;
  auto sharded = [&](double bytes_per_param, int from_stage) {
    if (p.zero_stage < from_stage) return rm.params * bytes_per_param;
    return dense * bytes_per_param / dense_shard + expert * bytes_per_param / expert_shard;
  };
  rm.weight_bytes = sharded(r.recipe.weight_bytes, 3);
  rm.grad_bytes = sharded(r.recipe.grad_bytes, 2);
  rm.optimizer_bytes = sharded(r.recipe.optimizer_bytes(), 1);
  const double peak = peak_activation_bytes(plan.ops[static_cast<std::size_t>(rank)], chunks);
  rm.activation_bytes = peak;
  rm.peak_in_flight = heaviest > 0.0 ? peak / heaviest : 0.0;
  rm.comm_buffer_bytes = comm_bytes;
  return rm;
}

void add_gathered_and_reserve(RankMemory& rm, const MemoryRequest& r, double unit_params) {
  rm.gathered_bytes = gathered_bytes(rm, r, unit_params);
  rm.reserve_bytes = kAllocatorReserve * rm.allocated_bytes();
}

MemoryEstimate estimate(const ModelSpec& m, const MemoryRequest& r) {
  const ParallelPlan& p = r.plan;
  const ModelAccount account = account_model(m, account_request(r));

  MemoryEstimate e;
  e.model = m;
  e.request = r;
  e.simulated_micro_batches = simulated_micro_batches(r.micro_batches, p.pp);
  const PipelinePlan plan =
      make_schedule(ScheduleRequest{p.schedule, p.pp, e.simulated_micro_batches, p.vpp});
  e.chunks = layout_chunks(m, account, plan.num_stages, p.layers_per_stage);
  set_working_bytes(e.chunks, m, account, dropped_activations(m, r, account));
  const double unit_params = largest_gathered_unit(account);

  // ZeRO shards over the data-parallel replicas of each parameter: dp x cp for dense
  // parameters, the expert-data-parallel group for routed experts.
  const double dense_shard = static_cast<double>(p.dp) * p.cp;
  const double expert_shard = p.expert_dp();
  const double comm_bytes = comm_buffer_bytes(m, r, account.tokens);

  for (int rank = 0; rank < p.pp; ++rank) {
    e.ranks.push_back(rank_memory(rank, plan, e.chunks, r, dense_shard, expert_shard, comm_bytes));
    add_gathered_and_reserve(e.ranks.back(), r, unit_params);
  }
  for (int i = 1; i < static_cast<int>(e.ranks.size()); ++i) {
    if (e.ranks[static_cast<std::size_t>(i)].total_bytes() >
        e.ranks[static_cast<std::size_t>(e.worst_rank)].total_bytes()) {
      e.worst_rank = i;
    }
  }
  return e;
}

}  // namespace

MemoryEstimate estimate_memory(const ModelSpec& model, const MemoryRequest& request) {
  return estimate(model, request);
}

std::string MemoryEstimate::overflow_message() const {
  if (fits()) return "";
  const RankMemory& w = worst();
  const double cap = request.capacity_bytes;
  std::string s = fmt::format(
      "does not fit: pipeline rank {} needs {:.1f} GB per GPU, the GPU has {:.1f} GB ({:.1f} GB "
      "over): weights {:.1f}, gradients {:.1f}, optimizer {:.1f}, activations {:.1f} ({:.1f} "
      "micro-batches in flight), buffers {:.1f}, {}transient {:.1f}, allocator reserve {:.1f} GB",
      w.rank, w.total_bytes() / kGB, cap / kGB, (w.total_bytes() - cap) / kGB,
      w.weight_bytes / kGB, w.grad_bytes / kGB, w.optimizer_bytes / kGB,
      w.activation_bytes / kGB, w.peak_in_flight, w.comm_buffer_bytes / kGB,
      request.plan.zero_stage >= 3 ? fmt::format("gathered (ZeRO-3) {:.1f}, ", w.gathered_bytes / kGB)
                                   : "",
      w.working_bytes / kGB, w.reserve_bytes / kGB);
  // What would help: the same plan with one thing changed, each re-estimated.
  std::vector<std::string> helps;
  auto try_variant = [&](const std::string& what, const MemoryRequest& v) {
    try {
      const MemoryEstimate e = estimate(model, v);
      if (e.worst().total_bytes() < w.total_bytes() * 0.97) {
        helps.push_back(fmt::format("{} -> {:.1f} GB{}", what, e.worst().total_bytes() / kGB,
                                    e.fits() ? " (fits)" : ""));
      }
    } catch (const UserError&) {
      // that variant is not a valid plan: not a suggestion
    }
  };
  for (RecomputePolicy rp : {RecomputePolicy::kSelective, RecomputePolicy::kFull}) {
    if (static_cast<int>(rp) > static_cast<int>(request.recompute)) {
      MemoryRequest v = request;
      v.recompute = rp;
      try_variant(fmt::format("training.recompute: {}", recompute_policy_name(rp)), v);
    }
  }
  for (int z = request.plan.zero_stage + 1; z <= 3 && request.plan.dp * request.plan.cp > 1; ++z) {
    MemoryRequest v = request;
    v.plan.zero_stage = z;
    try_variant(fmt::format("parallelism.zero: {}", z), v);
  }
  if (request.plan.micro_batch_size > 1) {
    MemoryRequest v = request;
    v.plan.micro_batch_size = 1;
    v.micro_batches = request.micro_batches * request.plan.micro_batch_size;
    try_variant("parallelism.micro_batch_size: 1", v);
  }
  if (request.recipe.kind != RecipeKind::kFP8DeepSeek && request.gpu_has_fp8) {
    MemoryRequest v = request;
    v.recipe = make_recipe(RecipeKind::kFP8DeepSeek);
    try_variant("precision: fp8", v);
  }
  s += helps.empty() ? "; no single change of recompute, zero or micro-batch size is enough: "
                       "use more pipeline, tensor or expert parallelism"
                     : "; would help: ";
  for (std::size_t i = 0; i < helps.size(); ++i) s += (i ? "; " : "") + helps[i];
  return s;
}

MemoryRequest memory_request(const Scenario& s, const TrainingPhase& phase) {
  MemoryRequest r;
  r.plan = phase.plan;
  r.recipe = s.precision;
  r.recompute = s.recompute;
  r.stack = s.stack;
  r.seq_len = phase.seq_len;
  r.micro_batches = phase.micro_batches();
  r.capacity_bytes = s.gpu.hbm_bytes;
  r.gpu_has_fp8 = s.gpu.has_fp8();
  return r;
}

}  // namespace llmsim
