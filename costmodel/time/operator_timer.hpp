#pragma once
// OperatorTimer: the one place where an operator gets a time. Training (step model) and,
// later, serving and plan search ask it; nothing else times operators.
//
//   OperatorTimer timer(profile, cluster);
//   OperatorTime t = timer.time(GemmOp{Precision::kFP8, 4096, 7168, 2048});
//   t.seconds;       // 1.9e-4
//   t.describe();    // "h800-published: gemm_fp8, fitted"
//
// Compute operators are timed by the calibrated kernel model (calibration::Profile): a class
// the profile fitted to kernel tables or measurements ("fitted"), or one whose parameters a
// stated assumption sets ("roofline by assumption", the assumption is in the profile).
// Collectives run on the network model of sim/collectives (flow-level, or the closed form for
// big groups). Assumptions the timer itself makes (a grouped GEMM outside FP8 timed as separate
// GEMMs, decode attention through the forward attention class, ...) are kept in notes().

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "costmodel/describe/precision.hpp"
#include "costmodel/time/calibration/profile.hpp"
#include "sim/collectives/collective.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace llmsim {

// Where a time came from.
enum class TimeSource {
  kNone,                // nothing to do (empty operator, group of one): zero seconds
  kFitted,              // a profile class fitted to kernel data
  kAssumed,             // a profile class set by a stated assumption (roofline x efficiency)
  kNetworkFlow,         // flow-level simulation of the collective on the cluster topology
  kNetworkAnalytical,   // the closed-form bottleneck model (groups too big to simulate)
};
std::string_view time_source_name(TimeSource s);

struct OperatorTime {
  double seconds = 0.0;
  TimeSource source = TimeSource::kNone;
  std::string_view profile;  // the profile's name (compute operators), valid with the timer
  std::string_view group;    // the group's name (collectives), valid with the caller's op
  int gpus = 0;              // the group's size (collectives)
  // Collectives in flow mode: seconds the busiest link of each tier is busy (zeros from the
  // closed form, which does not place bytes on links).
  TierBusy link_busy_s{};
  calibration::KernelClass kernel_class = calibration::KernelClass::kLaunch;  // compute only
  // "h800-published: gemm_fp8, fitted", "network: all_reduce on group dp (8 GPUs), flow".
  std::string describe() const;
};

// C[m, n] += A[m, k] B[k, n] in `precision`; grouped: one grouped-GEMM kernel (MoE experts)
// running `groups` GEMMs of m x n x k each.
struct GemmOp {
  Precision precision = Precision::kBF16;
  std::int64_t m = 1;
  std::int64_t n = 1;
  std::int64_t k = 1;
  std::int64_t groups = 1;
  bool grouped = false;
};

// kForward: training forward and prefill; kBackward: the matching backward (dQ, dK, dV);
// kDecode: q_len new tokens per sequence against kv_len cached keys (MLA with absorbed
// weights: kv_heads 1, head_dim_qk 576, head_dim_v 512). Decode kernels (FlashMLA,
// FlashDecoding) pack the query heads that share a KV head into one tile of rows, so decode is
// timed as kv_heads groups of q_len x heads / kv_heads rows each.
enum class AttentionPass { kForward, kBackward, kDecode };
struct AttentionOp {
  AttentionPass pass = AttentionPass::kForward;
  std::int64_t batch = 1;   // sequences
  std::int64_t q_len = 1;   // query tokens per sequence
  std::int64_t kv_len = 1;  // keys per sequence
  std::int64_t heads = 1;   // query heads on this GPU
  std::int64_t kv_heads = 0;  // key/value heads on this GPU (0: as many as heads; MLA decode: 1)
  std::int64_t head_dim_qk = 128;
  std::int64_t head_dim_v = 128;
  bool causal = true;       // query i sees keys 0..i (prefill and training, q_len == kv_len)
  bool kv_shared = false;   // decode over MLA's latent cache: values are part of the keys
  double kv_element_bytes = 2.0;  // cached element size (BF16 2, FP8 1)
  // The stack runs FlashAttention-2 (training.kernels.attention: flash2): the profile's
  // attention_fwd_fa2 / attention_bwd_fa2 classes where it has them (Hopper), else its
  // attention classes, with a note.
  bool flash2 = false;
};

// A streaming kernel (norm, activation, optimizer update, ...) moving `bytes` read + written.
struct MemoryBoundOp {
  double bytes = 0.0;
};

// A collective on a named group of ranks ("tp", "ep", "dp", "expert-dp", ...). The request
// carries the operation, the group size (gpus) and nccl-tests bytes, or EP routing.
struct GroupCollective {
  std::string_view group;
  CollectiveRequest request;
};

// Same request, same time: a collective's key holds every field that reaches the network model.
using CollectiveKey =
    std::tuple<int, int, double, int, int, int, int, int, int, double, int, int, int>;

// Collective times shared by the timers of many steps on one cluster (a plan search's
// candidates, on any thread): a time depends on its key and the cluster only, so whichever
// timer computes it first, every timer reads the same value. Thread-safe.
class CollectiveCache {
 public:
  std::optional<OperatorTime> find(const CollectiveKey& key) const;
  void insert(const CollectiveKey& key, const OperatorTime& time);
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::map<CollectiveKey, OperatorTime> times_;
};

class OperatorTimer {
 public:
  // All must outlive the timer. `shared`, when given, holds collective times across timers on
  // `cluster` (and only on it).
  OperatorTimer(const calibration::Profile& profile, const ClusterSpec& cluster,
                CollectiveCache* shared = nullptr);

  OperatorTime time(const GemmOp& op);
  OperatorTime time(const AttentionOp& op);
  OperatorTime time(const MemoryBoundOp& op);
  OperatorTime time(const GroupCollective& op);

  // Serving stacks run small all-reduces inside a node in their own one-shot kernels, not NCCL
  // (vLLM's CustomAllreduce, up to 8 MiB): all-reduces of at most `bytes` on one node skip
  // NCCL's overhead (nccl_overhead.hpp); `why` joins the notes when one does. Default 0.
  void set_custom_all_reduce_limit(double bytes, std::string why);

  const calibration::Profile& profile() const { return profile_; }
  // Assumptions made while timing, each once, in the order first made.
  const std::vector<std::string>& notes() const { return notes_; }
  // Whether a collective was timed by the closed form (no bytes placed on links).
  bool analytical_collectives() const { return analytical_collectives_; }
  void note(const std::string& text);

 private:
  OperatorTime kernel(calibration::KernelClass c, const calibration::KernelShape& shape);
  void check_within_hardware(const calibration::ClassProfile& cls,
                             const calibration::KernelShape& shape, double seconds) const;
  // The network model's time for `q` (cached per request).
  OperatorTime network_time(const CollectiveRequest& q);
  // NCCL's time beyond the network model's for `q` (0 without the profile's sweep): the
  // sweep's excess (nccl_overhead.hpp) less the model's own latency for the same collective.
  double nccl_overhead(const CollectiveRequest& q);

  const calibration::Profile& profile_;
  const ClusterSpec& cluster_;
  std::vector<std::string> notes_;
  bool analytical_collectives_ = false;
  CollectiveCache* shared_ = nullptr;
  std::map<CollectiveKey, OperatorTime> collectives_;
  double custom_all_reduce_bytes_ = 0.0;
  std::string custom_all_reduce_why_;
};

}  // namespace llmsim
