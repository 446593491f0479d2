#include "costmodel/estimate/training/step_model.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/estimate/training/comm_plan.hpp"
#include "costmodel/estimate/training/dp_overlap.hpp"
#include "costmodel/time/operator_timer.hpp"
#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace {

// The fewest micro-batches per pipeline the schedule runs with: DualPipe and DualPipeV need
// 2 x pp, interleaved 1F1B pp.
int min_micro_batches(const ParallelPlan& plan) {
  if (plan.schedule == ScheduleMethod::kDualPipe || plan.schedule == ScheduleMethod::kDualPipeV) {
    return 2 * plan.pp;
  }
  return plan.schedule == ScheduleMethod::kInterleaved1F1B ? plan.pp : 1;
}

// Sets the step's batch: `global_batch` sequences (0: the phase's) in whole micro-batches the
// schedule can run; a batch too small is raised, with a note.
void set_batch(StepResult& r, const TrainingPhase& phase, std::int64_t global_batch) {
  const ParallelPlan& plan = phase.plan;
  r.seq_len = phase.seq_len;
  r.global_batch = global_batch > 0 ? global_batch : phase.global_batch;
  const std::int64_t per_step = static_cast<std::int64_t>(plan.dp) * plan.micro_batch_size;
  if (r.global_batch < per_step) {
    throw UserError(fmt::format("{}: global batch {} is smaller than dp x micro_batch_size = {}",
                                phase.name, r.global_batch, per_step));
  }
  int mbs = static_cast<int>(r.global_batch / per_step);
  const int min_mbs = min_micro_batches(plan);
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
}


// The overlapped F&B pairs of the plan, each run once on the two streams.
class FbPairs {
 public:
  FbPairs(const std::vector<StageWork>& stages, double slowdown)
      : stages_(stages), slowdown_(slowdown) {}
  const OverlapResult& get(int f, int b) {
    auto it = pairs_.find({f, b});
    if (it != pairs_.end()) return it->second;
    const OverlapResult r = run_fb_pair(stages_[static_cast<std::size_t>(f)],
                                        stages_[static_cast<std::size_t>(b)], slowdown_);
    return pairs_.emplace(std::make_pair(f, b), r).first->second;
  }

 private:
  const std::vector<StageWork>& stages_;
  double slowdown_;
  std::map<std::pair<int, int>, OverlapResult> pairs_;
};

void set_stage_costs(StepResult& r) {
  r.costs.stages.resize(static_cast<std::size_t>(r.plan.num_stages));
  for (std::size_t i = 0; i < r.costs.stages.size(); ++i) {
    const StageWork& st = r.stages[i];
    StageCost& c = r.costs.stages[i];
    c.f = SimTime::from_seconds(st.forward_s());
    c.b = SimTime::from_seconds(st.backward_s());
    c.w = SimTime::from_seconds(st.wgrad_s);
  }
}

void set_fb_pair_costs(StepResult& r, FbPairs& pairs, const Scenario& s, int comm_sms) {
  const int stages = r.plan.num_stages;
  bool has_fb = false;
  for (const auto& ops : r.plan.ops) {
    for (const PipelineOp& op : ops) {
      if (op.kind != OpKind::FB) continue;
      if (!has_fb) {
        r.costs.fb_pair_stages = stages;
        r.costs.fb_pairs.assign(static_cast<std::size_t>(stages) * stages, SimTime::zero());
        has_fb = true;
      }
      r.costs.fb_pairs[static_cast<std::size_t>(op.first.stage) * stages + op.second.stage] =
          pairs.get(op.first.stage, op.second.stage).makespan;
    }
  }
  if (!has_fb) return;
  r.notes.push_back(fmt::format(
      "overlapped F&B pairs: computation runs at {}/{} of the SMs while the all-to-all "
      "kernels hold {} (DeepSeek-V3 report s3.2.2)",
      s.gpu.sm_count - comm_sms, s.gpu.sm_count, comm_sms));
}

// Activations and gradients between stages: BF16 [tokens x hidden] over the stage's NIC.
void set_p2p(StepResult& r, const Scenario& s, const ParallelPlan& plan, double tokens) {
  const double act_bytes = tokens * s.model.hidden * 2.0 / (plan.sp ? plan.tp : 1);
  r.costs.p2p_latency = SimTime::from_us(s.cluster.ib_latency_us);
  r.costs.p2p_bytes = act_bytes;
  r.costs.p2p_bytes_per_second = s.cluster.nic_gbps * s.cluster.nic_efficiency * 1e9;
  r.p2p_s = r.costs.transfer_time().seconds();
}

}  // namespace

