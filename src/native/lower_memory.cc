// Memory instructions on any memory of the instance: loads and stores (the SIMD ones are in
// lower_simd.cc, through effective_address), memory.size/grow/fill/copy/init and data.drop.
// Memory 0's Memory* is a field of the VmCtx; the others' come from Instance::memories
// (VmCtx::memories). Both are fixed for the instance's life; base and size are not.
#include "native/lower.h"
#include "native/vm.h"

namespace hull::native {

using llvm::Value;

Value* FunctionLowering::memory_object(uint32_t index) {
  if (index == 0) return vm_field(VmField::mem0, ml_.ptr_ty, true);
  Value* mems = vm_field(VmField::memories, ml_.ptr_ty, true);
  auto* m = b_.CreateLoad(ml_.ptr_ty, b_.CreateConstInBoundsGEP1_64(ml_.ptr_ty, mems, index));
  m->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ml_.C, {}));
  m->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
  return m;
}

Value* FunctionLowering::memory_size(uint32_t index, bool acquire) {
  Value* mem = memory_object(index);
  if (!acquire && !ml_.mems[index].shared)
    return load_runtime(mem, memory_size_offset(), b_.getInt64Ty());
  // Another thread may grow a shared memory: the size as of its latest growth, as the
  // interpreter reads it (Memory::size_acquire).
  auto* size = b_.CreateAlignedLoad(
      b_.getInt64Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), mem, memory_size_offset()),
      llvm::Align(8));
  size->setAtomic(llvm::AtomicOrdering::Acquire);
  return size;
}

