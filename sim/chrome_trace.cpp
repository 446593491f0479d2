#include "sim/chrome_trace.hpp"

namespace llmsim {

void ChromeTrace::name_process(int pid, const std::string& name) {
  events_.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", name}}}});
  events_.push_back(
      {{"name", "process_sort_index"}, {"ph", "M"}, {"pid", pid}, {"args", {{"sort_index", pid}}}});
}

void ChromeTrace::name_thread(int pid, int tid, const std::string& name) {
  events_.push_back({{"name", "thread_name"},
                     {"ph", "M"},
                     {"pid", pid},
                     {"tid", tid},
                     {"args", {{"name", name}}}});
  events_.push_back({{"name", "thread_sort_index"},
                     {"ph", "M"},
                     {"pid", pid},
                     {"tid", tid},
                     {"args", {{"sort_index", tid}}}});
}

void ChromeTrace::add_span(int pid, int tid, const std::string& name, const std::string& category,
                           SimTime start, SimTime end, nlohmann::json args) {
  events_.push_back({{"name", name},
                     {"cat", category},
                     {"ph", "X"},
                     {"pid", pid},
                     {"tid", tid},
                     {"ts", start.us()},
                     {"dur", (end - start).us()},
                     {"args", std::move(args)}});
}

nlohmann::json ChromeTrace::to_json() const {
  return {{"traceEvents", events_}, {"displayTimeUnit", "ns"}};
}

}  // namespace llmsim
