#include "cli/published_text.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace llmsim::cli {

std::string human(double v) {
  const double a = std::fabs(v);
  if (a >= 1e12) return fmt::format("{:.3g}T", v / 1e12);
  if (a >= 1e9) return fmt::format("{:.3g}B", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.4g}M", v / 1e6);
  if (a >= 1e4) return fmt::format("{:.4g}K", v / 1e3);
  return fmt::format("{:.4g}", v);
}

std::string scenario_title(const std::string& name, const std::vector<std::string>& overrides) {
  if (overrides.empty()) return name;
  return fmt::format("{} with {}", name, fmt::join(overrides, ", "));
}

// Published figures that describe this case beside ours, each with the FLOP convention ours was
// counted in; the others, and why they were left out.
void print_published(const PublishedComparison& c) {
  if (!c.shown.empty()) {
    fmt::print("\nPublished figures (targets, not inputs), beside ours:\n");
    fmt::print("  {:<44} {:<10} {:>12} {:>12} {:>10}  {}\n", "figure", "convention", "published",
               "llmsim", "deviation", "source");
  }
  std::vector<FlopConvention> conventions;
  for (const ShownFigure& f : c.shown) {
    const FlopConvention conv = f.figure->convention;
    const bool has_deviation = f.compared && f.figure->value != 0;
    fmt::print("  {:<44} {:<10} {:>12} {:>12} {:>10}  {}\n", f.figure->name,
               counts_flops(f.figure->quantity) ? flop_convention_name(conv) : "-",
               human(f.figure->value), f.compared ? human(f.ours) : "-",
               has_deviation ? fmt::format("{:+.1f}%", 100 * f.deviation) : "-", f.figure->source);
    if (!f.compared) fmt::print("    {}\n", f.note);
    if (conv != FlopConvention::kLlmsim && f.compared &&
        std::find(conventions.begin(), conventions.end(), conv) == conventions.end()) {
      conventions.push_back(conv);
    }
  }
  for (const FlopConvention conv : conventions) {
    fmt::print("  {}: llmsim's step time counted as {}\n", flop_convention_name(conv),
               flop_convention_summary(conv));
  }
  const DeviationSummary d = summarize_deviations(c);
  if (d.count > 1) {
    fmt::print("  signed deviations over {} figures: median {:+.1f}%, worst {:+.1f}% ({}); llmsim "
               "below the published value in {}, above in {}\n",
               d.count, 100 * d.median, 100 * d.worst, d.worst_figure->name, d.below, d.above);
  }
  if (c.dropped.empty()) return;
  fmt::print("\nPublished figures left out (they describe another case):\n");
  for (const DroppedFigure& f : c.dropped) fmt::print("  {}: {}\n", f.figure->name, f.reason);
}

}  // namespace llmsim::cli
