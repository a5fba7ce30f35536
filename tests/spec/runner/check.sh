#!/usr/bin/env bash
# Runs `hull wast` on each .wast file here and compares its output with the expectations at
# the end of the file:
#   ;; run: ARGS        starts one run of `hull wast ARGS FILE` (a file without one runs once)
#   ;; status: N        its exit status
#   ;; expect: TEXT     the next output line starts with TEXT
# Every output line but the last (the total) must be expected, in order: a failure the runner
# should report is checked with its text, and nothing else may appear. Usage: check.sh HULL
set -uo pipefail
hull=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 2
failed=0
check_run() {  # FILE ARGS STATUS EXPECT-FILE
  local file=$1 args=$2 want_status=$3 expect=$4 out status
  # shellcheck disable=SC2086
  out=$("$hull" wast $args "$file" 2>&1)
  status=$?
  local got; got=$(printf '%s\n' "$out" | sed '$d')
  local ok=1 i=0 line
  mapfile -t want_lines < "$expect"
  mapfile -t got_lines < <(printf '%s\n' "$got" | sed '/^$/d')
  [ "$status" = "$want_status" ] || { echo "FAIL $file [$args]: exit status $status, expected $want_status"; ok=0; }
  if [ "${#got_lines[@]}" != "${#want_lines[@]}" ]; then
    echo "FAIL $file [$args]: ${#got_lines[@]} output lines, expected ${#want_lines[@]}"; ok=0
  fi
  for line in "${want_lines[@]}"; do
    if [[ "${got_lines[$i]:-}" != "$line"* ]]; then
      echo "FAIL $file [$args]: line $((i + 1)):"; echo "  expected: $line..."; echo "  got:      ${got_lines[$i]:-<nothing>}"; ok=0
    fi
    i=$((i + 1))
  done
  if [ $ok = 1 ]; then echo "ok   $file [$args]"; else failed=$((failed + 1)); printf '%s\n' "$out" | sed 's/^/  | /'; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for file in *.wast; do
  n=-1; args=(); status=()
  start() { n=$((n + 1)); args[n]=$1; status[n]=0; : > "$tmp/expect.$n"; }
  while IFS= read -r l; do
    case "$l" in
      ";; run:"*) a=${l#;; run:}; start "${a# }" ;;
      ";; status: "*) [ $n -ge 0 ] || start ""; status[n]=${l#;; status: } ;;
      ";; expect: "*) [ $n -ge 0 ] || start ""; printf '%s\n' "${l#;; expect: }" >> "$tmp/expect.$n" ;;
    esac
  done < "$file"
  [ $n -ge 0 ] || start ""
  for ((k = 0; k <= n; k++)); do check_run "$file" "${args[k]}" "${status[k]}" "$tmp/expect.$k"; done
done
[ $failed -eq 0 ] && echo "runner tests: all passed" || echo "runner tests: $failed failed"
[ $failed -eq 0 ]
