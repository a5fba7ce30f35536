#!/usr/bin/env bash
# wasi-threads (`hull run -S threads`): hand-written pthreads-style modules (cli/threads/*.wat)
# spawn threads through wasi::thread-spawn. Checks the counting program's exact output (so the
# shared memory, atomics, wait/notify across stores and the shared WASI fds all work), that a
# trap or proc_exit in any thread ends the whole program with its status whatever the main
# thread is doing, that the main thread's end does not wait for the others, that spawn failures
# are negative errnos, and that a module importing thread-spawn without `-S threads` is refused
# with the flag to pass.
# usage: threads.sh HULL [TIER]
# With TIER (hull-native: native), every run compiles the modules to machine code first: the
# spinning loops then check no deadline and the end of the program reaches them through the
# interrupt signal (runtime/interrupt.h). With TIER baseline (hull), the baseline tier's machine
# code, whose loops keep the interpreter's deadline checks.
set -u
HULL="$1"
run=("$HULL" run)
if [[ -n ${2:-} ]]; then run+=(--tier "$2"); export HULL_NATIVE_CACHE=0; fi
dir="$(cd "$(dirname "$0")" && pwd)/threads"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

source "$(dirname "$0")/check_lib.sh"
check() { check_output "$@"; }
# lacks NAME TEXT: the last check's output does not contain TEXT.
lacks() {
  if grep -qF -- "$2" "$tmp/out" "$tmp/err"; then
    echo "FAIL $1: unexpected text: $2"; sed 's/^/    /' "$tmp/out" "$tmp/err"; fail=1
  fi
}

counter="$dir/counter.wat"
{ for _ in 1 2 3 4 5 6 7 8; do echo "worker done"; done; echo "total 800000"; } >"$tmp/want"
# Repeated: a lost wake-up or a racy counter shows up only now and then.
for i in 1 2 3 4 5 6 7 8 9 10; do
  timeout 20 "${run[@]}" -S threads "$counter" >"$tmp/got" 2>"$tmp/err"
  status=$?
  if [[ $status -ne 0 ]] || ! cmp -s "$tmp/want" "$tmp/got"; then
    echo "FAIL counter (run $i): status $status"; diff "$tmp/want" "$tmp/got" | head; cat "$tmp/err"
    fail=1
    break
  fi
done
[[ $fail -eq 0 ]] && echo "ok   counter: 8 threads x 100000 atomic adds, exact output (10 runs)"
check "-S threads=y" 0 "total 800000" "${run[@]}" -S threads=y "$counter"
timeout 20 "${run[@]}" -S threads --invoke nested "$counter" >"$tmp/got" 2>"$tmp/err"
if [[ $? -ne 0 ]] || ! cmp -s "$tmp/want" "$tmp/got"; then
  echo "FAIL threads spawn threads"; cat "$tmp/got" "$tmp/err"; fail=1
else
  echo "ok   threads spawn threads: exact output"
fi
check "-S tcp=y,threads" 0 "total 800000" "${run[@]}" -S tcp=y,threads "$counter"

off='the module imports wasi::thread-spawn (wasi-threads), which is off; enable it with `-S threads`'
check "no -S threads: refused" 1 "$off" "${run[@]}" "$counter"
check "-S threads=n: refused" 1 "$off" "${run[@]}" -S threads=n "$counter"

check "trap in a thread while main waits" 134 "error: wasm trap: unreachable" \
  "${run[@]}" -S threads --invoke trap_while_waiting "$counter"
lacks "trap in a thread while main waits" "interrupt"
check "... with the thread's backtrace" 134 "0: wasi_thread_start @ 0x" \
  "${run[@]}" -S threads --invoke trap_while_waiting "$counter"
check "trap in a thread while main spins" 134 "error: wasm trap: unreachable" \
  "${run[@]}" -S threads --invoke trap_while_spinning "$counter"
lacks "trap in a thread while main spins" "interrupt"
# stdin: a FIFO this shell holds open and never writes to, so the main thread's read blocks.
mkfifo "$tmp/fifo"
exec 3<>"$tmp/fifo"
check "trap in a thread while main is blocked in fd_read" 134 "error: wasm trap: unreachable" \
  "${run[@]}" -S threads --invoke trap_while_reading "$counter" <"$tmp/fifo"
check "main's WASI calls go on while a thread blocks in fd_read" 0 \
  "main ran while a thread blocked" \
  "${run[@]}" -S threads --invoke main_runs_while_a_thread_reads "$counter" <"$tmp/fifo"
exec 3>&-
check "proc_exit(7) in a thread while main waits" 7 "" \
  "${run[@]}" -S threads --invoke exit_while_waiting "$counter"
check "main proc_exit(3) while threads run" 3 "" \
  "${run[@]}" -S threads --invoke main_exits "$counter"
check "main returns while threads run" 0 "" \
  "${run[@]}" -S threads --invoke main_returns "$counter"
check "main's WASI calls go on while a thread sleeps in poll_oneoff" 0 \
  "main ran while a thread blocked" \
  "${run[@]}" -S threads --invoke main_runs_while_a_thread_sleeps "$counter"
check "--timeout covers every thread" 134 "error: wasm trap: interrupt" \
  "${run[@]}" -S threads --timeout 200ms --invoke everyone_waits "$counter"

check "spawn returns the first thread id" 0 "1" \
  "${run[@]}" -S threads --invoke spawn_one "$counter"
check "spawn without wasi_thread_start: -28" 0 "-28" \
  "${run[@]}" -S threads --invoke spawn_one "$dir/no-entry.wat"
check "spawn with a memory of its own: -28" 0 "-28" \
  "${run[@]}" -S threads --invoke spawn_one "$dir/own-memory.wat"
check "-S threads=maybe: usage error" 2 "expected y or n" \
  "${run[@]}" -S threads=maybe "$counter"
printf '(component)\n' >"$tmp/empty-component.wat"
check "-S threads with a component: usage error" 2 "-S threads (wasi-threads) is for core modules" \
  "${run[@]}" -S threads "$tmp/empty-component.wat"
check "help lists -S threads" 0 "-S threads[=y|n]" "${run[@]}" --help

exit $fail
