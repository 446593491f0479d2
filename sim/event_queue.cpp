#include "sim/event_queue.hpp"

#include <algorithm>

#include "sim/check.hpp"

namespace llmsim {

EventId EventQueue::push(SimTime time, EventHandler* handler, std::uint64_t payload) {
  LLMSIM_CHECK(handler != nullptr, "event without a handler");
  const std::uint64_t seq = next_seq_++;
  heap_.push_back(Event{time, seq, handler, payload});
  std::push_heap(heap_.begin(), heap_.end(), later);
  return EventId{seq};
}

void EventQueue::cancel(EventId id) {
  const bool in_heap = std::any_of(heap_.begin(), heap_.end(),
                                   [&](const Event& e) { return e.seq == id.seq; });
  if (!in_heap) return;
  auto it = std::lower_bound(cancelled_.begin(), cancelled_.end(), id.seq);
  if (it == cancelled_.end() || *it != id.seq) cancelled_.insert(it, id.seq);
}

void EventQueue::drop_cancelled_top() {
  while (!cancelled_.empty() && !heap_.empty()) {
    auto it = std::lower_bound(cancelled_.begin(), cancelled_.end(), heap_.front().seq);
    if (it == cancelled_.end() || *it != heap_.front().seq) return;
    cancelled_.erase(it);
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
}

bool EventQueue::empty() {
  drop_cancelled_top();
  return heap_.empty();
}

const EventQueue::Event& EventQueue::top() {
  drop_cancelled_top();
  LLMSIM_CHECK(!heap_.empty(), "top of an empty event queue");
  return heap_.front();
}

EventQueue::Event EventQueue::pop() {
  drop_cancelled_top();
  LLMSIM_CHECK(!heap_.empty(), "pop from an empty event queue");
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Event e = heap_.back();
  heap_.pop_back();
  return e;
}

}  // namespace llmsim
