#include "tests/sim/pipeline/execution_check.hpp"

#include <map>
#include <tuple>

#include <fmt/format.h>

namespace llmsim::testing {

std::string check_execution(const PipelinePlan& p, const PipelineCosts& c,
                            const PipelineResult& res) {
  const SimTime xfer = c.transfer_time();
  // (dir, mb, stage) -> forward / input-gradient backward timing and rank; W count.
  std::map<std::tuple<int, int, int>, std::pair<OpTiming, int>> fwd, bwd;
  std::map<std::tuple<int, int, int>, int> wcount, needs_w;
  for (int r = 0; r < p.pp; ++r) {
    SimTime prev_end = SimTime::zero();
    for (std::size_t i = 0; i < p.ops[r].size(); ++i) {
      const PipelineOp& op = p.ops[r][i];
      const OpTiming& t = res.timing[r][i];
      if (t.start < prev_end) return fmt::format("rank {} op {} overlaps the previous one", r, i);
      if (t.end < t.start) return "negative duration";
      prev_end = t.end;
      auto k = [](const MicroStage& m) { return std::make_tuple(int{m.dir}, m.mb, int{m.stage}); };
      auto on_rank = [&](const MicroStage& m) { return p.rank_of(m) == r; };
      if (!on_rank(op.first) || (op.kind == OpKind::FB && !on_rank(op.second))) {
        return fmt::format("rank {} op {} computes a stage it does not hold", r, i);
      }
      if (op.kind == OpKind::F || op.kind == OpKind::FB) {
        if (!fwd.emplace(k(op.first), std::make_pair(t, r)).second) return "forward twice";
      }
      const MicroStage* back = op.kind == OpKind::FB ? &op.second
                               : (op.kind == OpKind::B || op.kind == OpKind::BW) ? &op.first
                                                                                  : nullptr;
      if (back) {
        if (!bwd.emplace(k(*back), std::make_pair(t, r)).second) return "backward twice";
        if (op.kind == OpKind::B) needs_w[k(*back)] = 1;
      }
      if (op.kind == OpKind::W) {
        auto it = bwd.find(k(op.first));
        if (it == bwd.end() || it->second.second != r) return "W before its B on the rank";
        if (t.start < it->second.first.end) return "W starts before its B ends";
        if (++wcount[k(op.first)] > 1) return "W twice";
      }
    }
  }
  const int md = p.micro_batches_per_dir();
  for (int d = 0; d < p.num_dirs; ++d) {
    for (int mb = 0; mb < md; ++mb) {
      for (int s = 0; s < p.num_stages; ++s) {
        const auto key = std::make_tuple(d, mb, s);
        if (!fwd.count(key) || !bwd.count(key)) {
          return fmt::format("d{} mb{} stage{} missing a forward or backward", d, mb, s);
        }
        if (needs_w.count(key) != wcount.count(key)) return "a B without its W";
        const auto& [ft, fr] = fwd.at(key);
        const auto& [bt, br] = bwd.at(key);
        if (s > 0) {
          const auto& [pt, pr] = fwd.at(std::make_tuple(d, mb, s - 1));
          if (ft.start < pt.end + (pr != fr ? xfer : SimTime::zero())) {
            return fmt::format("forward d{} mb{} stage{} starts before its input", d, mb, s);
          }
        }
        if (bt.start < ft.end) return "backward before its forward";
        if (s + 1 < p.num_stages) {
          const auto& [nt, nr] = bwd.at(std::make_tuple(d, mb, s + 1));
          if (bt.start < nt.end + (nr != br ? xfer : SimTime::zero())) {
            return fmt::format("backward d{} mb{} stage{} starts before its gradient", d, mb, s);
          }
        }
      }
    }
  }
  return "";
}

}  // namespace llmsim::testing
