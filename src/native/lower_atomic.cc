// The threads proposal's atomic instructions (prefix 0xFE) on any memory, shared or not.
//
// As in the interpreter (interp/exec_atomic.cc): the effective address must be a multiple of
// the access size ("unaligned atomic", checked first), then it is bounds-checked explicitly,
// also on guarded memories (one trap order whatever the memory), against the size read with
// acquire (another thread's memory.grow of a shared memory is visible to the accesses after
// it). Loads, stores, read-modify-writes and cmpxchg are LLVM atomics, sequentially
// consistent; wait and notify go to the runtime, which calls the interpreter's own code.
#include "native/lower.h"
#include "native/vm.h"

namespace hull::native {

using llvm::Value;

namespace {

enum class AtomicKind { Load, Store, Rmw, Cmpxchg, Wait, Notify };

struct AtomicShape {
  AtomicKind kind;
  llvm::AtomicRMWInst::BinOp rmw = llvm::AtomicRMWInst::BAD_BINOP;
};

bool in_range(Op op, Op first, Op last) {
  return static_cast<unsigned>(op) >= static_cast<unsigned>(first) &&
         static_cast<unsigned>(op) <= static_cast<unsigned>(last);
}

AtomicShape shape_of(Op op) {
  using B = llvm::AtomicRMWInst;
  if (op == Op::memory_atomic_notify) return {AtomicKind::Notify};
  if (op == Op::memory_atomic_wait32 || op == Op::memory_atomic_wait64) return {AtomicKind::Wait};
  if (in_range(op, Op::i32_atomic_load, Op::i64_atomic_load32_u)) return {AtomicKind::Load};
  if (in_range(op, Op::i32_atomic_store, Op::i64_atomic_store32)) return {AtomicKind::Store};
  if (in_range(op, Op::i32_atomic_rmw_add, Op::i64_atomic_rmw32_add_u))
    return {AtomicKind::Rmw, B::Add};
  if (in_range(op, Op::i32_atomic_rmw_sub, Op::i64_atomic_rmw32_sub_u))
    return {AtomicKind::Rmw, B::Sub};
  if (in_range(op, Op::i32_atomic_rmw_and, Op::i64_atomic_rmw32_and_u))
    return {AtomicKind::Rmw, B::And};
  if (in_range(op, Op::i32_atomic_rmw_or, Op::i64_atomic_rmw32_or_u))
    return {AtomicKind::Rmw, B::Or};
  if (in_range(op, Op::i32_atomic_rmw_xor, Op::i64_atomic_rmw32_xor_u))
    return {AtomicKind::Rmw, B::Xor};
  if (in_range(op, Op::i32_atomic_rmw_xchg, Op::i64_atomic_rmw32_xchg_u))
    return {AtomicKind::Rmw, B::Xchg};
  return {AtomicKind::Cmpxchg};
}

}  // namespace

Value* FunctionLowering::atomic_ea(const Instr& in, Value* addr, unsigned bytes) {
  const ModuleLowering::MemInfo& mi = ml_.mems[in.mem.memory];
  Value* a = addr->getType()->isIntegerTy(64) ? addr : b_.CreateZExt(addr, b_.getInt64Ty());
  Value* ea = a;
  Value* overflow = b_.getFalse();
  if (in.mem.offset) {
    if (mi.is64) {
      // A 64-bit sum may wrap: that is out of bounds (its low bits, and so its alignment, are
      // the true address's, as the interpreter's check order relies on).
      Value* sum = b_.CreateBinaryIntrinsic(llvm::Intrinsic::uadd_with_overflow, a,
                                            b_.getInt64(in.mem.offset));
      ea = b_.CreateExtractValue(sum, {0});
      overflow = b_.CreateExtractValue(sum, {1});
    } else {
      ea = b_.CreateAdd(a, b_.getInt64(in.mem.offset));  // < 2^33: no wrap
    }
  }
  if (bytes > 1)
    trap_if(b_.CreateICmpNE(b_.CreateAnd(ea, b_.getInt64(bytes - 1)), b_.getInt64(0)),
            TrapKind::UnalignedAtomic);
  // With acquire on any memory, as the interpreter's atomics read it.
  Value* size = memory_size(in.mem.memory, /*acquire=*/true);
  // ea + bytes > size, without wrapping: ea > size or size - ea < bytes.
  Value* oob = b_.CreateOr(
      overflow, b_.CreateOr(b_.CreateICmpUGT(ea, size),
                            b_.CreateICmpULT(b_.CreateSub(size, ea), b_.getInt64(bytes))));
  trap_if(oob, TrapKind::MemoryOutOfBounds);
  return ea;
}

void FunctionLowering::atomic(const Instr& in) {
  if (in.op == Op::atomic_fence) {
    b_.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent);
    return;
  }
  constexpr auto kOrder = llvm::AtomicOrdering::SequentiallyConsistent;
  const unsigned bytes = 1u << atomic_access_log2(op_info(in.op).name);
  llvm::Type* cell = b_.getIntNTy(bytes * 8);
  const AtomicShape s = shape_of(in.op);
  // The value type of the operands and result: what the op's name starts with (wait and
  // notify produce i32).
  const bool i64_value = op_info(in.op).name[1] == '6';
  llvm::Type* val = i64_value ? b_.getInt64Ty() : b_.getInt32Ty();
  // The cell of an access (the memory's base does not move during it: shared memories never
  // move, and nothing runs between the check and the access).
  auto cell_at = [&](Value* ea) {
    Value* base = load_runtime(memory_object(in.mem.memory), memory_base_offset(), ml_.ptr_ty);
    return b_.CreateInBoundsGEP(b_.getInt8Ty(), base, ea);
  };
  auto narrow = [&](Value* v) { return v->getType() == cell ? v : b_.CreateTrunc(v, cell); };
  auto widen = [&](Value* v) { return v->getType() == val ? v : b_.CreateZExt(v, val); };
  const llvm::Align align(bytes);
  switch (s.kind) {
    case AtomicKind::Load: {
      Value* p = cell_at(atomic_ea(in, pop(), bytes));
      auto* ld = b_.CreateAlignedLoad(cell, p, align);
      ld->setAtomic(kOrder);
      ld->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_memory);
      push(widen(ld));
      return;
    }
    case AtomicKind::Store: {
      Value* v = pop();
      Value* p = cell_at(atomic_ea(in, pop(), bytes));
      auto* st = b_.CreateAlignedStore(narrow(v), p, align);
      st->setAtomic(kOrder);
      st->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_memory);
      return;
    }
    case AtomicKind::Rmw: {
      Value* v = pop();
      Value* p = cell_at(atomic_ea(in, pop(), bytes));
      Value* old = b_.CreateAtomicRMW(s.rmw, p, narrow(v), align, kOrder);
      push(widen(old));
      return;
    }
    case AtomicKind::Cmpxchg: {
      Value* replacement = pop();
      Value* expected = pop();
      Value* p = cell_at(atomic_ea(in, pop(), bytes));
      // The expected operand is wrapped to the cell's width first (as the interpreter does);
      // the result is the cell's old value, whether or not it was replaced.
      auto* x =
          b_.CreateAtomicCmpXchg(p, narrow(expected), narrow(replacement), align, kOrder, kOrder);
      push(widen(b_.CreateExtractValue(x, {0})));
      return;
    }
    case AtomicKind::Wait: {
      Value* timeout = pop();
      Value* expected = pop();
      if (!expected->getType()->isIntegerTy(64))
        expected = b_.CreateZExt(expected, b_.getInt64Ty());
      Value* ea = atomic_ea(in, pop(), bytes);
      Value* r = b_.CreateCall(ml_.rt_atomic_wait,
                               {vm_, b_.getInt32(in.mem.memory), ea, b_.getInt32(bytes), expected,
                                timeout, b_.getInt32(offset_)});
      check_trapped();
      push(r);
      return;
    }
    case AtomicKind::Notify: {
      Value* count = pop();
      Value* ea = atomic_ea(in, pop(), bytes);
      push(b_.CreateCall(ml_.rt_atomic_notify, {vm_, b_.getInt32(in.mem.memory), ea, count}));
      return;
    }
  }
}

}  // namespace hull::native
