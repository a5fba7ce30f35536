#!/usr/bin/env bash
# `hull inspect` and `hull run --invoke` on components (tests/cli/components/*.wat): the WIT
# and JSON that inspect prints, results of calls with WAVE arguments of every value kind,
# and the exit status and message of each error (malformed or mistyped argument, unknown
# export, trap, invalid component) and a hand-written WASI 0.2 command run with its arguments.
# usage: components.sh HULL [COMPONENT2BIN]   (the second encodes .wat to a binary component,
#                                              to test binary input too)
set -u
HULL="$1"
C2B="${2:-}"
dir="$(cd "$(dirname "$0")/components" && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

source "$(dirname "$0")/check_lib.sh"
check() { check_lines "$@"; }

# invoke CALL RESULT: `hull run demo.wat --invoke CALL` exits 0 and prints exactly RESULT.
invoke() {
  local call="$1" want="$2" got
  got=$(timeout 20 "$HULL" run "$dir/demo.wat" --invoke "$call" 2>"$tmp/err")
  local rc=$?
  if [[ $rc -ne 0 || "$got" != "$want" ]]; then
    echo "FAIL invoke $call: status $rc, stdout '$got' (want '$want'), stderr:"; cat "$tmp/err"
    fail=1
  else
    echo "ok   invoke $call"
  fi
}

# fails NAME STATUS MESSAGE ARGS...: `hull ARGS` exits STATUS with MESSAGE as a whole line of
# stderr and prints nothing on stdout.
fails() {
  local name="$1" status="$2"
  printf '%s\n' "$3" >"$tmp/want"
  shift 3
  check "$name" "$status" "$HULL" "$@"
  if [[ -s "$tmp/out" ]]; then
    echo "FAIL $name: unexpected stdout:"; cat "$tmp/out"; fail=1
  fi
}

# ---- inspect --------------------------------------------------------------------------------

cat >"$tmp/want" <<'OUT'
world root {
  record point { x: s32, y: s32 }
  variant shape { square(u32), rect(tuple<u32, u32>), empty }
  flags perms { read, write, exec }
  enum color { red, green, blue }
  export local:demo/api: interface {
    record point { x: s32, y: s32 }
    greet: func(name: string) -> string;
    swap: func(p: point) -> point;
  }
  export greet: func(name: string) -> string;
  export sum: func(xs: list<u32>) -> u32;
  export swap: func(p: point) -> point;
  export double: func(x: option<u32>) -> option<u32>;
  export div: func(a: u32, b: u32) -> result<u32, string>;
  export area: func(s: shape) -> u32;
  export toggle: func(p: perms) -> perms;
  export next: func(c: color) -> color;
  export upper: func(c: char) -> char;
  export measure: func(bytes: list<u8>, label: option<string>) -> u32;
  export boom: func();
}
OUT
(cd "$dir" && check inspect-demo 0 "$HULL" inspect demo.wat)

cat >"$tmp/want" <<'OUT'
world root {
  import log: func(msg: string);
  import local:demo/host: interface {
    record entry { key: string, value: list<u8> }
    lookup: func(key: string) -> option<entry>;
    now: func() -> u64;
  }
  resource counter {
    constructor(start: u32);
    get: func() -> u32;
    zero: static func() -> counter;
  }
}
OUT
check inspect-resources 0 "$HULL" inspect "$dir/resources.wat"

printf '%s\n' '  export wasi:cli/run@0.2.0: interface {' '    run: func() -> result;' '  import wasi:cli/exit@0.2.0: interface {' '    exit: func(status: result);' >"$tmp/want"
check inspect-command 0 "$HULL" inspect "$dir/command.wat"

