#!/usr/bin/env bash
# CLI tests of `hull run --fuel/--timeout/-W`: traps print the wasmtime message and exit 134.
# usage: cli.sh HULL
set -u
HULL="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cat >"$tmp/loop.wat" <<'WAT'
(module
  (func (export "spin") (loop $l (br $l)))
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
WAT
echo '(module (func $s (loop $l (br $l))) (start $s))' >"$tmp/start.wat"

# expect NAME STATUS STDERR-SUBSTRING CMD...
expect() {
  local name="$1" want="$2" msg="$3"
  shift 3
  local start=$SECONDS
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  local took=$((SECONDS - start))
  if [[ $got -ne $want ]] || ! grep -qF -- "$msg" "$tmp/err" "$tmp/out"; then
    echo "FAIL $name: status $got (want $want), output:"; cat "$tmp/out" "$tmp/err"; fail=1
  elif [[ $took -gt 5 ]]; then
    echo "FAIL $name: took ${took}s"; fail=1
  else
    echo "ok   $name"
  fi
}

expect fuel-loop 134 "error: wasm trap: all fuel consumed" \
  "$HULL" run --fuel 1000 "$tmp/loop.wat" --invoke spin
expect fuel-enough 0 "5" "$HULL" run --fuel 1000 "$tmp/loop.wat" --invoke add 2 3
expect fuel-W 134 "all fuel consumed" "$HULL" run -W fuel=50 "$tmp/loop.wat" --invoke spin
expect timeout-loop 134 "interrupt" "$HULL" run --timeout 200ms "$tmp/loop.wat" --invoke spin
expect timeout-W 134 "interrupt" "$HULL" run -W timeout=1s,fuel=1000000000000 "$tmp/loop.wat" \
  --invoke spin
expect timeout-start 134 "interrupt" "$HULL" run --timeout 200ms "$tmp/start.wat"
expect fuel-start 134 "all fuel consumed" "$HULL" run --fuel 100 "$tmp/start.wat"
expect bad-W 2 "unsupported -W option" "$HULL" run -W nope=1 "$tmp/loop.wat" --invoke spin
expect bad-timeout 2 "not a duration" "$HULL" run --timeout 5min "$tmp/loop.wat" --invoke spin
expect help 0 "--fuel N" "$HULL" run --help
exit $fail
