#!/usr/bin/env bash
# Cold start: whole-process time of a trivial module on Hull and peers, measured with hyperfine.
# Two probes: empty.wasm (no imports; call the export `run`) and hello.wasm (WASI printf).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${HULL_BUILD:-$repo/build}
hull="" wasm3=${WASM3:-} iwasm=${IWASM:-} node=${NODE:-} runs=30
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --hull) hull=$2; shift 2 ;;
    --wasm3) wasm3=$2; shift 2 ;;
    --iwasm) iwasm=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) echo "usage: bench/startup.sh [--build DIR] [--hull P] [--wasm3 P] [--iwasm P] [--node P] [--runs N]"; exit 0 ;;
    *) echo "startup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
hull=${hull:-$build/hull}
w=$build/bench/wasm
command -v hyperfine > /dev/null || { echo "startup.sh: needs hyperfine (scripts/setup.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add "hull empty" "$hull run $w/empty.wasm --invoke run"
[ "$("$hull" run "$w/hello.wasm" 2>/dev/null || true)" = hello ] && add "hull hello" "$hull run $w/hello.wasm"
if [ -n "$wasm3" ]; then
  add "wasm3 empty" "$wasm3 --func run $w/empty.wasm"
  add "wasm3 hello" "$wasm3 $w/hello.wasm"
fi
if [ -n "$iwasm" ]; then
  add "iwasm empty" "$iwasm -f run $w/empty.wasm"
  add "iwasm hello" "$iwasm $w/hello.wasm"
fi
if [ -n "$node" ]; then
  add "node hello" "$node --no-warnings $here/node-run.mjs $w/hello.wasm"
fi

args=()
for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$tmp/r.json" "${args[@]}" \
  > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; exit 1; }
python3 - "$tmp/r.json" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))['results']
print('| probe | wall median ms | wall min ms | user+sys mean ms |')
print('|---|---:|---:|---:|')
for r in res:
    print(f"| {r['command']} | {r['median']*1e3:.2f} | {r['min']*1e3:.2f} | "
          f"{(r['user'] + r['system'])*1e3:.2f} |")
EOF
