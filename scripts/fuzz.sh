#!/usr/bin/env bash
# Fuzzes the readers with libFuzzer under AddressSanitizer and UBSan (fuzz/: scenario, model
# and config.json, cluster, --set): builds build-fuzz/ with clang, assembles each target's seed
# corpus from the repository's files, and runs each target for SECONDS (default 60).
# Usage: bash scripts/fuzz.sh [SECONDS [RUNS]]  (bash scripts/fuzz.sh 3600 for a longer run;
#        bash scripts/fuzz.sh 86400 1000000: one million inputs per target, whichever ends first)
# Prints per target: executions, exec/s and coverage (cov: edges, ft: features). Exits 1 on any
# finding: a crash, an exception other than UserError, a sanitizer report, a leak, a timeout
# (10 s) or more than 2 GB of memory; the input is kept under build-fuzz/findings/<target>/
# (replay: build-fuzz/fuzz/<target>_fuzzer FILE). Inputs that found new coverage accumulate in
# build-fuzz/corpus/<target>/, so later runs start from them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
runs=${2:--1}  # libFuzzer's -runs: -1 means no limit
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ && "$runs" =~ ^(-1|[1-9][0-9]*)$ ]]; then
  echo "usage: bash scripts/fuzz.sh [SECONDS [RUNS]]   (whole numbers, per target)" >&2
  exit 2
fi
bash scripts/setup.sh

build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release -DLLMSIM_WERROR=ON \
  -DLLMSIM_FUZZ=ON -DLLMSIM_BUILD_GUI=OFF -DLLMSIM_BUILD_TESTS=OFF -DLLMSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target fuzzers

# Seeds: copies of the repository's files, rewritten on every run (build-fuzz/seeds/<target>/).
seed() {  # seed TARGET FILE...: copies each file, named after its path
  local dir="$build/seeds/$1" f
  shift
  for f in "$@"; do
    [[ -f "$f" ]] && cp "$f" "$dir/${f//\//_}"
  done
  return 0
}
rm -rf "$build/seeds"
for t in scenario model cluster set; do mkdir -p "$build/seeds/$t" "$build/corpus/$t"; done
shopt -s nullglob globstar
seed scenario scenarios/*.yaml tests/data/**/*.yaml
seed model scenarios/models/*.yaml tests/data/hf/**/config.json
seed cluster scenarios/clusters/*.yaml
# set_fuzzer: each block of fuzz/set_seeds.txt (blank-line separated, # comments) is one seed.
n=0 block=""
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ "$line" == \#* ]] && continue
  if [[ -z "$line" ]]; then
    [[ -n "$block" ]] && printf '%s' "$block" >"$build/seeds/set/seed-$((n += 1))"
    block=""
  else
    block+="${block:+$'\n'}$line"
  fi
done <fuzz/set_seeds.txt
[[ -n "$block" ]] && printf '%s' "$block" >"$build/seeds/set/seed-$((n += 1))"

# Dictionary: every key and choice the readers know (their string literals) and YAML syntax.
{
  grep -ohE '"[a-z][a-z0-9_.-]*"' costmodel/read/*.cpp costmodel/describe/hardware.cpp
  printf '"%s"\n' ': ' '- ' '{' '}' '[' ']' ', ' '&a ' '*a' '<<: ' '!!str ' '!!map ' '~' \
    'null' 'true' '.inf' '.nan' '1e400' '-1' '0x7fffffffffffffff' '---' '...' '|' '>' '=' '.'
} | sort -u >"$build/llmsim.dict"

# Stack traces with function names and lines for any report. ASan records no stack per
# allocation: through yaml-cpp (built without frame pointers) each one looks new, and their store
# grew by gigabytes in an hour. A finding's input replayed without this option shows them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
if [[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

failed=()
for t in scenario model cluster set; do
  findings="$build/findings/$t"
  log="$build/fuzz-$t.log"
  mkdir -p "$findings"
  rm -f "$findings"/{crash,leak,timeout,oom}-*
  rc=0
  "$build/fuzz/${t}_fuzzer" "$build/corpus/$t" "$build/seeds/$t" -dict="$build/llmsim.dict" \
    -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" >"$log" 2>&1 || rc=$?
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  found=("$findings"/{crash,leak,timeout,oom}-*)
  printf '%-16s %10s executions %7s exec/s   %s\n' "${t}_fuzzer" "${executed:-?}" "${speed:-?}" \
    "${cov:-no coverage line}"
  if ((rc != 0 || ${#found[@]} > 0)); then
    echo "FINDING in ${t}_fuzzer (libFuzzer exit $rc): ${found[*]:-see $log}" >&2
    tail -n 40 "$log" >&2
    failed+=("$t")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]}; inputs under $build/findings/" >&2
  exit 1
fi
echo "fuzz: no findings in ${seconds} s${2:+ or $runs inputs} per target"
