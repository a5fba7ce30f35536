#!/usr/bin/env bash
# The baseline tier (--tier baseline) beside the interpreter and the native tier's lowest and
# highest optimization levels: what each costs to compile and what its code runs at.
#   bench/baseline/baseline.sh [BUILD_DIR] [RUNS] [SCALE] [--big FILE.wasm] [--chart FILE.png]
# (default build, 3 runs, scale 20). Per program: the baseline tier's own pass over the
# lowered code (HULL_BASELINE_TRACE's time, the best of RUNS) and MB of wasm per second; user
# CPU s of a run at SCALE with `hull run --tier interp|baseline` and of .hullc files from
# `hull-native compile --opt-level 0|2` (no compile time counted), the minimum of RUNS, all
# interleaved. --big: one more module (e.g. a componentize-js core module) compiled only: the
# interpreter's lowering, the baseline tier, and LLVM at level 0 for comparison.
# Prints Markdown tables; --chart draws the run times against the interpreter (gnuplot).
set -euo pipefail
build="${1:-build}"
runs="${2:-3}"
scale="${3:-20}"
shift $(( $# < 3 ? $# : 3 ))
big= chart=
while (($#)); do
  case $1 in
    --big) big=${2:?--big needs a .wasm}; shift 2 ;;
    --chart) chart=${2:?--chart needs a file}; shift 2 ;;
    *) echo "baseline.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
hull="$build/hull"
native="$build/hull-native"
wasm="$build/bench/wasm"
[[ -x $hull ]] || { echo "baseline.sh: $hull is missing (make bench)" >&2; exit 1; }
have_native=0
[[ -x $native && -f $build/libhull_native_tier.so ]] && have_native=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HULL_NATIVE_CACHE=0
programs=(fib sieve matmul nbody sha256 quicksort hashmap memops simd vm)

user_seconds() {  # user_seconds CMD...: the command's user CPU seconds (its stdout dropped)
  local t
  t=$( { /usr/bin/time -f "%U" "$@" > /dev/null; } 2>&1 | tail -1)
  [[ $t =~ ^[0-9.]+$ ]] || { echo "baseline.sh: '$*' failed: $t" >&2; exit 1; }
  echo "$t"
}
# The baseline tier's compile time of FILE in ms (HULL_BASELINE_TRACE), and its code's bytes.
baseline_ms() {
  HULL_BASELINE_TRACE=1 "$hull" run --tier baseline "$1" --invoke hull-baseline-no-such-export \
    2>&1 >/dev/null | awk '/^hull baseline:/ { ms += $(NF-1); bytes += $(NF-6) }
                           END { if (ms == "") exit 1; print ms, bytes }'
}
min() { printf '%s\n' "$@" | sort -g | head -1; }
progress() { [[ -t 2 ]] && printf '\r%-60s' "$*" >&2 || true; }

if ((have_native)); then
  for p in "${programs[@]}"; do
    progress "$p: compiling at levels 0 and 2"
    "$native" compile --opt-level 0 "$wasm/$p.wasm" -o "$work/$p.0.hullc" > /dev/null
    "$native" compile --opt-level 2 "$wasm/$p.wasm" -o "$work/$p.2.hullc" > /dev/null
  done
fi
declare -A ms bytes interp base o0 o2
for p in "${programs[@]}"; do
  for ((r = 0; r < runs; ++r)); do
    progress "$p: round $((r + 1))/$runs"
    read -r m b < <(baseline_ms "$wasm/$p.wasm")
    ms[$p]="${ms[$p]:-} $m"
    bytes[$p]=$b
    interp[$p]="${interp[$p]:-} $(user_seconds "$hull" run --tier interp "$wasm/$p.wasm" "$scale")"
    base[$p]="${base[$p]:-} $(user_seconds "$hull" run --tier baseline "$wasm/$p.wasm" "$scale")"
    if ((have_native)); then
      o0[$p]="${o0[$p]:-} $(user_seconds "$native" run "$work/$p.0.hullc" "$scale")"
      o2[$p]="${o2[$p]:-} $(user_seconds "$native" run "$work/$p.2.hullc" "$scale")"
    fi
  done
done
progress ""
[[ -t 2 ]] && echo >&2

echo "| program | wasm KB | baseline compile ms | MB/s | code KB | interpreter s | baseline s | LLVM level 0 s | LLVM level 2 s | baseline vs interpreter | level 0 vs baseline | level 2 vs baseline |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
: > "$work/chart.dat"
echo "program interpreter baseline LLVM-level-0 LLVM-level-2" > "$work/chart.dat"
for p in "${programs[@]}"; do
  m=$(min ${ms[$p]}) ri=$(min ${interp[$p]}) rb=$(min ${base[$p]})
  r0=? r2=?
  if ((have_native)); then r0=$(min ${o0[$p]}) r2=$(min ${o2[$p]}); fi
  size=$(stat -c %s "$wasm/$p.wasm")
  awk -v p="$p" -v size="$size" -v m="$m" -v b="${bytes[$p]}" -v ri="$ri" -v rb="$rb" \
    -v r0="$r0" -v r2="$r2" -v dat="$work/chart.dat" \
    'function x(a, b) { return (a != "?" && b != "?" && b > 0) ? sprintf("%.2fx", a / b) : "-" }
     function r(a) { return a == "?" ? "?" : sprintf("%.3f", a / ri) }
     BEGIN { printf "| %s | %d | %.2f | %.0f | %d | %.2f | %.2f | %s | %s | %s faster | %s faster | %s faster |\n",
             p, size / 1024, m, (m > 0 ? size / 1048576 / (m / 1000) : 0), b / 1024, ri, rb, r0, r2,
             x(ri, rb), x(rb, r0), x(rb, r2)
             printf "%s 1 %s %s %s\n", p, r(rb), r(r0), r(r2) >> dat }'
done

if [[ -n $big ]]; then
  progress "$(basename "$big"): compiling"
  mb=$(awk -v s="$(stat -c %s "$big")" 'BEGIN { printf "%.1f", s / 1048576 }')
  lower=$(user_seconds "$hull" run --tier interp "$big" --invoke hull-baseline-no-such-export || true)
  read -r m b < <(baseline_ms "$big")
  echo
  echo "| module | wasm MB | interpreter's lowering s (user) | baseline tier ms | MB/s | code MB | LLVM level 0 s (user) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  l0="-"
  if ((have_native)); then
    progress "$(basename "$big"): LLVM at level 0"
    l0=$(user_seconds "$native" compile --opt-level 0 "$big" -o "$work/big.hullc")
  fi
  awk -v f="$(basename "$big")" -v mb="$mb" -v lower="$lower" -v m="$m" -v b="$b" -v l0="$l0" \
    'BEGIN { printf "| %s | %s | %.2f | %.0f | %.1f | %.1f | %s |\n", f, mb, lower, m,
             mb / (m / 1000), b / 1048576, l0 }'
  progress ""
  [[ -t 2 ]] && echo >&2
fi

if [[ -n $chart ]]; then
  gnuplot -e "load '$(dirname "$0")/../ratio_chart.gp'; set output '$chart';
    set title 'Run time against the interpreter (user CPU, lower is faster)';
    set ylabel 'time / interpreter (log2)'; set yrange [0.03125:2];
    plot '$work/chart.dat' using 2:xtic(1), '' using 3, '' using 4, '' using 5"
  echo "chart: $chart" >&2
fi
