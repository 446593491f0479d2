// Interleaved 1F1B (Narayanan et al., SC'21, section 2.2) in Megatron-LM's order, with v model
// chunks per rank; chunk c of rank r is stage c*pp + r. Rank r runs m*v forwards and m*v full
// backwards, numbered k = 0 .. m*v-1: forward k works on chunk (k / pp) % v, backward k on
// chunk v-1-((k / pp) % v), both on micro-batch (k / (pp*v))*pp + k % pp. Warm-up is the
// first min(2(pp-r-1) + (v-1)pp, m*v) forwards; then forward warmup+i is followed by backward
// i; then the remaining backwards. Requires m % pp == 0 (checked by make_schedule).

#include <algorithm>

#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

using schedule_detail::ms;

PipelinePlan make_interleaved_1f1b(int pp, int m, int v) {
  PipelinePlan p = schedule_detail::linear_plan(ScheduleMethod::kInterleaved1F1B, pp, m, v);
  const int total = m * v;
  auto fwd = [&](int r, int k) {
    const int chunk = (k / pp) % v;
    const int mb = (k / (pp * v)) * pp + k % pp;
    return PipelineOp::make(OpKind::F, ms(mb, chunk * pp + r));
  };
  auto bwd = [&](int r, int k) {
    const int chunk = v - 1 - (k / pp) % v;
    const int mb = (k / (pp * v)) * pp + k % pp;
    return PipelineOp::make(OpKind::BW, ms(mb, chunk * pp + r));
  };
  for (int r = 0; r < pp; ++r) {
    auto& ops = p.ops[r];
    ops.reserve(2 * static_cast<std::size_t>(total));
    const int warmup = std::min(2 * (pp - r - 1) + (v - 1) * pp, total);
    for (int k = 0; k < warmup; ++k) ops.push_back(fwd(r, k));
    for (int i = 0; i < total - warmup; ++i) {
      ops.push_back(fwd(r, warmup + i));
      ops.push_back(bwd(r, i));
    }
    for (int i = total - warmup; i < total; ++i) ops.push_back(bwd(r, i));
  }
  return p;
}

}  // namespace llmsim
