#!/usr/bin/env bash
# Re-checks the saved divergences of a run_gc.sh campaign against the current hull_diff:
# binaryen's transcript (module.ref) was saved with each, so only Hull runs again. Prints one
# line per divergence, "same" (a fixed Hull or hull_diff bug, or a normalization added since)
# or "diverge" followed by the normalized diff.
#   usage: recheck_gc.sh OUTDIR          (HULL_DIFF: the hull_diff binary)
set -u
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: recheck_gc.sh OUTDIR}"
HULL_DIFF="${HULL_DIFF:-$here/../../../build/tests/fuzz/differential/hull_diff}"
for d in "$out"/divergences/*/; do
  [[ -e "$d/module.ref" ]] || continue
  work="$(mktemp -d)"
  cp "$d/module.wasm" "$work/m.wasm"
  cp "$d/module.ref" "$work/m.ref"
  : >"$work/m.dat"
  echo 0 >"$work/m.refrc"
  timeout 60 "$HULL_DIFF" --binaryen132 --gc-stress "$work/m.wasm" >"$work/hull.txt" 2>/dev/null ||
    echo "[hull-error exit status $?]" >>"$work/hull.txt"
  counts="$(DIFF_MODE=gc python3 "$here/compare.py" "$work" "$work/div" one)"
  if [[ "$counts" == *"divergences=1"* ]]; then
    echo "diverge $(basename "$d")"
    sed 's/^/    /' "$work"/div/*/diff.txt
  else
    echo "same $(basename "$d") ($counts)"
  fi
  rm -rf "$work"
done
