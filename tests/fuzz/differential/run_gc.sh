#!/usr/bin/env bash
# GC mode of the differential fuzzing (README.md, "GC mode"): modules with Wasm GC and exception
# handling, generated and run by npm's binaryen 132, compared with hull_diff --binaryen132.
#   usage: run_gc.sh N [SEED] [OUTDIR]
# Generates modules SEED:0 .. SEED:N-1 (random bytes seeded with "SEED:i" -> `wasm-opt -ttf
# --denan` with GC, reference types and exceptions), runs each in binaryen's interpreter
# (`wasm-opt --fuzz-exec-before`) and in Hull (`hull_diff --binaryen132 --gc-stress`: a full
# collection at every host call), and compares (`compare.py`, DIFF_MODE=gc). Prints
# "N compared, N skipped (reasons), N divergences" and exits 1 if a module diverged.
# Resumable and appendable like run.sh (OUTDIR/done/SEED-BATCH, OUTDIR/summary.txt).
#
# binaryen 132 is the npm package (`scripts/npm-tools.sh --prefix build/npm-binaryen binaryen`,
# as ctest npm-tools.binaryen does); its wasm-opt is an emscripten script that costs ~1.5 CPU s to start, so
# binaryen_batch.js runs a whole batch of wasm-opt command lines in one node process.
#
# Environment: HULL_DIFF (hull_diff binary; default build/...), WASM_OPT_JS (binaryen's
# bin/wasm-opt script; default build/npm-binaryen/node_modules/binaryen/bin/wasm-opt), JOBS
# (parallel batches, default 1), BATCH (modules per batch, default 100), DIFF_FRESH=1,
# DIFF_SIZE_MIN/DIFF_SIZE_MAX (random input bytes, default 1000..6000), DIFF_NICE (default 10),
# DIFF_GC_STRESS=0 (no collection at host calls), HULL_DIFF_EXTRA (more hull_diff flags:
# "--native" runs every function as machine code).
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."

run_batch() {
  # Internal: run one batch. args: SEED BATCH N OUTDIR
  local seed="$1" b="$2" n="$3" out="$4" first last work dat m counts ndone
  first=$((b * BATCH)); last=$((first + BATCH)); ((last > n)) && last=$n
  work="$out/work/$seed-$b"
  rm -rf "$work"; mkdir -p "$work"
  # The random inputs, and one generate + one reference request per module for the driver.
  "$PY" - "$work" "$seed" "$first" "$last" "$DIFF_SIZE_MIN" "$DIFF_SIZE_MAX" "$FEATURES" <<'PYEOF'
import json, random, sys
work, seed, first, last, lo, hi, feats = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7]), sys.argv[7]
feats = feats.split()
with open(f"{work}/requests", "w") as req:
    for i in range(first, last):
        r = random.Random(f"{seed}:{i}")
        m = f"{work}/m{i:07d}"
        with open(m + ".dat", "wb") as f:
            f.write(r.randbytes(r.randint(lo, hi)))
        req.write(json.dumps({"args": [m + ".dat", "-ttf", "--denan", *feats, "-o", m + ".wasm"],
                              "out": m + ".gen"}) + "\n")
        # -q: no "no passes specified" warning in the transcript.
        req.write(json.dumps({"args": [m + ".wasm", *feats, "--fuzz-exec-before", "-q"],
                              "out": m + ".ref", "rc": m + ".refrc"}) + "\n")
