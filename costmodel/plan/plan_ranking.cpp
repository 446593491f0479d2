#include "costmodel/plan/plan_ranking.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace llmsim::plan {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kTie = 1e-4;  // relative difference below which two plans tie

std::vector<std::size_t> feasible(const Outcomes& outcomes, const Limits& limits) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i] && is_feasible(*outcomes[i], limits)) out.push_back(i);
  }
  return out;
}

// Dollars for people, signed: +$57.6K, +$1.50M.
std::string signed_dollars(double usd) {
  const double a = std::fabs(usd);
  const char* sign = usd < 0 ? "-" : "+";
  if (a >= 1e6) return fmt::format("{}${:.2f}M", sign, a / 1e6);
  if (a >= 1e3) return fmt::format("{}${:.1f}K", sign, a / 1e3);
  return fmt::format("{}${:.0f}", sign, a);
}

struct Part {
  const char* name;
  double delta;  // loser minus best
};

}  // namespace

std::vector<std::size_t> rank_candidates(const std::vector<Candidate>& candidates,
                                         const Outcomes& outcomes, Objective objective,
                                         const Limits& limits) {
  std::vector<std::size_t> out = feasible(outcomes, limits);
  std::sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
    const double va = objective_value(*outcomes[a], objective);
    const double vb = objective_value(*outcomes[b], objective);
    if (va != vb) return va < vb;
    return candidates[a].key < candidates[b].key;
  });
  return out;
}

std::vector<std::size_t> pareto_front(const std::vector<Candidate>& candidates,
                                      const Outcomes& outcomes, const Limits& limits) {
  std::vector<std::size_t> all = rank_candidates(candidates, outcomes, Objective::kTime, limits);
  std::vector<std::size_t> front;
  double cheapest = 0.0;
  for (std::size_t i : all) {
    const double cost = outcomes[i]->eval.cost_usd;
    if (front.empty() || cost < cheapest) {
      front.push_back(i);
      cheapest = cost;
    }
  }
  return front;
}

Counts count_outcomes(const Outcomes& outcomes, const Limits& limits) {
  Counts c;
  c.generated = outcomes.size();
  for (const auto& o : outcomes) {
    if (!o) continue;
    ++c.reached;
    if (o->evaluated())
      ++c.evaluated;
    else
      ++c.pruned[static_cast<std::size_t>(o->reason)];
    if (is_feasible(*o, limits)) ++c.feasible;
  }
  return c;
}

std::string why_loses(const Candidate& best, const Outcome& b, const Candidate& loser,
                      const Outcome& l, Objective objective) {
  const bool time = objective == Objective::kTime;
  // Cost: a part's GPU-seconds per step (seconds x GPUs) is what it adds to the bill.
  const double gb = time ? 1.0 : best.gpus, gl = time ? 1.0 : loser.gpus;
  const StepBreakdown& x = b.eval.breakdown;
  const StepBreakdown& y = l.eval.breakdown;
  Part parts[] = {{"compute", y.compute_s * gl - x.compute_s * gb},
                  {"exposed communication", y.exposed_comm_s * gl - x.exposed_comm_s * gb},
                  {"pipeline bubble", y.bubble_s * gl - x.bubble_s * gb},
                  {"DP sync", y.dp_sync_s * gl - x.dp_sync_s * gb},
                  {"optimizer", y.optimizer_s * gl - x.optimizer_s * gb}};
  std::sort(std::begin(parts), std::end(parts),
            [](const Part& p, const Part& q) { return p.delta > q.delta; });
  const double vb = objective_value(b, objective), vl = objective_value(l, objective);
  if (vl - vb <= kTie * vb) {
    return fmt::format("ties with the best (within {:g}%); ranked after it by key", 100 * kTie);
  }
  std::string out =
      time ? fmt::format("{:+.1f}% days ({:+.2f} days)", 100 * (vl / vb - 1), vl - vb)
           : fmt::format("{:+.1f}% cost ({})", 100 * (vl / vb - 1), signed_dollars(vl - vb));
  // Parts that moved by less than kTie of the best's step are noise, not a reason.
  const double step = b.eval.step_time_s * gb;
  int shown = 0;
  for (const Part& p : parts) {
    if (p.delta <= kTie * step || shown == 2) break;
    const std::string amount =
        time ? fmt::format("+{:.3f} s", p.delta) : fmt::format("+{:.0f} GPU-s", p.delta);
    out += fmt::format("{} more {} ({} per step)", shown ? "," : ":", p.name, amount);
    ++shown;
  }
  if (shown == 0) out += ": no part of the first phase's step costs more; a later phase does";
  if (loser.gpus != best.gpus) out += fmt::format("; {} GPUs vs {}", loser.gpus, best.gpus);
  if (l.peak_memory_bytes > b.peak_memory_bytes) {
    out += fmt::format("; more memory ({:.1f} vs {:.1f} GiB)", l.peak_memory_bytes / kGiB,
                       b.peak_memory_bytes / kGiB);
  }
  return out;
}

}  // namespace llmsim::plan
