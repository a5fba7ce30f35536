#!/usr/bin/env bash
# CLI tests of the sandbox flags of `hull run`: --fuel/--timeout (traps print the wasmtime
# message and exit 134), the store limits --max-memory/--max-table-elements/--max-instances/
# --max-wasm-stack, their -W spellings, and precise usage errors (exit 2) for bad values.
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
cat >"$tmp/mem.wat" <<'WAT'
(module (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
WAT
cat >"$tmp/table.wat" <<'WAT'
(module (table 2 funcref)
  (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))
WAT
echo '(module (memory 3) (func (export "f")))' >"$tmp/mem3.wat"
echo '(module (table 11 funcref) (func (export "f")))' >"$tmp/table11.wat"
cat >"$tmp/rec.wat" <<'WAT'
(module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1))))))))
WAT

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
expect timeout-start 134 "error: wasm trap: interrupt" "$HULL" run --timeout 200ms "$tmp/start.wat"
# A trap in the start function is reported like any trap, with the wasm backtrace; frames of
# a .wat module carry its $ids (the text encoder's name section).
expect fuel-start 134 "error: wasm trap: all fuel consumed" "$HULL" run --fuel 100 "$tmp/start.wat"
expect fuel-start-backtrace 134 "  0: s @ 0x" "$HULL" run --fuel 100 "$tmp/start.wat"
expect bad-W 2 "unsupported -W option" "$HULL" run -W nope=1 "$tmp/loop.wat" --invoke spin
expect bad-timeout 2 "not a duration" "$HULL" run --timeout 5min "$tmp/loop.wat" --invoke spin
expect help 0 "--fuel N" "$HULL" run --help

# expect_out NAME STDOUT CMD...: exit 0 and exactly STDOUT.
expect_out() {
  local name="$1" want="$2"
  shift 2
  local got
  got=$(timeout 20 "$@" 2>"$tmp/err")
  local rc=$?
  if [[ $rc -ne 0 || "$got" != "$want" ]]; then
    echo "FAIL $name: status $rc, stdout '$got' (want '$want'), stderr:"; cat "$tmp/err"; fail=1
  else
    echo "ok   $name"
  fi
}

# --max-memory: 2 pages of 64 KiB.
expect_out mem-grow-under 1 "$HULL" run --max-memory 128KiB "$tmp/mem.wat" --invoke grow 1
expect_out mem-grow-past -1 "$HULL" run --max-memory 128KiB "$tmp/mem.wat" --invoke grow 2
expect_out mem-grow-W -1 "$HULL" run -W max-memory-size=131072 "$tmp/mem.wat" --invoke grow 2
expect_out mem-grow-eq -1 "$HULL" run --max-memory=128KiB "$tmp/mem.wat" --invoke grow 2
expect mem-min-over 1 "max_memory_bytes (131072 bytes) (--max-memory)" \
  "$HULL" run --max-memory 128KiB "$tmp/mem3.wat" --invoke f
expect mem-bad 2 "max-memory: '12Q' is not a size" "$HULL" run --max-memory 12Q "$tmp/mem.wat"
expect mem-missing 2 "--max-memory needs a value" "$HULL" run --max-memory

# --max-table-elements
expect_out table-grow-under 2 "$HULL" run --max-table-elements 10 "$tmp/table.wat" --invoke grow 8
expect_out table-grow-past -1 "$HULL" run --max-table-elements 10 "$tmp/table.wat" --invoke grow 9
expect_out table-grow-W -1 "$HULL" run -W max-table-elements=10 "$tmp/table.wat" --invoke grow 9
expect_out table-grow-unlimited 2 "$HULL" run "$tmp/table.wat" --invoke grow 100000
expect table-min-over 1 "max_table_elements (10) (--max-table-elements)" \
  "$HULL" run --max-table-elements 10 "$tmp/table11.wat" --invoke f
expect_out table-min-eq "" "$HULL" run --max-table-elements 11 "$tmp/table11.wat" --invoke f
expect table-bad 2 "max-table-elements: 'ten' is not a number of elements" \
  "$HULL" run --max-table-elements ten "$tmp/table.wat"
expect table-bad-W 2 "max-table-elements: '-1' is not a number" \
  "$HULL" run -W max-table-elements=-1 "$tmp/table.wat"

# --max-instances: hull run creates exactly one instance (WASI adds none).
expect_out inst-one "" "$HULL" run --max-instances 1 "$tmp/table11.wat" --invoke f
expect inst-zero 1 "max_instances = 0) (--max-instances)" \
  "$HULL" run --max-instances 0 "$tmp/table11.wat" --invoke f
expect inst-zero-W 1 "too many instances" "$HULL" run -W max-instances=0 "$tmp/table11.wat" \
  --invoke f
expect inst-bad 2 "max-instances: '4294967296' is not a number from 0 to 4294967295" \
  "$HULL" run --max-instances 4294967296 "$tmp/table11.wat"

# --max-wasm-stack: the interpreter's value stack.
expect_out stack-ok 100 "$HULL" run --max-wasm-stack 16KiB "$tmp/rec.wat" --invoke depth 100
expect stack-deep 134 "error: wasm trap: call stack exhausted" \
  "$HULL" run --max-wasm-stack 16KiB "$tmp/rec.wat" --invoke depth 100000
expect stack-W 134 "call stack exhausted" \
  "$HULL" run -W max-wasm-stack=16384,fuel=100000000 "$tmp/rec.wat" --invoke depth 100000
expect_out stack-default 10000 "$HULL" run "$tmp/rec.wat" --invoke depth 10000
expect_out stack-big 100000 "$HULL" run --max-wasm-stack 64MiB "$tmp/rec.wat" --invoke depth 100000
expect stack-too-small 2 "max-wasm-stack: 4KiB is out of range (8KiB to 1GiB)" \
  "$HULL" run --max-wasm-stack 4KiB "$tmp/rec.wat"
expect stack-too-big 2 "max-wasm-stack: 2GiB is out of range" \
  "$HULL" run -W max-wasm-stack=2GiB "$tmp/rec.wat"
expect stack-bad 2 "max-wasm-stack: 'lots' is not a size" \
  "$HULL" run --max-wasm-stack lots "$tmp/rec.wat"

expect bad-W-list 2 "supported: fuel, timeout, max-memory-size, max-table-elements" \
  "$HULL" run -W max-stack=1 "$tmp/rec.wat"
for flag in --max-memory --max-table-elements --max-instances --max-wasm-stack \
    max-table-elements= max-instances= max-wasm-stack=; do
  expect "help$flag" 0 "$flag" "$HULL" run --help
done
exit $fail
