#include "costmodel/estimate/compare/figure_format.hpp"

#include <cmath>

#include <fmt/format.h>

namespace llmsim {

const char* figure_unit_label(FigureUnit u) {
  switch (u) {
    case FigureUnit::kSeconds: return "s";
    case FigureUnit::kMicroseconds: return "us";
    case FigureUnit::kTokensPerSecond: return "tokens/s";
    case FigureUnit::kFraction: return "%";
    case FigureUnit::kGpuHours: return "GPU-hours";
    case FigureUnit::kUsd: return "$";
    case FigureUnit::kDays: return "days";
    case FigureUnit::kGiB: return "GiB";
    case FigureUnit::kCount: return "";
  }
  return "";
}

std::string format_grouped(double v, int decimals) {
  if (!std::isfinite(v)) return fmt::format("{}", v);
  std::string digits = fmt::format("{:.{}f}", std::fabs(v), decimals);
  if (digits.find_first_not_of("0.") == std::string::npos) v = 0.0;  // no "-0.0"
  const std::size_t point = digits.find('.');
  const std::size_t int_end = point == std::string::npos ? digits.size() : point;
  std::string out;
  for (std::size_t i = 0; i < int_end; ++i) {
    if (i > 0 && (int_end - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out += digits.substr(int_end);
  return v < 0 ? "-" + out : out;
}

std::string format_figure(double v, FigureUnit u) {
  switch (u) {
    case FigureUnit::kSeconds: return format_grouped(v, 3);
    case FigureUnit::kMicroseconds:
    case FigureUnit::kDays:
    case FigureUnit::kGiB: return format_grouped(v, 1);
    case FigureUnit::kFraction: return format_grouped(100.0 * v, 1);
    case FigureUnit::kTokensPerSecond:
    case FigureUnit::kGpuHours:
    case FigureUnit::kUsd: return format_grouped(v, 0);
    case FigureUnit::kCount: {
      std::string s = format_grouped(v, 2);
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
      return s;
    }
  }
  return format_grouped(v, 3);
}

}  // namespace llmsim
