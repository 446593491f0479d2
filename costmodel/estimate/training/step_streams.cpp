#include "costmodel/estimate/training/step_streams.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "costmodel/estimate/training/step_model.hpp"
#include "sim/chrome_trace.hpp"

namespace llmsim {

namespace {

std::vector<ChainPiece> pieces(const std::vector<Segment>& segs, double compute_slowdown) {
  std::vector<ChainPiece> out;
  out.reserve(segs.size() + 1);
  for (const Segment& s : segs) {
    out.push_back({SimTime::from_seconds(s.comm ? s.seconds : s.seconds * compute_slowdown), s.comm});
  }
  return out;
}

}  // namespace

OverlapResult run_fb_pair(const StageWork& f, const StageWork& b, double compute_slowdown) {
  std::vector<ChainPiece> back = pieces(b.backward, compute_slowdown);
  back.push_back({SimTime::from_seconds(b.wgrad_s * compute_slowdown), false});
  return run_overlapped(pieces(f.forward, compute_slowdown), back);
}

namespace {

// Places one pipeline operation's segments from its start t0, in integer nanoseconds as the
// pipeline ran it: a segment ends at t0 plus its running sum of seconds rounded once (the sum
// StageWork::forward_s() and backward_s() give the pipeline), so an operation's last segment
// ends where the pipeline ended the operation, never a nanosecond into the next one.
class RankStreams {
 public:
  RankStreams(const StepResult& r, std::vector<StreamSpan>& spans) : r_(r), spans_(spans) {}

  void place(const PipelineOp& op, SimTime t0) {
    const StageWork& a = stage(op.first.stage);
    switch (op.kind) {
      case OpKind::F: sequence(a.forward, t0, OpKind::F, op.first); break;
      case OpKind::B: sequence(a.backward, t0, OpKind::B, op.first); break;
      case OpKind::W: wgrad(a, t0, OpKind::W, op.first); break;
      case OpKind::BW:
        wgrad(a, sequence(a.backward, t0, OpKind::BW, op.first), OpKind::BW, op.first);
        break;
      case OpKind::FB: pair(op, t0); break;
    }
  }

 private:
  const StageWork& stage(int s) const { return r_.stages[static_cast<std::size_t>(s)]; }

  void push(bool comm, SimTime start, SimTime end, OpKind kind, const MicroStage& part,
            const Segment* seg) {
    spans_.push_back({comm, start.seconds(), end.seconds(), kind, part, seg});
  }

  SimTime sequence(const std::vector<Segment>& segs, SimTime t0, OpKind kind, const MicroStage& part) {
    double offset_s = 0.0;
    SimTime start = t0;
    for (const Segment& sg : segs) {
      offset_s += sg.seconds;
      const SimTime end = t0 + SimTime::from_seconds(offset_s);
      push(sg.comm, start, end, kind, part, &sg);
      start = end;
    }
    return start;
  }

  void wgrad(const StageWork& st, SimTime t, OpKind kind, const MicroStage& part) {
    push(false, t, t + SimTime::from_seconds(st.wgrad_s), kind, part, &st.wgrad_segment);
  }

  void pair(const PipelineOp& op, SimTime t0) {
    const StageWork& a = stage(op.first.stage);
    const StageWork& b = stage(op.second.stage);
    const OverlapResult ps = run_fb_pair(a, b, r_.compute_slowdown);
    for (const PlacedPiece& p : ps.placed) {
      const Segment* seg = p.chain == 0               ? &a.forward[p.index]
                           : p.index < b.backward.size() ? &b.backward[p.index]
                                                         : &b.wgrad_segment;
      push(seg->comm, t0 + p.start, t0 + p.end, p.chain == 0 ? OpKind::F : OpKind::BW,
           p.chain == 0 ? op.first : op.second, seg);
    }
  }

