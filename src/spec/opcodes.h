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

// What follows an opcode in the binary format (Fence: atomic.fence's reserved byte, 0x00).
enum class ImmKind : uint8_t {
  None, Block, Label, BrTable, Func, CallIndirect, Type, Local, Global, Table, Mem, MemIdx,
  I32, I64, F32, F64, V128, HeapType, SelectT, DataMem, Data, MemMem, ElemTable, Elem,
  TableTable, Lane, MemLane, Shuffle, Tag, TryTable, TypeField, TypeN, TypeData, TypeElem,
  TypeType, BrOnCast, Fence,
};

struct OpInfo {
  std::string_view name;  // text mnemonic
  uint8_t prefix;         // 0, 0xFB, 0xFC, 0xFD, 0xFE
  uint32_t code;
  ImmKind imm;
  std::string_view sig;   // "ii:i", or "*" for hand-typed ops
};

extern const OpInfo kOpInfo[kOpCount];

inline const OpInfo& op_info(Op op) { return kOpInfo[static_cast<unsigned>(op)]; }

// Decode table lookups: the Op for a one-byte opcode / a prefixed code, or false if none.
bool op_from_byte(uint8_t byte, Op* out);
bool op_from_prefixed(uint8_t prefix, uint32_t code, Op* out);

// Log2 of the access size of an atomic instruction (threads, prefix 0xFE), read from its
// mnemonic: the bit width after rmw/load/store/wait (`i64.atomic.rmw16.add_u`: 1,
// `memory.atomic.wait64`: 3), else the value type's (`i64.atomic.load`: 3); notify accesses an
// i32. Atomic alignment must be exactly this (validation) and the address a multiple of it
// (execution).
constexpr uint32_t atomic_access_log2(std::string_view name) {
  size_t p = name.find("atomic.");
  if (p == std::string_view::npos) return 0;
  p += 7;
  while (p < name.size() && name[p] >= 'a' && name[p] <= 'z') ++p;  // rmw, load, store, wait
  unsigned bits = 0;
  while (p < name.size() && name[p] >= '0' && name[p] <= '9') bits = bits * 10 + (name[p++] - '0');
  if (bits == 0) bits = name.starts_with("i64") ? 64 : 32;
  return bits == 8 ? 0 : bits == 16 ? 1 : bits == 32 ? 2 : 3;
}
static_assert(atomic_access_log2("i64.atomic.rmw16.add_u") == 1);
static_assert(atomic_access_log2("i32.atomic.rmw.cmpxchg") == 2);
static_assert(atomic_access_log2("memory.atomic.wait64") == 3);
static_assert(atomic_access_log2("memory.atomic.notify") == 2);
static_assert(atomic_access_log2("i64.atomic.load") == 3);
static_assert(atomic_access_log2("i64.atomic.store32") == 2);

// Lookup by text mnemonic (for ref.test/ref.cast returns the non-null row).
bool op_from_name(std::string_view name, Op* out);

}  // namespace hull
