#!/usr/bin/env bash
# The native tier from the command line: `--tier native` in hull-native (results, traps with
# their messages, calls between machine code and the interpreter, stack exhaustion), `hull
# inspect --tiers`, and the errors of `--tier` where it cannot be given.
# Usage: native.sh HULL HULL_NATIVE
# (A trap exits with 134, as in Wasmtime.)
set -u
hull=$1
native=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$here/check_lib.sh"
m=$here/native/mixed.wat

check_output "fib in machine code" 0 "6765" "$native" run --tier native "$m" --invoke fib 20
check_output "native calls the interpreter, which calls back" 0 "70" \
  "$native" run --tier native "$m" --invoke mixed 7
check_output "divide by zero traps" 134 "integer divide by zero" \
  "$native" run --tier native "$m" --invoke div 1 0
check_output "INT_MIN / -1 traps" 134 "integer overflow" \
  "$native" run --tier native "$m" --invoke div -2147483648 -1
check_output "out-of-bounds load traps" 134 "out of bounds memory access" \
  "$native" run --tier native "$m" --invoke load 65534
check_output "runaway recursion exhausts the stack" 134 "call stack exhausted" \
  "$native" run --tier native "$m" --invoke deep 100000000
check_output "the exhausted frame names its function" 134 "deep @ 0x" \
  "$native" run --tier native "$m" --invoke deep 100000000
check_output "fuel stops a loop in machine code" 134 "all fuel consumed" \
  "$native" run --tier native --fuel 100000 "$m" --invoke spin
check_output "a deadline stops a loop in machine code" 134 "interrupt" \
  "$native" run --tier native --timeout 200ms "$m" --invoke spin
check_output "the interpreter agrees" 0 "70" "$native" run --tier interp "$m" --invoke mixed 7

cat >"$tmp/want" <<'LINES'
func 0 $fib: native (llvm)
func 1 $lanes: interpreter: a local or parameter of type v128
func 2: native (llvm)
6 native, 1 interpreted
LINES
check_lines "inspect --tiers names the tier and the reason" 0 "$native" inspect --tiers "$m"
check_output "inspect --tiers --json" 0 '"native": 6, "interpreted": 1' \
  "$native" inspect --tiers --json "$m"

check_output "plain hull has no native tier" 2 "run hull-native instead" \
  "$hull" run --tier native "$m" --invoke fib 3
check_output "plain hull: inspect --tiers" 2 "run hull-native inspect --tiers instead" \
  "$hull" inspect --tiers "$m"
check_output "an unknown tier" 2 "'jit' is not a tier (interp or native)" \
  "$native" run --tier jit "$m" --invoke fib 3
check_output "wast --tier needs a value" 2 "--tier needs a value" "$native" wast --tier

if [[ $fail -ne 0 ]]; then echo "native.sh: FAILED"; exit 1; fi
echo "native.sh: all passed"
