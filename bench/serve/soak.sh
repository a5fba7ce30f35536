#!/usr/bin/env bash
# The soak run of `hull serve`: N requests (default 1,000,000) of which 10% trap or loop, with
# the server's RSS sampled throughout. tests/serve/app.wat is served with --fuel and --timeout,
# so /spin's endless loop ends (fuel first; the deadline is the backstop); wrk drives it with
# bench/serve/soak.lua: GET /hello 90%, /trap 5%, /spin 5%, every answer classified by status
# and body. Passes when
#   - all N answers (or a few more: wrk stops each thread between reads) arrived within
#     --max-time, with no socket error or timeout;
#   - every answer is the right one: /hello 200 "hello from hull serve", /trap 500 naming
#     `unreachable`, /spin 500 naming fuel/deadline (no wrong answer at all), so every good
#     request that was answered was answered 200; the only good requests without an answer
#     are those in flight when wrk stopped (at most --connections);
#   - Hull's /metrics agree: its 200s and its traps + fuel/deadline counts cover wrk's;
#   - RSS is flat: the median of the last quarter of the samples is at most --rss-slack MB
#     (default 16) above the median of the first quarter;
#   - no crash: the process is alive at the end, answers /hello 200 and /healthz, and exits 0
#     on SIGTERM without a sanitizer report.
#
#   bench/serve/soak.sh [--build DIR] [--hull PATH] [--requests N] [--threads T]
#                       [--connections C] [--workers W] [--fuel F] [--timeout D]
#                       [--max-time SECS] [--sample SECS] [--rss-slack MB] [--out DIR]
#                       [--results MD]
#
# --build DIR      Hull build tree (default build); --hull overrides the binary
# --requests N     answers to wait for (default 1000000), split over wrk's threads
# --threads T      wrk -t (default 2); --connections C: wrk -c (default 16)
# --workers W      hull serve --workers (default: one per core)
# --fuel F         hull serve --fuel (default 100000: /hello needs far less, /spin runs out)
# --timeout D      hull serve --timeout (default 1s)
# --max-time SECS  wrk -d: the run's time bound (default 1800); not all answers by then fails
# --sample SECS    RSS sampling interval (default 2)
# --out DIR        scratch: logs, rss.tsv, wrk's output (default /tmp/hull-serve-soak)
# --results MD     also write the table with the command and machine there (and the RSS
#                  samples beside it, MD's name with .rss.tsv)
# Everything runs on 127.0.0.1; every process started is killed on exit. The table goes to
# stdout, progress to stderr; the exit status is 0 only when every check passed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cmdline="bench/serve/soak.sh $*"
build=$repo/build
hull=
requests=1000000
threads=2
connections=16
workers=$(nproc)
fuel=100000
timeout_flag=1s
max_time=1800
sample=2
rss_slack_mb=16
out=/tmp/hull-serve-soak
results_md=

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --hull) hull=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --fuel) fuel=$2; shift 2 ;;
    --timeout) timeout_flag=$2; shift 2 ;;
    --max-time) max_time=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --rss-slack) rss_slack_mb=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --results) results_md=$2; shift 2 ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
hull=${hull:-$build/hull}
log() { echo "[soak] $*" >&2; }
[ -x "$hull" ] || { echo "missing $hull (ninja -C $build hull)" >&2; exit 1; }
command -v wrk > /dev/null || { echo "wrk not found (scripts/setup.sh, or apt-get install wrk)" >&2; exit 1; }
[ "$requests" -ge "$threads" ] || { echo "--requests must be at least --threads" >&2; exit 2; }
[ $((requests % threads)) = 0 ] || { echo "--requests must be a multiple of --threads" >&2; exit 2; }

mkdir -p "$out"
rm -f "$out"/rss.tsv "$out"/wrk.txt "$out"/hull.port
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
}
trap cleanup EXIT
trap "exit 143" INT TERM

# ---- the server ------------------------------------------------------------------------------
"$hull" serve --addr 127.0.0.1:0 --admin-addr 127.0.0.1:0 --port-file "$out/hull.port" \
  --workers "$workers" --fuel "$fuel" --timeout "$timeout_flag" "$repo/tests/serve/app.wat" \
  > "$out/hull.out" 2> "$out/hull.err" &
hull_pid=$!
pids+=("$hull_pid")
for _ in $(seq 300); do
  [ -s "$out/hull.port" ] && break
  kill -0 "$hull_pid" 2> /dev/null || break
  sleep 0.1
done
[ -s "$out/hull.port" ] || { echo "hull serve did not start:" >&2; cat "$out/hull.err" >&2; exit 1; }
port=$(cat "$out/hull.port")
admin=$(sed -n 's|.*metrics on http://127.0.0.1:\([0-9]*\)/metrics.*|\1|p' "$out/hull.err")
[ -n "$admin" ] || { echo "no admin address in hull serve's output" >&2; exit 1; }
log "hull serve app.wat on 127.0.0.1:$port (admin $admin), $workers workers, --fuel $fuel --timeout $timeout_flag"
metric() { curl -sS -m 10 "http://127.0.0.1:$admin/metrics" | sed -n "s/^$1 //p" | head -1; }
for path in hello trap spin; do  # each route answers as expected before the run
  code=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$path")
  want=500
  [ "$path" = hello ] && want=200
  [ "$code" = "$want" ] || { echo "/$path answered $code before the run, not $want" >&2; exit 1; }
