#!/usr/bin/env bash
# Draws the peer micro benchmarks as a chart: per operation, each runtime's median CPU time
# divided by Hull wasm.h's (log scale; above 1: Hull is faster). Input: the results.tsv that
# bench/peers/run.sh leaves in its --out directory (round, runtime, key, ns).
#   bench/peers/chart.sh RESULTS.tsv OUT.png
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tsv=${1:?usage: chart.sh RESULTS.tsv OUT.png}
png=${2:?usage: chart.sh RESULTS.tsv OUT.png}
command -v gnuplot > /dev/null || { echo "chart.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Median over rounds per (runtime, key), then one row per operation with the ratio to hull-c.
awk -F'\t' '
  { v[$2 SUBSEP $3] = v[$2 SUBSEP $3] " " $4; rt[$2] = 1 }
  function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  END {
    split("compile.sha256 compile.large1 compile.large10 inst.sha256 inst.large1 inst.large10 call.empty call.add g2h.host g2h.guest", keys, " ")
    split("wamr-c wamr-native wasm3 v8 v8-eager", order, " ")
    names["wamr-c"] = "WAMR_wasm.h"; names["wamr-native"] = "WAMR_native"; names["wasm3"] = "wasm3"
    names["v8"] = "V8_JS"; names["v8-eager"] = "V8_JS_eager"
    line = "operation"
    for (r = 1; r <= 5; r++) if (order[r] in rt) line = line " " names[order[r]]
    print line
    for (k = 1; k <= 10; k++) {
      if (!(("hull-c" SUBSEP keys[k]) in v)) continue
      base = median(v["hull-c" SUBSEP keys[k]])
      line = keys[k]
      for (r = 1; r <= 5; r++) {
        if (!(order[r] in rt)) continue
        c = order[r] SUBSEP keys[k]
        line = line " " ((c in v) ? sprintf("%.3f", median(v[c]) / base) : "?")
      }
      print line
    }
  }' "$tsv" > "$tmp/chart.dat"
ncols=$(head -n 1 "$tmp/chart.dat" | wc -w)
gnuplot <<GP
load "$here/../ratio_chart.gp"
set output "$png"
set title "peer time / Hull wasm.h time, in-process micro benchmarks (log scale; above 1: Hull is faster)"
set yrange [0.0625:*]
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2
plot for [i=2:$ncols] "$tmp/chart.dat" using i:xtic(1)
GP
echo "chart: $png" >&2
