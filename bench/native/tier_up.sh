#!/usr/bin/env bash
# Tier-up (`--tier auto`) against the interpreter alone, on whole short runs: what counting
# costs when nothing gets hot, and what compiling the hot functions (and entering hot loops
# through on-stack replacement) gains once something does.
#   bench/native/tier_up.sh [BUILD_DIR] [RUNS] [CHART.png]   (default build, 5 runs; hyperfine)
# Columns (wall ms, mean of RUNS after one warm-up; the cache off everywhere):
#   hull               hull run (the static interpreter-only executable, with jemalloc)
#   interpreter        hull-native --tier interp (the same interpreter in the dynamically
#                      linked executable that can load the native tier)
#   auto, never hot    hull-native --tier auto with a threshold no function reaches: the
#                      counting alone (in the baseline tier's code, where auto starts)
#   auto from interp   hull-native --tier auto starting interpreted (HULL_TIER_UP_BASELINE=0),
#                      as before the baseline tier
#   auto               hull-native --tier auto as shipped (from the baseline tier's code)
#   native (JIT)       hull-native --tier native: the whole module compiled before it runs
# and the CPU time (user + sys) of the interpreter and auto runs: auto's background compile
# runs on another core. CHART.png, if given, draws auto/interpreter (both starts) and
# native/interpreter.
# The ratios are against hull-native --tier interp: what --tier auto would replace as
# hull-native's default.
set -euo pipefail
build="${1:-build}"
runs="${2:-5}"
chart="${3:-}"
hull="$build/hull"
native="$build/hull-native"
wasm="$build/bench/wasm"
for x in "$hull" "$native"; do
  [[ -x $x ]] || { echo "tier_up.sh: $x is missing (make bench)" >&2; exit 1; }
done
[[ -f $build/libhull_native_tier.so ]] ||
  { echo "tier_up.sh: $build/libhull_native_tier.so is missing (ninja hull_native_tier)" >&2; exit 1; }
command -v hyperfine >/dev/null ||
  { echo "tier_up.sh: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HULL_NATIVE_CACHE=0
# program:argument -- argument 1: runs of 0.03-0.8 s in the interpreter
programs=(hello: fib:1 sieve:1 matmul:1 nbody:1 sha256:1 quicksort:1 hashmap:1 memops:1 simd:1 vm:1)
echo "| program | hull ms | interpreter ms | auto, never hot ms | auto from interp ms | auto ms | native (JIT) ms | auto from interp / interpreter | auto / interpreter | interpreter CPU ms | auto CPU ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
: > "$work/chart.dat"
echo "program auto-from-interp/interpreter auto/interpreter native(JIT)/interpreter" > "$work/chart.dat"
for entry in "${programs[@]}"; do
  p=${entry%%:*}
  arg=${entry#*:}
  m="$wasm/$p.wasm"
  [[ -f $m ]] || { echo "tier_up.sh: $m is missing (make bench)" >&2; exit 1; }
  [[ -t 2 ]] && printf 'tier_up.sh: %s...\r' "$p" >&2
  # a few ms each: more runs, or noise is all one sees
  r=$runs
  [[ $p == hello ]] && r=$((runs * 6))
  hyperfine -N -w 1 -r "$r" --export-json "$work/$p.json" \
    "$hull run $m $arg" \
    "$native run --tier interp $m $arg" \
    "env HULL_TIER_UP_THRESHOLD=2000000000 $native run --tier auto $m $arg" \
    "env HULL_TIER_UP_BASELINE=0 $native run --tier auto $m $arg" \
    "$native run --tier auto $m $arg" \
    "$native run --tier native $m $arg" >/dev/null 2>&1
  python3 - "$work/$p.json" "$p" "$work/chart.dat" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ms = [x["mean"] * 1000 for x in r]
cpu = [(x["user"] + x["system"]) * 1000 for x in r]
hull, interp, never, from_interp, auto, jit = ms
print("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2fx | %.2fx | %.1f | %.1f |" %
      (sys.argv[2], hull, interp, never, from_interp, auto, jit, from_interp / interp,
       auto / interp, cpu[1], cpu[4]))
with open(sys.argv[3], "a") as f:
    f.write("%s %.3f %.3f %.3f\n" % (sys.argv[2], from_interp / interp, auto / interp, jit / interp))
PY
done
[[ -t 2 ]] && printf '%40s\r' '' >&2
if [[ -n $chart ]]; then
  gnuplot -e "load '$(dirname "$0")/../ratio_chart.gp'; set output '$chart';
    set title 'Whole short runs against the interpreter (wall time ratio, lower is faster)';
    set ylabel 'time / interpreter (log2)'; set yrange [0.125:256];
    plot '$work/chart.dat' using 2:xtic(1), '' using 3, '' using 4"
  echo "chart: $chart" >&2
fi
