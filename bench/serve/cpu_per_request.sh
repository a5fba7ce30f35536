#!/usr/bin/env bash
# Where a served request's CPU goes: the server process's user and system time per request, and
# its context switches per request, under wrk on loopback -- for hull serve of each SOURCE given
# (a component or a manifest, GET PATH) and for nginx answering a static `return 200` the same
# way (its worker processes summed). Requests per second alone hide which side of the system
# call boundary a difference is on; this says it (docs/PERFORMANCE.md, "Session 24").
#
#   bench/serve/cpu_per_request.sh [--build DIR] [--hull PATH] [--duration SECS] [--runs K]
#                                  [--path P] [--workers N] [--no-nginx] SOURCE...
#
# --build DIR      Hull build tree (default build); --hull overrides the binary
# --duration SECS  wrk -d per run (default 5), after a 1 s warm-up run
# --runs K         runs per target, the median (by requests/s) reported (default 3)
# --path P         the request path (default /hello)
# --workers N      hull serve --workers and nginx worker_processes (default: one per core)
# --no-nginx       leave nginx out
# Every server started is stopped on exit; wrk -t2 -c16 on 127.0.0.1 shares the cores with the
# server. CPU times come from /proc (clock ticks), context switches from each thread's status.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build
hull=
duration=5
runs=3
path=/hello
workers=$(nproc)
with_nginx=1
sources=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --hull) hull=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --path) path=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --no-nginx) with_nginx=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    -*) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
    *) sources+=("$1"); shift ;;
  esac
done
hull=${hull:-$build/hull}
[ -x "$hull" ] || { echo "missing $hull (make build, or --hull PATH)" >&2; exit 1; }
command -v wrk > /dev/null || { echo "missing wrk (apt-get install wrk)" >&2; exit 1; }
[ ${#sources[@]} -gt 0 ] || [ "$with_nginx" = 1 ] || { echo "nothing to measure (see --help)" >&2; exit 2; }
for s in "${sources[@]}"; do [ -f "$s" ] || { echo "no such file: $s" >&2; exit 1; }; done
log() { echo "[cpu-per-request] $*" >&2; }

scratch=$(mktemp -d /tmp/hull-cpu-per-request.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

. "$here/lib.sh"  # free_port, wait_port, start_nginx_static, start_hull_serve

# ticks PIDS...: "user system switches" summed over the processes and all their threads.
ticks() {
  local u=0 s=0 c=0 p t f
  for p in "$@"; do
    read -r -a f < <(sed 's/^.*) //' "/proc/$p/stat")
    u=$((u + f[11])) s=$((s + f[12]))
    for t in /proc/"$p"/task/*; do
      while read -r k v; do
        case "$k" in voluntary_ctxt_switches: | nonvoluntary_ctxt_switches:) c=$((c + v)) ;; esac
      done < "$t/status"
    done
  done
  echo "$u $s $c"
}

hz=$(getconf CLK_TCK)
rows=()
# measure NAME URL PIDS...: K runs; the median run's requests/s and per-request costs.
measure() {
  local name=$1 url=$2
  shift 2
  wrk -t2 -c16 -d1s "$url" > /dev/null  # warm-up: caches, pools, first instances
  local lines=()
  for r in $(seq "$runs"); do
    local a b n
    a=$(ticks "$@")
    n=$(timeout $((duration + 30)) wrk -t2 -c16 -d"${duration}s" "$url" | awk '/requests in/ {print $1}')
    b=$(ticks "$@")
    lines+=("$(python3 - "$a" "$b" "$n" "$hz" "$duration" <<'EOF'
import sys
a = list(map(int, sys.argv[1].split())); b = list(map(int, sys.argv[2].split()))
n, hz, d = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
us = lambda t: t * 1e6 / hz / n
print(f"{n / d:.0f} {us(b[0] - a[0]):.2f} {us(b[1] - a[1]):.2f} {(b[2] - a[2]) / n:.3f}")
EOF
)")
    log "$name run $r/$runs: ${lines[-1]} (requests/s, user us, system us, switches per request)"
  done
  rows+=("$name $(printf '%s\n' "${lines[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")")
}

if [ "$with_nginx" = 1 ]; then
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx_bin" ] || { echo "missing nginx (apt-get install nginx, or --no-nginx)" >&2; exit 1; }
  start_nginx_static "$nginx_bin" "$scratch/nginx" "$workers"
  master=$nginx_pid
  pids+=("$master")
  port=$nginx_port
  wait_port "$port"
  # The workers answer; the master only watches them.
  measure nginx "http://127.0.0.1:$port$path" $(pgrep -P "$master")
fi

for s in "${sources[@]}"; do
  start_hull_serve "$hull" "$s" "$workers" "$scratch" || exit 1
  pids+=("$hull_pid")
  measure "$(basename "$s")" "http://127.0.0.1:$hull_port$path" "$hull_pid"
  kill -TERM "$hull_pid"
  wait "$hull_pid" 2> /dev/null || true
done

echo "| server | requests/s | user us / request | system us / request | CPU us / request | context switches / request |"
echo "|---|---:|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
  read -r name rps u s c <<< "$r"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$rps" "$u" "$s" \
    "$(python3 -c "print(f'{$u + $s:.2f}')")" "$c"
done
