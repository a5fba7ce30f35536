// Instruction skipping driven by spec/opcodes.def: read an opcode, skip its immediates, and
// find the end of a constant expression without interpreting it.
#pragma once

#include "base/reader.h"
#include "spec/opcodes.h"

namespace hull {

// Reads an opcode (one byte, or a 0xFB/0xFC/0xFD prefix + u32 code) into *op.
// Error: "illegal opcode XX" / "illegal opcode XX YY" (the reference interpreter's wording).
bool read_opcode(Reader& r, Op* op);

// Skips the immediates that follow `op` (LEB128 checked exactly; memarg flags must be < 0x80:
// "malformed memop flags"; br_on_cast flags: "malformed br_on_cast flags"; try_table catch
// kinds: "malformed catch clause").
bool skip_immediates(Reader& r, Op op);

// Skips a constant expression: every instruction up to and including the `end` (0x0B) that
// closes it, with nested blocks balanced (iteratively, so nesting cannot exhaust the stack).
// What is allowed in a constant expression is the validator's business; this only finds the
// extent. Errors: "END opcode expected" for a stray `else`, "unexpected end ..." at EOF, plus
// opcode/immediate errors.
bool skip_const_expr(Reader& r);

}  // namespace hull