# --json: the same items, by name and type.
json_field() {  # json_field NAME FILE JQ WANT
  local name="$1" file="$2" filter="$3" want="$4" got
  if timeout 20 "$HULL" inspect --json "$file" >"$tmp/json" 2>"$tmp/err" &&
     got=$(jq -r "$filter" "$tmp/json") && [[ "$got" == "$want" ]]; then
    echo "ok   $name"
  else
    echo "FAIL $name: got '${got:-}' (want '$want') from:"; cat "$tmp/json" "$tmp/err"; fail=1
  fi
}
json_field json-demo "$dir/demo.wat" \
  '[.kind, .valid, (.imports | length), (.exports | map(.name) | join(","))] | map(tostring) | join(" ")' \
  "component true 0 point,shape,perms,color,local:demo/api,greet,sum,swap,double,div,area,toggle,next,upper,measure,noop,boom,spin,surrogate"
json_field json-func "$dir/demo.wat" \
  '.exports[] | select(.name == "div") | [.kind, .type, (.params | map(.name + ": " + .type) | join(", ")), .result] | join(" | ")' \
  "func | func(a: u32, b: u32) -> result<u32, string> | a: u32, b: u32 | result<u32, string>"
json_field json-instance "$dir/demo.wat" \
  '.exports[] | select(.kind == "instance") | .name + " " + (.exports | map(.kind + ":" + .name) | join(","))' \
  "local:demo/api type:point,func:greet,func:swap"
json_field json-type "$dir/demo.wat" '.exports[1].definition' \
  "variant shape { square(u32), rect(tuple<u32, u32>), empty }"
json_field json-wit "$dir/demo.wat" '.wit | split("\n")[0]' "world root {"
json_field json-resource "$dir/resources.wat" \
  '(.exports | map(.kind + ":" + .name) | join(",")) + " " + .imports[1].exports[1].result' \
  "resource:counter,func:[constructor]counter,func:[method]counter.get,func:[static]counter.zero option<entry>"

# An invalid component is named with its error and offset; --json says so too.
printf '%s\n' "// component $dir/invalid.wat (32 bytes), not valid" \
  "error: $dir/invalid.wat: invalid component: unknown core function 0: function index out of bounds (at byte 0x12)" \
  >"$tmp/want"
check inspect-invalid 1 "$HULL" inspect "$dir/invalid.wat"
if timeout 20 "$HULL" inspect --json "$dir/invalid.wat" >"$tmp/json" 2>/dev/null; [[ $? -eq 1 &&
   "$(jq -r '[.kind, .valid, .error] | map(tostring) | join("|")' "$tmp/json")" == \
   'component|false|unknown core function 0: function index out of bounds (at byte 0x12)' ]]; then
  echo "ok   inspect-invalid-json"
else
  echo "FAIL inspect-invalid-json:"; cat "$tmp/json"; fail=1
fi
# Binary components: recognised by their preamble.
printf '\0asm\x0d\0\x01\0' >"$tmp/empty.wasm"
printf '%s\n' "// component $tmp/empty.wasm (8 bytes), valid" 'world root {' '}' >"$tmp/want"
check inspect-empty-binary 0 "$HULL" inspect "$tmp/empty.wasm"
printf '\0asm\x0d\0\x01\0\x0b\x05\x01' >"$tmp/truncated.wasm"
fails inspect-malformed 1 \
  "error: $tmp/truncated.wasm: malformed component: unexpected end-of-file (at byte 0xb)" \
  inspect "$tmp/truncated.wasm"
printf '(component (func (export "f") (canon lift (core func 0)))' >"$tmp/unclosed.wat"
fails inspect-bad-text 1 "error: $tmp/unclosed.wat: not a valid component text: 1:58: unexpected token" \
  inspect "$tmp/unclosed.wat"

# ---- run --invoke ---------------------------------------------------------------------------

