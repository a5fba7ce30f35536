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
# $boxed stays interpreted (native/support.h), so that calls cross the tiers both ways.
export HULL_NATIVE_INTERPRET=boxed

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
check_output "auto: interpreted first, machine code once compiled" 0 "70" \
  "$native" run --tier auto "$m" --invoke mixed 7
check_output "auto: a quick program does not wait for the compiler" 0 "6765" \
  "$native" run --tier auto "$m" --invoke fib 20
# Tier-up, compiling on the spot (HULL_TIER_UP_SYNC) so that it happens at the same point each
# run: the one call of count runs hot in its loop and leaves the interpreter at its header. (The
# cache off: a module found there is loaded whole instead.)
check_output "auto: a hot loop switches to machine code at its header" 0 "count@loop0" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 HULL_TIER_UP_TRACE=1 \
  "$native" run --tier auto "$m" --invoke count 3000000
check_output "auto: ... and gives the interpreter's result" 0 "4499998500000" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 \
  "$native" run --tier auto "$m" --invoke count 3000000
check_output "auto: a deadline stops a loop entered in machine code" 134 "interrupt" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 \
  "$native" run --tier auto --timeout 300ms "$m" --invoke spin
check_output "auto: fuel stops a loop entered in machine code" 134 "all fuel consumed" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 \
  "$native" run --tier auto --fuel 50000000 "$m" --invoke spin
check_output "auto is hull-native's default: the hot loop switches without --tier" 0 "count@loop0" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 HULL_TIER_UP_TRACE=1 \
  "$native" run "$m" --invoke count 3000000
check_output "--tier interp: the same loop stays interpreted" 0 "4499998500000" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 HULL_TIER_UP_TRACE=1 \
  "$native" run --tier interp "$m" --invoke count 3000000
if grep -q "tier-up" "$tmp/err"; then
  echo "FAIL --tier interp compiled something:"; sed 's/^/    /' "$tmp/err"; fail=1
fi
# Components take --tier too (and tier-up by default), for their core modules.
cm=$here/native/count.component.wat
check_output "a component: tier-up by default" 0 "count@loop0" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 HULL_TIER_UP_TRACE=1 \
  "$native" run "$cm" --invoke 'count(3000000)'
grep -qx "4499998500000" "$tmp/out" || { echo "FAIL a component: tier-up's result"; fail=1; }
check_output "a component with --tier interp stays interpreted" 0 "4499998500000" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 HULL_TIER_UP_TRACE=1 \
  "$native" run --tier interp "$cm" --invoke 'count(3000000)'
if grep -q "tier-up" "$tmp/err"; then
  echo "FAIL a component with --tier interp compiled something:"; sed 's/^/    /' "$tmp/err"; fail=1
fi
check_output "a component with --tier native is compiled (to the cache)" 0 "4499998500000" \
  env HULL_CACHE_DIR="$tmp/component-cache" "$native" run --tier native "$cm" --invoke 'count(3000000)'
