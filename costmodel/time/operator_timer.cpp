#include "costmodel/time/operator_timer.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "sim/check.hpp"
#include "costmodel/time/nccl_overhead.hpp"
#include "sim/collectives/collective_runner.hpp"

namespace llmsim {

using calibration::KernelClass;
using calibration::KernelShape;

std::string_view time_source_name(TimeSource s) {
  switch (s) {
    case TimeSource::kNone: return "nothing to time";
    case TimeSource::kFitted: return "fitted";
    case TimeSource::kAssumed: return "roofline by assumption";
    case TimeSource::kNetworkFlow: return "flow simulation";
    case TimeSource::kNetworkAnalytical: return "closed-form network model";
  }
  return "?";
}

std::string OperatorTime::describe() const {
  switch (source) {
    case TimeSource::kNone: return std::string(time_source_name(source));
    case TimeSource::kFitted:
    case TimeSource::kAssumed:
      return fmt::format("{}: {}, {}", profile, calibration::kernel_class_name(kernel_class),
                         time_source_name(source));
    case TimeSource::kNetworkFlow:
    case TimeSource::kNetworkAnalytical:
      return fmt::format("network: group {} ({} GPUs), {}", group, gpus, time_source_name(source));
  }
  return "?";
}

std::optional<OperatorTime> CollectiveCache::find(const CollectiveKey& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = times_.find(key);
  if (it == times_.end()) return std::nullopt;
  return it->second;
}

void CollectiveCache::insert(const CollectiveKey& key, const OperatorTime& time) {
  std::lock_guard<std::mutex> lock(mutex_);
  times_.emplace(key, time);
}

std::size_t CollectiveCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return times_.size();
}

OperatorTimer::OperatorTimer(const calibration::Profile& profile, const ClusterSpec& cluster,
                             CollectiveCache* shared)
    : profile_(profile), cluster_(cluster), shared_(shared) {}

void OperatorTimer::note(const std::string& text) {
  if (std::find(notes_.begin(), notes_.end(), text) == notes_.end()) notes_.push_back(text);
}

OperatorTime OperatorTimer::kernel(KernelClass c, const KernelShape& shape) {
  const calibration::ClassProfile& cls = calibration::require_class(profile_, c);
  OperatorTime t;
  t.seconds = calibration::predict_seconds(profile_, c, shape);
  if (!profile_.gpu.empty()) check_within_hardware(cls, shape, t.seconds);
  t.source = cls.is_fitted() ? TimeSource::kFitted : TimeSource::kAssumed;
  t.profile = profile_.name;
  t.kernel_class = c;
  return t;
}

// A GPU kernel no faster than its peak FLOP rate and its HBM bandwidth allow: an internal check
// (a profile whose fitted efficiency exceeds 1 would fail it), never a result.
void OperatorTimer::check_within_hardware(const calibration::ClassProfile& cls,
                                          const KernelShape& shape, double seconds) const {
  const calibration::KernelWork w =
      calibration::work_of(cls.kernel_class, shape, cls.model.tile, cls.model.units);
  const double floor_flops =
      w.flops > 0 && cls.model.peak_flops_per_s > 0 ? w.flops / cls.model.peak_flops_per_s : 0.0;
  const double floor_bytes =
      w.bytes > 0 && cls.model.peak_bytes_per_s > 0 ? w.bytes / cls.model.peak_bytes_per_s : 0.0;
  LLMSIM_CHECK(seconds >= std::max(floor_flops, floor_bytes) * (1.0 - 1e-9),
               fmt::format("{} kernel {} timed at {:.6g} s, faster than its peak allows ({:.6g} s "
                           "at peak FLOP rate, {:.6g} s at peak bandwidth)",
                           calibration::kernel_class_name(cls.kernel_class),
                           calibration::describe_shape(cls.kernel_class, shape), seconds,
                           floor_flops, floor_bytes));
}

namespace {

KernelClass gemm_class(Precision p) {
  switch (p) {
    case Precision::kFP8: return KernelClass::kGemmFp8;
    case Precision::kFP32: return KernelClass::kGemmFp32;
    case Precision::kBF16:
    case Precision::kFP16: break;
  }
  return KernelClass::kGemmBf16;
}

}  // namespace

OperatorTime OperatorTimer::time(const GemmOp& op) {
  KernelShape sh;
  sh.m = std::max<std::int64_t>(op.m, 1);
  sh.n = std::max<std::int64_t>(op.n, 1);
  sh.k = std::max<std::int64_t>(op.k, 1);
  if (!op.grouped) return kernel(gemm_class(op.precision), sh);
  if (op.precision == Precision::kFP8) {
    sh.groups = op.groups;
    return kernel(KernelClass::kGroupedGemmFp8, sh);
  }
  note("grouped GEMMs outside FP8 are timed as `groups` separate GEMMs of their precision");
  OperatorTime t = kernel(gemm_class(op.precision), sh);
  t.seconds *= static_cast<double>(op.groups);
  return t;
}

