#!/usr/bin/env bash
# Builds and runs the in-process peer micro benchmarks (compile, instantiate, host->guest and
# guest->host call overhead) for Hull, WAMR, wasm3 and V8 (node) in one run, and prints one
# markdown table of median CPU time per operation with ratios to Hull's wasm.h.
#
#   bench/peers/run.sh [--hull-build DIR] [--wamr DIR] [--wamr-lib FILE] [--wasm3 DIR]
#                      [--wasm3-lib FILE] [--node PATH] [--reps N] [--runs K] [--out DIR]
#                      [--no-hull-cxx]
#
# --hull-build  Hull build tree configured with -DHULL_BENCH=ON (default /tmp/build-peers); needs
#               lib/libhull.a and bench/wasm/sha256.run.wasm (targets hull_static,
#               hull_bench_wasm); bench/hull_api_bench and bench/hull_micro_bench (Google
#               Benchmark) give the "Hull C++" column unless --no-hull-cxx.
# --wamr        WAMR source tree (default /tmp/peers/wamr), for core/iwasm/include/wasm_c_api.h.
# --wamr-lib    WAMR runtime library (default WAMR/build/libiwasm.a, the iwasm build's vmlib).
# --wasm3       wasm3 source tree (default /tmp/peers/wasm3), for source/wasm3.h.
# --wasm3-lib   wasm3 library (default WASM3/build/source/libm3.a).
# --node        node binary (default: node on PATH). Empty string skips V8.
# --reps N      timed batches per measurement; each invocation reports their median (default 5).
# --runs K      rounds: every benchmark binary is invoked K times, interleaved round by round, and
#               the table shows the median of the K invocation medians (default 3).
# --out DIR     scratch directory for binaries, modules and raw results (default
#               /tmp/hull-peer-bench).
# Peers missing on disk are skipped. Progress goes to stderr, the table to stdout; the raw
# results (round, runtime, key, ns) are kept in OUT/results.tsv.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hull_build=/tmp/build-peers
wamr=/tmp/peers/wamr
wamr_lib=
wasm3=/tmp/peers/wasm3
wasm3_lib=
node=$(command -v node || true)
reps=5
runs=3
out=/tmp/hull-peer-bench
hull_cxx=1
cc=${CC:-clang-19}
cxx=${CXX:-clang++-19}

while [ $# -gt 0 ]; do
  case "$1" in
    --hull-build) hull_build=$2; shift 2 ;;
    --wamr) wamr=$2; shift 2 ;;
    --wamr-lib) wamr_lib=$2; shift 2 ;;
    --wasm3) wasm3=$2; shift 2 ;;
    --wasm3-lib) wasm3_lib=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-hull-cxx) hull_cxx=0; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
wamr_lib=${wamr_lib:-$wamr/build/libiwasm.a}
wasm3_lib=${wasm3_lib:-$wasm3/build/source/libm3.a}

log() { echo "[peers] $*" >&2; }
mkdir -p "$out/mods"
results=$out/results.tsv
: > "$results"
cflags=(-O2 -Wall -Wextra -I"$here")
# Measurements run at lower priority: the machine is shared.
run() { nice -n 5 "$@"; }

# ---- modules ---------------------------------------------------------------------------------
log "generating modules in $out/mods"
"$cxx" -std=c++20 -O2 -I"$here/../micro" "$here/gen_modules.cc" "$here/../micro/module_gen.cc" \
  -o "$out/gen_modules"
"$out/gen_modules" "$out/mods"
sha=$hull_build/bench/wasm/sha256.run.wasm
[ -f "$sha" ] || { echo "missing $sha (build target hull_bench_wasm)" >&2; exit 1; }
cp "$sha" "$out/mods/"

# ---- build -----------------------------------------------------------------------------------
# Each entry of `benches` is "LABEL|command...": one benchmark invocation per round.
benches=()
libhull=$hull_build/lib/libhull.a
if [ -f "$libhull" ]; then
  log "building capi_bench against $libhull"
  "$cc" "${cflags[@]}" -I"$here/../../include" -c "$here/capi_bench.c" -o "$out/capi_hull.o"
  "$cxx" "$out/capi_hull.o" "$libhull" -lm -lpthread -o "$out/capi_bench_hull"
  benches+=("hull-c|$out/capi_bench_hull")
