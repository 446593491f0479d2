#pragma once
// What `llmsim plan` was asked, as its options gave it (text), and what it is built into: the
// fleet (each GPU type at each count, its scenario and kernel profile), the space and the
// objective. Kept with the results store (ResultStore::save_request), so that another front
// end (llmsim-gui) opens a search's file, rebuilds exactly its candidates and reads its rows.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "costmodel/describe/scenario.hpp"
#include "costmodel/plan/plan_search.hpp"
#include "costmodel/plan/plan_space.hpp"
#include "costmodel/time/calibration/profile.hpp"

namespace llmsim::plan {

struct PlanRequest {
  std::string scenario;                // the scenario file
  std::vector<std::string> overrides;  // --set path=value, in order
  double tokens = 0.0;                 // --tokens: the first phase alone, with this many
  double deadline_days = 0.0;          // 0: none
  double budget_usd = 0.0;             // 0: none
  std::string gpus;                    // "MIN:MAX" or a list; empty: the scenario's count
  std::string gpu_types;               // "H800,H100"; empty: the scenario's GPU
  std::vector<std::string> prices;     // "H100=2.5"
  std::string objective = "cost";      // cost | time | pareto
  int top = 5;
  // The space, each a comma-separated list; empty: the default.
  std::string tp, pp, vpp, ep, micro_batch, zero, schedules, recompute, precisions;
  std::size_t batch = kDefaultBatch;   // candidates per committed batch
};

struct Fleet {
  std::vector<Hardware> hardware;
  std::vector<calibration::Profile> profiles;  // one per hardware entry
};

// --tokens: the first phase alone, with that many tokens (nothing when tokens <= 0).
void set_tokens(Scenario& s, double tokens);
// The scenario as the search sees it: loaded with the overrides, --tokens applied.
Scenario request_scenario(const PlanRequest& r, const std::string& data_dir);
// Each GPU type at each count: the scenario's cluster for its own GPU, otherwise the catalog's
// cluster file for that GPU (the one with most nodes), resized; the GPU's published profile.
Fleet build_fleet(const PlanRequest& r, const Scenario& base, const std::string& data_dir);
PlanSpace build_space(const PlanRequest& r, const Scenario& s);
// Objective, limits, top and batch (threads, stop and the rest are the caller's).
SearchOptions request_search_options(const PlanRequest& r);
// Identifies the search in its store: the version, the scenario file's digest and every option
// that changes a candidate or its outcome.
std::string request_fingerprint(const PlanRequest& r);
// Its part shared with the serving search's: the scenario file's digest, --set, --gpu-types and
// --price.
std::string scenario_fingerprint(const PlanRequest& r);

std::string request_json(const PlanRequest& r);
// UserError naming `where` when the text is not a request.
PlanRequest request_from_json(const std::string& text, const std::string& where);

// Helpers shared with the serving search's options and fingerprint.
std::uint64_t fnv1a(const std::string& text);
std::string lower(std::string s);
std::vector<std::string> split(const std::string& text, char sep);
int parse_int(const std::string& option, const std::string& text, int min = 1);
std::vector<int> parse_ints(const std::string& option, const std::string& text, int min = 1);

}  // namespace llmsim::plan