if ! ls "$tmp/component-cache"/*.code >/dev/null 2>&1; then
  echo "FAIL a component with --tier native wrote no code to the cache"; fail=1
fi
check_output "auto: a cold function is not compiled" 0 "70" \
  env HULL_NATIVE_CACHE=0 HULL_TIER_UP_SYNC=1 HULL_TIER_UP_THRESHOLD=1000 HULL_TIER_UP_TRACE=1 \
  "$native" run --tier auto "$m" --invoke mixed 7
if grep -q "tier-up" "$tmp/err"; then
  echo "FAIL auto: mixed 7 compiled something:"; sed 's/^/    /' "$tmp/err"; fail=1
fi
# The cache: the first run writes the object file, the second loads it, a different option
# (fuel) makes another entry; HULL_NATIVE_CACHE=0 writes nothing.
export HULL_CACHE_DIR=$tmp/cache
check_output "first run fills the cache" 0 "6765" "$native" run --tier native "$m" --invoke fib 20
n1=$(ls "$tmp/cache"/*.code 2>/dev/null | wc -l)
check_output "second run loads it" 0 "6765" "$native" run --tier native "$m" --invoke fib 20
n2=$(ls "$tmp/cache"/*.code 2>/dev/null | wc -l)
check_output "fuel is another entry" 0 "6765" \
  "$native" run --tier native --fuel 100000000 "$m" --invoke fib 20
n3=$(ls "$tmp/cache"/*.code 2>/dev/null | wc -l)
check_output "--opt-level 0 is another entry" 0 "6765" \
  "$native" run --tier native --opt-level 0 "$m" --invoke fib 20
n4=$(ls "$tmp/cache"/*.code 2>/dev/null | wc -l)
if [[ $n1 -ne 1 || $n2 -ne 1 || $n3 -ne 2 || $n4 -ne 3 ]]; then
  echo "FAIL cache entries: $n1, $n2, $n3, $n4 (want 1, 1, 2, 3)"; fail=1
else
  echo "ok   cache entries: 1, 1, 2, 3"
fi
# A damaged entry is dropped: the objects are cut short, and the runs must still answer (LLVM
# refuses the object; the module is compiled afresh and the entry rewritten).
for f in "$tmp/cache"/*.code; do head -c 100 "$f" > "$f.cut" && mv "$f.cut" "$f"; done
check_output "a damaged entry is compiled afresh" 0 "6765" \
  "$native" run --tier native "$m" --invoke fib 20
small=$(find "$tmp/cache" -name '*.code' -size -1000c | wc -l)
if [[ $small -ne 2 ]]; then  # the fuel and level-0 entries are still cut; the other rewritten
  echo "FAIL damaged entries left: $small (want 2)"; fail=1
else
  echo "ok   the damaged entry was rewritten"
fi
rm -rf "$tmp/cache"
HULL_NATIVE_CACHE=0 check_output "cache off" 0 "6765" "$native" run --tier native "$m" --invoke fib 20
if [[ -e $tmp/cache ]]; then echo "FAIL HULL_NATIVE_CACHE=0 wrote $tmp/cache"; fail=1; fi
unset HULL_CACHE_DIR
check_output "the interpreter agrees" 0 "70" "$native" run --tier interp "$m" --invoke mixed 7

cat >"$tmp/want" <<'LINES'
func 0 $fib: native (llvm)
func 1 $boxed: interpreter: left to the interpreter by HULL_NATIVE_INTERPRET
func 2: native (llvm)
7 native, 1 interpreted
LINES
check_lines "inspect --tiers names the tier and the reason" 0 "$native" inspect --tiers "$m"
check_output "inspect --tiers --json" 0 '"native": 7, "interpreted": 1' \
  "$native" inspect --tiers --json "$m"

check_output "plain hull has no native tier" 2 "run hull-native instead" \
  "$hull" run --tier native "$m" --invoke fib 3
check_output "plain hull: inspect --tiers" 2 "run hull-native inspect --tiers instead" \
  "$hull" inspect --tiers "$m"
check_output "plain hull has no auto tier either" 2 "--tier auto: this executable has no native tier" \
  "$hull" run --tier auto "$m" --invoke fib 3
check_output "an unknown tier" 2 "'jit' is not a tier (interp, baseline, native or auto)" \
  "$native" run --tier jit "$m" --invoke fib 3
check_output "wast --tier needs a value" 2 "--tier needs a value" "$native" wast --tier
check_output "wast: an unknown tier" 2 "'jit' is not a tier (interp, baseline, native or auto)" \
  "$native" wast --tier jit "$here/native/none.wast"

# Ahead of time: `compile` writes a .hullc, `run` loads it without compiling; anything made for
# another Hull, CPU or set of options is refused with the reason, a damaged file too.
c=$tmp/mixed.hullc
check_output "compile writes a .hullc" 0 "bytes of wasm -> $c" "$native" compile "$m" -o "$c"
check_output "a .hullc runs" 0 "70" "$native" run "$c" --invoke mixed 7
check_output "a .hullc traps as the module does" 134 "integer divide by zero" \
  "$native" run "$c" --invoke div 1 0
check_output "inspect reads a .hullc's header" 0 "compiled with no fuel metering" \
  "$native" inspect "$c"
check_output "inspect --tiers of a .hullc" 0 "func 0 \$fib: native (llvm)" \
  "$native" inspect --tiers "$c"
check_output "plain hull hands a .hullc to the hull-native beside it" 0 "70" \
  "$hull" run "$c" --invoke mixed 7
cp "$hull" "$tmp/hull-alone"
check_output "a hull with no hull-native beside it cannot run machine code" 1 \
  "run it with hull-native (this build has no native tier, and no hull-native is beside it)" \
  "$tmp/hull-alone" run "$c" --invoke fib 3
check_output "options must match: fuel" 1 "precompiled with no fuel metering" \
  "$native" run --fuel 1000 "$c" --invoke fib 3
check_output "compile --fuel" 0 "bytes of wasm" "$native" compile --fuel "$m" -o "$tmp/fuel.hullc"
check_output "fuel in a .hullc" 134 "all fuel consumed" \
  "$native" run --fuel 100000 "$tmp/fuel.hullc" --invoke spin
check_output "a .hullc compiled with fuel needs --fuel" 1 "this run asks for no fuel metering" \
  "$native" run "$tmp/fuel.hullc" --invoke fib 3
check_output "compile --epochs, run --timeout" 0 "bytes of wasm" \
  "$native" compile --epochs "$m" -o "$tmp/epochs.hullc"
check_output "a deadline in a .hullc" 134 "interrupt" \
  "$native" run --timeout 200ms "$tmp/epochs.hullc" --invoke spin
python3 "$here/native/hullc_edit.py" "$c" "$tmp/build.hullc" build_id=0123456789abcdef
check_output "another build's .hullc is refused" 1 "(build 0123456789ab), not by this Hull" \
  "$native" run "$tmp/build.hullc" --invoke fib 3
python3 "$here/native/hullc_edit.py" "$c" "$tmp/cpu.hullc" features=+sse2,+made-up-feature
check_output "a .hullc for another CPU is refused" 1 "lacks made-up-feature" \
  "$native" run "$tmp/cpu.hullc" --invoke fib 3
head -c 200 "$c" >"$tmp/cut.hullc"
check_output "a cut .hullc is refused" 1 "damaged or cut short" \
  "$native" run "$tmp/cut.hullc" --invoke fib 3
cp "$c" "$tmp/flip.hullc"
printf 'Z' | dd of="$tmp/flip.hullc" bs=1 seek=300 conv=notrunc 2>/dev/null
check_output "a damaged .hullc is refused" 1 "damaged or cut short (checksum mismatch)" \
  "$native" run "$tmp/flip.hullc" --invoke fib 3
# Optimization levels: each compiles every function, with the same results and traps.
for level in 0 1 2; do
  check_output "compile --opt-level $level" 0 "bytes of wasm" \
    "$native" compile --opt-level $level "$m" -o "$tmp/o$level.hullc"
  check_output "--opt-level $level: fib" 0 "6765" "$native" run "$tmp/o$level.hullc" --invoke fib 20
  check_output "--opt-level $level: through the interpreter and back" 0 "70" \
    "$native" run "$tmp/o$level.hullc" --invoke mixed 7
  check_output "--opt-level $level: out of bounds" 134 "out of bounds memory access" \
    "$native" run "$tmp/o$level.hullc" --invoke load 65534
  check_output "--opt-level $level: runaway recursion" 134 "call stack exhausted" \
    "$native" run "$tmp/o$level.hullc" --invoke deep 100000000
  check_output "--opt-level $level: fuel" 134 "all fuel consumed" \
    env HULL_NATIVE_CACHE=0 "$native" run --tier native --opt-level $level --fuel 100000 "$m" \
    --invoke spin
done
# Level 0 keeps locals in memory and selects instructions fast: its code is the biggest.
if [[ $(stat -c %s "$tmp/o0.hullc") -le $(stat -c %s "$tmp/o2.hullc") ]]; then
  echo "FAIL --opt-level 0 made no bigger code than 2"; fail=1
else
  echo "ok   --opt-level 0 made bigger code than 2"
fi
check_output "an unknown opt level" 2 "'3' is not an optimization level (0, 1 or 2)" \
  "$native" run --opt-level 3 "$m" --invoke fib 3
check_output "compile: an unknown opt level" 2 "'fast' is not an optimization level" \
  "$native" compile --opt-level fast "$m" -o "$tmp/x.hullc"
check_output "wast --opt-level needs a value" 2 "--opt-level needs a value" "$native" wast --opt-level
check_output "plain hull has nothing to optimize" 2 "--opt-level: this executable has no native tier" \
  "$hull" run --opt-level 0 "$m" --invoke fib 3
check_output "compile needs -o" 2 "usage: hull-native compile" "$native" compile "$m"
check_output "compile: a missing file" 1 "no-such.wasm" "$native" compile "$tmp/no-such.wasm" -o "$c"
check_output "compile: an invalid module" 1 "invalid module" \
  "$native" compile "$here/native/invalid.wat" -o "$tmp/x.hullc"
check_output "compile: a component is refused" 1 "is a component: the native tier compiles core modules only" \
  "$native" compile "$here/components/demo.wat" -o "$tmp/x.hullc"
check_output "plain hull cannot compile" 2 "use hull-native compile" \
  "$hull" compile "$m" -o "$tmp/x.hullc"

# hull serve with the components' core code as machine code (compiled before it listens): the
# serve tests' component answers, its trap and its runaway loop (under --fuel) are 500s for
# their request alone.
app=$here/../serve/app.wat
start_serve() {  # start_serve OPTION...: hull-native serve --tier native of $app, on $base
  rm -f "$tmp/serve.port"
  HULL_CACHE_DIR=$tmp/serve-cache "$native" serve --tier native "$@" --addr 127.0.0.1:0 \
    --port-file "$tmp/serve.port" "$app" >"$tmp/serve.out" 2>&1 &
  serve_pid=$!
  for _ in $(seq 300); do [[ -s "$tmp/serve.port" ]] && break; sleep 0.1; done
  base=http://127.0.0.1:$(cat "$tmp/serve.port" 2>/dev/null)
}
start_serve --fuel 2000000
get() { curl -sS -m 10 -o "$tmp/body" -w '%{http_code}' "$base$1"; }
check_http() {  # check_http NAME PATH STATUS BODY_TEXT
  local status
  status=$(get "$2")
  if [[ $status != "$3" ]] || ! grep -qF -- "$4" "$tmp/body"; then
    echo "FAIL $1: status $status (want $3), want body text: $4"
    sed 's/^/    /' "$tmp/body" "$tmp/serve.out"; fail=1
  else
    echo "ok   $1"
  fi
}
check_http "serve --tier native: GET /hello" /hello 200 "hello from hull serve"
check_http "serve --tier native: a trap is a 500" /trap 500 "unreachable"
check_http "serve --tier native: a loop runs out of fuel" /spin 500 "fuel"
check_http "serve --tier native: the next request is answered" /hello 200 "hello from hull serve"
kill "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null
start_serve --timeout 300ms
check_http "serve --tier native: a deadline stops the loop" /spin 500 "interrupt"
check_http "serve --tier native: then the next request is answered" /hello 200 "hello from hull serve"
kill "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null
# Machine code was made (and cached) for the component's core modules: not interpreted.
codes=$(ls "$tmp/serve-cache"/*.code 2>/dev/null | wc -l)
if [[ $codes -eq 0 ]]; then
  echo "FAIL serve --tier native compiled nothing (no entry in its cache)"; fail=1
else
  echo "ok   serve --tier native compiled the component's core code ($codes cache entries)"
fi
check_output "serve --tier native needs hull-native" 2 "this executable has no native tier" \
  "$hull" serve --tier native "$app"
check_output "serve has no --tier auto" 2 "'auto' is not a tier (interp, baseline or native)" \
  "$native" serve --tier auto "$app"

# The tier is a plugin beside hull-native, loaded on first use (tools/hull/native_loader.h):
# hull-native itself links no LLVM; without the plugin it still interprets, and whatever needs
# machine code is refused with the plugin's path.
plugin=$(dirname "$native")/libhull_native_tier.so
if ldd "$native" | grep -qi libLLVM; then
  echo "FAIL hull-native links libLLVM"; fail=1
else
  echo "ok   hull-native links no libLLVM"
fi
mkdir "$tmp/alone"
cp "$native" "$tmp/alone/hull-native"
alone=$tmp/alone/hull-native
check_output "no plugin: --tier interp runs" 0 "70" "$alone" run --tier interp "$m" --invoke mixed 7
check_output "no plugin: --tier native names the missing file" 1 \
  "cannot load the native tier's plugin $tmp/alone/libhull_native_tier.so" \
  "$alone" run --tier native "$m" --invoke fib 3
check_output "no plugin: --tier auto runs interpreted and says why" 0 \
  "no $tmp/alone/libhull_native_tier.so beside hull-native" \
  "$alone" run --tier auto "$m" --invoke mixed 7
check_output "no plugin: the default (auto) runs interpreted and says why" 0 \
  "no $tmp/alone/libhull_native_tier.so beside hull-native" \
  "$alone" run "$m" --invoke mixed 7
check_output "no plugin: --tier interp says nothing of it" 0 "70" \
  "$alone" run --tier interp "$m" --invoke mixed 7
if [[ -s $tmp/err ]]; then
  echo "FAIL no plugin, --tier interp wrote to stderr:"; sed 's/^/    /' "$tmp/err"; fail=1
fi
check_output "no plugin: a .hullc is refused" 1 "install or build it beside hull-native" \
  "$alone" run "$c" --invoke fib 3
check_output "no plugin: compile is refused" 1 "cannot load the native tier's plugin" \
  "$alone" compile "$m" -o "$tmp/x.hullc"
check_output "no plugin: inspect --tiers is refused" 1 "cannot load the native tier's plugin" \
  "$alone" inspect --tiers "$m"
echo "not a shared object" >"$tmp/alone/libhull_native_tier.so"
check_output "a broken plugin is refused" 1 \
  "cannot load the native tier's plugin $tmp/alone/libhull_native_tier.so (" \
  "$alone" run --tier native "$m" --invoke fib 3
# The machine code is the plugin's: a .hullc records the plugin's build id, not the executable's.
if command -v readelf >/dev/null; then
  id=$(readelf -n "$plugin" | sed -n 's/.*Build ID: //p')
  check_output "a .hullc records the plugin's build id" 0 "build $id," "$native" inspect "$c"
fi

if [[ $fail -ne 0 ]]; then echo "native.sh: FAILED"; exit 1; fi
echo "native.sh: all passed"
