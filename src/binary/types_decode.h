// Decoding of the binary format's type encodings (value, reference, heap and block types,
// recursive types, limits, table/memory/global/tag types, import descriptions) from a Reader.
// Shared by the module decoder, the validator's function-body decoder and the component
// decoder (core types and core module types inside components).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/reader.h"
#include "spec/types.h"

namespace hull {

// Binary type codes (the spec's negative s7 values as bytes).
namespace typecode {
inline constexpr uint8_t kI32 = 0x7F, kI64 = 0x7E, kF32 = 0x7D, kF64 = 0x7C, kV128 = 0x7B;
inline constexpr uint8_t kI8 = 0x78, kI16 = 0x77;  // packed storage types
inline constexpr uint8_t kRefNull = 0x63, kRef = 0x64;
inline constexpr uint8_t kEmptyBlock = 0x40;
inline constexpr uint8_t kFunc = 0x60, kStruct = 0x5F, kArray = 0x5E;
inline constexpr uint8_t kSub = 0x50, kSubFinal = 0x4F, kRec = 0x4E;
}  // namespace typecode

// The abstract heap type a one-byte code (0x69..0x74) denotes; false if none.
bool abstract_heap_from_byte(uint8_t b, HeapKind* out);

// heaptype: a non-negative s33 type index (-> HeapKind::Concrete, *index) or an abstract
// heap type byte. Errors: "malformed heap type", "integer representation too long".
bool read_heaptype(Reader& r, HeapKind* kind, uint32_t* index);

// reftype: an abstract shorthand (nullable) or 0x63/0x64 + heaptype.
// Errors: "malformed reference type" (+ heaptype errors).
bool read_reftype(Reader& r, ValType* out);

// valtype: number, vector or reference type. A bad byte is "malformed reference type" (the
// reference interpreter tries the reference alternative last).
bool read_valtype(Reader& r, ValType* out);

// Block type of block/loop/if/try_table.
struct BlockTypeImm {
  enum class Kind : uint8_t { Empty, Value, Index } kind = Kind::Empty;
  ValType value;       // Kind::Value
  uint32_t index = 0;  // Kind::Index (a type index)
};
bool read_blocktype(Reader& r, BlockTypeImm* out);

// rectype: 0x4E vec(subtype), or one subtype (a group of one). Appends the group's subtypes to
// *out, each with rec_group = the index in *out of the group's first subtype and rec_size = the
// group's size; if `offsets` is given, appends each subtype's byte offset to it.
// Errors: "malformed definition type", "malformed storage type", "malformed mutability",
// "malformed type index" (+ valtype errors).
bool read_rectype(Reader& r, std::vector<SubType>* out, std::vector<size_t>* offsets = nullptr);
// subtype: (0x50 | 0x4F) vec(typeidx) comptype, or a bare comptype (final, no supertypes).
bool read_subtype(Reader& r, SubType* out);

// limits: flags byte (bit 0: max present, bit 1: shared (memories only), bit 2: 64-bit
// addresses, bit 3: page size (memories only)), u64 min [, u64 max] [, u32 log2 page size].
// PAGE_SIZE_LOG2 is nullptr for tables. Errors: "malformed limits flags", "invalid custom page
// size" (an exponent of 64 or more).
bool read_limits(Reader& r, Limits* out, uint32_t* page_size_log2);
bool read_tabletype(Reader& r, TableType* out);
bool read_memorytype(Reader& r, MemoryType* out);
bool read_globaltype(Reader& r, GlobalType* out);    // "malformed mutability"
bool read_tagtype(Reader& r, uint32_t* type_index);  // "zero byte expected"

// An import's (or core:externtype's) description: a kind byte (0 func, 1 table, 2 memory,
// 3 global, 4 tag) and its type, into out->kind and the matching field of *out (module and
// name untouched). Error: "malformed import kind".
struct Import;
bool read_import_desc(Reader& r, Import* out);

}  // namespace hull
