#pragma once
// Pipeline schedule generators: one file per schedule, each producing a PipelinePlan.
// make_schedule() validates the request and dispatches; an impossible request throws
// UserError with one line that says what is allowed.

#include <optional>
#include <string>
#include <string_view>

#include "sim/pipeline/pipeline_plan.hpp"

namespace llmsim {

struct ScheduleRequest {
  ScheduleMethod method = ScheduleMethod::k1F1B;
  int pp = 1;             // pipeline ranks
  int micro_batches = 1;  // per step, all directions together
  int vpp = 1;            // model chunks per rank, interleaved 1F1B only
};

PipelinePlan make_schedule(const ScheduleRequest& request);

// "gpipe", "1f1b", "interleaved", "zb1p", "zb2p", "zbv", "dualpipe", "dualpipev" (and the
// aliases zb-h1, zbh1, zb-h2, zbh2, zb-v, interleaved-1f1b, dualpipe-v), case-insensitive.
std::optional<ScheduleMethod> parse_schedule_method(std::string_view name);
std::string_view schedule_method_name(ScheduleMethod m);
// The accepted names, for error messages and --help.
std::string schedule_method_list();

// The generators. Each assumes a request that make_schedule() has validated.
PipelinePlan make_gpipe(int pp, int micro_batches);
PipelinePlan make_1f1b(int pp, int micro_batches);
PipelinePlan make_interleaved_1f1b(int pp, int micro_batches, int vpp);
PipelinePlan make_zb1p(int pp, int micro_batches);
PipelinePlan make_zb2p(int pp, int micro_batches);
PipelinePlan make_zbv(int pp, int micro_batches);
PipelinePlan make_dualpipe(int pp, int micro_batches);
PipelinePlan make_dualpipev(int pp, int micro_batches);

}  // namespace llmsim
