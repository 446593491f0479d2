#include "sim/pipeline/schedules/dualpipe_steps.hpp"

#include <deque>

#include "sim/check.hpp"

namespace llmsim::schedule_detail {

namespace {

class RankProgram {
 public:
  RankProgram(const DualPipeRankShape& s, std::vector<PipelineOp>& ops) : s_(s), ops_(ops) {}

  MicroStage next_forward(int phase) {
    MicroStage m = s_.phase[phase];
    m.mb = fwd_[phase]++;
    return m;
  }
  MicroStage next_backward(int phase) {
    MicroStage m = s_.phase[phase];
    m.mb = bwd_[phase]++;
    return m;
  }
  void f(int phase) { ops_.push_back(PipelineOp::make(OpKind::F, next_forward(phase))); }
  // A backward; split ones defer their weight gradient to the FIFO queue.
  void b(int phase, bool split) {
    const MicroStage m = next_backward(phase);
    if (split) {
      ops_.push_back(PipelineOp::make(OpKind::B, m));
      deferred_.push_back(m);
    } else {
      ops_.push_back(PipelineOp::make(OpKind::BW, m));
    }
  }
  void w() {
    LLMSIM_CHECK(!deferred_.empty(), "DualPipe W with no deferred weight gradient");
    ops_.push_back(PipelineOp::make(OpKind::W, deferred_.front()));
    deferred_.pop_front();
  }
  void fb(int fwd_phase, int bwd_phase) {
    const MicroStage f = next_forward(fwd_phase);
    ops_.push_back(PipelineOp::make_fb(f, next_backward(bwd_phase)));
  }
  bool done() const { return deferred_.empty(); }

 private:
  const DualPipeRankShape& s_;
  std::vector<PipelineOp>& ops_;
  int fwd_[2] = {0, 0};
  int bwd_[2] = {0, 0};
  std::deque<MicroStage> deferred_;
};

}  // namespace

void append_dualpipe_rank(const DualPipeRankShape& s, std::vector<PipelineOp>& ops) {
  RankProgram p(s, ops);
  const int n = s.n;
  const int h = s.h;
  // Step 1: 2(n-h-1) forwards of phase 0.
  for (int i = 0; i < 2 * (n - h - 1); ++i) p.f(0);
  // Step 2: h+1 times a forward of each phase.
  for (int i = 0; i < h + 1; ++i) {
    p.f(0);
    p.f(1);
  }
  // Step 3: n-h-1 times B (split) and W of phase 1, then a forward of phase 1.
  for (int i = 0; i < n - h - 1; ++i) {
    p.b(1, true);
    p.w();
    p.f(1);
  }
  // Step 4: the overlapped steady state, c - 2n + h + 1 rounds of two F&B.
  const int step4 = s.c - 2 * n + h + 1;
  for (int i = 0; i < step4; ++i) {
    if (i == 0 && s.unoverlapped_first_pair) {
      p.f(0);
      p.b(1, false);
    } else {
      p.fb(0, 1);
    }
    p.fb(1, 0);
  }
  // Step 5: n-h-1 times a full backward of phase 1 and an F&B (forward 1, backward 0).
  for (int i = 0; i < n - h - 1; ++i) {
    p.b(1, false);
    p.fb(1, 0);
  }
  // Step 6: h+1 rounds of backwards of phase 1 then phase 0, switching from full to split
  // backwards at round (h+1)/2: before the phase-1 backward if h is odd, between the two
  // if h is even.
  const int step6 = h + 1;
  bool split = false;
  for (int i = 0; i < step6; ++i) {
    if (i == step6 / 2 && h % 2 == 1) split = true;
    p.b(1, split);
    if (i == step6 / 2 && h % 2 == 0) split = true;
    p.b(0, split);
  }
  // Step 7: n-h-1 times a W, then a split backward of phase 0.
  for (int i = 0; i < n - h - 1; ++i) {
    p.w();
    p.b(0, true);
  }
  // Step 8: the remaining h+1 W's.
  for (int i = 0; i < h + 1; ++i) p.w();
  LLMSIM_CHECK(p.done(), "DualPipe rank program left weight gradients behind");
}

}  // namespace llmsim::schedule_detail
