#pragma once
// The time of one serving iteration (one forward pass of a batch through the model on one
// unit of lockstep ranks), from the operator timer.
//
// An iteration computes, on each attention data-parallel rank: the decoding sequences' next
// tokens (1 + MTP depth tokens each, the drafts verified), and prompt tokens of prefilling
// requests (whole prompts or chunks). Its time is the sum over layers of
//   linear operators (GEMMs, grouped expert GEMMs, norms, activations) at the iteration's
//   tokens: priced on a grid of token counts (powers of sqrt 2) and interpolated linearly;
//   attention: decode over each sequence's cached tokens (MLA's latent cache read once),
//   prefill over each chunk's prefix and itself;
//   communication: TP all-reduces and EP dispatch / combine through the network model;
// plus the output head on the sampled tokens and the MTP modules' drafting passes.
// With two micro-batches, one's computation overlaps the other's communication (DeepSeek's
// inference system, day 6): the iteration takes the longer of the two streams plus one
// piece of fill, and computation runs on the SMs communication leaves.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/describe/model_spec.hpp"
#include "costmodel/estimate/serving/deployment_layout.hpp"
#include "costmodel/time/operator_timer.hpp"

namespace llmsim {

// One iteration's work on one attention data-parallel rank (means over the unit's ranks).
struct IterationLoad {
  double decode_seqs = 0.0;     // sequences decoding
  double decode_kv = 0.0;       // mean cached tokens of a decoding sequence
  double prefill_tokens = 0.0;  // prompt tokens computed
  double prefill_kv = 0.0;      // mean keys a prefill token attends to
  double prefill_seqs = 0.0;    // prompts finished this iteration (their last token sampled)
};

struct IterationTime {
  double seconds = 0.0;
  double compute_s = 0.0;    // linear operators, attention, head, MTP (SM share applied)
  double attention_s = 0.0;  // of which the attention core
  double comm_s = 0.0;       // TP and EP collectives
};

class IterationModel {
 public:
  // `timer` must outlive the model; its cluster is the layout's.
  IterationModel(const DeploymentLayout& layout, const ModelSpec& model, OperatorTimer& timer);

  IterationTime time(const IterationLoad& load);
  // Tokens the main model computes per decoding sequence per iteration (1 + MTP depth).
  int tokens_per_decode() const { return 1 + layout_.deployment.mtp_depth; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  struct GridPoint {
    double compute_s = 0.0;  // main layers' linear operators and embedding
    double mtp_s = 0.0;      // one MTP module's linear operators
    double comm_s = 0.0;
  };
  const GridPoint& point(std::size_t i);
  GridPoint interpolate(double tokens);
  GridPoint price(double tokens);
  double op_seconds(const OpAccount& op, double tokens);
  double grouped_seconds(const OpAccount& op, double tokens);
  double layer_comm_seconds(const LayerAccount& layer, double tokens);
  double attention_seconds(const IterationLoad& load, double micro_batch_share);
  double head_seconds(double tokens);

  DeploymentLayout layout_;
  const ModelSpec& model_;
  OperatorTimer& timer_;
  std::vector<double> grid_tokens_;
  std::vector<std::optional<GridPoint>> grid_;
  std::vector<std::string> notes_;
};

}  // namespace llmsim
