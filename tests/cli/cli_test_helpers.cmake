# Shared by the tests/cli/*.cmake scripts: run the llmsim binary (${LLMSIM}) and check it.
#   expect_ok(args...)            exit 0; sets OUT and ERR in the caller
#   expect_fail(needle args...)   non-zero exit and exactly one line on stderr containing needle

function(expect_ok)
  execute_process(COMMAND ${LLMSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "llmsim ${ARGN}: exit ${rc}\n${out}\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
  set(ERR "${err}" PARENT_SCOPE)
endfunction()

function(expect_fail needle)
  execute_process(COMMAND ${LLMSIM} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "llmsim ${ARGN}: expected failure, got exit 0\n${out}")
  endif()
  string(FIND "${err}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "llmsim ${ARGN}: stderr lacks '${needle}':\n${err}")
  endif()
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "llmsim ${ARGN}: error is not one line:\n${err}")
  endif()
endfunction()
