#!/usr/bin/env bash
# The main job: install what is missing, build, and cost DeepSeek-V3's training run from
# the model, the cluster and the plan (scenarios/deepseek-v3-pretrain.yaml), then compare
# 1F1B, ZB1P and DualPipe on the report's 8-rank, 20-micro-batch example (dualpipe.svg), and
# print llmsim's error against the published training runs of the validation set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
./build/cli/llmsim run scenarios/deepseek-v3-pretrain.yaml
echo
./build/cli/llmsim schedule --compare 1f1b,zb1p,dualpipe --pp 8 --micro-batches 20 \
  --svg dualpipe.svg
echo "timeline written to $(pwd)/dualpipe.svg"
echo
./build/cli/llmsim validate
