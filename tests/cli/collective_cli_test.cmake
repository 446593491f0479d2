# End-to-end checks of `llmsim collective`, run by CTest with -DLLMSIM=<binary> -DSRC=<source dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)

set(H800 ${SRC}/scenarios/clusters/h800.yaml)

# One node, big message: busbw 160 GB/s (NVLink), table with units.
expect_ok(collective --cluster ${H800} --op all-reduce --gpus 8 --bytes 8GiB)
expect_in("${OUT}" "busbw (GB/s)" "time (us)" "160" "bottleneck: gpu" "NVLink" "mode: flow")

# DeepEP dispatch across 4 nodes, JSON with the required keys.
expect_ok(collective --cluster ${H800} --op ep-dispatch --gpus 32 --tokens 4096 --hidden 7168
          --topk 8 --json)
expect_in("${OUT}" "\"op\": \"ep-dispatch\"" "\"gpus\": 32" "\"bytes\"" "\"time_s\""
          "\"algbw_gbps\"" "\"busbw_gbps\"" "\"nvlink_gbps\"" "\"rdma_gbps\"")
string(JSON rdma GET "${OUT}" rdma_gbps)
if(rdma LESS 45 OR rdma GREATER 62)
  message(FATAL_ERROR "EP32 dispatch RDMA bandwidth ${rdma} GB/s, DeepEP reports 58")
endif()

# The same, as a table, with DeepEP's published figure printed beside it.
expect_ok(collective --cluster ${H800} --op ep-dispatch --gpus 32)
expect_in("${OUT}" "DeepEP bandwidth per GPU: NVLink" "DeepEP published" "RDMA 58 GB/s"
          "bottleneck: gpu0 -> nic(gpu0)")

# NCCL's time beyond the links' rates, from the GPU's nccl-tests sweep (its published profile):
# 8 x A100, 100 MB, near the sweep's ~171 GB/s bus bandwidth there; the links alone give 235.
expect_ok(collective --cluster a100 --op all-reduce --gpus 8 --bytes 100MB --json)
string(JSON busbw GET "${OUT}" busbw_gbps)
string(JSON extra GET "${OUT}" nccl_overhead_s)
if(busbw LESS 160 OR busbw GREATER 185 OR NOT extra GREATER 0)
  message(FATAL_ERROR "8 x A100 100 MB all-reduce: busbw ${busbw} GB/s, NCCL ${extra} s; nccl-tests ~171")
endif()
expect_ok(collective --cluster a100 --op all-reduce --gpus 8 --bytes 100MB --calibration none --json)
string(JSON busbw GET "${OUT}" busbw_gbps)
if(busbw LESS 225)
  message(FATAL_ERROR "--calibration none: busbw ${busbw} GB/s, the links alone give 235")
endif()
expect_ok(collective --cluster a100 --op all-reduce --gpus 8 --bytes 100MB)
expect_in("${OUT}" "NCCL:" "at the links' rates +" "beyond them" "a100-80gb-published")
expect_fail("--calibration = 'nosuch.yaml': nosuch.yaml: no such file"
            collective --cluster a100 --op all-reduce --gpus 8 --bytes 1GB --calibration nosuch.yaml)

# Huge groups switch to the closed form by themselves and say so.
expect_ok(collective --cluster ${H800} --op all-to-all --gpus 2048 --bytes 1GB)
expect_in("${OUT}" "mode: analytical" "auto:")
expect_ok(collective --cluster ${H800} --op all-reduce --gpus 64 --bytes 1GB --mode analytical
          --algorithm hierarchical)
expect_in("${OUT}" "analytical")

# A catalog name stands for its file (scenarios/clusters/NAME.yaml): the same result.
expect_ok(collective --cluster h800 --op all-reduce --gpus 8 --bytes 8GiB)
set(by_name "${OUT}")
expect_ok(collective --cluster ${H800} --op all-reduce --gpus 8 --bytes 8589934592)
if(NOT by_name STREQUAL OUT)
  message(FATAL_ERROR "--cluster h800 differs from the file:\n${by_name}\nvs\n${OUT}")
endif()
expect_fail_with(2 "--cluster = 'h80': no such cluster file or catalog name; did you mean 'h800'? (known: a100, b200, gb200-nvl72, h100"
                 collective --cluster h80 --op all-reduce --gpus 8 --bytes 1GB)

# Mistakes: one line, exit 2.
expect_fail("--gpus = 12" collective --cluster ${H800} --op all-reduce --gpus 12 --bytes 1GB)
expect_fail("--bytes = '12parsecs': expected a size such as 256MB or 1GiB (units: B, KB" collective --cluster ${H800} --op all-reduce --gpus 8 --bytes 12parsecs)
expect_fail("--op = 'allreduce'" collective --cluster ${H800} --op allreduce --gpus 8 --bytes 1GB)
expect_fail("needs --bytes" collective --cluster ${H800} --op all-gather --gpus 8)
expect_fail("--experts = 256" collective --cluster ${H800} --op ep-combine --gpus 24)
