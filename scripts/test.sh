#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
# No function in sim/, costmodel/, cli/, gui/ or report/ over 80 lines.
bash scripts/long-functions.sh
# The bad-scenario table under AddressSanitizer and UBSan: malformed input must give its
# one-line error and never crash. A minimal Debug build of the llmsim binary only.
cmake -S . -B build-asan -G Ninja -DLLMSIM_SANITIZE=ON -DLLMSIM_BUILD_GUI=OFF \
  -DLLMSIM_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan --target llmsim
(cd build-asan && ctest --output-on-failure -R '^cli\.bad_scenarios$')
# The readers under libFuzzer, ASan and UBSan: 60 s per target (about 6 minutes with the clang
# build on 2 cores); any finding fails CI and leaves its input under build-fuzz/findings/.
bash scripts/fuzz.sh 60
# The whole suite, last, so that its summary closes the log.
cd build
ctest --output-on-failure -j "$(nproc)"
