#include "costmodel/estimate/training/dp_overlap.hpp"

#include <algorithm>

namespace llmsim {

namespace {

// The stage whose weight gradients the op produces (-1: none).
int backward_stage(const PipelineOp& op) {
  switch (op.kind) {
    case OpKind::B:
    case OpKind::W:
    case OpKind::BW: return op.first.stage;
    case OpKind::FB: return op.second.stage;
    case OpKind::F: return -1;
  }
  return -1;
}

// The stage whose weights the op's forward reads (-1: none).
int forward_stage(const PipelineOp& op) {
  return op.kind == OpKind::F || op.kind == OpKind::FB ? op.first.stage : -1;
}

// The chunk's layers as buckets spread over [start, end): `reverse` (the backward) reaches
// the last layer first. Embedding and head travel with the chunk's first and last layer.
// `at_slice_start`: each bucket at the start of its layer's slice (weights needed) rather than
// at its end (gradients final).
void add_chunk(std::vector<DpBucket>& out, const ChunkLoad& c, double start, double end,
               bool reverse, bool at_slice_start) {
  const int n = std::max(1, c.layers);
  const double dense = (c.params - c.expert_params) / n, expert = c.expert_params / n;
  for (int j = 0; j < n; ++j) {
    const double fraction = reverse && !at_slice_start ? (j + 1.0) / n : static_cast<double>(j) / n;
    out.push_back(DpBucket{start + (end - start) * fraction, dense, expert});
  }
}

// Buckets of every chunk the rank holds, timed by the last (or first) of the rank's ops whose
// `stage_of` is that chunk.
std::vector<DpBucket> buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                              const std::vector<ChunkLoad>& chunks, int rank,
                              int (*stage_of)(const PipelineOp&), bool last,
                              bool at_slice_start) {
  const auto& ops = plan.ops[static_cast<std::size_t>(rank)];
  const auto& timing = pipeline.timing[static_cast<std::size_t>(rank)];
  std::vector<int> pick(chunks.size(), -1);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const int st = stage_of(ops[i]);
    if (st < 0 || st >= static_cast<int>(chunks.size())) continue;
    int& p = pick[static_cast<std::size_t>(st)];
    if (p < 0 || last) p = static_cast<int>(i);
  }
  std::vector<DpBucket> out;
  for (std::size_t st = 0; st < chunks.size(); ++st) {
    if (pick[st] < 0) continue;
    const OpTiming& t = timing[static_cast<std::size_t>(pick[st])];
    add_chunk(out, chunks[st], t.start.seconds(), t.end.seconds(), last, at_slice_start);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const DpBucket& a, const DpBucket& b) { return a.at_s < b.at_s; });
  return out;
}

}  // namespace

std::vector<DpBucket> grad_buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                                   const std::vector<ChunkLoad>& chunks, int rank) {
  return buckets(plan, pipeline, chunks, rank, backward_stage, true, false);
}

std::vector<DpBucket> gather_buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                                     const std::vector<ChunkLoad>& chunks, int rank) {
  return buckets(plan, pipeline, chunks, rank, forward_stage, false, true);
}

std::vector<DpBucket> every_pass_buckets(const PipelinePlan& plan, const PipelineResult& pipeline,
                                         const std::vector<ChunkLoad>& chunks, int rank,
                                         PassBuckets kind) {
  const auto& ops = plan.ops[static_cast<std::size_t>(rank)];
  const auto& timing = pipeline.timing[static_cast<std::size_t>(rank)];
  const bool forward = kind == PassBuckets::kForwardGather;
  std::vector<DpBucket> out;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const int st = forward ? forward_stage(ops[i]) : backward_stage(ops[i]);
    if (st < 0 || st >= static_cast<int>(chunks.size())) continue;
    const OpTiming& t = timing[i];
    add_chunk(out, chunks[static_cast<std::size_t>(st)], t.start.seconds(), t.end.seconds(),
              !forward, kind != PassBuckets::kBackwardReduce);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const DpBucket& a, const DpBucket& b) { return a.at_s < b.at_s; });
  return out;
}

double lateness(const std::vector<DpBucket>& buckets, const std::vector<CommInterval>& runs) {
  double wait = 0.0;
  for (std::size_t i = 0; i < buckets.size() && i < runs.size(); ++i) {
    wait = std::max(wait, runs[i].end - buckets[i].at_s);
  }
  return wait;
}

double overlap_with(const std::vector<CommInterval>& runs, double from, double to) {
  double s = 0.0;
  for (const CommInterval& r : runs) s += std::max(0.0, std::min(r.end, to) - std::max(r.start, from));
  return s;
}

}  // namespace llmsim
