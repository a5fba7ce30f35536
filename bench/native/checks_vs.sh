#!/usr/bin/env bash
# checks.sh's measurement for two builds at once, every run of both interleaved, so that a
# slower stretch of a shared machine falls on both alike: a before/after of a change to what
# checks cost (each build's hull-native runs only the .hullc it compiled itself).
#   bench/native/checks_vs.sh BEFORE_DIR AFTER_DIR [RUNS] [SCALE]   (default 7 runs, scale 50)
# Each directory needs hull-native and libhull_native_tier.so; the programs come from
# AFTER_DIR/bench/wasm (make bench). Prints checks.sh's table for each build.
# checks.sh is this with one build (--one DIR): the same runs, one table, no title.
set -euo pipefail
if [[ ${1:-} == --one ]]; then
  builds=("${2:?usage: checks_vs.sh --one DIR [RUNS] [SCALE]}")
  runs="${3:-3}"
  scale="${4:-50}"
  me=checks.sh
else
  before="${1:?usage: checks_vs.sh BEFORE_DIR AFTER_DIR [RUNS] [SCALE]}"
  after="${2:?usage: checks_vs.sh BEFORE_DIR AFTER_DIR [RUNS] [SCALE]}"
  builds=("$before" "$after")
  runs="${3:-7}"
  scale="${4:-50}"
  me=checks_vs.sh
fi
last=$((${#builds[@]} - 1))
wasm="${builds[last]}/bench/wasm"
for d in "${builds[@]}"; do
  [[ -x $d/hull-native && -f $d/libhull_native_tier.so ]] ||
    { echo "$me: $d needs hull-native and libhull_native_tier.so (make bench)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
programs=(fib sieve matmul nbody sha256 quicksort hashmap memops simd vm)
modes=(plain fuel epochs)
run_options() {
  case $1 in
    plain) ;;
    fuel) echo --fuel 100000000000000 ;;
    epochs) echo --timeout 3600s ;;
  esac
}
user_seconds() {
  local t
  t=$( { /usr/bin/time -f "%U" "$@" > /dev/null; } 2>&1 | tail -1)
  [[ $t =~ ^[0-9.]+$ ]] || { echo "$me: '$*' failed: $t" >&2; exit 1; }
  echo "$t"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
declare -A best
for p in "${programs[@]}"; do
  m="$wasm/$p.wasm"
  [[ -f $m ]] || { echo "$me: $m is missing (make bench)" >&2; exit 1; }
  [[ -t 2 ]] && printf '%s: %s...\r' "$me" "$p" >&2
  for b in $(seq 0 "$last"); do
    "${builds[b]}/hull-native" compile "$m" -o "$work/$p.$b.plain.hullc" > /dev/null
    "${builds[b]}/hull-native" compile --fuel "$m" -o "$work/$p.$b.fuel.hullc" > /dev/null
    "${builds[b]}/hull-native" compile --epochs "$m" -o "$work/$p.$b.epochs.hullc" > /dev/null
  done
  for ((i = 0; i < runs; i++)); do
    for b in $(seq 0 "$last"); do
      for mode in "${modes[@]}"; do
        # shellcheck disable=SC2046  # the options are words
        t=$(user_seconds "${builds[b]}/hull-native" run $(run_options "$mode") \
          "$work/$p.$b.$mode.hullc" "$scale")
        best[$p.$b.$mode]=$(min "${best[$p.$b.$mode]:-}" "$t")
      done
    done
  done
done
for b in $(seq 0 "$last"); do
  if ((last > 0)); then
    echo
    echo "${builds[b]}:"
    echo
  fi
  echo "| program | plain s | --fuel s | --timeout (epochs) s | fuel overhead | epoch overhead |"
  echo "|---|---:|---:|---:|---:|---:|"
  fuel_logs=0 epoch_logs=0
  for p in "${programs[@]}"; do
    plain=${best[$p.$b.plain]} fuel=${best[$p.$b.fuel]} epochs=${best[$p.$b.epochs]}
    read -r fo eo fl el < <(awk -v a="$plain" -v f="$fuel" -v e="$epochs" 'BEGIN {
      printf "%+.0f %+.0f %.6f %.6f\n", (f / a - 1) * 100, (e / a - 1) * 100, log(f / a), log(e / a) }')
    fuel_logs=$(awk -v s="$fuel_logs" -v x="$fl" 'BEGIN { print s + x }')
    epoch_logs=$(awk -v s="$epoch_logs" -v x="$el" 'BEGIN { print s + x }')
    echo "| $p | $plain | $fuel | $epochs | $fo % | $eo % |"
  done
  awk -v f="$fuel_logs" -v e="$epoch_logs" -v n="${#programs[@]}" 'BEGIN {
    printf "| geomean | | | | %+.0f %% | %+.0f %% |\n", (exp(f / n) - 1) * 100, (exp(e / n) - 1) * 100 }'
done
