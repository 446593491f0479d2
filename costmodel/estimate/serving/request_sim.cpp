#include "costmodel/estimate/serving/request_sim.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/engine.hpp"

namespace llmsim {

namespace {

// Samples kept for the time series: past this many, every other one is dropped and the
// stride doubles (the series stays evenly spaced in iterations).
constexpr std::size_t kMaxSamples = 1 << 17;

// A request's progress through the simulation.
struct Flight {
  std::int64_t prompt = 0;     // tokens whose KV must exist before decoding (grows on preemption)
  std::int64_t computed = 0;   // of which in the cache (hits, computed chunks)
  std::int64_t remaining = 0;  // output tokens still to generate
  std::int64_t blocks = 0;     // KV blocks held in its current unit
  std::int64_t join_step = 0;  // unit step at which it started decoding
  std::int64_t steps = 0;      // decode steps it needs
  double len0 = 0.0;           // KV length when it started decoding
  int unit = -1;
  int generation = 0;          // bumps on preemption: stale heap entries are skipped
  bool decoding = false;
  bool first_done = false;
};

// A request due at a unit step; stale when the request's generation has moved on.
struct StepEntry {
  std::int64_t step = 0;
  std::int64_t request = 0;
  int generation = 0;
  friend bool operator>(const StepEntry& a, const StepEntry& b) {
    return a.step != b.step ? a.step > b.step : a.request > b.request;
  }
};
using StepHeap = std::priority_queue<StepEntry, std::vector<StepEntry>, std::greater<>>;
struct Admitted {
  std::int64_t request = 0;
  int generation = 0;
};

struct Chunk {
  std::int64_t request = 0;
  std::int64_t tokens = 0;
};

struct Unit {
  int deployment = 0;
  int ranks = 1;
  bool busy = false;
  std::int64_t assigned = 0;       // requests in the unit (waiting, prefilling, decoding)
  std::deque<std::int64_t> waiting;
  std::vector<std::int64_t> prefilling;
  std::deque<Admitted> decode_order;  // by admission, for LIFO preemption
  std::int64_t decoding = 0;
  double sum_kv = 0.0;
  std::int64_t step = 0;
  StepHeap finish;  // when each decoding request has its last token
  StepHeap grow;    // when it needs its next KV block (colocated)
  std::int64_t free_blocks = 0;
  std::int64_t total_blocks = 0;
  std::vector<Chunk> chunks;  // this iteration's prefill
  std::int64_t iteration_decode = 0;
  double started_s = 0.0;
};

}  // namespace

class ServingSimulator {
 public:
  ServingSimulator(const std::vector<ServingRequest>& requests,
                   const std::vector<DeploymentLayout>& layouts, std::vector<IterationModel*> models,
                   OperatorTimer& network, const ServingSimOptions& options);
  ServingRun run();

  void on_arrival(std::int64_t r);
  void on_iteration_done(int u);
  void on_transfer_done(std::int64_t r);

 private:
  struct Forward : EventHandler {
    ServingSimulator* sim = nullptr;
    int kind = 0;
    void on_event(SimTime, std::uint64_t p) override {
      if (kind == 0) sim->on_arrival(static_cast<std::int64_t>(p));
      if (kind == 1) sim->on_iteration_done(static_cast<int>(p));
      if (kind == 2) sim->on_transfer_done(static_cast<std::int64_t>(p));
    }
  };

  double now() const { return engine_.now().seconds(); }
  bool is_decode_role(const Unit& u) const { return roles_[u.deployment] == 'd'; }
  bool is_prefill_role(const Unit& u) const { return roles_[u.deployment] == 'p'; }
  std::int64_t blocks_for(const Unit& u, double tokens) const;
  int pick_unit(int deployment) const;
  void enter(int deployment, std::int64_t r);
  void try_start(int u);
  bool grow_decoders(Unit& unit);
  void preempt_one(Unit& unit);
  void admit_decoders(Unit& unit);
  void plan_prefill(Unit& unit);
  std::int64_t take_chunk(Unit& unit, std::int64_t r, std::int64_t budget);
  IterationLoad load_of(const Unit& unit) const;
  void start_decoding(Unit& unit, std::int64_t r);
  void finish_prefill_chunks(Unit& unit);
  void finish_decode_step(Unit& unit);
  void prompt_done(Unit& unit, std::int64_t r);
  void complete(std::int64_t r);
  void release(Unit& unit, std::int64_t r);
  void count_in_system(int delta);
  void sample(const Unit& unit);
  double transfer_seconds(std::int64_t tokens);

