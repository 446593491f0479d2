import os
base = """name: small
model: llama-3.1-8b
cluster:
  name: test-16
  gpu: H100
  nodes: 2
  gpus_per_node: 8
  topology: rail-optimized
precision: bf16
parallelism:
  tp: 2
  pp: 2
  dp: 4
  zero: 1
  micro_batch_size: 1
  schedule: 1f1b
training:
  recompute: selective
  tokens: 1e9
  seq_len: 4096
  global_batch: 64
cost:
  usd_per_gpu_hour: 2
"""
def rep(*pairs, text=base):
    for a, b in pairs:
        assert a in text, a
        text = text.replace(a, b, 1)
    return text
cases = [
 ("unknown_top_key", rep(("cost:", "costs:")), "costs: unknown key; did you mean 'cost'?"),
 ("unknown_plan_key", rep(("  pp: 2\n", "  ppp: 2\n")), "parallelism.ppp: unknown key; did you mean 'pp'?"),
 ("tp_text", rep(("tp: 2", "tp: two")), "parallelism.tp = two: expected a whole number"),
 ("tp_fraction", rep(("tp: 2", "tp: 2.5")), "parallelism.tp = 2.5: expected a whole number between 1 and 1024"),
 ("pp_negative", rep(("pp: 2", "pp: -2")), "parallelism.pp = -2: must be between 1 and 4096"),
 ("tokens_huge", rep(("tokens: 1e9", "tokens: 1e30")), "training.tokens = 1e30: must be between 1 and 1e+16"),
 ("batch_overflow", rep(("global_batch: 64", "global_batch: 99999999999999999999999")), "training.global_batch = 99999999999999999999999: expected a whole number"),
 ("gpu_count_mismatch", rep(("dp: 4", "dp: 3")), "tp x cp x pp x dp = 2 x 1 x 2 x 3 = 12 GPUs, but the cluster has 16"),
 ("tp_not_dividing_heads", rep(("nodes: 2", "nodes: 3"), ("tp: 2", "tp: 3"), ("dp: 4", "dp: 4")), "parallelism.tp = 3: must divide the model's 32 attention heads"),
 ("ep_on_dense_model", rep(("  zero: 1", "  ep: 2\n  zero: 1")), "parallelism.ep = 2: the model has no experts"),
 ("ep_not_dividing_experts", rep(("model: llama-3.1-8b", "model: mixtral-8x7b"), ("tp: 2", "tp: 1"), ("pp: 2", "pp: 1"), ("dp: 4", "dp: 16"), ("  zero: 1", "  ep: 16\n  zero: 1")), "parallelism.ep = 16: must divide the model's 8 routed experts"),
 ("ep_not_dividing_stage_gpus", rep(("model: llama-3.1-8b", "model: mixtral-8x7b"), ("tp: 2", "tp: 1"), ("pp: 2", "pp: 8"), ("dp: 4", "dp: 2"), ("  zero: 1", "  ep: 4\n  zero: 1")), "parallelism.ep = 4: must divide tp x cp x dp = 2"),
 ("schedule_unknown", rep(("schedule: 1f1b", "schedule: 2f2b")), "parallelism.schedule = 2f2b: allowed: gpipe, 1f1b"),
 ("schedule_typo", rep(("schedule: 1f1b", "schedule: dualpip")), "did you mean 'dualpipe'?"),
 ("dualpipe_odd_pp", rep(("nodes: 2", "nodes: 3"), ("tp: 2", "tp: 8"), ("pp: 2", "pp: 3"), ("dp: 4", "dp: 1"), ("schedule: 1f1b", "schedule: dualpipe")), "parallelism.pp = 3: DualPipe needs an even pipeline size"),
 ("dualpipe_too_few_micro_batches", rep(("schedule: 1f1b", "schedule: dualpipe"), ("global_batch: 64", "global_batch: 8")), "DualPipe needs an even number of at least 2*pp = 4"),
 ("batch_not_multiple", rep(("global_batch: 64", "global_batch: 63")), "training.global_batch = 63: 63 sequences must be a multiple of dp x micro_batch_size = 4 x 1 = 4"),
 ("model_unknown", rep(("model: llama-3.1-8b", "model: llama-3.1-9b")), "model 'llama-3.1-9b': not in the catalog"),
 ("model_file_missing", rep(("model: llama-3.1-8b", "model: no_such_model.yaml")), "no_such_model.yaml: no such file"),
 ("hf_config_missing", rep(("model: llama-3.1-8b", "model:\n  hf_config: no_such_config.json")), "model.hf_config = no_such_config.json: no such file"),
 ("broken_yaml", rep(("  tp: 2\n", "  tp: [2\n")), "broken YAML"),
 ("cluster_file_missing", rep(("cluster:\n  name: test-16\n  gpu: H100\n  nodes: 2\n  gpus_per_node: 8\n  topology: rail-optimized\n", "cluster: no-such-cluster\n")), "cluster = no-such-cluster: no such cluster file"),
 ("gpu_unknown", rep(("gpu: H100", "gpu: H900")), "cluster.gpu = H900: not in the hardware catalog"),
 ("precision_unknown", rep(("precision: bf16", "precision: fp4")), "precision = fp4: did you mean 'fp8'? allowed: fp8, bf16, fp16"),
 ("fp8_on_a100", rep(("gpu: H100", "gpu: A100-80GB"), ("precision: bf16", "precision: fp8")), "precision = fp8: the cluster's A100-80GB has no FP8 tensor cores"),
 ("unused_default", rep(("  tokens: 1e9\n  seq_len: 4096\n  global_batch: 64\n", "  global_batch: 32\n  phases:\n    - name: a\n      tokens: 1e9\n      seq_len: 4096\n      global_batch: 64\n")), "training.global_batch = 32: every phase sets its own global_batch or batch_ramp, so this default applies to none"),
 ("duplicate_key", rep(("  recompute: selective\n", "  recompute: selective\n  recompute: full\n")), "training.recompute: the key appears twice in one mapping (first at line 19); allowed: each key once"),
 ("attention_unknown", rep(("  recompute: selective\n", "  recompute: selective\n  kernels:\n    attention: flash3\n")), "training.kernels.attention = flash3"),
 ("recompute_unknown", rep(("recompute: selective", "recompute: partial")), "training.recompute = partial: allowed: none, attention, selective, selective_op, full"),
 ("tokens_and_steps", rep(("  tokens: 1e9\n", "  tokens: 1e9\n  steps: 10\n")), "training.steps = 10: give tokens or steps, not both"),
 ("no_tokens_or_steps", rep(("  tokens: 1e9\n", "")), "training.tokens: missing; give tokens or steps"),
 ("ramp_backwards", rep(("  global_batch: 64\n", "  batch_ramp:\n    from: 128\n    to: 64\n    tokens: 1e8\n")), "training.batch_ramp.from = 128: must not exceed to = 64"),
 ("batch_and_ramp", rep(("  global_batch: 64\n", "  global_batch: 64\n  batch_ramp:\n    from: 32\n    to: 64\n    tokens: 1e8\n")), "give global_batch or batch_ramp, not both"),
 ("reference_without_source", base + "reference:\n  - id: hours\n    quantity: total_gpu_hours\n    value: 10\n", "reference.0.source: missing; this key is required"),
 ("reference_quantity_unknown", base + "reference:\n  - id: mfu\n    quantity: mfu\n    value: 40\n    source: paper\n", "reference.0.quantity = mfu: did you mean 'mfu_bf16'? allowed: step_time, mfu_bf16, tflops_per_gpu"),
 ("reference_wrong_unit", base + "reference:\n  - id: mfu\n    quantity: mfu_bf16\n    value: 0.4\n    unit: fraction\n    source: paper\n", "reference.0.unit = fraction: mfu_bf16 is measured in percent"),
 ("reference_phase_sum_without_phases", base + "reference:\n  - id: hours\n    quantity: phase_gpu_hours\n    value: 10\n    source: paper\n", "reference.0.phases: missing; name the phases this figure sums"),
 ("reference_duplicate_id", base + "reference:\n  - {id: a, quantity: total_gpu_hours, value: 1, source: p}\n  - {id: a, quantity: total_cost, value: 2, source: p}\n", "reference.1.id = a: two figures have this id"),
 ("reference_condition_unknown", base + "reference:\n  - {id: a, quantity: total_gpu_hours, value: 1, source: p, conditions: {gpu_count: 16}}\n", "reference.0.conditions.gpu_count: unknown key"),
 ("reference_convention_unknown", base + "reference:\n  - id: tflops\n    quantity: tflops_per_gpu\n    convention: meg\n    value: 135\n    source: paper\n", "reference.0.convention = meg: did you mean 'meg3'? allowed: llmsim, meg3, kor, mos, tt, nemo, opt"),
 ("reference_convention_on_step_time", base + "reference:\n  - id: step\n    quantity: step_time\n    convention: meg3\n    value: 9.4\n    source: paper\n", "reference.0.convention = meg3: step_time does not count FLOPs; a convention applies to tflops_per_gpu, mfu_bf16, hfu_bf16 and mfu_fp8 figures"),
 ("reference_convention_against_tag", base + "reference:\n  - id: mfu\n    name: \"[KOR] MFU\"\n    quantity: mfu_bf16\n    convention: meg3\n    value: 41.5\n    source: paper\n", "reference.0.convention = meg3: the figure's name is tagged [KOR]; give convention: kor"),
 ("reference_tag_without_convention", base + "reference:\n  - id: tflops\n    name: \"[MEG3] TFLOP/s per GPU\"\n    quantity: tflops_per_gpu\n    value: 135\n    source: paper\n", "reference.0.convention: missing (llmsim by default): the figure's name is tagged [MEG3]; give convention: meg3"),
 ("training_and_serving", base + "serving:\n  deployments: [{nodes: 2}]\n  traffic: {requests_per_s: 1, prompt_tokens: 100, output_tokens: 10}\n", "serving = a mapping: a scenario holds one workload: give training or serving, not both"),
 ("cost_negative", rep(("usd_per_gpu_hour: 2", "usd_per_gpu_hour: -1")), "cost.usd_per_gpu_hour = -1: must be between 0 and 10000"),
 ("seq_len_zero", rep(("seq_len: 4096", "seq_len: 0")), "training.seq_len = 0: must be between 1 and 16777216"),
 ("model_is_a_list", rep(("model: llama-3.1-8b", "model: [llama-3.1-8b, mixtral-8x7b]")), "model = a list: expected a text value"),
 ("inline_model_bad_kv_heads", rep(("model: llama-3.1-8b", "model:\n  name: tiny\n  layers: 4\n  hidden: 256\n  heads: 8\n  attention: gqa\n  kv_heads: 3\n  ffn: 512\n  vocab: 1000")), "kv_heads = 3: must divide heads = 8"),
 ("vpp_without_interleaved", rep(("  zero: 1", "  vpp: 2\n  zero: 1")), "parallelism.vpp = 2: virtual stages apply to the interleaved schedule only"),
 ("interleaved_micro_batches", rep(("  zero: 1", "  vpp: 2\n  zero: 1"), ("schedule: 1f1b", "schedule: interleaved"), ("global_batch: 64", "global_batch: 12")), "interleaved 1F1B needs a multiple of pp = 2"),
 ("too_many_stages", rep(("  zero: 1", "  vpp: 32\n  zero: 1"), ("schedule: 1f1b", "schedule: interleaved")), "parallelism.pp = 2: 64 pipeline stages but the model has only 32 layers"),
 ("sp_without_tp", rep(("tp: 2", "tp: 1\n  sp: true"), ("dp: 4", "dp: 8")), "parallelism.sp = true: sequence parallelism needs tp > 1"),
 ("empty_file", "# nothing here\n", "empty scenario file"),
 ("document_is_a_list", "- model: llama-3.1-8b\n- cluster: h800\n", "document: expected a mapping of keys to values"),
 ("calibration_missing", base + "calibration: no_such_profile.yaml\n", "calibration = no_such_profile.yaml: no such file"),
 ("zero_stage_4", rep(("zero: 1", "zero: 4")), "parallelism.zero = 4: must be between 0 and 3"),
 ("phases_empty", rep(("  tokens: 1e9\n", "  phases: []\n")), "training.phases = a list: an empty list; give at least one phase"),
 ("cp_not_dividing_seq_len", rep(("nodes: 2", "nodes: 3"), ("  pp: 2", "  cp: 3\n  pp: 2"), ("dp: 4", "dp: 2"), ("global_batch: 64", "global_batch: 8")), "training.seq_len = 4096: must be a multiple of cp = 3"),
 ("custom_gpu_incomplete", base + "hardware:\n  - name: MyGPU\n    hbm_gb: 96\n", "hardware.0.bf16_tflops: missing; this key is required"),
 ("custom_gpu_sustained_above_boost", base + "hardware:\n  - name: MyGPU\n    bf16_tflops: 900\n    hbm_gb: 96\n    hbm_tbps: 2.4\n    boost_clock_mhz: 1600\n    sustained_clock_mhz: 1830\n    clock_source: measured\n", "hardware.0.sustained_clock_mhz = 1830: above boost_clock_mhz (1600 MHz)"),
 ("custom_gpu_sustained_no_source", base + "hardware:\n  - name: MyGPU\n    bf16_tflops: 900\n    hbm_gb: 96\n    hbm_tbps: 2.4\n    boost_clock_mhz: 1830\n    sustained_clock_mhz: 1600\n", "hardware.0.clock_source: missing: say where the sustained clock comes from"),
 ("does_not_fit", rep(("model: llama-3.1-8b", "model: llama-3.1-405b"), ("recompute: selective", "recompute: none")), "does not fit: pipeline rank"),
 ("phase_unknown_key", rep(("  tokens: 1e9\n", "  phases:\n    - name: a\n      tokens: 1e9\n      seqlen: 4096\n")), "training.phases.0.seqlen: unknown key; did you mean 'seq_len'?"),
 ("missing_training", rep(("training:\n  recompute: selective\n  tokens: 1e9\n  seq_len: 4096\n  global_batch: 64\n", "")), "training: missing; give training: (phases of tokens) or serving: (deployments and traffic)"),
 ("serving_with_parallelism", rep(("training:\n  recompute: selective\n  tokens: 1e9\n  seq_len: 4096\n  global_batch: 64\n", "serving:\n  deployments: [{nodes: 2}]\n  traffic: {requests_per_s: 1, prompt_tokens: 100, output_tokens: 10}\n")), "parallelism = a mapping: a serving scenario gives its layout per deployment (serving.deployments)"),
 ("serving_prefill_without_decode", rep(("parallelism:\n  tp: 2\n  pp: 2\n  dp: 4\n  zero: 1\n  micro_batch_size: 1\n  schedule: 1f1b\ntraining:\n  recompute: selective\n  tokens: 1e9\n  seq_len: 4096\n  global_batch: 64\n", "serving:\n  deployments: [{name: p, role: prefill, nodes: 1}]\n  traffic: {requests_per_s: 1, prompt_tokens: 100, output_tokens: 10}\n")), "serving.deployments = a list: a disaggregated deployment needs both a prefill and a decode part"),
 ("serving_role_unknown", rep(("parallelism:\n  tp: 2\n  pp: 2\n  dp: 4\n  zero: 1\n  micro_batch_size: 1\n  schedule: 1f1b\ntraining:\n  recompute: selective\n  tokens: 1e9\n  seq_len: 4096\n  global_batch: 64\n", "serving:\n  deployments: [{name: p, role: prefil, nodes: 1}]\n  traffic: {requests_per_s: 1, prompt_tokens: 100, output_tokens: 10}\n")), "serving.deployments.0.role = prefil"),
 ("serving_traffic_missing", rep(("parallelism:\n  tp: 2\n  pp: 2\n  dp: 4\n  zero: 1\n  micro_batch_size: 1\n  schedule: 1f1b\ntraining:\n  recompute: selective\n  tokens: 1e9\n  seq_len: 4096\n  global_batch: 64\n", "serving:\n  deployments: [{nodes: 1}]\n")), "serving.traffic: missing; this key is required"),
]
os.makedirs("bad_scenarios", exist_ok=True)
lines = ["# Bad scenario files and the error each must give (a substring of its one-line message).",
         "# Read by tests/costmodel/read/scenario_test.cpp and tests/cli/bad_scenarios_test.cmake.",
         "# file | expected error"]
for name, text, expect in cases:
    with open(f"bad_scenarios/{name}.yaml", "w") as f:
        f.write(f"# Bad scenario: {name.replace('_', ' ')}. Expected error: {expect}\n" + text)
    lines.append(f"{name}.yaml | {expect}")
lines.append(f"no_such_scenario.yaml | no_such_scenario.yaml: no such file")
open("bad_scenarios/expected.txt", "w").write("\n".join(lines) + "\n")
print(len(cases) + 1, "cases")
