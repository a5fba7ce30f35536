#!/usr/bin/env python3
"""Compares binaryen's --fuzz-exec transcripts with hull_diff's for one batch of modules.

usage: compare.py BATCH_DIR DIVERGENCE_DIR TAG
BATCH_DIR holds, per module NAME: NAME.wasm, NAME.dat (the random input), NAME.ref (binaryen's
stdout), NAME.refrc (its exit status, or "timeout"); and hull.txt (hull_diff's output for the
whole batch, one "##### MODULE <path>" section per module). Prints one line of counts:
"compared=N skip-<reason>=N ... divergences=N". Every divergent module is copied with both
transcripts and a diff into DIVERGENCE_DIR/TAG-NAME/.

Normalization (only what the spec or the harnesses legitimately differ in):
  - "[trap <message>]" -> "[trap <class>]": engines word trap messages differently, so only
    the kind of trap is compared (trap_class);
  - numbers are compared by value: integers exactly, floats parsed to doubles (binaryen prints
    the shortest round-tripping decimal, hull_diff %.17g), so both sides print the same value;
  - every NaN -> "nan" (sign and payload are nondeterministic);
  - reference values and reference result types -> "REF" (binaryen prints only types);
  - v128 values may differ in lanes that are NaN on both sides (see v128_nan_equivalent);
    such modules count as compared and are also counted as nan-lanes-tolerated.
GC mode (DIFF_MODE=gc, run_gc.sh: binaryen 132 and hull_diff --binaryen132):
  - references are compared as printed, not as "REF": binaryen 132 prints i31 values, host
    externrefs (payloads), "null", "function" and "object(null)", and hull_diff prints the
    same (fuzzing_support.h), so only the numbers inside are normalized;
  - a multi-value result prints one value per line after the first (binaryen's format):
    those bare lines are values too;
  - "[exception thrown: TAG VALUES]" lines: values normalized like loggings;
  - trap classes include GC's (cast, array-oob) and binaryen's segment wording (below);
  - a module Hull rejects is always a divergence: binaryen 132 writes standard Wasm 3.0, and
    node 20's V8 cannot judge GC modules (its GC is pre-standard and behind a flag).
Skipped (counted, not compared): binaryen host limits and its 250-deep "stack limit" trap, Hull
fuel or call-stack exhaustion, generation failures or timeouts of wasm-opt, and modules Hull
rejects that V8's validator (or, without node, wabt's wasm-validate) rejects too: binaryen 108
bugs with reference types, see reference_accepts.
"""
import difflib
import os
import re
import shutil
import subprocess
import sys

NUM = re.compile(
    r"(?<![\w.$])(-?(?:nan(?::0x[0-9a-fA-F]+)?|infinity|inf|"
    r"\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?))(?![\w.])")
REFS = [
    (re.compile(r"\(ref (?:null )?[^()]*\)"), "REF"),
    (re.compile(r"\b[a-z0-9]*ref\([^()]*\)"), "REF"),
    (re.compile(r"\b(?:funcref|anyref|externref|eqref|i31ref|dataref)\b"), "REF"),
]


def norm_number(t):
    neg = t.startswith("-")
    body = t[1:] if neg else t
    if body.startswith("nan"):
        return "nan"
    if body in ("inf", "infinity"):
        return "-inf" if neg else "inf"
    if re.fullmatch(r"\d+", body):
        # Integers print exactly. Outside the i64 range an integer can only be an integral
        # float (binaryen even prints 2^64 as 18446744073709551615): compare it as a double.
        if neg and int(body) == 0:
            return "-0"
        if -2**63 <= int(t) < 2**63:
            return str(int(t))
    f = float(t)
    if f == 0.0:
        return "-0" if neg else "0"
    if f.is_integer() and abs(f) < 2.0**64:
        return str(int(f))
    return repr(f)


def norm_values(text):
    for rx, rep in REFS:
        text = rx.sub(rep, text)
    return NUM.sub(lambda m: norm_number(m.group(1)), text)


