#!/usr/bin/env bash
# Host-to-component call cost and component instantiation, Hull beside jco (the component
# transpiled to JS + core wasm, run by node) in one run; prints one markdown table of median
# CPU ns per operation with ratios jco / Hull. See docs/PERFORMANCE.md, "Components".
#
#   bench/component/run.sh [--build DIR] [--jco-dir DIR] [--node PATH] [--runs K]
#                          [--reps N] [--min-time S] [--out DIR] [--chart PNG]
#
# --build     Hull build tree with bench/hull_component_bench (-DHULL_BENCH=ON; default build)
# --jco-dir   npm prefix holding @bytecodealliance/jco@1.35.0; installed there with npm when
#             missing (default /tmp/hull-jco). An empty string skips jco.
# --node      node binary (default: node on PATH)
# --runs K    rounds: both benchmarks are invoked K times, interleaved, and the table gives the
#             median of the K invocation medians (default 3)
# --reps N    repetitions (Google Benchmark) / timed batches (node) per invocation (default 3)
# --min-time  Google Benchmark's --benchmark_min_time per repetition, seconds (default 0.1)
# --out DIR   scratch directory: component binary, jco output, raw results (default
#             /tmp/hull-component-bench); OUT/results.tsv holds (round, runtime, key, ns)
# --chart PNG also draw a chart (gnuplot, bench/ratio_chart.gp): CPU ns per operation, log scale
# Progress goes to stderr, the table to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build
jco_dir=/tmp/hull-jco
jco_version=1.35.0
node=$(command -v node || true)
runs=3
reps=3
min_time=0.1
out=/tmp/hull-component-bench
chart=

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --jco-dir) jco_dir=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --chart) chart=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

log() { echo "[component] $*" >&2; }
bench=$build/bench/hull_component_bench
[ -x "$bench" ] || { echo "missing $bench (ninja -C $build hull_component_bench)" >&2; exit 1; }
mkdir -p "$out"
results=$out/results.tsv
: > "$results"

# ---- jco: transpile the very bytes Hull measures ---------------------------------------------
"$bench" --write-component="$out/calls.wasm"
use_jco=0
if [ -n "$jco_dir" ] && [ -n "$node" ]; then
  jco=$jco_dir/node_modules/.bin/jco
  if [ ! -x "$jco" ]; then
    log "installing @bytecodealliance/jco@$jco_version into $jco_dir"
    mkdir -p "$jco_dir"
    [ -f "$jco_dir/package.json" ] || (cd "$jco_dir" && npm init -y > /dev/null)
    (cd "$jco_dir" && npm install --no-audit --no-fund "@bytecodealliance/jco@$jco_version" >&2)
  fi
  log "jco $("$jco" --version) transpile --instantiation sync"
  rm -rf "$out/jco"
  "$jco" transpile "$out/calls.wasm" -o "$out/jco" --name calls --no-typescript \
    --instantiation sync --quiet >&2
  echo '{"type":"module"}' > "$out/jco/package.json"
  use_jco=1
fi

# ---- rounds ----------------------------------------------------------------------------------
for ((round = 1; round <= runs; round++)); do
  log "round $round/$runs: hull_component_bench"
  nice -n 0 "$bench" --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
    --benchmark_report_aggregates_only=true --benchmark_format=json > "$out/hull.$round.json"
  python3 - "$out/hull.$round.json" "$round" >> "$results" <<'EOF'
import json, sys
scale = {'ns': 1, 'us': 1e3, 'ms': 1e6, 's': 1e9}
bs = json.load(open(sys.argv[1]))['benchmarks']
# The median of the repetitions; with one repetition there is no aggregate: the run itself.
want = 'aggregate' if any(b.get('run_type') == 'aggregate' for b in bs) else 'iteration'
for b in bs:
    if b.get('run_type') == want and (want == 'iteration' or b.get('aggregate_name') == 'median'):
        print(f"{sys.argv[2]}\thull\t{b['run_name']}\t{b['cpu_time'] * scale[b['time_unit']]:.3f}")
EOF
  if [ "$use_jco" = 1 ]; then
    log "round $round/$runs: jco_bench.mjs"
    nice -n 0 "$node" "$here/jco_bench.mjs" "$out/jco" "$reps" |
      awk -v r="$round" -F'\t' '{ print r "\tjco\t" $1 "\t" $2 }' >> "$results"
  fi
done

# ---- table -----------------------------------------------------------------------------------
python3 - "$results" "$out/chart.dat" <<'EOF'
import statistics, sys
from collections import defaultdict
vals = defaultdict(list)
for line in open(sys.argv[1]):
    rnd, rt, key, ns = line.rstrip('\n').split('\t')
    vals[(rt, key)].append(float(ns))
