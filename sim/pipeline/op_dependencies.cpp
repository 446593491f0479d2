#include "sim/pipeline/op_dependencies.hpp"

namespace llmsim {

OpDependencies::OpDependencies(const PipelinePlan& plan)
    : plan_(&plan), stages_(plan.num_stages), mbs_(plan.micro_batches_per_dir()),
      places_(static_cast<std::size_t>(plan.num_dirs) * stages_ * mbs_ * 3) {
  for (int r = 0; r < plan.pp; ++r) {
    for (std::size_t i = 0; i < plan.ops[r].size(); ++i) {
      const PipelineOp& op = plan.ops[r][i];
      const OpRef ref{r, i};
      switch (op.kind) {
        case OpKind::F: places_[index(op.first, kF)] = ref; break;
        case OpKind::B:
        case OpKind::BW: places_[index(op.first, kB)] = ref; break;
        case OpKind::W: places_[index(op.first, kW)] = ref; break;
        case OpKind::FB:
          places_[index(op.first, kF)] = ref;
          places_[index(op.second, kB)] = ref;
          break;
      }
    }
  }
}

std::size_t OpDependencies::index(const MicroStage& m, Part part) const {
  return ((static_cast<std::size_t>(m.dir) * stages_ + m.stage) * mbs_ + m.mb) * 3 + part;
}

OpRef OpDependencies::at(int dir, int stage, int mb, Part part) const {
  return places_[index({mb, static_cast<std::int16_t>(stage), static_cast<std::int8_t>(dir)},
                       part)];
}

void OpDependencies::add_inputs(const MicroStage& m, Part part, OpRef op,
                                std::vector<Dependency>& out) const {
  auto add = [&](OpRef from, DependencyKind k) {
    if (from.valid()) out.push_back({from, op, k});
  };
  const int last = stages_ - 1;
  if (part == kF && m.stage > 0) add(at(m.dir, m.stage - 1, m.mb, kF), DependencyKind::kForward);
  if (part == kB && m.stage == last) add(at(m.dir, last, m.mb, kF), DependencyKind::kTurn);
  if (part == kB && m.stage < last) {
    add(at(m.dir, m.stage + 1, m.mb, kB), DependencyKind::kBackward);
  }
  if (part == kW) add(at(m.dir, m.stage, m.mb, kB), DependencyKind::kWeight);
}

void OpDependencies::add_outputs(const MicroStage& m, Part part, OpRef op,
                                 std::vector<Dependency>& out) const {
  auto add = [&](OpRef to, DependencyKind k) {
    if (to.valid()) out.push_back({op, to, k});
  };
  const int last = stages_ - 1;
  if (part == kF && m.stage < last) add(at(m.dir, m.stage + 1, m.mb, kF), DependencyKind::kForward);
  if (part == kF && m.stage == last) add(at(m.dir, last, m.mb, kB), DependencyKind::kTurn);
  if (part == kB && m.stage > 0) add(at(m.dir, m.stage - 1, m.mb, kB), DependencyKind::kBackward);
  if (part == kB) add(at(m.dir, m.stage, m.mb, kW), DependencyKind::kWeight);
}

OpDependencies::Part OpDependencies::first_part(const PipelineOp& o) {
  if (o.kind == OpKind::W) return kW;
  return o.kind == OpKind::B || o.kind == OpKind::BW ? kB : kF;
}

std::vector<Dependency> OpDependencies::inputs(OpRef op) const {
  std::vector<Dependency> out;
  const PipelineOp& o = plan_->ops.at(op.rank).at(op.index);
  add_inputs(o.first, first_part(o), op, out);
  if (o.kind == OpKind::FB) add_inputs(o.second, kB, op, out);
  return out;
}

std::vector<Dependency> OpDependencies::outputs(OpRef op) const {
  std::vector<Dependency> out;
  const PipelineOp& o = plan_->ops.at(op.rank).at(op.index);
  add_outputs(o.first, first_part(o), op, out);
  if (o.kind == OpKind::FB) add_outputs(o.second, kB, op, out);
  return out;
}

std::vector<Dependency> OpDependencies::all(bool with_weight) const {
  std::vector<Dependency> out;
  const int last = stages_ - 1;
  auto link = [&](OpRef a, OpRef b, DependencyKind k) {
    if (a.valid() && b.valid()) out.push_back({a, b, k});
  };
  for (int dir = 0; dir < plan_->num_dirs; ++dir) {
    for (int mb = 0; mb < mbs_; ++mb) {
      for (int s = 0; s < last; ++s) {
        link(at(dir, s, mb, kF), at(dir, s + 1, mb, kF), DependencyKind::kForward);
      }
      link(at(dir, last, mb, kF), at(dir, last, mb, kB), DependencyKind::kTurn);
      for (int s = last; s > 0; --s) {
        link(at(dir, s, mb, kB), at(dir, s - 1, mb, kB), DependencyKind::kBackward);
      }
    }
  }
  if (!with_weight) return out;
  for (int dir = 0; dir < plan_->num_dirs; ++dir) {
    for (int s = 0; s < stages_; ++s) {
      for (int mb = 0; mb < mbs_; ++mb) {
        link(at(dir, s, mb, kB), at(dir, s, mb, kW), DependencyKind::kWeight);
      }
    }
  }
  return out;
}

std::vector<OpRef> critical_path(const PipelinePlan& plan, const PipelineResult& result,
                                 const OpDependencies& deps) {
  auto timing = [&](OpRef r) -> const OpTiming& { return result.timing[r.rank][r.index]; };
  OpRef cur;
  for (int r = 0; r < plan.pp; ++r) {
    if (result.timing[r].empty()) continue;
    const OpRef last{r, result.timing[r].size() - 1};
    if (!cur.valid() || timing(last).end > timing(cur).end) cur = last;
  }
  std::vector<OpRef> path;
  while (cur.valid()) {
    path.push_back(cur);
    const SimTime start = timing(cur).start;
    OpRef best;
    auto consider = [&](OpRef c) {
      if (timing(c).end > start) return;
      if (!best.valid() || timing(c).end > timing(best).end) best = c;
    };
    if (cur.index > 0) consider({cur.rank, cur.index - 1});
    for (const Dependency& d : deps.inputs(cur)) consider(d.from);
    cur = best;
  }
  return path;
}

}  // namespace llmsim