GC_MODE = os.environ.get("DIFF_MODE") == "gc"

# Trap messages -> the spec's trap classes, for binaryen's wording (wasm-interpreter.h,
# shell-interface.h) and Hull's (runtime/trap.cc). First match wins.
TRAP_CLASSES = [
    ("defaultable parameters", "non-defaultable-param"),
    ("unreachable", "unreachable"),
    # binaryen 132: "null target in call_indirect", "cast failure in call_indirect" (a null
    # or ill-typed table slot), which Hull words as the spec does (uninitialized element,
    # indirect call type mismatch).
    ("call_indirect", "call-indirect"),
    # GC: binaryen "cast error", Hull "cast failure" (ref.cast, br_on_cast never traps).
    ("cast", "cast"),
    # GC arrays: binaryen "array oob" / "out of bounds array access in array.fill", Hull (and
    # the spec) "out of bounds array access".
    ("array oob", "array-oob"),
    ("array access", "array-oob"),
    # array.new_data / array.init_data past a data segment, or on a dropped one: binaryen
    # "out of bounds segment access in array.new_data" / "dropped segment access in ...";
    # the spec (and Hull) "out of bounds memory access". The _elem forms: "out of bounds
    # table access" in the spec.
    ("_data", "memory-oob"),
    ("_elem", "table-oob"),
    # call_indirect: binaryen says callTable overflow / callIndirect: ... / uninitialized table
    # element, Hull undefined element / uninitialized element / indirect call type mismatch.
    ("callindirect", "call-indirect"),
    ("calltable", "call-indirect"),
    ("uninitialized", "call-indirect"),
    ("undefined element", "call-indirect"),
    ("indirect call", "call-indirect"),
    ("memory", "memory-oob"),            # final/offset/bytes/highest > memory, memory.* ops
    ("by 0", "divide-by-zero"),
    ("divide by zero", "divide-by-zero"),
    ("of nan", "invalid-conversion"),
    ("invalid conversion", "invalid-conversion"),
    ("overflow", "integer-overflow"),    # div_s overflow, truncXFloat overflow
    ("table", "table-oob"),
    ("null", "null-reference"),
]


def trap_class(line):
    """Engines word trap messages differently; compare the kind of trap."""
    msg = line.lower()
    if GC_MODE and "undefined element" in msg:
        # call_indirect past the end of its table: the spec's (and Hull's) message is
        # "undefined element", binaryen 132's "out of bounds table access" (binaryen 108 said
        # "callTable overflow", hence the call-indirect class outside GC mode).
        return "table-oob"
    if GC_MODE and msg.strip() == "[trap oob]":
        # array.copy out of bounds: binaryen 132 says just "oob" (visitArrayCopy), the spec
        # and Hull "out of bounds array access".
        return "array-oob"
    for key, cls in TRAP_CLASSES:
        if key in msg:
            return cls
    return "other"


