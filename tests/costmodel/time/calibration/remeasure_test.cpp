// measure_and_fit on a loaded machine: a shape slowed in every planned pass is measured again
// and the fastest kept, so one busy stretch does not bend the fit or the held-out error.
#include <catch2/catch.hpp>

#include <map>

#include "costmodel/time/calibration/measured_calibration.hpp"

using namespace llmsim::calibration;

namespace {

// A memory-bound kernel that truly runs at 10 GB/s plus 2 us per call.
double true_seconds(const KernelShape& s) { return s.bytes / 10e9 + 2e-6; }

MeasurementPlan synthetic_plan(std::map<double, int>& calls, double slow_shape_bytes) {
  MeasurementPlan plan;
  plan.classes = {KernelClass::kMemoryBound};
  plan.rounds = 2;
  plan.shapes = [](KernelClass) {
    std::vector<KernelShape> g;
    for (int i = 0; i < 12; ++i) {
      KernelShape s;
      s.bytes = 1e5 * (1 << i);
      g.push_back(s);
    }
    return g;
  };
  plan.measure = [&calls, slow_shape_bytes](KernelClass, const KernelShape& s) {
    const int n = ++calls[s.bytes];
    // The slow shape meets a busy machine in both planned passes (twice its time), then not.
    const double slow = s.bytes == slow_shape_bytes && n <= 2 ? 2.0 : 1.0;
    Measurement m;
    m.shape = s;
    m.seconds = true_seconds(s) * slow;
    m.label = "synthetic";
    return m;
  };
  plan.setup = [](KernelClass) {
    ClassSetup setup;
    setup.start.peak_bytes_per_s = 20e9;
    setup.start.peak_flops_per_s = 1e12;
    setup.start.memory_efficiency = 0.3;
    setup.free.memory_efficiency = true;
    setup.free.overhead = true;
    setup.peak_source = "synthetic";
    return setup;
  };
  return plan;
}

}  // namespace

TEST_CASE("measure_and_fit re-measures shapes far slower than the fit", "[calibration][load]") {
  std::map<double, int> calls;
  const double slow = 1e5 * (1 << 9);  // shape 9: a held-out shape (every 4th from the 2nd)
  const std::vector<ClassProfile> out = measure_and_fit(synthetic_plan(calls, slow));
  REQUIRE(out.size() == 1);
  const ClassProfile& c = out.front();
  CHECK(calls[slow] == 2 + 3);   // two planned passes, three more
  CHECK(calls[1e5] == 2);        // the others: the planned passes only
  CHECK_THAT(c.holdout_method, Catch::Contains("1 shape(s) measured over 10% above the first fit"));
  for (const ProfilePoint& p : c.points) CHECK(p.measured_s == Approx(true_seconds(p.shape)));
  REQUIRE(c.holdout_max_pct.has_value());
  CHECK(*c.holdout_max_pct < 1.0);
}
