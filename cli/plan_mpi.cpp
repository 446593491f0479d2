#include "cli/plan_mpi.hpp"

#ifdef LLMSIM_HAVE_MPI

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <mpi.h>

namespace llmsim::cli {

namespace {

// Outcomes as bytes: fixed-size fields memcpy'd (every rank is the same binary on the same
// kind of machine), strings as a length and their characters.
class Writer {
 public:
  template <typename T>
  void put(const T& v) {
    const auto* p = reinterpret_cast<const char*>(&v);
    bytes.append(p, sizeof v);
  }
  void put_string(const std::string& s) {
    put(static_cast<std::uint64_t>(s.size()));
    bytes += s;
  }
  void put_outcome(const plan::Outcome& o) {
    put(static_cast<int>(o.reason));
    put_string(o.detail);
    put(o.peak_memory_bytes);
    const plan::Evaluation& e = o.eval;
    put(e.step_time_s);
    put(e.micro_batches);
    put(e.seconds);
    put(e.gpu_hours);
    put(e.cost_usd);
    put(e.peak_memory_bytes);
    put(e.mfu_bf16);
    put(e.breakdown);
  }
  std::string bytes;
};

class Reader {
 public:
  Reader(const char* data, std::size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ >= end_; }
  template <typename T>
  T get() {
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  plan::Outcome get_outcome() {
    plan::Outcome o;
    o.reason = static_cast<plan::PruneReason>(get<int>());
    o.detail = get_string();
    o.peak_memory_bytes = get<double>();
    plan::Evaluation& e = o.eval;
    e.step_time_s = get<double>();
    e.micro_batches = get<int>();
    e.seconds = get<double>();
    e.gpu_hours = get<double>();
    e.cost_usd = get<double>();
    e.peak_memory_bytes = get<double>();
    e.mfu_bf16 = get<double>();
    e.breakdown = get<StepBreakdown>();
    return o;
  }

 private:
  const char* p_;
  const char* end_;
};

// Every rank's bytes, in rank order.
std::string all_gather(const std::string& mine, int size) {
  const int n = static_cast<int>(mine.size());
  std::vector<int> sizes(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  MPI_Allgather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[static_cast<std::size_t>(r)] = total;
    total += sizes[static_cast<std::size_t>(r)];
  }
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Allgatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR,
                 MPI_COMM_WORLD);
  return all;
}

bool share(std::vector<std::optional<plan::Outcome>>& batch, bool stopped, int size) {
  Writer w;
  for (std::size_t k = 0; k < batch.size(); ++k) {
    if (!batch[k]) continue;
    w.put(static_cast<std::uint64_t>(k));
    w.put_outcome(*batch[k]);
  }
  const std::string all = all_gather(w.bytes, size);
  for (Reader r(all.data(), all.size()); !r.done();) {
    const auto k = r.get<std::uint64_t>();
    plan::Outcome o = r.get_outcome();
    if (!batch[k]) batch[k] = std::move(o);
  }
  int mine = stopped ? 1 : 0, any = 0;
  MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
  return any != 0;
}

void broadcast(std::map<std::string, plan::Outcome>& stored, int rank) {
  Writer w;
  if (rank == 0) {
    for (const auto& [key, o] : stored) {
      w.put_string(key);
      w.put_outcome(o);
    }
  }
  std::uint64_t n = w.bytes.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  w.bytes.resize(n);
  MPI_Bcast(w.bytes.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank == 0) return;
  stored.clear();
  for (Reader r(w.bytes.data(), w.bytes.size()); !r.done();) {
    std::string key = r.get_string();
    stored.emplace(std::move(key), r.get_outcome());
  }
}

std::string fmt_rank_error(int rank, const std::string& message) {
  return "llmsim plan: MPI rank " + std::to_string(rank) + ": " + message +
         "\nllmsim plan: stopping every rank (a --db keeps the batches committed so far)\n";
}

// Started by mpirun (Open MPI's or a PMI launcher's variables are set): only then is MPI
// initialized, so a plain `llmsim plan` neither spawns Open MPI's singleton daemon nor needs
// anything of the MPI runtime.
bool launched_by_mpirun() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

}  // namespace

MpiSession::MpiSession() {
  if (!launched_by_mpirun()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  initialized_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &ranks_.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks_.size);
  const int size = ranks_.size, rank = ranks_.rank;
  ranks_.share = [size](std::vector<std::optional<plan::Outcome>>& b, bool stopped) {
    return share(b, stopped, size);
  };
  ranks_.broadcast = [rank](std::map<std::string, plan::Outcome>& s) { broadcast(s, rank); };
  if (rank != 0) {
    error_fd_ = ::dup(STDERR_FILENO);  // kept for abort_all: an error here must not vanish
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
  }
}

void MpiSession::abort_all(const std::string& message) const {
  if (ranks_.size <= 1) return;
  const std::string line = fmt_rank_error(ranks_.rank, message);
  const int fd = error_fd_ >= 0 ? error_fd_ : STDERR_FILENO;
  if (::write(fd, line.data(), line.size()) < 0) {
    // Nothing more can be said; the abort below still ends every rank.
  }
  MPI_Abort(MPI_COMM_WORLD, 2);
}

MpiSession::~MpiSession() {
  if (initialized_) MPI_Finalize();
}

bool MpiSession::all(bool ok) const {
  if (!initialized_) return ok;
  int mine = ok ? 1 : 0, every = 0;
  MPI_Allreduce(&mine, &every, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  return every != 0;
}

}  // namespace llmsim::cli

#else  // one process

namespace llmsim::cli {

MpiSession::MpiSession() = default;
MpiSession::~MpiSession() = default;
bool MpiSession::all(bool ok) const {
  return ok;
}
void MpiSession::abort_all(const std::string&) const {}

}  // namespace llmsim::cli

#endif
