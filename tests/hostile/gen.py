#!/usr/bin/env python3
# Generates the hostile corpus entries that are binary or too large to commit, into OUTDIR.
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


HDR = b"\0asm\x01\0\0\0"
TYPE_V = sec(1, leb(1) + b"\x60\x00\x00")            # (func)
FUNC1 = sec(3, leb(1) + leb(0))
EXPORT_RUN = sec(7, leb(1) + leb(3) + b"run" + b"\x00" + leb(0))


def code(body):
    b = leb(len(body)) + body
    return sec(10, leb(1) + b)


def w(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


# 100k nested blocks (binary) and 100k nested ifs.
N = 100000
w("nested_blocks_100k.wasm",
  HDR + TYPE_V + FUNC1 + EXPORT_RUN + code(b"\x00" + b"\x02\x40" * N + b"\x0b" * N + b"\x0b"))
w("nested_ifs_100k.wasm",
  HDR + TYPE_V + FUNC1 + EXPORT_RUN +
  code(b"\x00" + b"\x41\x01\x04\x40" * N + b"\x0b" * N + b"\x0b"))
# 2^32-1 declared locals (one group) and two groups summing past 2^32.
w("locals_2p32m1.wasm", HDR + TYPE_V + FUNC1 + code(leb(1) + leb(0xFFFFFFFF) + b"\x7f\x0b"))
w("locals_sum_overflow.wasm",
  HDR + TYPE_V + FUNC1 + code(leb(2) + leb(0x80000000) + b"\x7f" + leb(0x80000000) + b"\x7e\x0b"))
# Overlong LEBs: a 6-byte u32 section size, and a u32 with bits beyond 32 in its 5th byte.
w("overlong_leb_size.wasm", HDR + b"\x01\x83\x80\x80\x80\x80\x00" + b"\x01\x60\x00\x00")
w("overlong_leb_bits.wasm", HDR + b"\x01\x04" + b"\xff\xff\xff\xff\x7f")
w("overlong_leb_i32const.wasm",
  HDR + TYPE_V + FUNC1 + code(b"\x00\x41\x80\x80\x80\x80\x80\x00\x1a\x0b"))
# Counts that lie: huge vector counts with few bytes behind them.
w("lying_type_count.wasm", HDR + sec(1, leb(0xFFFFFFF0) + b"\x60\x00\x00"))
w("lying_func_count.wasm", HDR + TYPE_V + sec(3, leb(0x7FFFFFFF) + b"\x00"))
w("lying_data_len.wasm",
  HDR + sec(5, b"\x01\x00\x01") + sec(11, leb(1) + b"\x00\x41\x00\x0b" + leb(0xFFFFFFFF) + b"ab"))
w("lying_br_table.wasm",
  HDR + TYPE_V + FUNC1 + code(b"\x00\x41\x00\x0e" + leb(0xFFFFFFFF) + b"\x00\x00\x0b"))
w("lying_section_size.wasm", HDR + b"\x00" + leb(0x7FFFFFFF) + b"\x04name")
w("lying_locals_groups.wasm", HDR + TYPE_V + FUNC1 + code(leb(0xFFFFFFFF) + b"\x01\x7f\x0b"))
w("lying_export_name.wasm", HDR + sec(7, leb(1) + leb(0xFFFFFFF) + b"run"))
# Truncated, empty and random files.
full = HDR + TYPE_V + FUNC1 + EXPORT_RUN + code(b"\x00\x41\x01\x1a\x0b")
w("truncated_code.wasm", full[:-3])
w("truncated_header.wasm", HDR[:6])
w("empty.wasm", b"")
rnd = random.Random(4)
w("random.wasm", bytes(rnd.randrange(256) for _ in range(4096)))
w("random_after_header.wasm", HDR + bytes(rnd.randrange(256) for _ in range(4096)))
# Deeply nested text-format parens: a valid module with 100k nested blocks, and 1M bare '('.
w("nested_parens_100k.wat",
  b"(module (func (export \"run\")" + b"(block " * N + b")" * N + b"))")
w("open_parens_1m.wat", b"(" * 1000000)
w("nested_exprs_100k.wat",
  b"(module (func (export \"run\") (result i32)" + b"(i32.add (i32.const 1) " * N +
  b"(i32.const 0)" + b")" * N + b"))")
