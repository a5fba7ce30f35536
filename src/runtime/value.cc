// Slot encoding of Vals: how the interpreter and host functions see values.
#include "runtime/value.h"

namespace hull {

// i32/f32 occupy the low 32 bits of one slot, zero-extended; i64/f64 one slot; v128 two slots
// (bytes 0-7 then 8-15, little-endian lanes); references one slot holding the pointer word.
void Val::store_slots(uint64_t* slots) const {
  switch (type.kind) {
    case ValKind::I32: slots[0] = i32; return;
    case ValKind::F32: {
      uint32_t b;
      std::memcpy(&b, &f32, 4);
      slots[0] = b;
      return;
    }
    case ValKind::I64: slots[0] = i64; return;
    case ValKind::F64: std::memcpy(&slots[0], &f64, 8); return;
    case ValKind::V128: std::memcpy(slots, v128.bytes, 16); return;
    case ValKind::Ref: slots[0] = static_cast<uint64_t>(ref); return;
    case ValKind::Bot: slots[0] = 0; return;
  }
}

Val Val::load_slots(ValType t, const uint64_t* slots) {
  switch (t.kind) {
    case ValKind::I32: return from_i32(static_cast<uint32_t>(slots[0]));
    case ValKind::F32: return from_f32_bits(static_cast<uint32_t>(slots[0]));
    case ValKind::I64: return from_i64(slots[0]);
    case ValKind::F64: return from_f64_bits(slots[0]);
    case ValKind::V128: {
      V128 v;
      std::memcpy(v.bytes, slots, 16);
      return from_v128(v);
    }
    case ValKind::Ref: return from_ref(t, static_cast<RefBits>(slots[0]));
    case ValKind::Bot: break;
  }
  Val v;
  v.type = t;
  return v;
}

}  // namespace hull
