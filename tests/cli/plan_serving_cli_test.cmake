# `llmsim plan` on a serving scenario, run by CTest with -DLLMSIM=<binary> -DSRC=<source dir>
# -DWORK=<scratch dir>: Llama-3.1-70B on H100 at its load and TTFT / TPOT targets (a reduced
# request count and space to stay quick). The best deployment is simulated again by
# `llmsim serve` on exactly that deployment (--set) and meets the targets; every candidate
# cheaper per million tokens misses a target or does not fit; one thread and two agree.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(SC ${SRC}/scenarios/llama-3.1-70b-serving.yaml)
set(LOAD --set serving.traffic.requests=1000)
set(SPACE ${LOAD} --tp 1,2,4,8 --nodes 1 --max-batch 16,256 --disaggregate no --top 3)

expect_ok(plan ${SC} ${SPACE} --threads 1)
set(one "${OUT}")
expect_in("${one}" "Best deployment:" "Top "
             "Why each loses to the best:" "miss a target or do not fit" "does not fit"
             "Candidates: 8 generated")
expect_ok(plan ${SC} ${SPACE} --threads 2 --csv ${WORK}/serve-plan.csv)
if(NOT "${OUT}" STREQUAL "${one}")
  message(FATAL_ERROR "plan (serving): --threads 2 printed another result:\n${OUT}\nvs\n${one}")
endif()
file(STRINGS ${WORK}/serve-plan.csv csv)
list(LENGTH csv rows)
if(NOT rows EQUAL 9 OR NOT "${csv}" MATCHES "pruned" OR NOT "${csv}" MATCHES "evaluated")
  message(FATAL_ERROR "serve-plan.csv: ${rows} rows\n${csv}")
endif()

expect_ok(plan ${SC} ${SPACE} --json)
set(plan_json "${OUT}")
string(JSON tp GET "${plan_json}" top 0 tp)
string(JSON nodes GET "${plan_json}" top 0 nodes)
string(JSON batch GET "${plan_json}" top 0 max_batch)
string(JSON best_usd GET "${plan_json}" top 0 usd_per_million_output_tokens)
string(JSON best_load GET "${plan_json}" top 0 usd_per_million_output_tokens_at_load)
string(JSON ttft GET "${plan_json}" targets ttft_s)
string(JSON tpot GET "${plan_json}" targets tpot_s)

# Every candidate cheaper than the best (per million output tokens of the scenario's traffic;
# at equal cost, at capacity) misses a target or does not fit.
string(JSON n LENGTH "${plan_json}" candidates)
math(EXPR last "${n} - 1")
set(cheaper 0)
foreach(i RANGE ${last})
  string(JSON status GET "${plan_json}" candidates ${i} status)
  if(status STREQUAL "pruned")
    continue()
  endif()
  string(JSON usd GET "${plan_json}" candidates ${i} usd_per_million_output_tokens)
  string(JSON load GET "${plan_json}" candidates ${i} usd_per_million_output_tokens_at_load)
  string(JSON meets GET "${plan_json}" candidates ${i} meets)
  string(JSON key GET "${plan_json}" candidates ${i} key)
  if(meets AND (load LESS best_load OR (load EQUAL best_load AND usd LESS best_usd)))
    message(FATAL_ERROR "plan (serving): ${key} meets the targets at \$${load}/M "
                        "(\$${usd}/M at capacity), cheaper than the best")
  endif()
  if(NOT meets)
    math(EXPR cheaper "${cheaper} + 1")
  endif()
endforeach()

if(cheaper EQUAL 0)
  message(FATAL_ERROR "plan (serving): no simulated candidate misses a target; the space tests nothing")
endif()

# The best deployment alone through `llmsim serve`: within the targets at the scenario's load,
# and its capacity at least that load.
expect_ok(serve ${SC} ${LOAD} --set serving.deployments.0.tp=${tp}
          --set serving.deployments.0.nodes=${nodes}
          --set serving.deployments.0.scheduler.max_batch=${batch} --json)
string(JSON s_ttft GET "${OUT}" ttft_s_p90)
string(JSON s_tpot GET "${OUT}" tpot_s_p90)
string(JSON s_scale GET "${OUT}" capacity 0 rate_scale)
string(JSON s_usd GET "${OUT}" usd_per_million_output_tokens)
if(s_ttft GREATER ttft OR s_tpot GREATER tpot OR s_scale LESS 1)
  message(FATAL_ERROR "serve of the best deployment (TP${tp}, ${nodes} node(s), batch ${batch}): "
                      "TTFT p90 ${s_ttft} s, TPOT p90 ${s_tpot} s, capacity ${s_scale}x")
endif()
if(NOT "${s_usd}" STREQUAL "${best_usd}")
  message(FATAL_ERROR "serve of the best: \$${s_usd}/M, plan said \$${best_usd}/M")
endif()

# Bad input: one line, exit 2.
expect_fail_with(2 "--tp 16" plan ${SC} --tp 16)
expect_fail_with(2 "--gpus: only for training" plan ${SC} --gpus 8:16)
expect_fail_with(2 "--objective" plan ${SC} --objective time)
expect_fail_with(2 "--nodes" plan ${SC} --nodes 0)
expect_fail_with(2 "--max-batch: only for serving" plan ${SRC}/tests/data/plan/llama-8b-plan.yaml --max-batch 8)