def normalize(lines):
    """Returns (normalized lines, skip reason or None)."""
    out = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[host limit"):
            return out, "ref-host-limit"
        if line == "[trap stack limit]":
            return out, "ref-stack-limit"
        if line.startswith("[resource"):
            return out, "hull-resource"
        if line.startswith("[trap"):
            out.append("[trap " + trap_class(line) + "]")
        elif GC_MODE and (line.startswith("[LoggingExternalInterface") or
                          line.startswith("[exception thrown:") or
                          line.startswith("[fuzz-exec] note result: ") or
                          not line.startswith("[")):
            # References print alike on both sides in GC mode: only numbers need care.
            out.append(NUM.sub(lambda m: norm_number(m.group(1)), line))
        elif line.startswith("[fuzz-exec] note result: "):
            head, _, val = line.partition(" => ")
            out.append(head + " => " + norm_values(val))
        elif line.startswith("[LoggingExternalInterface logging"):
            out.append(norm_values(line))
        else:
            out.append(line)
    return out, None


# V8's validator through node: WebAssembly.validate, plus the compile error for the record.
NODE_VALIDATE = (
    "const b = require('fs').readFileSync(process.argv[1]);"
    "try { new WebAssembly.Module(b); process.exit(0); }"
    "catch (e) { console.log(e.message); process.exit(3); }"
)


def reference_accepts(path):
    """Whether an independent validator accepts a module Hull rejected: binaryen 108 sometimes
    writes pre-standard typed-function-reference encodings, or ill-typed code, when reference
    types are enabled. V8 (node, NODE or on PATH) judges when it is there; otherwise wabt's
    wasm-validate (WASM_VALIDATE), which is laxer: it accepted a function whose body yields
    funcref for an externref result (seed 200, module 19888), which Hull and V8 reject. With
    neither tool, Hull's rejection counts as a divergence."""
    node = os.environ.get("NODE") or shutil.which("node") or shutil.which("nodejs")
    if node:
        try:
            r = subprocess.run([node, "-e", NODE_VALIDATE, path], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=60)
            if r.returncode in (0, 3):
                return r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            pass
    tool = os.environ.get("WASM_VALIDATE", "wasm-validate")
    try:
        r = subprocess.run([tool, "--enable-tail-call", path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return True
    return r.returncode == 0


def prestandard_encoding(path):
    """Whether V8 (node) rejects a module for binaryen 108's pre-standard typed-function-reference
    encodings (0x6b/0x6c as `(ref $t)`/`(ref null $t)`). Under the final Wasm 3.0 encoding the
    same bytes are other types (0x6c is i31ref): in seed 200, modules 67616 and 70912 have a
    local `(ref null $t)` that Hull reads as an i31ref local followed by `unreachable` (the
    type index byte 0x00), so Hull runs a different, valid module than binaryen does. Asked only
    when transcripts differ."""
    node = os.environ.get("NODE") or shutil.which("node") or shutil.which("nodejs")
    if not node:
        return False
    try:
        r = subprocess.run([node, "-e", NODE_VALIDATE, path], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=60, text=True)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 3 and "experimental-wasm-typed-funcref" in r.stdout


V128 = re.compile(r"i32x4 (0x[0-9a-f]{8}) (0x[0-9a-f]{8}) (0x[0-9a-f]{8}) (0x[0-9a-f]{8})")


def is_nan32(x):
    return (x & 0x7F800000) == 0x7F800000 and (x & 0x007FFFFF) != 0


def is_nan64(x):
    return (x & 0x7FF0000000000000) == 0x7FF0000000000000 and (x & 0x000FFFFFFFFFFFFF) != 0


def v128_nan_equivalent(a, b):
    """Whether two v128 values differ only in NaN lanes: every differing 32-bit lane is a NaN
    on both sides, or every differing 64-bit lane is. A float SIMD op (f32x4.min, ...) may
    return any NaN when an input is a non-canonical NaN, and binaryen 108's --denan does not
    cover v128, so such NaNs reach results."""
    la = [int(x, 16) for x in a]
    lb = [int(x, 16) for x in b]
    if all(x == y or (is_nan32(x) and is_nan32(y)) for x, y in zip(la, lb)):
        return True
    qa = [la[0] | la[1] << 32, la[2] | la[3] << 32]
    qb = [lb[0] | lb[1] << 32, lb[2] | lb[3] << 32]
    return all(x == y or (is_nan64(x) and is_nan64(y)) for x, y in zip(qa, qb))


def lines_equivalent(ref, hull):
    """Line lists equal up to NaN lanes of v128 values; returns (equal, tolerated NaN lanes)."""
    if ref == hull:
        return True, False
    if len(ref) != len(hull):
        return False, False
    for r, h in zip(ref, hull):
        if r == h:
            continue
        vr, vh = V128.findall(r), V128.findall(h)
        if len(vr) != len(vh) or V128.sub("V", r) != V128.sub("V", h):
            return False, False
        if not all(x == y or v128_nan_equivalent(x, y) for x, y in zip(vr, vh)):
            return False, False
    return True, True


def js_stack_overflow(ref_path):
    """Whether binaryen's run (its interpreter compiled to wasm, in node) died of V8's stack
    limit: "RangeError: Maximum call stack size exceeded" in its output."""
    with open(ref_path, errors="replace") as f:
        return any("Maximum call stack size exceeded" in line for line in f)


def read_hull_sections(path):
    sections = {}
    cur = None
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("##### MODULE "):
                cur = os.path.basename(line[len("##### MODULE "):].strip())
                sections[cur] = []
            elif cur is not None:
                sections[cur].append(line)
    return sections


def main():
    batch, divdir, tag = sys.argv[1], sys.argv[2], sys.argv[3]
    counts = {"compared": 0, "divergences": 0}
    hull = read_hull_sections(os.path.join(batch, "hull.txt"))
    names = sorted(n[:-4] for n in os.listdir(batch) if n.endswith(".dat"))
    for name in names:
        wasm = name + ".wasm"
        skip = None
        rc = ""
        rcfile = os.path.join(batch, name + ".refrc")
        if not os.path.exists(os.path.join(batch, wasm)):
            skip = "gen-failed"
        elif os.path.exists(rcfile):
            with open(rcfile) as f:
                rc = f.read().strip()
            if rc in ("124", "152"):  # timeout(1), or SIGXCPU from run.sh's CPU-time limit
                skip = "ref-timeout"
        ref_lines, hull_lines = [], []
        if skip is None:
            with open(os.path.join(batch, name + ".ref"), errors="replace") as f:
                ref, rskip = normalize(f.readlines())
            hl, hskip = normalize(hull.get(wasm, ["[hull-error no transcript (crash?)]\n"]))
            skip = rskip or hskip
            if (skip is None and not GC_MODE and
                    any(l.startswith("[hull-error compile:") for l in hl)):
                if not reference_accepts(os.path.join(batch, wasm)):
                    skip = "gen-invalid"
            ref_lines, hull_lines = ref, hl
            if (skip is None and rc not in ("0", "") and
                    js_stack_overflow(os.path.join(batch, name + ".ref"))):
                # binaryen's interpreter (compiled to wasm, in node) overflowed V8's stack on
                # deep recursion: it could not run the module (run_gc.sh raises the limit).
                skip = "ref-js-stack"
            if skip is None and rc not in ("0", ""):
                # binaryen failed to run a module it generated: record it, do not compare.
                skip = "ref-failed"
        if skip is not None:
            counts["skip-" + skip] = counts.get("skip-" + skip, 0) + 1
            continue
        counts["compared"] += 1
        if os.path.exists(os.path.join(batch, name + ".nocanon")):
            counts["not-nan-canonicalized"] = counts.get("not-nan-canonicalized", 0) + 1
        same, tolerated = lines_equivalent(ref_lines, hull_lines)
        if tolerated:
            counts["nan-lanes-tolerated"] = counts.get("nan-lanes-tolerated", 0) + 1
        if same:
            continue
        if not GC_MODE and prestandard_encoding(os.path.join(batch, wasm)):
            counts["compared"] -= 1
            counts["skip-gen-prestandard"] = counts.get("skip-gen-prestandard", 0) + 1
            continue
        counts["divergences"] += 1
        dest = os.path.join(divdir, tag + "-" + name)
        os.makedirs(dest, exist_ok=True)
        for ext in (".wasm", ".dat", ".ref"):
            src = os.path.join(batch, name + ext)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(dest, "module" + ext))
        with open(os.path.join(dest, "hull.txt"), "w") as f:
            f.writelines(hull.get(wasm, []))
        with open(os.path.join(dest, "diff.txt"), "w") as f:
            f.writelines(l + "\n" for l in difflib.unified_diff(
                ref_lines, hull_lines, "binaryen", "hull", lineterm=""))
    print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