  const StepResult& r_;
  std::vector<StreamSpan>& spans_;
};

}  // namespace

std::vector<std::vector<StreamSpan>> step_streams(const StepResult& r) {
  std::vector<std::vector<StreamSpan>> out(static_cast<std::size_t>(r.plan.pp));
  for (int rank = 0; rank < r.plan.pp; ++rank) {
    auto& spans = out[static_cast<std::size_t>(rank)];
    RankStreams streams(r, spans);
    const auto& ops = r.plan.ops[static_cast<std::size_t>(rank)];
    const auto& timing = r.pipeline.timing[static_cast<std::size_t>(rank)];
    for (std::size_t i = 0; i < ops.size(); ++i) streams.place(ops[i], timing[i].start);
    std::stable_sort(spans.begin(), spans.end(),
                     [](const StreamSpan& x, const StreamSpan& y) { return x.start_s < y.start_s; });
  }
  return out;
}

namespace {

// A span as the trace holds it: its track and its integer-nanosecond ends.
struct Slice {
  int rank = 0;
  int tid = 0;  // 0 compute, 1 communication
  SimTime start, end;
};

Slice slice_of(int rank, const StreamSpan& sp) {
  return {rank, sp.comm ? 1 : 0, SimTime::from_seconds(sp.start_s), SimTime::from_seconds(sp.end_s)};
}

// The slices of one stage's forward, or its backward for inputs (weight gradients send
// nothing on), of one micro-batch, in order: (dir, mb, stage, backward).
using ChainKey = std::tuple<int, int, int, bool>;
using Chains = std::map<ChainKey, std::vector<Slice>>;

Chains chains_of(const StepResult& r, const std::vector<std::vector<StreamSpan>>& streams) {
  Chains chains;
  for (int rank = 0; rank < r.plan.pp; ++rank) {
    for (const StreamSpan& sp : streams[static_cast<std::size_t>(rank)]) {
      const StageWork& st = r.stages[static_cast<std::size_t>(sp.part.stage)];
      const Slice sl = slice_of(rank, sp);
      // Flows bind a slice by its middle, strictly inside from 2 ns on (ChromeTrace::inside).
      const bool too_short = (sl.end - sl.start).ns() < 2;
      if (sp.kind == OpKind::W || sp.segment == &st.wgrad_segment || too_short) continue;
      const bool backward = sp.kind != OpKind::F;
      chains[{sp.part.dir, sp.part.mb, sp.part.stage, backward}].push_back(sl);
    }
  }
  return chains;
}

class FlowWriter {
 public:
  explicit FlowWriter(ChromeTrace& trace) : trace_(trace) {}

  void add(const std::string& name, const std::string& category, const Slice& from, const Slice& to) {
    trace_.add_flow(name, category, {from.rank, from.tid, ChromeTrace::inside(from.start, from.end)},
                    {to.rank, to.tid, ChromeTrace::inside(to.start, to.end)});
  }

 private:
  ChromeTrace& trace_;
};

// Within a chain, each communication slice to the computation that consumes it (the next
// compute slice).
void add_comm_flows(FlowWriter& flows, const std::vector<Slice>& chain) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (chain[i].tid != 1) continue;
    for (std::size_t j = i + 1; j < chain.size(); ++j) {
      if (chain[j].tid == 0) {
        flows.add("comm -> consumer", "dependency", chain[i], chain[j]);
        break;
      }
    }
  }
}

// Between chains: a forward to the same micro-batch's forward on the next stage, the last
// stage's forward to its backward, a backward to the backward on the stage before.
void add_stage_flows(FlowWriter& flows, const Chains& chains, int num_stages) {
  auto link = [&](const ChainKey& from, const ChainKey& to, const char* name) {
    const auto a = chains.find(from), b = chains.find(to);
    if (a != chains.end() && b != chains.end()) {
      flows.add(name, "dependency", a->second.back(), b->second.front());
    }
  };
  for (const auto& [key, chain] : chains) {
    const auto [dir, mb, stage, backward] = key;
    if (!backward && stage + 1 < num_stages) link(key, {dir, mb, stage + 1, false}, "F -> F");
    if (!backward && stage + 1 == num_stages) link(key, {dir, mb, stage, true}, "F -> B");
    if (backward && stage > 0) link(key, {dir, mb, stage - 1, true}, "B -> B");
  }
}

}  // namespace

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
  FlowWriter flows(trace);
  const Chains chains = chains_of(r, streams);
  for (const auto& [key, chain] : chains) add_comm_flows(flows, chain);
  add_stage_flows(flows, chains, r.plan.num_stages);
  return trace.text() + "\n";
}

}  // namespace llmsim
