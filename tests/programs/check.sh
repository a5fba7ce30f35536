#!/usr/bin/env bash
# Runs one tests/programs case natively and under `hull run` on identical scratch copies and
# compares stdout, exit code and (where the program writes files) the resulting trees.
# Usage: check.sh CASE HULL WASM_DIR NATIVE_DIR SCRATCH_DIR [JCO COMPONENT_CACHE]
#   CASE: cat | walk | copy | upper | wc | sleep | args | escape, or PROGRAM.VARIANT for
#   programs built more than one way for wasm (eh/: sjlj.legacy, exceptions.exnref, ...): the
#   module is WASM_DIR/PROGRAM.VARIANT.wasm, the native binary NATIVE_DIR/PROGRAM.
#   JCO: run the program as a WASI 0.2 component instead: WASM_DIR/CASE.p2.wasm (the program
#   with a cabi_realloc export) wrapped by `JCO new --wasi-command` into COMPONENT_CACHE. A
#   failing exit code is expected as 1 then (the adapter maps proc_exit(N) to exit(err)).
set -u
case_name=$1 hull=$2 wasm_dir=$3 native_dir=$4 scratch=$5 jco=${6:-} ccache=${7:-}
failures=0
native_name=${case_name%%.*}

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

[ -x "$hull" ] || { echo "error: hull binary not found at $hull" >&2; exit 1; }
[ -f "$wasm_dir/$case_name.wasm" ] || { echo "error: $wasm_dir/$case_name.wasm missing" >&2; exit 1; }

# The guest to run: the module, or its component form (wrapped once, cached).
guest=$wasm_dir/$case_name.wasm
if [ -n "$jco" ]; then
  [ -x "$jco" ] || { echo "error: jco not found at $jco (scripts/npm-tools.sh installs it)" >&2; exit 1; }
  src=$wasm_dir/$case_name.p2.wasm guest=$ccache/$case_name.component.wasm
  if [ ! -s "$guest" ] || [ "$src" -nt "$guest" ]; then
    mkdir -p "$ccache"
    "$jco" new "$src" --wasi-command -o "$guest" > /dev/null ||
      { echo "error: jco new $src failed" >&2; rm -f "$guest"; exit 1; }
  fi
fi
# The exit code hull should report for a native exit code.
expected_rc() { if [ -n "$jco" ] && [ "$1" != 0 ]; then echo 1; else echo "$1"; fi; }

# Scratch space lives under the build dir; refuse anything that looks like a stray path.
case "$scratch" in /*/*/*) ;; *) echo "error: suspicious scratch dir '$scratch'" >&2; exit 1;; esac
rm -rf "$scratch"
mkdir -p "$scratch/native" "$scratch/wasm" "$scratch/out"

# Deterministic pseudo-random bytes (no /dev/urandom: both sides must see the same input).
gen_bytes() { # gen_bytes N SEED
  LC_ALL=C awk -v n="$1" -v s="$2" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%c", int(rand() * 256) }' 
}

# Populates a scratch tree; the other side gets an exact copy so both start identical.
make_tree() {
  local d=$1
  printf 'hello\n' > "$d/hello.txt"
  printf 'no newline at end' > "$d/nonl.txt"
  : > "$d/empty.txt"
  mkdir -p "$d/tree/a/b/c" "$d/tree/empty_dir" "$d/tree/z"
  printf 'one\ntwo\nthree\n' > "$d/tree/a/lines.txt"
  printf 'deep\n' > "$d/tree/a/b/c/deep.txt"
  printf 'zz\n' > "$d/tree/z/last.txt"
  printf 'B\n' > "$d/tree/B.txt"
  ln -s a/lines.txt "$d/tree/link_to_lines"
  ln -s ../nowhere "$d/tree/z/dangling"
  LC_ALL=C gen_bytes 300000 7 > "$d/big.bin"
  for i in $(seq 1 2000); do echo "line $i of the quick brown fox jumps over the lazy dog"; done \
    > "$d/text.txt"
}
make_tree "$scratch/native"
cp -a "$scratch/native/." "$scratch/wasm/"

# run_case NAME STDIN_FILE ARGS... : runs both sides, compares stdout and exit code.
run_case() {
  local name=$1 input=$2
  shift 2
  local n_out=$scratch/out/$name.native.out w_out=$scratch/out/$name.wasm.out
  # Native runs get an empty environment, like the guest (hull passes none unless told).
  (cd "$scratch/native" && env -i "$native_dir/$native_name" "$@" < "$input" > "$n_out" \
     2> "$scratch/out/$name.native.err")
  local n_rc=$?
  timeout 60 "$hull" run --dir "$scratch/wasm::/" "$guest" "$@" \
    < "$input" > "$w_out" 2> "$scratch/out/$name.wasm.err"
  local w_rc=$?
  n_rc=$(expected_rc "$n_rc")
  if [ "$n_rc" != "$w_rc" ]; then
    fail "$name: exit code native=$n_rc hull=$w_rc"
    sed 's/^/  hull stderr: /' "$scratch/out/$name.wasm.err" | head -5
  elif ! cmp -s "$n_out" "$w_out"; then
    fail "$name: stdout differs (exit $n_rc)"
    diff "$n_out" "$w_out" | head -10 | sed 's/^/  /'
  else
    pass "$name (exit $n_rc, $(wc -c < "$n_out") bytes of stdout)"
  fi
}

