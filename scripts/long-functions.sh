#!/usr/bin/env bash
# Lists functions longer than N lines (default 80) in the given folders (default: sim costmodel
# cli gui report), longest first; exits 1 if any. Uses universal-ctags (Debian: universal-ctags)
# for where each function starts and ends.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${LLMSIM_MAX_FUNCTION_LINES:-80}
dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(sim costmodel cli gui report)
command -v ctags >/dev/null || { echo "long-functions.sh: needs ctags (apt-get install universal-ctags)" >&2; exit 2; }
out=$(find "${dirs[@]}" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.cu' -o -name '*.cuh' \) -print0 |
  xargs -0 ctags --languages=C++,CUDA --map-C++=+.cu --map-C++=+.cuh --kinds-C++=f --fields=+ne -x --_xformat='%N|%F|%n|%{end}' 2>/dev/null |
  awk -F'|' -v n="$N" '$4 != "" { len = $4 - $3 + 1; if (len > n) printf "%5d %s:%d %s\n", len, $2, $3, $1 }' | sort -rn)
if [[ -n "$out" ]]; then echo "$out"; exit 1; fi
echo "no function over $N lines in ${dirs[*]}"
