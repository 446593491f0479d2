#!/usr/bin/env bash
# Configures and builds llmsim into build/ (Release, warnings as errors), installing any
# missing Debian package first. With Open MPI (`mpirun -n N llmsim plan`; a plain run never
# starts MPI). Extra arguments go to CMake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLLMSIM_WERROR=ON -DLLMSIM_MPI=ON "$@" >/dev/null
cmake --build build