PYEOF
  # A hung or crashed driver leaves the rest of the batch without .refrc: ref-timeout.
  # binaryen's interpreter recurses on the native stack for every wasm call; with node's
  # default (~1 MB) about 1% of the modules ended in "RangeError: Maximum call stack size
  # exceeded" (skip-ref-js-stack). 7000 KB stays below the usual 8 MB stack rlimit.
  timeout 1800 node --stack-size=7000 "$here/binaryen_batch.js" "$WASM_OPT_JS" <"$work/requests" >/dev/null 2>"$work/driver.err"
  for dat in "$work"/*.dat; do
    m="${dat%.dat}"
    [[ -e "$m.wasm" && ! -e "$m.refrc" ]] && echo 124 >"$m.refrc"
  done
  ls "$work"/*.wasm >"$work/list" 2>/dev/null
  if ! timeout 600 "$HULL_DIFF" $HULL_FLAGS - <"$work/list" >"$work/hull.txt" 2>"$work/hull.err"; then
    # A crash (or hang) loses the rest of the batch: redo it one module per process so the
    # culprit shows up as a divergence and the others are still compared.
    : >"$work/hull.txt"
    while read -r w; do
      if timeout 60 "$HULL_DIFF" $HULL_FLAGS "$w" >"$work/one.txt" 2>>"$work/hull.err"; then
        cat "$work/one.txt" >>"$work/hull.txt"
      else
        printf '##### MODULE %s\n[hull-error exit status %d]\n' "$w" $? >>"$work/hull.txt"
      fi
    done <"$work/list"
  fi
  counts="$(DIFF_MODE=gc "$PY" "$here/compare.py" "$work" "$out/divergences" "$seed-$b")" || return 2
  echo "$counts" >"$out/done/$seed-$b"
  rm -rf "$work"
  if [[ -t 2 ]]; then
    ndone=$(ls "$out/done" | grep -c "^$seed-")
    printf '\r[%s] batch %d done, %d/%d batches of seed %s  ' "$(date +%T)" "$b" "$ndone" \
      "$TOTAL_BATCHES" "$seed" >&2
  fi
  return 0
}

main() {
n="${1:?usage: run_gc.sh N [SEED] [OUTDIR]}"
seed="${2:-1}"
out="${3:-diff-gc-out}"
export BATCH="${BATCH:-100}" DIFF_SIZE_MIN="${DIFF_SIZE_MIN:-1000}"
export DIFF_SIZE_MAX="${DIFF_SIZE_MAX:-6000}"
PY="$(python3 -c 'import sys; print(sys.executable)')" ||
  { echo "run_gc.sh: needs python3" >&2; exit 2; }
export PY
export WASM_OPT_JS="${WASM_OPT_JS:-$root/build/npm-binaryen/node_modules/binaryen/bin/wasm-opt}"
[[ -f "$WASM_OPT_JS" ]] ||
  { echo "run_gc.sh: no binaryen 132 at $WASM_OPT_JS: run scripts/npm-tools.sh --prefix build/npm-binaryen binaryen" >&2; exit 2; }
command -v node >/dev/null || { echo "run_gc.sh: needs node" >&2; exit 2; }
# What binaryen generates besides its defaults: GC, reference types, exceptions (try_table /
# exnref and legacy try), tail calls. No SIMD: wabt cannot read GC modules, so
# canon_simd_nan.py cannot canonicalize SIMD NaN lanes here (run.sh covers SIMD).
export FEATURES="--enable-gc --enable-reference-types --enable-exception-handling
  --enable-tail-call --enable-multivalue --enable-sign-ext --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-mutable-globals"
export HULL_FLAGS="--binaryen132 --gc-stress ${HULL_DIFF_EXTRA:-}"
[[ "${DIFF_GC_STRESS:-1}" == 0 ]] && HULL_FLAGS="--binaryen132"
if [[ -z "${HULL_DIFF:-}" ]]; then
  for c in "$root/build/tests/fuzz/differential/hull_diff" \
           /tmp/build-diff/tests/fuzz/differential/hull_diff; do
    [[ -x "$c" ]] && HULL_DIFF="$c" && break
  done
fi
export HULL_DIFF="${HULL_DIFF:?set HULL_DIFF to the hull_diff binary}"

[[ "${DIFF_FRESH:-0}" == 1 ]] && rm -rf "$out"
mkdir -p "$out/done" "$out/divergences" "$out/work"
out="$(cd "$out" && pwd)"
if [[ -e "$out/batch-size" && "$(cat "$out/batch-size")" != "$BATCH" ]]; then
  echo "run_gc.sh: $out was run with BATCH=$(cat "$out/batch-size"); use that or another OUTDIR" >&2
  exit 2
fi
echo "$BATCH" >"$out/batch-size"
export TOTAL_BATCHES=$(((n + BATCH - 1) / BATCH))
start=$(date +%s)
todo=()
for ((b = 0; b < TOTAL_BATCHES; b++)); do
  [[ -e "$out/done/$seed-$b" ]] || todo+=("$b")
done
if ((${#todo[@]})); then
  printf '%s\n' "${todo[@]}" |
    nice -n "${DIFF_NICE:-10}" xargs -P "${JOBS:-1}" -I{} "$0" --batch "$seed" {} "$n" "$out"
  [[ -t 2 ]] && echo >&2
fi
elapsed=$(($(date +%s) - start))

sum() {  # files... -> "compared skipped divergences reasons"
  cat "$@" 2>/dev/null | tr ' ' '\n' | awk -F= 'NF == 2 { c[$1] += $2 }
    END { s = 0; r = "";
          for (k in c) if (k ~ /^skip-/) {
            s += c[k]; r = r sprintf("%s%s %d", r == "" ? "" : ", ", substr(k, 6), c[k])
          }
          printf "%d compared, %d skipped (%s), %d divergences\n",
                 c["compared"], s, r, c["divergences"] }'
}
this=()
for ((b = 0; b < TOTAL_BATCHES; b++)); do this+=("$out/done/$seed-$b"); done
line="$(sum "${this[@]}")"
all="$(sum "$out"/done/*)"
{
  echo "updated $(date -u +%FT%TZ)"
  echo "all runs in $out: $all"
  echo "last run: run_gc.sh $n $seed: $line; ${#todo[@]} batches of $BATCH run in ${elapsed}s" \
    "with JOBS=${JOBS:-1}"
} >"$out/summary.txt"
echo "seed $seed, modules 0..$((n - 1)): $line"
echo "(all runs in $out: $all; ${#todo[@]} batches run now in ${elapsed}s)"
missing=0
for f in "${this[@]}"; do [[ -e "$f" ]] || missing=1; done
((missing)) && { echo "run_gc.sh: some batches did not finish" >&2; return 2; }
[[ "$line" == *" 0 divergences"* ]] ||
  { echo "divergences saved in $out/divergences" >&2; return 1; }
return 0
}

{
  if [[ "${1:-}" == "--batch" ]]; then
    shift
    run_batch "$@"
  else
    main "$@"
  fi
  exit $?
}
