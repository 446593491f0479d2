#include "report/timeline_palette.hpp"

#include <algorithm>
#include <cmath>

namespace llmsim {

double nice_tick_step(double span, double ticks) {
  const double raw = span / std::max(1.0, ticks);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10.0 * p;
}

std::vector<LegendItem> timeline_legend() {
  return {
      {"forward", op_shade(OpKind::F, 0)},
      {"backward (input)", op_shade(OpKind::B, 0)},
      {"weight gradient", op_shade(OpKind::W, 0)},
      {"full backward", op_shade(OpKind::BW, 0)},
      {"second direction (dark)", op_shade(OpKind::F, 1)},
      {"idle", OpShade{kIdleFill, "#222222"}},
  };
}

OpShade op_shade(OpKind k, int dir) {
  const bool d = dir != 0;
  switch (k) {
    case OpKind::F: return d ? OpShade{"#d9822b", "#ffffff"} : OpShade{"#f8cf9f", "#222222"};
    case OpKind::B: return d ? OpShade{"#3f7fbf", "#ffffff"} : OpShade{"#a9cbed", "#222222"};
    case OpKind::W: return d ? OpShade{"#4f9a3a", "#ffffff"} : OpShade{"#bfe3ac", "#222222"};
    case OpKind::BW: return d ? OpShade{"#7a55b5", "#ffffff"} : OpShade{"#cdb9ea", "#222222"};
    case OpKind::FB: break;
  }
  return OpShade{"#cccccc", "#222222"};
}

}  // namespace llmsim
