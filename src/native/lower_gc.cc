// Wasm GC in machine code: struct, array and i31 instructions, casts and ref.eq.
//
// References are the interpreter's words (runtime/gc_heap.h): a struct or array is a GcObject*
// with its payload kGcPayload bytes in, its length (arrays) at kGcLength; an i31 is
// (value << 1) | 1. Field and element accesses, lengths, i31 and ref.eq are plain loads, stores
// and arithmetic here, at the offsets of the type's layout (which depend on the type's
// structure only, so cached code holds in any process); allocations, the bulk array
// instructions and the casts that need the type hierarchy call the runtime (native/vm_gc.cc).
// Before each allocation the function publishes its roots (lower.h publish_roots): the
// collection an allocation may start sees the function's references there.
#include "native/lower.h"
#include "native/vm.h"
#include "runtime/gc_heap.h"

namespace hull::native {

using llvm::BasicBlock;
using llvm::Value;

namespace {

constexpr uint64_t kGcPayload = GcObject::kHeaderSize;
constexpr uint64_t kGcLength = offsetof(GcObject, length);
constexpr uint32_t kNullStruct = 0, kNullArray = 1, kNullI31 = 2;  // hull_rt_trap_null's

// Bytes a field of `f`'s storage type takes (as GcLayout lays it out).
unsigned field_bytes(const FieldType& f) {
  if (f.packed == Packed::I8) return 1;
  if (f.packed == Packed::I16) return 2;
  switch (f.type.kind) {
    case ValKind::V128: return 16;
    case ValKind::I32:
    case ValKind::F32: return 4;
    default: return 8;  // i64, f64, references
  }
}

// The top of the hierarchy a cast to `t` tests in (interp/lower_gc.cc emit_cast_target).
HeapKind cast_top(const ModuleDesc& m, const ValType& t) {
  if (t.heap != HeapKind::Concrete) return abstract_top(t.heap);
  return m.types[t.index].kind == CompositeKind::Func ? HeapKind::Func : HeapKind::Any;
}

}  // namespace

Value* FunctionLowering::gc_object(Value* ref, uint32_t what) {
  BasicBlock* null = BasicBlock::Create(ml_.C, "null", fn_);
  BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
  llvm::MDBuilder md(ml_.C);
  b_.CreateCondBr(b_.CreateICmpEQ(ref, b_.getInt64(0)), null, cont,
                  md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(null);
  b_.CreateCall(ml_.rt_trap_null, {vm_, b_.getInt32(what), b_.getInt32(offset_)});
  b_.CreateBr(trapped_exit());
  b_.SetInsertPoint(cont);
  return b_.CreateIntToPtr(ref, ml_.ptr_ty);
}

Value* FunctionLowering::load_field(Value* addr, const FieldType& f, bool is_signed) {
  const unsigned bytes = field_bytes(f);
  llvm::LoadInst* v;
  if (f.packed != Packed::NotPacked) {
    v = b_.CreateAlignedLoad(b_.getIntNTy(bytes * 8), addr, llvm::Align(bytes));
    v->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_gc);
    return is_signed ? b_.CreateSExt(v, b_.getInt32Ty()) : b_.CreateZExt(v, b_.getInt32Ty());
  }
  v = b_.CreateAlignedLoad(ml_.llvm_type(f.type), addr, llvm::Align(bytes));
  v->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_gc);
  return v;
}

void FunctionLowering::store_field(Value* addr, const FieldType& f, Value* v) {
  const unsigned bytes = field_bytes(f);
  if (f.packed != Packed::NotPacked) v = b_.CreateTrunc(v, b_.getIntNTy(bytes * 8));
  auto* st = b_.CreateAlignedStore(v, addr, llvm::Align(bytes));
  st->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_gc);
}

