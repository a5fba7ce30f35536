#!/usr/bin/env bash
# Wasm GC throughput, the interpreter against the native tier: the programs of
# bench/gc/gc_programs.wat through `hull-native run --tier interp|native --invoke`, each run
# RUNS times (median user CPU seconds; the native column includes the compile unless the object
# cache holds the module, so a warm-up run fills it first). Prints a markdown table.
#
#   bench/gc/throughput.sh BUILD_DIR [RUNS]
set -euo pipefail
build=${1:?usage: throughput.sh BUILD_DIR [RUNS]}
runs=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
hull=$build/hull-native
[ -x "$hull" ] || { echo "throughput.sh: $hull not built (needs LLVM 19: llvm-19-dev)" >&2; exit 1; }
wat=$here/gc_programs.wat
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
export HULL_CACHE_DIR=$cache

# Median user CPU seconds of RUNS runs of: hull-native run --tier TIER wat --invoke FN ARG.
median_user() {
  local tier=$1 fn=$2 arg=$3 times=() i
  for ((i = 0; i < runs; i++)); do
    times+=("$( { /usr/bin/time -f '%U' "$hull" run --tier "$tier" "$wat" --invoke "$fn" "$arg" \
                  > /dev/null; } 2>&1 | tail -1)")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

echo "| program | interpreter s | native s | speed-up |"
echo "|---|---:|---:|---:|"
for case in "binary_trees 16" "array_sort 1000000" "particles 10000"; do
  read -r fn arg <<<"$case"
  [ -t 2 ] && printf '%s ...\r' "$fn" >&2
  want=$("$hull" run --tier interp "$wat" --invoke "$fn" "$arg")
  got=$("$hull" run --tier native "$wat" --invoke "$fn" "$arg")  # also fills the cache
  if [ "$want" != "$got" ]; then
    echo "throughput.sh: $fn $arg: interpreter $want, native $got" >&2
    exit 1
  fi
  i=$(median_user interp "$fn" "$arg")
  n=$(median_user native "$fn" "$arg")
  ratio=$(awk -v i="$i" -v n="$n" 'BEGIN { printf (n > 0 ? "%.1fx" : "-"), i / n }')
  echo "| $fn $arg | $i | $n | $ratio |"
done
