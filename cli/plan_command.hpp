#pragma once
// llmsim plan: what the command's two files share. plan_command.cpp reads the options, builds
// the hardware choices and runs the search; plan_text.cpp prints what it found.

#include <string>
#include <vector>

#include "costmodel/plan/plan_ranking.hpp"
#include "costmodel/plan/plan_search.hpp"

namespace llmsim::cli {

struct PlanReport {
  std::string scenario_file;
  const Scenario* scenario = nullptr;  // as loaded, before resizing
  const std::vector<plan::Hardware>* hardware = nullptr;
  const std::vector<calibration::Profile>* profiles = nullptr;
  const std::vector<plan::Candidate>* candidates = nullptr;
  const plan::SearchResult* result = nullptr;
  plan::SearchOptions options;
  std::vector<std::string> space_lines;  // the searched values, one field per line
  double search_seconds = 0.0;
};

void print_plan_text(const PlanReport& r);
void print_plan_json(const PlanReport& r);
void write_plan_csv(const PlanReport& r, const std::string& path);

}  // namespace llmsim::cli