  const std::vector<ServingRequest>& requests_;
  const std::vector<DeploymentLayout>& layouts_;
  std::vector<IterationModel*> models_;
  OperatorTimer& network_;
  ServingSimOptions options_;
  std::string roles_;  // 'c', 'p' or 'd' per deployment
  double tokens_per_step_ = 1.0;  // per decode step, MTP acceptance included
  Engine engine_;
  Forward arrivals_, iterations_, transfers_;
  std::vector<Unit> units_;
  std::vector<int> first_unit_;  // per deployment, plus one past the end
  std::vector<Flight> flights_;
  ServingRun out_;
  std::int64_t in_system_ = 0;
  double last_change_s_ = 0.0;
  std::size_t finished_ = 0;
  std::int64_t iteration_count_ = 0;
  std::uint64_t sample_count_ = 0;
  std::uint64_t sample_stride_ = 1;
  double transfer_a_ = 0.0, transfer_b_ = 0.0;  // seconds = a + b * bytes
};

ServingRun simulate_serving(const std::vector<ServingRequest>& requests,
                            const std::vector<DeploymentLayout>& layouts,
                            std::vector<IterationModel*> models, OperatorTimer& network,
                            const ServingSimOptions& options) {
  ServingSimulator sim(requests, layouts, std::move(models), network, options);
  return sim.run();
}

ServingSimulator::ServingSimulator(const std::vector<ServingRequest>& requests,
                                   const std::vector<DeploymentLayout>& layouts,
                                   std::vector<IterationModel*> models, OperatorTimer& network,
                                   const ServingSimOptions& options)
    : requests_(requests), layouts_(layouts), models_(std::move(models)), network_(network),
      options_(options) {
  LLMSIM_CHECK(!layouts.empty() && layouts.size() == models_.size(), "one model per deployment");
  for (const DeploymentLayout& l : layouts) {
    const std::string& role = l.deployment.role;
    roles_ += role == "prefill" ? 'p' : role == "decode" ? 'd' : 'c';
    first_unit_.push_back(static_cast<int>(units_.size()));
    for (int i = 0; i < l.units; ++i) {
      Unit u;
      u.deployment = static_cast<int>(first_unit_.size()) - 1;
      u.ranks = l.ranks_per_unit;
      u.total_blocks = l.kv_tokens_per_rank / l.deployment.scheduler.kv_block_tokens * u.ranks;
      u.free_blocks = u.total_blocks;
      units_.push_back(std::move(u));
    }
    DeploymentActivity a;
    a.total_blocks = units_.back().total_blocks * l.units;
    out_.deployments.push_back(a);
  }
  first_unit_.push_back(static_cast<int>(units_.size()));
  if (options_.path == ServingPath::kPrefillOnly) roles_.back() = 'p';
  if (options_.path == ServingPath::kDecodeOnly) roles_.back() = 'd';
  const ServingDeployment& last = layouts.back().deployment;
  double accepted = 1.0;
  for (int i = 1; i <= last.mtp_depth; ++i) accepted *= last.mtp_acceptance, tokens_per_step_ += accepted;
  arrivals_.sim = iterations_.sim = transfers_.sim = this;
  iterations_.kind = 1;
  transfers_.kind = 2;
  flights_.resize(requests.size());
  out_.requests.resize(requests.size());
  if (roles_.front() == 'p' && options_.path == ServingPath::kFull) {
    // KV transfer: a line through two network-model points (1 MiB and 256 MiB, GPU 0 to
    // a GPU of another node).
    const double b1 = 1 << 20, b2 = 256.0 * (1 << 20);
    const double t1 = transfer_seconds(static_cast<std::int64_t>(b1));
    const double t2 = transfer_seconds(static_cast<std::int64_t>(b2));
    transfer_b_ = (t2 - t1) / (b2 - b1);
    transfer_a_ = t1 - transfer_b_ * b1;
  }
}

double ServingSimulator::transfer_seconds(std::int64_t bytes) {
  CollectiveRequest q;
  q.op = CollectiveOp::kP2P;
  q.gpus = 2 * layouts_.front().cluster.gpus_per_node;  // GPU 0 to the last GPU of node 1
  q.bytes = static_cast<double>(bytes);
  return network_.time(GroupCollective{"kv-transfer", q}).seconds;
}

ServingRun ServingSimulator::run() {
  for (std::size_t i = 0; i < requests_.size(); ++i) {
    const ServingRequest& q = requests_[i];
    Flight& f = flights_[i];
    f.prompt = q.prompt;
    f.computed = q.cached;
    f.remaining = q.output;
    ServedRequest& s = out_.requests[i];
    s.arrival_s = q.arrival_s;
    s.prompt = q.prompt;
    s.cached = q.cached;
    s.output = q.output;
  }
  if (!requests_.empty()) {
    engine_.schedule_at(SimTime::from_seconds(requests_.front().arrival_s), &arrivals_, 0);
  }
  out_.events = engine_.run();
  out_.end_s = last_change_s_;
  return std::move(out_);
}

void ServingSimulator::count_in_system(int delta) {
  out_.in_system_integral += static_cast<double>(in_system_) * (now() - last_change_s_);
  last_change_s_ = now();
  in_system_ += delta;
}

void ServingSimulator::on_arrival(std::int64_t r) {
  const auto next = static_cast<std::size_t>(r) + 1;
  if (next < requests_.size()) {
    engine_.schedule_at(max(engine_.now(), SimTime::from_seconds(requests_[next].arrival_s)),
                        &arrivals_, next);
  }
  count_in_system(+1);
  Flight& f = flights_[static_cast<std::size_t>(r)];
  if (roles_.front() == 'd') {  // decode only: the prompt's cache is in place
    f.computed = f.prompt;
    f.first_done = true;  // its first token is timed at admission (admit_decoders)
    f.remaining -= 1;
    if (f.remaining <= 0) {
      out_.requests[static_cast<std::size_t>(r)].first_token_s = now();
      complete(r);
      return;
    }
  }
  enter(0, r);
}

int ServingSimulator::pick_unit(int deployment) const {
  int best = first_unit_[static_cast<std::size_t>(deployment)];
  for (int u = best + 1; u < first_unit_[static_cast<std::size_t>(deployment) + 1]; ++u) {
    if (units_[static_cast<std::size_t>(u)].assigned < units_[static_cast<std::size_t>(best)].assigned) best = u;
  }
  return best;
}

std::int64_t ServingSimulator::blocks_for(const Unit& u, double tokens) const {
  const double b = layouts_[static_cast<std::size_t>(u.deployment)].deployment.scheduler.kv_block_tokens;
  return static_cast<std::int64_t>(std::ceil(tokens / b));
}

void ServingSimulator::enter(int deployment, std::int64_t r) {
  const int u = pick_unit(deployment);
  Unit& unit = units_[static_cast<std::size_t>(u)];
  Flight& f = flights_[static_cast<std::size_t>(r)];
  // The sequence's whole cache must fit in the unit, or it would be preempted forever: the
  // prompt and every output token (a prefill deployment keeps the prompt and the first token).
  const double need = static_cast<double>(f.prompt) +
                      (is_prefill_role(unit) ? 1.0 : static_cast<double>(f.remaining));
  if (blocks_for(unit, need) > unit.total_blocks) {
    const DeploymentLayout& l = layouts_[static_cast<std::size_t>(deployment)];
    throw UserError(fmt::format(
        "serving: a request of {} prompt and {} output tokens needs more KV cache than a unit of "
        "deployment {} holds ({} tokens); give it more GPUs or shorter requests",
        requests_[static_cast<std::size_t>(r)].prompt, requests_[static_cast<std::size_t>(r)].output,
        l.deployment.name, unit.total_blocks * l.deployment.scheduler.kv_block_tokens));
  }
  f.unit = u;
  ++unit.assigned;
  unit.waiting.push_back(r);
  try_start(u);
}

void ServingSimulator::try_start(int u) {
  Unit& unit = units_[static_cast<std::size_t>(u)];
  if (unit.busy) return;
  unit.chunks.clear();
  if (is_decode_role(unit)) admit_decoders(unit);
  if (!is_decode_role(unit) && !is_prefill_role(unit)) grow_decoders(unit);
  if (!is_decode_role(unit)) plan_prefill(unit);
  unit.iteration_decode = unit.decoding;
  if (unit.iteration_decode == 0 && unit.chunks.empty()) return;
  const IterationTime t = models_[static_cast<std::size_t>(unit.deployment)]->time(load_of(unit));
  unit.busy = true;
  unit.started_s = now();
  const SimTime d = max(SimTime::from_ns(1), SimTime::from_seconds(t.seconds));
  engine_.schedule_in(d, &iterations_, static_cast<std::uint64_t>(u));
  DeploymentActivity& a = out_.deployments[static_cast<std::size_t>(unit.deployment)];
  const IterationLoad l = load_of(unit);
  if (++iteration_count_ > options_.max_iterations) {
    throw UserError(fmt::format(
        "serving: more than {} iterations to simulate; simulate fewer requests "
        "(serving.traffic.requests) or shorter outputs", options_.max_iterations));
  }
  ++a.iterations;
  a.busy_unit_s += d.seconds();
  a.compute_s += t.compute_s;
  a.attention_s += t.attention_s;
  a.comm_s += t.comm_s;
  a.decode_seqs += l.decode_seqs;
  a.prefill_tokens += l.prefill_tokens;
  if (out_.spans.size() < options_.max_spans) {
    out_.spans.push_back({unit.deployment, u - first_unit_[static_cast<std::size_t>(unit.deployment)],
                          now(), d.seconds(), l.decode_seqs, l.prefill_tokens});
  }
}

// Blocks for the step about to run; a colocated unit short of blocks preempts the most
// recently admitted sequence (which may be the one asking).
bool ServingSimulator::grow_decoders(Unit& unit) {
  const double b = layouts_[static_cast<std::size_t>(unit.deployment)].deployment.scheduler.kv_block_tokens;
  const std::int64_t next = unit.step + 1;
  while (!unit.grow.empty() && unit.grow.top().step <= next) {
    const StepEntry e = unit.grow.top();
    unit.grow.pop();
    Flight& f = flights_[static_cast<std::size_t>(e.request)];
    if (!f.decoding || f.generation != e.generation) continue;
    const double len = f.len0 + static_cast<double>(next - f.join_step) * tokens_per_step_;
    const std::int64_t need = blocks_for(unit, len) - f.blocks;
    while (unit.free_blocks < need && f.decoding) preempt_one(unit);
    if (!f.decoding) continue;
    unit.free_blocks -= need;
    f.blocks += need;
    const auto steps = static_cast<std::int64_t>(std::floor((f.blocks * b - f.len0) / tokens_per_step_));
    unit.grow.push({f.join_step + steps + 1, e.request, f.generation});
  }
  return unit.decoding > 0;
}

void ServingSimulator::preempt_one(Unit& unit) {
  while (!unit.decode_order.empty()) {
    const Admitted v = unit.decode_order.back();
    unit.decode_order.pop_back();
    Flight& f = flights_[static_cast<std::size_t>(v.request)];
    if (!f.decoding || f.generation != v.generation) continue;
    const double done = static_cast<double>(unit.step - f.join_step) * tokens_per_step_;
    const auto produced = std::min(f.remaining, static_cast<std::int64_t>(std::floor(done)));
    unit.sum_kv -= f.len0 + done;
    --unit.decoding;
    unit.free_blocks += f.blocks;
    f.blocks = 0;
    f.decoding = false;
    ++f.generation;
    f.remaining -= produced;
    f.prompt = static_cast<std::int64_t>(f.len0) + produced - 1;
    f.computed = requests_[static_cast<std::size_t>(v.request)].cached;
    ++out_.requests[static_cast<std::size_t>(v.request)].preemptions;
    ++out_.deployments[static_cast<std::size_t>(unit.deployment)].preemptions;
    out_.deployments[static_cast<std::size_t>(unit.deployment)].output_tokens += produced;
    unit.waiting.push_front(v.request);
    return;
  }
  LLMSIM_CHECK(false, "preemption found no sequence to preempt");
}

void ServingSimulator::admit_decoders(Unit& unit) {
  const ServingScheduler& s = layouts_[static_cast<std::size_t>(unit.deployment)].deployment.scheduler;
  while (!unit.waiting.empty() && unit.decoding < static_cast<std::int64_t>(s.max_batch) * unit.ranks) {
    const std::int64_t r = unit.waiting.front();
    Flight& f = flights_[static_cast<std::size_t>(r)];
    const double steps = std::ceil(static_cast<double>(f.remaining) / tokens_per_step_);
    const std::int64_t need = blocks_for(unit, f.prompt + 1.0 + steps * tokens_per_step_);
    if (need > unit.free_blocks) break;
    unit.waiting.pop_front();
    unit.free_blocks -= need;
    f.blocks = need;
    if (options_.path == ServingPath::kDecodeOnly) {
      out_.requests[static_cast<std::size_t>(r)].first_token_s = now();
    }
    start_decoding(unit, r);
  }
}

void ServingSimulator::start_decoding(Unit& unit, std::int64_t r) {
  Flight& f = flights_[static_cast<std::size_t>(r)];
  f.decoding = true;
  f.join_step = unit.step;
  f.len0 = static_cast<double>(f.prompt) + 1.0;
  f.steps = static_cast<std::int64_t>(std::ceil(static_cast<double>(f.remaining) / tokens_per_step_));
  unit.sum_kv += f.len0;
  ++unit.decoding;
  unit.decode_order.push_back({r, f.generation});
  unit.finish.push({f.join_step + f.steps, r, f.generation});
  if (!is_decode_role(unit)) {
    const double b = layouts_[static_cast<std::size_t>(unit.deployment)].deployment.scheduler.kv_block_tokens;
    const auto steps = static_cast<std::int64_t>(std::floor((f.blocks * b - f.len0) / tokens_per_step_));
    unit.grow.push({f.join_step + steps + 1, r, f.generation});
  }
}

// Prompt tokens of request `r` this iteration under the remaining `budget`. Without chunked
// prefill a prompt goes whole: when it fits, or alone as the iteration's first prefill.
std::int64_t ServingSimulator::take_chunk(Unit& unit, std::int64_t r, std::int64_t budget) {
  const ServingScheduler& s = layouts_[static_cast<std::size_t>(unit.deployment)].deployment.scheduler;
  const Flight& f = flights_[static_cast<std::size_t>(r)];
  const std::int64_t rest = f.prompt - f.computed;
  std::int64_t tokens = 0;
  if (s.prefill_chunk > 0) {
    tokens = std::min({rest, s.prefill_chunk, std::max<std::int64_t>(0, budget)});
  } else if (rest <= budget || unit.chunks.empty()) {
    tokens = rest;
  }
  if (tokens > 0) unit.chunks.push_back({r, tokens});
  return tokens;
}

void ServingSimulator::plan_prefill(Unit& unit) {
  const ServingDeployment& d = layouts_[static_cast<std::size_t>(unit.deployment)].deployment;
  const int per_decode = models_[static_cast<std::size_t>(unit.deployment)]->tokens_per_decode();
  std::int64_t budget = d.scheduler.token_budget * unit.ranks - unit.decoding * per_decode;
  for (const std::int64_t r : unit.prefilling) {
    if (budget <= 0 && !unit.chunks.empty()) break;
    budget -= take_chunk(unit, r, budget);
  }
  const std::int64_t max_batch = static_cast<std::int64_t>(d.scheduler.max_batch) * unit.ranks;
  while (!unit.waiting.empty() && (budget > 0 || unit.chunks.empty()) &&
         unit.decoding + static_cast<std::int64_t>(unit.prefilling.size()) < max_batch) {
    const std::int64_t r = unit.waiting.front();
    Flight& f = flights_[static_cast<std::size_t>(r)];
    const std::int64_t need = blocks_for(unit, f.prompt + 1.0) - f.blocks;
    if (need > unit.free_blocks) break;
    unit.waiting.pop_front();
    unit.free_blocks -= need;
    f.blocks += need;
    unit.prefilling.push_back(r);
    budget -= take_chunk(unit, r, budget);
  }
}

IterationLoad ServingSimulator::load_of(const Unit& unit) const {
  IterationLoad l;
  const double ranks = unit.ranks;
  // A sequence lives on one rank and ranks run in lockstep: the busiest rank sets the pace,
  // carrying at least an equal share and at least the largest chunk.
  if (unit.decoding > 0) {
    l.decode_seqs = std::ceil(static_cast<double>(unit.decoding) / ranks);
    l.decode_kv = unit.sum_kv / static_cast<double>(unit.decoding);
  }
  double tokens = 0.0, pairs = 0.0, largest = 0.0, finishing = 0.0;
  for (const Chunk& c : unit.chunks) {
    const Flight& f = flights_[static_cast<std::size_t>(c.request)];
    const double q = static_cast<double>(c.tokens);
    tokens += q;
    pairs += q * (static_cast<double>(f.computed) + (q + 1.0) / 2.0);
    largest = std::max(largest, q);
    finishing += f.computed + c.tokens == f.prompt ? 1.0 : 0.0;
  }
  if (tokens > 0.0) {
    l.prefill_tokens = std::max(tokens / ranks, largest);
    l.prefill_kv = pairs / tokens;
    l.prefill_seqs = std::ceil(finishing / ranks);
  }
  return l;
}

void ServingSimulator::on_iteration_done(int u) {
  Unit& unit = units_[static_cast<std::size_t>(u)];
  unit.busy = false;
  if (unit.iteration_decode > 0) finish_decode_step(unit);
  finish_prefill_chunks(unit);
  sample(unit);
  try_start(u);
}

void ServingSimulator::finish_decode_step(Unit& unit) {
  ++unit.step;
  unit.sum_kv += static_cast<double>(unit.decoding) * tokens_per_step_;
  while (!unit.finish.empty() && unit.finish.top().step <= unit.step) {
    const StepEntry e = unit.finish.top();
    unit.finish.pop();
    Flight& f = flights_[static_cast<std::size_t>(e.request)];
    if (!f.decoding || f.generation != e.generation) continue;
    unit.sum_kv -= f.len0 + static_cast<double>(f.steps) * tokens_per_step_;
    --unit.decoding;
    f.decoding = false;
    out_.deployments[static_cast<std::size_t>(unit.deployment)].output_tokens += f.remaining;
    f.remaining = 0;
    release(unit, e.request);
    complete(e.request);
  }
  if (unit.decoding == 0) unit.sum_kv = 0.0;  // no drift from rounding
}

void ServingSimulator::finish_prefill_chunks(Unit& unit) {
  DeploymentActivity& a = out_.deployments[static_cast<std::size_t>(unit.deployment)];
  for (const Chunk& c : unit.chunks) {
    Flight& f = flights_[static_cast<std::size_t>(c.request)];
    f.computed += c.tokens;
    a.computed_tokens += c.tokens;
    if (f.computed == f.prompt) prompt_done(unit, c.request);
  }
  unit.chunks.clear();
  std::erase_if(unit.prefilling, [&](std::int64_t r) {
    const Flight& f = flights_[static_cast<std::size_t>(r)];
    return f.computed == f.prompt || f.unit != static_cast<int>(&unit - units_.data());
  });
}

void ServingSimulator::prompt_done(Unit& unit, std::int64_t r) {
  Flight& f = flights_[static_cast<std::size_t>(r)];
  DeploymentActivity& a = out_.deployments[static_cast<std::size_t>(unit.deployment)];
  if (!f.first_done) {
    f.first_done = true;
    out_.requests[static_cast<std::size_t>(r)].first_token_s = now();
    f.remaining -= 1;
    a.prompt_tokens += requests_[static_cast<std::size_t>(r)].prompt;
    a.output_tokens += 1;
  }
  const bool prefill_only = options_.path == ServingPath::kPrefillOnly;
  if (f.remaining <= 0 || prefill_only) {
    release(unit, r);
    complete(r);
  } else if (is_prefill_role(unit)) {
    const double bytes = (static_cast<double>(f.prompt) + 1.0) * layouts_.back().kv_bytes_per_token;
    engine_.schedule_in(max(SimTime::from_ns(1), SimTime::from_seconds(transfer_a_ + transfer_b_ * bytes)),
                        &transfers_, static_cast<std::uint64_t>(r));
  } else {
    start_decoding(unit, r);
  }
}

void ServingSimulator::on_transfer_done(std::int64_t r) {
  Flight& f = flights_[static_cast<std::size_t>(r)];
  const int u = f.unit;
  release(units_[static_cast<std::size_t>(u)], r);
  f.computed = f.prompt;
  enter(static_cast<int>(layouts_.size()) - 1, r);
  try_start(u);  // the freed blocks may admit more prompts
}

void ServingSimulator::release(Unit& unit, std::int64_t r) {
  Flight& f = flights_[static_cast<std::size_t>(r)];
  unit.free_blocks += f.blocks;
  f.blocks = 0;
  --unit.assigned;
}

void ServingSimulator::complete(std::int64_t r) {
  out_.requests[static_cast<std::size_t>(r)].finish_s = now();
  count_in_system(-1);
  ++finished_;
  if (options_.progress && finished_ % 4096 == 0) options_.progress(finished_);
}

void ServingSimulator::sample(const Unit& unit) {
  ServingSample s;
  s.time_s = now();
  s.deployment = unit.deployment;
  std::int64_t used = 0, total = 0;
  const auto d = static_cast<std::size_t>(unit.deployment);
  for (int i = first_unit_[d]; i < first_unit_[d + 1]; ++i) {
    const Unit& x = units_[static_cast<std::size_t>(i)];
    used += x.total_blocks - x.free_blocks;
    total += x.total_blocks;
    s.waiting += static_cast<std::int64_t>(x.waiting.size());
    s.running += x.decoding + static_cast<std::int64_t>(x.prefilling.size());
  }
  s.kv_used = total > 0 ? static_cast<double>(used) / static_cast<double>(total) : 0.0;
  DeploymentActivity& a = out_.deployments[d];
  a.peak_blocks = std::max(a.peak_blocks, used);
  out_.peak_kv_used = std::max(out_.peak_kv_used, s.kv_used);
  out_.peak_waiting = std::max(out_.peak_waiting, s.waiting);
  if (++sample_count_ % sample_stride_ != 0) return;
  out_.samples.push_back(s);
  if (out_.samples.size() >= kMaxSamples) {
    std::size_t kept = 0;
    for (std::size_t i = 1; i < out_.samples.size(); i += 2) out_.samples[kept++] = out_.samples[i];
    out_.samples.resize(kept);
    sample_stride_ *= 2;
  }
}

}  // namespace llmsim
