#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each: usage tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS
# Seeds come from the spec testsuite (extracted at fuzz time, never committed); the corpora
# grow in BUILD_DIR/fuzz-corpus/<target>; crashes land in BUILD_DIR/fuzz-artifacts/ and should be
# copied to tests/fuzz/regressions/<target>/ once fixed.
set -u
build="$1" seconds="${2:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
suite="$(bash "$root/scripts/testsuite-dir.sh" 2>/dev/null || echo /work/shared/testsuite)"
seeds="$build/fuzz-seeds"
mkdir -p "$seeds/bin" "$seeds/text" "$build/fuzz-artifacts"
if [[ -z "$(ls -A "$seeds/bin")" ]]; then
  "$build/tests/fuzz/hull_fuzz_seeds" "$seeds/bin" "$suite"/core/*.wast
  cp "$suite"/core/*.wast "$seeds/text/" 2>/dev/null
  mv "$seeds"/bin/*.wat "$seeds/text/" 2>/dev/null
fi
status=0
for t in decode validate exec text; do
  corpus="$build/fuzz-corpus/$t"
  mkdir -p "$corpus"
  seed="$seeds/bin"; [[ $t == text ]] && seed="$seeds/text"
  echo "== fuzz_$t for ${seconds}s"
  # Hull's guard-page traps use SIGSEGV/SIGBUS: let them reach Hull's handlers.
  ASAN_OPTIONS="handle_segv=0:handle_sigbus=0:handle_sigfpe=0:allow_user_segv_handler=1:detect_leaks=1" \
    "$build/tests/fuzz/fuzz_$t" "$corpus" "$seed" "$here/regressions/$t" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=4096 \
      -artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 2>&1 |
    grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|ERROR|SUMMARY|artifact|Test unit" \
    || true
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
done
exit $status
