#!/usr/bin/env bash
# Requests per second and latency percentiles of `hull serve` (a fresh instance per request),
# measured with wrk on loopback beside nginx answering a static "hello" on another loopback port
# in the same run (the ceiling of this machine). Targets:
#   nginx      `return 200 'hello'` (a minimal nginx.conf in a temp dir, one worker per core)
#   hull-wat   hull serve tests/serve/app.wat, GET /hello (hand-written component, 21-byte body)
#   hull-c     hull serve of the C component tests/serve/c (tests/serve/c/build.sh: clang
#              --target=wasm32, no libc, jco embed + new), GET /hello (12-byte body)
#   hull-js    hull serve of tests/serve/hello.js built with componentize-js, GET /hello
#   jco-serve  `jco serve --isolate-requests instance` of the same componentize-js component
#              (node; a fresh instance per request like hull serve), GET /hello
#   jco-serve-c the same of the C component, GET /hello
#   hull-noroute hull serve of a manifest routing only /routed (to app.wat), GET /hello: the
#              router's 404, with no instance -- the server's own cost per request (Beast,
#              socket, router, metrics), to which the other hull rows add a component
# A target that cannot run here is skipped, and the table says why.
# Rounds are interleaved (every target once per round); the table gives the median round with
# the min - max over rounds, and ratios against nginx and between the two Hull targets. See
# docs/PERFORMANCE.md, "Serving (hull serve)".
#
#   bench/serve/run.sh [--build DIR] [--hull PATH] [--npm-tools DIR] [--clang CC] [--runs K]
#                      [--duration D] [--threads T] [--connections C] [--workers N]
#                      [--out DIR] [--results MD] [--chart PNG] [--modes] [--tier T]
#
# --build        Hull build tree (default: build); --hull overrides the binary
# --npm-tools    npm prefix with jco + componentize-js (scripts/npm-tools.sh; default
#                build/npm-tools); missing: hull-c, hull-js and jco-serve are skipped
# --clang CC     C compiler for the C component (default clang-19, else clang)
# --runs K       rounds (default 3)
# --duration D   wrk -d per run (default 10s); --threads (default 2), --connections (default 16)
# --workers N    hull serve --workers and nginx worker_processes (default: one per core)
# --out DIR      scratch: C and JS components, logs, raw rows OUT/results.tsv (default /tmp/hull-serve-bench)
# --results MD   also write the table with the command and machine there (and MD's .tsv beside)
# --chart PNG    also draw requests/s per target (gnuplot)
# --tier T       interp, baseline or native: the hull targets run `hull serve --tier interp`
#                (the interpreter alone), `hull serve --tier baseline` (machine code copied from
#                the interpreter's handlers before serving, in milliseconds) or `hull-native
#                serve --tier native` (BUILD/hull-native; the components' core code compiled by
#                LLVM before serving, and cached on disk: a big component's first start compiles
#                for minutes), and their rows say so. Without it: hull serve's default tier
#                (baseline), rows unlabelled
# --modes        also each hull target with one engine mode off: --pooling off,
#                --memory-images off, --bounds-checks explicit, --instance-reuse off (rows
#                NAME:nopool, :nocow, :explicit, :noreuse)
# wrk, nginx (and gnuplot for --chart) come from Debian; when missing they are installed with
# apt-get (said on stderr).
# Everything runs on 127.0.0.1; every process started is killed on exit; each wrk run is bounded
# by --duration (and a timeout). Progress goes to stderr, the table to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cmdline="bench/serve/run.sh $*"
build=$repo/build
hull=
npm_tools=$repo/build/npm-tools
runs=3
duration=10s
threads=2
connections=16
workers=$(nproc)
out=/tmp/hull-serve-bench
results_md=
chart=
clang=$(command -v clang-19 || command -v clang || echo clang-19)

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --hull) hull=$2; shift 2 ;;
    --npm-tools) npm_tools=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --results) results_md=$2; shift 2 ;;
    --chart) chart=$2; shift 2 ;;
    --clang) clang=$2; shift 2 ;;
    --modes) modes=1; shift ;;
    --tier) tier=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
tier=${tier:-default}
hull_args=()
case "$tier" in
  default) hull=${hull:-$build/hull} ;;
  interp) hull=${hull:-$build/hull}; hull_args=(--tier interp) ;;
  baseline) hull=${hull:-$build/hull}; hull_args=(--tier baseline) ;;
  native) hull=${hull:-$build/hull-native}; hull_args=(--tier native) ;;
  *) echo "--tier $tier: expected interp, baseline or native" >&2; exit 2 ;;