done
ok200_before=$(metric 'hull_requests_total{route="\/...",status="200"}')
ok500_before=$(metric 'hull_requests_total{route="\/...",status="500"}')
traps_before=$(metric hull_traps_total)
fuel_before=$(metric hull_fuel_exhausted_total)
deadline_before=$(metric hull_deadline_exceeded_total)

# ---- RSS sampler -----------------------------------------------------------------------------
(
  t0=$(date +%s%3N)
  while kill -0 "$hull_pid" 2> /dev/null; do
    rss=$(sed -n 's/^VmRSS:\s*\([0-9]*\) kB/\1/p' "/proc/$hull_pid/status" 2> /dev/null || true)
    [ -n "$rss" ] && echo "$(($(date +%s%3N) - t0)) $rss" >> "$out/rss.tsv"
    sleep "$sample"
  done
) &
pids+=($!)
sampler_pid=$!

# ---- the run ---------------------------------------------------------------------------------
log "wrk -t$threads -c$connections -d${max_time}s -s soak.lua: $requests requests (/hello 90%, /trap 5%, /spin 5%)"
# wrk runs until -d or SIGINT (a thread that has its share only stops itself), so it gets a
# SIGINT as soon as every thread has left its file in $done_dir; on SIGINT it reports as usual.
done_dir=$out/done
rm -rf "$done_dir"
mkdir -p "$done_dir"
t0=$(date +%s%3N)
SOAK_DONE_DIR=$done_dir wrk -t"$threads" -c"$connections" -d"${max_time}s" --timeout 10s \
  -s "$here/soak.lua" "http://127.0.0.1:$port" -- $((requests / threads)) > "$out/wrk.txt" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
while kill -0 "$wrk_pid" 2> /dev/null; do
  [ "$(find "$done_dir" -name 'thread-*' | wc -l)" -ge "$threads" ] && break
  [ $(($(date +%s%3N) - t0)) -gt $(((max_time + 5) * 1000)) ] && break
  sleep 0.2
done
kill -INT "$wrk_pid" 2> /dev/null || true
for _ in $(seq 300); do
  kill -0 "$wrk_pid" 2> /dev/null || break
  sleep 0.1
done
kill -9 "$wrk_pid" 2> /dev/null || true
wrk_status=0
wait "$wrk_pid" 2> /dev/null || wrk_status=$?
elapsed_ms=$(($(date +%s%3N) - t0))
kill "$sampler_pid" 2> /dev/null || true
wait "$sampler_pid" 2> /dev/null || true

