#include "sim/engine.hpp"

#include "sim/check.hpp"

namespace llmsim {

EventId Engine::schedule_at(SimTime time, EventHandler* handler, std::uint64_t payload) {
  LLMSIM_CHECK(time >= now_, "an event was scheduled in the past");
  return queue_.push(time, handler, payload);
}

std::uint64_t Engine::run() { return run_until(SimTime::max()); }

std::uint64_t Engine::run_until(SimTime limit) {
  std::uint64_t processed = 0;
  while (!queue_.empty()) {
    if (queue_.top().time > limit) break;  // events past the limit stay queued
    const EventQueue::Event e = queue_.pop();
    LLMSIM_CHECK(e.time >= now_, "simulated time went backwards");
    now_ = e.time;
    e.handler->on_event(now_, e.payload);
    ++processed;
  }
  return processed;
}

}  // namespace llmsim
