#pragma once
// EventQueue: a binary min-heap of events keyed by (time, insertion sequence), so that
// same-time events pop in the order they were pushed and every run is deterministic.
// Cancellation is lazy: a cancelled event stays in the heap and is skipped when popped.
//
// An event carries a handler pointer and a 64-bit payload instead of a std::function: the
// pipeline executor pushes millions of events a second and must not allocate per event.

#include <cstdint>
#include <vector>

#include "sim/sim_time.hpp"

namespace llmsim {

class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void on_event(SimTime now, std::uint64_t payload) = 0;
};

struct EventId {
  std::uint64_t seq = 0;
};

class EventQueue {
 public:
  struct Event {
    SimTime time;
    std::uint64_t seq = 0;
    EventHandler* handler = nullptr;
    std::uint64_t payload = 0;
  };

  EventId push(SimTime time, EventHandler* handler, std::uint64_t payload);
  // Marks the event so that pop() skips it. Cancelling an event that already ran is a no-op.
  void cancel(EventId id);
  bool empty();
  // The earliest live event, left in place. Precondition: !empty().
  const Event& top();
  // Removes and returns the earliest live event. Precondition: !empty().
  Event pop();
  std::size_t size_including_cancelled() const { return heap_.size(); }
  void reserve(std::size_t n) { heap_.reserve(n); }

 private:
  static bool later(const Event& a, const Event& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
  void drop_cancelled_top();

  std::vector<Event> heap_;
  std::vector<std::uint64_t> cancelled_;  // sorted sequence numbers still in the heap
  std::uint64_t next_seq_ = 0;
};

}  // namespace llmsim
