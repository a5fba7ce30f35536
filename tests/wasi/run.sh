#!/usr/bin/env bash
# Runs the official WASI preview 1 testsuite (../shared/testsuite/wasi/{c,rust,assemblyscript}/
# wasm32-wasip1) under `hull run` and checks exit codes and stdout/stderr against each test's
# JSON spec (upstream doc/specification.md, "legacy" form). Fixture dirs are copied under the
# work dir first, so the shared testsuite is never written to.
#
# usage: tests/wasi/run.sh [options] [HULL_BINARY]      (default binary: <repo>/build/hull)
#   --suite NAME            c, rust or assemblyscript; repeatable (default: all three)
#   --work DIR              scratch dir (default: <dir of HULL_BINARY>/wasi-testsuite-work)
#   --known-failures FILE   tests expected to fail, "suite/test reason" per line
#                           (default: tests/wasi/known-failures.txt; "none" disables)
#   --filter TEXT           run only tests whose "suite/test" id contains TEXT
#   --timeout SECONDS       per test (default 30)
#   --component JCO         wrap each module into a WASI 0.2 component with jco's preview 1
#                           command adapter (JCO: path of the jco program; wrapped components
#                           are cached, see --component-cache) and run that instead. A failing
#                           exit code is then expected as 1: the adapter maps proc_exit(N) to
#                           wasi:cli/exit's err, whatever N is
#   --component-cache DIR   where wrapped components are kept (default: WORK/components)
#   -v, --verbose           also print passing tests, and stdout/stderr of failures
# The testsuite is $HULL_TESTSUITE/wasi, else ../shared/testsuite/wasi beside the repository.
# Prints one line per failure (and per known failure), then "N passed, M failed"; exits 1 if
# any test not listed in the known-failures file failed.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

suites=() work="" known="$here/known-failures.txt" filter="" timeout_s=30 verbose=0 hull="" jco="" ccache=""
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suites+=("$2"); shift 2;;
    --work) work=$2; shift 2;;
    --known-failures) known=$2; shift 2;;
    --filter) filter=$2; shift 2;;
    --timeout) timeout_s=$2; shift 2;;
    --component) jco=$2; shift 2;;
    --component-cache) ccache=$2; shift 2;;
    -v|--verbose) verbose=1; shift;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    -*) echo "run.sh: unknown option '$1'" >&2; exit 2;;
    *) [ -z "$hull" ] || { echo "run.sh: more than one HULL_BINARY" >&2; exit 2; }; hull=$1; shift;;
  esac
