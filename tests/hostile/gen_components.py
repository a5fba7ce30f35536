#!/usr/bin/env python3
# Generates the hostile component entries that are binary or large (manifest-components.txt),
# into OUTDIR: malformed preambles and sections, LEB overflows, lying counts, components and
# types nested past the decoder's limit (100), and type bombs in text form.
import os
import random
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def leb(n):
    b = bytearray()
    while True:
        x = n & 0x7F
        n >>= 7
        if n:
            b.append(x | 0x80)
        else:
            b.append(x)
            return bytes(b)


def sec(sid, body):
    return bytes([sid]) + leb(len(body)) + body


def w(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


P = b"\0asm\x0d\0\x01\0"  # component preamble: version 0x0d, layer 1
TYPE, CANON, IMPORT, ALIAS, COMPONENT, CORE_MODULE = 7, 8, 10, 6, 4, 1

# Preamble only (a valid empty component), truncated, unknown version.
w("c_preamble.wasm", P)
w("c_truncated_preamble.wasm", P[:6])
w("c_bad_version.wasm", b"\0asm\x0e\0\x01\0")
# Section ids past the last one (12), a section size past the end of the file, 2^32-1.
w("c_section_id_14.wasm", P + b"\x0e\x00")
w("c_section_id_255.wasm", P + b"\xff\x00")
w("c_section_past_end.wasm", P + b"\x07\x7f\x01")
w("c_section_size_max.wasm", P + b"\x07" + leb(0xFFFFFFFF) + b"\x01")
# LEB128 overflows: bits beyond 32 in the 5th byte, and a 6-byte encoding.
w("c_leb_too_large.wasm", P + b"\x07\xff\xff\xff\xff\x7f")
w("c_leb_overlong.wasm", P + b"\x07\x80\x80\x80\x80\x80\x00")
# Counts that lie: 2^32-ish items with a byte or two behind them.
w("c_count_types.wasm", P + sec(TYPE, leb(0xFFFFFFF0) + b"\x73"))
w("c_count_decls.wasm", P + sec(TYPE, leb(1) + b"\x41" + leb(0xFFFFFFFF) + b"\x01"))
w("c_count_fields.wasm", P + sec(TYPE, leb(1) + b"\x72" + leb(0xFFFFFFFF) + b"\x01a\x7f"))
w("c_count_canon.wasm", P + sec(CANON, leb(0xFFFFFFFF) + b"\x00"))
w("c_count_imports.wasm", P + sec(IMPORT, leb(0xFFFFFFFF) + b"\x00"))
w("c_count_aliases.wasm", P + sec(ALIAS, leb(0x7FFFFFFF) + b"\x00"))
w("c_name_len.wasm", P + sec(IMPORT, leb(1) + b"\x00" + leb(0xFFFFFFF) + b"f"))
# An embedded core module that is garbage, and one that is truncated.
w("c_core_module_garbage.wasm", P + sec(CORE_MODULE, b"\0asm\x01\0\0\0\x01\x05\xff\xff\xff\xff\xff"))
w("c_core_module_truncated.wasm", P + sec(CORE_MODULE, b"\0asm\x01\0"))
# Random bytes after the preamble.
rnd = random.Random(13)
w("c_random_after_preamble.wasm", P + bytes(rnd.randrange(256) for _ in range(4096)))


def nested_components(n):
    """n components nested in one another (plus the outer one), O(n) to build."""
    sizes = [len(P)]
    for _ in range(n):
        inner = sizes[-1]
        sizes.append(len(P) + 1 + len(leb(inner)) + inner)
    parts = []
    for i in range(n, 0, -1):
        parts.append(P + bytes([COMPONENT]) + leb(sizes[i - 1]))
    parts.append(P)
    return b"".join(parts)


w("c_nested_100.wasm", nested_components(100))
w("c_nested_101.wasm", nested_components(101))
w("c_nested_100k.wasm", nested_components(100000))


def nested_ctypes(n):
    # (component (type (component (type (component ... (type (component)))))))
    return P + sec(TYPE, leb(1) + b"\x41\x01\x01" * n + b"\x41\x00")


w("c_ctype_101.wasm", nested_ctypes(101))
w("c_ctype_1m.wasm", nested_ctypes(1000000))
# Instance types inside instance types: (instance (type (instance ...))).
w("c_itype_1m.wasm", P + sec(TYPE, leb(1) + b"\x42\x01\x01" * 1000000 + b"\x42\x00"))

# Text: components nested 101 (valid: the limit is 100 nested) and 102 deep, and 100k deep;
# a list type nested 100k deep inline.
w("c_text_nested_101.wat", "(component " * 101 + ")" * 101)
w("c_text_nested_102.wat", "(component " * 102 + ")" * 102)
w("c_text_nested_100k.wat", "(component " * 100000 + ")" * 100000)
w("c_text_list_100k.wat", "(component (type " + "(list " * 100000 + "u8" + ")" * 100000 + "))")
# Value types nested 100 deep (the limit; list<u32> is 2 deep) and 101 deep, through type
# indices and inline.
w("c_type_depth_100.wat", "(component (type $t0 (list u32))\n" +
  "".join("(type $t%d (list $t%d))\n" % (i, i - 1) for i in range(1, 99)) + ")")
w("c_type_depth_101.wat", "(component (type $t0 (list u32))\n" +
  "".join("(type $t%d (list $t%d))\n" % (i, i - 1) for i in range(1, 100)) + ")")
w("c_type_inline_100.wat", "(component (type " + "(option " * 99 + "u8" + ")" * 99 + "))")
w("c_type_inline_101.wat", "(component (type " + "(option " * 100 + "u8" + ")" * 100 + "))")
# Type bombs: tuple<t, t> doubled 40 times (2^41 nodes as a tree, a few hundred bytes), and a
# 4-way fan-out 14 deep used by a function (walking it as a tree would take minutes).
w("c_type_bomb_40.wat", "(component (type $t0 (tuple u32 u32))\n" +
  "".join("(type $t%d (tuple $t%d $t%d))\n" % (i, i - 1, i - 1) for i in range(1, 40)) + ")")
w("c_type_fanout_14.wat", "(component (type $t0 (tuple u8 u8))\n" +
  "".join("(type $t%d (tuple $t%d $t%d $t%d $t%d))\n" % ((i,) + (i - 1,) * 4) for i in range(1, 14)) +
  "(core module $m (func (export \"f\") (param i32)))\n"
  "(core instance $i (instantiate $m))\n"
  "(func (export \"f\") (param \"x\" $t13) (canon lift (core func $i \"f\"))))\n")
