// The Chrome trace of a training step (llmsim run --trace), read back as Perfetto reads it:
// no two slices of a track overlap once times are integer nanoseconds, and every flow arrow
// joins two slices that exist, the producer ending before the consumer starts.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "costmodel/estimate/training/run_estimate.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/estimate/training/step_streams.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

using Track = std::pair<int, int>;  // (pid, tid)

struct Slice {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::string name;
};

// A trace time (microseconds) in nanoseconds; it must be a whole number of them.
std::int64_t to_ns(const nlohmann::json& us) {
  const double ns = us.get<double>() * 1e3;
  REQUIRE(std::fabs(ns - std::round(ns)) < 1e-3);
  return std::llround(ns);
}

nlohmann::json deepseek_trace(const std::vector<std::string>& overrides) {
  const Scenario s = load_scenario(kData + "/deepseek-v3-pretrain.yaml", overrides, kData);
  const StepResult r = simulate_step(s, s.phases.front(), scenario_profile(s));
  return nlohmann::json::parse(step_trace_json(r));
}

std::map<Track, std::vector<Slice>> slices_by_track(const nlohmann::json& trace) {
  std::map<Track, std::vector<Slice>> tracks;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const std::int64_t start = to_ns(e["ts"]);
    tracks[{e["pid"].get<int>(), e["tid"].get<int>()}].push_back(
        {start, start + to_ns(e["dur"]), e["name"].get<std::string>()});
  }
  for (auto& [track, slices] : tracks) {
    std::sort(slices.begin(), slices.end(),
              [](const Slice& a, const Slice& b) { return a.start_ns < b.start_ns; });
  }
  return tracks;
}

// The slice of `track` whose interior holds `ns`, or null.
const Slice* enclosing(const std::map<Track, std::vector<Slice>>& tracks, const Track& track,
                       std::int64_t ns) {
  const auto it = tracks.find(track);
  if (it == tracks.end()) return nullptr;
  for (const Slice& s : it->second) {
    if (s.start_ns < ns && ns < s.end_ns) return &s;
  }
  return nullptr;
}

void check_no_overlap(const std::map<Track, std::vector<Slice>>& tracks) {
  std::size_t slices = 0;
  for (const auto& [track, list] : tracks) {
    slices += list.size();
    for (std::size_t i = 1; i < list.size(); ++i) {
      INFO("pid " << track.first << " tid " << track.second << ": " << list[i - 1].name
                  << " ends at " << list[i - 1].end_ns << " ns, " << list[i].name
                  << " starts at " << list[i].start_ns << " ns");
      REQUIRE(list[i - 1].end_ns <= list[i].start_ns);
    }
  }
  CHECK(slices > 1000);
}

struct FlowCount {
  std::size_t total = 0;
  std::size_t across_ranks = 0;
  std::size_t across_tracks = 0;
};

// Every id has one "s" and one "f" ("bp":"e"), each inside a slice of its track; the producer
// ends no later than the consumer starts.
FlowCount check_flows(const nlohmann::json& trace, const std::map<Track, std::vector<Slice>>& tracks) {
  std::map<std::uint64_t, std::pair<nlohmann::json, nlohmann::json>> flows;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "s") {
      REQUIRE(flows[e["id"].get<std::uint64_t>()].first.is_null());
      flows[e["id"].get<std::uint64_t>()].first = e;
    } else if (e["ph"] == "f") {
      REQUIRE(e["bp"] == "e");
      REQUIRE(flows[e["id"].get<std::uint64_t>()].second.is_null());
      flows[e["id"].get<std::uint64_t>()].second = e;
    }
  }
  FlowCount n;
  for (const auto& [id, ends] : flows) {
    INFO("flow " << id);
    REQUIRE(!ends.first.is_null());
    REQUIRE(!ends.second.is_null());
    const Track from{ends.first["pid"].get<int>(), ends.first["tid"].get<int>()};
    const Track to{ends.second["pid"].get<int>(), ends.second["tid"].get<int>()};
    const Slice* producer = enclosing(tracks, from, to_ns(ends.first["ts"]));
    const Slice* consumer = enclosing(tracks, to, to_ns(ends.second["ts"]));
    REQUIRE(producer != nullptr);
    REQUIRE(consumer != nullptr);
    INFO(producer->name << " -> " << consumer->name);
    CHECK(producer->end_ns <= consumer->start_ns);
    ++n.total;
    if (from.first != to.first) ++n.across_ranks;
    if (from != to) ++n.across_tracks;
  }
  return n;
}

}  // namespace

TEST_CASE("step_trace_json: no slices overlap on a track, in integer nanoseconds",
          "[costmodel][training][trace]") {
  for (const char* schedule : {"dualpipe", "1f1b", "zb1p"}) {
    INFO(schedule);
    const nlohmann::json trace =
        deepseek_trace({std::string("parallelism.schedule=") + schedule});
    check_no_overlap(slices_by_track(trace));
  }
}

TEST_CASE("step_trace_json: flow arrows join dependent slices that exist",
          "[costmodel][training][trace]") {
  for (const char* schedule : {"dualpipe", "1f1b"}) {
    INFO(schedule);
    const nlohmann::json trace =
        deepseek_trace({std::string("parallelism.schedule=") + schedule});
    const FlowCount n = check_flows(trace, slices_by_track(trace));
    // PP16 with 120 micro-batches: a forward and a backward hand-over per micro-batch and
    // stage pair (2 x 120 x 15), plus one turn per micro-batch, plus communication hand-overs.
    CHECK(n.across_ranks >= 2 * 120 * 15);
    CHECK(n.total > n.across_ranks + 120);
    CHECK(n.across_tracks > n.across_ranks);  // communication -> computation on one rank
  }
}
