#!/usr/bin/env bash
# Differential campaign, interpreter vs native tier, on valid modules from binaryen's
# translate-to-fuzz: N modules from random bytes (`wasm-opt -ttf`, scalar NaNs removed with
# --denan), each replayed through the fuzz_native target (hull_replay_native) in its own
# process. Prints "N compared, N divergences" and keeps each divergent module in OUTDIR.
#   usage: native_campaign.sh BUILD_DIR N [SEED] [OUTDIR]
# $HULL_CAMPAIGN_FEATURES adds wasm-opt feature flags, e.g. "--enable-threads" (shared memories
# and atomics; binaryen's generator emits no memory.atomic.wait, which could sleep). Its
# --enable-exception-handling generates no exception instructions (binaryen 108): exceptions
# reach fuzz_native through libFuzzer, from the spec's throw/try_table modules among its seeds.
set -u
features=${HULL_CAMPAIGN_FEATURES:-}
build=$1
n=$2
seed=${3:-1}
out=${4:-$build/native-campaign}
replay=$build/tests/fuzz/hull_replay_native
[ -x "$replay" ] || { echo "native_campaign: $replay not built (needs LLVM 19)" >&2; exit 2; }
command -v wasm-opt >/dev/null || { echo "native_campaign: wasm-opt (binaryen) missing" >&2; exit 2; }
mkdir -p "$out/divergent"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A copy: rebuilding the tree during a long campaign must not pull the binary from under it.
cp "$replay" "$work/replay"
replay=$work/replay
compared=0; diverged=0; invalid=0
for ((i = 0; i < n; i++)); do
  # Reproducible random input: SEED:i through sha256, stretched to a few KB.
  : >"$work/in"
  for ((k = 0; k < 64; k++)); do printf '%s' "$seed:$i:$k" | sha256sum | cut -c1-64 | xxd -r -p >>"$work/in"; done
  if ! wasm-opt "$work/in" -ttf --denan --enable-bulk-memory --enable-sign-ext \
       --enable-nontrapping-float-to-int --enable-multivalue $features -o "$work/m.wasm" 2>/dev/null; then
    invalid=$((invalid + 1)); continue
  fi
  compared=$((compared + 1))
  timeout 60 "$replay" "$work/m.wasm" >"$work/log" 2>&1
  rc=$?
  if [ $rc -ne 0 ]; then
    diverged=$((diverged + 1))
    cp "$work/m.wasm" "$out/divergent/$seed-$i.wasm"
    # Exit 124: the 60 s timeout (a hang, or a stopped machine), not a divergence report.
    { echo "exit status $rc"; grep -A3 "divergence\|ERROR\|Sanitizer" "$work/log" | head -8; } \
      >"$out/divergent/$seed-$i.txt"
    echo "divergent: $seed-$i ($(head -1 "$out/divergent/$seed-$i.txt"))"
  fi
  if [ -t 1 ]; then
    printf '\r%d/%d compared, %d divergences' "$compared" "$n" "$diverged"
  elif ((compared % 100 == 0)); then
    echo "$compared compared, $diverged divergences"  # progress for logs
  fi
done
[ -t 1 ] && echo
echo "$compared compared, $diverged divergences ($invalid inputs binaryen refused)"
[ "$diverged" -eq 0 ]