invoke 'greet("world")' '"hello, world"'
invoke 'greet("tab\there \"q\" ☃")' '"hello, tab\there \"q\" ☃"'
invoke 'local:demo/api#greet("x")' '"hello, x"'
invoke 'sum([1, 2, 3, 40])' '46'
invoke 'sum([])' '0'
invoke 'swap({x: 1, y: -2})' '{x: -2, y: 1}'
invoke 'local:demo/api#swap({y: 4, x: 3})' '{x: 4, y: 3}'
invoke 'double(some(21))' 'some(42)'
invoke 'double(none)' 'none'
invoke 'double()' 'none'
invoke 'div(7, 2)' 'ok(3)'
invoke 'div(1, 0)' 'err("division by zero")'
invoke 'area(square(3))' '9'
invoke 'area(rect((2, 5)))' '10'
invoke 'area(empty)' '0'
invoke 'toggle({read, exec})' '{write}'
invoke 'toggle({})' '{read, write, exec}'
invoke 'next(blue)' 'red'
invoke "upper('q')" "'Q'"
invoke 'measure([1, 2, 3], some("abcd"))' '7'
invoke 'measure([1, 2, 3])' '3'
invoke ' div ( 9 , 3 ) ' 'ok(3)'
invoke 'noop()' ''
# The words after FILE as the arguments, for `--invoke NAME` without parentheses.
printf '%s\n' 'ok(4)' >"$tmp/want"
check invoke-words 0 "$HULL" run "$dir/demo.wat" --invoke div 8 2
check invoke-before-file 0 "$HULL" run --invoke 'div(8, 2)' "$dir/demo.wat"
check invoke-equals 0 "$HULL" run "$dir/demo.wat" --invoke='div(8, 2)' 
# Sandbox limits apply to components as to modules.
printf '%s\n' 'error: wasm trap: all fuel consumed' >"$tmp/want"
check fuel 134 "$HULL" run --fuel 1000 "$dir/demo.wat" --invoke 'spin()'
printf '%s\n' 'error: wasm trap: interrupt' >"$tmp/want"
check timeout 134 "$HULL" run --timeout 100ms "$dir/demo.wat" --invoke 'spin()'

# ---- errors ---------------------------------------------------------------------------------

D="$dir/demo.wat"
fails trap 134 'error: wasm trap: unreachable' run "$D" --invoke 'boom()'
fails abi-trap 134 'error: wasm trap: invalid `char` bit pattern 0xd800' run "$D" --invoke 'surrogate()'
fails wrong-type 2 \
  "error: 'greet' argument 1 (name: string): invalid WAVE value at column 1 of \`5\`: expected a string (\"...\"), found \`5\`" \
  run "$D" --invoke 'greet(5)'
fails wrong-type-nested 2 \
  "error: 'sum' argument 1 (xs: list<u32>): invalid WAVE value at column 5 of \`[1, \"a\"]\`: expected an integer (u32), found \`\"a\"\`" \
  run "$D" --invoke 'sum([1, "a"])'
fails wrong-second 2 \
  "error: 'div' argument 2 (b: u32): invalid WAVE value at column 1 of \`\"two\"\`: expected an integer (u32), found \`\"two\"\`" \
  run "$D" --invoke 'div(1, "two")'
fails unknown-case 2 \
  "error: 'area' argument 1 (s: shape): invalid WAVE value at column 1 of \`circle(1)\`: expected a case of variant { square(u32), rect(tuple<u32, u32>), empty }, found \`circle\`" \
  run "$D" --invoke 'area(circle(1))'
fails unknown-flag 2 \
  "error: 'toggle' argument 1 (p: perms): invalid WAVE value at column 8 of \`{read, bogus}\`: no flag \`bogus\` in flags { read, write, exec }" \
  run "$D" --invoke 'toggle({read, bogus})'
fails missing-field 2 "error: 'swap' argument 1 (p: point): invalid WAVE value at column 6 of \`{x: 1}\`: missing field \`y\`" \
  run "$D" --invoke 'swap({x: 1})'
fails too-few 2 "error: 'div' takes 2 argument(s) (a: u32, b: u32), 1 given" run "$D" --invoke 'div(1)'
fails too-many 2 "error: 'div' takes 2 argument(s) (a: u32, b: u32), 3 given" run "$D" --invoke 'div(1, 2, 3)'
fails malformed 2 "error: 'greet' argument 1 (name: string): invalid WAVE value at column 1 of \`\"open\`: unterminated string" \
  run "$D" --invoke 'greet("open)'
fails unclosed 2 "error: --invoke 'greet(\"x\"': the arguments must end with ')': NAME(ARGS)" \
  run "$D" --invoke 'greet("x"'
