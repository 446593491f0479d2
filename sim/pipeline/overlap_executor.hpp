#pragma once
// Two dependent chains of work on two streams, played on the event engine: each chain runs
// its pieces in order, a compute piece on the compute stream, a communication piece on the
// communication stream, one piece per stream at a time. A piece starts as soon as its chain's
// previous piece has finished and its stream is free; when both chains want the same stream
// at the same time, the second chain goes first (in a training step: the backward, whose
// gradients other ranks wait for). This is how an overlapped forward-and-backward pair of
// DualPipe runs (DeepSeek-V3 report Figure 4).

#include <cstddef>
#include <vector>

#include "sim/sim_time.hpp"

namespace llmsim {

struct ChainPiece {
  SimTime duration;
  bool comm = false;
};

struct PlacedPiece {
  int chain = 0;          // 0 or 1
  std::size_t index = 0;  // in its chain
  SimTime start;
  SimTime end;
};

struct OverlapResult {
  std::vector<PlacedPiece> placed;  // in start order
  SimTime makespan;
  SimTime compute_busy;  // busy time of the compute stream
};

OverlapResult run_overlapped(const std::vector<ChainPiece>& first,
                             const std::vector<ChainPiece>& second);

}  // namespace llmsim
