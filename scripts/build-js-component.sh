#!/usr/bin/env bash
# Builds a component from JavaScript with componentize-js, with the two workarounds
# ../shared/docs/TOOLCHAIN.md (b) describes: its StarlingMonkey engine is built against WASI
# 0.2.10 (the world must use 0.2.10 WIT), and its splicer needs a preopened root under
# preview2-shim. Rebuilds only when the JS file is newer than the output.
#
# usage: scripts/build-js-component.sh TOOLS JS_FILE WORLD_BODY OUT
#   TOOLS: npm prefix holding jco and componentize-js (scripts/npm-tools.sh ... componentize-js)
#   WORLD_BODY: the world's items, e.g. 'export wasi:cli/run@0.2.10;'
set -euo pipefail
tools=$1 js_file=$2 world=$3 out=$4
if [ -s "$out" ] && [ "$out" -nt "$js_file" ]; then exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/wit/deps"
b=$tools/node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12
for p in cli clocks filesystem http io random sockets; do
  mkdir -p "$work/wit/deps/$p" && cp "$b/wasi-$p/package.wit" "$work/wit/deps/$p/"
done
sed -i 's/0\.2\.12/0.2.10/g' "$work"/wit/deps/*/package.wit
printf 'package local:app;\nworld app { %s }\n' "$world" > "$work/wit/world.wit"
printf "import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';\n_setPreopens({ '/': '/' });\n" \
  > "$work/preopen-root.mjs"
cp "$js_file" "$work/app.js"
ln -s "$tools/node_modules" "$work/node_modules"
echo "build-js-component: componentize-js $js_file (~10-40 s)" >&2
if ! (cd "$work" && timeout 300 node --import ./preopen-root.mjs \
        node_modules/@bytecodealliance/componentize-js/src/cli.js \
        --wit wit -n app -o app.component.wasm app.js > build.log 2>&1); then
  echo "build-js-component: componentize-js failed for $js_file:" >&2
  tail -5 "$work/build.log" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$work/app.component.wasm" "$out"
