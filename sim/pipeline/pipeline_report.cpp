#include "sim/pipeline/pipeline_report.hpp"

#include <cstdint>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace {

nlohmann::json micro_stage_json(OpKind kind, const MicroStage& m, const OpTiming& t) {
  return {{"op", std::string(op_kind_name(kind))},
          {"mb", m.mb},
          {"dir", m.dir},
          {"stage", m.stage},
          {"start", t.start.us()},
          {"end", t.end.us()}};
}

}  // namespace

std::string op_label(const PipelineOp& op) {
  if (op.kind == OpKind::FB) return fmt::format("F {} | BW {}", op.first.mb, op.second.mb);
  return fmt::format("{} {}", op_kind_name(op.kind), op.first.mb);
}

namespace {

nlohmann::json op_json(const PipelineOp& op, const OpTiming& t) {
  nlohmann::json j = micro_stage_json(op.kind, op.first, t);
  if (op.kind == OpKind::FB) {
    // Both halves run over the whole overlapped span.
    j["f"] = micro_stage_json(OpKind::F, op.first, t);
    j["b"] = micro_stage_json(OpKind::BW, op.second, t);
  }
  return j;
}

// One rank: its summary, then (with_ops) one operation per line.
void write_rank(std::ostream& out, const PipelinePlan& plan, const PipelineResult& result, int r,
                bool with_ops, const std::string& pad) {
  const RankSummary& s = result.ranks[static_cast<std::size_t>(r)];
  nlohmann::json rank = {{"rank", r},
                         {"busy", s.busy.us()},
                         {"bubble", s.bubble.us()},
                         {"peak_activations", s.peak_activations},
                         {"peak_activation_memory", s.peak_activation_memory},
                         {"parameter_copies", s.parameter_copies}};
  std::string head = rank.dump();
  if (!with_ops) {
    out << pad << "  " << head;
    return;
  }
  head.pop_back();  // reopen the object for its operation list
  out << pad << "  " << head << ",\"ops\":[";
  const auto& list = plan.ops[static_cast<std::size_t>(r)];
  for (std::size_t i = 0; i < list.size(); ++i) {
    out << (i ? ",\n" : "\n") << pad << "   " << op_json(list[i], result.timing[r][i]).dump();
  }
  out << "\n" << pad << "  ]}";
}

}  // namespace

void write_pipeline_json(std::ostream& out, const PipelinePlan& plan, const PipelineResult& result,
                         bool with_ops, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const nlohmann::json head = {{"method", std::string(schedule_method_name(plan.method))},
                               {"pp", plan.pp},
                               {"micro_batches", plan.micro_batches},
                               {"vpp", plan.vpp},
                               {"stages", plan.num_stages},
                               {"time_unit", "us"},
                               {"makespan", result.makespan.us()},
                               {"max_bubble", result.max_bubble().us()}};
  out << pad << "{\n";
  for (auto it = head.begin(); it != head.end(); ++it) {
    out << pad << " " << nlohmann::json(it.key()).dump() << ": " << it.value().dump() << ",\n";
  }
  out << pad << " \"ranks\": [";
  for (int r = 0; r < plan.pp; ++r) {
    out << (r ? ",\n" : "\n");
    write_rank(out, plan, result, r, with_ops, pad);
  }
  out << "\n" << pad << " ]\n" << pad << "}";
}

nlohmann::json pipeline_to_json(const PipelinePlan& plan, const PipelineResult& result,
                                bool with_ops) {
  std::ostringstream out;
  write_pipeline_json(out, plan, result, with_ops);
  return nlohmann::json::parse(out.str());
}

namespace {

// Where each micro-batch's forward and backward (B, BW, or an FB's half) of each stage ran:
// the rank and the span of its operation, in a flat table (a 64-rank, 10,000 micro-batch
// plan holds 2.6 million entries).
class OpPlaces {
 public:
  struct Place {
    int rank = -1;  // -1: not run
    SimTime start, end;
  };

