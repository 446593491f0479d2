# `llmsim calibrate --device cuda`, run by CTest with -DLLMSIM=<binary> -DWORK=<dir>
# -DCUDA=<LLMSIM_CUDA>. Without CUDA in the build: one line saying how to get it. With CUDA but
# no GPU (CI, build machines): one line naming the CUDA error. With a GPU: a profile.
# Never an output file from a failed run.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

expect_fail("has no CUDA reference kernel" calibrate --device cuda --classes all_reduce)
expect_fail("--threads = 4: applies to --device cpu only" calibrate --device cuda --threads 4)

if(NOT CUDA)
  expect_fail("built without CUDA; reconfigure with -DLLMSIM_CUDA=ON" calibrate --device cuda
              --quick --out ${WORK}/cuda.yaml)
  if(EXISTS ${WORK}/cuda.yaml)
    message(FATAL_ERROR "a failed --device cuda run left cuda.yaml behind")
  endif()
  return()
endif()

execute_process(COMMAND ${LLMSIM} calibrate --device cuda --grid ci --classes launch,memory_bound
                        --out ${WORK}/cuda.yaml --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  string(JSON device GET "${out}" device)
  string(JSON n LENGTH "${out}" classes)
  if(NOT device MATCHES "SMs, CUDA" OR NOT n EQUAL 2 OR NOT EXISTS ${WORK}/cuda.yaml)
    message(FATAL_ERROR "unexpected CUDA profile: device=${device} classes=${n}")
  endif()
  return()
endif()
# No GPU here: exit 2, one line naming the CUDA error, no file.
string(REGEX MATCHALL "\n" lines "${err}")
list(LENGTH lines nlines)
if(NOT rc EQUAL 2 OR NOT nlines EQUAL 1 OR NOT err MATCHES "--device cuda: no usable CUDA device: cudaGetDeviceCount")
  message(FATAL_ERROR "calibrate --device cuda without a GPU: exit ${rc}, stderr:\n${err}")
endif()
if(EXISTS ${WORK}/cuda.yaml)
  message(FATAL_ERROR "a failed --device cuda run left cuda.yaml behind")
endif()
