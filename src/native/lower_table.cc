// References and tables: a reference is the interpreter's slot word as an i64 (0 for null, a
// Function* for a funcref), so ref.null, ref.is_null, ref.func, ref.as_non_null and
// br_on_null/br_on_non_null are plain IR; the table.* instructions and elem.drop call the
// runtime (native/vm.cc), which does what the interpreter's handlers do.
#include "native/lower.h"
#include "native/vm.h"

namespace hull::native {

using llvm::BasicBlock;
using llvm::Value;

void FunctionLowering::table_op(const Instr& in) {
  llvm::Type* i64 = b_.getInt64Ty();
  // Indices and lengths as the runtime takes them: 64 bits (an i32 operand zero-extended; an
  // operand's type is its table's index type, or for table.copy's length the narrower one).
  auto wide = [&](Value* v) { return v->getType()->isIntegerTy(64) ? v : b_.CreateZExt(v, i64); };
  auto table_is64 = [&](uint32_t t) { return ml_.desc.tables[t].limits.is64; };
  switch (in.op) {
    case Op::ref_null: push(b_.getInt64(0)); return;
    case Op::ref_is_null:
      push(b_.CreateZExt(b_.CreateICmpEQ(pop(), b_.getInt64(0)), b_.getInt32Ty()));
      return;
    case Op::ref_func: {
      Value* funcs = vm_field(VmField::funcs, ml_.ptr_ty, true);
      auto* f = b_.CreateLoad(ml_.ptr_ty, b_.CreateConstInBoundsGEP1_64(ml_.ptr_ty, funcs, in.a));
      f->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ml_.C, {}));
      f->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
      push(b_.CreatePtrToInt(f, i64));
      return;
    }
    case Op::ref_as_non_null:
      trap_if(b_.CreateICmpEQ(stack_.back(), b_.getInt64(0)), TrapKind::NullReference);
      return;
    case Op::br_on_null: {
      // Null: branch with the values below the reference (dropped). Else it stays.
      Value* r = pop();
      Control& c = ctl_[ctl_.size() - 1 - in.a];
      BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
      add_incoming(c, b_.GetInsertBlock());
      b_.CreateCondBr(b_.CreateICmpEQ(r, b_.getInt64(0)), c.target, cont);
      b_.SetInsertPoint(cont);
      push(r);
      return;
    }
    case Op::br_on_non_null: {
      // Non-null: branch with the reference as the label's last value. Null: it is dropped.
      Value* r = stack_.back();
      Control& c = ctl_[ctl_.size() - 1 - in.a];
      BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
      add_incoming(c, b_.GetInsertBlock());
      b_.CreateCondBr(b_.CreateICmpNE(r, b_.getInt64(0)), c.target, cont);
      b_.SetInsertPoint(cont);
      pop();
      return;
    }
    case Op::table_get: {
      Value* i = wide(pop());
      Value* r = b_.CreateCall(ml_.rt_table_get, {vm_, b_.getInt32(in.a), i, b_.getInt32(offset_)});
      check_trapped();
      push(r);
      return;
    }
    case Op::table_set: {
      Value* v = pop();
      Value* i = wide(pop());
      b_.CreateCall(ml_.rt_table_set, {vm_, b_.getInt32(in.a), i, v, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::table_size: {
      Value* n = b_.CreateCall(ml_.rt_table_size, {vm_, b_.getInt32(in.a)});
      push(table_is64(in.a) ? n : b_.CreateTrunc(n, b_.getInt32Ty()));
      return;
    }
    case Op::table_grow: {
      Value* delta = wide(pop());
      Value* init = pop();
      Value* r = b_.CreateCall(ml_.rt_table_grow, {vm_, b_.getInt32(in.a), init, delta});
      push(table_is64(in.a) ? r : b_.CreateTrunc(r, b_.getInt32Ty()));
      return;
    }
    case Op::table_fill: {
      Value* n = wide(pop());
      Value* v = pop();
      Value* i = wide(pop());
      b_.CreateCall(ml_.rt_table_fill, {vm_, b_.getInt32(in.a), i, v, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::table_copy: {
      Value* n = wide(pop());
      Value* s = wide(pop());
      Value* d = wide(pop());
      b_.CreateCall(ml_.rt_table_copy,
                    {vm_, b_.getInt32(in.a), b_.getInt32(in.b), d, s, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::table_init: {
      Value* n = pop();
      Value* s = pop();
      Value* d = wide(pop());
      b_.CreateCall(ml_.rt_table_init,
                    {vm_, b_.getInt32(in.b), b_.getInt32(in.a), d, s, n, b_.getInt32(offset_)});
      check_trapped();
      return;
    }
    case Op::elem_drop: b_.CreateCall(ml_.rt_elem_drop, {vm_, b_.getInt32(in.a)}); return;
    default: return;
  }
}

}  // namespace hull::native
