// MaxMinSolver on hand-worked cases, and the max-min characterization on generated ones.

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/network/max_min_solver.hpp"

namespace llmsim {
namespace {

struct Problem {
  std::vector<double> capacity;
  std::vector<std::vector<std::int32_t>> flows;
};

std::vector<double> solve(const Problem& p) {
  std::vector<std::int32_t> offsets{0}, links;
  for (const auto& f : p.flows) {
    links.insert(links.end(), f.begin(), f.end());
    offsets.push_back(static_cast<std::int32_t>(links.size()));
  }
  std::vector<double> rates(p.flows.size(), -1.0);
  MaxMinSolver s;
  s.solve(p.capacity, offsets, links, rates, 99.0);
  return rates;
}

TEST_CASE("MaxMinSolver: flows on one link share it equally", "[network]") {
  // Link 0 (10 GB/s), two flows: 10 / 2 = 5 each.
  const auto r = solve({{10.0}, {{0}, {0}}});
  CHECK(r[0] == Approx(5.0));
  CHECK(r[1] == Approx(5.0));
}

TEST_CASE("MaxMinSolver: a flow bottlenecked elsewhere leaves its share to others", "[network]") {
  // A = link 0 (10), B = link 1 (4). f0: A; f1: A+B; f2: B.
  // B's fair share 4/2 = 2 < A's 10/2 = 5: f1 and f2 freeze at 2. A has 10 - 2 = 8 left for f0.
  const auto r = solve({{10.0, 4.0}, {{0}, {0, 1}, {1}}});
  CHECK(r[0] == Approx(8.0));
  CHECK(r[1] == Approx(2.0));
  CHECK(r[2] == Approx(2.0));
}

TEST_CASE("MaxMinSolver: parking lot gives the long flow the same share", "[network]") {
  // Links 0 and 1 (1 each). f0 crosses both, f1 only link 0, f2 only link 1.
  // Both links have share 1/2; all three flows get 0.5.
  const auto r = solve({{1.0, 1.0}, {{0, 1}, {0}, {1}}});
  CHECK(r[0] == Approx(0.5));
  CHECK(r[1] == Approx(0.5));
  CHECK(r[2] == Approx(0.5));
}

TEST_CASE("MaxMinSolver: progressive filling over two levels", "[network]") {
  // L1 = link 0 (3), L2 = link 1 (10). f0: L1; f1: L1+L2; f2, f3: L2.
  // L1 share 3/2 = 1.5, L2 share 10/3 = 3.33: freeze f0, f1 at 1.5. L2 left 10 - 1.5 = 8.5
  // for f2, f3: 4.25 each.
  const auto r = solve({{3.0, 10.0}, {{0}, {0, 1}, {1}, {1}}});
  CHECK(r[0] == Approx(1.5));
  CHECK(r[1] == Approx(1.5));
  CHECK(r[2] == Approx(4.25));
  CHECK(r[3] == Approx(4.25));
}

TEST_CASE("MaxMinSolver: sparse link ids and link-free flows", "[network]") {
  // Only links 3 (6) and 97 (2) of 100 are used. f0: 3; f1: 3+97; f2: no link.
  // Link 97's share 2 < link 3's 3: f1 = 2, then f0 = 6 - 2 = 4; f2 gets the unconstrained 99.
  std::vector<double> cap(100, 1.0);
  cap[3] = 6.0;
  cap[97] = 2.0;
  const auto r = solve({cap, {{3}, {3, 97}, {}}});
  CHECK(r[0] == Approx(4.0));
  CHECK(r[1] == Approx(2.0));
  CHECK(r[2] == Approx(99.0));
}

TEST_CASE("MaxMinSolver: generated problems are feasible and max-min fair", "[network]") {
  // Max-min fairness holds iff every flow crosses a saturated link on which no flow has a
  // higher rate (Bertsekas & Gallager, Data Networks, §6.5.2).
  std::uint64_t seed = 12345;
  auto next = [&seed](std::uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  for (int trial = 0; trial < 200; ++trial) {
    Problem p;
    const auto links = 1 + next(12);
    for (std::uint64_t l = 0; l < links; ++l)
      p.capacity.push_back(1.0 + static_cast<double>(next(100)));
    const auto flows = 1 + next(30);
    for (std::uint64_t f = 0; f < flows; ++f) {
      std::vector<std::int32_t> path;
      for (std::uint64_t l = 0; l < links; ++l) {
        if (next(3) == 0) path.push_back(static_cast<std::int32_t>(l));
      }
      if (path.empty()) path.push_back(static_cast<std::int32_t>(next(links)));
      p.flows.push_back(path);
    }
    const auto r = solve(p);
    std::vector<double> load(links, 0.0), top(links, 0.0);
    for (std::size_t f = 0; f < flows; ++f) {
      REQUIRE(r[f] > 0.0);
      for (auto l : p.flows[f]) {
        load[static_cast<std::size_t>(l)] += r[f];
        top[static_cast<std::size_t>(l)] = std::max(top[static_cast<std::size_t>(l)], r[f]);
      }
    }
    for (std::size_t l = 0; l < links; ++l) REQUIRE(load[l] <= p.capacity[l] * (1 + 1e-9));
    for (std::size_t f = 0; f < flows; ++f) {
      bool has_bottleneck = false;
      for (auto l : p.flows[f]) {
        const auto li = static_cast<std::size_t>(l);
        if (load[li] >= p.capacity[li] * (1 - 1e-9) && r[f] >= top[li] * (1 - 1e-9)) {
          has_bottleneck = true;
        }
      }
      REQUIRE(has_bottleneck);
    }
  }
}

}  // namespace
}  // namespace llmsim
