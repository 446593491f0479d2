// MaxMinSolver properties on generated problems (RapidCheck): no link over capacity; every flow
// that crosses a link is bottlenecked on a saturated link where no flow gets more (max-min
// fairness, Bertsekas & Gallager, Data Networks, §6.5.2), a flow crossing none gets the
// unconstrained rate; the rates do not depend on the order of flows or of a path's links; and
// scaling every capacity by 4 scales every rate by exactly 4.

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include <rapidcheck/catch.h>

#include "sim/network/max_min_solver.hpp"

namespace llmsim {
namespace {

constexpr double kUnconstrained = 1000.0;

struct Problem {
  std::vector<double> capacity;
  std::vector<std::vector<std::int32_t>> paths;  // per flow, distinct link ids
};

std::vector<double> solve(const Problem& p, double scale = 1.0) {
  std::vector<std::int32_t> offsets{0}, links;
  for (const auto& f : p.paths) {
    links.insert(links.end(), f.begin(), f.end());
    offsets.push_back(static_cast<std::int32_t>(links.size()));
  }
  std::vector<double> capacity = p.capacity;
  for (double& c : capacity) c *= scale;
  std::vector<double> rates(p.paths.size(), -1.0);
  MaxMinSolver solver;
  solver.solve(capacity, offsets, links, rates, kUnconstrained * scale);
  return rates;
}

rc::Gen<Problem> problems() {
  return rc::gen::mapcat(rc::gen::inRange(1, 13), [](int links) {
    // Capacities from 1 to 100 in steps of 1/8, so that ties between links are common.
    const auto capacities = rc::gen::container<std::vector<double>>(
        static_cast<std::size_t>(links),
        rc::gen::map(rc::gen::inRange(8, 801), [](int c) { return c / 8.0; }));
    // A path: a subset of the links, in a random order (possibly empty).
    const auto path =
        rc::gen::map(rc::gen::pair(rc::gen::container<std::vector<bool>>(
                                       static_cast<std::size_t>(links), rc::gen::arbitrary<bool>()),
                                   rc::gen::arbitrary<std::uint32_t>()),
                     [](const std::pair<std::vector<bool>, std::uint32_t>& x) {
                       std::vector<std::int32_t> out;
                       for (std::size_t l = 0; l < x.first.size(); ++l) {
                         if (x.first[l]) out.push_back(static_cast<std::int32_t>(l));
                       }
                       if (!out.empty())
                         std::rotate(out.begin(), out.begin() + x.second % out.size(), out.end());
                       return out;
                     });
    return rc::gen::build<Problem>(
        rc::gen::set(&Problem::capacity, capacities),
        rc::gen::set(
            &Problem::paths,
            rc::gen::resize(30, rc::gen::container<std::vector<std::vector<std::int32_t>>>(path))));
  });
}

TEST_CASE("MaxMinSolver: generated problems are feasible, max-min fair and order-free",
          "[network][property]") {
  rc::prop("feasible and every flow bottlenecked", [] {
    const Problem p = *problems();
    const std::vector<double> r = solve(p);
    std::vector<double> load(p.capacity.size(), 0.0), top(p.capacity.size(), 0.0);
    for (std::size_t f = 0; f < p.paths.size(); ++f) {
      RC_ASSERT(r[f] > 0.0);
      if (p.paths[f].empty()) RC_ASSERT(r[f] == kUnconstrained);
      for (auto l : p.paths[f]) {
        load[static_cast<std::size_t>(l)] += r[f];
        top[static_cast<std::size_t>(l)] = std::max(top[static_cast<std::size_t>(l)], r[f]);
      }
    }
    for (std::size_t l = 0; l < load.size(); ++l) RC_ASSERT(load[l] <= p.capacity[l] * (1 + 1e-9));
    for (std::size_t f = 0; f < p.paths.size(); ++f) {
      if (p.paths[f].empty()) continue;
      bool bottleneck = false;
      for (auto l : p.paths[f]) {
        const auto li = static_cast<std::size_t>(l);
        bottleneck = bottleneck || (load[li] >= p.capacity[li] * (1 - 1e-9) &&
                                    r[f] >= top[li] * (1 - 1e-9));
      }
      RC_ASSERT(bottleneck);
    }
  });
  rc::prop("the same rates whatever the order of flows and of each path's links", [] {
    const Problem p = *problems();
    const auto order = *rc::gen::arbitrary<std::uint32_t>();
    // A permutation of the flows (a rotation and a reversal), each path reversed.
    std::vector<std::size_t> perm(p.paths.size());
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    if (!perm.empty()) std::rotate(perm.begin(), perm.begin() + order % perm.size(), perm.end());
    if (order & 1u) std::reverse(perm.begin(), perm.end());
    Problem q = p;
    for (std::size_t i = 0; i < perm.size(); ++i) {
      q.paths[i] = p.paths[perm[i]];
      std::reverse(q.paths[i].begin(), q.paths[i].end());
    }
    const std::vector<double> r = solve(p), s = solve(q);
    for (std::size_t i = 0; i < perm.size(); ++i) {
      RC_ASSERT(std::abs(s[i] - r[perm[i]]) <= 1e-9 * r[perm[i]]);
    }
  });
  rc::prop("capacities times 4, rates times 4", [] {
    const Problem p = *problems();
    const std::vector<double> r = solve(p), s = solve(p, 4.0);
    for (std::size_t f = 0; f < r.size(); ++f) RC_ASSERT(s[f] == 4.0 * r[f]);
  });
}

}  // namespace
}  // namespace llmsim
