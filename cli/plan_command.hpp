#pragma once
// llmsim plan: what the command's two files share. plan_command.cpp reads the options, builds
// the hardware choices and runs the search; plan_text.cpp prints what it found.

#include <string>
#include <vector>

#include "costmodel/plan/plan_ranking.hpp"
#include "costmodel/plan/plan_search.hpp"
#include "costmodel/plan/serving_plan.hpp"

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

// A serving scenario's deployment search (plan_serving_text.cpp prints it).
struct ServingPlanReport {
  std::string scenario_file;
  const Scenario* scenario = nullptr;  // as loaded
  const std::vector<plan::Hardware>* hardware = nullptr;
  const std::vector<plan::ServingCandidate>* candidates = nullptr;
  const std::vector<plan::ServingOutcome>* outcomes = nullptr;
  bool by_nodes = false;
  int top = 5;
  plan::ServingSpace space;
  double search_seconds = 0.0;
};

void print_serving_plan_text(const ServingPlanReport& r);
void print_serving_plan_json(const ServingPlanReport& r);
void write_serving_plan_csv(const ServingPlanReport& r, const std::string& path);

void print_plan_text(const PlanReport& r);
void print_plan_json(const PlanReport& r);
void write_plan_csv(const PlanReport& r, const std::string& path);

}  // namespace llmsim::cli
