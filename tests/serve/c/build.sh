#!/usr/bin/env bash
# Builds the C wasi:http component of tests/serve/c into OUT/serve-c.component.wasm (kept there:
# rebuilt only when a source or this script is newer than it):
#   1. clang --target=wasm32, no libc (app.c + wasi_http.c): one core module importing
#      wasi:http/types@0.2.0 and wasi:io/*@0.2.0 by their canonical-ABI names
#   2. `jco embed`: adds the world's component-type section (world wasi:http/proxy@0.2.0 from
#      the WASI 0.2 WIT, see below)
#   3. `jco new`: wraps the module into a component (only the imports it uses stay)
#
# usage: build.sh OUT NPM_PREFIX CLANG [WASI_WIT]
# NPM_PREFIX holds jco (scripts/npm-tools.sh). WASI_WIT is the WASI 0.2 WIT tree with http/,
# io/, clocks/, random/, cli/, filesystem/, sockets/ (default /work/shared/specs/wasi-0.2).
#
# That WIT is the 0.2.12 release: its packages are renamed 0.2.0 here (the version the guest
# imports and exports) and its @since/@deprecated gates, which would name versions after 0.2.0,
# are dropped (@unstable gates stay, so unstable items stay out). The root package is a
# one-world wrapper including wasi:http/proxy, because jco 1.35's `embed -n` does not pass the
# world's name on and wasi:http has two worlds. jco runs under node with a preload that gives its
# wasm tools the filesystem (/work/shared/docs/TOOLCHAIN.md (b)).
set -euo pipefail
out=${1:?usage: build.sh OUT NPM_PREFIX CLANG [WASI_WIT]}
npm=${2:?}
clang=${3:?}
wasi_wit=${4:-/work/shared/specs/wasi-0.2}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -f "$wasi_wit/http/types.wit" ] || { echo "build.sh: no WASI 0.2 WIT at $wasi_wit (http/types.wit)" >&2; exit 1; }
[ -x "$npm/node_modules/.bin/jco" ] || { echo "build.sh: no jco in $npm (scripts/npm-tools.sh --prefix $npm jco)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
component=$out/serve-c.component.wasm

stale() {  # stale TARGET SOURCES...: whether TARGET is missing or older than a source
  local t=$1
  shift
  [ -f "$t" ] || return 0
  for s in "$@"; do [ "$s" -nt "$t" ] && return 0; done
  return 1
}
stale "$component" "$here"/*.c "$here"/*.h "$here/build.sh" || exit 0

# 1. The core module. A 16 KiB stack (the deepest call chain uses well under 1 KiB) keeps the
# initial memory at one page: less to set up per instance.
"$clang" --target=wasm32 -O2 -nostdlib -Wall -Wextra -Werror -Wl,--no-entry \
  -Wl,-z,stack-size=16384 -o "$out/serve-c.core.wasm" "$here/app.c" "$here/wasi_http.c"

# 2. The WIT: world `app` = wasi:http/proxy@0.2.0.
wit=$out/serve-c-wit
rm -rf "$wit"
mkdir -p "$wit/deps"
for p in http io clocks random cli filesystem sockets; do
  mkdir -p "$wit/deps/$p"
  cp "$wasi_wit/$p"/*.wit "$wit/deps/$p/"
done
sed -i -E -e 's/@0\.2\.[0-9]+/@0.2.0/g' \
  -e '/^\s*@(since|deprecated)\(version = [0-9.]+\)\s*$/d' "$wit"/deps/*/*.wit
printf 'package hull:serve-c;\n\nworld app {\n  include wasi:http/proxy@0.2.0;\n}\n' > "$wit/app.wit"

# 3. jco embed + jco new, resolving the preload's import from the npm prefix.
jco=$(readlink -f "$npm/node_modules/.bin/jco")
cat > "$npm/.hull-serve-c-preopen.mjs" <<'JS'
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';
_setPreopens({ '/': '/' });
JS
run_jco() { (cd "$npm" && node --import ./.hull-serve-c-preopen.mjs "$jco" "$@"); }
run_jco embed --wit "$wit" -o "$out/serve-c.embedded.wasm" "$out/serve-c.core.wasm"
run_jco new "$out/serve-c.embedded.wasm" -o "$component.tmp"
mv "$component.tmp" "$component"
echo "build.sh: $component ($(wc -c < "$component") bytes)"
