#!/usr/bin/env bash
# The native tier's optimization levels (--opt-level 0|1|2): what each costs to compile and what
# its code then runs at, beside the interpreter. Per program: `hull-native compile --opt-level N`
# (user CPU s, the .hullc's size) and a run of that .hullc at SCALE (user CPU s); the minimum of
# RUNS for each, levels interleaved. Optionally one more module compiled at each level only
# (--big FILE.wasm: a big module's compile time, e.g. a componentize-js core module).
#   bench/native/opt_levels.sh [BUILD_DIR] [RUNS] [SCALE] [--big FILE.wasm]
# (default build, 3 runs, scale 20). Prints Markdown tables.
set -euo pipefail
build="${1:-build}"
runs="${2:-3}"
scale="${3:-20}"
big=
if [[ ${4:-} == --big ]]; then big=${5:?--big needs a .wasm}; fi
native="$build/hull-native"
hull="$build/hull"
wasm="$build/bench/wasm"
for x in "$hull" "$native"; do
  [[ -x $x ]] || { echo "opt_levels.sh: $x is missing (make bench)" >&2; exit 1; }
done
[[ -f $build/libhull_native_tier.so ]] ||
  { echo "opt_levels.sh: $build/libhull_native_tier.so is missing" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HULL_NATIVE_CACHE=0
programs=(fib sieve matmul nbody sha256 quicksort hashmap memops simd vm)
levels=(0 1 2)

user_seconds() {  # user_seconds CMD...: the command's user CPU seconds (its stdout dropped)
  local t
  t=$( { /usr/bin/time -f "%U" "$@" > /dev/null; } 2>&1 | tail -1)
  [[ $t =~ ^[0-9.]+$ ]] || { echo "opt_levels.sh: '$*' failed: $t" >&2; exit 1; }
  echo "$t"
}
min() { printf '%s\n' "$@" | sort -g | head -1; }
progress() { [[ -t 2 ]] && printf '\r%-60s' "$*" >&2 || true; }

declare -A compile run size interp
for p in "${programs[@]}"; do
  for ((r = 0; r < runs; ++r)); do
    progress "$p: round $((r + 1))/$runs"
    for l in "${levels[@]}"; do
      t=$(user_seconds "$native" compile --opt-level "$l" "$wasm/$p.wasm" -o "$work/$p.$l.hullc")
      compile[$p.$l]="${compile[$p.$l]:-} $t"
      run[$p.$l]="${run[$p.$l]:-} $(user_seconds "$native" run "$work/$p.$l.hullc" "$scale")"
    done
    interp[$p]="${interp[$p]:-} $(user_seconds "$hull" run "$wasm/$p.wasm" "$scale")"
  done
  for l in "${levels[@]}"; do size[$p.$l]=$(stat -c %s "$work/$p.$l.hullc"); done
done
progress ""
[[ -t 2 ]] && echo >&2

echo "| program | wasm KB | compile s, 0 / 1 / 2 | .hullc KB, 0 / 1 / 2 | interpreter s | run s, 0 / 1 / 2 | 0 vs interpreter | 1 vs 2 | 0 vs 2 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for p in "${programs[@]}"; do
  c0=$(min ${compile[$p.0]}) c1=$(min ${compile[$p.1]}) c2=$(min ${compile[$p.2]})
  r0=$(min ${run[$p.0]}) r1=$(min ${run[$p.1]}) r2=$(min ${run[$p.2]})
  ri=$(min ${interp[$p]})
  kb=$(( $(stat -c %s "$wasm/$p.wasm") / 1024 ))
  awk -v p="$p" -v kb="$kb" -v c0="$c0" -v c1="$c1" -v c2="$c2" -v s0="${size[$p.0]}" \
    -v s1="${size[$p.1]}" -v s2="${size[$p.2]}" -v ri="$ri" -v r0="$r0" -v r1="$r1" -v r2="$r2" \
    'function x(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "-" }
     BEGIN { printf "| %s | %d | %.2f / %.2f / %.2f | %d / %d / %d | %.2f | %.2f / %.2f / %.2f | %s | %s | %s |\n",
             p, kb, c0, c1, c2, s0 / 1024, s1 / 1024, s2 / 1024, ri, r0, r1, r2,
             x(ri, r0) " faster", x(r1, r2), x(r0, r2) }'
done

if [[ -n $big ]]; then
  echo
  echo "| module | wasm MB | level | compile s (user) | peak memory MB | .hullc MB |"
  echo "|---|---:|---:|---:|---:|---:|"
  for l in "${levels[@]}"; do
    progress "$(basename "$big"): level $l"
    out=$( { /usr/bin/time -f "%U %M" "$native" compile --opt-level "$l" "$big" \
      -o "$work/big.$l.hullc" > /dev/null; } 2>&1 | tail -1)
    awk -v m="$(basename "$big")" -v mb="$(stat -c %s "$big")" -v l="$l" -v u="${out% *}" \
      -v kb="${out#* }" -v o="$(stat -c %s "$work/big.$l.hullc")" \
      'BEGIN { printf "| %s | %.1f | %d | %.1f | %d | %.1f |\n", m, mb / 1048576, l, u, kb / 1024, o / 1048576 }'
    rm -f "$work/big.$l.hullc"
  done
  progress ""
  [[ -t 2 ]] && echo >&2
fi
