// The Op enum and per-op metadata, all generated from spec/opcodes.def.
#pragma once

#include <cstdint>
#include <string_view>

namespace hull {

enum class Op : uint16_t {
#define HULL_OP(name, text, prefix, code, imm, sig) name,
#include "spec/opcodes.def"
#undef HULL_OP
  kCount
};

constexpr unsigned kOpCount = static_cast<unsigned>(Op::kCount);

// What follows an opcode in the binary format.
enum class ImmKind : uint8_t {
  None, Block, Label, BrTable, Func, CallIndirect, Type, Local, Global, Table, Mem, MemIdx,
  I32, I64, F32, F64, V128, HeapType, SelectT, DataMem, Data, MemMem, ElemTable, Elem,
  TableTable, Lane, MemLane, Shuffle, Tag, TryTable, TypeField, TypeN, TypeData, TypeElem,
  TypeType, BrOnCast,
};

struct OpInfo {
  std::string_view name;  // text mnemonic
  uint8_t prefix;         // 0, 0xFB, 0xFC, 0xFD
  uint32_t code;
  ImmKind imm;
  std::string_view sig;   // "ii:i", or "*" for hand-typed ops
};

extern const OpInfo kOpInfo[kOpCount];

inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<unsigned>(op)]; }

// Decode table lookups: the Op for a one-byte opcode / a prefixed code, or false if none.
bool op_from_byte(uint8_t byte, Op* out);
bool op_from_prefixed(uint8_t prefix, uint32_t code, Op* out);

// Lookup by text mnemonic (for ref.test/ref.cast returns the non-null row).
bool op_from_name(std::string_view name, Op* out);

}  // namespace hull