void FunctionLowering::memory_op(const Instr& in) {
  // Addresses and lengths as the runtime takes them: 64 bits (an i32 operand zero-extended; an
  // operand's type is its memory's address type, or for memory.copy's length the narrower one).
  auto wide = [&](Value* v) {
    return v->getType()->isIntegerTy(64) ? v : b_.CreateZExt(v, b_.getInt64Ty());
  };
  switch (in.op) {
    case Op::memory_size: {
      const ModuleLowering::MemInfo& mi = ml_.mems[in.a];
      Value* size = memory_size(in.a);
      Value* pages = b_.CreateLShr(size, mi.page_log2);
      push(mi.is64 ? pages : b_.CreateTrunc(pages, b_.getInt32Ty()));
      return;
    }
    case Op::memory_grow: {
      Value* r = b_.CreateCall(ml_.rt_memory_grow, {vm_, b_.getInt32(in.a), wide(pop())});
      push(ml_.mems[in.a].is64 ? r : b_.CreateTrunc(r, b_.getInt32Ty()));
      return;
    }
    case Op::memory_fill: {
      Value* n = wide(pop());
      Value* value = pop();
      Value* dst = wide(pop());
      b_.CreateCall(ml_.rt_memory_fill,
                    {vm_, b_.getInt32(in.a), dst, value, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::memory_copy: {
      Value* n = wide(pop());
      Value* src = wide(pop());
      Value* dst = wide(pop());
      b_.CreateCall(ml_.rt_memory_copy,
                    {vm_, b_.getInt32(in.a), b_.getInt32(in.b), dst, src, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::memory_init: {
      Value* n = pop();
      Value* src = pop();
      Value* dst = wide(pop());
      b_.CreateCall(ml_.rt_memory_init,
                    {vm_, b_.getInt32(in.b), b_.getInt32(in.a), dst, src, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::data_drop: b_.CreateCall(ml_.rt_data_drop, {vm_, b_.getInt32(in.a)}); return;
    default: return;
  }
}

Value* FunctionLowering::effective_address(const Instr& in, Value* addr, unsigned bytes) {
  Value* mem = memory_object(in.mem.memory);
  // (Read at each access, which LLVM merges until a call or a store the alias analysis cannot
  // tell from the runtime's: growth may move an unguarded memory.)
  Value* base = load_runtime(mem, memory_base_offset(), ml_.ptr_ty);
  Value* a = addr->getType()->isIntegerTy(64) ? addr : b_.CreateZExt(addr, b_.getInt64Ty());
  const uint64_t off = in.mem.offset;
  if (!guarded(in)) {
    Value* size = memory_size(in.mem.memory);
    // addr + offset + bytes <= size, without overflow: offset + bytes > size traps outright,
    // else addr must be at most size - offset - bytes.
    const uint64_t need = off + bytes;  // the validator bounds offset below 2^64 - 16
    Value* too_far = b_.CreateOr(b_.CreateICmpULT(size, b_.getInt64(need)),
                                 b_.CreateICmpUGT(a, b_.CreateSub(size, b_.getInt64(need))));
    if (need < off) too_far = b_.getTrue();
    trap_if(too_far, TrapKind::MemoryOutOfBounds);
  }
  Value* ea = off ? b_.CreateAdd(a, b_.getInt64(off)) : a;
  return b_.CreateInBoundsGEP(b_.getInt8Ty(), base, ea);
}

void FunctionLowering::memory_access(const Instr& in) {
  llvm::Type* i8 = b_.getInt8Ty();
  llvm::Type* i16 = b_.getInt16Ty();
  llvm::Type* i32 = b_.getInt32Ty();
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Type* f32 = b_.getFloatTy();
  llvm::Type* f64 = b_.getDoubleTy();
  struct Access {
    llvm::Type* mem;  // the type in memory
    llvm::Type* val;  // the value's type on the stack
    int ext;          // loads: 0 none, 1 sign, 2 zero
    bool store;
  };
  Access a{};
  switch (in.op) {
    case Op::i32_load: a = {i32, i32, 0, false}; break;
    case Op::i64_load: a = {i64, i64, 0, false}; break;
    case Op::f32_load: a = {f32, f32, 0, false}; break;
    case Op::f64_load: a = {f64, f64, 0, false}; break;
    case Op::i32_load8_s: a = {i8, i32, 1, false}; break;
    case Op::i32_load8_u: a = {i8, i32, 2, false}; break;
    case Op::i32_load16_s: a = {i16, i32, 1, false}; break;
    case Op::i32_load16_u: a = {i16, i32, 2, false}; break;
    case Op::i64_load8_s: a = {i8, i64, 1, false}; break;
    case Op::i64_load8_u: a = {i8, i64, 2, false}; break;
    case Op::i64_load16_s: a = {i16, i64, 1, false}; break;
    case Op::i64_load16_u: a = {i16, i64, 2, false}; break;
    case Op::i64_load32_s: a = {i32, i64, 1, false}; break;
    case Op::i64_load32_u: a = {i32, i64, 2, false}; break;
    case Op::i32_store: a = {i32, i32, 0, true}; break;
    case Op::i64_store: a = {i64, i64, 0, true}; break;
    case Op::f32_store: a = {f32, f32, 0, true}; break;
    case Op::f64_store: a = {f64, f64, 0, true}; break;
    case Op::i32_store8: a = {i8, i32, 0, true}; break;
    case Op::i32_store16: a = {i16, i32, 0, true}; break;
    case Op::i64_store8: a = {i8, i64, 0, true}; break;
    case Op::i64_store16: a = {i16, i64, 0, true}; break;
    case Op::i64_store32: a = {i32, i64, 0, true}; break;
    default: return;
  }
  const unsigned bytes = static_cast<unsigned>(ml_.M.getDataLayout().getTypeStoreSize(a.mem));
  if (a.store) {
    Value* v = pop();
    Value* p = effective_address(in, pop(), bytes);
    if (a.mem != a.val) v = b_.CreateTrunc(v, a.mem);
    auto* st = b_.CreateAlignedStore(v, p, llvm::Align(1), guarded(in));
    st->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_memory);
    return;
  }
  Value* p = effective_address(in, pop(), bytes);
  auto* ld = b_.CreateAlignedLoad(a.mem, p, llvm::Align(1), guarded(in));
  ld->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_memory);
  Value* v = ld;
  if (a.ext == 1) v = b_.CreateSExt(v, a.val);
  if (a.ext == 2) v = b_.CreateZExt(v, a.val);
  push(v);
}

}  // namespace hull::native
