# End-to-end checks of `llmsim schedule`, run by CTest with -DLLMSIM=<binary> -DWORK=<dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")



# The README's main job and its outputs.
expect_ok(schedule --compare 1f1b,zb1p,dualpipe --pp 8 --micro-batches 20
          --svg ${WORK}/f.svg --trace ${WORK}/t.json)
foreach(word 1f1b zb1p dualpipe "published bubble")
  string(FIND "${OUT}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "compare output lacks '${word}':\n${OUT}")
  endif()
endforeach()
foreach(f f.svg t.json)
  if(NOT EXISTS ${WORK}/${f})
    message(FATAL_ERROR "${f} was not written")
  endif()
endforeach()

# JSON parses and has the documented keys (CMake's string(JSON) reads it).
expect_ok(schedule --method dualpipe --pp 4 --micro-batches 8 --json)
string(JSON method GET "${OUT}" method)
string(JSON fbdir GET "${OUT}" ranks 0 ops 7 b dir)
string(JSON copies GET "${OUT}" ranks 0 parameter_copies)
if(NOT method STREQUAL "dualpipe" OR NOT fbdir STREQUAL "1" OR NOT copies EQUAL 2)
  message(FATAL_ERROR "unexpected JSON: method=${method} fb.b.dir=${fbdir} copies=${copies}")
endif()

# Bad input: one line, non-zero exit, no file left behind.
expect_fail("DualPipe needs an even pipeline size" schedule --method dualpipe --pp 7 --micro-batches 28 --svg ${WORK}/bad.svg)
if(EXISTS ${WORK}/bad.svg)
  message(FATAL_ERROR "a failed run left bad.svg behind")
endif()
expect_fail("unknown; allowed: gpipe" schedule --method 2f2b)
expect_fail("expected a number of microseconds" schedule --f abc)
expect_fail("cannot write" schedule --svg ${WORK}/no/such/dir/x.svg)
expect_fail("the plan has 8 stages" schedule --f 1,2,3 --pp 8)

# Stated limit on the plan's size (hardening): refused before any work, one line, exit 2.
expect_fail_with(2 "pp x micro-batches x vpp = 4096 x 8192 x 1 = 33554432: at most 4194304"
                 schedule --pp 4096 --micro-batches 8192)
expect_fail_with(2 "at most 4194304" schedule --pp 4096 --micro-batches 16777216 --json)
