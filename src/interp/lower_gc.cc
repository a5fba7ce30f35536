// GC lowering: struct, array, i31 and cast instructions to slot code (operand layouts beside
// the handlers in exec_gc.cc).
#include "interp/lowering_sink.h"

namespace hull::interp::lowering {

const GcLayout& LoweringSink::layout_of(uint32_t type_index) const {
  return gc_layout(type_ids_[type_index]);
}
void LoweringSink::emit_layout(uint32_t type_index) {
  Word w;
  w.ptr = &layout_of(type_index);
  code_.push_back(w);
}
// [top][target][type id][nullable] of a cast to `t`.
void LoweringSink::emit_cast_target(const ValType& t) {
  HeapKind top;
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc: top = HeapKind::Func; break;
    case HeapKind::Extern:
    case HeapKind::NoExtern: top = HeapKind::Extern; break;
    case HeapKind::Exn:
    case HeapKind::NoExn: top = HeapKind::Exn; break;
    case HeapKind::Concrete:
      top = m_.types[t.index].kind == CompositeKind::Func ? HeapKind::Func : HeapKind::Any;
      break;
    default: top = HeapKind::Any; break;
  }
  emit_u(static_cast<uint64_t>(top));
  emit_u(static_cast<uint64_t>(t.heap));
  emit_u(t.heap == HeapKind::Concrete ? type_ids_[t.index] : 0);
  emit_u(t.nullable);
}
// Pops `n` operands; their source words in stack order.
std::vector<uint64_t> LoweringSink::pop_sources(size_t n) {
  std::vector<uint64_t> srcs(n);
  for (size_t i = n; i-- > 0;) srcs[i] = pop().src * 8;
  return srcs;
}
void LoweringSink::lower_gc(const Instr& in) {
  const Op op = in.op;
  switch (op) {
    case Op::struct_new:
    case Op::array_new_fixed: {
      const GcLayout& l = layout_of(in.a);
      const size_t n = op == Op::struct_new ? l.fields.size() : in.b;
      std::vector<uint64_t> srcs = pop_sources(n);
      Entry d = push(1);
      emit_h(op == Op::struct_new ? h::struct_new : h::array_new_fixed);
      emit_dst(d);
      emit_layout(in.a);
      emit_u(n);
      for (uint64_t w : srcs) emit_u(w);
      return;
    }
    case Op::struct_new_default: {
      Entry d = push(1);
      emit_h(h::struct_new_default);
      emit_dst(d);
      emit_layout(in.a);
      return;
    }
    case Op::struct_get:
    case Op::struct_get_s:
    case Op::struct_get_u: {
      const GcField& f = layout_of(in.a).fields[in.b];
      Entry r = pop();
      Entry d = push(f.size == 16 ? 2 : 1);
      emit_h(h::struct_get);
      emit_dst(d);
      emit_u(r.src * 8);
      emit_u(f.offset);
      emit_u(static_cast<uint64_t>(field_mode(f, op == Op::struct_get_s)));
      return;
    }
    case Op::struct_set: {
      const GcField& f = layout_of(in.a).fields[in.b];
      Entry v = pop(), r = pop();
      emit_h(h::struct_set);
      emit_u(r.src * 8);
      emit_u(v.src * 8);
      emit_u(f.offset);
      emit_u(f.size);
      patch_pos_ = kNoPatch;
      return;
    }
    case Op::array_new:
    case Op::array_new_default: {
      std::vector<uint64_t> srcs = pop_sources(op == Op::array_new ? 2 : 1);
      Entry d = push(1);
      emit_h(op == Op::array_new ? h::array_new : h::array_new_default);
      emit_dst(d);
      emit_layout(in.a);
      for (uint64_t w : srcs) emit_u(w);
      return;
    }
    case Op::array_new_data:
    case Op::array_new_elem: {
      std::vector<uint64_t> srcs = pop_sources(2);
      Entry d = push(1);
      emit_h(op == Op::array_new_data ? h::array_new_data : h::array_new_elem);
      emit_dst(d);
      emit_layout(in.a);
      for (uint64_t w : srcs) emit_u(w);
      emit_u(in.b);
      return;
    }
    case Op::array_get:
    case Op::array_get_s:
    case Op::array_get_u: {
      const GcField& f = layout_of(in.a).fields[0];
      std::vector<uint64_t> srcs = pop_sources(2);
      Entry d = push(f.size == 16 ? 2 : 1);
      emit_h(h::array_get);
      emit_dst(d);
      for (uint64_t w : srcs) emit_u(w);
      emit_u(static_cast<uint64_t>(field_mode(f, op == Op::array_get_s)));
      return;
    }
    case Op::array_set:
    case Op::array_fill:
    case Op::array_init_data: {
      const GcField& f = layout_of(in.a).fields[0];
      std::vector<uint64_t> srcs = pop_sources(op == Op::array_set ? 3 : 4);
      emit_h(op == Op::array_set    ? h::array_set
             : op == Op::array_fill ? h::array_fill
                                    : h::array_init_data);
      for (uint64_t w : srcs) emit_u(w);
      if (op == Op::array_init_data) emit_u(in.b);
      emit_u(f.size);
      patch_pos_ = kNoPatch;
      return;
    }
    case Op::array_init_elem: {
      std::vector<uint64_t> srcs = pop_sources(4);
      emit_h(h::array_init_elem);
      for (uint64_t w : srcs) emit_u(w);
      emit_u(in.b);
      patch_pos_ = kNoPatch;
      return;
    }
    case Op::array_copy: {
      std::vector<uint64_t> srcs = pop_sources(5);
      emit_h(h::array_copy);
      for (uint64_t w : srcs) emit_u(w);
      emit_u(layout_of(in.a).fields[0].size);
      patch_pos_ = kNoPatch;
      return;
    }
    case Op::array_len: return simple(h::array_len, 1, 1);
    case Op::ref_test:
    case Op::ref_test_null:
    case Op::ref_cast:
    case Op::ref_cast_null: {
      Entry r = pop();
      Entry d = push(1);
      emit_h(op == Op::ref_test || op == Op::ref_test_null ? h::ref_test : h::ref_cast);
      emit_dst(d);
      emit_u(r.src * 8);
      emit_cast_target(in.ref_type);
      return;
    }
    case Op::br_on_cast:
    case Op::br_on_cast_fail: {
      // Jump over an ordinary branch (carrying the reference as its last label value) when
      // the branch is not taken; the reference stays on the stack either way.
      emit_h(h::br_on_cast_skip);
      emit_u(stack_.back().src * 8);
      const uint32_t skip = pc();
      relocs_.push_back(pc());
      emit_u(0);
      emit_cast_target(in.ref_type2);
      emit_u(op == Op::br_on_cast ? 0 : 1);
      lower_br(in.a);
      code_[skip].u = pc();
      patch_pos_ = kNoPatch;
      return;
    }
    case Op::any_convert_extern:
    case Op::extern_convert_any: {
      // The same word in the other hierarchy (runtime/gc_heap.h): no code.
      Entry e = pop();
      Entry& d = push_entry(e.n);
      d.src = e.src;
      return;
    }
    case Op::ref_i31: return simple(h::ref_i31, 1, 1);
    case Op::i31_get_s: return simple(h::i31_get_s, 1, 1);
    case Op::i31_get_u: return simple(h::i31_get_u, 1, 1);
    default:
      if (!error_)
        error_ =
            Error::make(ErrorKind::Limit, std::string("interpreter: unsupported instruction ") +
                                              std::string(op_info(op).name));
      return;
  }
}

}  // namespace hull::interp::lowering
