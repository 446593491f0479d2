#include "costmodel/estimate/training/stage_work.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace llmsim {

namespace {

double sum(const std::vector<Segment>& segs, bool compute_only) {
  double t = 0;
  for (const auto& s : segs) t += compute_only && s.comm ? 0.0 : s.seconds;
  return t;
}

}  // namespace

double StageWork::forward_s() const { return sum(forward, false); }
double StageWork::backward_s() const { return sum(backward, false); }
double StageWork::forward_compute_s() const { return sum(forward, true); }
double StageWork::backward_compute_s() const { return sum(backward, true); }

namespace {

// Forward [m x k] x [k x n]; dgrad [m x n] x [n x k]; wgrad [k x m] x [m x n] (GemmShape).
GemmOp gemm_pass(const OpAccount& op, Pass pass) {
  const GemmShape& g = op.gemm;
  if (op.kind == OperatorKind::kGemm) {
    if (pass == Pass::kForward) return {op.precision, g.m, g.n, g.k};
    if (pass == Pass::kDgrad) return {op.precision, g.m, g.k, g.n};
    return {op.precision, g.k, g.n, g.m};
  }
  const std::int64_t rows = std::max<std::int64_t>(1, std::llround(g.tokens_per_group));
  GemmOp q{op.precision, rows, g.n, g.k, g.groups, true};
  if (pass == Pass::kDgrad) std::swap(q.n, q.k);
  if (pass == Pass::kWgrad) {
    q.m = g.k;
    q.k = rows;
  }
  if (g.batched) {  // one batched kernel: the groups' rows stacked, same tiles and FLOPs
    q.m *= g.groups;
    q.groups = 1;
    q.grouped = false;
  }
  return q;
}

AttentionOp attention_pass(Pass pass, const AccountRequest& req, const ModelSpec& m,
                           OperatorTimer& timer) {
  AttentionOp a;
  a.pass = pass == Pass::kForward ? AttentionPass::kForward : AttentionPass::kBackward;
  a.batch = req.micro_batch;
  a.heads = std::max(1, m.heads / req.shard.tp);
  const bool mla = m.attention == AttentionKind::kMLA;
  a.head_dim_qk = mla ? m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim : m.head_dim;
  a.head_dim_v = mla ? m.mla.v_head_dim : m.head_dim;
  a.flash2 = req.stack.flash2;
  if (req.shard.cp == 1) {
    a.q_len = a.kv_len = req.seq_len;
    a.causal = req.causal;
    return a;
  }
  // Load-balanced context parallelism: each rank's queries see half the keys on average
  // over the causal triangle.
  a.q_len = req.seq_len / req.shard.cp;
  a.kv_len = req.seq_len / 2;
  a.causal = false;
  timer.note("context parallelism: each rank's attention is timed as its seq/cp queries "
             "against seq/2 keys (load-balanced causal split)");
  return a;
}

double pass_value(const OpAccount& op, Pass pass, bool bytes) {
  if (pass == Pass::kForward) return bytes ? op.forward_bytes : op.forward_flops;
  if (pass == Pass::kDgrad) return bytes ? op.dgrad_bytes : op.dgrad_flops;
  return bytes ? op.wgrad_bytes : op.wgrad_flops;
}

}  // namespace

double pass_seconds(const OpAccount& op, Pass pass, const AccountRequest& req,
                    const ModelSpec& model, OperatorTimer& timer) {
  const double flops = pass_value(op, pass, false);
  switch (op.kind) {
    case OperatorKind::kGemm:
    case OperatorKind::kGroupedGemm:
      return flops > 0 ? timer.time(gemm_pass(op, pass)).seconds : 0.0;
    case OperatorKind::kAttentionCore:
      if (pass == Pass::kWgrad || flops <= 0) return 0.0;
      return timer.time(attention_pass(pass, req, model, timer)).seconds;
    case OperatorKind::kNorm:
    case OperatorKind::kElementwise:
    case OperatorKind::kEmbedding:
    case OperatorKind::kLoss: {
      // An eager stack's op: each of its kernels a memory-bound kernel of its own.
      const std::vector<double>* kernels = pass == Pass::kForward ? &op.forward_kernels
                                           : pass == Pass::kDgrad   ? &op.dgrad_kernels
                                                                    : nullptr;
      if (!kernels || kernels->empty()) {
        return timer.time(MemoryBoundOp{pass_value(op, pass, true)}).seconds;
      }
      double s = 0.0;
      for (const double bytes : *kernels) s += timer.time(MemoryBoundOp{bytes}).seconds;
      return s;
    }
    case OperatorKind::kCommunication: return 0.0;
  }
  return 0.0;
}

