#!/usr/bin/env bash
# Per-request cost of `hull serve` on one component, in isolation: one worker, one wrk
# connection (so requests/s = 1 / latency), and the server's CPU time per request read from
# /proc (less sensitive to other load on the machine than requests/s). With --perf, also samples
# the server with `perf record --call-graph dwarf` under 4 connections and prints where the
# worker's time goes: an inclusive tree below hull::server::App::handle and below the
# lowered-import entry (the canonical ABI lift/lower of every import call).
#
#   tests/serve/c/profile.sh HULL COMPONENT [URL_PATH] [--perf [--tree FUNCTION]...] [--duration D]
#
# --tree adds a deeper tree below FUNCTION (as printed, e.g. hull::api::Instance::create).
#
# --connections N runs the timed wrk with N connections (default 1). Also printed: the server's
# own split of a request (its /metrics on an admin port: time in App::handle, instantiation,
# guest call, host calls), to set beside hull_serve_handle_bench's split of the same request
# run in a loop in process (bench/serve/handle_bench.cc).
#
# --serve-args "ARGS" passes more arguments to hull serve (e.g. "--instance-reuse off").
#
# URL_PATH defaults to /hello. Needs wrk (and perf for --perf). Loopback only; the server is
# killed on exit; perf.data goes to a temp dir that is removed.
set -euo pipefail
hull=${1:?usage: profile.sh HULL COMPONENT [URL_PATH] [--perf] [--duration D]}
component=${2:?}
shift 2
path=/hello
use_perf=
duration=5s
connections=1
extra_roots=()
serve_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --perf) use_perf=1; shift ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --tree) extra_roots+=("$2"); shift 2 ;;
    --serve-args) read -r -a more <<< "$2"; serve_args+=("${more[@]}"); shift 2 ;;
    /*) path=$1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2> /dev/null
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

admin_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$hull" serve --addr 127.0.0.1:0 --admin-addr "127.0.0.1:$admin_port" --workers 1 \
  --port-file "$work/port" ${serve_args[@]+"${serve_args[@]}"} "$component" 2> "$work/err" &
server_pid=$!
for _ in $(seq 300); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
[ -s "$work/port" ] || { echo "hull serve did not start:" >&2; cat "$work/err" >&2; exit 1; }
url=http://127.0.0.1:$(cat "$work/port")$path
curl -sS -m 10 -o /dev/null "$url"  # warm up (first request)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }  # utime + stime
metrics() { curl -sS -m 10 "http://127.0.0.1:$admin_port/metrics"; }
metrics > "$work/metrics.before"
before=$(cpu_ticks)
wrk -t1 -c"$connections" -d"$duration" --latency "$url" > "$work/wrk"
after=$(cpu_ticks)
metrics > "$work/metrics.after"
requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk")
echo "$(basename "$component") $path, $connections connection(s), $duration:" \
  "$(sed -n 's/^Requests\/sec: *//p' "$work/wrk") requests/s," \
  "p50 $(awk '$1 == "50%" {print $2}' "$work/wrk"), p99 $(awk '$1 == "99%" {print $2}' "$work/wrk");" \
  "server CPU $(((after - before) * 1000000 / $(getconf CLK_TCK) / requests)) us/request" \
  "over $requests requests"
# The server's split, from the differences of its histograms' sums over the run.
python3 - "$work/metrics.before" "$work/metrics.after" "$requests" "$path" <<'EOF'
import re, sys
def sums(f):
    return {m.group(1): float(m.group(2)) for m in
            re.finditer(r'^hull_(\w+)_seconds_sum\{route="[^"]*"\} (\S+)$', open(f).read(), re.M)}
a, b, n = sums(sys.argv[1]), sums(sys.argv[2]), int(sys.argv[3])
per = lambda k: (b.get(k, 0) - a.get(k, 0)) * 1e6 / n
print(f'  in App::handle {per("request_duration"):.2f} us/request: instantiation '
      f'{per("instantiation_duration"):.2f}, guest {per("guest_duration"):.2f} (of which host calls '
      f'{per("host_call_duration"):.2f}); the store\'s teardown and the server are outside it')
EOF

[ -n "$use_perf" ] || exit 0
perf record -F 500 --call-graph dwarf,32768 -p "$server_pid" -o "$work/perf.data" -- sleep 5 \
  > /dev/null 2> "$work/perf.err" &
perf_pid=$!
sleep 0.5
wrk -t1 -c4 -d4s "$url" > /dev/null
wait "$perf_pid" || { echo "perf record failed: $(tail -1 "$work/perf.err")" >&2; exit 1; }
perf script -i "$work/perf.data" -F comm,tid,ip,sym 2> /dev/null > "$work/stacks"
python3 - "$work/stacks" "${extra_roots[@]}" <<'EOF'
import collections, re, sys
# `perf script -F comm,tid,ip,sym`: a header line per sample, then its frames (leaf first).
samples, frames = [], None
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    if line[0] in ' \t':
        frames.append(re.sub(r'^\s*[0-9a-f]+\s+', '', line.strip()))
    else:
        if frames: samples.append(frames)
        frames = []
if frames: samples.append(frames)

def short(frame):  # drop arguments and template arguments
    frame = frame.replace('(anonymous namespace)::', '')
    return re.sub(r'<.*', '<>', re.sub(r'\(.*', '', frame))[:90]

def tree(root, depth, min_pct):
    counts, under = collections.Counter(), 0
    for s in samples:
        stack = [short(f) for f in reversed(s)]
        if root not in stack: continue
        under += 1
        below = stack[stack.index(root) + 1:][:depth]
        for i in range(len(below)):
            counts[tuple(below[:i + 1])] += 1
    print(f'\n{100 * under / len(samples):.1f}% of {len(samples)} samples under {root} (inclusive, % of all):')
    def show(prefix):
        kids = sorted(((c, p) for p, c in counts.items()
                       if len(p) == len(prefix) + 1 and p[:len(prefix)] == prefix), reverse=True)
        for c, p in kids:
            if 100 * c / len(samples) >= min_pct:
                print('  ' * len(prefix) + f'{100 * c / len(samples):5.1f}% {p[-1]}')
                show(p)
    show(())

tree('hull::server::App::handle', 4, 1.0)
tree('hull::component::lowered_entry', 4, 0.7)
if len(sys.argv) > 2:
    for root in sys.argv[2:]:
        tree(root, 6, 0.3)
EOF