namespace {

// Dense and routed-expert parameters (on one GPU) of the stages pipeline rank `rank` holds.
std::pair<double, double> rank_params(const StepResult& r, const std::vector<ChunkLoad>& chunks,
                                      int rank) {
  double dense = 0.0, expert = 0.0;
  for (std::size_t st = 0; st < chunks.size(); ++st) {
    bool held = false;
    for (const auto& per_dir : r.plan.stage_rank) held = held || per_dir[st] == rank;
    if (!held) continue;
    dense += chunks[st].params - chunks[st].expert_params;
    expert += chunks[st].expert_params;
  }
  return {dense, expert};
}

double seconds_of(const std::vector<GroupCollective>& calls, OperatorTimer& timer) {
  double t = 0.0;
  for (const GroupCollective& c : calls) t += timer.time(c).seconds;
  return t;
}

// AdamW touches, per parameter of its shard: master weight, gradient and two moments read,
// master and moments written, the compute copy written. Before it, gradient clipping at norm
// 1.0 (DeepSeek-V3 report s4.2 "gradient clipping norm to 1.0"; the default of Megatron-LM's
// --clip-grad and of torchtitan's max_norm) reads the gradients once for the global norm; the
// scaling pass that follows only when the norm is over the threshold is not counted.
double optimizer_bytes(const ParallelPlan& plan, const PrecisionRecipe& rec, const DpSync& sync,
                       double dense, double expert) {
  const bool sharded = plan.zero_stage >= 1;
  const double dense_local = dense / (sharded ? sync.dense_group : 1);
  const double expert_local = expert / (sharded ? std::max(1, sync.expert_group) : 1);
  const double adamw = 2 * rec.master_bytes + rec.grad_bytes + 4 * rec.moment_bytes + rec.weight_bytes;
  const double grad_norm = rec.grad_bytes;
  const double per_param = adamw + grad_norm;
  return (dense_local + expert_local) * per_param;
}

// One rank's data-parallel synchronization: when its gradient reduction ends, how long its
// forward (and, under ZeRO-3 without pipelining, its backward) waits for gathered weights, and
// how much its computation slows while overlapped collectives hold SMs.
struct RankDpSync {
  double reduce_end = 0.0;
  double gather_wait = 0.0;
  double contention = 0.0;
};

// The SMs the rank's DP collectives hold while they run (nccl_sms), over the GPU's SMs.
double dp_sm_share(const StepResult& r, const Scenario& s, const ParallelPlan& plan) {
  const DpSync probe = dp_sync_plan(plan, r.plan.method, s.precision, 1.0, 0.0,
                                    s.cluster.domain_gpus());
  const CollectiveRequest& q = probe.reduce.front().request;
  const bool spans_nodes = q.per_node > 0 && q.gpus > q.per_node;
  return static_cast<double>(nccl_sms(spans_nodes)) / std::max(1, s.gpu.sm_count);
}

// What a rank's DP synchronization needs: its parameters' collectives per bucket, and the
// overlapped intervals it collects for the SM contention.
struct DpContext {
  const StepResult& r;
  const Scenario& s;
  const ParallelPlan& plan;
  const std::vector<ChunkLoad>& chunks;
  OperatorTimer& timer;
  int rank;
  DpSync sync(double dense, double expert) const {
    return dp_sync_plan(plan, r.plan.method, s.precision, dense, expert, s.cluster.domain_gpus());
  }
  double reduce_s(const DpBucket& b) const {
    return seconds_of(sync(b.dense_params, b.expert_params).reduce, timer);
  }
  double gather_s(const DpBucket& b) const {
    return seconds_of(sync(b.dense_params, b.expert_params).gather, timer);
  }
  std::vector<DpBucket> pass(PassBuckets kind) const {
    return every_pass_buckets(r.plan, r.pipeline, chunks, rank, kind);
  }
};

// Reductions from when each bucket is final, one after another; when the last ends.
double reduce_in_buckets(const DpContext& c, const std::vector<DpBucket>& buckets,
                         std::vector<CommInterval>& overlapped) {
  const auto runs = run_serially(
      buckets, [&](std::size_t i) { return buckets[i].at_s; },
      [&](const DpBucket& b) { return c.reduce_s(b); });
  overlapped.insert(overlapped.end(), runs.begin(), runs.end());
  return runs.empty() ? 0.0 : runs.back().end;
}

// ZeRO-1/2, or ZeRO-3 under pipelining (the gathered weights kept through the step): the
// reduction after the rank's last operation and the gather before its first, or
// (training.overlap) in buckets under its last backward and its first forward.
RankDpSync once_per_step(const DpContext& c, double rank_end, std::vector<CommInterval>& overlapped) {
  const auto [dense, expert] = rank_params(c.r, c.chunks, c.rank);
  const DpSync whole = c.sync(dense, expert);
  RankDpSync out;
  out.reduce_end = rank_end + seconds_of(whole.reduce, c.timer);
  out.gather_wait = seconds_of(whole.gather, c.timer);
  if (c.s.overlap.grad_reduce) {
    out.reduce_end = std::max(
        rank_end, reduce_in_buckets(c, grad_buckets(c.r.plan, c.r.pipeline, c.chunks, c.rank), overlapped));
  }
  if (c.s.overlap.param_gather && c.plan.zero_stage > 0) {
    const auto buckets = gather_buckets(c.r.plan, c.r.pipeline, c.chunks, c.rank);
    const auto runs =
        run_serially(buckets, [](std::size_t) { return 0.0; }, [&](const DpBucket& b) { return c.gather_s(b); });
    out.gather_wait = lateness(buckets, runs);
    overlapped.insert(overlapped.end(), runs.begin(), runs.end());
  }
  return out;
}

// ZeRO-3 without pipelining (FSDP, resharding after every forward: torchtitan's default
// without PP, FSDP1's FULL_SHARD): each micro-batch's forward and backward gather every layer's
// weights, and (overlapped) each backward reduce-scatters its gradients. Overlapped, each
// gather is issued when the previous layer's pass starts (FSDP's prefetch) and only lateness
// is exposed; otherwise every gather is waited for in full, and the gradients are reduced once
// after the last backward.
RankDpSync every_pass(const DpContext& c, double rank_end, std::vector<CommInterval>& overlapped) {
  std::vector<DpBucket> gathers = c.pass(PassBuckets::kForwardGather);
  for (const DpBucket& b : c.pass(PassBuckets::kBackwardGather)) gathers.push_back(b);
  std::stable_sort(gathers.begin(), gathers.end(),
                   [](const DpBucket& a, const DpBucket& b) { return a.at_s < b.at_s; });
  const auto [dense, expert] = rank_params(c.r, c.chunks, c.rank);
  RankDpSync out;
  out.reduce_end = rank_end + seconds_of(c.sync(dense, expert).reduce, c.timer);
  if (c.s.overlap.grad_reduce) {
    out.reduce_end =
        std::max(rank_end, reduce_in_buckets(c, c.pass(PassBuckets::kBackwardReduce), overlapped));
  }
  if (!c.s.overlap.param_gather) {
    for (const DpBucket& b : gathers) out.gather_wait += c.gather_s(b);
    return out;
  }
  const auto runs = run_serially(
      gathers, [&](std::size_t i) { return i > 0 ? gathers[i - 1].at_s : 0.0; },
      [&](const DpBucket& b) { return c.gather_s(b); });
  out.gather_wait = lateness(gathers, runs);
  overlapped.insert(overlapped.end(), runs.begin(), runs.end());
  return out;
}

// One pipeline rank's DP synchronization; overlapped collectives slow the computation they run
// under by the SMs they hold.
RankDpSync rank_dp_sync(const StepResult& r, const Scenario& s, const ParallelPlan& plan,
                        const std::vector<ChunkLoad>& chunks, OperatorTimer& timer, int rank) {
  const DpContext c{r, s, plan, chunks, timer, rank};
  const auto& timing = r.pipeline.timing[static_cast<std::size_t>(rank)];
  const double rank_end = timing.empty() ? 0.0 : timing.back().end.seconds();
  std::vector<CommInterval> overlapped;
  RankDpSync out = plan.zero_stage >= 3 && plan.pp == 1 ? every_pass(c, rank_end, overlapped)
                                                         : once_per_step(c, rank_end, overlapped);
  out.contention = dp_sm_share(r, s, plan) * overlap_with(overlapped, 0.0, rank_end);
  return out;
}

// Data-parallel gradient reduction and the optimizer, per rank.
void set_dp_sync_and_optimizer(StepResult& r, const Scenario& s, const ParallelPlan& plan,
                               const std::vector<ChunkLoad>& chunks, OperatorTimer& timer) {
  double reduce_end = 0.0, optimizer_s = 0.0, gather_s = 0.0;
  double contention = 0.0;
  for (int rank = 0; rank < plan.pp; ++rank) {
    const RankDpSync dp = rank_dp_sync(r, s, plan, chunks, timer, rank);
    reduce_end = std::max(reduce_end, dp.reduce_end + dp.contention);
    gather_s = std::max(gather_s, dp.gather_wait);
    contention = std::max(contention, dp.contention);
    const auto [dense, expert] = rank_params(r, chunks, rank);
    const DpSync sync =
        dp_sync_plan(plan, r.plan.method, s.precision, dense, expert, s.cluster.domain_gpus());
    const double bytes = optimizer_bytes(plan, s.precision, sync, dense, expert);
    optimizer_s = std::max(optimizer_s, timer.time(MemoryBoundOp{bytes}).seconds);
  }
  if (contention > 0.0) {
    r.notes.push_back(fmt::format(
        "DP sync: data-parallel collectives overlapped with computation hold NCCL's {} SMs of "
        "{} while they run (one per channel: NVIDIA/nccl#689, #1225, #1367, #1453), and the "
        "computation under them slows by that share: {:.3f} s on the worst rank, counted in DP "
        "sync",
        static_cast<int>(std::lround(dp_sm_share(r, s, plan) * s.gpu.sm_count)), s.gpu.sm_count,
        contention));
  }
  if (plan.zero_stage >= 3 && plan.pp == 1) {
    r.notes.push_back(
        "ZeRO-3 without pipelining gathers each layer's weights in every forward and every "
        "backward of every micro-batch (FSDP's reshard after forward, torchtitan's default "
        "without PP), prefetched one layer ahead, and reduce-scatters each backward's gradients "
        "under training.overlap (not overlapped: every gather waited for, one reduction at the "
        "end)");
  }
  const double makespan = r.pipeline.makespan.seconds();
  // The computation slowed under overlapped collectives ends later by `contention`.
  r.breakdown.dp_sync_s = std::max(contention, reduce_end - makespan) + gather_s;
  r.breakdown.optimizer_s = optimizer_s;
  r.step_time_s = makespan + r.breakdown.dp_sync_s + r.breakdown.optimizer_s;
}

// Where the busiest pipeline rank's time goes.
void set_breakdown(StepResult& r, FbPairs& pairs) {
  const auto& ranks = r.pipeline.ranks;
  int busiest = 0;
  for (std::size_t i = 1; i < ranks.size(); ++i) {
    if (ranks[i].busy > ranks[static_cast<std::size_t>(busiest)].busy) busiest = static_cast<int>(i);
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
      case OpKind::FB: compute += pairs.get(op.first.stage, op.second.stage).compute_busy.seconds(); break;
    }
  }
  const double busy = ranks[static_cast<std::size_t>(busiest)].busy.seconds();
  r.breakdown.compute_s = compute;
  r.breakdown.exposed_comm_s = std::max(0.0, busy - compute);
  r.breakdown.bubble_s = r.pipeline.makespan.seconds() - busy;
}

