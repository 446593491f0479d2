// ZB-H1 / ZB1P (Qi et al., "Zero Bubble Pipeline Parallelism", ICLR 2024, section 3.1): the
// 1F1B skeleton with the backward split into B (input gradient) and W (weight gradient).
// Rank r warms up with min(pp-r-1, m) forwards like 1F1B, runs each B as soon as it can so
// that gradients reach upstream ranks early, and defers its W's by r positions: the first r
// W's move to the drain, where the later ranks would otherwise idle. Peak activations stay
// those of 1F1B. Bubble (pp-1)(F + B - 2W) with B a full backward (DeepSeek-V3 report
// Table 2), i.e. (pp-1)(F + B_input - W).

#include <algorithm>

#include "sim/pipeline/schedules/plan_builder.hpp"
#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

using schedule_detail::ms;

PipelinePlan make_zb1p(int pp, int m) {
  PipelinePlan p = schedule_detail::linear_plan(ScheduleMethod::kZB1P, pp, m, 1);
  for (int r = 0; r < pp; ++r) {
    auto& ops = p.ops[r];
    ops.reserve(3 * static_cast<std::size_t>(m));
    const int warmup = std::min(pp - r - 1, m);
    int next_w = 0;
    // Backward i is followed by a W once r backwards have gone by without one.
    auto backward = [&](int i) {
      ops.push_back(PipelineOp::make(OpKind::B, ms(i, r)));
      if (i >= r) ops.push_back(PipelineOp::make(OpKind::W, ms(next_w++, r)));
    };
    for (int i = 0; i < warmup; ++i) ops.push_back(PipelineOp::make(OpKind::F, ms(i, r)));
    for (int i = 0; i < m - warmup; ++i) {
      ops.push_back(PipelineOp::make(OpKind::F, ms(warmup + i, r)));
      backward(i);
    }
    for (int i = m - warmup; i < m; ++i) backward(i);
    while (next_w < m) ops.push_back(PipelineOp::make(OpKind::W, ms(next_w++, r)));
  }
  return p;
}

}  // namespace llmsim
