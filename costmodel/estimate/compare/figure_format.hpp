#pragma once
// How a figure is written for people: the unit a comparison row states in its header, and the
// number with a sensible precision and thousands separators ("1,234,567", "18.062", "37.1"),
// never an exponent. Shared by llmsim compare / run and llmsim-gui, so both print the same text.

#include <string>

namespace llmsim {

enum class FigureUnit {
  kSeconds,          // 3 decimals
  kMicroseconds,     // 1 decimal
  kTokensPerSecond,  // whole numbers
  kFraction,         // a share, written as a percentage with 1 decimal (0.371 -> "37.1")
  kGpuHours,         // whole numbers
  kUsd,              // whole dollars
  kDays,             // 1 decimal
  kGiB,              // 1 decimal
  kCount,            // up to 2 decimals, trailing zeros dropped
};

// The unit as a row header writes it: "s", "us", "tokens/s", "%", "GPU-hours", "$", "days",
// "GiB", "" (a count).
const char* figure_unit_label(FigureUnit u);

// `v` in `u`'s precision with thousands separators, e.g. 17752800.4 kUsd -> "17,752,800".
std::string format_figure(double v, FigureUnit u);

// `v` with `decimals` digits after the point and a comma between thousands: "1,234.5".
std::string format_grouped(double v, int decimals);

}  // namespace llmsim
