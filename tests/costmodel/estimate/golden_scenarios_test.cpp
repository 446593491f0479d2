// Golden tests: each shipped training scenario's summary figures, checked in under
// tests/data/golden/. A change that moves a number must update the file on purpose:
//   LLMSIM_UPDATE_GOLDEN=1 ./build/tests/training_tests "[golden]"
// rewrites them; review the diff before committing it.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "costmodel/read/scenario.hpp"
#include "costmodel/estimate/training/run_estimate.hpp"

using namespace llmsim;

namespace {

const std::string kSource = LLMSIM_SOURCE_DIR;

nlohmann::json summary(const std::string& scenario) {
  const std::string data = kSource + "/scenarios";
  const Scenario s = load_scenario(data + "/" + scenario + ".yaml", {}, data);
  const RunEstimate r = estimate_run(s, scenario_profile(s));
  const StepResult& st = r.phases.front().step;
  nlohmann::json phases = nlohmann::json::object();
  for (const auto& p : r.phases) phases[p.name] = p.gpu_hours;
  return {{"step_time_s", st.step_time_s},
          {"tokens_per_second", st.tokens_per_second},
          {"mfu_bf16_causal", st.mfu_bf16_causal},
          {"mfu_bf16_full", st.mfu_bf16_full},
          {"compute_s", st.breakdown.compute_s},
          {"exposed_comm_s", st.breakdown.exposed_comm_s},
          {"bubble_s", st.breakdown.bubble_s},
          {"gpu_hours_per_trillion_tokens", r.gpu_hours_per_trillion_tokens},
          {"total_gpu_hours", r.total_gpu_hours},
          {"total_cost_usd", r.total_cost_usd},
          {"peak_memory_gib", st.peak_memory_bytes / (1024.0 * 1024.0 * 1024.0)},
          {"phase_gpu_hours", phases}};
}

void check_golden(const std::string& scenario) {
  const std::string path = kSource + "/tests/data/golden/" + scenario + ".json";
  const nlohmann::json now = summary(scenario);
  if (const char* u = std::getenv("LLMSIM_UPDATE_GOLDEN"); u != nullptr && std::string(u) == "1") {
    std::ofstream(path) << now.dump(2) << "\n";
    WARN("updated " << path);
    return;
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json golden = nlohmann::json::parse(ss.str());
  for (const auto& [key, value] : golden.items()) {
    INFO(scenario << ": " << key);
    REQUIRE(now.contains(key));
    if (value.is_object()) {
      for (const auto& [k2, v2] : value.items()) {
        INFO(k2);
        CHECK(now[key][k2].get<double>() == Approx(v2.get<double>()).epsilon(1e-9));
      }
    } else {
      CHECK(now[key].get<double>() == Approx(value.get<double>()).epsilon(1e-9));
    }
  }
}

}  // namespace

TEST_CASE("Golden: DeepSeek-V3 pre-training summary", "[costmodel][training][golden]") {
  check_golden("deepseek-v3-pretrain");
}

TEST_CASE("Golden: Llama 3.1 405B pre-training summary", "[costmodel][training][golden]") {
  check_golden("llama-3.1-405b-pretrain");
}