esac
modes=${modes:-0}
log() { echo "[serve-bench] $*" >&2; }
[ -x "$hull" ] || { echo "missing $hull (ninja -C $build hull)" >&2; exit 1; }

# ---- tools -----------------------------------------------------------------------------------
missing=()
command -v wrk > /dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || command -v nginx > /dev/null || missing+=(nginx)
# Before the runs, not after them: a missing gnuplot would otherwise lose the chart at the end.
[ -z "$chart" ] || command -v gnuplot > /dev/null || missing+=(gnuplot-nox)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt-get (Debian packages, for this benchmark only)"
  [ "$(id -u)" = 0 ] || { echo "need root to install ${missing[*]}" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

mkdir -p "$out"
results=$out/results.tsv
: > "$results"
# Targets that could not run: "target<TAB>why", printed under the table.
skipped=$out/skipped.tsv
: > "$skipped"
skip() {  # skip TARGET WHY
  printf '%s\t%s\n' "$1" "$2" >> "$skipped"
  log "$1 skipped: $2"
}
pids=()
cleanup() {
  # TERM first: nginx's master then stops its workers (a KILLed master would orphan them).
  for p in "${pids[@]}"; do kill -TERM "$p" 2> /dev/null || true; done
  for _ in $(seq 50); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2> /dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
}
trap cleanup EXIT

. "$here/lib.sh"  # free_port, wait_port, start_nginx_static

# ---- targets ---------------------------------------------------------------------------------
declare -A url
targets=()

# nginx: a static answer, foreground, in its own temp prefix.
start_nginx_static "$nginx_bin" "$out/nginx" "$workers"
pids+=("$nginx_pid")
ng_port=$nginx_port
wait_port "$ng_port"
targets+=(nginx)
url[nginx]=http://127.0.0.1:$ng_port/hello
log "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||') on port $ng_port ($workers workers)"

# start_hull NAME COMPONENT: hull serve on a free port (its --port-file tells which).
start_hull() {
  local name=$1 comp=$2
  shift 2
  rm -f "$out/$name.port"
  "$hull" serve "${hull_args[@]}" --addr 127.0.0.1:0 --workers "$workers" \
    --port-file "$out/$name.port" "$@" "$comp" 2> "$out/$name.err" &
  pids+=($!)
  # Up to 30 s (the native tier: up to 30 min, a big component compiling before it listens).
  local waits=300
  [ "$tier" = native ] && waits=18000
  for _ in $(seq "$waits"); do
    [ -s "$out/$name.port" ] && break
    sleep 0.1
  done
  [ -s "$out/$name.port" ] || { echo "hull serve $comp did not start:" >&2; cat "$out/$name.err" >&2; exit 1; }
  targets+=("$name")
  url[$name]=http://127.0.0.1:$(cat "$out/$name.port")/hello
  log "$name: hull serve $* $comp on ${url[$name]}"
  # --modes: the same component with each engine mode switched off (one at a time).
  if [ "$modes" = 1 ] && [ $# = 0 ]; then
    start_hull "$name:nopool" "$comp" --pooling off
    start_hull "$name:nocow" "$comp" --memory-images off
    start_hull "$name:explicit" "$comp" --bounds-checks explicit
    start_hull "$name:noreuse" "$comp" --instance-reuse off
  fi
}
start_hull hull-wat "$repo/tests/serve/app.wat"
# No route for /hello: 404 from the router, no instance (its 404s are not errors, see below).
printf '%s\n' 'spin_manifest_version = 2' '[application]' 'name = "noroute"' \
  '[[trigger.http]]' 'route = "/routed"' 'component = "app"' '[component.app]' \
  "source = \"$repo/tests/serve/app.wat\"" > "$out/noroute.toml"
modes_saved=$modes
modes=0
start_hull hull-noroute "$out/noroute.toml"
modes=$modes_saved

npm_tools=$(cd "$npm_tools" 2> /dev/null && pwd || echo "$npm_tools")  # build-js-component.sh needs it absolute
if [ -x "$npm_tools/node_modules/.bin/jco" ]; then
  if bash "$repo/tests/serve/c/build.sh" "$out/c" "$npm_tools" "$clang" > "$out/c-build.log" 2>&1; then
    start_hull hull-c "$out/c/serve-c.component.wasm"
  else
    skip hull-c "tests/serve/c/build.sh failed: $(tail -1 "$out/c-build.log")"
  fi
else
  skip hull-c "no jco in $npm_tools (scripts/npm-tools.sh --prefix $npm_tools jco)"
fi

# jco serve: node serving the JS component; it forks a child node process (`_run.js`) that
# answers, which must be stopped too. Without --isolate-requests instance it answers only the
# first request of a componentize-js component (/work/shared/docs/TOOLCHAIN.md (b2)).
start_jco_serve() {  # start_jco_serve NAME COMPONENT
  local name=$1 comp=$2 port jco_pid child code
  port=$(free_port)
  "$npm_tools/node_modules/.bin/jco" serve --isolate-requests instance --host 127.0.0.1 \
    --port "$port" "$comp" > "$out/$name.log" 2>&1 &
  jco_pid=$!
  pids+=("$jco_pid")
  if ! wait_port "$port" 2> /dev/null; then
    skip "$name" "jco serve did not listen within 20 s: $(tail -1 "$out/$name.log")"
    return
  fi
  for child in $(ps -o pid= --ppid "$jco_pid"); do pids+=("$child"); done
  code=$(curl -s -m 30 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/hello")
  if [ "$code" != 200 ]; then
    skip "$name" "jco serve answered $code to GET /hello: $(tail -1 "$out/$name.log")"
    return
  fi
  targets+=("$name")
  url[$name]=http://127.0.0.1:$port/hello
  log "$name: jco serve $comp on ${url[$name]} (one node process)"
}

js=$out/hello-js.wasm
if [ -x "$npm_tools/node_modules/.bin/jco" ] && [ -d "$npm_tools/node_modules/@bytecodealliance/componentize-js" ]; then
  if bash "$repo/scripts/build-js-component.sh" "$npm_tools" "$repo/tests/serve/hello.js" \
    'export wasi:http/incoming-handler@0.2.10;' "$js"; then
    start_hull hull-js "$js"
    start_jco_serve jco-serve "$js"
  else
    skip hull-js "componentize-js failed"
    skip jco-serve "componentize-js failed"
  fi
else
  why="no componentize-js in $npm_tools (scripts/npm-tools.sh --prefix $npm_tools jco componentize-js)"
  skip hull-js "$why"
  skip jco-serve "$why"
fi
if [ -s "$out/c/serve-c.component.wasm" ] && [[ " ${targets[*]} " == *" hull-c "* ]]; then
  start_jco_serve jco-serve-c "$out/c/serve-c.component.wasm"
else
  skip jco-serve-c "no C component (see hull-c)"
fi

# Every target must answer 200 (hull-noroute: 404) before it is measured.
for t in "${targets[@]}"; do
  want=200
  [ "$t" = hull-noroute ] && want=404
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "${url[$t]}")
  [ "$code" = "$want" ] || { echo "$t: ${url[$t]} answered $code, not $want" >&2; exit 1; }
done

# ---- rounds ----------------------------------------------------------------------------------
# Rows: round, target, requests/s, p50, p90, p99 (ms), errors (non-2xx + socket errors).
secs=${duration%s}
for ((round = 1; round <= runs; round++)); do
  for t in "${targets[@]}"; do
    log "round $round/$runs: $t: wrk -t$threads -c$connections -d$duration --latency ${url[$t]}"
    timeout $((secs + 60)) wrk -t"$threads" -c"$connections" -d"$duration" --latency "${url[$t]}" \
      > "$out/wrk.$t.$round.txt"
    python3 - "$out/wrk.$t.$round.txt" "$round" "$t" >> "$results" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    n, unit = re.fullmatch(r'([\d.]+)(us|ms|s)', v).groups()
    return float(n) * {'us': 1e-3, 'ms': 1, 's': 1e3}[unit]
rps = float(re.search(r'Requests/sec:\s+([\d.]+)', text).group(1))
pct = {p: ms(v) for p, v in re.findall(r'^\s+(50|90|99)%\s+(\S+)', text, re.M)}
# hull-noroute answers 404 by design: only socket errors count there.
errors = 0 if sys.argv[3] == 'hull-noroute' else sum(
    int(n) for n in re.findall(r'Non-2xx or 3xx responses:\s+(\d+)', text))
m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', text)
if m:
    errors += sum(int(x) for x in m.groups())
print(f"{sys.argv[2]}\t{sys.argv[3]}\t{rps:.1f}\t{pct['50']:.3f}\t{pct['90']:.3f}\t{pct['99']:.3f}\t{errors}")
EOF
  done
done

# ---- table -----------------------------------------------------------------------------------
table=$(python3 - "$results" "$out/chart.dat" "$skipped" "$tier" <<'EOF'
import statistics, sys
from collections import defaultdict
rows = defaultdict(list)
for line in open(sys.argv[1]):
    rnd, t, rps, p50, p90, p99, err = line.rstrip('\n').split('\t')
    rows[t].append((float(rps), float(p50), float(p90), float(p99), int(err)))
labels = {
    'nginx': 'nginx, static `return 200` (the ceiling)',
    'hull-wat': 'hull serve, app.wat `/hello` (hand-written component)',
    'hull-c': 'hull serve, C component `/hello` (tests/serve/c)',
    'hull-js': 'hull serve, componentize-js hello',
    'jco-serve': '`jco serve`, componentize-js hello (node)',
    'jco-serve-c': '`jco serve`, C component `/hello` (node)',
    'hull-noroute': 'hull serve, no route (router 404, no instance: the server alone)',
}
order = ['nginx', 'hull-noroute', 'hull-wat', 'hull-c', 'hull-js', 'jco-serve', 'jco-serve-c']
# --modes: each hull target with one engine mode switched off, right after it.
mode_labels = {'nopool': 'pooling off', 'nocow': 'memory images off',
               'explicit': 'explicit bounds checks', 'noreuse': 'instance reuse off'}
order = [v for t in order for v in [t] + [t + ':' + m for m in mode_labels]]
if sys.argv[4] != 'default':  # every hull row runs that tier
    for t in labels:
        if t.startswith('hull-'):
            labels[t] += ', ' + sys.argv[4] + ' tier'
for t in list(order):
    if ':' in t:
        base, m = t.split(':')
        labels[t] = labels[base] + ', ' + mode_labels[m]
def median_round(rs):  # the round with the median requests/s (its latencies belong to it)
    s = sorted(rs)
    return s[(len(s) - 1) // 2]
med = {t: median_round(rs) for t, rs in rows.items()}
print('| target | requests/s (median) | min - max | p50 | p90 | p99 | vs nginx | errors |')
print('|---|---:|---:|---:|---:|---:|---:|---:|')
for t in order:
    if t not in rows:
        continue
    rps, p50, p90, p99, _ = med[t]
    lo, hi = min(r[0] for r in rows[t]), max(r[0] for r in rows[t])
    ratio = f'{rps / med["nginx"][0]:.3f}' if 'nginx' in med else '-'
    errs = sum(r[4] for r in rows[t])
    print(f'| {labels.get(t, t)} | {rps:,.0f} | {lo:,.0f} - {hi:,.0f} | {p50:.2f} ms | {p90:.2f} ms | '
          f'{p99:.2f} ms | {ratio} | {errs} |')
ratios = [(a, b) for a, b in [('hull-wat', 'hull-c'), ('hull-c', 'hull-js'), ('hull-js', 'jco-serve'),
                              ('hull-c', 'jco-serve-c')]
          if a in med and b in med]
if ratios:
    print()
for a, b in ratios:
    print(f'{a} / {b} requests/s: {med[a][0] / med[b][0]:.1f}x')
skips = [line.rstrip('\n').split('\t', 1) for line in open(sys.argv[3]) if line.strip()]
if skips:
    print()
for t, why in skips:
    print(f'Not measured: {labels.get(t, t)}: {why}')
with open(sys.argv[2], 'w') as f:
    f.write('# target requests/s\n')
    for t in order:
        if t in med:
            f.write(f'"{t}" {med[t][0]:.1f}\n')
EOF
)
echo "$table"

if [ -n "$results_md" ]; then
  mkdir -p "$(dirname "$results_md")"
  cp "$results" "${results_md%.md}.tsv"
  {
    echo "# bench/serve/run.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`$cmdline\`"
    echo "(Hull commit $(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo '?'), $workers hull/nginx workers;" \
      "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $("$nginx_bin" -v 2>&1 | sed 's|.*/|nginx |');" \
      "$(nproc) vCPU $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg) at the end)."
    echo "wrk -t$threads -c$connections -d$duration --latency on 127.0.0.1; wrk shares the machine's cores with the server."
    echo "Raw rows (round, target, requests/s, p50, p90, p99 ms, errors): $(basename "${results_md%.md}.tsv")."
    echo
    echo "$table"
  } > "$results_md"
  log "results: $results_md"
fi

if [ -n "$chart" ]; then
  command -v gnuplot > /dev/null || { echo "gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
  gnuplot <<GP
set terminal pngcairo size 700,400 font ",9" noenhanced
set output "$chart"
set title "hull serve beside nginx: requests/s on loopback (wrk -t$threads -c$connections -d$duration, median of $runs)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set logscale y 10
set yrange [10:*]
set xrange [-0.6:$(($(wc -l < "$out/chart.dat") - 2)).6]
set ylabel "requests/s (log scale)"
unset key
plot "$out/chart.dat" using 0:2:xtic(1) with boxes linecolor rgb "#4477aa", \
     "" using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.8
GP
  log "chart: $chart"
fi
