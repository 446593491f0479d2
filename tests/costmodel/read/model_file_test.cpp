#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "costmodel/read/model_file.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";
const std::string kHf = std::string(LLMSIM_SOURCE_DIR) + "/tests/data/hf";

std::string error_of(const std::string& json) {
  try {
    (void)read_hf_config(json, "x/config.json");
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("config.json: the text reads as the file does", "[model][hf]") {
  const std::string path = kHf + "/deepseek-v3/config.json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const ModelSpec from_text = read_hf_config(text.str(), path);
  const ModelSpec from_file = load_hf_config(path);
  CHECK(from_text.name == "deepseek-v3");
  CHECK(from_text.name == from_file.name);
  CHECK(from_text.source == from_file.source);
  CHECK(from_text.layers == from_file.layers);
  CHECK(from_text.mla.kv_lora_rank == from_file.mla.kv_lora_rank);
  CHECK(from_text.moe.routed_experts == from_file.moe.routed_experts);
}

TEST_CASE("config.json: deep nesting, too many values and huge values give one short error",
          "[model][hf][limits]") {
  // Arrays nested 100,000 deep overflowed the stack (a 200 kB file crashed `llmsim model`).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(error_of(R"({"model_type": "llama", "x": )" + deep + "}") ==
        "x/config.json: JSON nested deeper than 64 levels");
  CHECK(error_of(R"({"model_type": "llama", "num_hidden_layers": )" + deep + "}") ==
        "x/config.json: JSON nested deeper than 64 levels");
  // Nesting within the limit still reads (real configs nest rope_scaling and the like).
  CHECK(error_of(R"({"model_type": "llama", "x": [[[{"y": [1]}]]]})") ==
        "x/config.json: num_hidden_layers: missing; this key is required");
  std::string many = R"({"model_type": "llama", "x": [0)";
  for (int i = 0; i < 1'000'000; ++i) many += ",0";
  CHECK(error_of(many + "]}") == "x/config.json: more than 1000000 JSON values");
  // A value is quoted in at most 80 characters, as YAML values are.
  const std::string wide = "[" + std::string(60, '[') + std::string(60, ']') + "]";
  const std::string e = error_of(R"({"model_type": "llama", "num_hidden_layers": )" + wide + "}");
  CHECK_THAT(e, Catch::StartsWith("x/config.json: num_hidden_layers = [[[") &&
                    Catch::Contains("...(122 characters): expected a whole number"));
  CHECK(e.size() < 200);
  const std::string type = error_of(R"({"model_type": ")" + std::string(100000, 'q') + R"("})");
  CHECK_THAT(type, Catch::Contains("(100000 characters): allowed: llama"));
  CHECK_THAT(error_of(std::string(17u << 20, ' ')),
             Catch::Contains("x/config.json: 17825792 bytes of JSON; at most 16777216"));
}

TEST_CASE("Model: a missing model file's name is quoted, not echoed whole", "[model][limits]") {
  const std::string name = std::string(100000, 'm') + ".json";
  try {
    (void)load_model(name, kData);
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK_THAT(e.what(), Catch::EndsWith("...(100005 characters): no such file"));
    CHECK(std::string(e.what()).size() < 200);
  }
}