else
  log "no $libhull: skipping Hull wasm.h (build target hull_static)"
fi
if [ -f "$wamr_lib" ] && [ -f "$wamr/core/iwasm/include/wasm_c_api.h" ]; then
  log "building capi_bench and wamr_native_bench against $wamr_lib"
  "$cc" "${cflags[@]}" -DBENCH_WAMR -I"$wamr/core/iwasm/include" "$here/capi_bench.c" \
    "$wamr_lib" -lm -ldl -lpthread -o "$out/capi_bench_wamr"
  "$cc" "${cflags[@]}" -I"$wamr/core/iwasm/include" "$here/wamr_native_bench.c" "$wamr_lib" \
    -lm -ldl -lpthread -o "$out/wamr_native_bench"
  benches+=("wamr-c|$out/capi_bench_wamr" "wamr-native|$out/wamr_native_bench")
else
  log "no WAMR at $wamr_lib: skipped"
fi
if [ -f "$wasm3_lib" ] && [ -f "$wasm3/source/wasm3.h" ]; then
  log "building wasm3_bench against $wasm3_lib"
  "$cc" "${cflags[@]}" -I"$wasm3/source" "$here/wasm3_bench.c" "$wasm3_lib" -lm \
    -o "$out/wasm3_bench"
  benches+=("wasm3|$out/wasm3_bench")
else
  log "no wasm3 at $wasm3_lib: skipped"
fi
if [ -n "$node" ] && [ -x "$node" ]; then
  log "V8: node $("$node" --version)"
  # Default flags (lazy compilation, Liftoff then dynamic tier-up) and eager Liftoff.
  eager="--no-wasm-lazy-compilation --liftoff --no-wasm-tier-up"
  benches+=("v8|$node $here/v8_bench.mjs" "v8-eager|$node $eager $here/v8_bench.mjs")
else
  log "no node: V8 skipped"
fi

# ---- run: K rounds, every benchmark once per round ---------------------------------------------
gb_args=(--benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true
         --benchmark_min_time=0.2 --benchmark_format=json)
rm -f "$out"/hull_api_bench.*.json "$out"/hull_micro_bench.*.json
for ((round = 1; round <= runs; ++round)); do
  for b in "${benches[@]}"; do
    label=${b%%|*}
    read -r -a cmd <<< "${b#*|}"
    log "round $round/$runs: $label"
    run "${cmd[@]}" "$label" "$out/mods" "$reps" | sed "s/^/$round\t/" >> "$results"
  done
  # Hull's C++ API and engine: the Google Benchmark binaries of the same build.
  if [ "$hull_cxx" = 1 ] && [ -x "$hull_build/bench/hull_api_bench" ]; then
    log "round $round/$runs: hull_api_bench (C++ API)"
    run "$hull_build/bench/hull_api_bench" "${gb_args[@]}" \
      --benchmark_filter='BM_Cpp_(Typed_Empty|Typed_Add|GuestToHost|GuestToGuest)$' \
      > "$out/hull_api_bench.$round.json"
  fi
  if [ "$hull_cxx" = 1 ] && [ -x "$hull_build/bench/hull_micro_bench" ]; then
    log "round $round/$runs: hull_micro_bench (engine compile / instantiate)"
    run "$hull_build/bench/hull_micro_bench" "${gb_args[@]}" \
      --benchmark_filter='BM_(Compile|Instantiate)/' > "$out/hull_micro_bench.$round.json"
  fi
done

# ---- table -----------------------------------------------------------------------------------
python3 - "$out" "$results" <<'EOF'
import glob, json, os, statistics, sys

out, results = sys.argv[1], sys.argv[2]
runs = {}  # runtime -> key -> [median of each invocation]
for line in open(results):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 4:
        runs.setdefault(parts[1], {}).setdefault(parts[2], []).append(float(parts[3]))

