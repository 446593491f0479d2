# Shared by plan_cli_test.cmake and plan_mpi_test.cmake: a fresh ${WORK}, the scenario SC and a
# small space SPACE: 2 GPU counts x TP 1,2,4,8 x PP 1,2,4 x 1F1B / interleaved x2 / ZB1P x two
# recompute modes x micro-batch 1 and 8 (8 is often invalid: dp x 8 must divide 64 sequences).
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(SC ${SRC}/tests/data/plan/llama-8b-plan.yaml)
set(SPACE --gpus 16:32 --tp 1,2,4,8 --pp 1,2,4 --vpp 2 --schedules 1f1b,interleaved,zb1p
          --recompute selective,full --micro-batch 1,8 --zero 1 --precision bf16 --top 3 --batch 8)
