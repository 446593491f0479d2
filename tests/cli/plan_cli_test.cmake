# End-to-end checks of `llmsim plan`, run by CTest with -DLLMSIM=<binary> -DSRC=<source dir>
# -DWORK=<scratch dir>: the same output on one thread and two, a stopped search resumed from
# its --db to the same output, JSON and CSV, and bad input as one line with exit 2.
include(${CMAKE_CURRENT_LIST_DIR}/plan_test_space.cmake)

expect_ok(plan ${SC} ${SPACE} --threads 1)
set(one "${OUT}")
expect_in("${one}" "Best plan:" "Top 3 by cost:" "Why each loses to the best:"
             "Pareto front" "pruned before simulation:" "Candidates:")
expect_ok(plan ${SC} ${SPACE} --threads 2)
if(NOT "${OUT}" STREQUAL "${one}")
  message(FATAL_ERROR "plan: --threads 2 printed another result than --threads 1")
endif()

# Stopped after 11 candidates (exit 130, as Ctrl-C), then resumed from the store: same output,
# and the resumed run reads the 11 back.
execute_process(COMMAND ${LLMSIM} plan ${SC} ${SPACE} --db ${WORK}/plan.db --stop-after 11
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 130 OR NOT err MATCHES "interrupted after 11 of")
  message(FATAL_ERROR "plan --stop-after 11: exit ${rc}\n${err}")
endif()
expect_ok(plan ${SC} ${SPACE} --db ${WORK}/plan.db --threads 2 --csv ${WORK}/plan.csv)
if(NOT "${OUT}" STREQUAL "${one}")
  message(FATAL_ERROR "plan: the resumed search printed another result:\n${OUT}\nvs\n${one}")
endif()
if(NOT ERR MATCHES "11 read back from")
  message(FATAL_ERROR "plan: the resumed search did not read the stopped one's rows:\n${ERR}")
endif()
file(STRINGS ${WORK}/plan.csv csv)
list(GET csv 0 header)
if(NOT header MATCHES "^key,gpu,gpus,tp,pp" OR NOT "${csv}" MATCHES "pruned" OR NOT "${csv}" MATCHES "evaluated")
  message(FATAL_ERROR "plan.csv: ${header}")
endif()

# Killed (SIGKILL, by the timeout) part way through, then resumed from the store: the same
# output as a search never stopped. Rows are committed a batch (16) at a time; a kill inside a
# batch loses that batch only. (Where the kill lands depends on the machine's speed: the
# read-back count is printed, not asserted.)
set(DS ${SRC}/scenarios/deepseek-v3-pretrain.yaml --pp 16 --precision fp8 --zero 1 --batch 16)
expect_ok(plan ${DS})
set(unstopped "${OUT}")
execute_process(COMMAND ${LLMSIM} plan ${DS} --db ${WORK}/killed.db TIMEOUT 1
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
expect_ok(plan ${DS} --db ${WORK}/killed.db)
if(NOT "${OUT}" STREQUAL "${unstopped}")
  message(FATAL_ERROR "plan: killed (${rc}) and resumed, another result:\n${OUT}\nvs\n${unstopped}")
endif()
string(REGEX MATCH "[0-9]+ read back from" back "${ERR}")
message(STATUS "killed search (${rc}) resumed: ${back} the store")

# The same file for another search is refused.
expect_fail_with(2 "another search" plan ${SC} ${SPACE} --db ${WORK}/plan.db --objective time)

expect_ok(plan ${SC} ${SPACE} --json)
string(JSON best GET "${OUT}" top 0 key)
string(JSON n GET "${OUT}" counts generated)
if(NOT best MATCHES "^H100 " OR n LESS 10)
  message(FATAL_ERROR "plan --json: best '${best}', generated ${n}")
endif()

# Bad input: one line, exit 2.
expect_fail_with(2 "not a GPU of the catalog" plan ${SC} --gpu-types Z100)
expect_fail_with(2 "--gpus" plan ${SC} --gpus 64:16)
expect_fail_with(2 "--db" plan ${SC} --tp 8 --pp 4 --db ${WORK}/no/such/dir/x.db)
expect_fail_with(2 "--objective" plan ${SC} --objective fastest)