void add_segments_busy(TierBusy& to, const std::vector<Segment>& segments) {
  for (const Segment& sg : segments) {
    for (std::size_t i = 0; i < to.size(); ++i) to[i] += sg.link_busy_s[i];
  }
}

// The busiest rank's link busy time over the step: its passes' collectives (F, B, the pair's
// two halves) and its gradient synchronization.
void set_link_busy(StepResult& r, const Scenario& s, const ParallelPlan& plan,
                   const std::vector<ChunkLoad>& chunks, OperatorTimer& timer) {
  TierBusy busy{};
  const auto stage = [&](const MicroStage& m) -> const StageWork& {
    return r.stages[static_cast<std::size_t>(m.stage)];
  };
  for (const PipelineOp& op : r.plan.ops[static_cast<std::size_t>(r.busiest_rank)]) {
    if (op.kind == OpKind::F || op.kind == OpKind::FB) add_segments_busy(busy, stage(op.first).forward);
    if (op.kind == OpKind::B || op.kind == OpKind::BW) add_segments_busy(busy, stage(op.first).backward);
    if (op.kind == OpKind::FB) add_segments_busy(busy, stage(op.second).backward);
  }
  const auto [dense, expert] = rank_params(r, chunks, r.busiest_rank);
  const DpSync sync =
      dp_sync_plan(plan, r.plan.method, s.precision, dense, expert, s.cluster.domain_gpus());
  for (const auto* calls : {&sync.reduce, &sync.gather}) {
    for (const GroupCollective& c : *calls) {
      const OperatorTime t = timer.time(c);
      for (std::size_t i = 0; i < busy.size(); ++i) busy[i] += t.link_busy_s[i];
    }
  }
  r.link_busy_s = busy;
  r.link_busy_complete = !timer.analytical_collectives();
}