compare_trees() {
  if diff -r --no-dereference "$scratch/native" "$scratch/wasm" > "$scratch/out/tree.diff" 2>&1; then
    pass "scratch trees are identical after the runs"
  else
    fail "scratch trees differ after the runs"
    head -10 "$scratch/out/tree.diff" | sed 's/^/  /'
  fi
}

null=/dev/null
case "$case_name" in
  cat)
    run_case one_file $null hello.txt
    run_case several_files $null hello.txt nonl.txt empty.txt tree/a/lines.txt
    run_case binary_file $null big.bin
    run_case through_symlink $null tree/link_to_lines
    run_case stdin_dash "$scratch/native/text.txt" hello.txt - nonl.txt
    run_case stdin_only "$scratch/native/big.bin"
    run_case missing_file $null hello.txt does-not-exist.txt nonl.txt
    run_case directory_arg $null tree
    ;;
  walk)
    run_case whole_scratch $null
    run_case subtree $null tree
    run_case two_roots $null tree/a tree/z
    run_case missing_root $null tree nope
    ;;
  copy)
    run_case small $null hello.txt hello.copy
    run_case binary $null big.bin big.copy
    run_case odd_buffer $null text.txt tree/a/text.copy 4093
    run_case tiny_buffer $null nonl.txt nonl.copy 1
    run_case empty $null empty.txt empty.copy
    run_case overwrite $null tree/B.txt hello.copy
    run_case missing_src $null nope.txt x.copy
    run_case missing_dir $null hello.txt no/such/dir/x
    run_case directory_src $null tree tree.copy
    compare_trees
    ;;
  upper)
    run_case text "$scratch/native/text.txt"
    run_case binary "$scratch/native/big.bin"
    run_case empty "$scratch/native/empty.txt"
    ;;
  wc)
    run_case text "$scratch/native/text.txt"
    run_case binary "$scratch/native/big.bin"
    run_case empty "$scratch/native/empty.txt"
    run_case no_newline "$scratch/native/nonl.txt"
    ;;
  sleep)
    # WASI 0.2 has no CPU-time clocks: the component form skips them (on both sides).
    if [ -n "$jco" ]; then run_case clocks_and_sleeps $null no-cputime
    else run_case clocks_and_sleeps $null; fi
    # stdin is a pipe whose writer speaks after 300 ms: poll must wait for it, then read it.
    for side in native wasm; do
      if [ $side = native ]; then cmd=("$native_dir/sleep" stdin)
      else cmd=(timeout 60 "$hull" run "$guest" stdin); fi
      out=$( (sleep 0.3; echo "late hello") | "${cmd[@]}" 2> "$scratch/out/stdin.$side.err")
      rc=$?; [ $side = native ] && rc=$(expected_rc $rc)
      echo "rc=$rc"$'\n'"$out" > "$scratch/out/stdin.$side.out"
      if [ $side = native ]; then cmd=("$native_dir/sleep" stdin-timeout)
      else cmd=(timeout 60 "$hull" run "$guest" stdin-timeout); fi
      out=$( (sleep 2; echo "too late") | "${cmd[@]}" 2> "$scratch/out/silent.$side.err")
      rc=$?; [ $side = native ] && rc=$(expected_rc $rc)
      echo "rc=$rc"$'\n'"$out" > "$scratch/out/silent.$side.out"
    done
    for t in stdin silent; do
      if cmp -s "$scratch/out/$t.native.out" "$scratch/out/$t.wasm.out"; then
        pass "poll on a $t pipe: $(tr '\n' ' ' < "$scratch/out/$t.wasm.out")"
      else
        fail "poll on a $t pipe differs"
        diff "$scratch/out/$t.native.out" "$scratch/out/$t.wasm.out" | sed 's/^/  /'
      fi
    done
    ;;
  args)
    # Arguments pass through verbatim; the guest's environment is exactly what --env gives it.
    run_case plain $null one two three
    run_case tricky $null "" "with space" 'quote"d' "new
