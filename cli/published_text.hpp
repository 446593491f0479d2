#pragma once
// Text the commands share: numbers for people (1.23M) and the published-figures table
// (figures beside ours, and those left out with why).

#include <string>
#include <vector>

#include "costmodel/estimate/published_figures.hpp"

namespace llmsim::cli {

std::string human(double v);
// A scenario's title after --set overrides: "deepseek-v3-pretrain with model=llama-3.1-405b,
// precision=bf16" (the name alone without them), so that a what-if never wears the title of
// the case it changed.
std::string scenario_title(const std::string& name, const std::vector<std::string>& overrides);
void print_published(const PublishedComparison& c);

}  // namespace llmsim::cli