# Google Benchmark medians (JSON) -> the same keys, label "hull-cxx".
unit_ns = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
gb_keys = {
    "BM_Cpp_Typed_Empty": "call.empty", "BM_Cpp_Typed_Add": "call.add",
    "BM_Cpp_GuestToHost": "g2h.host", "BM_Cpp_GuestToGuest": "g2h.guest",
    "BM_Compile/1": "compile.large1", "BM_Compile/10": "compile.large10",
    "BM_Instantiate/1": "inst.large1", "BM_Instantiate/10": "inst.large10",
}
for path in sorted(glob.glob(os.path.join(out, "hull_*_bench.*.json"))):
    if os.path.getsize(path) == 0:
        continue
    for b in json.load(open(path)).get("benchmarks", []):
        if b.get("aggregate_name") != "median":
            continue
        key = gb_keys.get(b["run_name"])
        if not key:
            continue
        if key.startswith("g2h."):
            ns = 1e9 / b["items_per_second"]
        else:
            ns = b["cpu_time"] * unit_ns[b["time_unit"]]
        runs.setdefault("hull-cxx", {}).setdefault(key, []).append(ns)
data = {rt: {k: statistics.median(v) for k, v in keys.items()} for rt, keys in runs.items()}
# Spread of the invocation medians, for the log.
for rt, keys in runs.items():
    for k, v in keys.items():
        if len(v) > 1:
            print(f"[peers] spread {rt:12} {k:22} " + " ".join(f"{x:.1f}" for x in v),
                  file=sys.stderr)

cols = [("hull-cxx", "Hull C++ API"), ("hull-c", "Hull wasm.h"), ("wamr-c", "WAMR wasm.h"),
        ("wamr-native", "WAMR wasm_export.h"),
        ("wasm3", "wasm3 m3 API"), ("v8", "V8 JS (default)"), ("v8-eager", "V8 JS (eager Liftoff)")]
cols = [c for c in cols if c[0] in data]
sizes = {}
for m, f in (("sha256", "sha256.run.wasm"), ("large1", "large1.wasm"), ("large10", "large10.wasm")):
    p = os.path.join(out, "mods", f)
    sizes[m] = os.path.getsize(p) if os.path.exists(p) else 0
def mod(m):
    s = sizes[m]
    size = f"{s / 1e6:.1f} MB" if s >= 1e6 else f"{s / 1e3:.1f} kB"
    names = {"sha256": "sha256.run.wasm", "large1": "1 MiB module", "large10": "10 MiB module"}
    return f"{names[m]} ({size})"
rows = []
for what, prefix in (("compile", "compile"), ("instantiate", "inst"),
                     ("instantiate + export list", "inst_exports")):
    for m in ("sha256", "large1", "large10"):
        rows.append((f"{what}, {mod(m)}", f"{prefix}.{m}"))
rows += [("host→guest call, empty `() -> ()`", "call.empty"),
         ("host→guest call, `add(i32, i32) -> i32`", "call.add"),
         ("guest→host call of an empty import (per call, in a wasm loop)", "g2h.host"),
         ("guest→guest call of an empty function (same loop; baseline)", "g2h.guest")]

def fmt(ns):
    if ns >= 1e6: return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3: return f"{ns / 1e3:.1f} µs"
    return f"{ns:.1f} ns"

print("| operation (CPU time per op, median) | " + " | ".join(c[1] for c in cols) + " |")
print("|---|" + "---:|" * len(cols))
for label, key in rows:
    base = data.get("hull-c", {}).get(key)
    cells = []
    for c, _ in cols:
        v = data[c].get(key)
        if v is None:
            cells.append("-")
        elif base and c != "hull-c":
            cells.append(f"{fmt(v)} ({v / base:.2f}×)")
        else:
            cells.append(fmt(v))
    print(f"| {label} | " + " | ".join(cells) + " |")
print()
print("(×) = time / Hull wasm.h time: above 1 means Hull's wasm.h is faster.")
EOF
