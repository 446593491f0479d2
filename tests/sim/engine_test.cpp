#include <catch2/catch.hpp>

#include <vector>

#include "sim/check.hpp"
#include "sim/engine.hpp"

using namespace llmsim;

namespace {

// Reschedules itself `remaining` times, `step` apart, recording the times it ran at.
struct Ticker : EventHandler {
  Engine* engine = nullptr;
  int remaining = 0;
  SimTime step;
  std::vector<std::int64_t> times;
  void on_event(SimTime now, std::uint64_t) override {
    times.push_back(now.ns());
    if (--remaining > 0) engine->schedule_in(step, this);
  }
};

struct PastScheduler : EventHandler {
  Engine* engine = nullptr;
  void on_event(SimTime, std::uint64_t) override {
    engine->schedule_at(SimTime::from_ns(1), this);
  }
};

}  // namespace

TEST_CASE("Engine: advances time through handlers", "[sim]") {
  Engine e;
  Ticker t;
  t.engine = &e;
  t.remaining = 4;
  t.step = SimTime::from_ns(7);
  e.schedule_at(SimTime::from_ns(3), &t);
  CHECK(e.run() == 4);
  CHECK(t.times == std::vector<std::int64_t>{3, 10, 17, 24});
  CHECK(e.now().ns() == 24);
}

TEST_CASE("Engine: run_until stops at the limit and resumes", "[sim]") {
  Engine e;
  Ticker t;
  t.engine = &e;
  t.remaining = 10;
  t.step = SimTime::from_ns(10);
  e.schedule_at(SimTime::zero(), &t);
  e.run_until(SimTime::from_ns(35));
  CHECK(t.times.size() == 4);
  CHECK(e.now().ns() == 30);
  e.run();
  CHECK(t.times.size() == 10);
}

TEST_CASE("Engine: scheduling in the past is an internal error, not a crash", "[sim]") {
  Engine e;
  PastScheduler p;
  p.engine = &e;
  e.schedule_at(SimTime::from_ns(5), &p);
  CHECK_THROWS_AS(e.run(), InternalError);
}

TEST_CASE("Engine: independent engines do not share state", "[sim]") {
  Engine a, b;
  Ticker ta, tb;
  ta.engine = &a;
  tb.engine = &b;
  ta.remaining = tb.remaining = 3;
  ta.step = SimTime::from_ns(1);
  tb.step = SimTime::from_ns(100);
  a.schedule_at(SimTime::zero(), &ta);
  b.schedule_at(SimTime::zero(), &tb);
  a.run();
  b.run();
  CHECK(a.now().ns() == 2);
  CHECK(b.now().ns() == 200);
}
