#include "costmodel/training/step_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "costmodel/operator_account.hpp"
#include "sim/check.hpp"
#include "sim/chrome_trace.hpp"
#include "sim/collectives/collective_runner.hpp"
#include "sim/schedules/schedule.hpp"

namespace llmsim {

using calibration::KernelClass;
using calibration::KernelShape;

double StageWork::forward_s() const {
  double t = 0;
  for (const auto& s : forward) t += s.seconds;
  return t;
}
double StageWork::backward_s() const {
  double t = 0;
  for (const auto& s : backward) t += s.seconds;
  return t;
}
double StageWork::forward_compute_s() const {
  double t = 0;
  for (const auto& s : forward) t += s.comm ? 0.0 : s.seconds;
  return t;
}
double StageWork::backward_compute_s() const {
  double t = 0;
  for (const auto& s : backward) t += s.comm ? 0.0 : s.seconds;
  return t;
}

PairSchedule schedule_pair(const std::vector<Segment>& forward,
                           const std::vector<Segment>& backward, double compute_slowdown) {
  PairSchedule out;
  const std::vector<Segment>* chains[2] = {&forward, &backward};
  std::size_t next[2] = {0, 0};
  double ready[2] = {0.0, 0.0};     // when each chain's next segment may start
  double stream_free[2] = {0.0, 0.0};  // 0: compute stream, 1: communication stream
  while (next[0] < forward.size() || next[1] < backward.size()) {
    // The segment that can start earliest goes next; ties go to the chain that waited longer
    // (then the backward, whose gradients other ranks wait for).
    int pick = -1;
    double pick_start = 0.0;
    for (int c = 1; c >= 0; --c) {
      if (next[c] >= chains[c]->size()) continue;
      const Segment& s = (*chains[c])[next[c]];
      const double start = std::max(ready[c], stream_free[s.comm ? 1 : 0]);
      if (pick < 0 || start < pick_start) {
        pick = c;
        pick_start = start;
      }
    }
    const Segment& s = (*chains[pick])[next[pick]++];
    const double dur = s.comm ? s.seconds : s.seconds * compute_slowdown;
    const double end = pick_start + dur;
    stream_free[s.comm ? 1 : 0] = end;
    ready[pick] = end;
    if (!s.comm) out.compute_s += dur;
    out.placed.push_back({&s, pick, pick_start, end});
    out.makespan_s = std::max(out.makespan_s, end);
  }
  return out;
}

namespace {

enum class Pass { kForward, kDgrad, kWgrad };

class OpTimer {
 public:
  OpTimer(const Scenario& s, const calibration::Profile& p, const AccountRequest& req,
          std::vector<std::string>& notes)
      : s_(s), profile_(p), req_(req), notes_(notes) {}

  double kernel(KernelClass c, const KernelShape& shape) {
    return calibration::predict_seconds(profile_, c, shape);
  }

  double gemm(Precision p, std::int64_t m, std::int64_t n, std::int64_t k) {
    KernelShape sh;
    sh.m = std::max<std::int64_t>(m, 1);
    sh.n = std::max<std::int64_t>(n, 1);
    sh.k = std::max<std::int64_t>(k, 1);
    return kernel(gemm_class(p), sh);
  }

  static KernelClass gemm_class(Precision p) {
    switch (p) {
      case Precision::kFP8: return KernelClass::kGemmFp8;
      case Precision::kFP32: return KernelClass::kGemmFp32;
      default: return KernelClass::kGemmBf16;
    }
  }

