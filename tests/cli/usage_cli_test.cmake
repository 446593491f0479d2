# The command line itself, run by CTest with -DLLMSIM=<binary> -DSRC=<source dir>: unknown
# commands and options get the closest name in one line and exit 2; progress stays off stderr
# when stderr is not a terminal (as here).
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)
set(DS ${SRC}/scenarios/deepseek-v3-pretrain.yaml)

# Did you mean: a command, then an option of several commands (and --name=value).
expect_fail_with(2 "llmsim: error: unknown command 'serv'; did you mean 'serve'? (see llmsim --help)" serv)
expect_fail_with(2 "llmsim: error: unknown command 'calibrat'; did you mean 'calibrate'?" calibrat ci)
expect_fail_with(2 "validate: unknown option '--thread'; did you mean '--threads'? (see llmsim validate --help)"
                 validate --thread 2)
expect_fail_with(2 "schedule: unknown option '--micro-batch'; did you mean '--micro-batches'?"
                 schedule --micro-batch 4)
expect_fail_with(2 "run: unknown option '--jsn'; did you mean '--json'? (see llmsim run --help)"
                 run ${DS} --jsn)
expect_fail_with(2 "collective: unknown option '--byte'; did you mean '--bytes'?"
                 collective --cluster h800 --op all-reduce --byte=1GB)
# An option of llmsim itself, before the command.
expect_fail_with(2 "llmsim: error: unknown option '--versoin'; did you mean '--version'? (see llmsim --help)"
                 --versoin)
expect_fail_with(2 "llmsim: error: unknown option '--verbose' (see llmsim --help)" --verbose run ${DS})
# Nothing close: the unknown name alone, still one line.
expect_fail_with(2 "llmsim: error: unknown command 'frobnicate' (see llmsim --help)" frobnicate)
expect_fail_with(2 "run: unknown option '--thread' (see llmsim run --help)" run ${DS} --thread 2)
# Other parse errors keep the parser's own words.
expect_fail_with(2 "A subcommand is required" )
expect_fail_with(2 "--pp: Value 0 not in range 1 to 4096" schedule --pp 0)

# No progress on a stderr that is not a terminal: compare (a grid) and validate print nothing
# there.
expect_ok(compare ${DS} --vary parallelism.schedule=1f1b,zb1p)
if(NOT ERR STREQUAL "")
  message(FATAL_ERROR "compare wrote to a non-terminal stderr:\n${ERR}")
endif()
expect_ok(validate ${SRC}/scenarios/validation/megatron2021-gpt-1.7b-32gpu.yaml)
if(NOT ERR STREQUAL "")
  message(FATAL_ERROR "validate wrote to a non-terminal stderr:\n${ERR}")
endif()
