#!/usr/bin/env python3
"""Makes SIMD float NaNs deterministic in generated modules (wasm2wat text, edited in place).

usage: canon_simd_nan.py FILE.wat...
       canon_simd_nan.py --needs X.gen.wasm...   (prints the X of modules that may need it and
                                                renames every other X.gen.wasm to X.wasm)

binaryen 108's --denan handles scalar floats only. A SIMD float op whose input lane is a NaN may
return any arithmetic NaN (spec nondeterminism): binaryen's interpreter returns the canonical
NaN, Hull propagates the input's payload (as x86 does). Those bits then reach integers through
lane reinterpretation (f64x2.extract_lane of two f32 lanes, i32x4 ops, stores), which makes the
engines disagree legitimately. After every SIMD op that can produce such a NaN this inserts
  local.tee $__nan  v128.const <canonical NaNs>  local.get $__nan  local.get $__nan  fNxM.eq
  v128.bitselect
which keeps the non-NaN lanes and replaces NaN lanes by the positive canonical NaN, so both
engines see the same bits. Ops that only move bits (neg, abs, copysign-like, pmin/pmax,
lane moves, loads) are deterministic and left alone.
"""
import os
import re
import sys

F32_OPS = {"add", "sub", "mul", "div", "min", "max", "sqrt", "ceil", "floor", "trunc",
           "nearest", "demote_f64x2_zero"}
F64_OPS = {"add", "sub", "mul", "div", "min", "max", "sqrt", "ceil", "floor", "trunc",
           "nearest", "promote_low_f32x4"}
CANON = {
    "f32x4": "v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000",
    "f64x2": "v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000",
}
# An op alone on its line; as a function's last instruction wasm2wat closes the function on
# the same line ("f64x2.sub)"): the parentheses then move behind the inserted code.
OP = re.compile(r"^(\s*)(f32x4|f64x2)\.([a-z0-9_]+)(\)*)\s*$")
LOCAL = "$__nan"

# The same ops as binary opcodes (after the 0xfd prefix, as u32 LEBs) for --needs.
SIMD_FLOAT_OPCODES = {
    0x67, 0x68, 0x69, 0x6a, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0x5e,  # f32x4
    0x74, 0x75, 0x7a, 0x94, 0xef, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0x5f,  # f64x2
}


def leb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


NEEDLES = [b"\xfd" + leb(op) for op in SIMD_FLOAT_OPCODES]


def may_need(data):
    """Whether a binary may contain one of the ops: a byte search for their encodings finds
    every real occurrence (the shortest LEB form, as binaryen writes it), plus some bytes that
    only look like one; those cost a round trip through text, nothing else."""
    return any(n in data for n in NEEDLES)


def shape_of(line):
    m = OP.match(line)
    if not m:
        return None
    indent, shape, op, closing = m.groups()
    if (shape == "f32x4" and op in F32_OPS) or (shape == "f64x2" and op in F64_OPS):
        return indent, shape, op, closing
    return None


def transform(lines):
    out = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        if not line.lstrip().startswith("(func"):
            out.append(line)
            i += 1
            continue
        # One function: its header, its (local ...) lines, then its body up to the next
        # module field (a line indented like the header).
        indent = len(line) - len(line.lstrip())
        j = i + 1
        while j < n and not (lines[j].strip() and len(lines[j]) - len(lines[j].lstrip()) <= indent):
            j += 1
        body = lines[i + 1:j]
        if not any(shape_of(l) for l in body):
            out.extend(lines[i:j])
            i = j
            continue
        out.append(line)
        k = 0
        while k < len(body) and body[k].lstrip().startswith("(local"):
            out.append(body[k])
            k += 1
        out.append(" " * (indent + 2) + f"(local {LOCAL} v128)\n")
        for l in body[k:]:
            s = shape_of(l)
            if not s:
                out.append(l)
                continue
            ind, shape, op, closing = s
            for ins in (f"{shape}.{op}", f"local.tee {LOCAL}", CANON[shape],
                        f"local.get {LOCAL}", f"local.get {LOCAL}", f"{shape}.eq"):
                out.append(ind + ins + "\n")
            out.append(ind + "v128.bitselect" + closing + "\n")
        i = j
    return out


def needs(paths):
    """Sorts X.gen.wasm files: prints X for those that may need canonicalization, renames the
    others to X.wasm (done, no text round trip: most generated modules have no SIMD float
    arithmetic, and the two wabt processes per module were most of a batch's time)."""
    for path in paths:
        stem = path[: -len(".gen.wasm")]
        with open(path, "rb") as f:
            data = f.read()
        if may_need(data):
            print(stem)
        else:
            os.rename(path, stem + ".wasm")


def main():
    if sys.argv[1:2] == ["--needs"]:
        needs(sys.argv[2:])
        return
    for path in sys.argv[1:]:
        with open(path) as f:
            lines = f.readlines()
        with open(path, "w") as f:
            f.writelines(transform(lines))


if __name__ == "__main__":
    main()