  // Compute seconds of one pass of one operator (communication excluded).
  double pass(const OpAccount& op, Pass pass) {
    const double flops = pass == Pass::kForward ? op.forward_flops
                         : pass == Pass::kDgrad ? op.dgrad_flops
                                                : op.wgrad_flops;
    const double bytes = pass == Pass::kForward ? op.forward_bytes
                         : pass == Pass::kDgrad ? op.dgrad_bytes
                                                : op.wgrad_bytes;
    const GemmShape& g = op.gemm;
    switch (op.kind) {
      case OperatorKind::kGemm: {
        if (flops <= 0) return 0.0;
        if (pass == Pass::kForward) return gemm(op.precision, g.m, g.n, g.k);
        if (pass == Pass::kDgrad) return gemm(op.precision, g.m, g.k, g.n);
        return gemm(op.precision, g.k, g.n, g.m);
      }
      case OperatorKind::kGroupedGemm: {
        if (flops <= 0) return 0.0;
        const std::int64_t rows = std::max<std::int64_t>(1, std::llround(g.tokens_per_group));
        std::int64_t m = rows, n = g.n, k = g.k;
        if (pass == Pass::kDgrad) std::swap(n, k);
        if (pass == Pass::kWgrad) {
          m = g.k;
          k = rows;
        }
        if (op.precision == Precision::kFP8) {
          KernelShape sh;
          sh.m = m;
          sh.n = n;
          sh.k = k;
          sh.groups = g.groups;
          return kernel(KernelClass::kGroupedGemmFp8, sh);
        }
        note("grouped GEMMs outside FP8 are timed as `groups` separate GEMMs of their precision");
        return static_cast<double>(g.groups) * gemm(op.precision, m, n, k);
      }
      case OperatorKind::kAttentionCore: {
        if (pass == Pass::kWgrad || flops <= 0) return 0.0;
        const ModelSpec& m = s_.model;
        KernelShape sh;
        sh.batch = req_.micro_batch;
        sh.heads = std::max(1, m.heads / req_.shard.tp);
        if (m.attention == AttentionKind::kMLA) {
          sh.head_dim_qk = m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim;
          sh.head_dim_v = m.mla.v_head_dim;
        } else {
          sh.head_dim_qk = sh.head_dim_v = m.head_dim;
        }
        if (req_.shard.cp == 1) {
          sh.seq_q = sh.seq_kv = req_.seq_len;
          sh.causal = req_.causal;
        } else {
          // Load-balanced context parallelism: each rank's queries see half the keys on
          // average over the causal triangle.
          sh.seq_q = req_.seq_len / req_.shard.cp;
          sh.seq_kv = req_.seq_len / 2;
          sh.causal = false;
          note("context parallelism: each rank's attention is timed as its seq/cp queries "
               "against seq/2 keys (load-balanced causal split)");
        }
        return kernel(pass == Pass::kForward ? KernelClass::kAttentionFwd
                                             : KernelClass::kAttentionBwd,
                      sh);
      }
      case OperatorKind::kNorm:
      case OperatorKind::kElementwise:
      case OperatorKind::kEmbedding:
      case OperatorKind::kLoss: {
        if (bytes <= 0) return 0.0;
        KernelShape sh;
        sh.bytes = bytes;
        return kernel(KernelClass::kMemoryBound, sh);
      }
      case OperatorKind::kCommunication: return 0.0;
    }
    return 0.0;
  }

  // Seconds of one communication need in the forward or the backward pass.
  double comm(const CommNeed& c, bool forward) {
    const double bytes = forward ? c.forward_bytes : c.backward_bytes;
    if (bytes <= 0 || c.group_size <= 1) return 0.0;
    CollectiveRequest q;
    q.gpus = c.group_size;
    q.bytes = bytes;
    const bool fp8_dispatch = s_.precision.dispatch_bytes <= 1.0;
    switch (c.kind) {
      case CommKind::kTpAllReduce: q.op = CollectiveOp::kAllReduce; break;
      case CommKind::kTpAllGather:
      case CommKind::kCpAllGatherKv: q.op = CollectiveOp::kAllGather; break;
      case CommKind::kTpReduceScatter: q.op = CollectiveOp::kReduceScatter; break;
      case CommKind::kEpDispatch:
        // Forward: the dispatch, FP8 under DeepSeek's recipe. Backward: the gradient goes
        // back to the tokens as a combine does, in BF16 (V3 report s3.3.3).
        q.op = forward && fp8_dispatch ? CollectiveOp::kEpDispatch : CollectiveOp::kEpCombine;
        break;
      case CommKind::kEpCombine:
        // Forward: the combine, BF16. Backward: gradients travel to the experts as a dispatch
        // does, quantized to FP8 under DeepSeek's recipe (V3 report s3.3.3).
        q.op = !forward && fp8_dispatch ? CollectiveOp::kEpDispatch : CollectiveOp::kEpCombine;
        break;
    }
    if (is_expert_op(q.op)) {
      const ModelSpec& m = s_.model;
      q.ep.topk = m.moe.top_k;
      q.ep.hidden = m.hidden;
      q.ep.experts = m.moe.routed_experts;
      q.ep.tokens = static_cast<int>(std::llround(c.tokens / std::max(1, m.moe.top_k)));
      q.ep.max_nodes = m.moe.max_nodes_per_token > 0 ? m.moe.max_nodes_per_token
                                                      : std::max(1, s_.cluster.nodes);
      if (!fp8_dispatch && q.op == CollectiveOp::kEpCombine) {
        note("dispatch outside the FP8 recipe is timed as a BF16 combine of the same routing");
      }
    }
    const auto key = std::make_tuple(static_cast<int>(q.op), q.gpus, q.bytes, q.ep.tokens);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const CollectiveResult r = run_collective(s_.cluster, q, CollectiveMode::kAuto);
    cache_[key] = r.time.seconds();
    return r.time.seconds();
  }

