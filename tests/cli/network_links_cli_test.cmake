# End-to-end checks of NVLink domains (scenarios/clusters/gb200-nvl72.yaml) and the link
# reports (`collective --links`, `run --links`), run by CTest with -DLLMSIM=<binary>
# -DSRC=<source dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)

# EP64 all-to-all inside one NVL72 rack: NVLink is the busiest tier.
expect_ok(collective --cluster gb200-nvl72 --op all-to-all --gpus 64 --bytes 1GB --links)
expect_in("${OUT}" "NVLink domains of 72 GPUs" "busiest links" "per tier" "nvlink")
expect_ok(collective --cluster gb200-nvl72 --op all-reduce --gpus 16 --bytes 1GB --links --json)
string(JSON tier GET "${OUT}" links busiest 0 tier)
if(NOT tier STREQUAL "nvlink")
  message(FATAL_ERROR "TP16 all-reduce on NVL72: busiest tier '${tier}', expected nvlink")
endif()
string(JSON util GET "${OUT}" links tiers 0 utilization)
if(util LESS 0.9)
  message(FATAL_ERROR "TP16 all-reduce on NVL72: NVLink utilization ${util}")
endif()

# A training step on GB200 NVL72 with TP16 inside the racks, from the Llama 3.1 405B scenario.
set(NVL72 cluster=gb200-nvl72 calibration=calibration/b200-published.yaml
    parallelism.tp=16 parallelism.pp=9 parallelism.dp=4 parallelism.schedule=1f1b
    parallelism.vpp=1 training.phases.0.global_batch=64)
set(SETS)
foreach(s ${NVL72})
  list(APPEND SETS --set ${s})
endforeach()
expect_ok(run ${SRC}/scenarios/llama-3.1-405b-pretrain.yaml ${SETS} --links)
expect_in("${OUT}" "Links over the step" "nvlink" "bottleneck tier")
expect_ok(run ${SRC}/scenarios/llama-3.1-405b-pretrain.yaml ${SETS} --json)
string(JSON tier GET "${OUT}" links tiers 0 tier)
if(NOT tier STREQUAL "nvlink")
  message(FATAL_ERROR "run on NVL72: first link tier '${tier}', expected nvlink")
endif()
# The bottleneck tier (costmodel's StepLinks, which the GUI's Links tab shows too) is named in
# the JSON as in the text.
string(JSON neck GET "${OUT}" links bottleneck)
expect_ok(run ${SRC}/scenarios/llama-3.1-405b-pretrain.yaml ${SETS} --links)
expect_in("${OUT}" "bottleneck tier: ${neck}")
