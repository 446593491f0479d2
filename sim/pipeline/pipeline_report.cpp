#include "sim/pipeline/pipeline_report.hpp"

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

nlohmann::json pipeline_to_json(const PipelinePlan& plan, const PipelineResult& result,
                                bool with_ops) {
  nlohmann::json ranks = nlohmann::json::array();
  for (int r = 0; r < plan.pp; ++r) {
    const RankSummary& s = result.ranks[r];
    nlohmann::json rank = {{"rank", r},
                           {"busy", s.busy.us()},
                           {"bubble", s.bubble.us()},
                           {"peak_activations", s.peak_activations},
                           {"peak_activation_memory", s.peak_activation_memory},
                           {"parameter_copies", s.parameter_copies}};
    if (with_ops) {
      nlohmann::json ops = nlohmann::json::array();
      const auto& list = plan.ops[r];
      for (std::size_t i = 0; i < list.size(); ++i) {
        const PipelineOp& op = list[i];
        const OpTiming& t = result.timing[r][i];
        nlohmann::json j = micro_stage_json(op.kind, op.first, t);
        if (op.kind == OpKind::FB) {
          // Both halves run over the whole overlapped span.
          j["f"] = micro_stage_json(OpKind::F, op.first, t);
          j["b"] = micro_stage_json(OpKind::BW, op.second, t);
        }
        ops.push_back(std::move(j));
      }
      rank["ops"] = std::move(ops);
    }
    ranks.push_back(std::move(rank));
  }
  return {{"method", std::string(schedule_method_name(plan.method))},
          {"pp", plan.pp},
          {"micro_batches", plan.micro_batches},
          {"vpp", plan.vpp},
          {"stages", plan.num_stages},
          {"time_unit", "us"},
          {"makespan", result.makespan.us()},
          {"max_bubble", result.max_bubble().us()},
          {"ranks", std::move(ranks)}};
}

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
}

}  // namespace llmsim