done
[ ${#suites[@]} -gt 0 ] || suites=(c rust assemblyscript)
hull=${hull:-$repo/build/hull}
if [ ! -x "$hull" ]; then echo "run.sh: error: hull binary '$hull' not found (build it first)" >&2; exit 2; fi
hull=$(cd "$(dirname "$hull")" && pwd)/$(basename "$hull")
command -v jq > /dev/null || { echo "run.sh: error: jq is required (scripts/setup.sh installs it)" >&2; exit 2; }

testsuite=${HULL_TESTSUITE:-$repo/../shared/testsuite}
if [ ! -d "$testsuite/wasi" ]; then
  echo "run.sh: error: WASI testsuite not found at '$testsuite/wasi' (set HULL_TESTSUITE)" >&2
  exit 2
fi
testsuite=$(cd "$testsuite" && pwd)
work=${work:-$(dirname "$hull")/wasi-testsuite-work}
mkdir -p "$work" && work=$(cd "$work" && pwd)
case "$work" in "$testsuite"/*|"$testsuite") echo "run.sh: error: work dir inside the testsuite" >&2; exit 2;; esac

# Known failures: id -> reason.
declare -A known_reason=()
if [ "$known" != none ] && [ -f "$known" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%$'\r'}
    case "$line" in ''|'#'*) continue;; esac
    id=${line%%[[:space:]]*}
    reason=${line#"$id"}
    reason=$(echo "$reason" | sed 's/^[[:space:]#:-]*//')
    known_reason[$id]=${reason:-no reason given}
  done < "$known"
fi

# Turns a test spec into shell assignments (every value quoted by jq's @sh).
spec_to_shell='
  if type != "object" then "problem=" + ("the spec is not a JSON object" | @sh)
  elif has("operations") then
    "problem=" + ("the spec uses the operations form, which this harness does not implement" | @sh)
  else
    "args=(" + ((.args // []) | map(tostring | @sh) | join(" ")) + ")",
    "envs=(" + ((.env // {}) | to_entries | map("\(.key)=\(.value)" | @sh) | join(" ")) + ")",
    "root=" + ((.root // "") | @sh),
    "exit_code=" + ((.exit_code // 0) | tostring | @sh),
    "extra=" + ((keys - ["args", "env", "root", "exit_code", "stdout", "stderr"]) | join(",") | @sh),
    (if has("stdout") then "check_stdout=1", "expected_stdout=" + (.stdout | @sh) else empty end),
    (if has("stderr") then "check_stderr=1", "expected_stderr=" + (.stderr | @sh) else empty end)
  end'

passed=0 failed=0 known_failed=0 unexpected_pass=0
failed_ids=()

# first_line FILE: the file's first line, trimmed, for one-line failure messages.
first_line() { head -c 300 "$1" | head -n 1 | tr -d '\r'; }

for suite in "${suites[@]}"; do
  sdir=$testsuite/wasi/$suite/wasm32-wasip1
  if [ ! -d "$sdir" ]; then
    echo "FAIL $suite: suite directory $sdir is missing"
    failed=$((failed + 1)); failed_ids+=("$suite"); continue
  fi
  for wasm in "$sdir"/*.wasm; do
    name=$(basename "$wasm" .wasm)
    id=$suite/$name
    if [ -n "$filter" ] && [[ "$id" != *"$filter"* ]]; then continue; fi
    spec=$sdir/$name.json
    twork=$work/$suite/$name
    rm -rf "$twork" && mkdir -p "$twork"

    # Spec defaults (upstream): args [], env {}, root null, exit_code 0, stdout/stderr unchecked.
    problem=""
    args=() envs=() root="" exit_code=0 extra="" check_stdout=0 check_stderr=0
    if [ -f "$spec" ]; then
      # One jq call per spec (jq is slow to start): it prints shell assignments quoted with @sh.
      if ! assignments=$(jq -r "$spec_to_shell" "$spec" 2> "$twork/jq.err"); then
        problem="cannot parse $name.json: $(first_line "$twork/jq.err")"
      else
        eval "$assignments"
        [ -z "$extra" ] || echo "warning: $id: unknown spec keys: $extra" >&2
        [ $check_stdout = 0 ] || printf '%s' "$expected_stdout" > "$twork/expected.stdout"
        [ $check_stderr = 0 ] || printf '%s' "$expected_stderr" > "$twork/expected.stderr"
      fi
    fi

    if [ -z "$problem" ] && [ -n "$jco" ]; then
      # The component form, wrapped once and cached (rewrapped when the module is newer).
      comp=${ccache:-$work/components}/$suite/$name.component.wasm
      if [ ! -s "$comp" ] || [ "$wasm" -nt "$comp" ]; then
        mkdir -p "$(dirname "$comp")"
        if ! "$jco" new "$wasm" --wasi-command -o "$comp" > "$twork/jco.out" 2>&1; then
          problem="jco new failed: $(first_line "$twork/jco.out")"
          rm -f "$comp"
        fi
      fi
      [ "$exit_code" = 0 ] || exit_code=1
    fi

    cmd=("$hull" run)
    for e in "${envs[@]}"; do cmd+=(--env "$e"); done
    if [ -z "$problem" ] && [ -n "$root" ]; then
      if [ ! -d "$sdir/$root" ]; then
        problem="root '$root' does not exist in the testsuite"
      else
        # A fresh, writable copy of the fixture per test: tests create and delete files in it.
        mkdir -p "$twork/$(dirname "$root")"
        cp -R "$sdir/$root" "$twork/$root" && chmod -R u+w "$twork/$root"
        find "$twork/$root" -name '*.cleanup' -exec rm -rf {} + 2> /dev/null
        cmd+=(--dir "$twork/$root::/")
      fi
    fi
    if [ -n "$jco" ]; then cmd+=(-- "$comp" "${args[@]}"); else cmd+=(-- "$wasm" "${args[@]}"); fi

    detail=""
    if [ -n "$problem" ]; then
      detail=$problem
    else
      # Upstream runs each test with the test's directory as cwd; ours is its scratch copy.
      (cd "$twork" && timeout -k 5 "$timeout_s" "${cmd[@]}" < /dev/null \
         > "$twork/actual.stdout" 2> "$twork/actual.stderr")
      rc=$?
      if [ $rc = 124 ] || [ $rc = 137 ]; then
        detail="timed out after ${timeout_s}s"
      elif [ "$rc" != "$exit_code" ]; then
        detail="exit code $rc, expected $exit_code"
        msg=$(first_line "$twork/actual.stderr")
        [ -z "$msg" ] || detail="$detail; stderr: $msg"
      elif [ $check_stdout = 1 ] && ! cmp -s "$twork/expected.stdout" "$twork/actual.stdout"; then
        detail="stdout differs: expected '$(head -c 80 "$twork/expected.stdout")', got '$(head -c 80 "$twork/actual.stdout")'"
      elif [ $check_stderr = 1 ] && ! cmp -s "$twork/expected.stderr" "$twork/actual.stderr"; then
        detail="stderr differs"
      fi
    fi

    if [ -z "$detail" ]; then
      passed=$((passed + 1))
      if [ -n "${known_reason[$id]+x}" ]; then
        unexpected_pass=$((unexpected_pass + 1))
        echo "UNEXPECTED PASS $id: listed in known-failures.txt but passes now (remove it there)"
      elif [ $verbose = 1 ]; then
        echo "pass $id"
      fi
      rm -rf "$twork"
    elif [ -n "${known_reason[$id]+x}" ]; then
      known_failed=$((known_failed + 1))
      echo "known failure $id: $detail [known: ${known_reason[$id]}]"
    else
      failed=$((failed + 1)); failed_ids+=("$id")
      echo "FAIL $id: $detail"
      echo "  rerun: (cd $twork && $(printf "%q " "${cmd[@]}"))"
    fi
    if [ -n "$detail" ] && [ $verbose = 1 ]; then
      for s in stdout stderr; do
        [ -s "$twork/actual.$s" ] && head -n 20 "$twork/actual.$s" | sed "s/^/  $s: /"
      done
    fi
  done
done

[ $known_failed = 0 ] || echo "$known_failed known failure(s) listed in tests/wasi/known-failures.txt (not counted below)"
[ $unexpected_pass = 0 ] || echo "$unexpected_pass known failure(s) now pass: update tests/wasi/known-failures.txt"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
