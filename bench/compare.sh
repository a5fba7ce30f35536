#!/usr/bin/env bash
# Runs the benchmark programs whole-process on Hull, peer runtimes and natively; prints median
# times and ratios, writes CSVs and a gnuplot chart. See docs/PERFORMANCE.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

usage() {
  cat <<EOF
usage: bench/compare.sh [options]

  --build DIR      Hull build directory with bench/ built (default: \$HULL_BUILD or $repo/build)
  --hull PATH      hull binary (default: DIR/hull)
  --hull-native PATH  hull-native binary: adds the column hull-llvm (--tier native)
                   (default: DIR/hull-native when it exists; "none" to skip)
  --hull-baseline  adds the column hull-baseline: hull run --tier baseline (machine code copied
                   from the interpreter's handlers when the module is compiled; x86-64 Linux)
  --hull-aot       adds the column hull-aot: each program compiled first with "hull-native
                   compile X.wasm -o X.hullc" (timed on its own, like wamrc below, NOT in the
                   run times), then X.hullc run by hull-native
  --wasm3 PATH     wasm3 binary (or \$WASM3)
  --iwasm PATH     WAMR iwasm built with the fast interpreter (or \$IWASM)
  --wamrc PATH     WAMR's LLVM AOT compiler (or \$WAMRC); with --iwasm-aot adds the column
                   wamr-aot: each program is first compiled with "wamrc -o X.aot X.wasm"
                   (wamrc defaults: its default opt level, host target), then X.aot is run.
                   The wamrc compile is timed once per program and written to
                   OUT/aot-compile-*.csv and the table's footnote; it is NOT in the wamr-aot
                   run time column
  --iwasm-aot PATH WAMR iwasm built with AOT support and WASI (or \$IWASM_AOT)
  --node PATH      node binary (or \$NODE); runs V8 twice: Liftoff only and default tiers
  --runs N         runs per program and runtime; the median is reported (default 3)
  --scale PCT      workload size in percent; 100 = 1-3 s natively (default 100)
  --programs LIST  space/comma separated subset (default: all)
  --mode MODE      start: run _start (WASI) everywhere; run: call the export run(scale) of
                   the WASI-free *.run.wasm everywhere; auto (default): start if Hull runs
                   WASI commands, else run
  --metric M       cpu (user+sys, default: robust on a loaded machine) or wall
  --out DIR        where CSVs go (default: DIR/bench/results)
  --chart PNG      chart path (default: $repo/docs/perf-compare.png; "none" to skip)
  --timeout S      per-run time limit in seconds (default 600)
  --from-raw CSV   do not run anything: print the table and chart of an earlier raw CSV

Peers not given are skipped. A runtime whose checksum differs from native is reported as ERR.
EOF
}

build=${HULL_BUILD:-$repo/build}
hull=""
hull_native=""
hull_baseline=false
wasm3=${WASM3:-}
iwasm=${IWASM:-}
hull_aot=false
wamrc=${WAMRC:-}
iwasm_aot=${IWASM_AOT:-}
node=${NODE:-}
runs=3
scale=100
programs="fib sieve matmul sha256 nbody quicksort vm hashmap memops simd"
mode=auto
metric=cpu
out=""
chart="$repo/docs/perf-compare.png"
timeout_s=600
from_raw=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --hull) hull=$2; shift 2 ;;
    --hull-native) hull_native=$2; shift 2 ;;
    --hull-baseline) hull_baseline=true; shift ;;
    --wasm3) wasm3=$2; shift 2 ;;
    --iwasm) iwasm=$2; shift 2 ;;
    --wamrc) wamrc=$2; shift 2 ;;
    --iwasm-aot) iwasm_aot=$2; shift 2 ;;
    --hull-aot) hull_aot=true; shift ;;
    --node) node=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --programs) programs=${2//,/ }; shift 2 ;;
    --mode) mode=$2; shift 2 ;;
    --metric) metric=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --chart) chart=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --from-raw) from_raw=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
hull=${hull:-$build/hull}
if [ -z "$hull_native" ] && [ -x "$build/hull-native" ]; then hull_native=$build/hull-native; fi
[ "$hull_native" = none ] && hull_native=""
wasm_dir=$build/bench/wasm
native_dir=$build/bench/native
out=${out:-$build/bench/results}
mkdir -p "$out"
[ -n "$from_raw" ] || [ -x "$hull" ] || { echo "compare.sh: no hull binary at $hull" >&2; exit 1; }
[ -n "$from_raw" ] || [ -d "$wasm_dir" ] || { echo "compare.sh: $wasm_dir missing (build target hull_bench_wasm)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "compare.sh: needs GNU time (/usr/bin/time)" >&2; exit 1; }
case "$metric" in cpu|wall) ;; *) echo "compare.sh: --metric cpu|wall" >&2; exit 2 ;; esac

