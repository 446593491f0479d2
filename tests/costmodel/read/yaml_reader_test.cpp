#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "costmodel/read/yaml_reader.hpp"
#include "sim/check.hpp"

using namespace llmsim;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("YamlMap: typed reads with file, line and key in every error", "[costmodel][yaml]") {
  const std::string text =
      "parallelism:\n"
      "  pp: 16\n"
      "  dp: -3\n"
      "  schedule: dualpipe\n"
      "name: x\n";
  YamlMap root(load_yaml_string(text, "s.yaml"), "s.yaml", "");
  YamlMap par = root.map("parallelism");
  CHECK(par.integer("pp", 1, 4096) == 16);
  CHECK(error_of([&] { par.integer("dp", 1, 1 << 20); }) ==
        "s.yaml:3: parallelism.dp = -3: must be between 1 and 1048576");
  CHECK(error_of([&] { par.choice("schedule", {"1f1b", "dualpip"}); }) ==
        "s.yaml:4: parallelism.schedule = dualpipe: did you mean 'dualpip'? allowed: 1f1b, dualpip");
  CHECK(error_of([&] { par.integer("tp", 1, 8); }) ==
        "s.yaml:2: parallelism.tp: missing; this key is required");
  CHECK(par.integer_or("tp", 1, 1, 8) == 1);
  CHECK(error_of([&] { root.number("name", 0, 1); }) == "s.yaml:5: name = x: expected a number");
}

TEST_CASE("YamlMap: unknown keys suggest the closest known key", "[costmodel][yaml]") {
  YamlMap m(load_yaml_string("pp: 2\nschedul: 1f1b\n", "f.yaml"), "f.yaml", "parallelism");
  m.integer("pp", 1, 8);
  CHECK(error_of([&] { m.finish({"pp", "schedule"}); }) ==
        "f.yaml:2: parallelism.schedul: unknown key; did you mean 'schedule'?; allowed: pp, "
        "schedule");
}

TEST_CASE("YamlMap: broken YAML and missing files are one clear error", "[costmodel][yaml]") {
  CHECK(error_of([] { load_yaml_string("a: [1, 2\nb: 3\n", "bad.yaml"); }).rfind("bad.yaml:", 0) == 0);
  CHECK(error_of([] { load_yaml_file("/no/such/file.yaml"); }) ==
        "/no/such/file.yaml: no such file");
  CHECK(error_of([] { YamlMap(load_yaml_string("- 1\n- 2\n", "l.yaml"), "l.yaml", ""); }) ==
        "l.yaml:1: document: expected a mapping of keys to values");
  YamlMap m(load_yaml_string("x: 1.5\ny: 1e400\n", "n.yaml"), "n.yaml", "");
  CHECK(error_of([&] { m.integer("x", 0, 10); }) ==
        "n.yaml:1: x = 1.5: expected a whole number between 0 and 10");
  CHECK(error_of([&] { m.number("y", 0, 10); }) == "n.yaml:2: y = 1e400: expected a number");
}

TEST_CASE("YAML limits: self-containing aliases, alias bombs and huge values give one error",
          "[costmodel][yaml][limits]") {
  // A mapping that contains itself through an alias (was a stack overflow).
  CHECK_THROWS_WITH(load_yaml_string("&a {x: *a}", "--set cluster"),
                    Catch::Contains("--set cluster: YAML nested deeper than 64 levels"));
  // Nesting past yaml-cpp's own parser limit says so (was "broken YAML: bad file").
  CHECK_THROWS_WITH(load_yaml_string("x: " + std::string(100000, '['), "deep.yaml"),
                    Catch::StartsWith("deep.yaml:1: YAML nested deeper than 64 levels"));
  // "Billion laughs": 9 levels of 9 aliases each expand to 9^9 values (was a hang).
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 9; ++j) bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  CHECK_THROWS_WITH(load_yaml_string(bomb, "bomb.yaml"),
                    Catch::Contains("bomb.yaml: more than 1000000 YAML values once aliases are expanded"));
  // Aliases within the limits still work (the shipped scenarios share conditions this way).
  const YAML::Node ok = load_yaml_string("a: &c {gpus: 8}\nb: *c\n", "ok.yaml");
  CHECK(ok["b"]["gpus"].as<int>() == 8);
  // A 1 MB value is quoted in 80 characters, not echoed whole.
  YAML::Node doc = load_yaml_string("tp: " + std::string(1 << 20, '7') + "x\n", "big.yaml");
  YamlMap m(doc, "big.yaml", "");
  try {
    (void)m.integer("tp", 1, 64);
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).size() < 300);
    CHECK_THAT(e.what(), Catch::Contains("(1048577 characters)"));
  }
  CHECK_THROWS_WITH(load_yaml_string(std::string(17u << 20, ' '), "huge.yaml"),
                    Catch::Contains("huge.yaml: 17825792 bytes of YAML; at most 16777216"));
}

TEST_CASE("did_you_mean: a beginning names its word, else the nearest by edits", "[costmodel][yaml]") {
  const std::vector<std::string> gpus{"h800", "h100", "h200", "a100-80gb", "a100-40gb", "b200"};
  CHECK(did_you_mean("a100", gpus) == "a100-80gb");  // not h100, one edit away
  CHECK(did_you_mean("h80", gpus) == "h800");
  CHECK(did_you_mean("h300", gpus) == "h800");       // one edit: the first nearest
  CHECK(did_you_mean("x", gpus).empty());
  CHECK(did_you_mean("zzzz", gpus).empty());
  CHECK(did_you_mean("serv", {"run", "serve", "schedule"}) == "serve");
  CHECK(did_you_mean_clause("serv", {"serve"}) == "; did you mean 'serve'?");
  CHECK(did_you_mean_clause("zzzz", {"serve"}).empty());
}
