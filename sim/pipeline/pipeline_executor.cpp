#include "sim/pipeline/pipeline_executor.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

SimTime PipelineCosts::duration(const PipelineOp& op) const {
  switch (op.kind) {
    case OpKind::F: return stage(op.first.stage).f;
    case OpKind::B: return stage(op.first.stage).b;
    case OpKind::W: return stage(op.first.stage).w;
    case OpKind::BW: return stage(op.first.stage).full_backward();
    case OpKind::FB:
      if (!fb_pairs.empty()) {
        return fb_pairs[static_cast<std::size_t>(op.first.stage) * fb_pair_stages +
                        op.second.stage];
      }
      if (fb) return *fb;
      return stage(op.first.stage).f + stage(op.second.stage).full_backward();
  }
  return SimTime::zero();
}

SimTime PipelineCosts::transfer_time() const {
  SimTime t = p2p_latency;
  if (p2p_bytes_per_second > 0.0 && p2p_bytes > 0.0) {
    t += SimTime::from_seconds(p2p_bytes / p2p_bytes_per_second);
  }
  return t;
}

SimTime PipelineResult::max_bubble() const {
  SimTime m = SimTime::zero();
  for (const auto& r : ranks) m = max(m, r.bubble);
  return m;
}

int peak_activations(const std::vector<PipelineOp>& ops) {
  int now = 0;
  int peak = 0;
  for (const auto& op : ops) {
    switch (op.kind) {
      case OpKind::F: peak = std::max(peak, ++now); break;
      case OpKind::B:
      case OpKind::BW: --now; break;
      case OpKind::FB: peak = std::max(peak, ++now); --now; break;
      case OpKind::W: break;
    }
  }
  return peak;
}

namespace {

// Completion times are kept per (direction, micro-batch, stage) key. kUnknown: not yet done.
constexpr std::int64_t kUnknown = -1;

class Executor final : public EventHandler {
 public:
  Executor(const PipelinePlan& plan, const PipelineCosts& costs, Engine& engine)
      : plan_(plan), costs_(costs), engine_(engine), transfer_(costs.transfer_time()) {
    const std::size_t keys = static_cast<std::size_t>(plan.num_dirs) *
                             plan.micro_batches_per_dir() * plan.num_stages;
    fwd_done_.assign(keys, kUnknown);
    bwd_done_.assign(keys, kUnknown);
    pos_.assign(plan.pp, 0);
    busy_.assign(plan.pp, false);
    waiting_.assign(plan.pp, kNoWait);
    result_.timing.resize(plan.pp);
    op_base_.assign(plan.pp, 0);
    std::int64_t base = 0;
    for (int r = 0; r < plan.pp; ++r) {
      result_.timing[r].resize(plan.ops[r].size());
      op_base_[r] = base;
      base += static_cast<std::int64_t>(plan.ops[r].size());
    }
    engine_.reserve_events(2 * static_cast<std::size_t>(plan.pp) + 16);
  }

  PipelineResult run() {
    for (int r = 0; r < plan_.pp; ++r) engine_.schedule_at(engine_.now(), this, encode(kTry, r));
    const SimTime start = engine_.now();
    result_.events = engine_.run();
    for (int r = 0; r < plan_.pp; ++r) {
      if (pos_[r] != plan_.ops[r].size()) throw InternalError(stall_message(r));
    }
    SimTime end = start;
    for (int r = 0; r < plan_.pp; ++r) {
      if (!result_.timing[r].empty()) end = max(end, result_.timing[r].back().end);
    }
    result_.makespan = end - start;
    result_.ranks.resize(plan_.pp);
    for (int r = 0; r < plan_.pp; ++r) {
      RankSummary& s = result_.ranks[r];
      for (const auto& t : result_.timing[r]) s.busy += t.end - t.start;
      s.bubble = result_.makespan - s.busy;
      s.peak_activations = peak_activations(plan_.ops[r]);
      s.peak_activation_memory =
          static_cast<double>(s.peak_activations) * plan_.pp / plan_.num_stages;
      s.parameter_copies = plan_.parameter_copies(r);
    }
    engine_.observers().run_end(end);
    return std::move(result_);
  }

  void on_event(SimTime now, std::uint64_t payload) override {
    const int rank = static_cast<int>(payload >> 1);
    if ((payload & 1U) == kFinish) {
      finish(now, rank);
    } else {
      try_start(now, rank);
    }
  }

 private:
  static constexpr std::uint64_t kTry = 0;
  static constexpr std::uint64_t kFinish = 1;
  static constexpr std::int64_t kNoWait = -1;

  static std::uint64_t encode(std::uint64_t type, int rank) {
    return (static_cast<std::uint64_t>(rank) << 1) | type;
  }
  std::size_t key(const MicroStage& m) const {
    return (static_cast<std::size_t>(m.dir) * plan_.micro_batches_per_dir() + m.mb) *
               plan_.num_stages + m.stage;
  }
  // Wait keys: forward keys as 2*key, backward keys as 2*key+1.
  static std::int64_t fwd_wait(std::size_t k) { return static_cast<std::int64_t>(2 * k); }
  static std::int64_t bwd_wait(std::size_t k) { return static_cast<std::int64_t>(2 * k + 1); }