med = {k: statistics.median(v) for k, v in vals.items()}
spread = {k: (min(v), max(v)) for k, v in vals.items()}
rows = [  # label, Hull key, jco key, chart label
    ('component call `add(u32, u32) -> u32`', 'BM_Component_Add', 'call.add', 'add'),
    ('component call `sum(record{u32,u32,u64,f64}) -> f64`', 'BM_Component_SumRecord',
     'call.sum_record', 'sum(record)'),
    ('  the same, argument record built per call', 'BM_Component_SumRecord_BuildArgs',
     'call.sum_record_build', None),
    ('component call `echo(string) -> string`, 8 B', 'BM_Component_Echo/8', 'call.echo.8',
     'echo 8 B'),
    ('component call `echo`, 1 KiB', 'BM_Component_Echo/1024', 'call.echo.1024', 'echo 1 KiB'),
    ('component call `echo`, 64 KiB', 'BM_Component_Echo/65536', 'call.echo.65536',
     'echo 64 KiB'),
    ('component call `add`, typed (`TypedFunc`, direct lift/lower)', 'BM_Component_Add_Typed',
     None, None),
    ('component call `sum(record)`, typed', 'BM_Component_SumRecord_Typed', None, None),
    ('component call `echo`, typed, 8 B', 'BM_Component_Echo_Typed/8', None, None),
    ('component call `echo`, typed, 1 KiB', 'BM_Component_Echo_Typed/1024', None, None),
    ('component call `echo`, typed, 64 KiB', 'BM_Component_Echo_Typed/65536', None, None),
    ('core call `add`, typed (`TypedFunc`; jco column: V8 JS->wasm)', 'BM_Core_Add_Typed',
     'core.add', 'core add'),
    ('core call `add`, dynamic `Func::call(args, results)`', 'BM_Core_Add_Dynamic', None, None),
    ('core call `add`, dynamic, returns `std::vector<Val>`', 'BM_Core_Add_DynamicVector', None,
     None),
    ('`Component::compile` (561-byte component)', 'BM_Component_Compile', None, None),
    ('`Store` create + destroy', 'BM_Store_CreateDestroy', None, None),
    ('`InstancePre::instantiate` into a fresh `Store` (jco: `instantiate()`, core module '
     'precompiled)', 'BM_InstancePre_Instantiate', 'instantiate', 'instantiate'),
    ('`Linker::instantiate` into a fresh `Store`', 'BM_Linker_Instantiate', None, None),
    ('`InstancePre::instantiate` + first `add` call', 'BM_InstancePre_InstantiateAndCall', None,
     None),
]

def fmt(ns):
    if ns >= 1e6: return f'{ns / 1e6:.2f} ms'
    if ns >= 1e4: return f'{ns / 1e3:.1f} µs'
    if ns >= 1e3: return f'{ns / 1e3:.2f} µs'
    return f'{ns:.1f} ns'

def rng(rt, k):
    if not k or (rt, k) not in spread: return '-'
    lo, hi = spread[(rt, k)]
    return f'{fmt(lo)} - {fmt(hi)}'

have_jco = any(rt == 'jco' for rt, _ in vals)
rounds = max((len(v) for v in vals.values()), default=0)
print(f'| operation (CPU time per op; median of {rounds}) | Hull | Hull min - max |' +
      (' jco 1.35 + node | jco min - max | jco / Hull |' if have_jco else ''))
print('|---|---:|---:|' + ('---:|---:|---:|' if have_jco else ''))
chart = ['operation Hull jco']
for label, hk, jk, ck in rows:
    h = med.get(('hull', hk))
    j = med.get(('jco', jk)) if jk else None
    line = f'| {label} | {fmt(h) if h else "-"} | {rng("hull", hk)} |'
    if have_jco:
        line += (f' {fmt(j) if j else "-"} | {rng("jco", jk) if j else "-"} |'
                 f' {f"{j / h:.2f}" if h and j else "-"} |')
    print(line)
    if ck and h:
        chart.append(f'"{ck}" {h:.3f} {f"{j:.3f}" if j else "?"}')
open(sys.argv[2], 'w').write('\n'.join(chart) + '\n')
EOF

if [ -n "$chart" ]; then
  command -v gnuplot > /dev/null || { echo "gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
  gnuplot <<GP
load "$here/../ratio_chart.gp"
set output "$chart"
set title "host-to-component calls and instantiation: CPU ns per operation (log scale)"
set ylabel "ns"
plot for [i=2:3] "$out/chart.dat" using i:xtic(1)
GP
  log "chart: $chart"
fi
log "raw results: $results"
