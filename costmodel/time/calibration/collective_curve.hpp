#pragma once
// CollectiveCurve: how NCCL's all-reduce falls short of its bandwidth at each size, from one
// nccl-tests all_reduce_perf sweep on one node of the profile's GPU (kernels/nccl.csv). The
// flow model (sim/collectives) moves a collective's bytes at the links' rates; a real NCCL
// call also pays its launch, synchronisation and pipeline fill, which nccl-tests shows as a
// bus bandwidth that climbs with the size (8 x A100: 109 GB/s at 16 MiB, 167 at 64 MiB, 228 at
// 1 GiB). The curve keeps the sweep's points; excess_seconds() is what a size costs beyond the
// sweep's own best bandwidth. How that excess is spread over other groups and collectives is
// the timer's rule (costmodel/time/nccl_overhead.hpp).

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace llmsim {
class YamlMap;
}

namespace llmsim::calibration {

struct CollectivePoint {
  double bytes = 0.0;       // nccl-tests size: the all-reduced buffer, per GPU
  double busbw_gbps = 0.0;  // nccl-tests bus bandwidth, 1e9 B/s
  std::string label;        // the table row it came from
};

struct CollectiveCurve {
  std::string source;      // the sweep: system, NCCL version, file
  std::string assumption;  // non-empty: another GPU's sweep stands in for this one, and why
  int gpus = 8;            // the sweep's group: all GPUs of one node
  std::vector<CollectivePoint> points;  // ascending bytes, at least two

  // The sweep's highest bus bandwidth, 1e9 B/s.
  double peak_busbw_gbps() const;
  // The sweep's all-reduce time at `bytes`, seconds: log-log between its points, the
  // smallest point's time below it (NCCL's fixed latency), the largest point's bandwidth
  // above it.
  double seconds(double bytes) const;
  // seconds(bytes) less the bandwidth term at the peak bus bandwidth, never below 0.
  double excess_seconds(double bytes) const;
};

// Reading and writing, in a profile's `collectives` key. Errors name the file, line and key.
CollectiveCurve read_collective_curve(YamlMap& m);
nlohmann::ordered_json collective_curve_json(const CollectiveCurve& c);

// The all_reduce rows of one node of `system` (nccl.csv's system column) in `nccl_csv`,
// ascending by size; a UserError naming the file when fewer than two are found.
CollectiveCurve read_nccl_sweep(const std::string& nccl_csv, const std::string& system);

}  // namespace llmsim::calibration
