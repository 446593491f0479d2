#include <catch2/catch.hpp>

#include <vector>

#include "sim/event_queue.hpp"

using namespace llmsim;

namespace {

struct Recorder : EventHandler {
  std::vector<std::uint64_t> seen;
  void on_event(SimTime, std::uint64_t payload) override { seen.push_back(payload); }
};

}  // namespace

TEST_CASE("EventQueue: pops in time order", "[sim]") {
  EventQueue q;
  Recorder h;
  q.push(SimTime::from_ns(30), &h, 3);
  q.push(SimTime::from_ns(10), &h, 1);
  q.push(SimTime::from_ns(20), &h, 2);
  std::vector<std::int64_t> times;
  while (!q.empty()) times.push_back(q.pop().time.ns());
  CHECK(times == std::vector<std::int64_t>{10, 20, 30});
}

TEST_CASE("EventQueue: same-time events run in schedule order", "[sim]") {
  EventQueue q;
  Recorder h;
  for (std::uint64_t i = 0; i < 100; ++i) q.push(SimTime::from_ns(5), &h, i);
  std::vector<std::uint64_t> payloads;
  while (!q.empty()) payloads.push_back(q.pop().payload);
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(payloads[i] == i);
}

TEST_CASE("EventQueue: cancelled events are skipped", "[sim]") {
  EventQueue q;
  Recorder h;
  q.push(SimTime::from_ns(1), &h, 1);
  const EventId id = q.push(SimTime::from_ns(2), &h, 2);
  q.push(SimTime::from_ns(3), &h, 3);
  q.cancel(id);
  std::vector<std::uint64_t> payloads;
  while (!q.empty()) payloads.push_back(q.pop().payload);
  CHECK(payloads == std::vector<std::uint64_t>{1, 3});
  // Cancelling something already popped changes nothing.
  q.cancel(id);
  CHECK(q.empty());
}
