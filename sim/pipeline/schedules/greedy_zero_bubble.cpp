#include "sim/pipeline/schedules/greedy_zero_bubble.hpp"

#include <deque>
#include <limits>

#include "sim/check.hpp"
#include "sim/pipeline/schedules/plan_builder.hpp"

namespace llmsim::schedule_detail {

namespace {

constexpr int kNotDone = std::numeric_limits<int>::max();

}  // namespace

void fill_greedy_zero_bubble(PipelinePlan& plan, const std::vector<int>& max_in_flight) {
  const int pp = plan.pp;
  const int m = plan.micro_batches;
  const int S = plan.num_stages;
  LLMSIM_CHECK(plan.num_dirs == 1, "greedy zero-bubble scheduler takes one direction");
  // Stages per rank, deepest first.
  std::vector<std::vector<int>> held(pp);
  for (int s = S - 1; s >= 0; --s) held[plan.stage_rank[0][s]].push_back(s);

  // Round in which each (stage, mb) forward / input-gradient backward completed.
  std::vector<int> f_done(static_cast<std::size_t>(S) * m, kNotDone);
  std::vector<int> b_done(static_cast<std::size_t>(S) * m, kNotDone);
  auto at = [m](int s, int mb) { return static_cast<std::size_t>(s) * m + mb; };
  std::vector<int> fwd_next(S, 0), bwd_next(S, 0), in_flight(pp, 0);
  std::vector<std::deque<MicroStage>> deferred(pp);
  const std::size_t per_rank_total = 3 * static_cast<std::size_t>(m) * (S / pp);

  std::size_t remaining = per_rank_total * pp;
  for (int round = 0; remaining > 0; ++round) {
    bool progressed = false;
    for (int r = 0; r < pp; ++r) {
      auto& ops = plan.ops[r];
      if (ops.size() == per_rank_total) continue;
      // 1. A ready input-gradient backward.
      int best_stage = -1;
      for (int s : held[r]) {
        const int mb = bwd_next[s];
        if (mb >= m || f_done[at(s, mb)] >= round) continue;
        if (s + 1 < S && b_done[at(s + 1, mb)] >= round) continue;
        if (best_stage < 0 || mb < bwd_next[best_stage]) best_stage = s;
      }
      if (best_stage >= 0) {
        const int mb = bwd_next[best_stage]++;
        b_done[at(best_stage, mb)] = round;
        ops.push_back(PipelineOp::make(OpKind::B, ms(mb, best_stage)));
        deferred[r].push_back(ms(mb, best_stage));
        --in_flight[r];
        progressed = true;
        continue;
      }
      // 2. A ready forward, if the activation cap allows one more.
      if (in_flight[r] < max_in_flight[r]) {
        for (int s : held[r]) {
          const int mb = fwd_next[s];
          if (mb >= m) continue;
          if (s > 0 && f_done[at(s - 1, mb)] >= round) continue;
          fwd_next[s]++;
          f_done[at(s, mb)] = round;
          ops.push_back(PipelineOp::make(OpKind::F, ms(mb, s)));
          ++in_flight[r];
          best_stage = s;
          break;
        }
        if (best_stage >= 0) {
          progressed = true;
          continue;
        }
      }
      // 3. The oldest deferred weight gradient.
      if (!deferred[r].empty()) {
        ops.push_back(PipelineOp::make(OpKind::W, deferred[r].front()));
        deferred[r].pop_front();
        progressed = true;
      }
    }
    remaining = 0;
    for (int r = 0; r < pp; ++r) remaining += per_rank_total - plan.ops[r].size();
    // With zero-cost transfers something becomes ready every round until the end; a round
    // without progress means the cap starves the pipeline.
    LLMSIM_CHECK(progressed || remaining == 0, "greedy zero-bubble schedule deadlocked");
  }
}

}  // namespace llmsim::schedule_detail