# Does Hull run WASI commands yet? Then everything runs _start.
if [ "$mode" = auto ]; then
  if [ "$(timeout 20 "$hull" run "$wasm_dir/hello.wasm" 2>/dev/null)" = hello ]; then
    mode=start
  else
    mode=run
  fi
fi
case "$mode" in start|run) ;; *) echo "compare.sh: --mode start|run|auto" >&2; exit 2 ;; esac

# Runtimes in column order; each has a command prefix built by cmd_for.
runtimes=(native hull)
$hull_baseline && runtimes+=(hull-baseline)
[ -n "$hull_native" ] && runtimes+=(hull-llvm)
if $hull_aot; then
  if [ -n "$hull_native" ]; then runtimes+=(hull-aot); else echo "compare.sh: --hull-aot needs hull-native; skipping it" >&2; fi
fi
[ -n "$wasm3" ] && runtimes+=(wasm3)
[ -n "$iwasm" ] && runtimes+=(iwasm)
if [ -n "$wamrc" ] && [ -n "$iwasm_aot" ]; then
  runtimes+=(wamr-aot)
elif [ -n "$wamrc$iwasm_aot" ]; then
  echo "compare.sh: wamr-aot needs both --wamrc and --iwasm-aot; skipping it" >&2
fi
[ -n "$node" ] && runtimes+=(v8-liftoff v8)
node_run="$here/node-run.mjs"
aot_dir=""  # where wamrc writes the .aot files (set below, under the temp dir)

# Prints the command (one word per line) running program $2 on runtime $1.
cmd_for() {
  local rt=$1 p=$2
  local cmdf=$wasm_dir/$p.wasm runf=$wasm_dir/$p.run.wasm
  if [ "$rt" = native ]; then printf '%s\n' "$native_dir/$p" "$scale"; return; fi
  if [ "$mode" = start ]; then
    case "$rt" in
      hull) printf '%s\n' "$hull" run "$cmdf" "$scale" ;;
      hull-baseline) printf '%s\n' "$hull" run --tier baseline "$cmdf" "$scale" ;;
      hull-llvm) printf '%s\n' "$hull_native" run --tier native "$cmdf" "$scale" ;;
      wasm3) printf '%s\n' "$wasm3" "$cmdf" "$scale" ;;
      iwasm) printf '%s\n' "$iwasm" "$cmdf" "$scale" ;;
      wamr-aot) printf '%s\n' "$iwasm_aot" "$aot_dir/$p.aot" "$scale" ;;
      hull-aot) printf '%s\n' "$hull_native" run "$aot_dir/$p.hullc" "$scale" ;;
      v8-liftoff) printf '%s\n' "$node" --no-warnings --liftoff --no-wasm-tier-up "$node_run" "$cmdf" "$scale" ;;
      v8) printf '%s\n' "$node" --no-warnings "$node_run" "$cmdf" "$scale" ;;
    esac
  else
    case "$rt" in
      hull) printf '%s\n' "$hull" run "$runf" --invoke run "$scale" ;;
      hull-baseline) printf '%s\n' "$hull" run --tier baseline "$runf" --invoke run "$scale" ;;
      hull-llvm) printf '%s\n' "$hull_native" run --tier native "$runf" --invoke run "$scale" ;;
      wasm3) printf '%s\n' "$wasm3" --func run "$runf" "$scale" ;;
      iwasm) printf '%s\n' "$iwasm" -f run "$runf" "$scale" ;;
      wamr-aot) printf '%s\n' "$iwasm_aot" -f run "$aot_dir/$p.run.aot" "$scale" ;;
      hull-aot) printf '%s\n' "$hull_native" run "$aot_dir/$p.run.hullc" --invoke run "$scale" ;;
      v8-liftoff) printf '%s\n' "$node" --no-warnings --liftoff --no-wasm-tier-up "$node_run" --invoke run "$runf" "$scale" ;;
      v8) printf '%s\n' "$node" --no-warnings "$node_run" --invoke run "$runf" "$scale" ;;
    esac
  fi
}

