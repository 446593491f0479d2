#include "sim/chrome_trace.hpp"

#include <utility>

#include "sim/check.hpp"

namespace llmsim {

namespace {

// Microseconds with at most three decimals, exactly: the double nearest ns / 1000, which JSON
// prints as that decimal (SimTime::us() multiplies by 1e-3, which can land one double off
// and print as 1234.5670000000002).
double trace_us(SimTime t) { return static_cast<double>(t.ns()) / 1e3; }

}  // namespace

void ChromeTrace::name_process(int pid, const std::string& name) {
  add({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", name}}}});
  add(
      {{"name", "process_sort_index"}, {"ph", "M"}, {"pid", pid}, {"args", {{"sort_index", pid}}}});
}

void ChromeTrace::name_thread(int pid, int tid, const std::string& name) {
  add({{"name", "thread_name"},
                     {"ph", "M"},
                     {"pid", pid},
                     {"tid", tid},
                     {"args", {{"name", name}}}});
  add({{"name", "thread_sort_index"},
                     {"ph", "M"},
                     {"pid", pid},
                     {"tid", tid},
                     {"args", {{"sort_index", tid}}}});
}

void ChromeTrace::add_span(int pid, int tid, const std::string& name, const std::string& category,
                           SimTime start, SimTime end, nlohmann::json args) {
  add({{"name", name},
                     {"cat", category},
                     {"ph", "X"},
                     {"pid", pid},
                     {"tid", tid},
                     {"ts", trace_us(start)},
                     {"dur", trace_us(end - start)},
                     {"args", std::move(args)}});
}

void ChromeTrace::add_flow(const std::string& name, const std::string& category,
                           const FlowEnd& from, const FlowEnd& to) {
  const std::uint64_t id = ++flows_;
  add({{"name", name}, {"cat", category}, {"ph", "s"}, {"id", id}, {"pid", from.pid},
       {"tid", from.tid}, {"ts", trace_us(from.at)}});
  add({{"name", name}, {"cat", category}, {"ph", "f"}, {"bp", "e"}, {"id", id}, {"pid", to.pid},
       {"tid", to.tid}, {"ts", trace_us(to.at)}});
}

namespace {
constexpr const char* kOpening = R"({"displayTimeUnit":"ns","traceEvents":[)";
constexpr const char* kEnd = "]}";
}  // namespace

ChromeTrace::ChromeTrace(std::ostream& out) : out_(&out) { out << kOpening; }

void ChromeTrace::add(const nlohmann::json& event) {
  LLMSIM_CHECK(!finished_, "a trace event after the trace was finished");
  if (out_) {
    if (!empty_) *out_ << ',';
    *out_ << event.dump();
  } else {
    if (!empty_) events_ += ',';
    events_ += event.dump();
  }
  empty_ = false;
}

void ChromeTrace::finish() {
  LLMSIM_CHECK(out_ && !finished_, "finish() is for a streaming trace, once");
  *out_ << kEnd;
  finished_ = true;
}

void ChromeTrace::write(std::ostream& out) const {
  LLMSIM_CHECK(!out_, "write() of a streaming trace");
  out << kOpening << events_ << kEnd;
}

std::string ChromeTrace::text() const {
  LLMSIM_CHECK(!out_, "text() of a streaming trace");
  return kOpening + events_ + kEnd;
}

}  // namespace llmsim
