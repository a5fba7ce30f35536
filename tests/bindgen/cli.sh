#!/usr/bin/env bash
# `hull bindgen` errors: bad WIT names file:line:column and exits non-zero; an unknown world is
# named with the worlds there are; a good run writes DIR/<world>.hh.
#   tests/bindgen/cli.sh path/to/hull
set -u
hull="${1:?usage: cli.sh HULL}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect NAME WANT_STATUS WANT_STDERR_SUBSTRING -- ARGS...
expect() {
  local name="$1" status="$2" want="$3"
  shift 4
  local err
  err="$("$hull" "$@" 2>&1 >/dev/null)"
  local got=$?
  if [[ $got -ne $status || "$err" != *"$want"* ]]; then
    echo "FAIL $name: status $got (want $status), stderr: $err (want: $want)"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
}

printf 'package a:b;\ninterface i {\n  f: func(x: nope);\n}\n' > "$tmp/unknown.wit"
expect unknown-type 1 "$tmp/unknown.wit:3:14: type \`nope\` not found" -- \
  bindgen cpp "$tmp/unknown.wit" -o "$tmp/out"
printf 'package a:b;\ninterface i { f: func() }\n' > "$tmp/syntax.wit"
expect syntax 1 "$tmp/syntax.wit:2:25: expected \`;\`" -- bindgen cpp "$tmp/syntax.wit" -o "$tmp/out"
expect unknown-world 1 "world \`nope\` not found in package \`test:bindgen@0.1.0\` (worlds: demo)" -- \
  bindgen cpp "$here/demo.wit" --world nope -o "$tmp/out"
expect missing-file 1 "no such file or directory" -- bindgen cpp "$tmp/none.wit" -o "$tmp/out"
expect no-out 2 "no -o DIR given" -- bindgen cpp "$here/demo.wit"
expect bad-language 2 "unknown bindings language 'rust'" -- bindgen rust "$here/demo.wit" -o "$tmp/out"
printf 'package a:b;\nworld w { export f: func(s: stream<u8>); }\n' > "$tmp/stream.wit"
expect unsupported 1 "future and stream types are not supported" -- \
  bindgen cpp "$tmp/stream.wit" -o "$tmp/out"

# A directory with deps/ and an explicit world path.
mkdir -p "$tmp/dir/deps/lib"
printf 'package app:main;\nworld app { import lib:util/text@1.0.0; export run: func() -> u32; }\n' \
  > "$tmp/dir/app.wit"
printf 'package lib:util@1.0.0;\ninterface text { upper: func(s: string) -> string; }\n' \
  > "$tmp/dir/deps/lib/text.wit"
if "$hull" bindgen cpp "$tmp/dir" --world app:main/app -o "$tmp/out" &&
   grep -q "class Text" "$tmp/out/app.hh" && grep -q "upper(std::string_view s)" "$tmp/out/app.hh"; then
  passed=$((passed + 1))
else
  echo "FAIL directory: no bindings in $tmp/out/app.hh"
  failed=$((failed + 1))
fi

echo "bindgen cli: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
