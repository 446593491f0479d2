#include <catch2/catch.hpp>

#include <vector>

#include "sim/pipeline/overlap_executor.hpp"

using namespace llmsim;

namespace {

ChainPiece compute(std::int64_t ns) { return {SimTime::from_ns(ns), false}; }
ChainPiece comm(std::int64_t ns) { return {SimTime::from_ns(ns), true}; }

}  // namespace

TEST_CASE("run_overlapped: two chains on two streams, hand-worked", "[sim][overlap]") {
  // First chain: compute 2, comm 3, compute 1. Second chain: comm 1, compute 2.
  // t=0: both can start; the second chain's comm [0,1], the first's compute [0,2]. At 2 the
  // second's compute and the first's comm both start: compute [2,4], comm [2,5]; the first
  // chain's last compute waits for its comm: [5,6].
  const std::vector<ChainPiece> f = {compute(2), comm(3), compute(1)};
  const std::vector<ChainPiece> b = {comm(1), compute(2)};
  const OverlapResult p = run_overlapped(f, b);
  CHECK(p.makespan.ns() == 6);
  CHECK(p.compute_busy.ns() == 5);
  REQUIRE(p.placed.size() == 5);
  CHECK(p.placed[0].chain == 1);  // the second chain goes first at a tie
  CHECK(p.placed[4].start.ns() == 5);
  // Serial execution would take 9: overlap saves 3.
  CHECK(p.makespan.ns() < 2 + 3 + 1 + 1 + 2);
}

TEST_CASE("run_overlapped: a contested stream goes to the second chain", "[sim][overlap]") {
  // Both chains start with compute: the second runs [0,4], the first waits until 4.
  const OverlapResult p = run_overlapped({compute(3)}, {compute(4)});
  REQUIRE(p.placed.size() == 2);
  CHECK(p.placed[0].chain == 1);
  CHECK(p.placed[1].start.ns() == 4);
  CHECK(p.makespan.ns() == 7);
  // Simultaneous finishes: the second chain's compute and the first chain's comm both end at
  // 2, and both chains want the comm stream next: the second chain takes it.
  const OverlapResult q = run_overlapped({comm(2), comm(5)}, {compute(2), comm(1)});
  CHECK(q.makespan.ns() == 2 + 1 + 5);
}

TEST_CASE("run_overlapped: empty chains and zero-length pieces", "[sim][overlap]") {
  CHECK(run_overlapped({}, {}).makespan.ns() == 0);
  const OverlapResult p = run_overlapped({compute(0), compute(4)}, {});
  CHECK(p.makespan.ns() == 4);
  CHECK(p.placed.size() == 2);
}
