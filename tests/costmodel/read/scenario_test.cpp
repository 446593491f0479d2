#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "costmodel/account/memory.hpp"
#include "costmodel/read/scenario.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kSrc = LLMSIM_SOURCE_DIR;
const std::string kData = kSrc + "/scenarios";
const std::string kBad = kSrc + "/tests/data/bad_scenarios";

struct BadCase {
  std::string file;
  std::string expected;
};

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(' ');
  const auto b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<BadCase> bad_cases() {
  std::ifstream in(kBad + "/expected.txt");
  REQUIRE(in);
  std::vector<BadCase> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto bar = line.find('|');
    REQUIRE(bar != std::string::npos);
    out.push_back({trim(line.substr(0, bar)), trim(line.substr(bar + 1))});
  }
  return out;
}

// What `llmsim memory` does: parse, validate, and check the first phase fits.
void load_and_check(const std::string& path) {
  const Scenario s = load_scenario(path, {}, kData);
  const MemoryEstimate e = estimate_memory(s.model, memory_request(s, s.phases.front()));
  if (!e.fits()) throw UserError(e.overflow_message());
}

}  // namespace

TEST_CASE("Scenario: each bad scenario file gives its intended one-line error", "[scenario][bad]") {
  const auto cases = bad_cases();
  REQUIRE(cases.size() >= 30);
  for (const auto& c : cases) {
    INFO(c.file);
    try {
      load_and_check(kBad + "/" + c.file);
      FAIL("no error for " << c.file);
    } catch (const UserError& e) {
      const std::string msg = e.what();
      CHECK_THAT(msg, Catch::Contains(c.expected));
      CHECK(msg.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("Scenario: the DeepSeek-V3 scenario parses its plan, phases, ramp and references",
          "[scenario]") {
  const Scenario s = load_scenario(kData + "/deepseek-v3-pretrain.yaml", {}, kData);
  CHECK(s.model.name == "DeepSeek-V3");
  CHECK(s.cluster.gpus() == 2048);
  CHECK(s.gpu.name == "H800");
  CHECK(s.plan.pp == 16);
  CHECK(s.plan.ep == 64);
  CHECK(s.plan.dp == 128);
  CHECK(s.plan.zero_stage == 1);
  CHECK(s.plan.schedule == ScheduleMethod::kDualPipe);
  CHECK(s.precision.kind == RecipeKind::kFP8DeepSeek);
  CHECK(s.usd_per_gpu_hour == 2.0);
  REQUIRE(s.phases.size() == 3);
  const TrainingPhase& pre = s.phases[0];
  CHECK(pre.tokens == 14.8e12);
  REQUIRE(pre.ramp.has_value());
  CHECK(pre.ramp->from_sequences == 3072);
  CHECK(pre.ramp->to_sequences == 15360);
  CHECK(pre.ramp->over_tokens == 469e9);
  CHECK(pre.global_batch == 15360);
  // Context extension: 1000 steps of 1920 x 32K tokens; its plan overrides cp and dp only.
  const TrainingPhase& ext = s.phases[1];
  CHECK(ext.tokens == 1000.0 * 1920 * 32768);
  CHECK(ext.plan.cp == 8);
  CHECK(ext.plan.dp == 16);
  CHECK(ext.plan.pp == 16);
  CHECK(ext.plan.ep == 64);
  REQUIRE(s.reference.size() >= 4);
  for (const auto& r : s.reference) CHECK_FALSE(r.source.empty());
}

TEST_CASE("Scenario: --set overrides any field, and its errors say --set", "[scenario]") {
  const std::string file = kData + "/deepseek-v3-pretrain.yaml";
  const Scenario s = load_scenario(
      file, {"parallelism.zero=2", "training.phases.0.seq_len=8192", "cost.usd_per_gpu_hour=3.5"},
      kData);
  CHECK(s.plan.zero_stage == 2);
  CHECK(s.phases[0].seq_len == 8192);
  CHECK(s.usd_per_gpu_hour == 3.5);
  CHECK_THROWS_WITH(load_scenario(file, {"parallelism.pp=-1"}, kData),
                    Catch::StartsWith("--set parallelism.pp = -1: must be between 1 and 4096"));
  CHECK_THROWS_WITH(load_scenario(file, {"parallelism.ppp=2"}, kData),
                    Catch::StartsWith("--set: parallelism.ppp: unknown key"));
  CHECK_THROWS_WITH(load_scenario(file, {"training.phases.7.seq_len=1"}, kData),
                    Catch::Contains("training.phases is a list of 3"));
  CHECK_THROWS_WITH(load_scenario(file, {"precision"}, kData),
                    Catch::Contains("expected path.to.key=value"));
  CHECK_THROWS_WITH(load_scenario(file, {"model.layers.x=1"}, kData),
                    Catch::Contains("model is not a mapping"));
}

TEST_CASE("Scenario: tp x cp x pp past 2^31 is a user error, not an integer overflow",
          "[scenario][limits]") {
  // Found reviewing the readers for fuzz/: the product was an int; 1024 x 1024 x 4096
  // wrapped to 0 and the divisibility check divided by it (SIGFPE), 1024 x 1024 x 2048
  // printed -2147483648.
  const std::string file = kData + "/deepseek-v3-pretrain.yaml";
  CHECK_THROWS_WITH(load_scenario(file, {"parallelism={tp: 1024, cp: 1024, pp: 4096}"}, kData),
                    Catch::Contains("parallelism.dp: missing, and tp x cp x pp = 4294967296 does "
                                    "not divide the cluster's 2048 GPUs"));
  CHECK_THROWS_WITH(
      load_scenario(file, {"training.phases.1.parallelism={tp: 1024, cp: 1024, pp: 2048}"}, kData),
      Catch::Contains("tp x cp x pp = 2147483648 does not divide"));
}

TEST_CASE("Scenario: a trace file name too long for the file system is no such file",
          "[scenario][serving][limits]") {
  // Found reviewing the readers for fuzz/: std::filesystem threw "File name too long" past
  // the reader (exit 1, no file or line).
  const std::string file = kSrc + "/tests/data/serving_placeholder.yaml";
  const std::string set = "serving.traffic={arrivals: trace, trace_file: " + std::string(300, 'a') + "}";
  CHECK_THROWS_AS(load_scenario(file, {set}, kData), UserError);
  CHECK_THROWS_WITH(load_scenario(file, {set}, kData),
                    Catch::Contains("serving.traffic.trace_file = aaa") &&
                        Catch::Contains("(300 characters): no such file"));
}

TEST_CASE("Scenario: a user GPU from the hardware list backs an inline cluster", "[scenario]") {
  const Scenario s = load_scenario(kSrc + "/tests/data/custom_gpu_scenario.yaml", {}, kData);
  CHECK(s.gpu.name == "MyGPU");
  CHECK(s.gpu.hbm_bytes == 96e9);
  CHECK(s.gpu.fp8_tflops == 1000.0);
  // 8 GPUs, no tp / cp / pp given: dp is derived as 8; Mixtral's 8 experts over ep 8.
  CHECK(s.plan.dp == 8);
  CHECK(s.plan.ep == 8);
  CHECK(s.phases.front().micro_batches() == 2);
  // No clocks declared: none known, the profile runs at its data's clocks.
  CHECK(s.gpu.sustained_clock_mhz == 0.0);
  // Declared clocks: the run holds the sustained one, and says where it comes from.
  const Scenario c = load_scenario(
      kSrc + "/tests/data/custom_gpu_scenario.yaml",
      {"hardware.0.boost_clock_mhz=1800", "hardware.0.sustained_clock_mhz=1500",
       "hardware.0.clock_source=\"assumed: a test\""},
      kData);
  CHECK(c.gpu.boost_clock_mhz == 1800.0);
  CHECK(c.gpu.sustained_clock_mhz == 1500.0);
  CHECK(c.gpu.clock_source == "assumed: a test");
}

TEST_CASE("Scenario: a serving workload reads into its types", "[costmodel][scenario][serving]") {
  const std::string data = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";
  const Scenario s = load_scenario(std::string(LLMSIM_SOURCE_DIR) + "/tests/data/serving_placeholder.yaml",
                                   {"serving.traffic.requests_per_s=80"}, data);
  CHECK(s.workload == WorkloadKind::kServing);
  CHECK(s.phases.empty());
  REQUIRE(s.serving.deployments.size() == 2);
  CHECK(s.serving.deployments[0].role == "prefill");
  CHECK(s.serving.deployments[1].nodes == 18);
  CHECK(s.serving.traffic.requests_per_s == 80);
  CHECK(s.serving.traffic.prompt_tokens == 2000);
  CHECK(s.serving.targets.tpot_s == Approx(0.05));
  CHECK(s.gpu.name == "H800");
  CHECK_THROWS_WITH(require_training(s, "llmsim run"), Catch::Contains("a serving scenario"));
}
