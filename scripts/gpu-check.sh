#!/usr/bin/env bash
# On a machine with an NVIDIA GPU and the CUDA toolkit: build llmsim with the CUDA kernels
# (build-cuda/, Ninja, -DLLMSIM_CUDA=ON), run the CUDA tests, and calibrate GPU 0:
#   $OUT/h200-measured.yaml   the profile (llmsim calibrate --device cuda --quick --out ...)
#   $OUT/h200.json            the same profile as JSON (--json on stdout)
#   $OUT/*.log                configure, build, test and calibrate logs
# Under 8 minutes on 16 cores (build about 2, tests about 1, calibration about 1).
#
# Usage: OUT=/some/dir scripts/gpu-check.sh [--no-build]
#   OUT         where results go (default: ./gpu-check-out)
#   JOBS        build parallelism (default 16)
#   CUDA_ARCH   CMAKE_CUDA_ARCHITECTURES (default 90: H100 / H200 / H800)
#   --no-build  use an existing build-cuda/ (built elsewhere and carried here)
# Needs cmake, ninja, a C++20 compiler, nvcc, and the Debian packages of scripts/setup.sh
# (fmt, yaml-cpp, Boost, nlohmann-json, CLI11, Catch2, OpenBLAS); it stops at the first missing
# piece and says which.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu-check-out}"
JOBS="${JOBS:-16}"
BUILD=1
[[ "${1:-}" == "--no-build" ]] && BUILD=0
mkdir -p "$OUT"
start=$SECONDS

die() {
  echo "gpu-check: FAILED: $*" >&2
  exit 1
}
step() { echo "== [$((SECONDS - start))s] $*"; }

step "device"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader ||
    die "nvidia-smi sees no GPU"
else
  echo "gpu-check: nvidia-smi not found; the CUDA tests will tell whether a GPU is usable"
fi

if ((BUILD)); then
  step "toolchain"
  command -v cmake >/dev/null || die "cmake not found"
  command -v ninja >/dev/null || die "ninja not found"
  nvcc="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
  [[ -x "$nvcc" ]] || die "nvcc not found (install the CUDA toolkit, or set CUDACXX)"
  "$nvcc" --version | tail -2

  step "configure build-cuda"
  if ! CUDACXX="$nvcc" cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DLLMSIM_CUDA=ON -DLLMSIM_BUILD_GUI=OFF -DLLMSIM_BUILD_BENCH=OFF \
      -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" >"$OUT/configure.log" 2>&1; then
    grep -E "Could NOT find|Could not find|By not providing|not found|Error" "$OUT/configure.log" |
      head -8 >&2 || true
    die "configure failed (see $OUT/configure.log; the packages are listed in scripts/setup.sh)"
  fi

  step "build llmsim and cuda_tests (-j$JOBS)"
  if ! timeout 420 cmake --build build-cuda -j"$JOBS" --target llmsim cuda_tests \
      >"$OUT/build.log" 2>&1; then
    grep -E "error|FAILED" "$OUT/build.log" | head -20 >&2 || true
    die "build failed or took over 7 minutes (see $OUT/build.log)"
  fi
fi
[[ -x build-cuda/cli/llmsim && -x build-cuda/tests/cuda_tests ]] ||
  die "build-cuda/cli/llmsim or build-cuda/tests/cuda_tests is missing"

step "CUDA tests"
# Run the binary directly: its exit code 77 means "no usable GPU", which CTest would only
# report as skipped. The FP8 GEMM test's warning names the scaling mode cuBLASLt ran.
set +e
timeout 240 build-cuda/tests/cuda_tests --durations yes >"$OUT/cuda_tests.log" 2>&1
rc=$?
set -e
tail -25 "$OUT/cuda_tests.log"
grep -A2 "gemm_fp8 on this GPU" "$OUT/cuda_tests.log" | head -3 || true
((rc == 77)) && die "no usable GPU: $(head -1 "$OUT/cuda_tests.log")"
((rc == 124)) && die "the CUDA tests took over 4 minutes"
((rc == 0)) || die "CUDA tests failed (exit $rc; see $OUT/cuda_tests.log)"

step "calibrate --device cuda --quick"
set +e
timeout 240 build-cuda/cli/llmsim calibrate --device cuda --quick \
  --out "$OUT/h200-measured.yaml" --json >"$OUT/h200.json" 2>"$OUT/calibrate.log"
rc=$?
set -e
((rc == 0)) || die "calibrate failed (exit $rc): $(tail -3 "$OUT/calibrate.log")"

step "profile"
# The table `llmsim calibrate` prints, read back from the JSON (python3 where there is one).
if command -v python3 >/dev/null; then
  python3 - "$OUT/h200.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
def f(v, fmt):
    return fmt % v if isinstance(v, (int, float)) else "-"
print(f"device: {p['device']}")
print(f"overall holdout MAPE: {f(p.get('overall_holdout_mape'), '%.1f%%')}")
print(f"{'class':<15}{'fit':>5}{'held':>6}{'holdout':>9}{'max':>8}{'compute':>9}"
      f"{'memory':>8}{'overhead':>10}  source")
for c in p["classes"]:
    m, fit = c.get("model", {}), c.get("fit", {})
    print(f"{c['class']:<15}{fit.get('fit_points', 0):>5}{fit.get('holdout_points', 0):>6}"
          f"{f(fit.get('holdout_mape'), '%.1f%%'):>9}{f(fit.get('holdout_max_error'), '%.1f%%'):>8}"
          f"{f(m.get('compute_efficiency'), '%.3f'):>9}{f(m.get('memory_efficiency'), '%.3f'):>8}"
          f"{f(m.get('overhead_us'), '%.2f'):>10}  {c.get('source', '')}")
for s in p.get("sources", []):
    print("source:", s)
EOF
else
  head -c 3000 "$OUT/h200.json"
fi
step "done: $OUT/h200-measured.yaml, $OUT/h200.json"