  double collective(CollectiveOp op, int gpus, double bytes) {
    if (gpus <= 1 || bytes <= 0) return 0.0;
    CollectiveRequest q;
    q.op = op;
    q.gpus = gpus;
    q.bytes = bytes;
    const auto key = std::make_tuple(static_cast<int>(op), gpus, bytes, 0);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    const double t = run_collective(s_.cluster, q, CollectiveMode::kAuto).time.seconds();
    cache_[key] = t;
    return t;
  }

  void note(const std::string& text) {
    if (std::find(notes_.begin(), notes_.end(), text) == notes_.end()) notes_.push_back(text);
  }

 private:
  const Scenario& s_;
  const calibration::Profile& profile_;
  const AccountRequest& req_;
  std::vector<std::string>& notes_;
  std::map<std::tuple<int, int, double, int>, double> cache_;
};

// Appends to `out`, merging with the last segment when both are computation.
void push(std::vector<Segment>& out, const std::string& name, bool comm, double seconds) {
  if (seconds <= 0) return;
  if (!comm && !out.empty() && !out.back().comm) {
    out.back().seconds += seconds;
    return;
  }
  out.push_back(Segment{name, comm, seconds});
}

bool comm_before(CommKind k) {
  return k == CommKind::kTpAllGather || k == CommKind::kCpAllGatherKv;
}

struct LayerWork {
  std::vector<Segment> forward, backward;
  double wgrad_s = 0.0;
};

LayerWork layer_work(const LayerAccount& layer, OpTimer& timer) {
  LayerWork w;
  for (const OpAccount& op : layer.ops) {
    for (const CommNeed& c : op.comms) {
      if (comm_before(c.kind)) push(w.forward, std::string(comm_kind_name(c.kind)), true, timer.comm(c, true));
    }
    push(w.forward, op.name, false, timer.pass(op, Pass::kForward));
    for (const CommNeed& c : op.comms) {
      if (!comm_before(c.kind)) push(w.forward, std::string(comm_kind_name(c.kind)), true, timer.comm(c, true));
    }
  }
  for (auto it = layer.ops.rbegin(); it != layer.ops.rend(); ++it) {
    const OpAccount& op = *it;
    for (const CommNeed& c : op.comms) {
      if (!comm_before(c.kind)) push(w.backward, std::string(comm_kind_name(c.kind)), true, timer.comm(c, false));
    }
    double dgrad = timer.pass(op, Pass::kDgrad);
    if (op.recompute_flops > 0 && op.forward_flops > 0) {
      dgrad += timer.pass(op, Pass::kForward) * op.recompute_flops / op.forward_flops;
    }
    push(w.backward, op.name, false, dgrad);
    for (const CommNeed& c : op.comms) {
      if (comm_before(c.kind)) push(w.backward, std::string(comm_kind_name(c.kind)), true, timer.comm(c, false));
    }
    w.wgrad_s += timer.pass(op, Pass::kWgrad);
  }
  return w;
}

void append(std::vector<Segment>& out, const std::vector<Segment>& add, const std::string& prefix) {
  for (const Segment& s : add) push(out, prefix + s.name, s.comm, s.seconds);
}

}  // namespace

StepResult simulate_step(const Scenario& s, const TrainingPhase& phase,
                         const calibration::Profile& profile, std::int64_t global_batch,
                         const StepOptions& options) {
  StepResult r;
  const ParallelPlan& plan = phase.plan;
  const ModelSpec& model = s.model;
  r.seq_len = phase.seq_len;
  r.global_batch = global_batch > 0 ? global_batch : phase.global_batch;
  const std::int64_t per_step = static_cast<std::int64_t>(plan.dp) * plan.micro_batch_size;
  if (r.global_batch < per_step) {
    throw UserError(fmt::format("{}: global batch {} is smaller than dp x micro_batch_size = {}",
                                phase.name, r.global_batch, per_step));
  }
  int mbs = static_cast<int>(r.global_batch / per_step);
  // DualPipe needs an even number of at least 2*pp micro-batches (DualPipeV at least 2*pp).
  int min_mbs = 1;
  if (plan.schedule == ScheduleMethod::kDualPipe || plan.schedule == ScheduleMethod::kDualPipeV) {
    min_mbs = 2 * plan.pp;
  }
  if (plan.schedule == ScheduleMethod::kInterleaved1F1B) min_mbs = plan.pp;
  if (mbs < min_mbs) {
    r.notes.push_back(fmt::format(
        "{}: {} sequences per step give {} micro-batches per pipeline, fewer than {} allows; "
        "simulated with {} (the step's throughput applies to these tokens)",
        phase.name, r.global_batch, mbs, schedule_method_name(plan.schedule), min_mbs));
    mbs = min_mbs;
  }
  if (plan.schedule == ScheduleMethod::kDualPipe && mbs % 2 != 0) ++mbs;
  if (plan.schedule == ScheduleMethod::kInterleaved1F1B && mbs % plan.pp != 0) {
    mbs += plan.pp - mbs % plan.pp;
  }
  r.micro_batches = mbs;
  r.global_batch = static_cast<std::int64_t>(mbs) * per_step;
  r.tokens_per_step = static_cast<double>(r.global_batch) * static_cast<double>(phase.seq_len);

  // The pipeline.
  r.plan = make_schedule({plan.schedule, plan.pp, mbs, plan.vpp});
  AccountRequest req;
  req.shard = plan.shard();
  req.recipe = s.precision;
  req.recompute = s.recompute;
  req.seq_len = phase.seq_len;
  req.micro_batch = plan.micro_batch_size;
  req.causal = true;
  const ModelAccount account = account_model(model, req);
  const std::vector<ChunkLoad> chunks = layout_chunks(model, account, r.plan.num_stages);

  OpTimer timer(s, profile, req, r.notes);
  std::map<LayerKind, LayerWork> kinds;
  for (const LayerAccount& l : account.layers) kinds[l.kind] = layer_work(l, timer);
  auto kind_work = [&](LayerKind k) -> const LayerWork* {
    auto it = kinds.find(k);
    return it == kinds.end() ? nullptr : &it->second;
  };

  for (const ChunkLoad& c : chunks) {
    StageWork st;
    st.first_layer = c.first_layer;
    st.layers = c.layers;
    std::vector<const LayerWork*> order;
    std::vector<std::string> names;
    if (c.embedding && kind_work(LayerKind::kEmbedding)) {
      order.push_back(kind_work(LayerKind::kEmbedding));
      names.push_back("embed ");
    }
    for (int i = c.first_layer; i < c.first_layer + c.layers; ++i) {
      order.push_back(kind_work(model.is_moe_layer(i) ? LayerKind::kMoE : LayerKind::kDense));
      names.push_back(fmt::format("L{} ", i));
    }
    if (c.head) {
      if (const LayerWork* h = kind_work(LayerKind::kHead)) {
        order.push_back(h);
        names.push_back("head ");
      }
      for (int d = 0; d < model.mtp_modules; ++d) {
        if (const LayerWork* m = kind_work(LayerKind::kMtp)) {
          order.push_back(m);
          names.push_back(fmt::format("MTP{} ", d + 1));
        }
      }
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (!order[i]) continue;
      append(st.forward, order[i]->forward, names[i]);
      st.wgrad_s += order[i]->wgrad_s;
    }
    for (std::size_t i = order.size(); i-- > 0;) {
      if (order[i]) append(st.backward, order[i]->backward, names[i]);
    }
    st.wgrad_segment = Segment{"wgrad", false, st.wgrad_s};
    r.stages.push_back(std::move(st));
  }

  // Stage costs for the executor.
  const double slowdown =
      s.gpu.sm_count > options.comm_sms && options.comm_sms > 0
          ? static_cast<double>(s.gpu.sm_count) / (s.gpu.sm_count - options.comm_sms)
          : 1.0;
  r.compute_slowdown = slowdown;
  const int S = r.plan.num_stages;
  r.costs.stages.resize(static_cast<std::size_t>(S));
  for (int i = 0; i < S; ++i) {
    const StageWork& st = r.stages[static_cast<std::size_t>(i)];
    StageCost& c = r.costs.stages[static_cast<std::size_t>(i)];
    c.f = SimTime::from_seconds(st.forward_s());
    c.b = SimTime::from_seconds(st.backward_s());
    c.w = SimTime::from_seconds(st.wgrad_s);
  }
  std::map<std::pair<int, int>, PairSchedule> pairs;
  auto pair = [&](int f, int b) -> const PairSchedule& {
    auto it = pairs.find({f, b});
    if (it != pairs.end()) return it->second;
    std::vector<Segment> back = r.stages[static_cast<std::size_t>(b)].backward;
    back.push_back(r.stages[static_cast<std::size_t>(b)].wgrad_segment);
    return pairs.emplace(std::make_pair(f, b),
                         schedule_pair(r.stages[static_cast<std::size_t>(f)].forward, back, slowdown))
        .first->second;
  };
  bool has_fb = false;
  for (const auto& ops : r.plan.ops) {
    for (const PipelineOp& op : ops) {
      if (op.kind == OpKind::FB) has_fb = true;
    }
  }
  if (has_fb) {
    r.costs.fb_pair_stages = S;
    r.costs.fb_pairs.assign(static_cast<std::size_t>(S) * S, SimTime::zero());
    for (const auto& ops : r.plan.ops) {
      for (const PipelineOp& op : ops) {
        if (op.kind != OpKind::FB) continue;
        r.costs.fb_pairs[static_cast<std::size_t>(op.first.stage) * S + op.second.stage] =
            SimTime::from_seconds(pair(op.first.stage, op.second.stage).makespan_s);
      }
    }
    r.notes.push_back(fmt::format(
        "overlapped F&B pairs: computation runs at {}/{} of the SMs while the all-to-all "
        "kernels hold {} (DeepSeek-V3 report s3.2.2)",
        s.gpu.sm_count - options.comm_sms, s.gpu.sm_count, options.comm_sms));
  }
  // Activations and gradients between stages: BF16 [tokens x hidden] over the stage's NIC.
  const double act_bytes = account.tokens * model.hidden * 2.0 / (plan.sp ? plan.tp : 1);
  r.costs.p2p_latency = SimTime::from_us(s.cluster.ib_latency_us);
  r.costs.p2p_bytes = act_bytes;
  r.costs.p2p_bytes_per_second = s.cluster.nic_gbps * s.cluster.nic_efficiency * 1e9;
  r.p2p_s = r.costs.transfer_time().seconds();
  r.pipeline = run_pipeline(r.plan, r.costs);

  // Data-parallel gradient reduction and the optimizer, per rank, after its last operation.
  const PrecisionRecipe& rec = s.precision;
  const double copies = r.plan.method == ScheduleMethod::kDualPipe ? 2.0 : 1.0;
  const int dense_group = static_cast<int>(plan.dp * plan.cp * copies);
  const int expert_group = static_cast<int>(plan.expert_dp() * copies);
  double reduce_end = 0.0, optimizer_s = 0.0, gather_s = 0.0;
  for (int rank = 0; rank < plan.pp; ++rank) {
    double dense = 0.0, expert = 0.0;
    for (int st = 0; st < S; ++st) {
      bool held = false;
      for (const auto& per_dir : r.plan.stage_rank) held = held || per_dir[static_cast<std::size_t>(st)] == rank;
      if (!held) continue;
      dense += chunks[static_cast<std::size_t>(st)].params - chunks[static_cast<std::size_t>(st)].expert_params;
      expert += chunks[static_cast<std::size_t>(st)].expert_params;
    }
    double sync = 0.0, gather = 0.0;
    if (plan.zero_stage == 0) {
      sync = timer.collective(CollectiveOp::kAllReduce, dense_group, dense * rec.grad_bytes) +
             timer.collective(CollectiveOp::kAllReduce, expert_group, expert * rec.grad_bytes);
    } else {
      sync = timer.collective(CollectiveOp::kReduceScatter, dense_group, dense * rec.grad_bytes) +
             timer.collective(CollectiveOp::kReduceScatter, expert_group, expert * rec.grad_bytes);
      gather = timer.collective(CollectiveOp::kAllGather, dense_group, dense * rec.weight_bytes) +
               timer.collective(CollectiveOp::kAllGather, expert_group, expert * rec.weight_bytes);
    }
    const double rank_end = r.pipeline.timing[static_cast<std::size_t>(rank)].empty()
                                ? 0.0
                                : r.pipeline.timing[static_cast<std::size_t>(rank)].back().end.seconds();
    reduce_end = std::max(reduce_end, rank_end + sync);
    // AdamW touches, per parameter of its shard: master weight, gradient and two moments read,
    // master and moments written, the compute copy written.
    const double shard = plan.zero_stage >= 1 ? 1.0 : 0.0;
    const double dense_local = dense / (shard > 0 ? dense_group : 1);
    const double expert_local = expert / (shard > 0 ? std::max(1, expert_group) : 1);
    const double per_param = 2 * rec.master_bytes + rec.grad_bytes + 4 * rec.moment_bytes + rec.weight_bytes;
    KernelShape sh;
    sh.bytes = (dense_local + expert_local) * per_param;
    if (sh.bytes > 0) {
      optimizer_s = std::max(optimizer_s, calibration::predict_seconds(profile, KernelClass::kMemoryBound, sh));
    }
    gather_s = std::max(gather_s, gather);
  }
  const double makespan = r.pipeline.makespan.seconds();
  r.breakdown.dp_sync_s = std::max(0.0, reduce_end - makespan) + gather_s;
  r.breakdown.optimizer_s = optimizer_s;
  r.step_time_s = makespan + r.breakdown.dp_sync_s + r.breakdown.optimizer_s;

  // Breakdown on the busiest rank.
  int busiest = 0;
  for (int i = 1; i < plan.pp; ++i) {
    if (r.pipeline.ranks[static_cast<std::size_t>(i)].busy > r.pipeline.ranks[static_cast<std::size_t>(busiest)].busy) busiest = i;
  }
  r.busiest_rank = busiest;
  double compute = 0.0;
  for (const PipelineOp& op : r.plan.ops[static_cast<std::size_t>(busiest)]) {
    const StageWork& a = r.stages[static_cast<std::size_t>(op.first.stage)];
    switch (op.kind) {
      case OpKind::F: compute += a.forward_compute_s(); break;
      case OpKind::B: compute += a.backward_compute_s(); break;
      case OpKind::W: compute += a.wgrad_s; break;
      case OpKind::BW: compute += a.backward_compute_s() + a.wgrad_s; break;
      case OpKind::FB: compute += pair(op.first.stage, op.second.stage).compute_s; break;
    }
  }
  const double busy = r.pipeline.ranks[static_cast<std::size_t>(busiest)].busy.seconds();
  r.breakdown.compute_s = compute;
  r.breakdown.exposed_comm_s = std::max(0.0, busy - compute);
  r.breakdown.bubble_s = makespan - busy;

  // Throughput and utilization.
  const int gpus = plan.gpus();
  r.tokens_per_second = r.tokens_per_step / r.step_time_s;
  r.model_flops_causal =
      model_totals(model, phase.seq_len, true).train_flops_per_token * r.tokens_per_step;
  r.model_flops_full =
      model_totals(model, phase.seq_len, false).train_flops_per_token * r.tokens_per_step;
  r.tflops_per_gpu = r.model_flops_causal / r.step_time_s / gpus / 1e12;
  const double peak = s.gpu.bf16_tflops * 1e12 * gpus * r.step_time_s;
  r.mfu_bf16_causal = r.model_flops_causal / peak;
  r.mfu_bf16_full = r.model_flops_full / peak;

  // Memory.
  MemoryRequest mreq = memory_request(s, phase);
  mreq.micro_batches = mbs;
  const MemoryEstimate mem = estimate_memory(model, mreq);
  r.peak_memory_bytes = mem.worst().total_bytes();
  r.memory_fits = mem.fits();
  r.memory_message = mem.overflow_message();

  for (const auto& n : profile.classes) {
    if (!n.assumption.empty()) {
      r.notes.push_back(fmt::format("profile {}: {}: {}", profile.name,
                                    calibration::kernel_class_name(n.kernel_class), n.assumption));
    }
  }
  return r;
}

std::vector<std::vector<StreamSpan>> step_streams(const StepResult& r) {
  std::vector<std::vector<StreamSpan>> out(static_cast<std::size_t>(r.plan.pp));
  for (int rank = 0; rank < r.plan.pp; ++rank) {
    auto& spans = out[static_cast<std::size_t>(rank)];
    const auto& ops = r.plan.ops[static_cast<std::size_t>(rank)];
    const auto& timing = r.pipeline.timing[static_cast<std::size_t>(rank)];
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const PipelineOp& op = ops[i];
      const double t0 = timing[i].start.seconds();
      const StageWork& a = r.stages[static_cast<std::size_t>(op.first.stage)];
      auto sequence = [&](const std::vector<Segment>& segs, double start, OpKind kind) {
        double t = start;
        for (const Segment& sg : segs) {
          spans.push_back({sg.comm, t, t + sg.seconds, kind, op.first, &sg});
          t += sg.seconds;
        }
        return t;
      };
      auto wgrad = [&](const StageWork& st, double start, OpKind kind, const MicroStage& part) {
        spans.push_back({false, start, start + st.wgrad_s, kind, part, &st.wgrad_segment});
      };
      switch (op.kind) {
        case OpKind::F: sequence(a.forward, t0, OpKind::F); break;
        case OpKind::B: sequence(a.backward, t0, OpKind::B); break;
        case OpKind::W: wgrad(a, t0, OpKind::W, op.first); break;
        case OpKind::BW: wgrad(a, sequence(a.backward, t0, OpKind::BW), OpKind::BW, op.first); break;
        case OpKind::FB: {
          const StageWork& b = r.stages[static_cast<std::size_t>(op.second.stage)];
          std::vector<Segment> back = b.backward;
          back.push_back(b.wgrad_segment);
          const PairSchedule ps = schedule_pair(a.forward, back, r.compute_slowdown);
          for (const auto& p : ps.placed) {
            // Point at the stage's own segments (the pair's copies die with `back`).
            const std::size_t k = static_cast<std::size_t>(p.segment - (p.chain == 0 ? a.forward.data() : back.data()));
            const Segment* seg = p.chain == 0 ? &a.forward[k]
                                 : k < b.backward.size() ? &b.backward[k] : &b.wgrad_segment;
            spans.push_back({seg->comm, t0 + p.start_s, t0 + p.end_s,
                             p.chain == 0 ? OpKind::F : OpKind::BW,
                             p.chain == 0 ? op.first : op.second, seg});
          }
          break;
        }
      }
    }
    std::stable_sort(spans.begin(), spans.end(),
                     [](const StreamSpan& x, const StreamSpan& y) { return x.start_s < y.start_s; });
  }
  return out;
}

std::string step_trace_json(const StepResult& r) {
  ChromeTrace trace;
  const auto streams = step_streams(r);
  for (int rank = 0; rank < r.plan.pp; ++rank) {
    trace.name_process(rank, fmt::format("pipeline rank {}", rank));
    trace.name_thread(rank, 0, "compute");
    trace.name_thread(rank, 1, "communication");
    for (const StreamSpan& sp : streams[static_cast<std::size_t>(rank)]) {
      const std::string kind(op_kind_name(sp.kind));
      trace.add_span(rank, sp.comm ? 1 : 0,
                     fmt::format("{} {} mb{}", kind, sp.segment->name, sp.part.mb), kind,
                     SimTime::from_seconds(sp.start_s), SimTime::from_seconds(sp.end_s),
                     {{"stage", sp.part.stage}, {"dir", sp.part.dir}});
    }
  }
  return trace.to_json().dump() + "\n";
}

}  // namespace llmsim
