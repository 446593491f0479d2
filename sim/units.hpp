#pragma once
// Quantities as a user types them, a number and an optional unit ("2ms", "400 GB/s", "1GiB"):
// the one parser behind every command-line option (and the GUI's fields) that takes a
// duration, a bandwidth or a size. Units are case-sensitive where case changes the meaning
// (Gb/s is a gigabit, GB/s a gigabyte); the others also match in any case ("MS", "gib").

#include <string>
#include <string_view>

namespace llmsim {

enum class QuantityKind {
  kDuration,   // ns, us, ms, s
  kBandwidth,  // MB/s, GB/s, TB/s (bytes); Gb/s, Tb/s (bits)
  kSize,       // B, KB, MB, GB, TB (powers of 1000); KiB, MiB, GiB, TiB (powers of 1024)
};

// The units of `kind`, as a message lists them: "ns, us, ms, s".
std::string unit_list(QuantityKind kind);

// Parses `text` and returns it in `unit` (one of `kind`'s units), which is also the unit of a
// bare number: parse_quantity("--f", "2ms", kDuration, "us") == 2000. `name` is how the value
// is called in messages. Throws UserError naming the name, the value and the units allowed:
//   --f = '2xs': expected a duration such as 2ms (units: ns, us, ms, s; a bare number is in us)
// for a malformed number, an unknown unit, or a negative, infinite or NaN value.
double parse_quantity(const std::string& name, const std::string& text, QuantityKind kind,
                      std::string_view unit);

}  // namespace llmsim
