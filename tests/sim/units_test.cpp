#include <catch2/catch.hpp>

#include <string>

#include "sim/check.hpp"
#include "sim/pipeline/schedule_experiment.hpp"
#include "sim/units.hpp"

using namespace llmsim;

namespace {

std::string error_of(const std::string& text, QuantityKind kind, const char* unit) {
  try {
    parse_quantity("--x", text, kind, unit);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("parse_quantity: durations in any unit, a bare number in the option's unit", "[sim][units]") {
  const auto us = [](const std::string& t) {
    return parse_quantity("--f", t, QuantityKind::kDuration, "us");
  };
  CHECK(us("2ms") == Approx(2000.0));
  CHECK(us("2 ms") == Approx(2000.0));
  CHECK(us("1.5s") == Approx(1.5e6));
  CHECK(us("250ns") == Approx(0.25));
  CHECK(us("7us") == Approx(7.0));
  CHECK(us("7") == Approx(7.0));
  CHECK(us("1e3") == Approx(1000.0));
  CHECK(us(" 3MS ") == Approx(3000.0));  // case does not change a duration's meaning
  CHECK(parse_quantity("--t", "2", QuantityKind::kDuration, "ms") == Approx(2.0));
  CHECK(parse_quantity("--t", "500us", QuantityKind::kDuration, "s") == Approx(5e-4));
}

TEST_CASE("parse_quantity: bandwidth in bytes or bits per second", "[sim][units]") {
  const auto gbps = [](const std::string& t) {
    return parse_quantity("--bw", t, QuantityKind::kBandwidth, "GB/s");
  };
  CHECK(gbps("50") == Approx(50.0));
  CHECK(gbps("50GB/s") == Approx(50.0));
  CHECK(gbps("400Gb/s") == Approx(50.0));  // bits: 400 / 8
  CHECK(gbps("1.6TB/s") == Approx(1600.0));
  CHECK(gbps("3.2Tb/s") == Approx(400.0));
  CHECK(gbps("500MB/s") == Approx(0.5));
  // Bits and bytes differ by case alone, so bandwidth units match exactly.
  CHECK(error_of("400gb/s", QuantityKind::kBandwidth, "GB/s").find("units: MB/s, GB/s") !=
        std::string::npos);
}

TEST_CASE("parse_quantity: sizes in decimal and binary units", "[sim][units]") {
  const auto bytes = [](const std::string& t) {
    return parse_quantity("--bytes", t, QuantityKind::kSize, "B");
  };
  CHECK(bytes("4096") == 4096.0);
  CHECK(bytes("4096B") == 4096.0);
  CHECK(bytes("256MB") == 256e6);
  CHECK(bytes("1GiB") == 1073741824.0);
  CHECK(bytes("2KiB") == 2048.0);
  CHECK(bytes("1gib") == 1073741824.0);
  CHECK(bytes("3MiB") == 3.0 * 1024 * 1024);
  CHECK(bytes("1.5GB") == 1.5e9);
  CHECK(parse_quantity("--m", "1GiB", QuantityKind::kSize, "MiB") == 1024.0);
}

TEST_CASE("parse_quantity: one line naming the option, the value and the units", "[sim][units]") {
  CHECK(error_of("2xs", QuantityKind::kDuration, "us") ==
        "--x = '2xs': expected a duration such as 2ms (units: ns, us, ms, s; a bare number "
        "is in us)");
  CHECK(error_of("abc", QuantityKind::kSize, "B") ==
        "--x = 'abc': expected a size such as 256MB or 1GiB (units: B, KB, MB, GB, TB, KiB, "
        "MiB, GiB, TiB; a bare number is in B)");
  CHECK(error_of("", QuantityKind::kDuration, "us").find("expected a duration") != std::string::npos);
  CHECK(error_of("ms", QuantityKind::kDuration, "us").find("expected a duration") != std::string::npos);
  CHECK(error_of("inf", QuantityKind::kDuration, "us").find("expected a duration") != std::string::npos);
  CHECK(error_of("nan", QuantityKind::kSize, "B").find("expected a size") != std::string::npos);
  CHECK(error_of("-2ms", QuantityKind::kDuration, "us") == "--x = '-2ms': cannot be negative");
  CHECK(error_of("2 m s", QuantityKind::kDuration, "us").find("expected a duration") != std::string::npos);
}

TEST_CASE("parse_duration_list: each stage's value with its own unit", "[sim][units]") {
  const std::vector<double> v = parse_duration_list("--f", "1,2ms,500ns");
  REQUIRE(v.size() == 3);
  CHECK(v[0] == Approx(1.0));
  CHECK(v[1] == Approx(2000.0));
  CHECK(v[2] == Approx(0.5));
  CHECK_THROWS_WITH(parse_duration("--f", "2e6s"), "--f = 2e6s: at most 1e12 microseconds");
}
