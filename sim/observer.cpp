#include "sim/observer.hpp"

#include <bit>

namespace llmsim {

void FingerprintObserver::mix(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) {
    hash_ ^= (v >> (8 * i)) & 0xffU;
    hash_ *= 1099511628211ULL;
  }
}

void FingerprintObserver::on_task(const TaskRecord& r) {
  mix(1);
  mix(static_cast<std::uint64_t>(r.resource));
  mix(static_cast<std::uint64_t>(r.stream));
  mix(static_cast<std::uint64_t>(r.start.ns()));
  mix(static_cast<std::uint64_t>(r.end.ns()));
  mix(r.category);
  mix(static_cast<std::uint64_t>(r.id));
}

void FingerprintObserver::on_transfer(const TransferRecord& r) {
  mix(2);
  mix(static_cast<std::uint64_t>(r.src));
  mix(static_cast<std::uint64_t>(r.dst));
  mix(static_cast<std::uint64_t>(r.start.ns()));
  mix(static_cast<std::uint64_t>(r.end.ns()));
  mix(std::bit_cast<std::uint64_t>(r.bytes));
  mix(static_cast<std::uint64_t>(r.id));
}

void FingerprintObserver::on_run_end(SimTime end) {
  mix(3);
  mix(static_cast<std::uint64_t>(end.ns()));
}

}  // namespace llmsim
