#!/usr/bin/env bash
# Components built by today's toolchains print under `hull run` what they print under `jco run`
# (Node + preview2-shim, the reference host here): a JavaScript command built with
# componentize-js (tests/wasi/js/cli.js) and C programs (tests/programs) wrapped with jco's
# preview 1 command adapter. Compares stdout and the exit status.
#
# usage: jco_compare.sh HULL TOOLS_DIR WORK_DIR PROGRAMS_WASM_DIR
#   TOOLS_DIR: npm prefix with jco 1.35.0 and componentize-js 0.23.0 (scripts/npm-tools.sh)
#   WORK_DIR: scratch and cache (the JS component is built once, ~10-40 s)
# Prints one line per check and "N passed, M failed"; exits 1 on any failure.
set -u
hull=$1 tools=$2 work=$3 wasm_dir=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jco=$tools/node_modules/.bin/jco
passed=0 failed=0
mkdir -p "$work"
for f in "$hull" "$jco"; do [ -x "$f" ] || { echo "error: $f missing" >&2; exit 2; }; done

# The JS command (rebuilt only when cli.js changes).
js=$work/js
if ! bash "$here/../../scripts/build-js-component.sh" "$tools" "$here/js/cli.js" \
       'export wasi:cli/run@0.2.10;' "$js/cli.component.wasm"; then
  echo "FAIL componentize-js could not build tests/wasi/js/cli.js"
  echo "0 passed, 1 failed"; exit 1
fi

# compare NAME STDIN COMPONENT ARGS...
compare() {
  local name=$1 input=$2 comp=$3
  shift 3
  # jco run hands the guest its whole environment: both run under the same small one, and
  # hull passes it on with --inherit-env.
  local envs=(env -i "PATH=$PATH" HULL_COMPARE=1)
  timeout 60 "${envs[@]}" "$hull" run --inherit-env "$comp" "$@" < "$input" \
    > "$work/$name.hull.out" 2> "$work/$name.hull.err"
  local hrc=$?
  # jco run: a fresh Node per run; its ExperimentalWarning lines go to stderr, not compared.
  timeout 120 "${envs[@]}" "$jco" run "$comp" "$@" < "$input" > "$work/$name.jco.out" \
    2> "$work/$name.jco.err"
  local jrc=$?
  if [ $hrc != $jrc ]; then
    echo "FAIL $name: exit status hull=$hrc jco=$jrc"; sed 's/^/  hull stderr: /' "$work/$name.hull.err" | head -5
    failed=$((failed + 1))
  elif ! cmp -s "$work/$name.hull.out" "$work/$name.jco.out"; then
    echo "FAIL $name: stdout differs (- jco, + hull)"
    diff "$work/$name.jco.out" "$work/$name.hull.out" | head -10 | sed 's/^/  /'
    failed=$((failed + 1))
  elif [ ! -s "$work/$name.hull.out" ]; then
    echo "FAIL $name: printed nothing"; failed=$((failed + 1))
  else
    echo "ok   $name ($(wc -l < "$work/$name.hull.out") lines, exit $hrc)"
    passed=$((passed + 1))
  fi
}

compare js-cli /dev/null "$js/cli.component.wasm"
# C programs (tests/programs, with a cabi_realloc export) wrapped by the adapter.
text=$work/input.txt
for i in $(seq 1 300); do echo "line $i: The Quick Brown Fox"; done > "$text"
for p in upper wc args; do
  c=$work/$p.component.wasm
  if [ ! -s "$c" ] || [ "$wasm_dir/$p.p2.wasm" -nt "$c" ]; then
    "$jco" new "$wasm_dir/$p.p2.wasm" --wasi-command -o "$c" > /dev/null || { echo "FAIL jco new $p"; failed=$((failed + 1)); continue; }
  fi
done
compare c-upper "$text" "$work/upper.component.wasm"
compare c-wc "$text" "$work/wc.component.wasm"
compare c-args /dev/null "$work/args.component.wasm" one "two words" ünï
compare c-args-exit /dev/null "$work/args.component.wasm" exit7
echo "$passed passed, $failed failed"
[ $failed = 0 ]
