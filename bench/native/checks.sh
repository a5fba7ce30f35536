#!/usr/bin/env bash
# What fuel metering and deadline checks cost machine code: each bench program precompiled
# three ways (`hull-native compile`, plain / --fuel / --epochs), so that no compile time is
# counted, and run with the matching option; user CPU seconds, the minimum of RUNS runs, the
# modes interleaved.
#   bench/native/checks.sh [BUILD_DIR] [RUNS] [SCALE]     (default build, 3 runs, scale 50)
# Prints a Markdown table with each overhead and their geometric means.
set -euo pipefail
# The runs and the table are checks_vs.sh's, with this one build.
exec bash "$(dirname "${BASH_SOURCE[0]}")/checks_vs.sh" --one "${1:-build}" "${2:-3}" "${3:-50}"
