#!/usr/bin/env bash
# Builds the real guests of world `demo` for the bindgen tests, into OUT (kept there: a guest is
# rebuilt only when its source, the WIT or this script is newer than it):
#   OUT/demo_c.component.wasm   demo_guest.c: clang --target=wasm32 (no libc), then
#                               `jco embed` (the world's component-type section) + `jco new`
#   OUT/demo_js.component.wasm  demo_guest.js: componentize-js 0.23.0, http disabled (--js)
# usage: build.sh OUT NPM_PREFIX CLANG [--js]
# NPM_PREFIX holds jco (and componentize-js) from scripts/npm-tools.sh. componentize-js needs the
# two workarounds of /work/shared/docs/TOOLCHAIN.md (b): a preload giving its wasm guests the
# filesystem, and WASI WIT at 0.2.10 (the version its engine is built against) in deps/.
set -euo pipefail
out=${1:?usage: build.sh OUT NPM_PREFIX CLANG [--js]}
npm=${2:?}
clang=${3:?}
js=${4:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
wit=$here/../demo.wit
mkdir -p "$out"
out=$(cd "$out" && pwd)
jco=$(readlink -f "$npm/node_modules/.bin/jco")
preload=$out/preopen-root.mjs
cat > "$preload" <<'JS'
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';
_setPreopens({ '/': '/' });
JS
# node resolves the preload's import from the npm prefix.
cp "$preload" "$npm/.hull-preopen-root.mjs"
run_node() { (cd "$npm" && node --import ./.hull-preopen-root.mjs "$@"); }

stale() {  # stale TARGET SOURCES...: whether TARGET is missing or older than a source
  local t=$1
  shift
  [ -f "$t" ] || return 0
  for s in "$@"; do [ "$s" -nt "$t" ] && return 0; done
  return 1
}

c=$out/demo_c.component.wasm
if stale "$c" "$here/demo_guest.c" "$wit" "$here/build.sh"; then
  "$clang" --target=wasm32 -O2 -nostdlib -Wall -Wextra -Werror -Wl,--no-entry \
    -Wl,--export-memory=cm32p2_memory -o "$out/demo_c.core.wasm" "$here/demo_guest.c"
  run_node "$jco" embed --wit "$wit" -n demo -o "$out/demo_c.embedded.wasm" "$out/demo_c.core.wasm"
  run_node "$jco" new "$out/demo_c.embedded.wasm" -o "$c.tmp"
  mv "$c.tmp" "$c"
fi

if [ "$js" = --js ]; then
  j=$out/demo_js.component.wasm
  if stale "$j" "$here/demo_guest.js" "$wit" "$here/build.sh"; then
    w=$out/js-wit
    rm -rf "$w"
    mkdir -p "$w/deps"
    builtin=$npm/node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12
    for p in cli clocks filesystem http io random sockets; do
      mkdir -p "$w/deps/$p"
      cp "$builtin/wasi-$p/package.wit" "$w/deps/$p/"
    done
    sed -i 's/0\.2\.12/0.2.10/g' "$w"/deps/*/package.wit
    cp "$wit" "$w/demo.wit"
    # The guest uses no fetch: without http its engine imports only cli, io, clocks, random.
    run_node "$npm/node_modules/@bytecodealliance/componentize-js/src/cli.js" --wit "$w" -n demo \
      --disable http fetch-event -o "$j.tmp" "$here/demo_guest.js"
    mv "$j.tmp" "$j"
  fi
fi
