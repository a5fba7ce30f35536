#!/usr/bin/env python3
"""Checks canon_simd_nan.transform on wasm2wat-shaped text: every SIMD float op that can yield
a nondeterministic NaN is followed by the canonicalizing sequence, also when it is the last
instruction of a function (wasm2wat closes the function on the op's line), and other code is
left alone. With wabt installed, the transformed module must also assemble and validate.
usage: canon_test.py   (prints "N passed, N failed"; exit status 1 on any failure)"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import canon_simd_nan  # noqa: E402

MODULE = """(module
  (type (;0;) (func (param v128) (result v128)))
  (func (;0;) (type 0) (param v128) (result v128)
    local.get 0
    local.get 0
    f64x2.sub)
  (func (;1;) (type 0) (param v128) (result v128)
    (local i32)
    local.get 0
    f32x4.sqrt
    f32x4.neg
    local.get 0
    f32x4.min
    return)
  (export "last" (func 0))
  (export "middle" (func 1)))
"""

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def find(lines, item):
    return lines.index(item) if item in lines else -1


out = canon_simd_nan.transform(MODULE.splitlines(keepends=True))
text = "".join(out)
lines = [l.strip() for l in out]

# The last instruction of func 0: the op, the sequence, and the closing parenthesis moved.
i = find(lines, "f64x2.sub")
check("last-op-canonicalized",
      i >= 0 and lines[i + 1:i + 7] == ["local.tee $__nan",
                             "v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000",
                             "local.get $__nan", "local.get $__nan", "f64x2.eq",
                             "v128.bitselect)"], str(lines[i:i + 8]))
check("no-op-with-paren-left", "f64x2.sub)" not in text)
# Both f32x4 arithmetic ops of func 1 are followed by the sequence; neg (a bit move) is not.
for op in ("f32x4.sqrt", "f32x4.min"):
    j = find(lines, op)
    check(op, j >= 0 and lines[j + 1] == "local.tee $__nan" and lines[j + 5] == "f32x4.eq"
          and lines[j + 6] == "v128.bitselect", str(lines[j:j + 7]))
k = find(lines, "f32x4.neg")
check("neg-untouched", k >= 0 and lines[k + 1] == "local.get 0", str(lines[k:k + 2]))
check("one-local-per-function", text.count("(local $__nan v128)") == 2)
check("params-untouched", "(param v128) (result v128)" in text)

wat2wasm = shutil.which("wat2wasm")
if wat2wasm:
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "m.wat")
        with open(src, "w") as f:
            f.write(text)
        r = subprocess.run([wat2wasm, src, "-o", os.path.join(d, "m.wasm")],
                           capture_output=True, text=True)
        check("assembles-and-validates", r.returncode == 0, r.stderr)
else:
    print("canon_test: wat2wasm (wabt) not found: the assembly check did not run")
    failed += 1

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
