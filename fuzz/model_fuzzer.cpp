// The model readers: the input is read both as a model YAML file (what load_model_file does:
// load_yaml_string, then read_model) and as a Hugging Face config.json (read_hf_config, what
// load_hf_config does with the file's text). Relative hf_config paths resolve against
// tests/data, where the seed corpus's config.json files live.
#include <cstddef>
#include <cstdint>
#include <string>

#include "costmodel/read/model_file.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    llmsim::YamlMap m(llmsim::load_yaml_string(text, "fuzz.yaml"), "fuzz.yaml", "");
    (void)llmsim::read_model(m, LLMSIM_SOURCE_DIR "/tests/data");
  } catch (const llmsim::UserError&) {
    // bad input, told as such: the expected outcome
  }
  try {
    (void)llmsim::read_hf_config(text, "fuzz/config.json");
  } catch (const llmsim::UserError&) {
  }
  return 0;
}
