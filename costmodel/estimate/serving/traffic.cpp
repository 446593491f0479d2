#include "costmodel/estimate/serving/traffic.hpp"

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

namespace llmsim {

namespace {

constexpr double kMaxArrivalSeconds = 1e9;

class Variates {
 public:
  explicit Variates(std::uint64_t seed) : rng_(seed) {}
  // Uniform on (0, 1): 53 random bits, never 0.
  double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53; }
  double exponential(double mean) { return -mean * std::log(uniform()); }
  double normal() {  // Box-Muller
    return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
  }
  // Gamma(shape, 1) by Marsaglia and Tsang (ACM TOMS 26(3), 2000), with the shape < 1 boost.
  double gamma(double shape) {
    if (shape < 1.0) return gamma(shape + 1.0) * std::pow(uniform(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      const double x = normal(), v0 = 1.0 + c * x;
      if (v0 <= 0.0) continue;
      const double v = v0 * v0 * v0, u = uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }

 private:
  std::mt19937_64 rng_;
};

std::int64_t draw_length(Variates& v, double mean, const std::string& kind) {
  if (kind == "fixed") return std::max<std::int64_t>(1, std::llround(mean));
  return std::max<std::int64_t>(1, std::llround(v.exponential(mean)));
}

std::int64_t cached_of(std::int64_t prompt, double hit_rate) {
  // Cache hits come in whole prefixes; at least one token is always computed.
  return std::min(prompt - 1, static_cast<std::int64_t>(std::floor(prompt * hit_rate)));
}

std::vector<ServingRequest> synthetic(const ServingTraffic& t, double scale) {
  Variates v(t.seed);
  const double mean_gap = 1.0 / (t.requests_per_s * scale);
  // Bursty: gamma inter-arrival times with coefficient of variation `burstiness` (shape
  // 1 / cv^2); Poisson: exponential (cv 1).
  const double shape = t.arrivals == "bursty" ? 1.0 / (t.burstiness * t.burstiness) : 1.0;
  std::vector<ServingRequest> out;
  out.reserve(static_cast<std::size_t>(t.requests));
  double now = 0.0;
  for (std::int64_t i = 0; i < t.requests; ++i) {
    now += shape == 1.0 ? v.exponential(mean_gap) : v.gamma(shape) * mean_gap / shape;
    ServingRequest r;
    r.arrival_s = now;
    r.prompt = draw_length(v, t.prompt_tokens, t.lengths);
    r.output = draw_length(v, t.output_tokens, t.lengths);
    r.cached = cached_of(r.prompt, t.cache_hit_rate);
    out.push_back(r);
  }
  return out;
}

// "2023-11-16 18:15:46.6805900" -> seconds since midnight of an arbitrary day, or -1.
double parse_timestamp(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0.0;
  if (std::sscanf(s.c_str(), "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6) return -1.0;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0.0 || sec >= 61.0) return -1.0;
  return ((d * 24.0 + h) * 60.0 + mi) * 60.0 + sec;  // a trace spans hours, not months
}

[[noreturn]] void bad_row(const std::string& file, std::size_t line, const std::string& what) {
  throw UserError(fmt::format("{}:{}: {}", file, line, what));
}

ServingRequest trace_row(const std::string& row, const std::string& file, std::size_t line) {
  std::stringstream ss(row);
  std::string stamp, ctx, gen;
  if (!std::getline(ss, stamp, ',') || !std::getline(ss, ctx, ',') || !std::getline(ss, gen)) {
    bad_row(file, line, "expected TIMESTAMP,ContextTokens,GeneratedTokens");
  }
  ServingRequest r;
  r.arrival_s = parse_timestamp(stamp);
  if (r.arrival_s < 0.0) bad_row(file, line, fmt::format("TIMESTAMP = {}: expected YYYY-MM-DD HH:MM:SS.fff", quote_value(stamp)));
  try {
    std::size_t used = 0;
    r.prompt = std::stoll(ctx, &used);
    r.output = std::stoll(gen, &used);
  } catch (const std::exception&) {
    bad_row(file, line, fmt::format("token counts {} and {}: expected whole numbers", quote_value(ctx), quote_value(gen)));
  }
  if (r.prompt < 1 || r.prompt > (1LL << 24) || r.output < 0 || r.output > (1LL << 24)) {
    bad_row(file, line, "token counts: ContextTokens from 1 and GeneratedTokens from 0, at most 16,777,216");
  }
  r.output = std::max<std::int64_t>(1, r.output);  // a request returns at least one token
  return r;
}

std::vector<ServingRequest> from_trace(const ServingTraffic& t, double scale) {
  std::ifstream in(t.trace_file);
  if (!in) throw UserError(fmt::format("{}: cannot read the trace file", t.trace_file));
  std::string row;
  std::getline(in, row);  // header
  std::vector<ServingRequest> out;
  double first = -1.0;
  std::size_t line = 1;
  while (static_cast<std::int64_t>(out.size()) < t.requests && std::getline(in, row)) {
    ++line;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    if (row.empty()) continue;
    ServingRequest r = trace_row(row, t.trace_file, line);
    if (first < 0.0) first = r.arrival_s;
    r.arrival_s = (r.arrival_s - first) / (t.rate_scale * scale);
    if (r.arrival_s < 0.0 || (!out.empty() && r.arrival_s < out.back().arrival_s)) {
      bad_row(t.trace_file, line, "TIMESTAMP goes back in time; the trace must be sorted by arrival");
    }
    r.cached = cached_of(r.prompt, t.cache_hit_rate);
    out.push_back(r);
  }
  if (out.empty()) throw UserError(fmt::format("{}: no requests in the trace file", t.trace_file));
  return out;
}

}  // namespace

std::vector<ServingRequest> make_requests(const ServingTraffic& t, double rate_scale) {
  std::vector<ServingRequest> rs = t.arrivals == "trace" ? from_trace(t, rate_scale) : synthetic(t, rate_scale);
  // Simulated time is int64 nanoseconds (292 years); arrivals stay within 1e9 s (31 years).
  if (!rs.empty() && !(rs.back().arrival_s <= kMaxArrivalSeconds)) {
    throw UserError(fmt::format("serving.traffic: the last of {} requests arrives after {:.3g} s, "
                                "beyond the {:g} s llmsim simulates; raise the rate or simulate "
                                "fewer requests",
                                rs.size(), rs.back().arrival_s, kMaxArrivalSeconds));
  }
  return rs;
}

}  // namespace llmsim
