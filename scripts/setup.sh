#!/usr/bin/env bash
# Installs the Debian packages Hull's build and tests need, only those that are missing.
set -euo pipefail
pkgs=(cmake ninja-build ccache clang-19 lld-19 libclang-rt-19-dev libgtest-dev libgmock-dev
      libbenchmark-dev wabt wasi-libc libclang-rt-19-dev-wasm32 hyperfine jq python3
      curl  # the serve and CLI tests talk HTTP to hull serve with it
      binaryen  # binaryen: wasm-opt -ttf / --fuzz-exec for tests/fuzz/differential
      libboost-dev  # Boost.Beast (header-only): wasi:http parses HTTP/1.1 with it
      libsqlite3-dev libhiredis-dev redis-server  # serve: manifest, KV
      libjemalloc-dev  # the hull executable's allocator (tools/hull/CMakeLists.txt)
      nginx wrk  # serve: deploy/local-topology.sh, bench/serve (soak, run), tests serve.scale
      llvm-19-dev  # the native tier (src/native, hull-native): LLVM's ORC JIT
      # tests/programs/eh: C setjmp/longjmp and C++ exceptions compiled to Wasm exception
      # handling (clang 22 from bookworm-security: clang 19 lacks the exnref encoding)
      clang-22 lld-22 libclang-rt-22-dev-wasm32 libc++-22-dev-wasm32 libc++abi-22-dev-wasm32)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then echo "setup: need root to install packages" >&2; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
