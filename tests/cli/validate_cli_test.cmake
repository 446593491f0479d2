# End-to-end checks of `llmsim validate`, run by CTest with -DLLMSIM=<binary> -DSRC=<source dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)

# The shipped set runs within the stated minute and reports every run and the summary.
string(TIMESTAMP t0 "%s")
expect_ok(validate)
string(TIMESTAMP t1 "%s")
math(EXPR took "${t1} - ${t0}")
if(took GREATER 60)
  message(FATAL_ERROR "llmsim validate took ${took} s, more than its stated minute")
endif()
file(GLOB runs ${SRC}/scenarios/validation/*.yaml)
list(LENGTH runs n)
if(n LESS 30)
  message(FATAL_ERROR "the validation set has ${n} runs, expected at least 30")
endif()
foreach(needle "over " "median " "worst " "llmsim faster than measured in " "A100-80GB" "H100"
               "deepseek-v3-pretrain" "megatron2021-gpt-1.7b-32gpu" "Peak memory per GPU"
               "llmsim below the published peak in "
               "so each should fit in llmsim's memory model"
               "by source family (publisher and stack):" "torchtitan " "korthikanti2022 ")
  string(FIND "${OUT}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "validate output lacks '${needle}':\n${OUT}")
  endif()
endforeach()

# Deterministic: the same JSON on one thread and on two.
expect_ok(validate --json --threads 1)
set(one "${OUT}")
# Summaries by GPU and by source family: the family's runs add up to the whole set's.
string(JSON n_all GET "${OUT}" summary runs)
string(JSON families LENGTH "${OUT}" by_family)
set(total 0)
math(EXPR last "${families} - 1")
foreach(i RANGE ${last})
  string(JSON fam MEMBER "${OUT}" by_family ${i})
  string(JSON k GET "${OUT}" by_family ${fam} runs)
  math(EXPR total "${total} + ${k}")
endforeach()
if(NOT total EQUAL n_all)
  message(FATAL_ERROR "by_family counts ${total} runs, the summary ${n_all}")
endif()
expect_ok(validate --json --threads 2)
if(NOT one STREQUAL OUT)
  message(FATAL_ERROR "validate --json differs between 1 and 2 threads")
endif()
string(JSON median GET "${one}" summary median)
string(JSON count GET "${one}" summary runs)
if(count LESS 30)
  message(FATAL_ERROR "validate --json: summary.runs = ${count}")
endif()

# Peak memory beside the published peaks (torchtitan's tables), summarized apart from the step
# times: each compared run's memory_error is ours / published - 1, and the step-time summary
# does not count them.
string(JSON mem_runs GET "${one}" memory runs)
if(mem_runs LESS 5)
  message(FATAL_ERROR "validate --json: memory.runs = ${mem_runs}, expected the 5 torchtitan runs")
endif()
string(JSON nruns LENGTH "${one}" runs)
math(EXPR last "${nruns} - 1")
set(with_memory 0)
foreach(i RANGE ${last})
  string(JSON mfig GET "${one}" runs ${i} memory_figure)
  if(NOT mfig STREQUAL "")
    math(EXPR with_memory "${with_memory} + 1")
    string(JSON sfig GET "${one}" runs ${i} step_figure)
    if(sfig STREQUAL mfig)
      message(FATAL_ERROR "validate: a memory figure (${mfig}) stands for a step time")
    endif()
  endif()
endforeach()
if(NOT with_memory EQUAL mem_runs)
  message(FATAL_ERROR "validate: ${with_memory} runs with a memory figure, summary says ${mem_runs}")
endif()

# Every shipped run ran on its GPUs: the memory model must let each of them fit.
string(JSON over_n LENGTH "${one}" over_memory)
if(NOT over_n EQUAL 0)
  string(JSON over GET "${one}" over_memory)
  message(FATAL_ERROR "validate: runs that ran but do not fit in llmsim's memory model: ${over}")
endif()

# Gates: an impossible limit exits 1 with one line saying why; the run table still prints.
execute_process(COMMAND ${LLMSIM} validate --max-median 0 RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "errors over the limits" OR NOT out MATCHES "over [0-9]+ runs")
  message(FATAL_ERROR "validate --max-median 0: exit ${rc}\n${err}")
endif()

# A file that is not a training run, or no file at all, is bad input naming it.
expect_fail_with(2 "deepseek-v3-serving.yaml" validate ${SRC}/scenarios/deepseek-v3-serving.yaml)
expect_fail_with(2 "no_such.yaml" validate ${SRC}/no_such.yaml)
