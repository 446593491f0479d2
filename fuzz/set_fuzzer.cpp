// The --set parser: each line of the input is one `path.to.key=value` override, applied to
// scenarios/deepseek-v3-pretrain.yaml as `llmsim run --set ...` applies them
// (apply_overrides, then read_scenario).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "costmodel/read/scenario.hpp"
#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

namespace {

const std::string kDataDir = LLMSIM_SOURCE_DIR "/scenarios";
const std::string kScenario = kDataDir + "/deepseek-v3-pretrain.yaml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const YAML::Node scenario = llmsim::load_yaml_file(kScenario);
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    overrides.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  try {
    YAML::Node root = YAML::Clone(scenario);
    llmsim::apply_overrides(root, overrides, kScenario, kDataDir);
    (void)llmsim::read_scenario(root, kScenario, kDataDir);
  } catch (const llmsim::UserError&) {
    // bad input, told as such: the expected outcome
  }
  return 0;
}
