#pragma once
// Reads a scenario's `reference:` list of published figures (describe/reference_figure.hpp):
//
//   reference:
//     - id: v3-pretrain-gpu-hours            # unique in the scenario
//       name: pre-training GPU hours         # optional; shown in tables (default: the id)
//       quantity: phase_gpu_hours            # what it measures (figure_quantity_list())
//       phases: [pre-training]               # a name or a list; see ReferenceFigure::phases
//       value: 2664000
//       unit: GPU-hours                      # optional; must be the quantity's unit
//       conditions: {model: DeepSeek-V3, gpu: H800, gpus: 2048, precision: fp8, tokens: 14.8e12}
//       source: "DeepSeek-V3 report (arXiv:2412.19437) p.5 Table 1"
//
// Errors name file, line and field.

#include <vector>

#include "costmodel/describe/reference_figure.hpp"
#include "costmodel/read/yaml_reader.hpp"

namespace llmsim {

// Reads root's `reference` key (absent: none).
std::vector<ReferenceFigure> read_reference_figures(YamlMap& root);

}  // namespace llmsim
