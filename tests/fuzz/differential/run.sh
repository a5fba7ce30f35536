#!/usr/bin/env bash
# Differential fuzzing of Hull against binaryen's interpreter (README.md has the details).
#   usage: run.sh N [SEED] [OUTDIR]
# Generates modules SEED:0 .. SEED:N-1 (random bytes from a generator seeded with "SEED:i" ->
# `wasm-opt -ttf --denan` -> canon_simd_nan.py through wabt's text format), runs each in
# binaryen (`wasm-opt --fuzz-exec-before`) and, in batches, in Hull (hull_diff), and compares
# the transcripts (compare.py). Prints "N compared, N skipped (reasons), N divergences" and
# exits 1 if any module diverged.
#
# Resumable and appendable: each finished batch leaves OUTDIR/done/SEED-BATCH with its counts,
# so re-running the same command continues where it stopped, a larger N adds modules, and
# OUTDIR/summary.txt sums every batch ever run in OUTDIR (all seeds).
# Divergent modules are saved in OUTDIR/divergences/SEED-BATCH-NAME/ with both transcripts.
#
# Environment: HULL_DIFF (the hull_diff binary; default: found in /tmp/build-diff or build/),
# WASM_OPT (default wasm-opt), JOBS (parallel batches, default 1), BATCH (modules per batch,
# default 100; fixed per OUTDIR), DIFF_FRESH=1 (forget earlier batches of this OUTDIR first, for
# ctest), DIFF_SIZE_MIN/DIFF_SIZE_MAX (random input bytes per module, default 1000..8000),
# DIFF_NICE (nice level, default 10), DIFF_DENAN=0 (keep scalar NaNs), DIFF_CANON_SIMD_NAN=0
# (keep SIMD NaNs), REFTYPES_EVERY (every Nth module also enables reference types, default 4;
# 0: never), WASM_VALIDATE (wabt's wasm-validate, to classify modules Hull rejects).
#
# The whole script is parsed before it runs (functions + one final compound command), so
# editing it during a long campaign does not derail the running copy.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../../.."

