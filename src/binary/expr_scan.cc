// Instruction skipping for constant expressions, using the immediate kinds of opcodes.def.
#include "binary/expr_scan.h"

#include <cstdio>
#include <vector>

#include "binary/types_decode.h"

namespace hull {

namespace {

bool illegal(Reader& r, size_t at, uint32_t b) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "illegal opcode %02x", b);
  return r.fail_dynamic(buf, at);
}

bool illegal2(Reader& r, size_t at, uint8_t b, uint32_t code) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "illegal opcode %02x %02x", b, code);
  return r.fail_dynamic(buf, at);
}

bool skip_u32s(Reader& r, uint32_t n) {
  uint32_t v;
  for (uint32_t i = 0; i < n; ++i) {
    if (!r.u32(&v)) return false;
  }
  return true;
}

bool skip_memarg(Reader& r) {
  size_t at = r.offset();
  uint32_t flags;
  if (!r.u32(&flags)) return false;
  if (flags >= 0x80) return r.fail("malformed memop flags", at);
  uint32_t mem;
  if ((flags & 0x40) && !r.u32(&mem)) return false;
  uint64_t offset;
  return r.u64(&offset);
}

bool skip_lane(Reader& r) {
  uint8_t lane;
  return r.u8_leb(&lane);
}

}  // namespace

bool read_opcode(Reader& r, Op* op) {
  size_t at = r.offset();
  uint8_t b;
  if (!r.u8(&b)) return false;
  if (b == 0xFB || b == 0xFC || b == 0xFD || b == 0xFE) {
    uint32_t code;
    if (!r.u32(&code)) return false;
    if (op_from_prefixed(b, code, op)) return true;
    // The reference names unknown SIMD opcodes by their code alone.
    return b == 0xFD ? illegal(r, at, code) : illegal2(r, at, b, code);
  }
  if (op_from_byte(b, op)) return true;
  return illegal(r, at, b);
}

bool skip_immediates(Reader& r, Op op) {
  switch (op_info(op).imm) {
    case ImmKind::None: return true;
    case ImmKind::Block: {
      BlockTypeImm bt;
      return read_blocktype(r, &bt);
    }
    case ImmKind::Label:
    case ImmKind::Func:
    case ImmKind::Type:
    case ImmKind::Local:
    case ImmKind::Global:
    case ImmKind::Table:
    case ImmKind::MemIdx:
    case ImmKind::Data:
    case ImmKind::Elem:
    case ImmKind::Tag: return skip_u32s(r, 1);
    case ImmKind::CallIndirect:
    case ImmKind::DataMem:
    case ImmKind::MemMem:
    case ImmKind::ElemTable:
    case ImmKind::TableTable:
    case ImmKind::TypeField:
    case ImmKind::TypeN:
    case ImmKind::TypeData:
    case ImmKind::TypeElem:
    case ImmKind::TypeType: return skip_u32s(r, 2);
    case ImmKind::BrTable: {
      uint32_t n;
      if (!r.count(&n)) return false;
      return skip_u32s(r, n) && skip_u32s(r, 1);  // labels, then the default
    }
    case ImmKind::Mem: return skip_memarg(r);
    case ImmKind::MemLane: return skip_memarg(r) && skip_lane(r);
    case ImmKind::Lane: return skip_lane(r);
    case ImmKind::Fence: {
      uint8_t ordering;
      return r.u8(&ordering);
    }
    case ImmKind::Shuffle:
      for (int i = 0; i < 16; ++i) {
        if (!skip_lane(r)) return false;
      }
      return true;
    case ImmKind::I32: {
      int32_t v;
      return r.s32(&v);
    }
    case ImmKind::I64: {
      int64_t v;
      return r.s64(&v);
    }
    case ImmKind::F32: return r.skip(4);
    case ImmKind::F64: return r.skip(8);
    case ImmKind::V128: return r.skip(16);
    case ImmKind::HeapType: {
      HeapKind h;
      uint32_t index;
      return read_heaptype(r, &h, &index);
    }
    case ImmKind::SelectT: {
      uint32_t n;
      if (!r.count(&n)) return false;
      ValType t;
      for (uint32_t i = 0; i < n; ++i) {
        if (!read_valtype(r, &t)) return false;
      }
      return true;
    }
    case ImmKind::TryTable: {
      BlockTypeImm bt;
      uint32_t n;
      if (!read_blocktype(r, &bt) || !r.count(&n)) return false;
      for (uint32_t i = 0; i < n; ++i) {
        size_t at = r.offset();
        uint8_t kind;
        if (!r.u8(&kind)) return false;
        if (kind > 3) return r.fail("malformed catch clause", at);
        if (!skip_u32s(r, kind <= 1 ? 2 : 1)) return false;  // catch/catch_ref: tag + label
      }
      return true;
    }
    case ImmKind::BrOnCast: {
      size_t at = r.offset();
      uint8_t flags;
      if (!r.u8(&flags)) return false;
      if (flags & 0xFC) return r.fail("malformed br_on_cast flags", at);
      HeapKind h;
      uint32_t index;
      return skip_u32s(r, 1) && read_heaptype(r, &h, &index) && read_heaptype(r, &h, &index);
    }
  }
  return r.fail("internal: unknown immediate kind");
}

bool skip_const_expr(Reader& r) {
  // Open blocks, innermost last: true for an `if` still expecting its optional `else`.
  std::vector<bool> open;
  for (;;) {
    size_t at = r.offset();
    uint8_t b;
    if (!r.peek(&b)) return r.skip(1);  // records "unexpected end"
    if (b == 0x0B) {  // end
      r.skip(1);
      if (open.empty()) return true;
      open.pop_back();
      continue;
    }
    if (b == 0x05) {  // else: only directly inside an `if` that has none yet
      if (open.empty() || !open.back()) return r.fail("END opcode expected", at);
      r.skip(1);
      open.back() = false;
      continue;
    }
    Op op;
    if (!read_opcode(r, &op) || !skip_immediates(r, op)) return false;
    if (op == Op::block || op == Op::loop || op == Op::try_table) open.push_back(false);
    if (op == Op::if_) open.push_back(true);
  }
}

}  // namespace hull
