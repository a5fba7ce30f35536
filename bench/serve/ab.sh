#!/usr/bin/env bash
# Two hull binaries against each other on one served component: K rounds, each starting a fresh
# `hull serve` of binary A, then of B (1 s of wrk to warm up, then D seconds measured), so that
# the machine's drift and the scheduler's placement of a process's threads -- which on a small
# shared VM moves a run by 20 % and can last for seconds -- fall on both alike. Prints each
# binary's requests/s sorted, their medians and the ratio B / A.
#
#   bench/serve/ab.sh [--rounds K] [--duration D] [--path P] [--workers N] A_HULL B_HULL SOURCE
#
# --rounds K     rounds (default 8); --duration D: measured seconds per run (default 4)
# --path P       the request path (default /hello); --workers N: hull serve --workers (default:
#                one per core)
# wrk -t2 -c16 on 127.0.0.1 shares the cores with the server; every server started is stopped.
set -euo pipefail

rounds=8
duration=4
path=/hello
workers=$(nproc)
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ ${#args[@]} = 3 ] || { echo "usage: bench/serve/ab.sh [options] A_HULL B_HULL SOURCE (see --help)" >&2; exit 2; }
a=${args[0]} b=${args[1]} source=${args[2]}
for x in "$a" "$b"; do [ -x "$x" ] || { echo "not an executable: $x" >&2; exit 1; }; done
[ -f "$source" ] || { echo "no such file: $source" >&2; exit 1; }
command -v wrk > /dev/null || { echo "missing wrk (apt-get install wrk)" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"  # start_hull_serve
scratch=$(mktemp -d /tmp/hull-serve-ab.XXXXXX)
hull_pid=
cleanup() {
  [ -z "$hull_pid" ] || kill -9 "$hull_pid" 2> /dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# run BINARY: one fresh server, warmed up, measured; prints its requests/s.
run() {
  start_hull_serve "$1" "$source" "$workers" "$scratch" || exit 1
  local url=http://127.0.0.1:$hull_port$path
  wrk -t2 -c16 -d1s "$url" > /dev/null
  timeout $((duration + 30)) wrk -t2 -c16 -d"${duration}s" "$url" | awk '/Requests\/sec/ {printf "%d\n", $2}'
  kill -TERM "$hull_pid"
  wait "$hull_pid" 2> /dev/null || true
  hull_pid=
}

ra=() rb=()
for r in $(seq "$rounds"); do
  ra+=("$(run "$a")")
  rb+=("$(run "$b")")
  echo "[serve-ab] round $r/$rounds: A ${ra[-1]}, B ${rb[-1]} requests/s" >&2
done
python3 - "${ra[*]}" "${rb[*]}" "$a" "$b" <<'EOF'
import statistics, sys
a = sorted(map(int, sys.argv[1].split())); b = sorted(map(int, sys.argv[2].split()))
ma, mb = statistics.median(a), statistics.median(b)
print(f"A {sys.argv[3]}: {' '.join(map(str, a))} (median {ma:,.0f})")
print(f"B {sys.argv[4]}: {' '.join(map(str, b))} (median {mb:,.0f})")
print(f"B / A: {mb / ma:.2f}")
EOF
