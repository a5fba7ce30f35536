#!/usr/bin/env bash
# Builds and runs one example against the installed Hull package.
#   package_test.sh cmake|pkgconfig <example dir> <prefix> <work dir> <cc> <cxx> [args...]
set -euo pipefail
mode=$1 src=$2 prefix=$3 work=$4 cc=$5 cxx=$6
shift 6
rm -rf "$work"
mkdir -p "$work"
name=$(basename "$src")
case "$mode" in
  cmake)
    cmake -S "$src" -B "$work" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
      -DCMAKE_CXX_COMPILER="$cxx" > "$work/configure.log"
    cmake --build "$work" > "$work/build.log"
    exe="$work/$name"
    ;;
  pkgconfig)
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
    flags=$(pkg-config --cflags --libs hull)
    if [ -f "$src/main.c" ]; then
      # A plain C program linked with cc, as the pkg-config file promises.
      cc -o "$work/$name" "$src/main.c" $flags
    else
      "$cxx" -std=c++20 -o "$work/$name" "$src/main.cc" $flags
    fi
    exe="$work/$name"
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
cd "$src"
LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$exe" "$@"