  // Whether the input of a forward of `m` has arrived at `rank` by `now`; if not, the rank
  // waits (on the key, or until the arrival time). Returns true when it may go on.
  bool input_ready(SimTime now, int rank, std::int64_t wait_key, std::int64_t done_ns,
                   int producer_rank) {
    if (done_ns == kUnknown) {
      waiting_[rank] = wait_key;
      return false;
    }
    SimTime arrival = SimTime::from_ns(done_ns);
    if (producer_rank != rank) arrival += transfer_;
    if (arrival > now) {
      engine_.schedule_at(arrival, this, encode(kTry, rank));
      return false;
    }
    return true;
  }

  bool forward_ready(SimTime now, int rank, const MicroStage& m) {
    if (m.stage == 0) return true;
    MicroStage prev = m;
    prev.stage = static_cast<std::int16_t>(m.stage - 1);
    const std::size_t k = key(prev);
    return input_ready(now, rank, fwd_wait(k), fwd_done_[k], plan_.rank_of(prev));
  }

  bool backward_ready(SimTime now, int rank, const MicroStage& m) {
    const std::size_t own = key(m);
    if (!input_ready(now, rank, fwd_wait(own), fwd_done_[own], plan_.rank_of(m))) return false;
    if (m.stage + 1 == plan_.num_stages) return true;
    MicroStage next = m;
    next.stage = static_cast<std::int16_t>(m.stage + 1);
    const std::size_t k = key(next);
    return input_ready(now, rank, bwd_wait(k), bwd_done_[k], plan_.rank_of(next));
  }

  void try_start(SimTime now, int rank) {
    if (busy_[rank] || pos_[rank] == plan_.ops[rank].size()) return;
    waiting_[rank] = kNoWait;
    const PipelineOp& op = plan_.ops[rank][pos_[rank]];
    switch (op.kind) {
      case OpKind::F:
        if (!forward_ready(now, rank, op.first)) return;
        break;
      case OpKind::B:
      case OpKind::BW:
        if (!backward_ready(now, rank, op.first)) return;
        break;
      case OpKind::W: {
        const std::size_t k = key(op.first);
        if (!input_ready(now, rank, bwd_wait(k), bwd_done_[k], rank)) return;
        break;
      }
      case OpKind::FB:
        if (!forward_ready(now, rank, op.first)) return;
        if (!backward_ready(now, rank, op.second)) return;
        break;
    }
    busy_[rank] = true;
    const SimTime end = now + costs_.duration(op);
    result_.timing[rank][pos_[rank]] = OpTiming{now, end};
    engine_.schedule_at(end, this, encode(kFinish, rank));
  }

  // Tells a rank waiting on `wait_key` that it was produced by `producer` at `now`.
  void wake(SimTime now, int consumer, std::int64_t wait_key, int producer) {
    if (waiting_[consumer] != wait_key) return;
    waiting_[consumer] = kNoWait;
    const SimTime arrival = consumer == producer ? now : now + transfer_;
    engine_.schedule_at(arrival, this, encode(kTry, consumer));
  }

  void complete_forward(SimTime now, int rank, const MicroStage& m) {
    const std::size_t k = key(m);
    fwd_done_[k] = now.ns();
    if (m.stage + 1 < plan_.num_stages) {
      MicroStage next = m;
      next.stage = static_cast<std::int16_t>(m.stage + 1);
      const int consumer = plan_.rank_of(next);
      if (consumer != rank) report_transfer(now, rank, consumer);
      wake(now, consumer, fwd_wait(k), rank);
    }
  }

  void complete_backward(SimTime now, int rank, const MicroStage& m) {
    const std::size_t k = key(m);
    bwd_done_[k] = now.ns();
    if (m.stage > 0) {
      MicroStage prev = m;
      prev.stage = static_cast<std::int16_t>(m.stage - 1);
      const int consumer = plan_.rank_of(prev);
      if (consumer != rank) report_transfer(now, rank, consumer);
      wake(now, consumer, bwd_wait(k), rank);
    }
  }

  void report_transfer(SimTime now, int src, int dst) {
    if (engine_.observers().empty()) return;
    engine_.observers().transfer(TransferRecord{src, dst, now, now + transfer_, costs_.p2p_bytes,
                                                op_base_[src] + static_cast<std::int64_t>(pos_[src])});
  }

  void finish(SimTime now, int rank) {
    const std::size_t i = pos_[rank];
    const PipelineOp& op = plan_.ops[rank][i];
    busy_[rank] = false;
    ++pos_[rank];
    if (!engine_.observers().empty()) {
      const OpTiming& t = result_.timing[rank][i];
      engine_.observers().task(TaskRecord{rank, 0, t.start, t.end,
                                          static_cast<std::uint32_t>(op.kind),
                                          op_base_[rank] + static_cast<std::int64_t>(i)});
    }
    switch (op.kind) {
      case OpKind::F: complete_forward(now, rank, op.first); break;
      case OpKind::B:
      case OpKind::BW: complete_backward(now, rank, op.first); break;
      case OpKind::W: break;
      case OpKind::FB:
        complete_forward(now, rank, op.first);
        complete_backward(now, rank, op.second);
        break;
    }
    // A rank waiting on its own output (the last stage's backward on its forward, or a W on
    // its B) was woken above; otherwise it moves on to its next operation now.
    try_start(now, rank);
  }

