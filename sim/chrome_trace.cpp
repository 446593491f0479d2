#include "sim/chrome_trace.hpp"

#include <utility>

namespace llmsim {

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
                     {"ts", start.us()},
                     {"dur", (end - start).us()},
                     {"args", std::move(args)}});
}

void ChromeTrace::add(const nlohmann::json& event) {
  if (!events_.empty()) events_ += ',';
  events_ += event.dump();
}

void ChromeTrace::write(std::ostream& out) const {
  out << R"({"displayTimeUnit":"ns","traceEvents":[)" << events_ << "]}";
}

std::string ChromeTrace::text() const {
  return R"({"displayTimeUnit":"ns","traceEvents":[)" + events_ + "]}";
}

}  // namespace llmsim
