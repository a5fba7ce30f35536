// Decoding of value/reference/heap/block type encodings, mirroring the reference interpreter's
// choice of error messages (including its backtracking between alternatives).
#include "binary/types_decode.h"

namespace hull {

namespace {
constexpr const char* kMalformedHeapType = "malformed heap type";
constexpr const char* kMalformedRefType = "malformed reference type";
constexpr int64_t kMaxTypeIndex = int64_t(1) << 31;  // the reference keeps indices in int32
}  // namespace

bool abstract_heap_from_byte(uint8_t b, HeapKind* out) {
  switch (b) {
    case 0x74: *out = HeapKind::NoExn; return true;
    case 0x73: *out = HeapKind::NoFunc; return true;
    case 0x72: *out = HeapKind::NoExtern; return true;
    case 0x71: *out = HeapKind::None; return true;
    case 0x70: *out = HeapKind::Func; return true;
    case 0x6F: *out = HeapKind::Extern; return true;
    case 0x6E: *out = HeapKind::Any; return true;
    case 0x6D: *out = HeapKind::Eq; return true;
    case 0x6C: *out = HeapKind::I31; return true;
    case 0x6B: *out = HeapKind::Struct; return true;
    case 0x6A: *out = HeapKind::Array; return true;
    case 0x69: *out = HeapKind::Exn; return true;
    default: return false;
  }
}

bool read_heaptype(Reader& r, HeapKind* kind, uint32_t* index) {
  size_t at = r.offset();
  uint8_t b;
  if (!r.u8(&b)) return false;
  if (b < 0x80) {
    if (!(b & 0x40)) {  // one-byte non-negative s33: a type index
      *kind = HeapKind::Concrete;
      *index = b;
      return true;
    }
    if (abstract_heap_from_byte(b, kind)) return true;
    return r.fail(kMalformedHeapType, at);
  }
  // Multi-byte: only a type index is possible. If the s33 is not a usable index, the
  // reference falls back to the one-byte s7 form, which rejects the continuation bit.
  r.seek(at);
  int64_t v;
  if (r.s33(&v) && v >= 0 && v < kMaxTypeIndex) {
    *kind = HeapKind::Concrete;
    *index = static_cast<uint32_t>(v);
    return true;
  }
  r.clear_error();
  r.seek(at + 1);
  return r.fail(msg::kTooLong, at + 1);
}

// A reference type whose first byte `b` (at offset `at`) was already consumed.
static bool reftype_after_byte(Reader& r, uint8_t b, size_t at, ValType* out) {
  if (b & 0x80) return r.fail(msg::kTooLong, at + 1);
  HeapKind h;
  if (abstract_heap_from_byte(b, &h)) {
    *out = ValType::ref(h, true);
    return true;
  }
  if (b == typecode::kRef || b == typecode::kRefNull) {
    uint32_t index = 0;
    if (!read_heaptype(r, &h, &index)) return false;
    *out = ValType::ref(h, b == typecode::kRefNull, index);
    return true;
  }
  return r.fail(kMalformedRefType, at);
}

bool read_reftype(Reader& r, ValType* out) {
  size_t at = r.offset();
  uint8_t b;
  if (!r.u8(&b)) return false;
  return reftype_after_byte(r, b, at, out);
}

bool read_valtype(Reader& r, ValType* out) {
  size_t at = r.offset();
  uint8_t b;
  if (!r.u8(&b)) return false;
  switch (b) {
    case typecode::kI32: *out = ValType::i32(); return true;
    case typecode::kI64: *out = ValType::i64(); return true;
    case typecode::kF32: *out = ValType::f32(); return true;
    case typecode::kF64: *out = ValType::f64(); return true;
    case typecode::kV128: *out = ValType::v128(); return true;
    default: return reftype_after_byte(r, b, at, out);
  }
}

bool read_blocktype(Reader& r, BlockTypeImm* out) {
  size_t at = r.offset();
  uint8_t b;
  if (!r.peek(&b)) return r.u8(&b);  // records "unexpected end"
  if (b == typecode::kEmptyBlock) {
    r.skip(1);
    out->kind = BlockTypeImm::Kind::Empty;
    return true;
  }
  if (b < 0x40) {  // one-byte non-negative s33: a type index
    r.skip(1);
    out->kind = BlockTypeImm::Kind::Index;
    out->index = b;
    return true;
  }
  if (b >= 0x80) {  // multi-byte s33 type index, else (as the reference) a valtype error
    int64_t v;
    if (r.s33(&v) && v >= 0 && v < kMaxTypeIndex) {
      out->kind = BlockTypeImm::Kind::Index;
      out->index = static_cast<uint32_t>(v);
      return true;
    }
    r.clear_error();
    r.seek(at);
  }
  out->kind = BlockTypeImm::Kind::Value;
  return read_valtype(r, &out->value);
}

}  // namespace hull
