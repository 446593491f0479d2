#include "cli/ops_table.hpp"

#include <string>

#include <fmt/format.h>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/estimate/training/comm_plan.hpp"
#include "costmodel/estimate/training/stage_work.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/time/operator_timer.hpp"

namespace llmsim::cli {

namespace {

double comm_seconds(const OpAccount& op, bool forward, const CommContext& ctx, OperatorTimer& t) {
  double s = 0.0;
  for (const CommNeed& c : op.comms) s += t.time(layer_collective(c, forward, ctx, t)).seconds;
  return s;
}

void print_layer(const LayerAccount& l, const ModelSpec& m, const AccountRequest& req,
                 const CommContext& ctx, OperatorTimer& timer, double totals[5]) {
  fmt::print("\n{} layer (x{}):\n", layer_kind_name(l.kind), l.count);
  for (const OpAccount& op : l.ops) {
    const double f = pass_seconds(op, Pass::kForward, req, m, timer);
    const double d = pass_seconds(op, Pass::kDgrad, req, m, timer);
    const double w = pass_seconds(op, Pass::kWgrad, req, m, timer);
    const double r = op.forward_recomputed ? f : 0.0;
    const double c = comm_seconds(op, true, ctx, timer) + comm_seconds(op, false, ctx, timer);
    // An eager stack's op: how many kernels its forward and backward launch.
    const std::string name =
        op.forward_kernels.empty() ? op.name
                                   : fmt::format("{} ({}+{} kernels)", op.name,
                                                 op.forward_kernels.size(), op.dgrad_kernels.size());
    fmt::print("  {:<32} {:<12} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f} {:>9.3f}\n", name,
               operator_kind_name(op.kind), 1e3 * f, 1e3 * d, 1e3 * w, 1e3 * r, 1e3 * c);
    const double row[5] = {f, d, w, r, c};
    for (int i = 0; i < 5; ++i) totals[i] += row[i] * l.count;
  }
}

}  // namespace

void print_ops_table(const Scenario& s, const calibration::Profile& profile) {
  const TrainingPhase& ph = s.phases.front();
  const AccountRequest req = account_request(s, ph);
  const ModelAccount a = account_model(s.model, req);
  OperatorTimer timer(profile, s.cluster);
  const CommContext ctx{&s.model, &s.precision, s.cluster.domains(), s.cluster.domain_gpus(),
                        ph.plan.tp};
  fmt::print("Operators of one micro-batch ({} tokens) on one GPU, {}: ms per pass\n", a.tokens,
             ph.name);
  fmt::print("  {:<32} {:<12} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "operator", "kind", "forward",
             "dgrad", "wgrad", "recompute", "comm");
  double totals[5] = {0, 0, 0, 0, 0};
  for (const LayerAccount& l : a.layers) print_layer(l, s.model, req, ctx, timer, totals);
  fmt::print("\nwhole model (every layer, no pipeline split): forward {:.1f} ms, dgrad {:.1f} ms, "
             "wgrad {:.1f} ms, recompute {:.1f} ms, communication {:.1f} ms\n",
             1e3 * totals[0], 1e3 * totals[1], 1e3 * totals[2], 1e3 * totals[3], 1e3 * totals[4]);
  for (const auto& n : timer.notes()) fmt::print("  note: {}\n", n);
}

}  // namespace llmsim::cli
