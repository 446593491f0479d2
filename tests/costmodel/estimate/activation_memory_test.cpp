// Activation memory per transformer layer against Korthikanti et al. 2022 (arXiv:2205.05198)
// Table 2, for the GPT layer those formulas describe: 16-bit activations, GELU MLP of 4h,
// unfused attention with dropout (1-byte masks), a = heads, s = sequence, b = micro-batch,
// h = hidden, t = tensor-parallel size:
//   TP, no SP, no recompute:          s b h (10 + 24 / t + 5 a s / (h t))
//   TP + SP, no recompute:            s b h (34 / t + 5 a s / (h t))
//   TP + SP + selective (attention):  s b h (34 / t)
//   full recompute:                   2 s b h (the layer's input only)
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "costmodel/account/operator_account.hpp"
#include "costmodel/estimate/training/step_model.hpp"
#include "costmodel/read/scenario.hpp"

using namespace llmsim;

namespace {

const std::string kData = std::string(LLMSIM_SOURCE_DIR) + "/scenarios";

// GPT 22B of Korthikanti's Table 3 (h 6144, a 64, s 2048), micro-batch 4, TP8.
double layer_bytes(const std::vector<std::string>& extra) {
  std::vector<std::string> o = {"parallelism.tp=8"};
  o.insert(o.end(), extra.begin(), extra.end());
  const Scenario s =
      load_scenario(kData + "/validation/korthikanti2022-22b-8gpu-selective.yaml", o, kData);
  const ModelAccount a = account_model(s.model, account_request(s, s.phases.front()));
  return a.find(LayerKind::kDense)->saved_bytes();
}

constexpr double s = 2048, b = 4, h = 6144, a = 64, t = 8;
constexpr double sbh = s * b * h;

}  // namespace

TEST_CASE("Activation memory per layer follows Korthikanti et al. 2022 Table 2", "[memory]") {
  SECTION("tensor parallel, no sequence parallelism, no recomputation") {
    const double expected = sbh * (10 + 24 / t + 5 * a * s / (h * t));
    CHECK(layer_bytes({"parallelism.sp=false", "training.recompute=none"}) ==
          Approx(expected).epsilon(0.05));
  }
  SECTION("tensor and sequence parallel, no recomputation") {
    const double expected = sbh * (34 / t + 5 * a * s / (h * t));
    CHECK(layer_bytes({"parallelism.sp=true", "training.recompute=none"}) ==
          Approx(expected).epsilon(0.05));
  }
  SECTION("tensor and sequence parallel, selective (attention) recomputation") {
    const double expected = sbh * 34 / t;
    CHECK(layer_bytes({"parallelism.sp=true", "training.recompute=attention"}) ==
          Approx(expected).epsilon(0.05));
  }
  SECTION("full recomputation keeps the layer's input") {
    const double expected = 2 * sbh / t;  // with SP the input is sharded over t
    CHECK(layer_bytes({"parallelism.sp=true", "training.recompute=full"}) ==
          Approx(expected).epsilon(0.05));
  }
}
