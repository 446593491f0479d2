// The scenario reader: the input is the text of a scenario file, read as `llmsim run` reads one
// (load_yaml_string, then read_scenario with the repository's scenarios/ as the data folder).
// Paths in it (model files, cluster files, calibration) resolve against the working directory,
// the repository root under scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>

#include "costmodel/read/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)llmsim::read_scenario(llmsim::load_yaml_string(text, "fuzz.yaml"), "fuzz.yaml",
                                LLMSIM_SOURCE_DIR "/scenarios");
  } catch (const llmsim::UserError&) {
    // bad input, told as such: the expected outcome
  }
  return 0;
}
