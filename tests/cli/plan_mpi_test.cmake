# `mpirun -n 2 llmsim plan` prints exactly what one process prints, and its --db resumes as
# one process's does (-DLLMSIM_MPI=ON builds only). Run by CTest with -DLLMSIM=<binary>
# -DSRC=<source dir> -DMPIEXEC=<mpirun> -DWORK=<scratch dir>.
include(${CMAKE_CURRENT_LIST_DIR}/plan_test_space.cmake)
# Open MPI: root needs --allow-run-as-root; a 2-core machine needs --oversubscribe.
set(MPIRUN ${MPIEXEC} --allow-run-as-root --oversubscribe -n 2)

expect_ok(plan ${SC} ${SPACE})
set(one "${OUT}")
execute_process(COMMAND ${MPIRUN} ${LLMSIM} plan ${SC} ${SPACE} --db ${WORK}/mpi.db
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT "${out}" STREQUAL "${one}")
  message(FATAL_ERROR "mpirun -n 2 llmsim plan: exit ${rc}, another output than one process:\n${out}\n${err}")
endif()
# The two ranks' rows, read back by one process: nothing new, the same output.
expect_ok(plan ${SC} ${SPACE} --db ${WORK}/mpi.db)
if(NOT "${OUT}" STREQUAL "${one}" OR NOT ERR MATCHES " 0 new")
  message(FATAL_ERROR "plan on the MPI run's --db: ${ERR}")
endif()

# An error on one rank while the other waits in the batch exchange ends both (MPI_Abort), with
# the message on that rank's stderr, instead of a hang. The timeout makes a hang a failure.
execute_process(COMMAND ${MPIRUN} ${LLMSIM} plan ${SC} ${SPACE} --fail-rank 1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
if(rc EQUAL 0 OR NOT err MATCHES "MPI rank 1: .*fails on purpose")
  message(FATAL_ERROR "mpirun -n 2 llmsim plan --fail-rank 1: exit ${rc}, stderr:\n${err}")
endif()

# A serving search does not split over ranks: refused under mpirun, before any work.
execute_process(COMMAND ${MPIRUN} ${LLMSIM} plan ${SRC}/scenarios/llama-3.1-70b-serving.yaml
                        --db ${WORK}/serving-mpi.db
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
if(rc EQUAL 0 OR NOT err MATCHES "a serving search runs in one process" OR EXISTS ${WORK}/serving-mpi.db)
  message(FATAL_ERROR "mpirun -n 2 llmsim plan (serving): exit ${rc}, stderr:\n${err}")
endif()
