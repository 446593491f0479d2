#include "costmodel/time/calibration/collective_curve.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "costmodel/read/yaml_reader.hpp"
#include "costmodel/time/calibration/csv_table.hpp"
#include "sim/check.hpp"

namespace llmsim::calibration {

namespace {

// nccl-tests' all-reduce bus factor over n GPUs: busbw = algbw x 2(n-1)/n.
double all_reduce_factor(int n) { return 2.0 * (n - 1) / n; }

double point_seconds(const CollectivePoint& p, int gpus) {
  return p.bytes * all_reduce_factor(gpus) / (p.busbw_gbps * 1e9);
}

}  // namespace

double CollectiveCurve::peak_busbw_gbps() const {
  double best = 0.0;
  for (const CollectivePoint& p : points) best = std::max(best, p.busbw_gbps);
  return best;
}

double CollectiveCurve::seconds(double bytes) const {
  LLMSIM_CHECK(points.size() >= 2, "a collective curve needs two points");
  if (!(bytes > 0.0)) return 0.0;
  const auto& first = points.front();
  const auto& last = points.back();
  // Below the smallest size the sweep's smallest time stands (NCCL's fixed latency).
  if (bytes <= first.bytes) return point_seconds(first, gpus);
  if (bytes >= last.bytes) return point_seconds(last, gpus) * bytes / last.bytes;
  std::size_t i = 1;
  while (points[i].bytes < bytes) ++i;
  const CollectivePoint& a = points[i - 1];
  const CollectivePoint& b = points[i];
  const double ta = point_seconds(a, gpus), tb = point_seconds(b, gpus);
  const double f = std::log(bytes / a.bytes) / std::log(b.bytes / a.bytes);
  return std::exp(std::log(ta) + f * (std::log(tb) - std::log(ta)));
}

double CollectiveCurve::excess_seconds(double bytes) const {
  if (!(bytes > 0.0)) return 0.0;
  const double bandwidth_s = bytes * all_reduce_factor(gpus) / (peak_busbw_gbps() * 1e9);
  return std::max(0.0, seconds(bytes) - bandwidth_s);
}

CollectiveCurve read_collective_curve(YamlMap& m) {
  CollectiveCurve c;
  c.source = m.string("source");
  c.assumption = m.string_or("assumption", "");
  c.gpus = static_cast<int>(m.integer("gpus", 2, 1 << 16));
  const auto nodes = m.sequence("points");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    YamlMap pm(nodes[i], m.file(), fmt::format("{}.points[{}]", m.path(), i));
    CollectivePoint p;
    p.bytes = pm.number("bytes", 1.0, 1e15);
    p.busbw_gbps = pm.number("busbw_gbps", 1e-6, 1e6);
    p.label = pm.string_or("label", "");
    pm.accept("time_us");    // derived from bytes and busbw_gbps, for the reader
    pm.accept("excess_us");  // derived
    if (!c.points.empty() && !(p.bytes > c.points.back().bytes)) {
      pm.fail("bytes", "the points must be in ascending order of bytes");
    }
    pm.finish({"bytes", "busbw_gbps", "time_us", "excess_us", "label"});
    c.points.push_back(p);
  }
  if (c.points.size() < 2) m.fail("points", "a collective curve needs at least two points");
  m.finish({"source", "assumption", "gpus", "points"});
  return c;
}

nlohmann::ordered_json collective_curve_json(const CollectiveCurve& c) {
  nlohmann::ordered_json j;
  j["source"] = c.source;
  if (!c.assumption.empty()) j["assumption"] = c.assumption;
  j["gpus"] = c.gpus;
  auto& pts = j["points"] = nlohmann::ordered_json::array();
  for (const CollectivePoint& p : c.points) {
    nlohmann::ordered_json jp;
    jp["bytes"] = p.bytes;
    jp["busbw_gbps"] = p.busbw_gbps;
    jp["time_us"] = c.seconds(p.bytes) * 1e6;
    jp["excess_us"] = c.excess_seconds(p.bytes) * 1e6;
    if (!p.label.empty()) jp["label"] = p.label;
    pts.push_back(jp);
  }
  return j;
}

CollectiveCurve read_nccl_sweep(const std::string& nccl_csv, const std::string& system) {
  const CsvTable t = CsvTable::load(nccl_csv);
  const std::string file = std::filesystem::path(nccl_csv).filename().string();
  CollectiveCurve c;
  std::string software, source;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    if (t.text(r, "system") != system || t.text(r, "collective") != "all_reduce" ||
        t.text(r, "n_nodes") != "1") {
      continue;
    }
    c.gpus = static_cast<int>(t.number(r, "n_gpus"));
    CollectivePoint p;
    p.bytes = t.number(r, "message_bytes");
    p.busbw_gbps = t.number(r, "busbw_GBps");
    p.label = fmt::format("{} row {} ({} GB/s busbw at {:.0f} B)", file, r + 2,
                          t.text(r, "busbw_GBps"), p.bytes);
    if (!(p.busbw_gbps > 0.0) || !(p.bytes > 0.0)) {
      throw UserError(fmt::format("{}: expected a positive size and bus bandwidth",
                                  t.where(r, "busbw_GBps")));
    }
    software = t.text(r, "software");
    source = t.text(r, "source");
    c.points.push_back(p);
  }
  std::sort(c.points.begin(), c.points.end(),
            [](const CollectivePoint& a, const CollectivePoint& b) { return a.bytes < b.bytes; });
  if (c.points.size() < 2) {
    throw UserError(fmt::format(
        "{}: fewer than two one-node all_reduce rows for system '{}'", nccl_csv, system));
  }
  c.source = fmt::format(
      "nccl-tests all_reduce_perf on one node of {} GPUs, {} ({}; {}, {} sizes from {:.0f} B "
      "to {:.0f} B)",
      c.gpus, system, software, source, c.points.size(), c.points.front().bytes,
      c.points.back().bytes);
  return c;
}

}  // namespace llmsim::calibration