namespace {

// Appends to `out`, merging with the last segment when both are computation.
void add_busy(TierBusy& to, const TierBusy& from) {
  for (std::size_t i = 0; i < to.size(); ++i) to[i] += from[i];
}

void push(std::vector<Segment>& out, const std::string& name, bool comm, double seconds,
          const TierBusy& busy = {}) {
  if (seconds <= 0) return;
  if (!comm && !out.empty() && !out.back().comm) {
    out.back().seconds += seconds;
    add_busy(out.back().link_busy_s, busy);
    return;
  }
  out.push_back(Segment{name, comm, seconds, busy});
}

// Collectives hidden under a computation: their seconds and link busy time.
struct Hidden {
  double seconds = 0.0;
  TierBusy busy{};
  void add(const OperatorTime& t) {
    seconds += t.seconds;
    add_busy(busy, t.link_busy_s);
  }
};

struct LayerWork {
  std::vector<Segment> forward, backward;
  double wgrad_s = 0.0;
};

struct LayerTiming {
  const AccountRequest& req;
  const ModelSpec& model;
  const CommContext& comm;
  OperatorTimer& timer;

  bool hidden(const CommNeed& c) const { return comm.tp_overlap && is_tp_comm(c.kind); }
  OperatorTime time(const CommNeed& c, bool forward) const {
    return timer.time(layer_collective(c, forward, comm, timer));
  }
  // The op's communication on one side of its computation (gathers before the forward,
  // the rest after; the backward mirrors). Collectives hidden under the computation are
  // not pushed: their seconds are returned.
  Hidden comms(std::vector<Segment>& out, const OpAccount& op, bool forward, bool before,
               const std::string& suffix = "") const {
    Hidden hidden_s;
    for (const CommNeed& c : op.comms) {
      if (comm_before_compute(c.kind) != before) continue;
      const bool all_to_all = c.kind == CommKind::kEpDispatch || c.kind == CommKind::kEpCombine;
      if (!suffix.empty() && (c.forward_bytes <= 0 || all_to_all)) {
        continue;  // recomputation repeats TP / CP communication, never the all-to-all
      }
      const OperatorTime t = time(c, forward);
      if (hidden(c)) {
        hidden_s.add(t);
      } else {
        push(out, std::string(comm_kind_name(c.kind)) + suffix, true, t.seconds, t.link_busy_s);
      }
    }
    return hidden_s;
  }
  // One pass of one operator: the communication that precedes it, its computation, the
  // communication that follows; collectives overlapped with the computation (tp_comm) leave
  // only their excess over it exposed.
  void op_pass(std::vector<Segment>& out, const OpAccount& op, bool forward, double compute_s,
               const std::string& suffix = "") const {
    Hidden hidden = comms(out, op, forward, forward, suffix);
    push(out, op.name + suffix, false, compute_s, hidden.busy);
    const std::size_t computed = out.size();  // the computation piece is the one before
    const Hidden after = comms(out, op, forward, !forward, suffix);
    hidden.seconds += after.seconds;
    if (computed > 0) add_busy(out[computed - 1].link_busy_s, after.busy);
    if (hidden.seconds > compute_s) {
      push(out, "tp comm beyond its GEMM" + suffix, true, hidden.seconds - compute_s);
    }
  }
  // The op's forward run again before its backward: its kernel and its forward communication
  // (tensor-parallel gathers and reductions; never the expert all-to-all, whose outputs are
  // kept).
  void recomputed_forward(std::vector<Segment>& out, const OpAccount& op) const {
    op_pass(out, op, true, pass(op, Pass::kForward), " (recomputed)");
  }
  double pass(const OpAccount& op, Pass p) const { return pass_seconds(op, p, req, model, timer); }
};

// Forward: gathers, computation, the rest; backward: the mirror, in reverse operator order,
// recomputation priced as the recomputed share of the forward.
LayerWork layer_work(const LayerAccount& layer, const LayerTiming& lt) {
  LayerWork w;
  for (const OpAccount& op : layer.ops) lt.op_pass(w.forward, op, true, lt.pass(op, Pass::kForward));
  for (auto it = layer.ops.rbegin(); it != layer.ops.rend(); ++it) {
    const OpAccount& op = *it;
    if (op.forward_recomputed) lt.recomputed_forward(w.backward, op);
    double dgrad = lt.pass(op, Pass::kDgrad);
    // A policy's partial recomputation (torchtitan's op policy: some of an operator's matmuls)
    // is priced as that share of its forward. The fused attention core's recompute_flops are
    // FlashAttention's own S = Q K^T in its backward kernel, which the attention_bwd class
    // already times (2.5x the forward's FLOPs, kernel_class.cpp): not added again.
    const bool own_recompute = op.kind == OperatorKind::kAttentionCore;
    if (!op.forward_recomputed && !own_recompute && op.recompute_flops > 0 &&
        op.forward_flops > 0) {
      dgrad += lt.pass(op, Pass::kForward) * op.recompute_flops / op.forward_flops;
    }
    lt.op_pass(w.backward, op, false, dgrad);
    w.wgrad_s += lt.pass(op, Pass::kWgrad);
  }
  return w;
}

void append(std::vector<Segment>& out, const std::vector<Segment>& add, const std::string& prefix) {
  for (const Segment& s : add) push(out, prefix + s.name, s.comm, s.seconds, s.link_busy_s);
}

using NamedLayer = std::pair<const LayerWork*, std::string>;

// The layers of one chunk in forward order, each with its name prefix.
std::vector<NamedLayer> chunk_layers(const ModelSpec& model, const ChunkLoad& c,
                                     const std::map<LayerKind, LayerWork>& kinds) {
  auto kind = [&](LayerKind k) -> const LayerWork* {
    auto it = kinds.find(k);
    return it == kinds.end() ? nullptr : &it->second;
  };
  std::vector<NamedLayer> order;
  if (c.embedding && kind(LayerKind::kEmbedding)) order.emplace_back(kind(LayerKind::kEmbedding), "embed ");
  for (int i = c.first_layer; i < c.first_layer + c.layers; ++i) {
    order.emplace_back(kind(model.is_moe_layer(i) ? LayerKind::kMoE : LayerKind::kDense),
                       fmt::format("L{} ", i));
  }
  if (!c.head) return order;
  if (const LayerWork* h = kind(LayerKind::kHead)) order.emplace_back(h, "head ");
  for (int d = 0; d < model.mtp_modules; ++d) {
    if (const LayerWork* m = kind(LayerKind::kMtp)) order.emplace_back(m, fmt::format("MTP{} ", d + 1));
  }
  return order;
}

StageWork stage_of(const ChunkLoad& c, const std::vector<NamedLayer>& order) {
  StageWork st;
  st.first_layer = c.first_layer;
  st.layers = c.layers;
  for (const auto& [work, name] : order) {
    if (!work) continue;
    append(st.forward, work->forward, name);
    st.wgrad_s += work->wgrad_s;
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (it->first) append(st.backward, it->first->backward, it->second);
  }
  st.wgrad_segment = Segment{"wgrad", false, st.wgrad_s, {}};
  return st;
}

}  // namespace

std::vector<StageWork> build_stage_work(const ModelSpec& model, const ModelAccount& account,
                                        const std::vector<ChunkLoad>& chunks,
                                        const CommContext& comm, OperatorTimer& timer) {
  const LayerTiming lt{account.request, model, comm, timer};
  std::map<LayerKind, LayerWork> kinds;
  for (const LayerAccount& l : account.layers) kinds[l.kind] = layer_work(l, lt);
  std::vector<StageWork> stages;
  stages.reserve(chunks.size());
  for (const ChunkLoad& c : chunks) stages.push_back(stage_of(c, chunk_layers(model, c, kinds)));
  return stages;
}

}  // namespace llmsim