// The share of the account's training FLOPs that the backward recomputes (ops whose forward
// runs again, and the recomputed share of a GEMM under torchtitan's op policy; FlashAttention's
// own recomputation inside its kernel is not counted).
double recompute_share(const ModelAccount& a) {
  double recomputed = 0.0, train = 0.0;
  for (const LayerAccount& l : a.layers) {
    for (const OpAccount& op : l.ops) {
      const bool gemm = op.kind == OperatorKind::kGemm || op.kind == OperatorKind::kGroupedGemm;
      if (op.forward_recomputed) recomputed += l.count * op.forward_flops;
      else if (gemm) recomputed += l.count * op.recompute_flops;
      train += l.count * op.train_flops();
    }
  }
  return train > 0 ? recomputed / train : 0.0;
}

void set_throughput(StepResult& r, const Scenario& s, const TrainingPhase& phase,
                    const ModelAccount& account) {
  const int gpus = phase.plan.gpus();
  r.tokens_per_second = r.tokens_per_step / r.step_time_s;
  r.model_flops_causal =
      model_totals(s.model, phase.seq_len, true).train_flops_per_token * r.tokens_per_step;
  r.model_flops_full =
      model_totals(s.model, phase.seq_len, false).train_flops_per_token * r.tokens_per_step;
  r.tflops_per_gpu = r.model_flops_causal / r.step_time_s / gpus / 1e12;
  const double gpu_seconds = gpus * r.step_time_s;
  const double peak = s.gpu.bf16_tflops * 1e12 * gpu_seconds;
  r.mfu_bf16_causal = r.model_flops_causal / peak;
  r.mfu_bf16_full = r.model_flops_full / peak;
  if (s.gpu.has_fp8()) r.mfu_fp8_causal = r.model_flops_causal / (s.gpu.fp8_tflops * 1e12 * gpu_seconds);
  r.hardware_flops = r.model_flops_causal * (1.0 + recompute_share(account));
  r.hfu_bf16 = r.hardware_flops / peak;
  if (s.gpu.has_fp8()) r.hfu_fp8 = r.hardware_flops / (s.gpu.fp8_tflops * 1e12 * gpu_seconds);
  // No estimate exceeds the hardware: against the fastest tensor-core peak the GPU has.
  const double top = std::max(s.gpu.bf16_tflops, s.gpu.fp8_tflops) * 1e12 * gpu_seconds;
  LLMSIM_CHECK(r.hardware_flops <= top * (1.0 + 1e-9) && r.model_flops_full <= top * (1.0 + 1e-9),
               fmt::format("{} FLOP in {:.6g} s on {} GPUs exceeds the {}'s peak: utilization "
                           "over 100%",
                           std::max(r.hardware_flops, r.model_flops_full), r.step_time_s, gpus,
                           s.gpu.name));
}

