# End-to-end checks of `llmsim model` and `llmsim memory`, run by CTest with -DLLMSIM=<binary>
# -DSRC=<source dir>.
include(${CMAKE_CURRENT_LIST_DIR}/cli_test_helpers.cmake)


# llmsim model: the documented JSON keys, DeepSeek-V3's sizes (671B / 37.5B) and MLA cache.
expect_ok(model deepseek-v3 --json)
foreach(key total_params active_params kv_cache_bytes_per_token train_flops_per_token_causal
        train_flops_per_token_full)
  string(JSON v GET "${OUT}" ${key})
  set(${key} ${v})
endforeach()
if(total_params LESS 664e9 OR total_params GREATER 678e9 OR NOT kv_cache_bytes_per_token EQUAL 70272)
  message(FATAL_ERROR "deepseek-v3: total ${total_params}, KV ${kv_cache_bytes_per_token}")
endif()
expect_ok(model ${SRC}/tests/data/hf/llama-3.1-8b/config.json --seq-len 8192)
foreach(word "parameters" "KV cache" "attn.qkv" "mlp.down")
  string(FIND "${OUT}" "${word}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "model table lacks '${word}':\n${OUT}")
  endif()
endforeach()
expect_fail("not in the catalog" model no-such-model)

# llmsim memory: the published DeepSeek-V3 plan fits; in BF16 without recomputation it does not.
expect_ok(memory ${SRC}/scenarios/deepseek-v3-pretrain.yaml)
string(FIND "${OUT}" "worst pipeline rank" at)
if(at EQUAL -1)
  message(FATAL_ERROR "memory output lacks the worst rank:\n${OUT}")
endif()
expect_ok(memory ${SRC}/scenarios/deepseek-v3-pretrain.yaml --json)
string(JSON fits GET "${OUT}" fits)
if(NOT fits)
  message(FATAL_ERROR "DeepSeek-V3 plan does not fit:\n${OUT}")
endif()
expect_fail("does not fit" memory ${SRC}/scenarios/deepseek-v3-pretrain.yaml --set precision=bf16
            --set training.recompute=none)
expect_fail("--set parallelism.pp = 0" memory ${SRC}/scenarios/deepseek-v3-pretrain.yaml
            --set parallelism.pp=0)
expect_fail("--phase x: no such phase" memory ${SRC}/scenarios/deepseek-v3-pretrain.yaml --phase x)
