// WebAssembly types: value types, reference/heap types, composite (func/struct/array) types,
// limits, and the external types of imports/exports. Plain data shared by every layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hull {

enum class ValKind : uint8_t { I32, I64, F32, F64, V128, Ref, Bot };

// Abstract heap types, plus Concrete for a type index.
enum class HeapKind : uint8_t {
  Func, Extern, Any, Eq, I31, Struct, Array, Exn,
  None, NoFunc, NoExtern, NoExn,  // bottom types of the four hierarchies
  Concrete,                       // `index` names a type in the module's type section
  Bot,                            // validator-internal: unknown heap type in dead code
};

// A value type. For references: nullability and the heap type; `index` is the type index when
// heap == Concrete (relative to the module that defines it).
struct ValType {
  ValKind kind = ValKind::I32;
  bool nullable = false;
  HeapKind heap = HeapKind::Func;
  uint32_t index = 0;

  static constexpr ValType i32() { return {ValKind::I32, false, HeapKind::Func, 0}; }
  static constexpr ValType i64() { return {ValKind::I64, false, HeapKind::Func, 0}; }
  static constexpr ValType f32() { return {ValKind::F32, false, HeapKind::Func, 0}; }
  static constexpr ValType f64() { return {ValKind::F64, false, HeapKind::Func, 0}; }
  static constexpr ValType v128() { return {ValKind::V128, false, HeapKind::Func, 0}; }
  static constexpr ValType bot() { return {ValKind::Bot, false, HeapKind::Bot, 0}; }
  static constexpr ValType ref(HeapKind h, bool nullable, uint32_t index = 0) {
    return {ValKind::Ref, nullable, h, index};
  }
  static constexpr ValType funcref() { return ref(HeapKind::Func, true); }
  static constexpr ValType externref() { return ref(HeapKind::Extern, true); }

  bool is_ref() const { return kind == ValKind::Ref; }
  bool is_num() const { return kind <= ValKind::F64; }
  // Number of 8-byte interpreter slots the value occupies.
  unsigned slots() const { return kind == ValKind::V128 ? 2 : 1; }

  friend bool operator==(const ValType& a, const ValType& b) {
    if (a.kind != b.kind) return false;
    if (a.kind != ValKind::Ref) return true;
    return a.nullable == b.nullable && a.heap == b.heap &&
           (a.heap != HeapKind::Concrete || a.index == b.index);
  }
};

// Text form of a type, as the text format spells it ("i32", "funcref", "(ref null 3)").
std::string to_string(const ValType& t);
// An abstract heap type's name in the text format ("func", "extern", "noexn", …); "" for
// Concrete (whose name is its index).
const char* heap_kind_name(HeapKind h);
// The top of the hierarchy an abstract heap type belongs to (Func, Extern, Any or Exn); Bot for
// Concrete (its module's type says) and Bot.
HeapKind abstract_top(HeapKind h);

// Storage type of a struct/array field: a value type or a packed i8/i16.
enum class Packed : uint8_t { NotPacked, I8, I16 };
struct FieldType {
  ValType type;
  Packed packed = Packed::NotPacked;
  bool mut = false;
};

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  friend bool operator==(const FuncType&, const FuncType&) = default;
};

enum class CompositeKind : uint8_t { Func, Struct, Array };

// One entry of the type section: a (sub)type inside a recursion group.
struct SubType {
  CompositeKind kind = CompositeKind::Func;
  bool final = true;
  std::vector<uint32_t> supers;   // at most one in Wasm 3.0
  FuncType func;                  // kind == Func
  std::vector<FieldType> fields;  // kind == Struct (fields) or Array (exactly one)
  uint32_t rec_group = 0;         // index of the first type of its recursion group
  uint32_t rec_size = 1;          // number of types in its recursion group
};

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool is64 = false;   // memory64 / table64: addresses are i64
  bool shared = false;
};

struct TableType {
  ValType elem = ValType::funcref();
  Limits limits;
};

struct MemoryType {
  Limits limits;            // in pages
  uint32_t page_size_log2 = 16;
};

struct GlobalType {
  ValType type;
  bool mut = false;
};

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };
const char* extern_kind_name(ExternKind k);

// Maximum page counts the spec allows (for validation of limits), with 64 KiB pages.
constexpr uint64_t kMaxPages32 = 65536;            // 4 GiB / 64 KiB
constexpr uint64_t kMaxPages64 = uint64_t(1) << 48;  // 2^64 / 64 KiB

// The most pages a memory of type T may have (custom-page-sizes: any page size): its bytes
// must be addressable (2^32 or 2^64), and its page count, which memory.size returns, must fit
// the address type (so 1-byte pages stop at 2^32-1, not 2^32).
// Total for any exponent, though only 0 and 16 validate.
constexpr uint64_t max_memory_pages(const MemoryType& t) {
  const unsigned addr_bits = t.limits.is64 ? 64 : 32;
  if (t.page_size_log2 > addr_bits) return 0;  // not one page is addressable
  const unsigned bits = addr_bits - t.page_size_log2;
  const uint64_t addressable_pages = bits >= 64 ? UINT64_MAX : uint64_t(1) << bits;
  const uint64_t index_max = addr_bits == 64 ? UINT64_MAX : uint64_t(0xFFFFFFFF);
  return addressable_pages < index_max ? addressable_pages : index_max;
}

}  // namespace hull
