#!/usr/bin/env bash
# plan_mpi_perftest: `llmsim plan` end to end, as a user runs it, on the ~10,000-candidate space
# of bench/plan_perftest (DeepSeek-V3, 2048 H800, FP8, ZeRO-1, every other field at its
# default): one process on 1 thread, on 2 threads, and 2 MPI ranks of 1 thread each (needs a
# -DLLMSIM_MPI=ON build, as scripts/build.sh makes, and mpirun). Prints, for each, the wall
# time, candidates per second, the simulated and the pruned counts apart, and the ratios
# measured in this run. Targets (issue #16): 10,000 candidates in under 60 s on 2 cores.
#   bash bench/plan_mpi_perftest.sh [build dir]
set -euo pipefail
cd "$(dirname "$0")/.."
llmsim=${1:-build}/cli/llmsim
args=(plan scenarios/deepseek-v3-pretrain.yaml --precision fp8 --zero 1)
mpirun=(mpirun --oversubscribe -n 2)
[ "$(id -u)" = 0 ] && mpirun=(mpirun --allow-run-as-root --oversubscribe -n 2)

div() { awk "BEGIN { printf \"%.3f\", ($1) / ($2) }"; }  # bc is not in a minimal Debian
out=$(mktemp)
one() {  # label, command...: prints a line, sets $secs
  local label=$1; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$out.stdout" 2> "$out"
  t1=$(date +%s.%N)
  secs=$(div "$t1 - $t0" 1)
  local counts pruned
  counts=$(grep -m1 '^Candidates:' "$out.stdout")
  pruned=$(grep -m1 'pruned before simulation' "$out.stdout" | sed 's/^ *//')
  local n=$(echo "$counts" | sed -E 's/Candidates: ([0-9]+) generated.*/\1/')
  local sim=$(echo "$counts" | sed -E 's/.* ([0-9]+) simulated.*/\1/')
  printf '%-22s %6.1f s wall, %6.0f candidates/s, %5d simulated (%6.1f/s); %s\n' \
    "$label" "$secs" "$(div "$n" "$secs")" "$sim" "$(div "$sim" "$secs")" "$pruned"
  cp "$out.stdout" "$out.$label"
}
one "1 process, 1 thread" "$llmsim" "${args[@]}" --threads 1; t1=$secs
one "1 process, 2 threads" "$llmsim" "${args[@]}" --threads 2; t2=$secs
if command -v mpirun >/dev/null; then
  one "2 MPI ranks" "${mpirun[@]}" "$llmsim" "${args[@]}" --threads 1; tm=$secs
  same=$(cmp -s "$out.1 process, 1 thread" "$out.2 MPI ranks" && echo "the same" || echo "NOT the same")
  printf 'ratios in this run: 2 threads %.2fx, 2 MPI ranks %.2fx the speed of 1 thread; ' \
    "$(div "$t1" "$t2")" "$(div "$t1" "$tm")"
  echo "2 ranks print $same as 1 process; 2-thread time / 60 s target = $(div "$t2" 60)"
else
  echo "mpirun not found: 2-rank figure skipped (apt-get install openmpi-bin)"
fi
rm -f "$out" "$out".*
