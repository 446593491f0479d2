#include "costmodel/estimate/training/step_streams.hpp"

#include <algorithm>

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

// Places one pipeline operation's segments from its start t0.
class RankStreams {
 public:
  RankStreams(const StepResult& r, std::vector<StreamSpan>& spans) : r_(r), spans_(spans) {}

  void place(const PipelineOp& op, double t0) {
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

  double sequence(const std::vector<Segment>& segs, double t, OpKind kind, const MicroStage& part) {
    for (const Segment& sg : segs) {
      spans_.push_back({sg.comm, t, t + sg.seconds, kind, part, &sg});
      t += sg.seconds;
    }
    return t;
  }

  void wgrad(const StageWork& st, double t, OpKind kind, const MicroStage& part) {
    spans_.push_back({false, t, t + st.wgrad_s, kind, part, &st.wgrad_segment});
  }

  void pair(const PipelineOp& op, double t0) {
    const StageWork& a = stage(op.first.stage);
    const StageWork& b = stage(op.second.stage);
    const OverlapResult ps = run_fb_pair(a, b, r_.compute_slowdown);
    for (const PlacedPiece& p : ps.placed) {
      const Segment* seg = p.chain == 0               ? &a.forward[p.index]
                           : p.index < b.backward.size() ? &b.backward[p.index]
                                                         : &b.wgrad_segment;
      spans_.push_back({seg->comm, t0 + p.start.seconds(), t0 + p.end.seconds(),
                        p.chain == 0 ? OpKind::F : OpKind::BW, p.chain == 0 ? op.first : op.second,
                        seg});
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
    for (std::size_t i = 0; i < ops.size(); ++i) streams.place(ops[i], timing[i].start.seconds());
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
  return trace.text() + "\n";
}

}  // namespace llmsim
