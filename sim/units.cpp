#include "sim/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

struct Unit {
  std::string_view name;
  double scale;  // in the kind's base: seconds, bytes per second, bytes
};

constexpr Unit kDurations[] = {{"ns", 1e-9}, {"us", 1e-6}, {"ms", 1e-3}, {"s", 1.0}};
constexpr Unit kBandwidths[] = {
    {"MB/s", 1e6}, {"GB/s", 1e9}, {"TB/s", 1e12}, {"Gb/s", 1e9 / 8}, {"Tb/s", 1e12 / 8}};
constexpr Unit kSizes[] = {{"B", 1.0},
                           {"KB", 1e3},
                           {"MB", 1e6},
                           {"GB", 1e9},
                           {"TB", 1e12},
                           {"KiB", 1024.0},
                           {"MiB", 1024.0 * 1024.0},
                           {"GiB", 1024.0 * 1024.0 * 1024.0},
                           {"TiB", 1024.0 * 1024.0 * 1024.0 * 1024.0}};

std::span<const Unit> units_of(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kDuration: return kDurations;
    case QuantityKind::kBandwidth: return kBandwidths;
    case QuantityKind::kSize: return kSizes;
  }
  return {};
}

const char* kind_example(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kDuration: return "a duration such as 2ms";
    case QuantityKind::kBandwidth: return "a bandwidth such as 400GB/s";
    case QuantityKind::kSize: return "a size such as 256MB or 1GiB";
  }
  return "";
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The unit called `text`: an exact match, else (not for bandwidths, where b and B differ)
// one that matches ignoring case. Null if none.
const Unit* find_unit(QuantityKind kind, std::string_view text) {
  for (const Unit& u : units_of(kind)) {
    if (u.name == text) return &u;
  }
  if (kind == QuantityKind::kBandwidth) return nullptr;
  for (const Unit& u : units_of(kind)) {
    if (same_ignoring_case(u.name, text)) return &u;
  }
  return nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string unit_list(QuantityKind kind) {
  std::string out;
  for (const Unit& u : units_of(kind)) out += (out.empty() ? "" : ", ") + std::string(u.name);
  return out;
}

double parse_quantity(const std::string& name, const std::string& text, QuantityKind kind,
                      std::string_view unit) {
  const Unit* target = find_unit(kind, unit);
  LLMSIM_CHECK(target != nullptr, "parse_quantity: no unit called " + std::string(unit));
  const std::string_view s = trim(text);
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  const std::string_view suffix = trim(s.substr(static_cast<std::size_t>(end - s.data())));
  const Unit* u = suffix.empty() ? target : find_unit(kind, suffix);
  if (s.empty() || ec != std::errc() || u == nullptr || !std::isfinite(v)) {
    throw UserError(fmt::format("{} = '{}': expected {} (units: {}; a bare number is in {})", name,
                                text, kind_example(kind), unit_list(kind), target->name));
  }
  if (v < 0.0) throw UserError(fmt::format("{} = '{}': cannot be negative", name, text));
  return v * (u->scale / target->scale);
}

}  // namespace llmsim