  std::string stall_message(int rank) const {
    const PipelineOp& op = plan_.ops[rank][pos_[rank]];
    return fmt::format("pipeline plan deadlocks: rank {} cannot start operation #{} ({} of "
                       "micro-batch {} stage {} direction {})",
                       rank, pos_[rank], op_kind_name(op.kind), op.first.mb, op.first.stage,
                       op.first.dir);
  }

  const PipelinePlan& plan_;
  const PipelineCosts& costs_;
  Engine& engine_;
  const SimTime transfer_;
  std::vector<std::int64_t> fwd_done_;
  std::vector<std::int64_t> bwd_done_;
  std::vector<std::size_t> pos_;
  std::vector<bool> busy_;
  std::vector<std::int64_t> waiting_;
  std::vector<std::int64_t> op_base_;
  PipelineResult result_;
};

void check_costs(const PipelinePlan& plan, const PipelineCosts& costs) {
  if (costs.stages.size() != 1 && costs.stages.size() != static_cast<std::size_t>(plan.num_stages)) {
    throw UserError(fmt::format("per-stage costs: {} given, the plan has {} stages (give one "
                                "value for all stages or one per stage)",
                                costs.stages.size(), plan.num_stages));
  }
  for (std::size_t s = 0; s < costs.stages.size(); ++s) {
    const StageCost& c = costs.stages[s];
    if (c.f < SimTime::zero() || c.b < SimTime::zero() || c.w < SimTime::zero() ||
        (c.bw && *c.bw < SimTime::zero())) {
      throw UserError(fmt::format("stage {} costs: durations must not be negative", s));
    }
  }
  const std::size_t s2 = static_cast<std::size_t>(plan.num_stages) * plan.num_stages;
  if (!costs.fb_pairs.empty() &&
      (costs.fb_pairs.size() != s2 || costs.fb_pair_stages != plan.num_stages)) {
    throw UserError(fmt::format("F&B pair costs: {} given, the plan needs {} (stages squared)",
                                costs.fb_pairs.size(), s2));
  }
  if ((costs.fb && *costs.fb < SimTime::zero()) || costs.p2p_latency < SimTime::zero() ||
      costs.p2p_bytes < 0.0 || costs.p2p_bytes_per_second < 0.0) {
    throw UserError("costs: durations, bytes and bandwidth must not be negative");
  }
}

// The longest any one operation, with its transfer, can take, in ns (double: no overflow).
double longest_op_ns(const PipelineCosts& costs) {
  double op = costs.fb ? static_cast<double>(costs.fb->ns()) : 0.0;
  for (const StageCost& c : costs.stages) {
    const double bw = c.bw ? static_cast<double>(c.bw->ns()) : 0.0;
    op = std::max({op, static_cast<double>(c.f.ns()) + static_cast<double>(c.b.ns()) +
                           static_cast<double>(c.w.ns()), bw});
  }
  for (SimTime t : costs.fb_pairs) op = std::max(op, static_cast<double>(t.ns()));
  double transfer = static_cast<double>(costs.p2p_latency.ns());
  if (costs.p2p_bytes_per_second > 0.0 && costs.p2p_bytes > 0.0) {
    transfer += costs.p2p_bytes / costs.p2p_bytes_per_second * 1e9;
  }
  return 2.0 * op + transfer;  // an F&B may take its forward's F plus its backward's B + W
}

// Simulated time is int64 nanoseconds: a run that could pass kMaxSimulatedNs is refused with
// the figures that make it so, before any event is scheduled.
void check_time_bound(const PipelinePlan& plan, const PipelineCosts& costs) {
  constexpr double kMaxSimulatedNs = 1e18;  // 31.7 years; SimTime holds 292
  double ops = 0.0;
  for (const auto& list : plan.ops) ops += static_cast<double>(list.size());
  const double bound = ops * longest_op_ns(costs);
  if (!(bound <= kMaxSimulatedNs)) {
    throw UserError(fmt::format(
        "{:g} operations of up to {:.3g} s each (with their transfer) could run {:.3g} s of "
        "simulated time; at most {:g} s: lower the durations, the transfer time or the "
        "micro-batch count", ops, longest_op_ns(costs) * 1e-9, bound * 1e-9, kMaxSimulatedNs * 1e-9));
  }
}

}  // namespace

PipelineResult run_pipeline(const PipelinePlan& plan, const PipelineCosts& costs, Engine& engine) {
  check_costs(plan, costs);
  check_time_bound(plan, costs);
  Executor ex(plan, costs, engine);
  return ex.run();
}

PipelineResult run_pipeline(const PipelinePlan& plan, const PipelineCosts& costs) {
  Engine engine;
  return run_pipeline(plan, costs, engine);
}

}  // namespace llmsim
