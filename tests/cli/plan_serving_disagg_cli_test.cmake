# `llmsim plan` on a serving scenario with disaggregated candidates and a results store, run by
# CTest with -DLLMSIM=<binary> -DSRC=<source dir> -DWORK=<scratch dir>: Llama-3.1-70B on H100
# (a reduced request count and space to stay quick). The search holds colocated and
# disaggregated candidates; the best one and the best disaggregated one, simulated again by
# `llmsim serve` on the scenario that the plan's serve_set assignments give, show the same
# TTFT / TPOT p90 and $/M. A search stopped after 2 candidates and resumed from its --db prints
# what an uninterrupted one prints, and a third run evaluates nothing; one thread and two agree.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(SC ${SRC}/scenarios/llama-3.1-70b-serving.yaml)
set(LOAD --set serving.traffic.requests=600)
set(SPACE ${LOAD} --tp 4,8 --nodes 1 --max-batch 256 --disaggregate no,yes --prefill-nodes 1
          --prefill-tp 8 --decode-nodes 1 --decode-tp 4,8 --top 4)

expect_ok(plan ${SC} ${SPACE} --threads 1)
set(one "${OUT}")
expect_in("${one}" "Best deployment:" "disaggregated: prefill pool nodes 1, TP 8"
          "H100 prefill 1 node TP8 + decode 1 node TP4 batch 256"
          "H100 prefill 1 node TP8 + decode 1 node TP8 batch 256" "Candidates: 4 generated")
expect_ok(plan ${SC} ${SPACE} --threads 2 --csv ${WORK}/disagg.csv)
if(NOT "${OUT}" STREQUAL "${one}")
  message(FATAL_ERROR "plan (disaggregated): --threads 2 printed another result:\n${OUT}\nvs\n${one}")
endif()
# Every candidate in the CSV, with its layout: 1 colocated, 2 disaggregated (2 nodes: prefill 1 node TP8).
file(STRINGS ${WORK}/disagg.csv csv)
list(LENGTH csv rows)
list(FILTER csv INCLUDE REGEX ",disaggregated,2,1,8,")
list(LENGTH csv disagg_rows)
if(NOT rows EQUAL 5 OR NOT disagg_rows EQUAL 2)
  message(FATAL_ERROR "disagg.csv: ${rows} rows, ${disagg_rows} disaggregated ones")
endif()

# Stopped after 2 new candidates (exit 130, as Ctrl-C) with one candidate per batch, resumed
# on two threads: the same output, 2 read back; run again: nothing new.
execute_process(COMMAND ${LLMSIM} plan ${SC} ${SPACE} --db ${WORK}/serve.db --batch 1
                        --stop-after 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 130 OR NOT err MATCHES "interrupted after 2 of 4" OR NOT err MATCHES "kept in")
  message(FATAL_ERROR "plan --stop-after 2 (serving): exit ${rc}\n${err}")
endif()
expect_ok(plan ${SC} ${SPACE} --db ${WORK}/serve.db --batch 1 --threads 2)
if(NOT "${OUT}" STREQUAL "${one}")
  message(FATAL_ERROR "plan (serving): the resumed search printed another result:\n${OUT}\nvs\n${one}")
endif()
if(NOT ERR MATCHES "4 of 4 candidates done, 2 new" OR NOT ERR MATCHES "2 read back from")
  message(FATAL_ERROR "plan (serving): the resumed search did not read the stopped one's rows:\n${ERR}")
endif()
expect_ok(plan ${SC} ${SPACE} --db ${WORK}/serve.db --batch 1)
if(NOT "${OUT}" STREQUAL "${one}" OR NOT ERR MATCHES "4 of 4 candidates done, 0 new"
   OR NOT ERR MATCHES "4 read back from")
  message(FATAL_ERROR "plan (serving): the complete store was evaluated again:\n${ERR}\n${OUT}")
endif()
# Another search on the same file is refused.
expect_fail_with(2 "holds the results of another search" plan ${SC} --set serving.traffic.seed=2
                 ${SPACE} --db ${WORK}/serve.db)

# The plan's figures for one candidate (JSON index `i` of `list`) against `llmsim serve` on the
# scenario its serve_set assignments give.
function(check_against_serve json list i)
  string(JSON key GET "${json}" ${list} ${i} key)
  string(JSON n LENGTH "${json}" ${list} ${i} serve_set)
  math(EXPR last "${n} - 1")
  set(sets)
  foreach(k RANGE ${last})
    string(JSON a GET "${json}" ${list} ${i} serve_set ${k})
    list(APPEND sets --set "${a}")
  endforeach()
  expect_ok(serve ${SC} ${LOAD} ${sets} --json)
  foreach(f ttft_s_p90 tpot_s_p90 usd_per_million_output_tokens)
    string(JSON plan_v GET "${json}" ${list} ${i} ${f})
    string(JSON serve_v GET "${OUT}" ${f})
    if(NOT "${plan_v}" STREQUAL "${serve_v}")
      message(FATAL_ERROR "serve of ${key}: ${f} ${serve_v}, plan said ${plan_v}")
    endif()
  endforeach()
  string(JSON layout GET "${json}" ${list} ${i} layout)
  string(JSON scale GET "${json}" ${list} ${i} rate_scale)
  string(JSON cap0 GET "${OUT}" capacity 0 rate_scale)
  if(layout STREQUAL "disaggregated")
    string(JSON plan_in GET "${json}" ${list} ${i} usd_per_million_input_tokens)
    string(JSON serve_in GET "${OUT}" usd_per_million_input_tokens)
    string(JSON cap1 GET "${OUT}" capacity 1 rate_scale)
    if(NOT "${plan_in}" STREQUAL "${serve_in}")
      message(FATAL_ERROR "serve of ${key}: \$${serve_in}/M input, plan said \$${plan_in}/M")
    endif()
    if(cap1 LESS cap0)
      set(cap0 ${cap1})
    endif()
  endif()
  if(NOT "${scale}" STREQUAL "${cap0}")
    message(FATAL_ERROR "serve of ${key}: capacity ${cap0}x, plan said ${scale}x")
  endif()
  message(STATUS "serve confirms ${key} (${layout})")
endfunction()

expect_ok(plan ${SC} ${SPACE} --json)
set(plan_json "${OUT}")
string(JSON ntop LENGTH "${plan_json}" top)
if(ntop EQUAL 0)
  message(FATAL_ERROR "plan (disaggregated): no candidate meets the targets:\n${plan_json}")
endif()
check_against_serve("${plan_json}" top 0)
# The best disaggregated candidate (evaluated), whether or not it is the best overall.
string(JSON n LENGTH "${plan_json}" candidates)
math(EXPR last "${n} - 1")
set(disagg -1)
foreach(i RANGE ${last})
  string(JSON layout GET "${plan_json}" candidates ${i} layout)
  string(JSON status GET "${plan_json}" candidates ${i} status)
  if(layout STREQUAL "disaggregated" AND status STREQUAL "evaluated" AND disagg EQUAL -1)
    set(disagg ${i})
  endif()
endforeach()
if(disagg EQUAL -1)
  message(FATAL_ERROR "plan: no disaggregated candidate was simulated:\n${plan_json}")
endif()
check_against_serve("${plan_json}" candidates ${disagg})

expect_fail_with(2 "--disaggregate" plan ${SC} --disaggregate maybe)
expect_fail_with(2 "--decode-tp 16" plan ${SC} --decode-tp 16)
expect_fail_with(2 "--prefill-nodes: only for serving"
                 plan ${SRC}/tests/data/plan/llama-8b-plan.yaml --prefill-nodes 1)