OperatorTime OperatorTimer::time(const AttentionOp& op) {
  KernelShape sh;
  sh.batch = op.batch;
  sh.heads = op.heads;
  sh.seq_q = op.q_len;
  sh.seq_kv = op.kv_len;
  sh.head_dim_qk = op.head_dim_qk;
  sh.head_dim_v = op.head_dim_v;
  sh.causal = op.causal;
  sh.kv_shared = op.kv_shared;
  sh.kv_element_bytes = op.kv_element_bytes;
  if (op.pass == AttentionPass::kDecode) {
    // Decode: few queries against a long cache, memory-bound on the KV read. Profiles carry
    // no decode class; the forward class's model prices the same FLOPs and bytes, with the
    // query heads of one KV head packed into one tile of rows as decode kernels do.
    note("decode attention is timed by the attention_fwd class: per KV head, q_len x "
         "(heads / kv_heads) query rows against kv_len cached keys (an MLA latent cache, "
         "keys and values in one, is read once)");
    const std::int64_t kv = op.kv_heads > 0 ? op.kv_heads : op.heads;
    sh.heads = kv;
    sh.seq_q = op.q_len * std::max<std::int64_t>(1, op.heads / kv);
    sh.causal = false;
    sh.split_kv = true;
  }
  const bool backward = op.pass == AttentionPass::kBackward;
  KernelClass c = backward ? KernelClass::kAttentionBwd : KernelClass::kAttentionFwd;
  if (op.flash2 && op.pass != AttentionPass::kDecode) {
    const KernelClass fa2 = backward ? KernelClass::kAttentionBwdFa2 : KernelClass::kAttentionFwdFa2;
    if (profile_.find(fa2)) {
      c = fa2;
    } else {
      const calibration::ClassProfile* own = profile_.find(c);
      note(fmt::format("attention: flash2: profile {} has no {} class; its {} stands in ({})",
                       profile_.name, calibration::kernel_class_name(fa2),
                       calibration::kernel_class_name(c),
                       own ? own->source.substr(0, own->source.find(':')) : "absent"));
    }
  }
  return kernel(c, sh);
}

OperatorTime OperatorTimer::time(const MemoryBoundOp& op) {
  if (op.bytes <= 0) return {};
  KernelShape sh;
  sh.bytes = op.bytes;
  return kernel(KernelClass::kMemoryBound, sh);
}

OperatorTime OperatorTimer::time(const GroupCollective& op) {
  const CollectiveRequest& q = op.request;
  if (q.gpus <= 1 || (q.bytes <= 0 && !is_expert_op(q.op))) return {};
  OperatorTime t = network_time(q);
  t.group = op.group;
  t.seconds += nccl_overhead(q);
  if (t.source == TimeSource::kNetworkAnalytical) analytical_collectives_ = true;
  return t;
}

OperatorTime OperatorTimer::network_time(const CollectiveRequest& q) {
  const ExpertRouting& e = q.ep;
  const CollectiveKey key{static_cast<int>(q.op), q.gpus, q.bytes, static_cast<int>(q.algorithm),
                          e.tokens, e.hidden, e.topk, e.experts, e.max_nodes, e.skew,
                          static_cast<int>(e.kernel), q.per_node, q.concurrent};
  auto it = collectives_.find(key);
  if (it == collectives_.end()) {
    std::optional<OperatorTime> t = shared_ ? shared_->find(key) : std::nullopt;
    if (!t) {
      const CollectiveResult r = run_collective(cluster_, q, CollectiveMode::kAuto);
      t = OperatorTime{};
      t->seconds = r.time.seconds();
      t->source = r.analytical ? TimeSource::kNetworkAnalytical : TimeSource::kNetworkFlow;
      t->gpus = q.gpus;
      for (const TierLoad& l : r.tiers) {
        t->link_busy_s[static_cast<std::size_t>(l.tier)] = l.busiest_busy_s;
      }
      if (shared_) shared_->insert(key, *t);
    }
    it = collectives_.emplace(key, *t).first;
  }
  return it->second;
}

void OperatorTimer::set_custom_all_reduce_limit(double bytes, std::string why) {
  custom_all_reduce_bytes_ = bytes;
  custom_all_reduce_why_ = std::move(why);
}

double OperatorTimer::nccl_overhead(const CollectiveRequest& q) {
  if (!profile_.collectives) return 0.0;
  if (q.op == CollectiveOp::kAllReduce && q.bytes <= custom_all_reduce_bytes_ &&
      q.gpus <= cluster_.gpus_per_node && group_per_node(q, cluster_.gpus_per_node) == q.gpus) {
    note(custom_all_reduce_why_);
    return 0.0;
  }
  const double s = nccl_overhead_seconds(*profile_.collectives, q, cluster_.gpus_per_node);
  if (!(s > 0.0)) return 0.0;
  note(nccl_overhead_note(*profile_.collectives, profile_.name));
  // The sweep's excess holds NCCL's latency, which the network model already charges per
  // hop: what the same collective of one byte takes there is not paid twice.
  CollectiveRequest one = q;
  one.bytes = 1.0;
  return std::max(0.0, s - network_time(one).seconds);
}

}  // namespace llmsim
