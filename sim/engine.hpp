#pragma once
// Engine: the discrete-event loop. The caller owns it (no global state), schedules events
// through it and registers observers on it. Time never goes backwards: checked on every pop,
// in release builds too.

#include <cstdint>

#include "sim/event_queue.hpp"
#include "sim/observer.hpp"
#include "sim/sim_time.hpp"

namespace llmsim {

class Engine {
 public:
  SimTime now() const { return now_; }

  // Schedules handler->on_event(time, payload). Precondition: time >= now().
  EventId schedule_at(SimTime time, EventHandler* handler, std::uint64_t payload = 0);
  EventId schedule_in(SimTime delay, EventHandler* handler, std::uint64_t payload = 0) {
    return schedule_at(now_ + delay, handler, payload);
  }
  void cancel(EventId id) { queue_.cancel(id); }
  // When the next event is due (SimTime::max() when none is left): a handler can tell whether
  // others are due at the same instant.
  SimTime next_event_time() { return queue_.empty() ? SimTime::max() : queue_.top().time; }

  // Runs events until none is left. Returns the number of events processed.
  std::uint64_t run();
  // Runs events whose time is <= limit; now() becomes the last processed time.
  std::uint64_t run_until(SimTime limit);

  ObserverList& observers() { return observers_; }
  const ObserverList& observers() const { return observers_; }
  void reserve_events(std::size_t n) { queue_.reserve(n); }

 private:
  EventQueue queue_;
  ObserverList observers_;
  SimTime now_;
};

}  // namespace llmsim
