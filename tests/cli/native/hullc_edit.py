#!/usr/bin/env python3
"""Rewrites one field of a precompiled module (.hullc) and seals it with a valid checksum, so
that tests reach the checks behind the checksum (engine/precompiled.h has the layout):
    hullc_edit.py IN OUT build_id=HEX | version=STR | features=+a,+b"""
import struct
import sys


def checksum(data):
    a, b = 0xcbf29ce484222325, 0x84222325cbf29ce4
    mask = (1 << 64) - 1
    for c in data:
        a = ((a ^ c) * 0x100000001b3) & mask
        b = ((b ^ c ^ 0x5a) * 0x100000001b3) & mask
    return struct.pack("<QQ", a, b)


def fields(data, pos, n):
    out = []
    for _ in range(n):
        (size,) = struct.unpack_from("<Q", data, pos)
        out.append(data[pos + 8:pos + 8 + size])
        pos += 8 + size
    return out, pos


def pack(items):
    return b"".join(struct.pack("<Q", len(x)) + x for x in items)


def main():
    src, dst, edit = sys.argv[1], sys.argv[2], sys.argv[3]
    key, value = edit.split("=", 1)
    data = open(src, "rb").read()[:-16]
    head = data[:12]  # magic, format
    (version, build, tier), pos = fields(data, 12, 3)
    options = data[pos:pos + 1]
    (module, code), _ = fields(data, pos + 1, 2)
    if key == "build_id":
        build = value.encode()
    elif key == "version":
        version = value.encode()
    elif key == "features":
        (llvm, cpu, _), p = fields(code, 0, 3)
        code = pack([llvm, cpu, value.encode()]) + code[p:]
    else:
        sys.exit("unknown field " + key)
    out = head + pack([version, build, tier]) + options + pack([module, code])
    open(dst, "wb").write(out + checksum(out))


main()
