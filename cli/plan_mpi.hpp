#pragma once
// MPI for llmsim plan (-DLLMSIM_MPI=ON, Debian's Open MPI): under `mpirun -n N llmsim plan ...`
// every rank builds the same candidates and evaluates its share of each batch (position modulo
// rank); outcomes are exchanged after every batch, so each rank prunes against the same
// threshold. Rank 0 alone opens the --db and prints; the other ranks' stdout and stderr go to
// /dev/null. Without MPI (a build without -DLLMSIM_MPI=ON), when not started by mpirun, or with
// one rank, MpiSession is rank 0 of 1 and ranks() is null.

#include <memory>
#include <string>

#include "costmodel/plan/plan_search.hpp"

namespace llmsim::cli {

class MpiSession {
 public:
  MpiSession();   // MPI_Init when built with MPI; silences ranks other than 0
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return ranks_.rank; }
  const plan::Ranks* ranks() const { return ranks_.size > 1 ? &ranks_ : nullptr; }
  // True when `ok` holds on every rank; every rank must call it at the same point.
  bool all(bool ok) const;
  // An error on one rank while the others wait in a collective would hang the job: print
  // `message` on this rank's own stderr and end every rank (MPI_Abort, exit 2). Returns at
  // once with one rank.
  void abort_all(const std::string& message) const;

 private:
  plan::Ranks ranks_;
  bool initialized_ = false;
  int error_fd_ = -1;  // rank > 0: its stderr before it was silenced
};

}  // namespace llmsim::cli