line" "ünïcödé" -- --dir=x -v
    run_case exit_code $null exit7 more
    # env_case NAME HOST_ENV... -- HULL_FLAGS...: native under `env -i HOST_ENV`, hull under the
    # same host environment with HULL_FLAGS; stdout must match.
    env_case() {
      local name=$1; shift
      local host_env=()
      while [ "$1" != -- ]; do host_env+=("$1"); shift; done
      shift
      env -i "${host_env[@]}" "$native_dir/args" x > "$scratch/out/$name.native.out"
      env -i "${host_env[@]}" PATH="$PATH" "$hull" run "$@" "$guest" x \
        > "$scratch/out/$name.wasm.out" 2> "$scratch/out/$name.wasm.err"
      if cmp -s "$scratch/out/$name.native.out" "$scratch/out/$name.wasm.out"; then
        pass "$name: environment matches"
      else
        fail "$name: environment differs"
        diff "$scratch/out/$name.native.out" "$scratch/out/$name.wasm.out" | head | sed 's/^/  /'
      fi
    }
    env_case env_given A=1 "B=two words" EMPTY= -- --env A=1 --env "B=two words" --env EMPTY=
    env_case env_not_inherited -- # hull's own environment (PATH here) must not leak in
    env_case env_inherit_one HULL_T=from-host -- --env HULL_T
    env_case env_inherit_all "PATH=$PATH" HULL_X=1 "HULL_Y=y y" -- --inherit-env
    env_case env_multiline "ML=a
b" -- --env "ML=a
b"
    ;;
  escape)
    # Host layout: work/{secret.txt, outside/secret2.txt, sandbox/ (rw, guest /), ro/ (guest /ro)}.
    w=$scratch/wasm
    rm -rf "$w" "$scratch/native"
    mkdir -p "$w/outside" "$w/sandbox/sub" "$w/ro/rosub"
    printf 'SECRET-OUTSIDE' > "$w/secret.txt"
    printf 'SECRET-OUTSIDE-2' > "$w/outside/secret2.txt"
    printf 'inside' > "$w/sandbox/file.txt"
    printf 'movable' > "$w/sandbox/movable.txt"
    printf 'readonly' > "$w/ro/ro.txt"
    (cd "$w/sandbox" &&
      ln -s file.txt inside_link && ln -s .. sub/up && ln -s ../.. sub/upup &&
      ln -s ../../secret.txt sub/chain3 && ln -s "$w/secret.txt" link_abs &&
      ln -s ../secret.txt link_rel && ln -s ../outside link_dir_rel &&
      ln -s "$w/outside" link_dir_abs && ln -s chain2 chain1 && ln -s sub/chain3 chain2 &&
      ln -s loop2 loop1 && ln -s loop1 loop2 && ln -s selfloop selfloop &&
      ln -s ../created_via_dangling.txt dangling_rel &&
      ln -s "$w/outside/created_via_dangling.txt" dangling_abs)
    snapshot() { (cd "$w" && find . -path ./sandbox -prune -o -print0 | sort -z |
                  xargs -0 stat -c '%n %s %Y %h %F' && cat secret.txt outside/secret2.txt ro/ro.txt); }
    snapshot > "$scratch/out/before.txt"
    # The read-only flag is spelled HOST::GUEST:ro (see `hull run --help`).
    timeout 120 "$hull" run --dir "$w/sandbox::/" --dir "$w/ro::/ro:ro" "$guest" \
      "$w/secret.txt" "$w/outside" > "$scratch/out/escape.out" 2> "$scratch/out/escape.err"
    rc=$?
    cat "$scratch/out/escape.out"
    sed 's/^/  hull stderr: /' "$scratch/out/escape.err" | head -5
    snapshot > "$scratch/out/after.txt"
    if [ $rc != 0 ]; then fail "escape tester exited $rc (1 = something escaped, 2 = bad setup)"; fi
    grep -q '^ESCAPED' "$scratch/out/escape.out" && fail "escapes reported above"
    grep -q ' 0 escaped, 0 sanity failures$' "$scratch/out/escape.out" ||
      fail "escape tester did not finish cleanly"
    if ! cmp -s "$scratch/out/before.txt" "$scratch/out/after.txt"; then
      fail "the host outside the sandbox (or the read-only dir) changed:"
      diff "$scratch/out/before.txt" "$scratch/out/after.txt" | sed 's/^/  /'
    else
      pass "nothing outside the sandbox changed on the host"
    fi
    ;;
  sjlj.* | exceptions.*)
    # Wasm exception handling (eh/): the whole program is the test; its exit code travels too.
    run_case plain $null
    run_case exit_code $null with-argument
    ;;
  *) echo "error: unknown case '$case_name'" >&2; exit 1;;
esac

if [ $failures != 0 ]; then echo "$case_name: $failures check(s) FAILED"; exit 1; fi
echo "$case_name: all checks passed"
