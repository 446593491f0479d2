# End-to-end checks of `llmsim calibrate` and `llmsim fp8-error`, run by CTest with
# -DLLMSIM=<binary> -DWORK=<dir>. Nothing here depends on the machine's speed.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")



# Published tables: the H800 profile, as YAML on disk and JSON on stdout.
expect_ok(calibrate --from-tables h800 --date 2000-01-01 --out ${WORK}/h800.yaml --json)
string(JSON device GET "${OUT}" device)
string(JSON overall GET "${OUT}" overall_holdout_mape)
string(JSON first GET "${OUT}" classes 0 class)
string(JSON loo GET "${OUT}" classes 0 holdout_mape)
if(NOT device MATCHES "H800" OR NOT first STREQUAL "gemm_fp8" OR overall GREATER 15 OR loo GREATER 15)
  message(FATAL_ERROR "unexpected H800 JSON: device=${device} first=${first} overall=${overall} loo=${loo}")
endif()
if(NOT EXISTS ${WORK}/h800.yaml)
  message(FATAL_ERROR "h800.yaml was not written")
endif()
expect_ok(calibrate --from-tables h800 --date 2000-01-01 --out ${WORK}/h800.json)
foreach(word gemm_fp8 grouped_gemm_fp8 "leave-one-out" "assumption, gemm_bf16" "wrote")
  string(FIND "${OUT}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "calibrate --from-tables output lacks '${word}':\n${OUT}")
  endif()
endforeach()
file(READ ${WORK}/h800.json written)
string(JSON wdevice GET "${written}" device)

# The CPU on the CI grid, two classes: JSON keys only.
expect_ok(calibrate --grid ci --classes gemm_fp32,launch --json)
if(NOT ERR STREQUAL "")
  message(FATAL_ERROR "calibrate wrote progress to a non-terminal stderr:\n${ERR}")
endif()
string(JSON cpu_device GET "${OUT}" device)
string(JSON n LENGTH "${OUT}" classes)
string(JSON mape GET "${OUT}" classes 0 holdout_mape)
if(NOT cpu_device MATCHES "^CPU" OR NOT n EQUAL 2)
  message(FATAL_ERROR "unexpected CPU JSON: device=${cpu_device} classes=${n} mape=${mape}")
endif()

# A profile that cannot be written is refused before measuring (it used to fail only after a
# full calibration): one line, exit 2, at once.
execute_process(COMMAND ${LLMSIM} calibrate --out ${WORK}/no/such/dir/p.yaml RESULT_VARIABLE rc
                OUTPUT_QUIET ERROR_VARIABLE err TIMEOUT 20)
if(NOT rc EQUAL 2 OR NOT err MATCHES "^llmsim: error: [^\n]*p.yaml: cannot write[^\n]*\n$")
  message(FATAL_ERROR "calibrate --out into a missing folder: exit ${rc}\n${err}")
endif()

# FP8 numerics: the table and the JSON.
expect_ok(fp8-error --k 1024 --m 16 --n 16)
foreach(word "per-tensor" "fine-grained" "FP32 every 128" "DeepSeek-V3 report, section 3.3.2")
  string(FIND "${OUT}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "fp8-error output lacks '${word}':\n${OUT}")
  endif()
endforeach()
expect_ok(fp8-error --k 1024 --m 16 --n 16 --json)
string(JSON k GET "${OUT}" k)
string(JSON gain GET "${OUT}" promotion_gain)
if(NOT k EQUAL 1024 OR gain LESS 1)
  message(FATAL_ERROR "unexpected fp8-error JSON: k=${k} promotion_gain=${gain}")
endif()

# Bad input: one line, non-zero exit, no file left behind.
expect_fail("no published tables for this device; did you mean 'a100-80gb'?" calibrate --from-tables a100 --out ${WORK}/bad.yaml)
if(EXISTS ${WORK}/bad.yaml)
  message(FATAL_ERROR "a failed run left bad.yaml behind")
endif()
expect_fail_with(2 "--from-tables h80: no published tables for this device; did you mean 'h800'?"
                 calibrate --from-tables h80)
# A GPU's catalog name in any case.
expect_ok(calibrate --from-tables H800 --date 2000-01-01 --json)
string(JSON upper_device GET "${OUT}" device)
if(NOT upper_device STREQUAL device)
  message(FATAL_ERROR "--from-tables H800 gave device '${upper_device}', h800 '${device}'")
endif()
expect_fail("has no CPU reference kernel" calibrate --grid ci --classes attention_bwd)
expect_fail("cannot read the reference table" calibrate --from-tables h800 --reference-dir ${WORK}/nowhere)