fails args-twice 2 "error: --invoke 'div(1, 2)' already has its arguments in parentheses; unexpected '3' after FILE" \
  run "$D" --invoke 'div(1, 2)' 3
fails unknown-export 1 "error: $D: no exported function 'nope'; it exports:" run "$D" --invoke 'nope()'
fails unknown-iface-func 1 "error: $D: no exported function 'local:demo/api#nope'; it exports:" \
  run "$D" --invoke 'local:demo/api#nope()'
printf '%s\n' "error: $D: 'local:demo/api' is an instance; call its functions as 'local:demo/api#NAME(ARGS)':" \
  '  local:demo/api#greet: func(name: string) -> string' '  div: func(a: u32, b: u32) -> result<u32, string>' >"$tmp/want"
check not-a-function 1 "$HULL" run "$D" --invoke 'local:demo/api()'
printf '%s\n' "error: $D is a component without wasi:cli/run: choose the export to call with --invoke 'NAME(ARGS)', arguments in WAVE, e.g. --invoke 'f(1, \"text\")'" \
  '  greet: func(name: string) -> string' >"$tmp/want"
check no-invoke 2 "$HULL" run "$D"
fails unlinkable 1 \
  "error: $dir/resources.wat: import \`log\` was not found (hull run provides WASI 0.2 interfaces to components, nothing else)" \
  run "$dir/resources.wat" --invoke '[static]counter.zero()'
fails tcplisten-component 2 \
  "error: $D is a component: --tcplisten hands a socket to WASI preview 1; a WASI 0.2 component opens its own (grant it with -S inherit-network)" \
  run --tcplisten 127.0.0.1:0 "$D" --invoke 'boom()'
fails bad-wasi-option 2 \
  "error: -S frobnicate: unknown WASI option (known: inherit-network, allow-ip-name-lookup, tcp, udp, inherit-env, threads, http, allow-outbound=URL)" \
  run -S frobnicate "$dir/command.wat"
fails bad-wasi-value 2 "error: -S tcp=maybe: expected y or n after '='" run -S tcp=maybe "$dir/command.wat"
fails missing-preopen 1 "error: preopen $tmp/nope: noent" run --dir "$tmp/nope" "$dir/command.wat"

# A WASI 0.2 command (wasi:cli/run) written by hand: prints its arguments through
# wasi:cli/stdout and wasi:io/streams; "fail" makes it call wasi:cli/exit with err.
printf '%s\n' "hello from a WASI 0.2 command" "$dir/command.wat" "one" "two words" >"$tmp/want"
check wasi-command 0 "$HULL" run "$dir/command.wat" one "two words"
if ! diff -q <(printf '%s\n' "hello from a WASI 0.2 command" "$dir/command.wat" "one" "two words") "$tmp/out" >/dev/null; then
  echo "FAIL wasi-command: stdout is not exactly the greeting and the arguments:"; cat "$tmp/out"; fail=1
fi
printf '%s\n' "fail" >"$tmp/want"
check wasi-command-exit 1 "$HULL" run "$dir/command.wat" fail
fails run-invalid 1 \
  "error: $dir/invalid.wat: invalid component: unknown core function 0: function index out of bounds (at byte 0x12)" \
  run "$dir/invalid.wat" --invoke 'f()'

# ---- binary input ---------------------------------------------------------------------------

if [[ -n "$C2B" && ! -x "$C2B" ]]; then
  echo "skip binary input: $C2B is not built"
elif [[ -n "$C2B" ]]; then
  if "$C2B" "$D" -o "$tmp/demo.wasm"; then
    printf '%s\n' '"hello, binary"' >"$tmp/want"
    check binary-invoke 0 "$HULL" run "$tmp/demo.wasm" --invoke 'greet("binary")'
    printf '%s\n' '  export local:demo/api: interface {' '  export sum: func(xs: list<u32>) -> u32;' >"$tmp/want"
    check binary-inspect 0 "$HULL" inspect "$tmp/demo.wasm"
  else
    echo "FAIL binary: $C2B could not encode $D"; fail=1
  fi
fi

exit $fail
