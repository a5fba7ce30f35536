// Decoding of the binary format's type encodings (value, reference, heap and block types)
// from a Reader. Shared by the module decoder and the validator's function-body decoder.
#pragma once

#include <cstdint>

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

}  // namespace hull
