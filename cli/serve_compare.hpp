#pragma once
// `llmsim compare` on a serving scenario: each grid point's serving estimate side by side
// (latency, capacity per node, nodes for the daily volume, dollars per million tokens), and
// what moved in each deployment's iteration against the first point.

#include <string>
#include <utility>
#include <vector>

namespace llmsim::cli {

// `points`: each a label and its --set overrides, in order. Ctrl-C keeps the finished points.
void compare_serving(const std::string& scenario,
                     const std::vector<std::pair<std::string, std::vector<std::string>>>& points,
                     bool json);

}  // namespace llmsim::cli