void set_memory(StepResult& r, const Scenario& s, const TrainingPhase& phase) {
  MemoryRequest mreq = memory_request(s, phase);
  mreq.micro_batches = r.micro_batches;
  const MemoryEstimate mem = estimate_memory(s.model, mreq);
  r.peak_memory_bytes = mem.worst().total_bytes();
  r.memory_capacity_bytes = mreq.capacity_bytes;
  r.memory_fits = mem.fits();
  r.memory_message = mem.overflow_message();
}

void add_notes(std::vector<std::string>& notes, const std::vector<std::string>& add) {
  notes.insert(notes.end(), add.begin(), add.end());
}

void add_vocab_note(StepResult& r, const ModelSpec& model, int tp) {
  const std::int64_t padded = padded_vocab(model.vocab, tp);
  if (padded == model.vocab) return;
  r.notes.push_back(fmt::format("vocabulary padded from {} to {} (a multiple of {} x TP {}, as "
                                "Megatron-LM pads it) so that TP {} divides it",
                                model.vocab, padded, kVocabPadMultiple, tp, tp));
}

void add_profile_notes(StepResult& r, const calibration::Profile& profile) {
  r.notes.insert(r.notes.end(), profile.notes.begin(), profile.notes.end());
  for (const auto& n : profile.classes) {
    if (n.assumption.empty()) continue;
    r.notes.push_back(fmt::format("profile {}: {}: {}", profile.name,
                                  calibration::kernel_class_name(n.kernel_class), n.assumption));
  }
}

}  // namespace

