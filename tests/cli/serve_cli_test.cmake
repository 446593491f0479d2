# End-to-end checks of `llmsim serve`, run by CTest with -DLLMSIM=<binary> -DSRC=<source dir>
# -DWORK=<scratch dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(DS ${SRC}/scenarios/deepseek-v3-serving.yaml)
set(LLAMA ${SRC}/scenarios/llama-3.1-70b-serving.yaml)

# JSON has the documented keys with sane values (fewer requests to keep the test short).
expect_ok(serve ${DS} --json --set serving.traffic.requests=20000 --trace ${WORK}/serve.json)
foreach(key prefill_input_tokens_per_s_per_node decode_output_tokens_per_s_per_node ttft_s_p50
            ttft_s_p99 tpot_s_p50 tpot_s_p99 nodes_for_daily_volume usd_per_million_output_tokens
            cost_per_day_usd)
  string(JSON v ERROR_VARIABLE e GET "${OUT}" ${key})
  if(e OR v LESS_EQUAL 0)
    message(FATAL_ERROR "serve --json: ${key} = '${v}' ${e}")
  endif()
endforeach()
string(JSON n LENGTH "${OUT}" reference)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "serve --json: ${n} published figures shown, expected 4")
endif()
file(READ ${WORK}/serve.json trace LIMIT 200)
string(FIND "${trace}" "traceEvents" at)
if(at EQUAL -1)
  message(FATAL_ERROR "serve --trace: not a Chrome trace: ${trace}")
endif()

# Text: latency percentiles, capacity, Little's law, assumptions.
expect_ok(serve ${LLAMA} --set serving.traffic.requests=2000)
foreach(word "TTFT" "TPOT" "Capacity" "Little's law" "Assumptions this estimate rests on")
  string(FIND "${OUT}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "serve output lacks '${word}':\n${OUT}")
  endif()
endforeach()

# The same scenario twice: the same bytes.
expect_ok(serve ${LLAMA} --json --no-capacity --set serving.traffic.requests=3000)
set(first "${OUT}")
expect_ok(serve ${LLAMA} --json --no-capacity --set serving.traffic.requests=3000)
if(NOT first STREQUAL OUT)
  message(FATAL_ERROR "serve: two runs of the same scenario differ")
endif()

# Wrong workload kind, either way round.
expect_fail_with(2 "use `llmsim serve" run ${LLAMA})
expect_fail_with(2 "a training scenario" serve ${SRC}/scenarios/deepseek-v3-pretrain.yaml)

# Bad serving input: one line, exit 2, naming the field or the trace's line.
expect_fail_with(2 "serving.deployments.1.ep = 128: must divide the deployment's 144 GPUs"
                 serve ${DS} --set serving.deployments.1.ep=128)
expect_fail_with(2 "ep = 144 must divide the 256 routed + 0 redundant experts"
                 serve ${DS} --set serving.deployments.1.redundant_experts=0)
expect_fail_with(2 "depth 2 needs as many MTP modules; the model has 1"
                 serve ${DS} --set serving.deployments.1.mtp.depth=2)
expect_fail_with(2 "bad_trace.csv:3: token counts" serve ${SRC}/tests/data/serving/trace.yaml)
expect_fail_with(2 "unsorted_trace.csv:3: TIMESTAMP goes back in time"
                 serve ${SRC}/tests/data/serving/trace.yaml --set serving.traffic.trace_file=unsorted_trace.csv)
expect_fail_with(2 "trace_file = nothing.csv: no such file"
                 serve ${SRC}/tests/data/serving/trace.yaml --set serving.traffic.trace_file=nothing.csv)
expect_fail_with(2 "needs more KV cache than a unit of deployment replica holds"
                 serve ${LLAMA} --set serving.traffic.prompt_tokens=3000000 --set serving.traffic.lengths=fixed)
expect_fail_with(2 "leave no room for the KV cache"
                 serve ${LLAMA} --set serving.deployments.0.tp=1)

# compare on serving scenarios: two files side by side, and linked values with --zip.
expect_ok(compare ${LLAMA} ${SRC}/scenarios/azure-conversation-serving.yaml --set serving.traffic.requests=2000 --json)
string(JSON n LENGTH "${OUT}")
string(JSON explain GET "${OUT}" 1 explain)
if(NOT n EQUAL 2 OR NOT explain MATCHES "replica iteration")
  message(FATAL_ERROR "compare of two serving scenarios: ${OUT}")
endif()
expect_ok(compare ${LLAMA} --zip --vary serving.traffic.requests_per_s=2,4 --vary serving.traffic.requests=1000,2000 --json)
string(JSON n LENGTH "${OUT}")
string(JSON label GET "${OUT}" 1 case)
if(NOT n EQUAL 2 OR NOT label STREQUAL "serving.traffic.requests_per_s=4 serving.traffic.requests=2000")
  message(FATAL_ERROR "compare --zip: ${n} cases, second '${label}'")
endif()
expect_fail_with(2 "--zip: every --vary needs as many values"
                 compare ${LLAMA} --zip --vary serving.traffic.requests_per_s=2,4 --vary serving.traffic.requests=1000)
expect_fail_with(2 "compare needs at least one --vary" compare ${LLAMA})
expect_fail_with(2 "not a serving scenario" compare ${LLAMA} ${SRC}/scenarios/deepseek-v3-pretrain.yaml)

# Limits: one line, exit 2.
expect_fail_with(2 "must be between 1 and 10000000" serve ${LLAMA} --set serving.traffic.requests=20000000)
expect_fail_with(2 "beyond the 1e+09 s" serve ${LLAMA} --set serving.traffic.requests_per_s=1e-9 --set serving.traffic.requests=10)
