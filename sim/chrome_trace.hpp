#pragma once
// ChromeTrace: collects spans and writes the Chrome trace-event JSON format that Perfetto
// and chrome://tracing open ("X" complete events, microsecond timestamps, process and thread
// names as metadata events).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sim_time.hpp"

namespace llmsim {

class ChromeTrace {
 public:
  void name_process(int pid, const std::string& name);
  void name_thread(int pid, int tid, const std::string& name);
  void add_span(int pid, int tid, const std::string& name, const std::string& category,
                SimTime start, SimTime end, nlohmann::json args = nlohmann::json::object());
  nlohmann::json to_json() const;

 private:
  std::vector<nlohmann::json> events_;
};

}  // namespace llmsim