Value* FunctionLowering::ref_test(Value* ref, const ValType& t) {
  const HeapKind top = cast_top(ml_.desc, t);
  Value* is_null = b_.CreateICmpEQ(ref, b_.getInt64(0));
  Value* if_null = b_.getInt1(t.nullable);
  // The tests that need no type information: every reference of a hierarchy is of its top
  // type, none of its bottom type, and i31s are the odd words.
  switch (t.heap) {
    case HeapKind::Any:
    case HeapKind::Func:
    case HeapKind::Extern:
    case HeapKind::Exn: return b_.CreateSelect(is_null, if_null, b_.getTrue());
    case HeapKind::None:
    case HeapKind::NoFunc:
    case HeapKind::NoExtern:
    case HeapKind::NoExn: return t.nullable ? is_null : b_.getFalse();  // null, if anything
    case HeapKind::I31: {
      Value* odd = b_.CreateICmpNE(b_.CreateAnd(ref, b_.getInt64(1)), b_.getInt64(0));
      return b_.CreateSelect(is_null, if_null, odd);
    }
    default: break;
  }
  Value* id = t.heap == HeapKind::Concrete ? type_id(t.index) : b_.getInt32(0);
  BasicBlock* from = b_.GetInsertBlock();
  BasicBlock* test = BasicBlock::Create(ml_.C, "cast_test", fn_);
  BasicBlock* done = BasicBlock::Create(ml_.C, "cast_done", fn_);
  b_.CreateCondBr(is_null, done, test);
  b_.SetInsertPoint(test);
  Value* matches =
      b_.CreateCall(ml_.rt_ref_matches, {ref, b_.getInt32(static_cast<uint32_t>(top)),
                                         b_.getInt32(static_cast<uint32_t>(t.heap)), id});
  b_.CreateBr(done);
  b_.SetInsertPoint(done);
  llvm::PHINode* r = b_.CreatePHI(b_.getInt1Ty(), 2);
  r->addIncoming(if_null, from);
  r->addIncoming(matches, test);
  return r;
}

