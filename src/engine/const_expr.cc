// A small interpreter for constant expressions, run once per initializer at instantiation.
#include "engine/const_expr.h"

#include <cstring>
#include <vector>

#include "runtime/gc_heap.h"

namespace hull {

namespace {

// Minimal LEB128 reading over validated bytes: the validator already rejected malformed input,
// so running off the end just stops the expression.
class ExprReader {
 public:
  ExprReader(const uint8_t* p, const uint8_t* end) : p_(p), end_(end) {}
  bool done() const { return p_ >= end_; }
  uint8_t byte() { return p_ < end_ ? *p_++ : 0x0B; }
  uint64_t uleb() {
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
      b = byte();
      if (shift < 64) v |= uint64_t(b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) && !done());
    return v;
  }
  int64_t sleb() {
    int64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
      b = byte();
      if (shift < 64) v |= int64_t(uint64_t(b & 0x7F) << shift);
      shift += 7;
    } while ((b & 0x80) && !done());
    // Sign-extend in unsigned arithmetic: -(1 << 63) (a 9-byte LEB, shift 63) overflows.
    if (shift < 64 && (b & 0x40)) v |= static_cast<int64_t>(~uint64_t(0) << shift);
    return v;
  }
  void bytes(void* out, size_t n) {
    if (size_t(end_ - p_) < n) n = size_t(end_ - p_);
    std::memcpy(out, p_, n);
    p_ += n;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// The heap type of `ref.null`: a negative s33 (one byte for abstract types) or a type index.
ValType null_type(int64_t ht) {
  if (ht >= 0) return ValType::ref(HeapKind::Concrete, true, static_cast<uint32_t>(ht));
  switch (static_cast<uint8_t>(ht & 0x7F)) {
    case 0x70: return ValType::ref(HeapKind::Func, true);
    case 0x6F: return ValType::ref(HeapKind::Extern, true);
    case 0x6E: return ValType::ref(HeapKind::Any, true);
    case 0x6D: return ValType::ref(HeapKind::Eq, true);
    case 0x6C: return ValType::ref(HeapKind::I31, true);
    case 0x6B: return ValType::ref(HeapKind::Struct, true);
    case 0x6A: return ValType::ref(HeapKind::Array, true);
    case 0x69: return ValType::ref(HeapKind::Exn, true);
    case 0x71: return ValType::ref(HeapKind::None, true);
    case 0x72: return ValType::ref(HeapKind::NoExtern, true);
    case 0x73: return ValType::ref(HeapKind::NoFunc, true);
    case 0x74: return ValType::ref(HeapKind::NoExn, true);
    default: return ValType::funcref();
  }
}

Error unsupported(const char* what) {
  return Error::make(ErrorKind::Uninstantiable,
                     std::string("unsupported constant expression: ") + what);
}

// The low `size` bytes of `v`'s slot encoding, stored at `p` (a struct field or array element).
void store_val(uint8_t* p, const Val& v, size_t size) {
  uint64_t slots[2] = {0, 0};
  v.store_slots(slots);
  std::memcpy(p, slots, size);
}

Error too_large() {
  return Error::make(ErrorKind::Limit,
                     "constant expression: GC allocation exceeds the store's memory limit");
}

}  // namespace

Result<Val> eval_const_expr(const ModuleDesc& m, ByteRange expr, const Instance& inst, Store& store,
                            const std::vector<uint32_t>& type_ids) {
  if (expr.end > m.bytes.size() || expr.begin > expr.end) {
    return unsupported("range outside the module");
  }
  ExprReader r(m.bytes.data() + expr.begin, m.bytes.data() + expr.end);
  std::vector<Val> stack;
  stack.reserve(4);
  auto binop = [&](bool is64, uint8_t op) -> bool {
    if (stack.size() < 2) return false;
    Val b = stack.back();
    stack.pop_back();
    Val& a = stack.back();
    // Wrapping arithmetic on unsigned values: the spec's modular semantics.
    if (is64) {
      a.i64 = op == 0 ? a.i64 + b.i64 : op == 1 ? a.i64 - b.i64 : a.i64 * b.i64;
    } else {
      a.i32 = op == 0 ? a.i32 + b.i32 : op == 1 ? a.i32 - b.i32 : a.i32 * b.i32;
    }
    return true;
  };
  while (!r.done()) {
    uint8_t op = r.byte();
    switch (op) {
      case 0x0B:  // end
        if (stack.empty()) return unsupported("empty");
        return stack.back();
      case 0x41: stack.push_back(Val::from_i32(static_cast<uint32_t>(r.sleb()))); break;
      case 0x42: stack.push_back(Val::from_i64(static_cast<uint64_t>(r.sleb()))); break;
      case 0x43: {
        uint32_t b;
        r.bytes(&b, 4);
        stack.push_back(Val::from_f32_bits(b));
        break;
      }
      case 0x44: {
        uint64_t b;
        r.bytes(&b, 8);
        stack.push_back(Val::from_f64_bits(b));
        break;
      }
      case 0x23: {  // global.get
        uint64_t idx = r.uleb();
        if (idx >= inst.globals.size() || !inst.globals[idx]) return unsupported("global index");
        stack.push_back(inst.globals[idx]->get());
        break;
      }
      case 0xD0: stack.push_back(Val::from_ref(null_type(r.sleb()), 0)); break;
      case 0xD2: {  // ref.func
        uint64_t idx = r.uleb();
        if (idx >= inst.funcs.size()) return unsupported("function index");
        Function* f = inst.funcs[idx];
        stack.push_back(Val::from_ref(ValType::ref(HeapKind::Func, false),
                                      reinterpret_cast<RefBits>(f)));
        break;
      }
      case 0x6A: case 0x6B: case 0x6C:
        if (!binop(false, op - 0x6A)) return unsupported("stack underflow");
        break;
      case 0x7C: case 0x7D: case 0x7E:
        if (!binop(true, op - 0x7C)) return unsupported("stack underflow");
        break;
      case 0xFB: {
        const uint64_t sub = r.uleb();
        if (sub == 0x1A || sub == 0x1B) break;  // any.convert_extern, extern.convert_any: same word
        if (sub == 0x1C) {                      // ref.i31
          if (stack.empty()) return unsupported("stack underflow");
          stack.back() =
              Val::from_ref(ValType::ref(HeapKind::I31, false), i31_ref(stack.back().i32));
          break;
        }
        const uint64_t x = r.uleb();
        if (x >= type_ids.size()) return unsupported("type index");
        const GcLayout& l = gc_layout(type_ids[x]);
        const uint64_t limit = store.limits.max_memory_bytes;
        const ValType t = ValType::ref(HeapKind::Concrete, false, static_cast<uint32_t>(x));
        GcObject* o = nullptr;
        if (sub == 0 || sub == 1) {  // struct.new, struct.new_default
          if (sub == 0 && stack.size() < l.fields.size()) return unsupported("stack underflow");
          o = store.gc.allocate_struct(l, limit);
          if (!o) return too_large();
          if (sub == 0) {
            const size_t base = stack.size() - l.fields.size();
            for (size_t i = 0; i < l.fields.size(); ++i)
              store_val(o->payload() + l.fields[i].offset, stack[base + i], l.fields[i].size);
            stack.resize(base);
          }
        } else if (sub == 6 || sub == 7) {  // array.new, array.new_default
          if (stack.size() < (sub == 6 ? 2u : 1u)) return unsupported("stack underflow");
          const uint32_t len = stack.back().i32;
          stack.pop_back();
          o = store.gc.allocate_array(l, len, limit);
          if (!o) return too_large();
          if (sub == 6) {
            for (uint32_t i = 0; i < len; ++i)
              store_val(o->payload() + size_t(i) * l.payload_size, stack.back(), l.payload_size);
            stack.pop_back();
          }
        } else if (sub == 8) {  // array.new_fixed
          const uint64_t n = r.uleb();
          if (stack.size() < n) return unsupported("stack underflow");
          o = store.gc.allocate_array(l, static_cast<uint32_t>(n), limit);
          if (!o) return too_large();
          const size_t base = stack.size() - n;
          for (size_t i = 0; i < n; ++i)
            store_val(o->payload() + i * l.payload_size, stack[base + i], l.payload_size);
          stack.resize(base);
        } else {
          return unsupported("GC instruction");
        }
        stack.push_back(Val::from_ref(t, reinterpret_cast<RefBits>(o)));
        break;
      }
      case 0xFD: {
        uint64_t sub = r.uleb();
        if (sub != 12) return unsupported("simd instruction");
        V128 v;
        r.bytes(v.bytes, 16);
        stack.push_back(Val::from_v128(v));
        break;
      }
      default: return unsupported("instruction");
    }
  }
  return unsupported("missing end");
}

}  // namespace hull