# The checksum in a runtime's output ($1 = stdout, $2 = stderr): "N", "Result: N" (wasm3, on
# stderr) or "0xHEX:i32" (iwasm).
checksum_of() {
  local line
  line=$(grep -v '^\s*$' "$1" | tail -n 1 || true)
  [ -n "$line" ] || line=$(grep '^Result: ' "$2" | tail -n 1 || true)
  if [[ $line =~ 0x([0-9a-fA-F]+):i32 ]]; then
    echo $((16#${BASH_REMATCH[1]}))
  elif [[ $line =~ (-?[0-9]+)[^0-9]*$ ]]; then
    echo "${BASH_REMATCH[1]}"
  else
    echo "?"
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$from_raw" ]; then
  # Summarize an earlier run again: runtimes in the order they appear in the CSV.
  raw=$from_raw
  summary=$(dirname "$raw")/summary-$(basename "$raw" | sed 's/^raw-//')
  aot_csv=$(dirname "$raw")/aot-compile-$(basename "$raw" | sed 's/^raw-//')
  mapfile -t runtimes < <(awk -F, 'NR > 1 && !seen[$2]++ { print $2 }' "$raw")
  runs=$(awk -F, 'NR > 1 && $3 > n { n = $3 } END { print n + 0 }' "$raw")
else
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  raw=$out/raw-$stamp.csv
  summary=$out/summary-$stamp.csv
  aot_csv=$out/aot-compile-$stamp.csv
  echo "program,runtime,run,wall_s,cpu_s,status" > "$raw"
  aot_dir=$tmp/aot
  if [[ " ${runtimes[*]} " == *" wamr-aot "* || " ${runtimes[*]} " == *" hull-aot "* ]]; then
    mkdir -p "$aot_dir"
    echo "program,compiler,wall_s,cpu_s,status" > "$aot_csv"
  fi
  tty=false
  [ -t 2 ] && tty=true
  total=0
  for p in $programs; do total=$((total + ${#runtimes[@]} * runs)); done
  done_n=0

  echo "compare: mode=$mode scale=$scale runs=$runs metric=$metric runtimes=${runtimes[*]}" >&2
  for p in $programs; do
    expected=""
    for rt in "${runtimes[@]}"; do
      if [ "$rt" = wamr-aot ] || [ "$rt" = hull-aot ]; then
        # Ahead-of-time compile, timed on its own: not part of the AOT columns' run times.
        src=$wasm_dir/$p.wasm
        [ "$mode" = run ] && src=$wasm_dir/$p.run.wasm
        if [ "$rt" = wamr-aot ]; then
          compiler=wamrc aot=$aot_dir/$(basename "$src" .wasm).aot
          compile=("$wamrc" -o "$aot" "$src")
        else
          compiler=hull-native aot=$aot_dir/$(basename "$src" .wasm).hullc
          compile=("$hull_native" compile "$src" -o "$aot")
        fi
        $tty && printf '\r\033[K[%d/%d] %s: %s compile' "$done_n" "$total" "$p" "$compiler" >&2
        status=ok
        if ! timeout "$timeout_s" /usr/bin/time -f '%e %U %S' -o "$tmp/time" \
            "${compile[@]}" > "$tmp/out" 2> "$tmp/err" || [ ! -s "$aot" ]; then
          status=fail
        fi
        read -r wall user sys < <(tail -n 1 "$tmp/time" 2>/dev/null || echo "0 0 0")
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
        echo "$p,$compiler,$wall,$cpu,$status" >> "$aot_csv"
        if [ "$status" != ok ]; then
          $tty && printf '\n' >&2
          echo "compare: $p: $compiler failed: $(cat "$tmp/out" "$tmp/err" | head -c 200 | tr '\n' ' ')" >&2
          echo "$p,$rt,1,0,0,fail" >> "$raw"
          done_n=$((done_n + runs))
          continue
        fi
      fi
      mapfile -t cmd < <(cmd_for "$rt" "$p")
      for ((i = 1; i <= runs; i++)); do
        done_n=$((done_n + 1))
        if $tty; then printf '\r\033[K[%d/%d] %s on %s, run %d' "$done_n" "$total" "$p" "$rt" "$i" >&2; fi
        status=ok
        if ! timeout "$timeout_s" /usr/bin/time -f '%e %U %S' -o "$tmp/time" "${cmd[@]}" \
            > "$tmp/out" 2> "$tmp/err"; then
          status=fail
        fi
        sum=$(checksum_of "$tmp/out" "$tmp/err")
        if [ "$rt" = native ] && [ "$status" = ok ]; then expected=$sum; fi
        if [ "$status" = ok ] && [ "$sum" != "$expected" ]; then status=mismatch; fi
        read -r wall user sys < <(tail -n 1 "$tmp/time" 2>/dev/null || echo "0 0 0")
        cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
        echo "$p,$rt,$i,$wall,$cpu,$status" >> "$raw"
        if [ "$status" != ok ]; then
          $tty && printf '\n' >&2
          echo "compare: $p on $rt: $status (checksum '$sum', native '$expected'): $(head -c 200 "$tmp/err" | tr '\n' ' ')" >&2
          break  # a failing runtime fails every run; do not wait for it N times
        fi
      done
    done
  done
  $tty && printf '\r\033[K' >&2
fi

# Medians, ratios, geometric means; table on stdout, summary CSV and gnuplot data beside it.
python3 - "$raw" "$summary" "$metric" "$tmp/chart.dat" "$aot_csv" "${runtimes[@]}" <<'EOF'
import csv, math, os, statistics, sys
raw, summary, metric, chart_dat, aot_csv, *rts = sys.argv[1:]
col = 'cpu_s' if metric == 'cpu' else 'wall_s'
times, bad, progs = {}, set(), []
for r in csv.DictReader(open(raw)):
    key = (r['program'], r['runtime'])
    if r['program'] not in progs: progs.append(r['program'])
    if r['status'] != 'ok': bad.add(key); continue
    times.setdefault(key, []).append(float(r[col]))
med = {k: statistics.median(v) for k, v in times.items() if k not in bad and v}
def ratio(p, rt, base):
    a, b = med.get((p, rt)), med.get((p, base))
    return a / b if a is not None and b and b > 0 else None
def fmt(x, d=3): return '-' if x is None else f'{x:.{d}f}'
def geo(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None
wasm = [rt for rt in rts if rt != 'native']
has_w3 = 'wasm3' in rts
hdr = ['program'] + [f'{rt} s' for rt in rts]
if has_w3: hdr += [f'{rt}/wasm3' for rt in wasm if rt != 'wasm3']
hdr += [f'{rt}/native' for rt in wasm]
rows = []
for p in progs:
    row = [p] + [fmt(med.get((p, rt))) if (p, rt) not in bad else 'ERR' for rt in rts]
    if has_w3: row += [fmt(ratio(p, rt, 'wasm3'), 2) for rt in wasm if rt != 'wasm3']
    row += [fmt(ratio(p, rt, 'native'), 2) for rt in wasm]
    rows.append(row)
geo_row = ['geomean'] + ['' for _ in rts]
if has_w3: geo_row += [fmt(geo([ratio(p, rt, 'wasm3') for p in progs]), 2) for rt in wasm if rt != 'wasm3']
geo_row += [fmt(geo([ratio(p, rt, 'native') for p in progs]), 2) for rt in wasm]
rows.append(geo_row)
print(f'medians of {metric} time in seconds; ratios < 1 mean faster than the reference; '
      'geomean over programs where both ran')
print('| ' + ' | '.join(hdr) + ' |')
print('|' + '|'.join(['---'] + ['---:'] * (len(hdr) - 1)) + '|')
for row in rows: print('| ' + ' | '.join(row) + ' |')
for rt, compiler, what in (('wamr-aot', 'wamrc', 'iwasm running the output of wamrc (default options)'),
                           ('hull-aot', 'hull-native', 'hull-native running the .hullc of hull-native compile')):
    if rt not in rts:
        continue
    comp = {}
    if os.path.exists(aot_csv):
        for r in csv.DictReader(open(aot_csv)):
            if r['compiler'] == compiler:
                comp[r['program']] = f"{float(r[col]):.2f} s" if r['status'] == 'ok' else 'failed'
    print(f'\n{rt}: {what}; its column EXCLUDES the ahead-of-time compile, which took '
          f'({metric} time): ' + (', '.join(f'{p} {comp[p]}' for p in progs if p in comp) or 'not recorded'))
with open(summary, 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['program', 'runtime', f'median_{metric}_s', 'ratio_wasm3', 'ratio_native', 'status'])
    for p in progs:
        for rt in rts:
            st = 'ERR' if (p, rt) in bad else 'ok'
            w.writerow([p, rt, fmt(med.get((p, rt))), fmt(ratio(p, rt, 'wasm3')),
                        fmt(ratio(p, rt, 'native')), st])
with open(chart_dat, 'w') as f:
    f.write('program ' + ' '.join(wasm) + '\n')
    for p in progs:
        f.write(p + ' ' + ' '.join(fmt(ratio(p, rt, 'native')).replace('-', '?') for rt in wasm) + '\n')
EOF
echo "raw runs: $raw" >&2
echo "summary:  $summary" >&2

if [ "$chart" != none ] && command -v gnuplot > /dev/null; then
  ncols=$(head -n 1 "$tmp/chart.dat" | wc -w)
  gnuplot <<EOF
load "$here/ratio_chart.gp"
set output "$chart"
set title "time / native (log scale, lower is better; $metric time, scale $scale%, median of $runs)"
set yrange [0.5:*]
plot for [i=2:$ncols] "$tmp/chart.dat" using i:xtic(1)
EOF
  echo "chart:    $chart" >&2
fi
