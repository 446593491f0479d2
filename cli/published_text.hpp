#pragma once
// Text the commands share: numbers for people (1.23M) and the published-figures table
// (figures beside ours, and those left out with why).

#include <string>

#include "costmodel/estimate/published_figures.hpp"

namespace llmsim::cli {

std::string human(double v);
void print_published(const PublishedComparison& c);

}  // namespace llmsim::cli
