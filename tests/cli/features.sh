#!/usr/bin/env bash
# Wasm feature switches on the command line (`-W NAME[=y|n]`, Wasmtime's spelling): a module
# using a feature that is off is rejected with a message naming it and the switch; an unknown
# name is a usage error (exit 2) listing the known ones; `hull wast` and `hull inspect` take the
# same switches.
# usage: features.sh HULL
set -u
HULL="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

cat >"$tmp/simd.wat" <<'WAT'
(module
  (func (export "f") (result i32)
    (i32x4.extract_lane 0 (v128.const i32x4 42 0 0 0))))
WAT
cat >"$tmp/plain.wat" <<'WAT'
(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
WAT
cat >"$tmp/wide.wat" <<'WAT'
(module
  (func (export "hi") (param i64 i64) (result i64)
    (i64.mul_wide_s (local.get 0) (local.get 1))
    (return)))
WAT
cat >"$tmp/pages.wat" <<'WAT'
(module
  (memory 3 (pagesize 1))
  (func (export "size") (result i32) memory.size))
WAT
cat >"$tmp/simd.wast" <<'WAST'
(module (func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 7 0 0 0))))
(assert_return (invoke "f") (i32.const 7))
WAST

source "$(dirname "$0")/check_lib.sh"
check() { check_output "$@"; }

msg='requires the simd feature, which is disabled (Config::features.simd, hull run -W simd=y)'
check "run: simd on by default" 0 "42" "$HULL" run "$tmp/simd.wat" --invoke f
check "run -W simd=y" 0 "42" "$HULL" run -W simd=y "$tmp/simd.wat" --invoke f
check "run -W simd (means y)" 0 "42" "$HULL" run -W simd "$tmp/simd.wat" --invoke f
check "run -W simd=n: rejected" 1 "$msg" "$HULL" run -W simd=n "$tmp/simd.wat" --invoke f
check "run -W simd=n: names the instruction" 1 "SIMD instruction v128.const at offset 0x" \
  "$HULL" run -W simd=n "$tmp/simd.wat" --invoke f
check "run -Wsimd=n (attached)" 1 "$msg" "$HULL" run -Wsimd=n "$tmp/simd.wat" --invoke f
check "run comma list on a plain module" 0 "5" \
  "$HULL" run -W simd=n,tail-call=n,gc=n "$tmp/plain.wat" --invoke add 2 3
check "run features and settings in one list" 0 "42" \
  "$HULL" run -W simd=y,max-wasm-stack=1MiB "$tmp/simd.wat" --invoke f
check "run comma list still rejects" 1 "$msg" \
  "$HULL" run -W tail-call=n,simd=n "$tmp/simd.wat" --invoke f
check "run -W bogus=y: usage error" 2 "unsupported -W option 'bogus'" \
  "$HULL" run -W bogus=y "$tmp/plain.wat"
check "run -W bogus=y lists the features" 2 "relaxed-simd" \
  "$HULL" run -W bogus=y "$tmp/plain.wat"
check "run -W simd=maybe: usage error" 2 "expected y or n" \
  "$HULL" run -W simd=maybe "$tmp/plain.wat"
check "run -W threads=y on a plain module" 0 "5" \
  "$HULL" run -W threads=y "$tmp/plain.wat" --invoke add 2 3

wide='requires the wide-arithmetic feature, which is disabled'
wide+=' (Config::features.wide_arithmetic, hull run -W wide-arithmetic=y)'
# -1 * 1 = -1: signed, the high half of the 128-bit product is all ones.
check "run: wide-arithmetic on by default" 0 "-1" "$HULL" run "$tmp/wide.wat" --invoke hi -1 1
check "run -W wide-arithmetic=n: rejected" 1 "$wide" \
  "$HULL" run -W wide-arithmetic=n "$tmp/wide.wat" --invoke hi -1 1
pages='custom page size of memory 0 at offset 0x'
check "run: custom-page-sizes on by default" 0 "3" "$HULL" run "$tmp/pages.wat" --invoke size
check "run -W custom-page-sizes=n: rejected" 1 "$pages" \
  "$HULL" run -W custom-page-sizes=n "$tmp/pages.wat" --invoke size
check "run -W custom-page-sizes=n names the switch" 1 "hull run -W custom-page-sizes=y" \
  "$HULL" run -W custom-page-sizes=n "$tmp/pages.wat" --invoke size

check "wast: simd on by default" 0 "1 passed, 0 failed" "$HULL" wast "$tmp/simd.wast"
check "wast -W simd=n" 1 "$msg" "$HULL" wast -W simd=n "$tmp/simd.wast"
check "wast -W bogus: usage error" 2 "unknown feature" "$HULL" wast -W bogus "$tmp/simd.wast"

check "inspect: valid by default" 0 "" "$HULL" inspect "$tmp/simd.wat"
check "inspect -W simd=n" 1 "$msg" "$HULL" inspect -W simd=n "$tmp/simd.wat"
check "inspect -W bogus=n: usage error" 2 "unknown feature" \
  "$HULL" inspect -W bogus=n "$tmp/simd.wat"

exit $fail