soak_line=$(grep '^SOAK ' "$out/wrk.txt" || true)
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< "$soak_line"; }
alive=no
kill -0 "$hull_pid" 2> /dev/null && alive=yes
hello_after=$(curl -s -m 20 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/hello" || true)
healthz=$(curl -s -m 10 "http://127.0.0.1:$admin/healthz" || true)
ok200=$(( $(metric 'hull_requests_total{route="\/...",status="200"}') - ok200_before - 1 ))
ok500=$(( $(metric 'hull_requests_total{route="\/...",status="500"}') - ok500_before ))
traps=$(( $(metric hull_traps_total) - traps_before ))
fuel_out=$(( $(metric hull_fuel_exhausted_total) - fuel_before ))
deadlines=$(( $(metric hull_deadline_exceeded_total) - deadline_before ))

kill -TERM "$hull_pid"
exit_status="still running 30 s after SIGTERM"
for _ in $(seq 300); do
  kill -0 "$hull_pid" 2> /dev/null || break
  sleep 0.1
done
if ! kill -0 "$hull_pid" 2> /dev/null; then
  exit_status=0
  wait "$hull_pid" || exit_status=$?
fi
sanitizer=$(grep -c 'Sanitizer\|runtime error:' "$out/hull.err" || true)

# ---- verdict and table -----------------------------------------------------------------------
set +e
python3 - "$out/rss.tsv" "$rss_slack_mb" "$requests" "$connections" "$elapsed_ms" \
  "$wrk_status" "$alive" "$hello_after" "$healthz" "$exit_status" "$sanitizer" \
  "$ok200" "$ok500" "$traps" "$fuel_out" "$deadlines" "$soak_line" > "$out/table.md" <<'EOF'
import statistics, sys
(rss_file, slack_mb, requests, connections, elapsed_ms, wrk_status, alive, hello_after, healthz,
 exit_status, sanitizer, ok200, ok500, traps, fuel_out, deadlines, soak_line) = sys.argv[1:18]
requests, connections, elapsed_ms = int(requests), int(connections), int(elapsed_ms)
slack_mb = float(slack_mb)
f = dict(kv.split('=', 1) for kv in soak_line.split()[1:]) if soak_line else {}
n = lambda k: int(f.get(k, -1))
samples = [int(line.split()[1]) / 1024 for line in open(rss_file)] if soak_line else []
rows, failed = [], []
def row(what, value, ok=None):
    mark = '' if ok is None else (' ok' if ok else ' **FAIL**')
    rows.append(f'| {what} | {value}{mark} |')
    if ok is False:
        failed.append(what)

answered, sent = n('answered'), n('sent_hello') + n('sent_trap') + n('sent_spin')
# A thread stops itself at its share, but answers already read in that turn of its event loop
# are still counted: a few more than wanted is fine.
row('requests answered (wanted)', f'{answered:,} ({requests:,})',
    requests <= answered <= requests + connections)
row('run time, requests/s', f'{elapsed_ms / 1000:.1f} s, {answered / (elapsed_ms / 1000):,.0f}/s'
    if answered > 0 else f'{elapsed_ms / 1000:.1f} s')
row('/hello sent, answered 200 "hello from hull serve"', f"{n('sent_hello'):,}, {n('hello_ok'):,}",
    0 <= n('sent_hello') - n('hello_ok') <= connections)
row('/trap sent, answered 500 `unreachable`', f"{n('sent_trap'):,}, {n('trap_ok'):,}",
    0 <= n('sent_trap') - n('trap_ok') <= connections)
row('/spin sent, answered 500 fuel/deadline', f"{n('sent_spin'):,}, {n('spin_ok'):,}",
    0 <= n('sent_spin') - n('spin_ok') <= connections)
row('wrong answers', f"{n('wrong')}" + (f" (first: {f['wrong_sample']})" if 'wrong_sample' in f else ''),
    n('wrong') == 0)
row('in flight when wrk stopped (sent - answered)', f'{sent - answered}', 0 <= sent - answered <= connections)
row('socket errors, timeouts', f"{n('socket_errors')}, {n('timeouts')}",
    n('socket_errors') == 0 and n('timeouts') == 0)
row('latency p50 / p99 / max', f"{n('p50_us') / 1000:.2f} / {n('p99_us') / 1000:.2f} / "
    f"{n('max_us') / 1000:.1f} ms")
ok200, ok500 = int(ok200), int(ok500)
traps, fuel_out, deadlines = int(traps), int(fuel_out), int(deadlines)
row('Hull /metrics: 200s, 500s', f'{ok200:,}, {ok500:,}',
    n('hello_ok') <= ok200 <= n('sent_hello') and n('trap_ok') + n('spin_ok') <= ok500 <= n('sent_trap') + n('sent_spin'))
row('Hull /metrics: traps, fuel exhausted, deadlines', f'{traps:,}, {fuel_out:,}, {deadlines:,}',
    n('trap_ok') <= traps <= n('sent_trap') and n('spin_ok') <= fuel_out + deadlines <= n('sent_spin'))
if len(samples) >= 4:
    q = len(samples) // 4
    first, last = statistics.median(samples[:q]), statistics.median(samples[-q:])
    row(f'RSS samples ({len(samples)}): first-quarter median, last-quarter median, max',
        f'{first:.1f} MB, {last:.1f} MB, {max(samples):.1f} MB')
    row(f'RSS flat: last-quarter median - first-quarter median <= {slack_mb:g} MB',
        f'{last - first:+.1f} MB', last - first <= slack_mb)
else:
    row('RSS samples', f'{len(samples)} (fewer than 4: run longer or sample more often)', False)
row('alive after the run; /hello; /healthz', f'{alive}; {hello_after}; {healthz}',
    alive == 'yes' and hello_after == '200' and healthz == 'ok')
row('exit status after SIGTERM; sanitizer reports', f'{exit_status}; {sanitizer}',
    exit_status == '0' and sanitizer == '0')
if wrk_status != '0':
    row('wrk exit status', wrk_status, False)
print('| check | result |')
print('|---|---|')
print('\n'.join(rows))
print()
print('soak: ' + ('PASS' if not failed else 'FAIL (' + '; '.join(failed) + ')'))
sys.exit(1 if failed else 0)
EOF
verdict=$?
set -e
cat "$out/table.md"

if [ -n "$results_md" ]; then
  mkdir -p "$(dirname "$results_md")"
  {
    echo "# bench/serve/soak.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`$cmdline\`"
    echo "(Hull commit $(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo '?'); hull serve" \
      "tests/serve/app.wat --workers $workers --fuel $fuel --timeout $timeout_flag;" \
      "wrk -t$threads -c$connections with bench/serve/soak.lua; $(nproc) vCPU" \
      "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average" \
      "$(cut -d' ' -f1-3 /proc/loadavg) at the end. RSS sampled every ${sample} s (ms since" \
      "the start, kB): $(basename "${results_md%.md}.rss.tsv").)"
    echo
    cat "$out/table.md"
  } > "$results_md"
  cp "$out/rss.tsv" "${results_md%.md}.rss.tsv"
  log "results: $results_md"
fi
exit "$verdict"