set_feats() {
  # Internal: sets `feats` to the feature flags of module PATH/mNNNNNNN (no subshell). Every
  # REFTYPES_EVERY-th module also enables reference types: binaryen 108 then often emits
  # non-nullable (ref func) types in the pre-standard encoding, which Hull and wabt reject as
  # malformed; compare.py skips those ("gen-invalid") after asking wasm-validate.
  local i=$((10#${1##*/m}))
  feats="$FEATURES"
  if ((REFTYPES_EVERY > 0 && i % REFTYPES_EVERY == 0)); then
    feats="$feats --enable-reference-types"
  fi
}

run_batch() {
  # Internal: run one batch. args: SEED BATCH N OUTDIR
  local seed="$1" b="$2" n="$3" out="$4" first last work dat m i feats counts ndone
  first=$((b * BATCH)); last=$((first + BATCH)); ((last > n)) && last=$n
  work="$out/work/$seed-$b"
  rm -rf "$work"; mkdir -p "$work"
  "$PY" - "$work" "$seed" "$first" "$last" "$DIFF_SIZE_MIN" "$DIFF_SIZE_MAX" <<'EOF'
import random, sys
work, seed, first, last, lo, hi = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:])
for i in range(first, last):
    r = random.Random(f"{seed}:{i}")
    with open(f"{work}/m{i:07d}.dat", "wb") as f:
        f.write(r.randbytes(r.randint(lo, hi)))
EOF
  # Process start-ups are most of the cost (a fork+exec is ~10 ms of CPU here, wasm-opt ~25 ms):
  # per module only the generator and the reference run start a process, plus wabt's two for
  # the few modules with SIMD float arithmetic. No $(...), rm or timeout per module.
  for dat in "$work"/*.dat; do
    m="${dat%.dat}"
    set_feats "$m"
    # shellcheck disable=SC2086
    "$WASM_OPT" "$dat" -ttf $feats $DENAN_FLAG -o "$m.gen.wasm" 2>/dev/null
  done
  if ((CANON)); then
    # See canon_simd_nan.py: modules without SIMD float arithmetic become X.wasm as generated;
    # the others go through wabt's text format. Modules wabt cannot read or re-encode stay as
    # generated, marked .nocanon (compare.py counts them). wabt's default features plus tail
    # calls: with --enable-all, wabt 1.0.32 types ref.func as (ref $t) without knowing
    # (ref $t) <: funcref and rejects valid modules.
    local -a need=() wats=()
    if ls "$work"/*.gen.wasm >/dev/null 2>&1; then
      mapfile -t need < <("$PY" "$here/canon_simd_nan.py" --needs "$work"/*.gen.wasm)
    fi
    for m in "${need[@]}"; do
      wasm2wat --enable-tail-call "$m.gen.wasm" -o "$m.wat" 2>/dev/null && wats+=("$m.wat")
    done
    ((${#wats[@]})) && "$PY" "$here/canon_simd_nan.py" "${wats[@]}"
    for m in "${need[@]}"; do
      if [[ -e "$m.wat" ]] && wat2wasm --enable-tail-call "$m.wat" -o "$m.wasm" 2>/dev/null; then
        rm -f "$m.gen.wasm"
      else
        : >"$m.nocanon"
        mv "$m.gen.wasm" "$m.wasm"
      fi
    done
  else
    for w in "$work"/*.gen.wasm; do [[ -e "$w" ]] && mv "$w" "${w%.gen.wasm}.wasm"; done
  fi
  # The reference runs. RLIMIT_CPU (set once, inherited) stops a runaway wasm-opt after 60 s
  # of CPU with SIGXCPU (status 152), which compare.py counts as ref-timeout.
  (
    ulimit -t 60
    for dat in "$work"/*.dat; do
      m="${dat%.dat}"
      [[ -e "$m.wasm" ]] || continue
      set_feats "$m"
      # shellcheck disable=SC2086
      "$WASM_OPT" "$m.wasm" $feats --fuzz-exec-before >"$m.ref" 2>/dev/null
      echo $? >"$m.refrc"
    done
  )
  ls "$work"/*.wasm >"$work/list" 2>/dev/null
  if ! timeout 600 "$HULL_DIFF" - <"$work/list" >"$work/hull.txt" 2>"$work/hull.err"; then
    # A crash (or hang) loses the rest of the batch: redo it one module per process so the
    # culprit shows up as a divergence ("no transcript") and the others are still compared.
    : >"$work/hull.txt"
    while read -r w; do
      if timeout 60 "$HULL_DIFF" "$w" >"$work/one.txt" 2>>"$work/hull.err"; then
        cat "$work/one.txt" >>"$work/hull.txt"
      else
        printf '##### MODULE %s\n[hull-error exit status %d]\n' "$w" $? >>"$work/hull.txt"
      fi
    done <"$work/list"
  fi
  counts="$("$PY" "$here/compare.py" "$work" "$out/divergences" "$seed-$b")" || return 2
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
n="${1:?usage: run.sh N [SEED] [OUTDIR]}"
seed="${2:-1}"
out="${3:-diff-out}"
export BATCH="${BATCH:-100}" DIFF_SIZE_MIN="${DIFF_SIZE_MIN:-1000}"
export DIFF_SIZE_MAX="${DIFF_SIZE_MAX:-8000}"
# The interpreter itself, not a version manager's shim: run three times per batch.
PY="$(python3 -c 'import sys; print(sys.executable)')" ||
  { echo "run.sh: needs python3" >&2; exit 2; }
export PY
export WASM_OPT="${WASM_OPT:-wasm-opt}" REFTYPES_EVERY="${REFTYPES_EVERY:-4}"
# --denan replaces every scalar NaN by 0, so NaN payloads (nondeterministic in the spec) cannot
# reach integers through reinterpretations or memory. DIFF_DENAN=0 keeps NaNs (then payload
# differences that reach integers show up as divergences and need a manual look).
export DENAN_FLAG="--denan"
# SIMD float ops are not covered by --denan: canon_simd_nan.py canonicalizes their NaN lanes
# (needs wabt's wasm2wat/wat2wasm; DIFF_CANON_SIMD_NAN=0 turns it off).
export CANON=1
[[ "${DIFF_CANON_SIMD_NAN:-1}" == 0 ]] && CANON=0
if ((CANON)) && ! command -v wat2wasm >/dev/null; then
  echo "run.sh: wabt not found, SIMD NaNs are not canonicalized" >&2
  CANON=0
fi
[[ "${DIFF_DENAN:-1}" == 0 ]] && DENAN_FLAG=""
# What Hull implements and binaryen 108 can generate (no GC, exceptions, threads, relaxed SIMD;
# memory64 is not generated by -ttf; multi-memory does not exist in 108).
export FEATURES="--enable-sign-ext --enable-mutable-globals --enable-nontrapping-float-to-int
  --enable-simd --enable-bulk-memory --enable-tail-call --enable-multivalue"
if [[ -z "${HULL_DIFF:-}" ]]; then
  for c in /tmp/build-diff/tests/fuzz/differential/hull_diff \
           "$root/build/tests/fuzz/differential/hull_diff"; do
    [[ -x "$c" ]] && HULL_DIFF="$c" && break
  done
fi
export HULL_DIFF="${HULL_DIFF:?set HULL_DIFF to the hull_diff binary}"
command -v "$WASM_OPT" >/dev/null || { echo "run.sh: wasm-opt (binaryen) not found" >&2; exit 2; }

[[ "${DIFF_FRESH:-0}" == 1 ]] && rm -rf "$out"
mkdir -p "$out/done" "$out/divergences" "$out/work"
out="$(cd "$out" && pwd)"
# Batch ids name module ranges, so one OUTDIR keeps one batch size.
if [[ -e "$out/batch-size" && "$(cat "$out/batch-size")" != "$BATCH" ]]; then
  echo "run.sh: $out was run with BATCH=$(cat "$out/batch-size"); use that or another OUTDIR" >&2
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

# Sum the counts of this run's batches and of everything OUTDIR has seen.
sum() {  # files... -> "compared skipped divergences reasons"
  cat "$@" 2>/dev/null | tr ' ' '\n' | awk -F= 'NF == 2 { c[$1] += $2 }
    END { s = 0; r = "";
          for (k in c) if (k ~ /^skip-/) {
            s += c[k]; r = r sprintf("%s%s %d", r == "" ? "" : ", ", substr(k, 6), c[k])
          }
          printf "%d compared, %d skipped (%s), %d divergences",
                 c["compared"], s, r, c["divergences"]
          printf " [%d compared modules differed only in NaN lanes of v128 values;",
                 c["nan-lanes-tolerated"]
          printf " %d were compared without SIMD NaN canonicalization]\n",
                 c["not-nan-canonicalized"] }'
}
this=()
for ((b = 0; b < TOTAL_BATCHES; b++)); do this+=("$out/done/$seed-$b"); done
line="$(sum "${this[@]}")"
all="$(sum "$out"/done/*)"
{
  echo "updated $(date -u +%FT%TZ)"
  echo "all runs in $out: $all"
  echo "last run: run.sh $n $seed: $line; ${#todo[@]} batches of $BATCH run in ${elapsed}s" \
    "with JOBS=${JOBS:-1}"
} >"$out/summary.txt"
echo "seed $seed, modules 0..$((n - 1)): $line"
echo "(all runs in $out: $all; ${#todo[@]} batches run now in ${elapsed}s)"
missing=0
for f in "${this[@]}"; do [[ -e "$f" ]] || missing=1; done
((missing)) && { echo "run.sh: some batches did not finish" >&2; return 2; }
[[ "$line" == *" 0 divergences "* ]] ||
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
