# Sourced by the CLI test scripts: their `check` helpers. The caller sets $tmp (a scratch
# directory) and fail=0; a failed check prints why and sets fail=1.

# check_output NAME STATUS WANT CMD...: exit STATUS within 20 s, and WANT (a fixed string; ""
# for none) in stdout or stderr.
check_output() {
  local name="$1" want_status="$2" want="$3"
  shift 3
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [[ $got -ne $want_status ]] ||
    { [[ -n "$want" ]] && ! grep -qF -- "$want" "$tmp/out" "$tmp/err"; }; then
    echo "FAIL $name: status $got (want $want_status), want text: $want"
    echo "  output:"; sed 's/^/    /' "$tmp/out" "$tmp/err"
    fail=1
  else
    echo "ok   $name"
  fi
}

# check_lines NAME STATUS CMD...: exit STATUS within 20 s, and every line of $tmp/want is a
# whole line of the output (stdout or stderr).
check_lines() {
  local name="$1" want="$2"
  shift 2
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  local missing=""
  while IFS= read -r line; do
    grep -qxF -- "$line" "$tmp/out" "$tmp/err" 2>/dev/null || missing+="    $line"$'\n'
  done <"$tmp/want"
  if [[ $got -ne $want || -n "$missing" ]]; then
    echo "FAIL $name: status $got (want $want); missing lines:"
    printf '%s' "$missing"
    echo "  output:"; sed 's/^/    /' "$tmp/out" "$tmp/err"
    fail=1
  else
    echo "ok   $name"
  fi
}
