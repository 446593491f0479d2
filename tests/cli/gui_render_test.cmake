# llmsim-gui --render, end to end: a PNG and an SVG are produced; bad input is one line and a
# non-zero exit with nothing written. Run by CTest with -DGUI=<binary> -DWORK=<dir>.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(ENV{QT_QPA_PLATFORM} offscreen)

execute_process(COMMAND ${GUI} --render --compare 1f1b,zb1p,dualpipe --pp 8 --micro-batches 20
                        --out ${WORK}/v.png RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/v.png)
  message(FATAL_ERROR "render to PNG failed: ${rc}\n${out}\n${err}")
endif()
file(READ ${WORK}/v.png head LIMIT 8 HEX)
if(NOT head STREQUAL "89504e470d0a1a0a")
  message(FATAL_ERROR "v.png is not a PNG: ${head}")
endif()
execute_process(COMMAND ${GUI} --render --compare dualpipe,dualpipev --out ${WORK}/v.svg
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/v.svg)
  message(FATAL_ERROR "render to SVG failed: ${rc}\n${err}")
endif()

execute_process(COMMAND ${GUI} --render --compare dualpipe --pp 7 --micro-batches 28
                        --out ${WORK}/bad.png RESULT_VARIABLE rc ERROR_VARIABLE err)
string(FIND "${err}" "llmsim-gui: error: pp = 7: DualPipe needs an even pipeline size" at)
if(rc EQUAL 0 OR at EQUAL -1 OR EXISTS ${WORK}/bad.png)
  message(FATAL_ERROR "bad input: rc=${rc}, stderr:\n${err}")
endif()

# --plan: the plan search of a scenario; without one it is refused, nothing written.
execute_process(COMMAND ${GUI} --render --plan ${WORK}/p.db --out ${WORK}/p.png
                RESULT_VARIABLE rc ERROR_VARIABLE err)
string(FIND "${err}" "llmsim-gui: error: --plan needs a training scenario" at)
if(rc EQUAL 0 OR at EQUAL -1 OR EXISTS ${WORK}/p.png)
  message(FATAL_ERROR "--plan without a scenario: rc=${rc}, stderr:\n${err}")
endif()

# --plan on the --db file of an `llmsim plan` run: no scenario needed, the search read back.
execute_process(COMMAND ${LLMSIM} plan ${SRC}/tests/data/plan/llama-8b-plan.yaml --gpus 16:32
                        --tp 1,2 --pp 1,2 --schedules 1f1b --recompute full --micro-batch 1
                        --zero 1 --precision bf16 --objective pareto --db ${WORK}/cli.db
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llmsim plan --db: ${rc}\n${err}")
endif()
execute_process(COMMAND ${GUI} --render --plan ${WORK}/cli.db --out ${WORK}/cli.png
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/cli.png)
  message(FATAL_ERROR "--plan on an llmsim plan --db file: ${rc}\n${out}\n${err}")
endif()
