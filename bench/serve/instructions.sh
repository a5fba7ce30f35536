#!/usr/bin/env bash
# Instructions per request of `hull serve` (one worker), counted by valgrind's callgrind: a
# measure of the per-request work that, unlike requests/s, does not move with other load on a
# shared machine. The server warms up with 20 requests, then N keep-alive GETs of PATH are
# counted (instrumentation switched on for them only; start-up and compilation are not in it).
#
#   bench/serve/instructions.sh HULL COMPONENT [N] [PATH] [--keep FILE]
#
# N defaults to 200, PATH to /hello. --keep copies the callgrind profile to FILE
# (callgrind_annotate FILE shows where the instructions go). Needs valgrind (Debian); loopback
# only; the server is killed on exit.
#
# Caveat: callgrind counts each iteration of `rep stosb` as an instruction, so the memset that
# zeroes a pooled memory on release (glibc uses rep stosb for large sizes) weighs several times
# more here than in time. Compare builds with each other, not with cycles.
set -euo pipefail
hull=${1:?usage: instructions.sh HULL COMPONENT [N] [PATH] [--keep FILE]}
component=${2:?}
shift 2
n=200
path=/hello
keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=$2; shift 2 ;;
    /*) path=$1; shift ;;
    *[!0-9]*) echo "unknown argument: $1" >&2; exit 2 ;;
    *) n=$1; shift ;;
  esac
done
command -v valgrind > /dev/null || { echo "instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" --instr-atstart=no \
  "$hull" serve --addr 127.0.0.1:0 --workers 1 --port-file "$work/port" "$component" \
  2> "$work/err" &
server_pid=$!
for _ in $(seq 600); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
[ -s "$work/port" ] || { echo "hull serve did not start under valgrind:" >&2; cat "$work/err" >&2; exit 1; }
url=http://127.0.0.1:$(cat "$work/port")$path
for _ in $(seq 20); do curl -sS -m 60 -o /dev/null "$url"; done
callgrind_control -i on "$server_pid" > /dev/null 2>&1
python3 - "$(cat "$work/port")" "$path" "$n" <<'PY'
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
for _ in range(int(sys.argv[3])):
    conn.request("GET", sys.argv[2])
    r = conn.getresponse()
    r.read()
    if r.status != 200:
        sys.exit(f"GET {sys.argv[2]}: status {r.status}")
PY
callgrind_control -d "$server_pid" > /dev/null 2>&1
for _ in $(seq 100); do
  ls "$work"/cg.out.* > /dev/null 2>&1 && break
  sleep 0.1
done
sleep 1  # the dump is written in one go; give it time to finish
total=$(awk '/^totals:/ {print $2}' "$work"/cg.out.*)
[ -n "$total" ] || { echo "instructions.sh: no callgrind dump" >&2; exit 1; }
echo "$(basename "$component") $path: $((total / n)) instructions/request over $n requests"
[ -z "$keep" ] || cp "$work"/cg.out.* "$keep"
