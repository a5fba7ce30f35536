#!/usr/bin/env bash
# Installs the npm tools Hull's tests use into an npm prefix (default build/npm-tools), pinned,
# only when missing: jco (componentizes preview 1 modules with its command adapter, prints and
# parses component text), with `componentize-js`, the JS component builder, and with `binaryen`,
# binaryen's JS/wasm build (its wasm-opt -ttf generates the GC modules of the differential fuzzing;
# Debian's binaryen 108 cannot).
#
# usage: scripts/npm-tools.sh [--prefix DIR] [jco] [componentize-js] [binaryen]   (default: jco)
# Prints nothing on success when everything was there; exits non-zero with a message when npm
# or the registry is unreachable. Installs Debian's nodejs and npm first when node is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=$here/../build/npm-tools
tools=()
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2;;
    jco|componentize-js|binaryen) tools+=("$1"); shift;;
    *) echo "npm-tools: unknown argument '$1'" >&2; exit 2;;
  esac
done
[ ${#tools[@]} -gt 0 ] || tools=(jco)

if ! command -v npm > /dev/null || ! command -v node > /dev/null; then
  if [ "$(id -u)" != 0 ]; then echo "npm-tools: node and npm are missing; install nodejs and npm" >&2; exit 1; fi
  echo "npm-tools: installing nodejs npm (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm > /dev/null
fi

declare -A pkg=([jco]="@bytecodealliance/jco@1.35.0"
                [componentize-js]="@bytecodealliance/componentize-js@0.23.0 @bytecodealliance/preview2-shim@0.26.1"
                [binaryen]="binaryen@132.0.0")
# package.json and the version that must be there (jco itself depends on an older
# componentize-js, which would otherwise satisfy a mere presence check).
declare -A probe=([jco]="node_modules/@bytecodealliance/jco/package.json 1.35.0"
                  [componentize-js]="node_modules/@bytecodealliance/componentize-js/package.json 0.23.0"
                  [binaryen]="node_modules/binaryen/package.json 132.0.0")
mkdir -p "$prefix"
# Several tests may ask at once (ctest -j): one installs, the others wait for it.
exec 9> "$prefix/.lock"
flock 9
want=()
installed() {  # installed PACKAGE_JSON VERSION
  [ -f "$prefix/$1" ] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' "$prefix/$1" "$2"
}
for t in "${tools[@]}"; do installed ${probe[$t]} || want+=(${pkg[$t]}); done
if [ ${#want[@]} -gt 0 ]; then
  echo "npm-tools: installing ${want[*]} into $prefix (once; about a minute)" >&2
  [ -f "$prefix/package.json" ] || echo '{"name":"hull-npm-tools","private":true}' > "$prefix/package.json"
  if ! (cd "$prefix" && npm install --no-audit --no-fund --loglevel=error "${want[@]}" >&2); then
    echo "npm-tools: npm install failed (is the npm registry reachable?)" >&2
    exit 1
  fi
fi
