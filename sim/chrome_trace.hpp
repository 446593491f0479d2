#pragma once
// ChromeTrace: collects spans and writes the Chrome trace-event JSON format that Perfetto
// and chrome://tracing open ("X" complete events, microsecond timestamps, process and thread
// names as metadata events, flow arrows between slices). Times are integer nanoseconds
// written as microseconds with three decimals: a slice's start and end are rounded once (they
// are SimTimes) and its duration is end - start, so a slice that ends where the next begins
// on its track never overlaps it.

#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/sim_time.hpp"

namespace llmsim {

class ChromeTrace {
 public:
  // Collects the events in memory for write() or text().
  ChromeTrace() = default;
  // Streams to `out`: the document's opening is written now, each event as it is added, and
  // finish() writes the end; nothing is held (a 64-rank, 10,000 micro-batch schedule's trace
  // is 381 MB of text with its flows). write(), text() and to_json() are for collecting only.
  explicit ChromeTrace(std::ostream& out);

  void name_process(int pid, const std::string& name);
  void name_thread(int pid, int tid, const std::string& name);
  void add_span(int pid, int tid, const std::string& name, const std::string& category,
                SimTime start, SimTime end, nlohmann::json args = nlohmann::json::object());
  // One end of a flow arrow: the slice on track (pid, tid) that encloses `at`.
  struct FlowEnd {
    int pid = 0;
    int tid = 0;
    SimTime at;
  };
  // An arrow from the slice enclosing `from` to the slice enclosing `to` (Perfetto and
  // chrome://tracing draw it): a "s" and an "f" event with the same id (1, 2, ... in the
  // order of the calls), the "f" bound to the slice around it ("bp":"e").
  void add_flow(const std::string& name, const std::string& category, const FlowEnd& from,
                const FlowEnd& to);

  // Where a flow's end binds a slice of [start, end) unambiguously: its middle, strictly
  // inside when it lasts 2 ns or more (an end or a start is shared with a neighbour).
  static SimTime inside(SimTime start, SimTime end) {
    return start + SimTime::from_ns((end - start).ns() / 2);
  }
  // The document {"displayTimeUnit":"ns","traceEvents":[...]}, written out as it is held:
  // each event is kept as its compact JSON text (about 150 bytes a span), never as a tree.
  void write(std::ostream& out) const;
  std::string text() const;
  nlohmann::json to_json() const { return nlohmann::json::parse(text()); }
  // Streaming only: closes the document. Call once, after the last event.
  void finish();

 private:
  void add(const nlohmann::json& event);
  std::string events_;  // compact events, comma-separated (collecting)
  std::ostream* out_ = nullptr;  // streaming
  bool empty_ = true;   // no event yet
  bool finished_ = false;
  std::uint64_t flows_ = 0;  // flow ids given
};

}  // namespace llmsim
