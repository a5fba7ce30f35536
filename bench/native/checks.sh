#!/usr/bin/env bash
# What fuel metering and deadline checks cost machine code: each bench program precompiled
# three ways (`hull-native compile`, plain / --fuel / --epochs), so that no compile time is
# counted, and run with the matching option; user CPU seconds, the minimum of RUNS runs, the
# modes interleaved.
#   bench/native/checks.sh [BUILD_DIR] [RUNS] [SCALE]     (default build, 3 runs, scale 50)
# Prints a Markdown table with each overhead and their geometric means.
set -euo pipefail
build="${1:-build}"
runs="${2:-3}"
scale="${3:-50}"
native="$build/hull-native"
wasm="$build/bench/wasm"
[[ -x $native ]] || { echo "checks.sh: $native is missing (make bench)" >&2; exit 1; }
[[ -f $build/libhull_native_tier.so ]] ||
  { echo "checks.sh: $build/libhull_native_tier.so is missing (ninja hull_native_tier)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
programs=(fib sieve matmul nbody sha256 quicksort hashmap memops simd vm)

# user CPU seconds of one run
user_seconds() {
  local t
  t=$( { /usr/bin/time -f "%U" "$@" > /dev/null; } 2>&1 | tail -1)
  [[ $t =~ ^[0-9.]+$ ]] || { echo "checks.sh: '$*' failed: $t" >&2; exit 1; }
  echo "$t"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

echo "| program | plain s | --fuel s | --timeout (epochs) s | fuel overhead | epoch overhead |"
echo "|---|---:|---:|---:|---:|---:|"
fuel_logs=0 epoch_logs=0
for p in "${programs[@]}"; do
  m="$wasm/$p.wasm"
  [[ -f $m ]] || { echo "checks.sh: $m is missing (make bench)" >&2; exit 1; }
  [[ -t 2 ]] && printf 'checks.sh: %s...\r' "$p" >&2
  "$native" compile "$m" -o "$work/$p.plain.hullc" > /dev/null
  "$native" compile --fuel "$m" -o "$work/$p.fuel.hullc" > /dev/null
  "$native" compile --epochs "$m" -o "$work/$p.epochs.hullc" > /dev/null
  # Interleaved, so that a slower stretch of the machine falls on every mode alike.
  plain="" fuel="" epochs=""
  for ((i = 0; i < runs; i++)); do
    plain=$(min "$plain" "$(user_seconds "$native" run "$work/$p.plain.hullc" "$scale")")
    fuel=$(min "$fuel" "$(user_seconds "$native" run --fuel 100000000000000 "$work/$p.fuel.hullc" "$scale")")
    epochs=$(min "$epochs" "$(user_seconds "$native" run --timeout 3600s "$work/$p.epochs.hullc" "$scale")")
  done
  read -r fo eo fl el < <(awk -v a="$plain" -v f="$fuel" -v e="$epochs" 'BEGIN {
    printf "%+.0f %+.0f %.6f %.6f\n", (f / a - 1) * 100, (e / a - 1) * 100, log(f / a), log(e / a) }')
  fuel_logs=$(awk -v s="$fuel_logs" -v x="$fl" 'BEGIN { print s + x }')
  epoch_logs=$(awk -v s="$epoch_logs" -v x="$el" 'BEGIN { print s + x }')
  echo "| $p | $plain | $fuel | $epochs | $fo % | $eo % |"
done
awk -v f="$fuel_logs" -v e="$epoch_logs" -v n="${#programs[@]}" 'BEGIN {
  printf "| geomean | | | | %+.0f %% | %+.0f %% |\n", (exp(f / n) - 1) * 100, (exp(e / n) - 1) * 100 }'
