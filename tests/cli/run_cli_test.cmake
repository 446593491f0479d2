# End-to-end checks of `llmsim run` and `llmsim compare`, run by CTest with
# -DLLMSIM=<binary> -DSRC=<source dir> -DWORK=<scratch dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(DS ${SRC}/scenarios/deepseek-v3-pretrain.yaml)



# JSON has the documented keys, with sane values.
expect_ok(run ${DS} --json --trace ${WORK}/step.json)
foreach(key step_time_s tokens_per_second tflops_per_gpu mfu_bf16_causal mfu_bf16_full
            gpu_hours_per_trillion_tokens total_gpu_hours total_cost_usd wall_clock_days
            peak_memory_gib)
  string(JSON v ERROR_VARIABLE e GET "${OUT}" ${key})
  if(e OR v LESS_EQUAL 0)
    message(FATAL_ERROR "run --json: ${key} = '${v}' ${e}")
  endif()
endforeach()
foreach(key compute_s exposed_comm_s bubble_s dp_sync_s optimizer_s)
  string(JSON v ERROR_VARIABLE e GET "${OUT}" breakdown ${key})
  if(e)
    message(FATAL_ERROR "run --json: breakdown.${key}: ${e}")
  endif()
endforeach()
if(NOT EXISTS ${WORK}/step.json)
  message(FATAL_ERROR "run --trace wrote nothing")
endif()
file(READ ${WORK}/step.json trace LIMIT 200)
string(FIND "${trace}" "traceEvents" at)
if(at EQUAL -1)
  message(FATAL_ERROR "step.json is not a Chrome trace: ${trace}")
endif()

# The text report prints the published figures beside ours.
expect_ok(run ${DS})
foreach(word "GPU hours per trillion tokens" "deviation" "Assumptions this estimate rests on")
  string(FIND "${OUT}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "run output lacks '${word}'")
  endif()
endforeach()

# compare: a grid, side by side, with what moved.
expect_ok(compare ${DS} --vary parallelism.schedule=1f1b,dualpipe)
string(FIND "${OUT}" "What changed, against the first case" at)
if(at EQUAL -1)
  message(FATAL_ERROR "compare output lacks the explanation:\n${OUT}")
endif()

# Bad input: one clear line and a non-zero exit, no file written.
expect_fail("expected key=value1,value2" compare ${DS} --vary parallelism.schedule)
expect_fail("tp x cp x pp x dp = 1 x 1 x 7 x 128 = 896 GPUs" run ${DS} --set parallelism.pp=7 --trace ${WORK}/bad.json)
if(EXISTS ${WORK}/bad.json)
  message(FATAL_ERROR "a failed run left bad.json behind")
endif()
expect_fail("no such file" run ${WORK}/missing.yaml)
