#!/usr/bin/env bash
# How much of the core spec testsuite's code the native tier compiles: every module of the
# top-level .wast files (split out by wabt's wast2json) through `hull-native inspect --tiers
# --json`; prints the functions compiled and left interpreted, and the commonest reasons.
# Usage: scripts/native-coverage.sh [HULL_NATIVE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
native=${1:-$root/build/hull-native}
suite=$(bash "$root/scripts/testsuite-dir.sh")/core
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$suite"/*.wast; do
  # (In a subshell that waits for it: a crashing wast2json is reported there, to /dev/null.)
  (set +e; wast2json --enable-all -o "$tmp/$(basename "$f" .wast).json" "$f"; true) >/dev/null 2>&1
done
for m in "$tmp"/*.wasm; do "$native" inspect --tiers --json "$m" 2>/dev/null || true; done >"$tmp/tiers.jsonl"
python3 - "$tmp/tiers.jsonl" <<'PY'
import collections, json, sys
native = interp = modules = 0
why = collections.Counter()
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    modules += 1
    native += d["native"]
    interp += d["interpreted"]
    for f in d["functions"]:
        if f["tier"] != "native":
            w = f["why"]
            why[w.split(" is not in")[0]] += 1
print(f"{modules} modules: {native} functions native, {interp} interpreted")
for w, n in why.most_common(12):
    print(f"  {n:5d}  {w}")
PY
