#!/usr/bin/env bash
# Installs the Debian 12 packages llmsim needs, only those that are missing.
# Idempotent: when everything is present it returns in well under a second.
# Usage: bash scripts/setup.sh   (as root, or with sudo available)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libboost-graph-dev      # cluster topologies (sim/)
  libfmt-dev              # formatting everywhere
  catch2                  # tests (2.13 in Debian 12)
  librapidcheck-dev       # property tests (tests/property_test_main.cpp)
  libyaml-cpp-dev         # scenario files
  nlohmann-json3-dev      # JSON output and traces
  libcli11-dev            # the llmsim command line
  libopenblas-dev         # calibration: FP32 reference GEMM
  libsqlite3-dev          # llmsim plan: the results store (--db)
  libopenmpi-dev openmpi-bin  # llmsim plan under mpirun (-DLLMSIM_MPI=ON; optional)
  qt6-base-dev qt6-svg-dev  # llmsim-gui (Debian 12: libqt6svg6-dev is a virtual name for qt6-svg-dev)
  qt6-charts-dev libqt6opengl6-dev  # llmsim-gui plan search plot (Qt6Charts needs Qt6OpenGL, not a dependency in Debian 12)
  fonts-dejavu-core       # text in offscreen GUI renders
  universal-ctags         # scripts/long-functions.sh: no function over 80 lines
  time                    # GNU time: peak memory in tests/cli/schedule_cli_test.cmake
  clang libclang-rt-14-dev llvm-14  # scripts/fuzz.sh: libFuzzer, ASan / UBSan runtimes, symbolizer
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