AccountRequest account_request(const Scenario& s, const TrainingPhase& phase) {
  AccountRequest req;
  req.shard = phase.plan.shard();
  req.recipe = s.precision;
  req.recompute = s.recompute;
  req.stack = s.stack;
  req.seq_len = phase.seq_len;
  req.micro_batch = phase.plan.micro_batch_size;
  req.causal = true;
  req.expert_imbalance = s.expert_imbalance;
  return req;
}

double compute_seconds_per_token(const Scenario& s, const TrainingPhase& phase,
                                 const calibration::Profile& profile,
                                 const StepOptions& options) {
  const ParallelPlan& plan = phase.plan;
  StepResult r;
  set_batch(r, phase, 0);
  const PipelinePlan pipeline = make_schedule({plan.schedule, plan.pp, r.micro_batches, plan.vpp});
  const ModelAccount account = account_model(s.model, account_request(s, phase));
  const std::vector<ChunkLoad> chunks = layout_chunks(s.model, account, pipeline.num_stages);
  OperatorTimer timer(profile, s.cluster, options.collective_cache);
  const CommContext comm{&s.model, &s.precision, s.cluster.domains(), s.cluster.domain_gpus(),
                         plan.tp};
  double per_micro_batch = 0.0;  // every stage once, on one GPU of its tp x cp group
  for (const StageWork& w : build_stage_work(s.model, account, chunks, comm, timer)) {
    per_micro_batch += w.forward_compute_s() + w.backward_compute_s() + w.wgrad_s;
  }
  // dp pipelines of pp ranks each take micro_batch_size x seq_len tokens per micro-batch.
  const double tokens = static_cast<double>(plan.pp) * plan.dp * plan.micro_batch_size *
                        static_cast<double>(phase.seq_len);
  return per_micro_batch / tokens;
}

StepResult simulate_step(const Scenario& s, const TrainingPhase& phase,
                         const calibration::Profile& profile, std::int64_t global_batch,
                         const StepOptions& options) {
  StepResult r;
  const ParallelPlan& plan = phase.plan;
  set_batch(r, phase, global_batch);
  r.plan = make_schedule({plan.schedule, plan.pp, r.micro_batches, plan.vpp});
  const ModelAccount account = account_model(s.model, account_request(s, phase));
  const std::vector<ChunkLoad> chunks =
      layout_chunks(s.model, account, r.plan.num_stages, plan.layers_per_stage);

  OperatorTimer timer(profile, s.cluster, options.collective_cache);
  const CommContext comm{&s.model, &s.precision, s.cluster.domains(), s.cluster.domain_gpus(),
                         plan.tp, s.overlap.tp_comm};
  r.stages = build_stage_work(s.model, account, chunks, comm, timer);
  add_notes(r.notes, timer.notes());
  add_vocab_note(r, s.model, plan.tp);

  r.compute_slowdown = overlap_compute_slowdown(s.gpu, options.comm_sms);
  FbPairs pairs(r.stages, r.compute_slowdown);
  set_stage_costs(r);
  set_fb_pair_costs(r, pairs, s, options.comm_sms);
  set_p2p(r, s, plan, account.tokens);
  r.pipeline = run_pipeline(r.plan, r.costs);

  set_dp_sync_and_optimizer(r, s, plan, chunks, timer);
  set_breakdown(r, pairs);
  set_link_busy(r, s, plan, chunks, timer);
  set_throughput(r, s, phase, account);
  set_memory(r, s, phase);
  add_profile_notes(r, profile);
  if (s.expert_imbalance != 1.0) {
    r.notes.push_back(fmt::format(
        "training.expert_imbalance = {:g}: the busiest expert-parallel rank receives {:g} x the "
        "mean routed tokens; its grouped GEMMs, expert activation and share of each dispatch and "
        "combine set every MoE layer's pace",
        s.expert_imbalance, s.expert_imbalance));
  }
  return r;
}

}  // namespace llmsim
