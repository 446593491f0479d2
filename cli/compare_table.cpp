#include "cli/compare_table.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace llmsim::cli {

void print_comparison(const Comparison& c) {
  std::size_t name_w = 6;
  for (const auto& r : c.rows) name_w = std::max(name_w, r.name.size());
  std::vector<std::size_t> width;
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    std::size_t w = c.cases[i].size();
    for (const auto& r : c.rows) w = std::max(w, r.format(i).size() + 2);
    width.push_back(w);
  }
  fmt::print("{:<{}}", "figure", name_w);
  for (std::size_t i = 0; i < c.cases.size(); ++i) fmt::print("  {:>{}}", c.cases[i], width[i]);
  fmt::print("\n");
  for (const auto& r : c.rows) {
    fmt::print("{:<{}}", r.name, name_w);
    for (std::size_t i = 0; i < c.cases.size(); ++i) {
      const std::string text = r.values[i] ? r.format(i) : "-";
      fmt::print("  {:>{}}", text + (r.best[i] ? " *" : "  "), width[i]);
    }
    fmt::print("\n");
  }
  const bool memory_known = std::any_of(c.memory.begin(), c.memory.end(),
                                        [](const CaseMemory& m) { return m.capacity_gib > 0; });
  fmt::print("* best in its row{}\n", memory_known ? " among the plans that fit in GPU memory" : "");
  for (std::size_t i = 0; i < c.cases.size(); ++i) {
    if (!c.memory[i].fits) {
      fmt::print("does not fit in GPU memory: {}: {}\n", c.cases[i], c.memory[i].over_text());
    }
  }
}

}  // namespace llmsim::cli
