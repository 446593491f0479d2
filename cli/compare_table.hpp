#pragma once
// A Comparison (costmodel/estimate/compare) as text: one row per figure, by the names the
// GUI's table uses, one column per case; the best value in each row starred (never on a plan
// that does not fit in GPU memory), and the plans that do not fit listed with how much over.
// `llmsim compare` and `llmsim schedule --compare` print it.

#include "costmodel/estimate/compare/comparison.hpp"

namespace llmsim::cli {

void print_comparison(const Comparison& c);

}  // namespace llmsim::cli
