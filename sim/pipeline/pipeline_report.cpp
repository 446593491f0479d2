#include "sim/pipeline/pipeline_report.hpp"

#include <cstdint>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "sim/pipeline/op_dependencies.hpp"
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

// The arrows of the pipeline's data flow (OpDependencies without the W edges), each bound
// inside its two spans; an op too short for a flow to bind it gets none.
void add_pipeline_flows(ChromeTrace& trace, int pid, const PipelinePlan& plan,
                        const PipelineResult& result) {
  const OpDependencies deps(plan);
  for (const Dependency& d : deps.all(false)) {
    const OpTiming& a = result.timing[d.from.rank][d.from.index];
    const OpTiming& b = result.timing[d.to.rank][d.to.index];
    if ((a.end - a.start).ns() < 2 || (b.end - b.start).ns() < 2) continue;
    const char* name = d.kind == DependencyKind::kForward ? "F -> F"
                       : d.kind == DependencyKind::kTurn  ? "F -> B"
                                                          : "B -> B";
    trace.add_flow(name, "dependency", {pid, d.from.rank, ChromeTrace::inside(a.start, a.end)},
                   {pid, d.to.rank, ChromeTrace::inside(b.start, b.end)});
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
