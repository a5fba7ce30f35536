#!/usr/bin/env bash
# Runs one module in binaryen and Hull and compares, as run.sh does; prints "same", "skip" or
# "diverge" (exit 0, 0, 1) and, without -q, the normalized diff. Used to re-check a saved
# divergence and as the test command of binaryen's reducer (-q: the output must not change
# while the module shrinks):
#   wasm-reduce OUT/divergences/X/module.wasm --command="tests/fuzz/differential/check_one.sh \
#     -q t.wasm" -t t.wasm -w w.wasm -b /usr/bin/ --timeout=30   (keeps reductions that still
#     diverge; wasm-reduce needs -b to find wasm-opt, and its default 2 s timeout is too short)
# Environment: HULL_DIFF, WASM_OPT, FEATURES (default: run.sh's list plus reference types).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
quiet=0
[[ "${1:-}" == -q ]] && quiet=1 && shift
wasm="${1:?usage: check_one.sh [-q] MODULE.wasm}"
WASM_OPT="${WASM_OPT:-wasm-opt}"
HULL_DIFF="${HULL_DIFF:-/tmp/build-diff/tests/fuzz/differential/hull_diff}"
FEATURES="${FEATURES:---enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-simd --enable-bulk-memory --enable-tail-call --enable-multivalue
  --enable-reference-types}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$wasm" "$work/m.wasm"
: >"$work/m.dat"
# shellcheck disable=SC2086
timeout 60 "$WASM_OPT" "$work/m.wasm" $FEATURES --fuzz-exec-before >"$work/m.ref" 2>/dev/null
echo $? >"$work/m.refrc"
timeout 60 "$HULL_DIFF" "$work/m.wasm" >"$work/hull.txt" 2>/dev/null ||
  echo "[hull-error exit status $?]" >>"$work/hull.txt"
counts="$(python3 "$here/compare.py" "$work" "$work/div" one)"
if [[ "$counts" == *"divergences=1"* ]]; then
  echo diverge
  ((quiet)) || cat "$work"/div/*/diff.txt
  exit 1
fi
[[ "$counts" == *"compared=1"* ]] && echo same || echo "skip ($counts)"
exit 0