void FunctionLowering::gc_op(const Instr& in) {
  llvm::Type* i32 = b_.getInt32Ty();
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* i8 = b_.getInt8Ty();
  const Op op = in.op;
  auto at = [&](Value* obj, Value* byte_offset) {
    return b_.CreateInBoundsGEP(i8, obj, byte_offset);
  };
  auto at_const = [&](Value* obj, uint64_t byte_offset) {
    return b_.CreateConstInBoundsGEP1_64(i8, obj, byte_offset);
  };
  // The composite type at index `index` and its one field (arrays: the element).
  auto composite = [&](uint32_t index) -> const SubType& { return ml_.desc.types[index]; };
  auto length_of = [&](Value* obj) {
    auto* n = b_.CreateAlignedLoad(i32, at_const(obj, kGcLength), llvm::Align(4));
    n->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_gc);
    return n;
  };
  // The address of element `i` of array `obj` (checked against its length).
  auto element = [&](Value* obj, Value* i, const FieldType& f) {
    trap_if(b_.CreateICmpUGE(i, length_of(obj)), TrapKind::ArrayOutOfBounds);
    Value* off = b_.CreateMul(b_.CreateZExt(i, i64), b_.getInt64(field_bytes(f)));
    return at(obj, b_.CreateAdd(off, b_.getInt64(kGcPayload)));
  };
  // A new object, after publishing the roots (the operands still on the stack among them).
  auto allocate = [&](uint32_t type_index, bool array, Value* length) {
    publish_roots();
    Value* r = b_.CreateCall(ml_.rt_gc_new, {vm_, b_.getInt32(type_index), b_.getInt32(array),
                                             length, b_.getInt32(offset_)});
    check_trapped();
    return r;
  };
  switch (op) {
    case Op::struct_new:
    case Op::struct_new_default: {
      const SubType& ct = composite(in.a);
      Value* r = allocate(in.a, false, b_.getInt32(0));
      if (op == Op::struct_new) {
        const GcLayout& l = gc_layout(ml_.type_ids[in.a]);
        Value* obj = b_.CreateIntToPtr(r, ml_.ptr_ty);
        for (size_t i = ct.fields.size(); i-- > 0;)
          store_field(at_const(obj, kGcPayload + l.fields[i].offset), ct.fields[i], pop());
      }
      push(r);
      return;
    }
    case Op::struct_get:
    case Op::struct_get_s:
    case Op::struct_get_u: {
      const FieldType& f = composite(in.a).fields[in.b];
      const GcLayout& l = gc_layout(ml_.type_ids[in.a]);
      Value* obj = gc_object(pop(), kNullStruct);
      push(
          load_field(at_const(obj, kGcPayload + l.fields[in.b].offset), f, op == Op::struct_get_s));
      return;
    }
    case Op::struct_set: {
      const FieldType& f = composite(in.a).fields[in.b];
      const GcLayout& l = gc_layout(ml_.type_ids[in.a]);
      Value* v = pop();
      Value* obj = gc_object(pop(), kNullStruct);
      store_field(at_const(obj, kGcPayload + l.fields[in.b].offset), f, v);
      return;
    }
    case Op::array_new:
    case Op::array_new_default: {
      Value* len = stack_.back();
      Value* r = allocate(in.a, true, len);
      pop();
      if (op == Op::array_new) {
        Value* v = pop();
        auto* c = llvm::dyn_cast<llvm::Constant>(v);
        if (!c || !c->isNullValue()) {  // a new array is zeroed already
          llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
          llvm::AllocaInst* value = ab.CreateAlloca(i64, b_.getInt32(2));
          to_slot(v, value);  // the runtime copies its low bytes (packed: truncated)
          b_.CreateCall(ml_.rt_array_fill,
                        {vm_, r, b_.getInt32(0), value, len, b_.getInt32(offset_)});
        }
      }
      push(r);
      return;
    }
    case Op::array_new_fixed: {
      const FieldType& f = composite(in.a).fields[0];
      Value* r = allocate(in.a, true, b_.getInt32(in.b));
      Value* obj = b_.CreateIntToPtr(r, ml_.ptr_ty);
      for (uint32_t i = in.b; i-- > 0;)
        store_field(at_const(obj, kGcPayload + uint64_t(i) * field_bytes(f)), f, pop());
      push(r);
      return;
    }
    case Op::array_new_data:
    case Op::array_new_elem: {
      publish_roots();
      Value* n = pop();
      Value* s = pop();
      Value* r =
          b_.CreateCall(op == Op::array_new_data ? ml_.rt_array_new_data : ml_.rt_array_new_elem,
                        {vm_, b_.getInt32(in.a), b_.getInt32(in.b), s, n, b_.getInt32(offset_)});
      check_trapped();
      push(r);
      return;
    }
    case Op::array_get:
    case Op::array_get_s:
    case Op::array_get_u: {
      const FieldType& f = composite(in.a).fields[0];
      Value* i = pop();
      Value* obj = gc_object(pop(), kNullArray);
      push(load_field(element(obj, i, f), f, op == Op::array_get_s));
      return;
    }
    case Op::array_set: {
      const FieldType& f = composite(in.a).fields[0];
      Value* v = pop();
      Value* i = pop();
      Value* obj = gc_object(pop(), kNullArray);
      store_field(element(obj, i, f), f, v);
      return;
    }
    case Op::array_len: push(length_of(gc_object(pop(), kNullArray))); return;
    case Op::array_fill: {
      Value* n = pop();
      Value* v = pop();
      Value* d = pop();
      Value* a = pop();
      llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
      llvm::AllocaInst* value = ab.CreateAlloca(i64, b_.getInt32(2));
      to_slot(v, value);
      b_.CreateCall(ml_.rt_array_fill, {vm_, a, d, value, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::array_copy: {
      Value* n = pop();
      Value* s = pop();
      Value* src = pop();
      Value* d = pop();
      Value* dst = pop();
      b_.CreateCall(ml_.rt_array_copy, {vm_, dst, d, src, s, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::array_init_data:
    case Op::array_init_elem: {
      Value* n = pop();
      Value* s = pop();
      Value* d = pop();
      Value* a = pop();
      b_.CreateCall(op == Op::array_init_data ? ml_.rt_array_init_data : ml_.rt_array_init_elem,
                    {vm_, a, d, b_.getInt32(in.b), s, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::ref_test:
    case Op::ref_test_null: push(b_.CreateZExt(ref_test(pop(), in.ref_type), i32)); return;
    case Op::ref_cast:
    case Op::ref_cast_null:
      trap_if(b_.CreateNot(ref_test(stack_.back(), in.ref_type)), TrapKind::CastFailure);
      return;
    case Op::br_on_cast:
    case Op::br_on_cast_fail: {
      // The reference stays on the stack either way (the label's last value when it branches).
      Value* ok = ref_test(stack_.back(), in.ref_type2);
      Value* cond = op == Op::br_on_cast ? ok : b_.CreateNot(ok);
      Control& c = ctl_[ctl_.size() - 1 - in.a];
      BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
      add_incoming(c, b_.GetInsertBlock());
      b_.CreateCondBr(cond, c.target, cont);
      b_.SetInsertPoint(cont);
      return;
    }
    case Op::any_convert_extern:
    case Op::extern_convert_any: return;  // the same word in the other hierarchy
    case Op::ref_i31: {
      Value* v = b_.CreateZExt(b_.CreateAnd(pop(), b_.getInt32(0x7FFFFFFF)), i64);
      push(b_.CreateOr(b_.CreateShl(v, 1), b_.getInt64(1)));
      return;
    }
    case Op::i31_get_s:
    case Op::i31_get_u: {
      Value* r = pop();
      gc_object(r, kNullI31);
      Value* v = b_.CreateTrunc(b_.CreateLShr(r, 1), i32);  // bit 30 is the sign
      push(op == Op::i31_get_s ? b_.CreateAShr(b_.CreateShl(v, 1), 1)
                               : b_.CreateAnd(v, b_.getInt32(0x7FFFFFFF)));
      return;
    }
    case Op::ref_eq: {
      Value* y = pop();
      Value* x = pop();
      push(b_.CreateZExt(b_.CreateICmpEQ(x, y), i32));
      return;
    }
    default: return;
  }
}

}  // namespace hull::native
