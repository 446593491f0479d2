#include "sim/pipeline/schedules/schedule.hpp"

#include <algorithm>
#include <cstdint>
#include <array>
#include <cctype>
#include <utility>

#include <fmt/format.h>

#include "sim/check.hpp"

namespace llmsim {

namespace {

struct MethodName {
  std::string_view name;
  ScheduleMethod method;
};

constexpr std::array<MethodName, 14> kNames{{
    {"gpipe", ScheduleMethod::kGPipe},
    {"1f1b", ScheduleMethod::k1F1B},
    {"interleaved", ScheduleMethod::kInterleaved1F1B},
    {"interleaved-1f1b", ScheduleMethod::kInterleaved1F1B},
    {"zb1p", ScheduleMethod::kZB1P},
    {"zb-h1", ScheduleMethod::kZB1P},
    {"zbh1", ScheduleMethod::kZB1P},
    {"zb2p", ScheduleMethod::kZB2P},
    {"zb-h2", ScheduleMethod::kZB2P},
    {"zbh2", ScheduleMethod::kZB2P},
    {"zbv", ScheduleMethod::kZBV},
    {"zb-v", ScheduleMethod::kZBV},
    {"dualpipe", ScheduleMethod::kDualPipe},
    {"dualpipev", ScheduleMethod::kDualPipeV},
}};

// The inclusive upper limit on ranks and micro-batches: far beyond any real job, and
// small enough that every index fits the plan's 16- and 32-bit fields.
constexpr int kMaxPp = 4096;
constexpr int kMaxMicroBatches = 1 << 24;
constexpr int kMaxVpp = 64;
// pp x micro-batches x vpp (ZB-V: x 2): the plan holds a few operations per micro-batch,
// stage and rank. At this limit a plan is generated and simulated in at most about 5 s and
// 550 MB (1F1B at pp 4096 x 1024: 2.4 s, 370 MB; ZB2P at 512 x 8192: 4.8 s, 525 MB; one
// core, Release).
constexpr std::int64_t kMaxMicroBatchStages = std::int64_t{1} << 22;

}  // namespace

std::optional<ScheduleMethod> parse_schedule_method(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "dualpipe-v") lower = "dualpipev";
  for (const auto& n : kNames) {
    if (n.name == lower) return n.method;
  }
  return std::nullopt;
}

std::string_view schedule_method_name(ScheduleMethod m) {
  for (const auto& n : kNames) {
    if (n.method == m) return n.name;
  }
  return "?";
}

std::string schedule_method_list() {
  return "gpipe, 1f1b, interleaved, zb1p, zb2p, zbv, dualpipe, dualpipev";
}

PipelinePlan make_schedule(const ScheduleRequest& r) {
  const std::string_view name = schedule_method_name(r.method);
  if (r.pp < 1 || r.pp > kMaxPp) {
    throw UserError(fmt::format("pipeline size pp = {}: must be between 1 and {}", r.pp, kMaxPp));
  }
  if (r.micro_batches < 1 || r.micro_batches > kMaxMicroBatches) {
    throw UserError(fmt::format("micro-batches = {}: must be between 1 and {}", r.micro_batches,
                                kMaxMicroBatches));
  }
  if (r.vpp < 1 || r.vpp > kMaxVpp) {
    throw UserError(fmt::format("vpp = {}: must be between 1 and {}", r.vpp, kMaxVpp));
  }
  // ZB-V runs two stages per rank, each with its F, B and W: twice the operations of 1F1B at
  // the same pp and micro-batches, so it counts as vpp = 2 (at pp 64 x 65,536 it took 9.8 s
  // and 1.03 GB; at 64 x 32,768, 4.6 s and 519 MB).
  const bool zbv = r.method == ScheduleMethod::kZBV;
  const int chunks = zbv ? 2 : r.vpp;
  const std::int64_t stages = std::int64_t{r.pp} * r.micro_batches * chunks;
  if (stages > kMaxMicroBatchStages) {
    throw UserError(fmt::format(
        "pp x micro-batches x {} = {} x {} x {} = {}: at most {} (about 5 s and 550 MB to "
        "simulate); lower the micro-batch count or the pipeline size",
        zbv ? "2 (ZB-V's stages per rank)" : "vpp", r.pp, r.micro_batches, chunks, stages,
        kMaxMicroBatchStages));
  }
  if (r.vpp != 1 && r.method != ScheduleMethod::kInterleaved1F1B) {
    throw UserError(fmt::format(
        "vpp = {}: virtual stages apply to 'interleaved' only; {} takes vpp = 1", r.vpp, name));
  }
  switch (r.method) {
    case ScheduleMethod::kGPipe: return make_gpipe(r.pp, r.micro_batches);
    case ScheduleMethod::k1F1B: return make_1f1b(r.pp, r.micro_batches);
    case ScheduleMethod::kInterleaved1F1B:
      if (r.vpp < 2) {
        throw UserError(fmt::format(
            "vpp = {}: interleaved 1F1B needs at least 2 virtual stages per rank (use 1f1b for 1)",
            r.vpp));
      }
      if (r.micro_batches % r.pp != 0) {
        throw UserError(fmt::format("micro-batches = {}: interleaved 1F1B needs a multiple of "
                                    "pp = {} (Megatron-LM's order)",
                                    r.micro_batches, r.pp));
      }
      return make_interleaved_1f1b(r.pp, r.micro_batches, r.vpp);
    case ScheduleMethod::kZB1P: return make_zb1p(r.pp, r.micro_batches);
    case ScheduleMethod::kZB2P: return make_zb2p(r.pp, r.micro_batches);
    case ScheduleMethod::kZBV: return make_zbv(r.pp, r.micro_batches);
    case ScheduleMethod::kDualPipe:
      if (r.pp % 2 != 0) {
        throw UserError(fmt::format("pp = {}: DualPipe needs an even pipeline size", r.pp));
      }
      if (r.micro_batches % 2 != 0 || r.micro_batches < 2 * r.pp) {
        throw UserError(fmt::format("micro-batches = {}: DualPipe needs an even number of at "
                                    "least 2*pp = {}",
                                    r.micro_batches, 2 * r.pp));
      }
      return make_dualpipe(r.pp, r.micro_batches);
    case ScheduleMethod::kDualPipeV:
      if (r.micro_batches < 2 * r.pp) {
        throw UserError(fmt::format(
            "micro-batches = {}: DualPipeV needs at least 2*pp = {}", r.micro_batches, 2 * r.pp));
      }
      return make_dualpipev(r.pp, r.micro_batches);
  }
  throw InternalError("unknown schedule method");
}

}  // namespace llmsim
