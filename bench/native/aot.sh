#!/usr/bin/env bash
# Start-up with the native tier: how long a whole `run` takes when the module is interpreted,
# compiled on the spot (JIT, no cache), loaded from the on-disk cache, or loaded from a
# precompiled .hullc (`hull-native compile`); and what compiling ahead of time costs.
#   bench/native/aot.sh [BUILD_DIR] [RUNS]        (default build, 5 runs; needs hyperfine)
# Prints a Markdown table: wall ms, mean of RUNS after one warm-up, per program and mode.
set -euo pipefail
build="${1:-build}"
runs="${2:-5}"
hull="$build/hull"
native="$build/hull-native"
wasm="$build/bench/wasm"
for x in "$hull" "$native"; do
  [[ -x $x ]] || { echo "aot.sh: $x is missing (make bench)" >&2; exit 1; }
done
# hull-native loads the tier (and LLVM) from this plugin beside it when a module needs machine
# code: without it every native column would be an error.
[[ -f $build/libhull_native_tier.so ]] ||
  { echo "aot.sh: $build/libhull_native_tier.so is missing (ninja hull_native_tier)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "aot.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# program and its argument: short runs, where start-up is most of the time
programs=("hello:" "sieve:1" "sha256:1" "simd:1")
echo "| program | wasm KB | compile s (AOT) | .hullc KB | interpreter ms | JIT, no cache ms | cache ms | .hullc ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for entry in "${programs[@]}"; do
  p=${entry%%:*}
  arg=${entry#*:}
  m="$wasm/$p.wasm"
  [[ -f $m ]] || { echo "aot.sh: $m is missing (make bench)" >&2; exit 1; }
  start=$(date +%s%N)
  "$native" compile "$m" -o "$work/$p.hullc" 2>/dev/null
  compile_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  # the cache filled once, before its runs
  HULL_CACHE_DIR="$work/cache" "$native" run --tier native "$m" $arg >/dev/null
  hyperfine -N -w 1 -r "$runs" --export-json "$work/$p.json" \
    "$hull run $m $arg" \
    "env HULL_NATIVE_CACHE=0 $native run --tier native $m $arg" \
    "env HULL_CACHE_DIR=$work/cache $native run --tier native $m $arg" \
    "$native run $work/$p.hullc $arg" >/dev/null 2>&1
  means=$(python3 -c "import json,sys; print(' | '.join('%.0f' % (r['mean'] * 1000) for r in json.load(open(sys.argv[1]))['results']))" "$work/$p.json")
  printf '| %s | %d | %.2f | %d | %s |\n' "$p" $(( $(stat -c %s "$m") / 1024 )) \
    "$(awk -v ms="$compile_ms" 'BEGIN { print ms / 1000 }')" $(( $(stat -c %s "$work/$p.hullc") / 1024 )) "$means"
done
