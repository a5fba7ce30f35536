#!/usr/bin/env bash
# `--tier baseline` from the command line: hull run (modules, WASI programs, traps with their
# backtraces, fuel, deadlines, bounds-check modes), hull wast, and the errors.
# usage: baseline.sh HULL PROGRAMS_DIR
set -u
hull="${1:?usage: baseline.sh HULL PROGRAMS_DIR}"
programs="${2:?usage: baseline.sh HULL PROGRAMS_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0
source "$here/check_lib.sh"

cat >"$tmp/m.wat" <<'WAT'
(module
  (memory 1)
  (func $inner (param i32) (result i32)
    (i32.add (i32.const 1) (i32.load offset=4 (local.get 0))))
  (func (export "via") (param i32) (result i32) (call $inner (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "sum") (param i32) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "spin") (loop $l (br $l))))
WAT

# The same output as the interpreter, for results and for traps (with their backtraces).
# same NAME ARGS...: stdout, stderr and status equal under both tiers. With $reference set, the
# interpreter runs with those options first (e.g. --bounds-checks explicit: the reference for a
# guard-page fault, whose instruction the interpreter of a sanitizer build may not know).
same() {
  local name="$1"
  shift
  timeout 20 "$hull" run --tier interp ${reference:-} "$@" </dev/null >"$tmp/i.out" 2>"$tmp/i.err"
  local si=$?
  timeout 20 "$hull" run --tier baseline "$@" </dev/null >"$tmp/b.out" 2>"$tmp/b.err"
  local sb=$?
  if [[ $si -ne $sb ]] || ! cmp -s "$tmp/i.out" "$tmp/b.out" || ! cmp -s "$tmp/i.err" "$tmp/b.err"; then
    echo "FAIL $name: interp status $si, baseline $sb"
    echo "  interp:"; sed 's/^/    /' "$tmp/i.out" "$tmp/i.err"
    echo "  baseline:"; sed 's/^/    /' "$tmp/b.out" "$tmp/b.err"
    fail=1
  else
    echo "ok   $name"
  fi
}
check_output "a result" 0 "5000050000" "$hull" run --tier baseline "$tmp/m.wat" --invoke sum 100000
same "results" "$tmp/m.wat" --invoke sum 100000
reference="--bounds-checks explicit" \
  same "a fault in machine code: the trap and its callers" "$tmp/m.wat" --invoke via 70000
same "the same with explicit bounds checks" --bounds-checks explicit "$tmp/m.wat" --invoke via 70000
same "integer divide by zero" "$tmp/m.wat" --invoke div 7 0
same "integer overflow" "$tmp/m.wat" --invoke div -2147483648 -1
same "fuel runs out at the same instruction" --fuel 5000 "$tmp/m.wat" --invoke sum 100000
check_output "a deadline ends a loop" 134 "wasm trap: interrupt" \
  "$hull" run --tier baseline --timeout 100ms "$tmp/m.wat" --invoke spin
for p in args wc upper; do
  if [[ -f "$programs/$p.wasm" ]]; then
    same "WASI program $p" "$programs/$p.wasm" a b c
  else
    echo "FAIL WASI program $p: $programs/$p.wasm is missing (build hull_test_programs)"
    fail=1
  fi
done
cat >"$tmp/t.wast" <<'WAST'
(module (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))
(assert_return (invoke "f" (i32.const 14)) (i32.const 42))
(assert_trap (module (func (export "g") (unreachable)) (start 0)) "unreachable")
WAST
check_output "hull wast --tier baseline" 0 "2 passed, 0 failed, 0 skipped" \
  "$hull" wast --tier baseline "$tmp/t.wast"
check_output "an unknown tier" 2 "'basline' is not a tier (interp, baseline, native or auto)" \
  "$hull" run --tier basline "$tmp/m.wat" --invoke sum 1
exit $fail
