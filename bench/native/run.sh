#!/usr/bin/env bash
# What linking LLVM costs a process, and what LLJIT compilation costs (the native tier's design
# constraints, docs/ARCHITECTURE.md "Native tier: the plan"):
#   1. start-up of an empty program vs the same program linked against libLLVM-19.so (50 runs);
#   2. dlopen of a plugin linked against libLLVM-19.so, LLJIT creation, compile time of 1 and of
#      1000 small functions in one module.
# Needs clang++-19 and llvm-19-dev (apt-get install llvm-19-dev). Builds in a temp dir.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
inc=/usr/lib/llvm-19/include
lib=/usr/lib/llvm-19/lib
[[ -d $inc/llvm ]] || { echo "run.sh: llvm-19-dev is not installed (apt-get install llvm-19-dev)" >&2; exit 1; }
echo 'int main() { return 0; }' > "$work/none.cc"
printf '#include <llvm/Support/TargetSelect.h>\nint main(int c, char**) { if (c > 5) llvm::InitializeNativeTarget(); return 0; }\n' > "$work/linked.cc"
clang++-19 -O1 "$work/none.cc" -o "$work/none"
clang++-19 -O1 "$work/linked.cc" -I"$inc" -L"$lib" -lLLVM-19 -Wl,-rpath,"$lib" -o "$work/linked"
for p in none linked; do
  start=$(date +%s%N)
  for _ in $(seq 50); do "$work/$p"; done
  end=$(date +%s%N)
  echo "start-up, $p: $(( (end - start) / 50000 )) us per process"
done
/usr/bin/time -f "max RSS, linked: %M KB" "$work/linked"
clang++-19 -O2 -fPIC -shared "$here/llvm_plugin.cc" -I"$inc" -L"$lib" -lLLVM-19 \
  -Wl,-rpath,"$lib" -o "$work/libplugin.so"
clang++-19 -O2 "$here/llvm_host.cc" -ldl -o "$work/host"
"$work/host" "$work/libplugin.so"