  OpPlaces(const PipelinePlan& plan, const PipelineResult& result)
      : stages_(plan.num_stages), mbs_(plan.micro_batches_per_dir()),
        places_(static_cast<std::size_t>(plan.num_dirs) * stages_ * mbs_ * 2) {
    for (int r = 0; r < plan.pp; ++r) {
      for (std::size_t i = 0; i < plan.ops[r].size(); ++i) {
        const PipelineOp& op = plan.ops[r][i];
        const Place p{r, result.timing[r][i].start, result.timing[r][i].end};
        if (op.kind == OpKind::W) continue;
        places_[index(op.first, op.kind == OpKind::B || op.kind == OpKind::BW)] = p;
        if (op.kind == OpKind::FB) places_[index(op.second, true)] = p;
      }
    }
  }

  // Null when it did not run or is too short for a flow to bind it.
  const Place* find(int dir, int stage, int mb, bool backward) const {
    const Place& p = places_[index({mb, static_cast<std::int16_t>(stage),
                                    static_cast<std::int8_t>(dir)}, backward)];
    return p.rank >= 0 && (p.end - p.start).ns() >= 2 ? &p : nullptr;
  }

 private:
  std::size_t index(const MicroStage& m, bool backward) const {
    return ((static_cast<std::size_t>(m.dir) * stages_ + m.stage) * mbs_ + m.mb) * 2 + backward;
  }

  int stages_;
  int mbs_;
  std::vector<Place> places_;
};

// The arrows of the pipeline's data flow: a micro-batch's forward on stage s to its forward
// on s + 1, the last stage's forward to its backward, a backward on s + 1 to the one on s.
void add_pipeline_flows(ChromeTrace& trace, int pid, const PipelinePlan& plan,
                        const PipelineResult& result) {
  const OpPlaces places(plan, result);
  auto link = [&](const OpPlaces::Place* a, const OpPlaces::Place* b, const char* name) {
    if (!a || !b) return;
    trace.add_flow(name, "dependency", {pid, a->rank, ChromeTrace::inside(a->start, a->end)},
                   {pid, b->rank, ChromeTrace::inside(b->start, b->end)});
  };
  const int last = plan.num_stages - 1;
  for (int dir = 0; dir < plan.num_dirs; ++dir) {
    for (int mb = 0; mb < plan.micro_batches_per_dir(); ++mb) {
      for (int s = 0; s < last; ++s) {
        link(places.find(dir, s, mb, false), places.find(dir, s + 1, mb, false), "F -> F");
      }
      link(places.find(dir, last, mb, false), places.find(dir, last, mb, true), "F -> B");
      for (int s = last; s > 0; --s) {
        link(places.find(dir, s, mb, true), places.find(dir, s - 1, mb, true), "B -> B");
      }
    }
  }
}

}  // namespace

void add_pipeline_to_trace(ChromeTrace& trace, int pid, const std::string& title,
                           const PipelinePlan& plan, const PipelineResult& result) {
  trace.name_process(pid, title);
  for (int r = 0; r < plan.pp; ++r) {
    trace.name_thread(pid, r, fmt::format("rank {}", r));
    const auto& list = plan.ops[r];
    for (std::size_t i = 0; i < list.size(); ++i) {
      const PipelineOp& op = list[i];
      nlohmann::json args = {{"mb", op.first.mb}, {"stage", op.first.stage}, {"dir", op.first.dir}};
      if (op.kind == OpKind::FB) {
        args["b_mb"] = op.second.mb;
        args["b_stage"] = op.second.stage;
        args["b_dir"] = op.second.dir;
      }
      trace.add_span(pid, r, op_label(op), std::string(op_kind_name(op.kind)),
                     result.timing[r][i].start, result.timing[r][i].end, std::move(args));
    }
  }
  add_pipeline_flows(trace, pid, plan, result);
}

}  // namespace llmsim
