#!/usr/bin/env bash
# `hull run` error handling (issue 3, "Done when"): a missing file, a non-wasm file, an unknown
# flag, a module needing an import Hull lacks and a --dir that does not exist must each print
# exactly one error line on stderr, nothing on stdout, and exit non-zero; a trap must print
# "error: wasm trap: ..." (a backtrace may follow) and exit non-zero.
# usage: tests/wasi/cli_errors.sh [HULL_BINARY] [SCRATCH_DIR]
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hull=${1:-$here/../../build/hull}
scratch=${2:-$(dirname "$hull")/cli-errors-work}
[ -x "$hull" ] || { echo "error: hull binary not found at $hull" >&2; exit 2; }
rm -rf "$scratch" && mkdir -p "$scratch" || exit 2
failures=0

printf 'this is not a wasm module\n' > "$scratch/not-wasm.wasm"
printf '\0asm\1\0\0\0\1\5' > "$scratch/truncated.wasm"
cat > "$scratch/unknown-import.wat" <<'WAT'
(module
  (import "env" "no_such_host_function" (func))
  (memory (export "memory") 1)
  (func (export "_start")))
WAT
cat > "$scratch/unknown-wasi-import.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "no_such_wasi_function" (func (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
WAT
cat > "$scratch/ok.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func (export "_start")))
WAT
cat > "$scratch/trap.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func $inner unreachable)
  (func $_start (export "_start") call $inner))
WAT

# one_error_line NAME ARGS...: non-zero exit, empty stdout, exactly one non-empty stderr line.
one_error_line() {
  local name=$1; shift
  timeout 30 "$hull" run "$@" > "$scratch/$name.out" 2> "$scratch/$name.err" < /dev/null
  local rc=$? lines
  lines=$(grep -c . "$scratch/$name.err")
  if [ $rc = 0 ]; then
    echo "FAIL $name: exit code 0"; failures=$((failures + 1))
  elif [ $rc -ge 124 ]; then
    echo "FAIL $name: exit code $rc (timeout or crash)"; failures=$((failures + 1))
  elif [ -s "$scratch/$name.out" ]; then
    echo "FAIL $name: wrote to stdout"; failures=$((failures + 1))
  elif [ "$lines" != 1 ]; then
    echo "FAIL $name: $lines stderr lines, expected exactly 1:"; sed 's/^/  /' "$scratch/$name.err"
    failures=$((failures + 1))
  else
    echo "ok $name (exit $rc): $(cat "$scratch/$name.err")"
  fi
}

one_error_line missing-file "$scratch/does-not-exist.wasm"
one_error_line not-wasm "$scratch/not-wasm.wasm"
one_error_line truncated-wasm "$scratch/truncated.wasm"
one_error_line unknown-flag --no-such-flag "$scratch/ok.wat"
one_error_line unknown-import "$scratch/unknown-import.wat"
one_error_line unknown-wasi-import "$scratch/unknown-wasi-import.wat"
one_error_line missing-dir --dir "$scratch/no/such/dir" "$scratch/ok.wat"
one_error_line dir-is-a-file --dir "$scratch/ok.wat" "$scratch/ok.wat"

# Sanity: the good module runs, so the failures above are about the bad inputs.
if timeout 30 "$hull" run --dir "$scratch" "$scratch/ok.wat" > /dev/null 2>&1; then
  echo "ok control: a valid module with a valid --dir exits 0"
else
  echo "FAIL control: a valid module with a valid --dir did not exit 0"; failures=$((failures + 1))
fi

timeout 30 "$hull" run "$scratch/trap.wat" > "$scratch/trap.out" 2> "$scratch/trap.err"
rc=$?
if [ $rc = 0 ] || { [ $rc -ge 124 ] && [ $rc != 134 ]; }; then  # 134: hull's documented trap code
  echo "FAIL trap: exit code $rc"; failures=$((failures + 1))
elif ! head -n 1 "$scratch/trap.err" | grep -q '^error: wasm trap: '; then
  echo "FAIL trap: first stderr line is not 'error: wasm trap: ...':"; sed 's/^/  /' "$scratch/trap.err"
  failures=$((failures + 1))
else
  echo "ok trap (exit $rc): $(head -n 1 "$scratch/trap.err") (+$(($(wc -l < "$scratch/trap.err") - 1)) backtrace lines)"
fi

if [ $failures != 0 ]; then echo "$failures hull run error case(s) FAILED"; exit 1; fi
echo "all hull run error cases passed"
