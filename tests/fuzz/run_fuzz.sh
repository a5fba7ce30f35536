#!/usr/bin/env bash
# Runs fuzz targets for SECONDS each:
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS [TARGET...]   (targets: decode validate exec text
#                                                          component wit manifest http; default: all)
#   tests/fuzz/run_fuzz.sh --seeds BUILD_DIR               (only extract the seed corpora)
# Seeds come from the spec testsuite (extracted once per build dir, never committed); the corpora
# grow in BUILD_DIR/fuzz-corpus/<target>; crashes land in BUILD_DIR/fuzz-artifacts/ and should be
# copied to tests/fuzz/regressions/<target>/ once fixed. The component target's seeds are the
# components of the component-model testsuite's scripts (or $HULL_COMPONENT_SEEDS), plus its
# regressions. The wit target's seeds are the WASI 0.2 .wit files (../shared/specs/wasi-0.2, or
# $HULL_WIT_SEEDS). The manifest target's seeds are its regressions (spin.toml and
# runtime-config.toml files).
# `make fuzz` runs all of them for
# FUZZ_SECONDS; `make test` runs each briefly under ASan+UBSan (ctest fuzz_brief_<target>).
# Exits 1 if a target found a crash, a leak, a timeout or an out-of-memory input.
set -u
seeds_only=0
if [[ "${1:-}" == --seeds ]]; then
  seeds_only=1
  shift
fi
build="${1:?usage: run_fuzz.sh BUILD_DIR SECONDS [TARGET...] | --seeds BUILD_DIR}"
seconds="${2:-60}"
shift 2 2>/dev/null || shift $#
targets=("$@")
((${#targets[@]})) || targets=(decode validate exec text component wit manifest http)
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."

extract_seeds() {
  local suite
  if ! suite="$(bash "$root/scripts/testsuite-dir.sh")"; then
    echo "run_fuzz.sh: no spec testsuite, so no seed corpora: fuzzing starts from nothing" >&2
    return 1
  fi
  local tmp="$seeds.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin" "$tmp/text"
  "$build/tests/fuzz/hull_fuzz_seeds" "$tmp/bin" "$suite"/core/*.wast >/dev/null || return 1
  mkdir -p "$tmp/component"
  if [[ -d "$suite/component" ]]; then
    find "$suite/component" -name '*.wast' -print0 |
      xargs -0 "$build/tests/fuzz/hull_fuzz_seeds" --components "$tmp/component" >/dev/null || return 1
    rm -f "$tmp"/component/*.wat
  fi
  cp "$suite"/core/*.wast "$tmp/text/"
  mv "$tmp"/bin/*.wat "$tmp/text/" 2>/dev/null
  # Atomic: parallel runs (ctest -j) either see the whole corpus or none and extract their own.
  mv -T "$tmp" "$seeds" 2>/dev/null || rm -rf "$tmp"
}

seeds="$build/fuzz-seeds"
if [[ ! -d "$seeds/bin" ]]; then
  extract_seeds || { ((seeds_only)) && exit 1; }
  mkdir -p "$seeds/bin" "$seeds/text"
fi
((seeds_only)) && { echo "seeds: $(ls "$seeds/bin" | wc -l) binary, $(ls "$seeds/text" | wc -l) text"; exit 0; }

mkdir -p "$build/fuzz-artifacts"
status=0
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  mkdir -p "$corpus"
  seed="$seeds/bin"; [[ $t == text ]] && seed="$seeds/text"
  if [[ $t == component ]]; then
    seed="${HULL_COMPONENT_SEEDS:-$seeds/component}"
    mkdir -p "$seed"
  fi
  if [[ $t == wit ]]; then
    seed="${HULL_WIT_SEEDS:-$build/fuzz-seeds/wit}"
    if [[ ! -d "$seed" ]]; then
      mkdir -p "$seed"
      wasi="$root/../shared/specs/wasi-0.2"
      [[ -d "$wasi" ]] && find "$wasi" -name '*.wit' -exec cp {} "$seed/" \; 2>/dev/null
      # Same-named files of different packages overwrite each other; any mix is a fine seed.
    fi
  fi
  [[ $t == manifest ]] && seed="$here/regressions/manifest"
  [[ $t == http ]] && seed="$here/regressions/http"  # requests as clients send them
  echo "== fuzz_$t for ${seconds}s"
  bin="$build/tests/fuzz/fuzz_$t"
  if [[ ! -x "$bin" ]]; then
    # A target that was not built must fail the run, never pass it unseen.
    echo "FAIL: $bin is missing: build it first (make fuzz, or the Makefile's test-asan targets)"
    status=1
    continue
  fi
  log="$build/fuzz-artifacts/$t.log"
  # Hull's guard-page traps use SIGSEGV/SIGBUS: let them reach Hull's handlers.
  ASAN_OPTIONS="handle_segv=0:handle_sigbus=0:handle_sigfpe=0:allow_user_segv_handler=1:detect_leaks=1" \
    "$bin" "$corpus" "$seed" "$here/regressions/$t" \
      -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -malloc_limit_mb=4096 \
      -artifact_prefix="$build/fuzz-artifacts/$t-" -print_final_stats=1 > "$log" 2>&1
  rc=$?
  grep -E "^#[0-9]+.*DONE|stat::number_of_executed_units|ERROR|SUMMARY|artifact|Test unit|#[0-9]+ 0x" \
    "$log" || true
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: fuzz_$t exited $rc (log: $log)"
    status=1
  fi
done
exit $status
