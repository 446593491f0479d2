#include "costmodel/describe/plan_check.hpp"

#include <fmt/format.h>

#include "sim/check.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace {

using Problem = std::optional<PlanProblem>;

Problem fail(std::string field, std::string message) {
  return PlanProblem{std::move(field), std::move(message)};
}

Problem check_layout(const ParallelPlan& p, int gpus, const ModelSpec& model) {
  const std::int64_t used = std::int64_t{p.tp} * p.cp * p.pp * p.dp;
  if (used != gpus) {
    return fail("dp", fmt::format("tp x cp x pp x dp = {} x {} x {} x {} = {} GPUs, but the "
                                  "cluster has {}", p.tp, p.cp, p.pp, p.dp, used, gpus));
  }
  if (p.sp && p.tp == 1) return fail("sp", "sequence parallelism needs tp > 1");
  if ((p.tp * p.cp * p.dp) % p.ep != 0) {
    return fail("ep", fmt::format("must divide tp x cp x dp = {} (experts are spread over the "
                                  "GPUs of one pipeline stage)", p.tp * p.cp * p.dp));
  }
  if (model.moe.enabled() && model.moe.routed_experts % p.ep != 0) {
    return fail("ep", fmt::format("must divide the model's {} routed experts", model.moe.routed_experts));
  }
  if (!model.moe.enabled() && p.ep != 1) return fail("ep", "the model has no experts; use ep = 1");
  return std::nullopt;
}

Problem check_tensor_split(const ParallelPlan& p, const ModelSpec& model) {
  if (model.heads % p.tp != 0) {
    return fail("tp", fmt::format("must divide the model's {} attention heads", model.heads));
  }
  if (model.attention != AttentionKind::kMLA && model.kv_heads % p.tp != 0 &&
      p.tp % model.kv_heads != 0) {
    return fail("tp", fmt::format("must divide, or be a multiple of, the model's {} KV heads",
                                  model.kv_heads));
  }
  if (model.ffn > 0 && model.ffn % p.tp != 0) {
    return fail("tp", fmt::format("must divide the FFN size {}", model.ffn));
  }
  return std::nullopt;
}

// A given layout: one count per stage, adding up to the model's layers; only the first stage
// (with the embedding) and the last (with the head) may hold no transformer layer.
Problem check_layers_per_stage(const ParallelPlan& p, const ModelSpec& model, int chunks) {
  const auto& l = p.layers_per_stage;
  if (static_cast<int>(l.size()) != chunks) {
    return fail("layers_per_stage", fmt::format("{} counts given; the {} schedule has {} stages",
                                                l.size(), schedule_method_name(p.schedule), chunks));
  }
  long long sum = 0;
  for (std::size_t i = 0; i < l.size(); ++i) {
    sum += l[i];
    const bool end = i == 0 || i + 1 == l.size();
    if (l[i] == 0 && !end) {
      return fail("layers_per_stage", fmt::format("stage {} holds no layer; only the first and "
                                                  "the last stage may", i));
    }
  }
  if (sum != model.layers) {
    return fail("layers_per_stage", fmt::format("the counts add up to {}; the model has {} layers",
                                                sum, model.layers));
  }
  return std::nullopt;
}

}  // namespace

int model_chunks(const ParallelPlan& p) {
  if (p.schedule == ScheduleMethod::kInterleaved1F1B) return p.pp * p.vpp;
  if (p.schedule == ScheduleMethod::kZBV || p.schedule == ScheduleMethod::kDualPipeV) return 2 * p.pp;
  return p.pp;
}

namespace {

Problem check_pipeline(const ParallelPlan& p, const ModelSpec& model) {
  if (p.vpp != 1 && p.schedule != ScheduleMethod::kInterleaved1F1B) {
    return fail("vpp", fmt::format("virtual stages apply to the interleaved schedule only; {} "
                                   "takes vpp = 1", schedule_method_name(p.schedule)));
  }
  if (p.schedule == ScheduleMethod::kDualPipe && p.pp % 2 != 0) {
    return fail("pp", "DualPipe needs an even pipeline size (each rank holds stages r and pp-1-r)");
  }
  // Layers need not divide evenly: layout_chunks() gives the first and last chunks one layer
  // fewer, as Llama 3 does (Llama 3 paper s3.3.2: 126 layers on 16 x 2 chunks).
  const int chunks = model_chunks(p);
  if (!p.layers_per_stage.empty()) return check_layers_per_stage(p, model, chunks);
  if (model.layers < chunks) {
    return fail("pp", fmt::format("{} pipeline stages but the model has only {} layers", chunks,
                                  model.layers));
  }
  return std::nullopt;
}

}  // namespace

std::optional<PlanProblem> check_plan(const ParallelPlan& plan, int gpus, const ModelSpec& model) {
  if (auto e = check_layout(plan, gpus, model)) return e;
  if (auto e = check_tensor_split(plan, model)) return e;
  return check_pipeline(plan, model);
}

std::optional<PlanProblem> check_batch(const ParallelPlan& p, std::int64_t batch, bool schedule,
                                       const std::string& field) {
  const std::int64_t per = std::int64_t{p.dp} * p.micro_batch_size;
  if (batch % per != 0) {
    return fail(field, fmt::format("{} sequences must be a multiple of dp x micro_batch_size = "
                                   "{} x {} = {}", batch, p.dp, p.micro_batch_size, per));
  }
  const std::int64_t mbs = batch / per;
  if (mbs > kMaxMicroBatches) {
    return fail(field, fmt::format("{} micro-batches per pipeline per step; at most {} (raise "
                                   "micro_batch_size)", mbs, kMaxMicroBatches));
  }
  if (!schedule) return std::nullopt;
  try {
    (void)make_schedule(ScheduleRequest{p.schedule, p.pp, static_cast<int>(mbs), p.vpp});
  } catch (const UserError& e) {
    return fail(field, fmt::format("{} sequences = {} micro-batches per pipeline: {}", batch, mbs,
                                   e.what()));
  }
  return std::nullopt;
}

std::optional<PlanProblem> check_phase(const TrainingPhase& ph) {
  if (ph.seq_len % ph.plan.cp != 0) {
    return fail("seq_len", fmt::format("must be a multiple of cp = {}", ph.plan.cp));
  }
  const std::string field = ph.ramp ? "batch_ramp" : "global_batch";
  if (auto e = check_batch(ph.plan, ph.global_batch, true, field)) return e;
  // The ramp's first steps may have fewer micro-batches than the schedule's minimum
  // (DeepSeek-V3: 3072 / 128 = 24 < 2 x pp = 32 for DualPipe); how those steps run is the step
  // model's choice, so only the divisibility is checked here.
  if (ph.ramp) return check_batch(ph.plan, ph.ramp->from_sequences, false, field);
  return std::nullopt;
}

}  // namespace llmsim
