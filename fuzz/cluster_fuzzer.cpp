// The cluster reader: the input is the text of a cluster file (what load_cluster_file does:
// load_yaml_string, then read_cluster).
#include <cstddef>
#include <cstdint>
#include <string>

#include "costmodel/read/cluster_file.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    llmsim::YamlMap m(llmsim::load_yaml_string(text, "fuzz.yaml"), "fuzz.yaml", "");
    (void)llmsim::read_cluster(m);
  } catch (const llmsim::UserError&) {
    // bad input, told as such: the expected outcome
  }
  return 0;
}
