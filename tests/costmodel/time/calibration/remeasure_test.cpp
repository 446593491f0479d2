// measure_and_fit on a loaded machine: a shape slowed in every planned pass is measured again
// and the fastest kept, so one busy stretch does not bend the fit or the held-out error; and,
// paired with a reference, a machine whose speed changes in stretches gives every shape the
// same speed.
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
  CHECK_THAT(c.holdout_method, Catch::Contains("1 shape(s) over 10% above a screening fit were "
                                                "measured again"));
  for (const ProfilePoint& p : c.points) CHECK(p.measured_s == Approx(true_seconds(p.shape)));
  REQUIRE(c.holdout_max_pct.has_value());
  CHECK(*c.holdout_max_pct < 1.0);
}

namespace {

// A machine that runs at two speeds: 1.8 times slower except for calls [30, 36), one fast
// stretch.
MeasurementPlan two_speed_plan(bool paired, int& call) {
  std::map<double, int> unused;
  MeasurementPlan plan = synthetic_plan(unused, -1.0);
  plan.rounds = 4;
  plan.min_rounds = 4;  // all four, settled or not
  plan.paired = paired;
  plan.measure = [&call](KernelClass, const KernelShape& s) {
    const int n = call++;
    Measurement m;
    m.shape = s;
    m.seconds = true_seconds(s) * (n >= 30 && n < 36 ? 1.0 : 1.8);
    m.label = "synthetic";
    return m;
  };
  return plan;
}

}  // namespace

TEST_CASE("measure_and_fit, paired: speed that changes in stretches does not split a class",
          "[calibration][load]") {
  // Fastest pass (12 calls a pass): the shapes timed in the fast stretch (shapes 6 to 11 of
  // the third pass) keep it and the others do not, so the class's shapes disagree by 1.8x
  // and the held-out shapes (1, 5 and 9) miss the fit.
  int call = 0;
  const ClassProfile fastest = measure_and_fit(two_speed_plan(false, call)).front();
  REQUIRE(fastest.holdout_max_pct.has_value());
  CHECK(*fastest.holdout_max_pct > 20.0);
  // Paired (reference, shape, reference, ... 25 calls a pass): each shape's ratio to the
  // reference timed either side is exact except where the stretch begins or ends between
  // them (shapes 2 and 5 of the second pass), once in four passes, which the median leaves
  // out; the reference's fastest time is
  // at full speed, so every shape gets its true time.
  call = 0;
  const ClassProfile paired = measure_and_fit(two_speed_plan(true, call)).front();
  CHECK(call == 4 * 25);  // no shape was far enough off the fit to be measured again
  for (const ProfilePoint& p : paired.points) CHECK(p.measured_s == Approx(true_seconds(p.shape)));
  REQUIRE(paired.holdout_max_pct.has_value());
  CHECK(*paired.holdout_max_pct < 1.0);
  CHECK_THAT(paired.holdout_method, Catch::Contains("4 pass(es), each shape timed between"));
}

namespace {

// A machine on which one shape is 30 times slower in every pass and every re-measure.
MeasurementPlan stuck_plan(double stuck_bytes) {
  std::map<double, int> unused;
  MeasurementPlan plan = synthetic_plan(unused, -1.0);
  plan.rounds = 4;
  plan.paired = true;
  plan.measure = [stuck_bytes](KernelClass, const KernelShape& s) {
    Measurement m;
    m.shape = s;
    m.seconds = true_seconds(s) * (s.bytes == stuck_bytes ? 30.0 : 1.0);
    m.label = "synthetic";
    return m;
  };
  return plan;
}

}  // namespace

TEST_CASE("measure_and_fit: a training shape still far off after re-measuring is left out, "
          "a held-out one never",
          "[calibration][load]") {
  // Shape 6 trains: left out of the fit and labelled; the fit and the held-out shapes are
  // then exact. (Kept, it would bend the fit of the other 8 training shapes.)
  const ClassProfile train = measure_and_fit(stuck_plan(1e5 * (1 << 6))).front();
  CHECK_THAT(train.holdout_method,
             Catch::Contains("1 training shape(s) still over 50% off it left out of the fit"));
  CHECK_THAT(train.points[6].label, Catch::Contains("[left out of the fit]"));
  CHECK(train.fit_points == 8);
  REQUIRE(train.holdout_max_pct.has_value());
  CHECK(*train.holdout_max_pct < 1.0);
  // Shape 5 is held out: it stays, and the held-out error says so.
  const ClassProfile held = measure_and_fit(stuck_plan(1e5 * (1 << 5))).front();
  CHECK_THAT(held.holdout_method, !Catch::Contains("left out of the fit"));
  CHECK(held.fit_points == 9);
  REQUIRE(held.holdout_max_pct.has_value());
  CHECK(*held.holdout_max_pct > 90.0);
}

TEST_CASE("measure_and_fit, paired: a shape stops taking passes once it has settled",
          "[calibration][load]") {
  // Exact ratios settle at once: every shape takes its 3 first passes, not 40. Ratios that
  // alternate by 20% (every other timing 1.2 times slower, so a shape and the references
  // beside it disagree in turn) are known to 1% only after about 150 passes and take all 40:
  // for every shape when every timing alternates, for shape 4 alone when only its own do.
  for (const int noisy : {-1, 4, 99}) {
    int call = 0;
    std::map<double, int> unused;
    MeasurementPlan plan = synthetic_plan(unused, -1.0);
    plan.rounds = 40;
    plan.min_rounds = 3;
    plan.paired = true;
    plan.measure = [&call, noisy](KernelClass, const KernelShape& s) {
      const bool mine = noisy == 99 || (noisy >= 0 && s.bytes == 1e5 * (1 << noisy));
      Measurement m;
      m.shape = s;
      m.seconds = true_seconds(s) * (noisy >= 0 && mine && call++ % 2 == 1 ? 1.2 : 1.0);
      m.label = "synthetic";
      return m;
    };
    const ClassProfile c = measure_and_fit(plan).front();
    INFO("noisy " << noisy);
    CHECK_THAT(c.holdout_method, Catch::Contains(noisy < 0    ? "; 3 pass(es)"
                                                 : noisy == 4 ? "; 3 to 40 pass(es)"
                                                              : "; 40 pass(es)"));
  }
}
