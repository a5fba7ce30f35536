#!/usr/bin/env bash
# `hull inspect`: what it prints for a text and a binary module (text and --json), and the
# exit status and message for invalid, malformed, missing and wrongly named inputs.
# usage: inspect.sh HULL
set -u
HULL="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cat >"$tmp/shop.wat" <<'WAT'
(module $shop
  (import "env" "log" (func $log (param i32)))
  (import "env" "mem" (memory 1 4))
  (table 2 funcref)
  (global $g (mut i64) (i64.const 0))
  (func $run (export "run") (param i32 i32) (result i32) (call $log (local.get 0)) (local.get 1))
  (func $init)
  (start $init)
  (export "g" (global $g))
  (elem (i32.const 0) $run $init)
  (data (i32.const 0) "hello"))
WAT
# Two exports named "a": decodes, does not validate (the second export entry is at 0x1a).
printf '\0asm\1\0\0\0\1\4\1\x60\0\0\3\3\2\0\0\7\x09\2\1a\0\0\1a\0\1\n\7\2\2\0\x0b\2\0\x0b' \
  >"$tmp/dup.wasm"
printf '\0asm\1\0\0\0\1' >"$tmp/truncated.wasm"

source "$(dirname "$0")/check_lib.sh"
check() { check_lines "$@"; }

cat >"$tmp/want" <<'OUT'
name       shop
valid      yes
types      3
imports    2
  func     env.log (i32) -> ()
  memory   env.mem pages 1..4
exports    2
  func     run = func 1 "run" (i32, i32) -> (i32)
  global   g = global 0 mut i64
functions  3 (1 imported), 10 bytes of code
  memory 0  pages 1..4 (imported env.mem)
  table 0  funcref 2..unbounded
  global 0  mut i64
start      func 2 "init"
data       1 segments (1 active, 0 passive), 5 bytes
elements   1 segments (1 active, 0 passive, 0 declarative), 2 items
  name (26 bytes)
OUT
check text 0 "$HULL" inspect "$tmp/shop.wat"

# The JSON form: parse it and pick fields.
if timeout 20 "$HULL" inspect --json "$tmp/shop.wat" >"$tmp/json" &&
   got=$(jq -r '[.name, .valid, .imports[1].kind, .exports[0].type, .functions.imported,
                 .memories[0].max, .memories[0].import, .globals[0].mutable, .start,
                 .data.bytes, .elements.items, .custom_sections[0].name] | map(tostring) | join(" ")' \
         "$tmp/json") &&
   [[ "$got" == "shop true memory (i32, i32) -> (i32) 1 4 env.mem true 2 5 2 name" ]]; then
  echo "ok   json"
else
  echo "FAIL json: got '${got:-}' from:"; cat "$tmp/json"; fail=1
fi

printf '%s\n' 'valid      no' \
  "error: $tmp/dup.wasm: invalid module: duplicate export name \"a\" (at byte 0x1a)" >"$tmp/want"
check invalid 1 "$HULL" inspect "$tmp/dup.wasm"
if timeout 20 "$HULL" inspect --json "$tmp/dup.wasm" 2>/dev/null >"$tmp/json";
   [[ $? -eq 1 && "$(jq -r '.valid, .error' "$tmp/json" | tr '\n' '|')" == \
      'false|duplicate export name "a" (at byte 0x1a)|' ]]; then
  echo "ok   invalid-json"
else
  echo "FAIL invalid-json:"; cat "$tmp/json"; fail=1
fi
printf '%s\n' "error: $tmp/truncated.wasm: malformed module: unexpected end of section or function (at byte 0x9)" >"$tmp/want"
check malformed 1 "$HULL" inspect "$tmp/truncated.wasm"
printf '%s\n' "error: $tmp/none.wasm: No such file or directory" >"$tmp/want"
check missing 1 "$HULL" inspect "$tmp/none.wasm"
echo '(module (func (i32.bogus)))' >"$tmp/bad.wat"
printf '%s\n' "error: $tmp/bad.wat: not a wasm module (binary or text): 1:16: unknown operator" >"$tmp/want"
check bad-text 1 "$HULL" inspect "$tmp/bad.wat"
printf '%s\n' "error: unknown option '--bogus' (see hull inspect --help)" >"$tmp/want"
check bad-flag 2 "$HULL" inspect --bogus "$tmp/shop.wat"
printf '%s\n' "error: no module file given (see hull inspect --help)" >"$tmp/want"
check no-file 2 "$HULL" inspect
printf '%s\n' "usage: hull inspect [--json] [-W FEATURE=y|n,...] FILE.wasm|FILE.wat" >"$tmp/want"
check help 0 "$HULL" inspect --help

exit $fail
