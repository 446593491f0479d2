#include "costmodel/read/reference_reader.hpp"

#include <cctype>

#include <fmt/format.h>

#include "sim/pipeline/schedules/schedule.hpp"

namespace llmsim {

namespace {

std::optional<int> int_if(YamlMap& m, const char* key, std::int64_t max) {
  if (!m.has(key)) {
    m.accept(key);
    return std::nullopt;
  }
  return static_cast<int>(m.integer(key, 1, max));
}

std::optional<std::string> text_if(YamlMap& m, const char* key) {
  if (!m.has(key)) {
    m.accept(key);
    return std::nullopt;
  }
  return m.string(key);
}

std::optional<std::string> schedule_if(YamlMap& m) {
  std::optional<std::string> s = text_if(m, "schedule");
  if (!s) return s;
  const auto method = parse_schedule_method(*s);
  if (!method) m.fail("schedule", fmt::format("allowed: {}", schedule_method_list()));
  return std::string(schedule_method_name(*method));
}

FigureConditions read_conditions(YamlMap& m) {
  FigureConditions c;
  c.model = text_if(m, "model");
  c.gpu = text_if(m, "gpu");
  c.gpus = int_if(m, "gpus", 1 << 24);
  if (m.has("precision")) c.precision = m.choice("precision", {"fp8", "bf16", "fp16"});
  else m.accept("precision");
  if (m.has("tokens")) c.tokens = m.number("tokens", 1.0, 1e16);
  else m.accept("tokens");
  if (m.has("seq_len")) c.seq_len = m.integer("seq_len", 1, 1LL << 24);
  else m.accept("seq_len");
  c.tp = int_if(m, "tp", 1 << 16);
  c.pp = int_if(m, "pp", 1 << 16);
  c.dp = int_if(m, "dp", 1 << 24);
  c.ep = int_if(m, "ep", 1 << 16);
  c.cp = int_if(m, "cp", 1 << 16);
  c.schedule = schedule_if(m);
  if (m.has("usd_per_gpu_hour")) c.usd_per_gpu_hour = m.number("usd_per_gpu_hour", 0.0, 1e4);
  else m.accept("usd_per_gpu_hour");
  c.prefill_nodes = int_if(m, "prefill_nodes", 1 << 16);
  c.decode_nodes = int_if(m, "decode_nodes", 1 << 16);
  c.prefill_ep = int_if(m, "prefill_ep", 1 << 20);
  c.decode_ep = int_if(m, "decode_ep", 1 << 20);
  if (m.has("daily_input_tokens")) c.daily_input_tokens = m.number("daily_input_tokens", 0.0, 1e18);
  else m.accept("daily_input_tokens");
  if (m.has("daily_output_tokens")) c.daily_output_tokens = m.number("daily_output_tokens", 0.0, 1e18);
  else m.accept("daily_output_tokens");
  m.finish({"model", "gpu", "gpus", "precision", "tokens", "seq_len", "tp", "pp", "dp", "ep", "cp",
            "schedule", "usd_per_gpu_hour", "prefill_nodes", "decode_nodes", "prefill_ep",
            "decode_ep", "daily_input_tokens", "daily_output_tokens"});
  return c;
}

std::vector<std::string> read_phase_names(YamlMap& m) {
  std::vector<std::string> names;
  if (!m.has("phases")) {
    m.accept("phases");
    return names;
  }
  if (m.node()["phases"].IsScalar()) return {m.string("phases")};
  for (const YAML::Node& n : m.sequence("phases")) {
    if (!n.IsScalar() || n.Scalar().empty()) m.fail("phases", "a phase name or a list of phase names");
    names.push_back(n.Scalar());
  }
  return names;
}

FigureQuantity read_quantity(YamlMap& m) {
  const std::string q = m.string("quantity");
  const auto quantity = parse_figure_quantity(q);
  if (!quantity) {
    const std::string hint = did_you_mean(q, {"step_time", "mfu_bf16", "tflops_per_gpu",
        "tokens_per_second", "phase_gpu_hours", "phase_cost", "total_gpu_hours", "total_cost",
        "gpu_hours_per_trillion_tokens", "days_per_trillion_tokens"});
    m.fail("quantity", fmt::format("{}allowed: {}", hint.empty() ? "" : "did you mean '" + hint + "'? ",
                                   figure_quantity_list()));
  }
  return *quantity;
}

// The convention a figure's name is tagged with ("[MEG3] TFLOP/s ..."), if the tag names one.
std::optional<FlopConvention> tagged_convention(const std::string& name) {
  if (name.empty() || name.front() != '[') return std::nullopt;
  const std::size_t end = name.find(']');
  if (end == std::string::npos) return std::nullopt;
  std::string tag = name.substr(1, end - 1);
  for (char& ch : tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto c = parse_flop_convention(tag);
  if (c == FlopConvention::kLlmsim) return std::nullopt;
  return c;
}

// How the figure's FLOPs were counted (scenarios/validation/README.md, "FLOP / MFU
// conventions"): only FLOP quantities have one, and a tag in the name must agree with it.
FlopConvention read_convention(YamlMap& r, const ReferenceFigure& f) {
  const std::string text = r.choice_or("convention", "llmsim", flop_convention_names());
  const FlopConvention c = *parse_flop_convention(text);
  if (c != FlopConvention::kLlmsim && !counts_flops(f.quantity)) {
    r.fail("convention", fmt::format("{} does not count FLOPs; a convention applies to "
                                     "tflops_per_gpu, mfu_bf16, hfu_bf16 and mfu_fp8 figures",
                                     figure_quantity_name(f.quantity)));
  }
  const auto tagged = tagged_convention(f.name);
  if (tagged && *tagged != c) {
    const std::string what =
        fmt::format("the figure's name is tagged [{}]; give convention: {}",
                    flop_convention_tag(*tagged), flop_convention_name(*tagged));
    if (r.has("convention")) r.fail("convention", what);
    r.fail("convention", "missing (llmsim by default): " + what);
  }
  return c;
}

ReferenceFigure read_figure(YamlMap& r) {
  ReferenceFigure f;
  f.id = r.string("id");
  f.name = r.string_or("name", f.id);
  f.quantity = read_quantity(r);
  f.phases = read_phase_names(r);
  const bool phase_quantity =
      f.quantity == FigureQuantity::kPhaseGpuHours || f.quantity == FigureQuantity::kPhaseCost;
  if (phase_quantity && f.phases.empty()) r.fail("phases", "missing; name the phases this figure sums");
  f.value = r.number("value", -1e30, 1e30);
  const std::string unit(figure_quantity_unit(f.quantity));
  if (r.string_or("unit", unit) != unit) {
    r.fail("unit", fmt::format("{} is measured in {}", figure_quantity_name(f.quantity), unit));
  }
  f.convention = read_convention(r, f);
  if (auto cm = r.map_if_present("conditions")) f.conditions = read_conditions(*cm);
  f.source = r.string("source");
  if (f.source.empty()) r.fail("source", "every published figure needs its source");
  r.finish({"id", "name", "quantity", "phases", "value", "unit", "convention", "conditions",
            "source"});
  return f;
}

}  // namespace

std::vector<ReferenceFigure> read_reference_figures(YamlMap& root) {
  std::vector<ReferenceFigure> out;
  if (!root.has("reference")) {
    root.accept("reference");
    return out;
  }
  const auto list = root.sequence("reference");
  for (std::size_t i = 0; i < list.size(); ++i) {
    YamlMap r(list[i], root.file(), fmt::format("reference.{}", i));
    out.push_back(read_figure(r));
    for (std::size_t j = 0; j + 1 < out.size(); ++j) {
      if (out[j].id == out.back().id) r.fail("id", "two figures have this id");
    }
  }
  return out;
}

}  // namespace llmsim
