#pragma once
// `llmsim compare` on a serving scenario: each grid point's serving estimate side by side
// (latency, capacity per node, nodes for the daily volume, dollars per million tokens), and
// what moved in each deployment's iteration against the first point.

#include <string>
#include <utility>
#include <vector>

namespace llmsim::cli {

// One case of `llmsim compare`: a scenario file and the --set overrides that make the case.
struct ComparePoint {
  std::string file;
  std::string label;
  std::vector<std::string> overrides;
};

// The points in order. Ctrl-C keeps the finished points.
void compare_serving(const std::vector<ComparePoint>& points, bool json);

}  // namespace llmsim::cli
