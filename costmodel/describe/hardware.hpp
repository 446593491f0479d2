#pragma once
// GpuSpec: one GPU model's peak figures, and the built-in catalog (H800, H100, H200,
// A100-80GB, B200) with the values and sources of scenarios/reference/hardware_specs.csv.
// Users add their own GPUs in a scenario's `hardware:` list (read_gpu).

#include <optional>
#include <string>
#include <vector>

#include "costmodel/read/yaml_reader.hpp"

namespace llmsim {

struct GpuSpec {
  std::string name;                 // catalog name, e.g. "H800"
  double bf16_tflops = 0.0;         // dense BF16/FP16 tensor-core peak, 1e12 FLOP/s
  double fp8_tflops = 0.0;          // dense FP8 peak; 0: the GPU has no FP8 tensor cores
  double tf32_tflops = 0.0;         // dense TF32 peak
  double hbm_bytes = 0.0;           // HBM capacity in bytes (catalog GB x 1e9)
  double hbm_bytes_per_second = 0.0;
  double nvlink_gbps_bidirectional = 0.0;  // total NVLink bandwidth per GPU, GB/s, both directions
  int sm_count = 0;
  std::string source;               // where the figures come from
  // SM clocks, MHz (0: not known): the clock the peak figures are quoted at, and the clock
  // the GPU holds under sustained dense tensor-core load (power / thermal limits).
  double boost_clock_mhz = 0.0;
  double sustained_clock_mhz = 0.0;
  std::string clock_source;

  bool has_fp8() const { return fp8_tflops > 0.0; }
};

// The built-in catalog, in a fixed order. A fresh vector each call: no global state.
std::vector<GpuSpec> builtin_gpus();

// Finds `name` among `extra` (user GPUs, searched first) and the built-in catalog. Matching
// ignores case. Returns nullopt if unknown.
std::optional<GpuSpec> find_gpu(const std::string& name, const std::vector<GpuSpec>& extra = {});

// The known names, comma separated, for error messages.
std::string gpu_name_list(const std::vector<GpuSpec>& extra = {});

// Reads one user GPU:
//   name: MyGPU   bf16_tflops: 500   fp8_tflops: 1000   tf32_tflops: 250   hbm_gb: 96
//   hbm_tbps: 4   nvlink_gbps: 900   sm_count: 100      source: "..."
GpuSpec read_gpu(YamlMap& map);

}  // namespace llmsim
