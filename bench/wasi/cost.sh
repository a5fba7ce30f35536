#!/usr/bin/env bash
# WASI 0.2 costs (docs/PERFORMANCE.md, "WASI 0.2"): the same hello program as a preview 1 core
# module and as a component (wrapped by jco's preview 1 adapter), whole process under
# `hull run` (CPU ms from perf stat, peak RSS); and in process, compile / pre-link /
# instantiate / first call of that component and of a ~12 MB componentize-js component.
#
# usage: bench/wasi/cost.sh [--build DIR] [--runs N]     (after `make bench`)
# Needs node/npm (scripts/npm-tools.sh installs jco and componentize-js into build/npm-tools).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build runs=30
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2;;
    --runs) runs=$2; shift 2;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0;;
    *) echo "cost.sh: unknown option $1" >&2; exit 2;;
  esac
done
hull=$build/hull probe=$build/bench/hull_component_startup
for f in "$hull" "$probe"; do
  [ -x "$f" ] || { echo "cost.sh: $f missing (make bench)" >&2; exit 1; }
done
tools=$repo/build/npm-tools
bash "$repo/scripts/npm-tools.sh" --prefix "$tools" jco componentize-js
jco=$tools/node_modules/.bin/jco
work=$build/bench/wasi-cost
mkdir -p "$work"

# The hello program, as a core module and as a component.
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' > "$work/hello.c"
clang-19 --target=wasm32-wasi -O2 "$work/hello.c" -o "$work/hello.wasm"
clang-19 --target=wasm32-wasi -O2 "$work/hello.c" "$repo/tests/programs/cabi_realloc.c" \
  -o "$work/hello.p2.wasm"
"$jco" new "$work/hello.p2.wasm" --wasi-command -o "$work/hello.component.wasm" > /dev/null

# A JavaScript command built with componentize-js (~12 MB; tests/wasi/js/cli.js).
js=$work/js
bash "$repo/scripts/build-js-component.sh" "$tools" "$repo/tests/wasi/js/cli.js" \
  'export wasi:cli/run@0.2.10;' "$js/cli.component.wasm"

cpu_ms() {  # cpu_ms CMD...: median-free mean CPU ms over $runs runs (perf stat task-clock)
  perf stat -r "$runs" -x, -e task-clock "$@" 2>&1 > /dev/null | awk -F, '/task-clock/ { printf "%.2f", $1 }'
}
peak_rss_kb() {  # peak_rss_kb CMD...: the child's peak RSS in KiB
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}

echo "== whole process (CPU ms = perf stat task-clock mean of $runs; peak RSS)"
printf '%-40s %10s %14s\n' probe "CPU ms" "peak RSS KiB"
for row in "hull run hello.wasm|$hull run $work/hello.wasm" \
             "hull run hello.component.wasm|$hull run $work/hello.component.wasm" \
             "hull run cli.component.wasm (JS)|$hull run $js/cli.component.wasm"; do
  name=${row%%|*} cmd=${row#*|}
  if ! $cmd > /dev/null 2>&1; then printf '%-40s %10s\n' "$name" "fails: $($cmd 2>&1 | head -1)"; continue; fi
  printf '%-40s %10s %14s\n' "$name" "$(cpu_ms $cmd)" "$(peak_rss_kb $cmd)"
done
# The peer: jco run (Node + preview2-shim), the same components; fewer runs (it is slow).
for row in "jco run hello.component.wasm|$jco run $work/hello.component.wasm" \
           "jco run cli.component.wasm (JS)|$jco run $js/cli.component.wasm"; do
  name=${row%%|*} cmd=${row#*|}
  saved=$runs runs=5
  printf '%-40s %10s %14s\n' "$name" "$(cpu_ms $cmd)" "$(peak_rss_kb $cmd)"
  runs=$saved
done
echo
echo "== in process: hello.component.wasm"
"$probe" "$work/hello.component.wasm" 20
echo
echo "== in process: cli.component.wasm (componentize-js, $(stat -c %s "$js/cli.component.wasm") bytes)"
"$probe" "$js/cli.component.wasm" 5 || true
