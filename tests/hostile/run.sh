#!/usr/bin/env bash
# Runs the hostile corpus against a hull binary: usage tests/hostile/run.sh [HULL] [FILTER]
# Each case must end with its expected exit status (never a crash signal), its stderr substring
# and stdout substring, within 20 s. Prints one line per case and "N passed, M failed".
set -u
here="$(cd "$(dirname "$0")" && pwd)"
hull="${1:-$here/../../build/hull}"
filter="${2:-}"
[[ -x "$hull" ]] || { echo "run.sh: no hull binary at $hull" >&2; exit 2; }
gen="$(mktemp -d "${TMPDIR:-/tmp}/hull-hostile.XXXXXX")"
trap 'rm -rf "$gen"' EXIT
python3 "$here/gen.py" "$gen" || { echo "run.sh: gen.py failed" >&2; exit 2; }
python3 "$here/gen_components.py" "$gen" || { echo "run.sh: gen_components.py failed" >&2; exit 2; }
help="$("$hull" run --help 2>&1)"
passed=0 failed=0 skipped=0

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; printf '%s' "${s%"${s##*[![:space:]]}"}"; }

run_case() {  # name args status errsub outsub [needs]
  local name="$1" args="$2" want="$3" errsub="$4" outsub="$5" needs="${6:-}"
  if [[ -n "$filter" && "$name" != *"$filter"* ]]; then return; fi
  if [[ -n "$needs" ]] && ! grep -q -- "$needs" <<<"$help"; then
    printf 'SKIP %-24s needs %s (not yet available)\n' "$name" "$needs"
    skipped=$((skipped + 1)); return
  fi
  args="${args//%C\//$here/cases/}"; args="${args//%G\//$gen/}"
  local -a argv; read -r -a argv <<<"$args"
  local out="$gen/.out" err="$gen/.err" rc why=""
  timeout -k 5 20s "$hull" "${argv[@]}" >"$out" 2>"$err" </dev/null; rc=$?
  local ok=0 w
  IFS=',' read -r -a alts <<<"$want"
  for w in "${alts[@]}"; do
    [[ "$rc" == "$w" ]] && ok=1
  done
  if [[ "$rc" == 124 || "$rc" == 137 ]]; then why="timed out (20 s)"
  elif (( rc > 128 && rc != 134 )); then why="killed by signal $((rc - 128))"
  elif (( ! ok )); then why="exit $rc, expected $want"
  elif [[ "$rc" == 134 ]] && ! grep -q "error: .*wasm trap: " "$err"; then
    why="exit 134 without 'error: ... wasm trap: '"
  elif [[ "$errsub" != "-" ]] && ! grep -qF -- "$errsub" "$err"; then why="stderr lacks '$errsub'"
  elif [[ "$outsub" != "-" ]] && ! grep -qF -- "$outsub" "$out"; then why="stdout lacks '$outsub'"
  elif grep -qE "AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:" "$err"; then
    why="sanitizer report"
  fi
  if [[ -z "$why" ]]; then
    printf 'ok   %-24s exit %s\n' "$name" "$rc"; passed=$((passed + 1))
  else
    printf 'FAIL %-24s %s\n' "$name" "$why"; failed=$((failed + 1))
    sed 's/^/       stderr: /' "$err" | head -5
  fi
}

for manifest in "$here/manifest.txt" "$here/manifest-limits.txt" "$here/manifest-components.txt"; do
  while IFS= read -r line; do
    [[ -z "$(trim "$line")" || "$line" == \#* ]] && continue
    IFS='|' read -r f1 f2 f3 f4 f5 f6 <<<"$line"
    run_case "$(trim "$f1")" "$(trim "$f2")" "$(trim "$f3")" "$(trim "$f4")" \
      "$(trim "${f5:--}")" "$(trim "${f6:-}")"
  done <"$manifest"
done
(( skipped )) && echo "NOTE: $skipped case(s) skipped: they need --fuel/--timeout/limits (not yet available)"
echo "$passed passed, $failed failed"
(( failed == 0 ))
