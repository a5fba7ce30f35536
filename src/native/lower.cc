#include "native/lower.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Verifier.h>

#include <algorithm>
#include <optional>

#include "native/support.h"
#include "native/vm.h"
#include "runtime/interrupt.h"

namespace hull::native {

using llvm::BasicBlock;
using llvm::Value;

namespace {

// The interpreter's slot convention: a value in the 8-byte slot(s) at `slot` -- the low bytes,
// 4-byte values zero-extended to the whole slot; a v128 fills two slots, little-endian. Slots
// are 8-byte aligned, and no more.
void store_slot(llvm::IRBuilder<>& b, Value* v, Value* slot) {
  llvm::Type* t = v->getType();
  if (t->isVectorTy()) {
    b.CreateAlignedStore(v, slot, llvm::Align(8));
    return;
  }
  if (t->isFloatTy()) v = b.CreateBitCast(v, b.getInt32Ty());
  if (t->isDoubleTy()) v = b.CreateBitCast(v, b.getInt64Ty());
  if (v->getType() != b.getInt64Ty()) v = b.CreateZExt(v, b.getInt64Ty());
  b.CreateAlignedStore(v, slot, llvm::Align(8));
}

Value* load_slot(llvm::IRBuilder<>& b, llvm::Type* t, Value* slot) {
  return b.CreateAlignedLoad(t, slot, llvm::Align(8));
}

uint32_t count_slots(const std::vector<ValType>& ts) {
  uint32_t n = 0;
  for (const ValType& t : ts) n += t.slots();
  return n;
}

}  // namespace

// ---- module-wide ------------------------------------------------------------------------------

ModuleLowering::ModuleLowering(llvm::LLVMContext& c, llvm::Module& m, const ModuleDesc& d,
                               const std::vector<uint32_t>& ids, const CompileOptions& o)
    : C(c), M(m), desc(d), type_ids(ids), opts(o) {
  ptr_ty = llvm::PointerType::get(C, 0);
  v128_ty = llvm::FixedVectorType::get(llvm::Type::getInt64Ty(C), 2);
  for (const MemoryType& mt : desc.memories) {
    // Guard pages let accesses go unchecked: the fault is the trap. LLVM would delete a load
    // whose value is unused (or a store another one overwrites), and the trap with it, so in
    // this mode accesses are volatile (FunctionLowering::memory_access). Instantiation makes
    // every guardable memory of such code guarded (engine/instantiate.cc, require_guard).
    mems.push_back(
        {opts.guard_pages && guardable(mt), mt.limits.is64, mt.limits.shared, mt.page_size_log2});
  }
  wasm_funcs.assign(desc.num_funcs(), nullptr);
  auto* i1 = llvm::Type::getInt1Ty(C);
  auto* i32 = llvm::Type::getInt32Ty(C);
  auto* i64 = llvm::Type::getInt64Ty(C);
  auto* void_ty = llvm::Type::getVoidTy(C);
  rt_vm = M.getOrInsertFunction("hull_rt_vm",
                                llvm::FunctionType::get(ptr_ty, {ptr_ty, ptr_ty, i32}, false));
  rt_trap = M.getOrInsertFunction("hull_rt_trap",
                                  llvm::FunctionType::get(void_ty, {ptr_ty, i32, i32}, false));
  rt_call = M.getOrInsertFunction("hull_rt_call",
                                  llvm::FunctionType::get(i1, {ptr_ty, i32, ptr_ty}, false));
  rt_call_indirect = M.getOrInsertFunction(
      "hull_rt_call_indirect",
      llvm::FunctionType::get(i1, {ptr_ty, i32, i32, i64, ptr_ty, i32}, false));
  rt_resolve_indirect =
      M.getOrInsertFunction("hull_rt_resolve_indirect",
                            llvm::FunctionType::get(ptr_ty, {ptr_ty, i32, i32, i64, i32}, false));
  rt_trap_null_function = M.getOrInsertFunction(
      "hull_rt_trap_null_function", llvm::FunctionType::get(void_ty, {ptr_ty, i32}, false));
  rt_call_function = M.getOrInsertFunction(
      "hull_rt_call_function", llvm::FunctionType::get(i1, {ptr_ty, ptr_ty, ptr_ty}, false));
  rt_memory_grow = M.getOrInsertFunction("hull_rt_memory_grow",
                                         llvm::FunctionType::get(i64, {ptr_ty, i32, i64}, false));
  rt_memory_fill = M.getOrInsertFunction(
      "hull_rt_memory_fill", llvm::FunctionType::get(i1, {ptr_ty, i32, i64, i32, i64, i32}, false));
  rt_memory_copy = M.getOrInsertFunction(
      "hull_rt_memory_copy",
      llvm::FunctionType::get(i1, {ptr_ty, i32, i32, i64, i64, i64, i32}, false));
  rt_memory_init = M.getOrInsertFunction(
      "hull_rt_memory_init",
      llvm::FunctionType::get(i1, {ptr_ty, i32, i32, i64, i32, i32, i32}, false));
  rt_data_drop = M.getOrInsertFunction("hull_rt_data_drop",
                                       llvm::FunctionType::get(void_ty, {ptr_ty, i32}, false));
  rt_table_get = M.getOrInsertFunction(
      "hull_rt_table_get", llvm::FunctionType::get(i64, {ptr_ty, i32, i64, i32}, false));
  rt_table_set = M.getOrInsertFunction(
      "hull_rt_table_set", llvm::FunctionType::get(i1, {ptr_ty, i32, i64, i64, i32}, false));
  rt_table_size = M.getOrInsertFunction("hull_rt_table_size",
                                        llvm::FunctionType::get(i64, {ptr_ty, i32}, false));
  rt_table_grow = M.getOrInsertFunction(
      "hull_rt_table_grow", llvm::FunctionType::get(i64, {ptr_ty, i32, i64, i64}, false));
  rt_table_fill = M.getOrInsertFunction(
      "hull_rt_table_fill", llvm::FunctionType::get(i1, {ptr_ty, i32, i64, i64, i64, i32}, false));
  rt_table_copy = M.getOrInsertFunction(
      "hull_rt_table_copy",
      llvm::FunctionType::get(i1, {ptr_ty, i32, i32, i64, i64, i64, i32}, false));
  rt_table_init = M.getOrInsertFunction(
      "hull_rt_table_init",
      llvm::FunctionType::get(i1, {ptr_ty, i32, i32, i64, i32, i32, i32}, false));
  rt_elem_drop = M.getOrInsertFunction("hull_rt_elem_drop",
                                       llvm::FunctionType::get(void_ty, {ptr_ty, i32}, false));
  rt_atomic_wait = M.getOrInsertFunction(
      "hull_rt_atomic_wait",
      llvm::FunctionType::get(i32, {ptr_ty, i32, i64, i32, i64, i64, i32}, false));
  rt_atomic_notify = M.getOrInsertFunction(
      "hull_rt_atomic_notify", llvm::FunctionType::get(i32, {ptr_ty, i32, i64, i32}, false));
  rt_throw = M.getOrInsertFunction(
      "hull_rt_throw", llvm::FunctionType::get(void_ty, {ptr_ty, i32, ptr_ty, i32, i32}, false));
  rt_throw_ref = M.getOrInsertFunction("hull_rt_throw_ref",
                                       llvm::FunctionType::get(void_ty, {ptr_ty, i64, i32}, false));
  rt_pending_exception = M.getOrInsertFunction("hull_rt_pending_exception",
                                               llvm::FunctionType::get(i64, {ptr_ty}, false));
  rt_exception_is = M.getOrInsertFunction("hull_rt_exception_is",
                                          llvm::FunctionType::get(i1, {ptr_ty, i64, i32}, false));
  rt_catch = M.getOrInsertFunction(
      "hull_rt_catch",
      llvm::FunctionType::get(void_ty, {ptr_ty, i64, i32, ptr_ty, ptr_ty, i32}, false));
  rt_gc_new = M.getOrInsertFunction(
      "hull_rt_gc_new", llvm::FunctionType::get(i64, {ptr_ty, i32, i32, i32, i32}, false));
  rt_array_new_data =
      M.getOrInsertFunction("hull_rt_array_new_data",
                            llvm::FunctionType::get(i64, {ptr_ty, i32, i32, i32, i32, i32}, false));
  rt_array_new_elem =
      M.getOrInsertFunction("hull_rt_array_new_elem",
                            llvm::FunctionType::get(i64, {ptr_ty, i32, i32, i32, i32, i32}, false));
  rt_array_fill = M.getOrInsertFunction(
      "hull_rt_array_fill",
      llvm::FunctionType::get(i1, {ptr_ty, i64, i32, ptr_ty, i32, i32}, false));
  rt_array_copy = M.getOrInsertFunction(
      "hull_rt_array_copy",
      llvm::FunctionType::get(i1, {ptr_ty, i64, i32, i64, i32, i32, i32}, false));
  rt_array_init_data = M.getOrInsertFunction(
      "hull_rt_array_init_data",
      llvm::FunctionType::get(i1, {ptr_ty, i64, i32, i32, i32, i32, i32}, false));
  rt_array_init_elem = M.getOrInsertFunction(
      "hull_rt_array_init_elem",
      llvm::FunctionType::get(i1, {ptr_ty, i64, i32, i32, i32, i32, i32}, false));
  rt_ref_matches = M.getOrInsertFunction("hull_rt_ref_matches",
                                         llvm::FunctionType::get(i1, {i64, i32, i32, i32}, false));
  rt_trap_null = M.getOrInsertFunction("hull_rt_trap_null",
                                       llvm::FunctionType::get(void_ty, {ptr_ty, i32, i32}, false));
  // A cast's test reads only what never changes (an object's header, the type registry): LLVM
  // may merge and move it like a load.
  {
    auto* f = llvm::cast<llvm::Function>(rt_ref_matches.getCallee());
    f->setOnlyReadsMemory();
    f->setDoesNotThrow();
    f->setWillReturn();
  }
  // Traps are cold: keep their calls out of the hot paths' layout.
  for (llvm::FunctionCallee f : {rt_trap, rt_trap_null_function, rt_trap_null})
    llvm::cast<llvm::Function>(f.getCallee())->addFnAttr(llvm::Attribute::Cold);
  // Through a symbol the JIT resolves at load: the code carries no address of this process
  // (cached object code is loaded by others).
  epoch_global = new llvm::GlobalVariable(M, i64, false, llvm::GlobalValue::ExternalLinkage,
                                          nullptr, "hull_g_epoch");
  llvm::MDBuilder md(C);
  llvm::MDNode* root = md.createTBAARoot("hull");
  auto scalar = [&](const char* name) {
    llvm::MDNode* t = md.createTBAAScalarTypeNode(name, root);
    return md.createTBAAStructTagNode(t, t, 0);
  };
  tbaa_memory = scalar("wasm memory");
  tbaa_global = scalar("wasm global");
  tbaa_runtime = scalar("runtime");
  tbaa_gc = scalar("gc object");
  tbaa_limit = scalar("limit word");
  tbaa_fuel = scalar("fuel counter");
}

llvm::Type* ModuleLowering::llvm_type(const ValType& t) const {
  switch (t.kind) {
    case ValKind::I32: return llvm::Type::getInt32Ty(C);
    case ValKind::I64: return llvm::Type::getInt64Ty(C);
    case ValKind::F32: return llvm::Type::getFloatTy(C);
    case ValKind::F64: return llvm::Type::getDoubleTy(C);
    case ValKind::V128: return v128_ty;
    // References (of the kinds SupportScan lets in): the interpreter's slot word, 0 for null.
    case ValKind::Ref: return llvm::Type::getInt64Ty(C);
    default: return nullptr;  // SupportScan keeps other types out
  }
}

llvm::StructType* ModuleLowering::results_type(const FuncType& ft) const {
  std::vector<llvm::Type*> rs;
  for (const ValType& t : ft.results) rs.push_back(llvm_type(t));
  return llvm::StructType::get(C, rs);
}

llvm::FunctionType* ModuleLowering::wasm_signature(const FuncType& ft) const {
  auto* i64 = llvm::Type::getInt64Ty(C);
  std::vector<llvm::Type*> params{ptr_ty};
  if (results_in_memory(ft)) params.push_back(ptr_ty);
  if (opts.fuel) params.push_back(i64);
  for (const ValType& t : ft.params) params.push_back(llvm_type(t));
  llvm::Type* ret = llvm::Type::getVoidTy(C);
  if (ft.results.size() == 1) ret = llvm_type(ft.results[0]);
  if (opts.fuel)
    ret = ret->isVoidTy() ? static_cast<llvm::Type*>(i64) : llvm::StructType::get(C, {ret, i64});
  return llvm::FunctionType::get(ret, params, false);
}

llvm::Function* ModuleLowering::declare(uint32_t func_index) {
  auto* f = llvm::Function::Create(
      wasm_signature(desc.func_type(func_index)),
      export_wasm_funcs ? llvm::Function::ExternalLinkage : llvm::Function::InternalLinkage,
      "w" + std::to_string(func_index), M);
  // Frame pointers let profilers (and later backtraces) walk through machine code.
  f->addFnAttr("frame-pointer", "all");
  f->addFnAttr(llvm::Attribute::NoUnwind);
  f->setCallingConv(wasm_cc);
  wasm_funcs[func_index] = f;
  return f;
}

llvm::GlobalVariable* ModuleLowering::wasm_func_table() {
  if (!wasm_func_table_) {
    std::vector<llvm::Constant*> fs;
    for (llvm::Function* f : wasm_funcs)
      fs.push_back(f ? static_cast<llvm::Constant*>(f)
                     : llvm::ConstantPointerNull::get(llvm::PointerType::get(C, 0)));
    auto* t = llvm::ArrayType::get(ptr_ty, fs.size());
    wasm_func_table_ = new llvm::GlobalVariable(M, t, true, llvm::GlobalValue::InternalLinkage,
                                                llvm::ConstantArray::get(t, fs), "wasm_funcs");
  }
  return wasm_func_table_;
}

llvm::Function* ModuleLowering::declare_osr(uint32_t func_index, uint32_t loop) {
  const FuncType& ft = desc.func_type(func_index);
  llvm::FunctionType* w = wasm_signature(ft);
  std::vector<llvm::Type*> params(w->param_begin(), w->param_begin() + first_param(ft));
  params.push_back(ptr_ty);  // the interpreter's frame
  auto* f = llvm::Function::Create(
      llvm::FunctionType::get(w->getReturnType(), params, false), llvm::Function::InternalLinkage,
      "o" + std::to_string(func_index) + "_" + std::to_string(loop), M);
  f->addFnAttr("frame-pointer", "all");
  f->addFnAttr(llvm::Attribute::NoUnwind);
  f->setCallingConv(wasm_cc);
  return f;
}

llvm::Function* ModuleLowering::define_osr_entry(uint32_t func_index, uint32_t loop,
                                                 llvm::Function* osr) {
  return define_entry_of(func_index, osr,
                         "eo" + std::to_string(func_index) + "_" + std::to_string(loop));
}

llvm::Function* ModuleLowering::define_entry(uint32_t func_index) {
  return define_entry_of(func_index, nullptr, "e" + std::to_string(func_index));
}

llvm::Function* ModuleLowering::define_entry_of(uint32_t func_index, llvm::Function* osr,
                                                const std::string& name) {
  const FuncType& ft = desc.func_type(func_index);
  auto* i1 = llvm::Type::getInt1Ty(C);
  auto* i8 = llvm::Type::getInt8Ty(C);
  auto* i64 = llvm::Type::getInt64Ty(C);
  auto* e = llvm::Function::Create(llvm::FunctionType::get(i1, {ptr_ty, ptr_ty, ptr_ty}, false),
                                   llvm::Function::ExternalLinkage, name, M);
  e->addFnAttr("frame-pointer", "all");
  llvm::IRBuilder<> b(BasicBlock::Create(C, "entry", e));
  Value* slots = e->getArg(1);
  Value* vm = b.CreateCall(rt_vm, {e->getArg(0), e->getArg(2), b.getInt32(opts.epochs)});
  std::vector<Value*> args{vm};
  Value* out = nullptr;
  if (results_in_memory(ft)) {
    out = b.CreateAlloca(results_type(ft));
    args.push_back(out);
  }
  Value* counter = nullptr;
  if (opts.fuel) {
    auto* p = b.CreateLoad(ptr_ty, b.CreateConstInBoundsGEP1_64(i8, vm, VmField::fuel));
    p->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_runtime);
    counter = p;
    auto* fuel = b.CreateLoad(i64, counter);
    fuel->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_fuel);
    args.push_back(fuel);
  }
  uint32_t slot = 0;
  if (osr) {
    args.push_back(slots);  // the frame: o<i>_<loop> reads the locals there
  } else {
    for (const ValType& t : ft.params) {
      Value* p = b.CreateConstInBoundsGEP1_64(i64, slots, slot);
      args.push_back(load_slot(b, llvm_type(t), p));  // little-endian: the slot's low bytes
      slot += t.slots();
    }
  }
  llvm::CallInst* r = b.CreateCall(osr ? osr : wasm_funcs[func_index], args);
  r->setCallingConv(wasm_cc);
  Value* trapped_p = b.CreateConstInBoundsGEP1_64(i8, vm, VmField::trapped);
  Value* trapped = b.CreateLoad(i8, trapped_p);
  BasicBlock* fail = BasicBlock::Create(C, "trapped", e);
  BasicBlock* ok = BasicBlock::Create(C, "ok", e);
  b.CreateCondBr(b.CreateICmpNE(trapped, b.getInt8(0)), fail, ok);
  b.SetInsertPoint(fail);
  b.CreateStore(b.getInt8(0), trapped_p);
  b.CreateRet(b.getFalse());
  b.SetInsertPoint(ok);
  Value* result = r;
  if (opts.fuel) {
    // What is left, for the interpreter (a trap wrote it already).
    const bool one = ft.results.size() == 1;
    auto* st = b.CreateStore(one ? b.CreateExtractValue(r, {1}) : static_cast<Value*>(r), counter);
    st->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_fuel);
    if (one) result = b.CreateExtractValue(r, {0});
  }
  slot = 0;
  Value* agg = out ? b.CreateLoad(results_type(ft), out) : nullptr;
  for (size_t i = 0; i < ft.results.size(); ++i) {
    Value* v = !out ? result : b.CreateExtractValue(agg, {static_cast<unsigned>(i)});
    // The whole 8-byte slot, 4-byte values zero-extended (the interpreter's convention).
    store_slot(b, v, b.CreateConstInBoundsGEP1_64(i64, slots, slot));
    slot += ft.results[i].slots();
  }
  b.CreateRet(b.getTrue());
  return e;
}

// ---- one function -----------------------------------------------------------------------------

void FunctionLowering::begin_function(uint32_t func_index, const FuncType& type,
                                      std::span<const ValType> locals) {
  // A trap before the first instruction (stack exhaustion) points at the body's start.
  offset_ =
      static_cast<uint32_t>(ml_.desc.bodies[func_index - ml_.desc.num_imported_funcs].code.begin);
  BasicBlock* entry = BasicBlock::Create(ml_.C, "entry", fn_);
  b_.SetInsertPoint(entry);
  vm_ = fn_->getArg(0);
  const unsigned first_param = ml_.first_param(type);
  if (ModuleLowering::results_in_memory(type)) out_ = fn_->getArg(1);
  local_types_.assign(locals.begin(), locals.end());
  const bool osr = osr_loop_ != kNoOsr;
  if (osr) osr_frame_ = fn_->getArg(first_param);
  for (size_t i = 0; i < locals.size(); ++i) {
    llvm::AllocaInst* a = b_.CreateAlloca(ml_.llvm_type(locals[i]));
    locals_.push_back(a);
    b_.CreateStore(i < type.params.size() && !osr
                       ? static_cast<Value*>(fn_->getArg(i + first_param))
                       : llvm::Constant::getNullValue(a->getAllocatedType()),
                   a);
  }
  if (ml_.opts.fuel) {
    fuel_ = b_.CreateAlloca(b_.getInt64Ty());
    b_.CreateStore(fn_->getArg(ModuleLowering::fuel_arg(type)), fuel_);
  }
  if (needs_roots_) {
    // Linked first, so that every return (a trap's too) unlinks a linked frame.
    roots_ = b_.CreateAlloca(b_.getInt64Ty(), b_.getInt32(2));
    roots_head_ = vm_field(VmField::roots_head, ml_.ptr_ty, true);
    roots_prev_ = load_runtime(roots_head_, 0, ml_.ptr_ty);
    b_.CreateStore(roots_prev_, roots_);
    b_.CreateStore(b_.getInt64(0), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), roots_, 1));
    auto* link = b_.CreateStore(roots_, roots_head_);
    link->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
  }
  if (osr) {
    // The entry goes to the loop's header (make_osr_entry); the function's own start is
    // lowered as usual but never runs.
    osr_block_ = BasicBlock::Create(ml_.C, "osr", fn_);
    b_.CreateBr(osr_block_);
    b_.SetInsertPoint(BasicBlock::Create(ml_.C, "start", fn_));
  }
  // The function's own label: a branch to it returns.
  Control f;
  f.kind = Kind::Func;
  f.end = BasicBlock::Create(ml_.C, "return", fn_);
  f.target = f.end;
  f.end_phis = make_phis(f.end, type.results);
  f.target_phis = f.end_phis;
  ctl_.push_back(std::move(f));
  // Stack overflow, and with epochs the deadline too: this frame must stay above the limit.
  limit_check(/*at_entry=*/true);
  emit_check(/*at_entry=*/true);
}

Status FunctionLowering::end_function() {
  if (osr_block_ && !osr_made_) {
    // The loop could not be entered: valid IR all the same (the caller drops the function).
    llvm::IRBuilder<> ob(osr_block_);
    ob.CreateUnreachable();
  }
  if (fuel_) write_fuel_back();
  if (!roots_) return {};
  roots_->setOperand(0, b_.getInt32(2 + std::max<uint32_t>(roots_max_, 1)));
  // Unlink at every return; before a tail call, whose callee takes this frame's place.
  std::vector<llvm::Instruction*> exits;
  for (BasicBlock& bb : *fn_) {
    auto* ret = llvm::dyn_cast<llvm::ReturnInst>(bb.getTerminator());
    if (!ret) continue;
    llvm::Instruction* at = ret;
    if (auto* call = llvm::dyn_cast_or_null<llvm::CallInst>(ret->getPrevNode());
        call && call->isTailCall())
      at = call;
    exits.push_back(at);
  }
  for (llvm::Instruction* at : exits) {
    b_.SetInsertPoint(at);
    auto* unlink = b_.CreateStore(roots_prev_, roots_head_);
    unlink->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
  }
  return {};
}

void FunctionLowering::publish_roots() {
  if (!roots_) return;
  std::vector<Value*> words;
  for (size_t i = 0; i < locals_.size(); ++i)
    if (ref_kind(ml_.desc, local_types_[i]) == RefKind::Collected)
      words.push_back(b_.CreateLoad(b_.getInt64Ty(), locals_[i]));
  for (Value* v : stack_)
    if (v->getType()->isIntegerTy(64)) words.push_back(v);
  for (const Control& c : ctl_)
    if (c.caught && c.in_catch) words.push_back(b_.CreateLoad(b_.getInt64Ty(), c.caught));
  for (size_t i = 0; i < words.size(); ++i)
    b_.CreateStore(words[i], b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), roots_, 2 + i));
  b_.CreateStore(b_.getInt64(words.size()),
                 b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), roots_, 1));
  roots_max_ = std::max(roots_max_, static_cast<uint32_t>(words.size()));
}

void FunctionLowering::close_check() {
  if (open_charge_) open_charge_->setArgOperand(1, b_.getInt64(charge_count_));
  open_charge_ = nullptr;
  charge_count_ = 0;
}

// The frame address against the store's limit word (Store::native_limit): the thread's stack
// limit, or UINTPTR_MAX once the deadline passed, so that one compare checks both. Below it,
// the cold path tells which -- or that the deadline has moved since, and the code goes on --
// without a call that returns: a call in a loop would keep LLVM from unrolling it.
llvm::BranchInst* FunctionLowering::limit_check(bool at_entry) {
  Value* fa = b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {ml_.ptr_ty}, {b_.getInt32(0)});
  Value* frame = b_.CreatePtrToInt(fa, b_.getInt64Ty());
  Value* word_p = vm_field(VmField::limit, ml_.ptr_ty, true);
  // Read afresh at every point: the epoch timer and other threads write it. Volatile, not
  // atomic: an aligned 8-byte load is atomic on the machine anyway, and LLVM's atomics also
  // fence the loop's other memory accesses.
  auto* word = b_.CreateAlignedLoad(b_.getInt64Ty(), word_p, llvm::Align(8), true);
  word->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_limit);
  BasicBlock* slow = BasicBlock::Create(ml_.C, "limit", fn_);
  BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
  llvm::MDBuilder md(ml_.C);
  llvm::BranchInst* check = b_.CreateCondBr(b_.CreateICmpULT(frame, word), slow, cont,
                                            md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(slow);
  Value* stack_limit = vm_field(VmField::stack_limit, b_.getInt64Ty(), false);
  // A loop header's frame is its entry's, which passed the stack check.
  if (at_entry) trap_if(b_.CreateICmpULT(frame, stack_limit), TrapKind::StackExhausted);
  if (ml_.opts.epochs) {
    auto* epoch = b_.CreateAlignedLoad(b_.getInt64Ty(), ml_.epoch_global, llvm::Align(8), true);
    Value* deadline_p = vm_field(VmField::epoch_deadline, ml_.ptr_ty, true);
    auto* deadline = b_.CreateAlignedLoad(b_.getInt64Ty(), deadline_p, llvm::Align(8), true);
    trap_if(b_.CreateICmpUGE(epoch, deadline), TrapKind::Interrupted);
    // The deadline moved after the timer marked it: unmark. (Code without epochs leaves the
    // mark to the code that checks them.)
    auto* unmark = b_.CreateAlignedStore(stack_limit, word_p, llvm::Align(8), true);
    unmark->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_limit);
  }
  b_.CreateBr(cont);
  b_.SetInsertPoint(cont);
  return check;
}

// Whether the code in the blocks from `from` to the function's last calls nothing but LLVM
// intrinsics that stay inline and the trap routines (which end the code). memcpy and friends
// count as calls: they may become calls of libc, where an interrupt would not land.
bool FunctionLowering::calls_nothing(BasicBlock* from) const {
  for (auto bb = from->getIterator(); bb != fn_->end(); ++bb) {
    for (const llvm::Instruction& in : *bb) {
      const auto* call = llvm::dyn_cast<llvm::CallBase>(&in);
      if (!call) continue;
      const llvm::Value* target = call->getCalledOperand();
      if (target == ml_.rt_trap.getCallee() || target == ml_.rt_trap_null.getCallee() ||
          target == ml_.rt_trap_null_function.getCallee())
        continue;
      const llvm::Function* callee = call->getCalledFunction();
      if (!callee || !callee->isIntrinsic() || llvm::isa<llvm::MemIntrinsic>(call)) return false;
    }
  }
  return true;
}

void FunctionLowering::emit_check(bool at_entry) {
  if (!ml_.opts.fuel && !ml_.opts.epochs) return;
  close_check();
  // At the entry limit_check has run already.
  if (ml_.opts.epochs && !at_entry) {
    llvm::BranchInst* check = limit_check(/*at_entry=*/false);
    if (ctl_.back().kind == Kind::Loop) ctl_.back().limit_branch = check;
  }
  if (fuel_) {
    Value* fuel = b_.CreateLoad(b_.getInt64Ty(), fuel_);
    // The amount is known at the next check point (close_check patches it). Running out
    // traps without charging, as the interpreter's check does. The fuel is never negative
    // (Store::set_fuel caps it at INT64_MAX), so "fuel < amount" unsigned is the
    // interpreter's "fuel - amount < 0", and in this form the subtraction and the compare
    // become one `sub` and its borrow (a signed test of the difference became lea, cmp and a
    // move in every loop iteration). The charged fuel goes on through opaque(): seen as an
    // induction variable, loop strength reduction gave it a second copy, subtracted again
    // beside the check's (sieve's inner loop: 5 instructions for the check, 3 without).
    open_charge_ = b_.CreateIntrinsic(llvm::Intrinsic::usub_with_overflow, {b_.getInt64Ty()},
                                      {fuel, b_.getInt64(0)});
    trap_if(b_.CreateExtractValue(open_charge_, {1}), TrapKind::OutOfFuel);
    b_.CreateStore(opaque(b_.CreateExtractValue(open_charge_, {0})), fuel_);
  }
}

// The function keeps its fuel in a local (a register, once promoted): an argument at entry,
// charged at each check point, the callee's result after a call of machine code, read from the
// interpreter's counter after anything else that may run code (reload_fuel).

void FunctionLowering::reload_fuel() {
  if (!fuel_) return;
  auto* ld = b_.CreateLoad(b_.getInt64Ty(), vm_field(VmField::fuel, ml_.ptr_ty, true));
  ld->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_fuel);
  fuel_reloads_.push_back(b_.CreateStore(ld, fuel_));
}

void FunctionLowering::write_fuel_back() {
  // What an instruction does to "the counter holds the function's fuel".
  enum class Effect : uint8_t {
    None,
    Charge,  // a store to fuel_: the counter is behind
    Reload,  // fuel_ read from the counter (reload_fuel)
    // A call of machine code: if it returns trapped (an exception, a trap), the counter holds
    // what its callee had left, which a landing pad reads back -- never to be written over with
    // fuel_ from before the call. Returning normally, its fuel goes to fuel_ (a Charge).
    Callee,
    Reader,  // may read the counter: written first if behind
  };
  auto* ref_matches = llvm::cast<llvm::Function>(ml_.rt_ref_matches.getCallee());
  auto effect_of = [&](llvm::Instruction& i) {
    if (auto* st = llvm::dyn_cast<llvm::StoreInst>(&i)) {
      if (st->getPointerOperand() == fuel_)
        return std::find(fuel_reloads_.begin(), fuel_reloads_.end(), st) != fuel_reloads_.end()
                   ? Effect::Reload
                   : Effect::Charge;
      // A guarded access of wasm memory (volatile) may fault, which ends this code at once.
      return st->isVolatile() && st->getMetadata(llvm::LLVMContext::MD_tbaa) == ml_.tbaa_memory
                 ? Effect::Reader
                 : Effect::None;
    }
    if (auto* ld = llvm::dyn_cast<llvm::LoadInst>(&i))
      return ld->isVolatile() && ld->getMetadata(llvm::LLVMContext::MD_tbaa) == ml_.tbaa_memory
                 ? Effect::Reader
                 : Effect::None;
    if (auto* call = llvm::dyn_cast<llvm::CallInst>(&i)) {
      if (call->isInlineAsm()) return Effect::None;
      // w<i> all take wasm_cc; the runtime's functions the C convention.
      if (call->getCallingConv() == ml_.wasm_cc) return Effect::Callee;
      llvm::Function* f = call->getCalledFunction();
      if (f && (f->isIntrinsic() || f == ref_matches)) return Effect::None;  // read nothing of ours
      return Effect::Reader;
    }
    return Effect::None;
  };
  auto current_after = [](Effect e, bool current) {
    return e == Effect::None ? current : e != Effect::Charge;
  };
  // Forward, "current on every path in": the entry's counter is behind (the fuel came in a
  // register); every other block starts current and is lowered until nothing changes.
  llvm::DenseMap<BasicBlock*, bool> current_out;
  llvm::DenseMap<BasicBlock*, std::optional<bool>> block_effect;  // its last effect's result
  for (BasicBlock& bb : *fn_) {
    std::optional<bool> last;
    for (llvm::Instruction& i : bb)
      if (Effect e = effect_of(i); e != Effect::None) last = current_after(e, false);
    block_effect[&bb] = last;
    current_out[&bb] = last.value_or(&bb != &fn_->getEntryBlock());
  }
  auto current_in = [&](BasicBlock& bb) {
    bool in = &bb != &fn_->getEntryBlock();
    for (BasicBlock* pred : llvm::predecessors(&bb)) in = in && current_out[pred];
    return in;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (BasicBlock& bb : *fn_) {
      const bool out = block_effect[&bb].value_or(current_in(bb));
      changed = changed || out != current_out[&bb];
      current_out[&bb] = out;
    }
  }
  std::vector<llvm::Instruction*> readers;  // those before which the counter may be behind
  for (BasicBlock& bb : *fn_) {
    bool current = current_in(bb);
    for (llvm::Instruction& i : bb) {
      const Effect e = effect_of(i);
      if (e == Effect::Reader && !current) readers.push_back(&i);
      current = current_after(e, current);
    }
  }
  // Volatile: no write may be dropped, or moved past the access of wasm memory it is for.
  for (llvm::Instruction* at : readers) {
    b_.SetInsertPoint(at);
    Value* fuel = b_.CreateLoad(b_.getInt64Ty(), fuel_);
    auto* st = b_.CreateAlignedStore(fuel, vm_field(VmField::fuel, ml_.ptr_ty, true),
                                     llvm::Align(8), /*isVolatile=*/true);
    st->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_fuel);
  }
}

void FunctionLowering::create_return(Value* result) {
  if (!fuel_) {
    result ? b_.CreateRet(result) : b_.CreateRetVoid();
    return;
  }
  Value* fuel = b_.CreateLoad(b_.getInt64Ty(), fuel_);
  if (!result) {
    b_.CreateRet(fuel);
    return;
  }
  Value* both = llvm::PoisonValue::get(fn_->getReturnType());
  both = b_.CreateInsertValue(both, result, {0});
  b_.CreateRet(b_.CreateInsertValue(both, fuel, {1}));
}

Value* FunctionLowering::call_result(llvm::CallInst* r) {
  if (r->getType()->isVoidTy()) return nullptr;
  if (!fuel_) return r;
  return r->getType()->isStructTy() ? b_.CreateExtractValue(r, {0}) : nullptr;
}

void FunctionLowering::take_callee_fuel(llvm::CallInst* r) {
  if (!fuel_) return;
  b_.CreateStore(r->getType()->isStructTy() ? b_.CreateExtractValue(r, {1}) : r, fuel_);
}

Value* FunctionLowering::vm_field(uint64_t offset, llvm::Type* t, bool invariant) {
  auto* ld = b_.CreateLoad(t, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), vm_, offset));
  ld->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
  if (invariant)
    ld->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ml_.C, {}));
  return ld;
}

// The canonical id of type index `index`, read from the instance's module: ids are assigned per
// process, and cached object code must not carry another process's.
Value* FunctionLowering::type_id(uint32_t index) {
  Value* ids = vm_field(VmField::type_ids, ml_.ptr_ty, true);
  auto* id =
      b_.CreateLoad(b_.getInt32Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt32Ty(), ids, index));
  id->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ml_.C, {}));
  id->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
  return id;
}

Value* FunctionLowering::load_runtime(Value* base, uint64_t offset, llvm::Type* t) {
  auto* ld = b_.CreateLoad(t, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), base, offset));
  ld->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
  return ld;
}

std::vector<llvm::PHINode*> FunctionLowering::make_phis(BasicBlock* bb,
                                                        const std::vector<ValType>& types) {
  std::vector<llvm::PHINode*> phis;
  llvm::IRBuilder<> pb(bb);
  for (const ValType& t : types) phis.push_back(pb.CreatePHI(ml_.llvm_type(t), 2));
  return phis;
}

void FunctionLowering::block_signature(const BlockType& bt, std::vector<ValType>* params,
                                       std::vector<ValType>* results) const {
  params->clear();
  results->clear();
  if (bt.kind == BlockType::Kind::Value) results->push_back(bt.value);
  if (bt.kind == BlockType::Kind::Index) {
    const FuncType& ft = ml_.desc.types[bt.index].func;
    *params = ft.params;
    *results = ft.results;
  }
}

void FunctionLowering::add_incoming(Control& c, BasicBlock* from) {
  if (c.kind == Kind::Loop && !c.calls_each_iteration) c.branched_back_before_call = true;
  const size_t n = c.target_phis.size();
  for (size_t i = 0; i < n; ++i) c.target_phis[i]->addIncoming(stack_[stack_.size() - n + i], from);
}

void FunctionLowering::branch_to(uint32_t depth) {
  Control& c = ctl_[ctl_.size() - 1 - depth];
  add_incoming(c, b_.GetInsertBlock());
  b_.CreateBr(c.target);
}

BasicBlock* FunctionLowering::trapped_exit() {
  if (!trapped_exit_) {
    trapped_exit_ = BasicBlock::Create(ml_.C, "trapped", fn_);
    llvm::IRBuilder<> tb(trapped_exit_);
    llvm::Type* rt = fn_->getReturnType();
    if (rt->isVoidTy())
      tb.CreateRetVoid();
    else
      tb.CreateRet(llvm::PoisonValue::get(rt));
  }
  return trapped_exit_;
}

void FunctionLowering::trap_now(TrapKind kind) {
  b_.CreateCall(ml_.rt_trap, {vm_, b_.getInt32(static_cast<uint32_t>(kind)), b_.getInt32(offset_)});
  b_.CreateBr(trapped_exit());
}

void FunctionLowering::trap_if(Value* cond, TrapKind kind) {
  BasicBlock* trap = BasicBlock::Create(ml_.C, "trap", fn_);
  BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
  llvm::MDBuilder md(ml_.C);
  b_.CreateCondBr(cond, trap, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(trap);
  trap_now(kind);
  b_.SetInsertPoint(cont);
}

void FunctionLowering::check_trapped() {
  Value* t = vm_field(VmField::trapped, b_.getInt8Ty(), false);
  BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
  llvm::MDBuilder md(ml_.C);
  b_.CreateCondBr(b_.CreateICmpNE(t, b_.getInt8(0)), unwind_target(), cont,
                  md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(cont);
}

// ---- control ----------------------------------------------------------------------------------

void FunctionLowering::open(const Instr& in, Kind kind) {
  Control c;
  c.kind = kind;
  c.dead = !live_;
  if (c.dead) {
    ctl_.push_back(std::move(c));
    return;
  }
  std::vector<ValType> params, results;
  block_signature(in.block, &params, &results);
  Value* cond = kind == Kind::If ? pop() : nullptr;
  c.height = stack_.size() - params.size();
  c.end = BasicBlock::Create(ml_.C, "end", fn_);
  c.end_phis = make_phis(c.end, results);
  if (kind == Kind::Loop) {
    c.first_block = c.end;
    c.target = BasicBlock::Create(ml_.C, "loop", fn_);
    c.target_phis = make_phis(c.target, params);
    add_incoming(c, b_.GetInsertBlock());
    c.branched_back_before_call = false;  // that was the way in
    b_.CreateBr(c.target);
    b_.SetInsertPoint(c.target);
    for (size_t i = 0; i < params.size(); ++i) stack_[c.height + i] = c.target_phis[i];
    if (osr_block_ && loop_id_ == osr_loop_) make_osr_entry(c);
  } else {
    c.target = c.end;
    c.target_phis = c.end_phis;
  }
  if (kind == Kind::If) {
    BasicBlock* then = BasicBlock::Create(ml_.C, "then", fn_);
    c.els = BasicBlock::Create(ml_.C, "else", fn_);
    c.if_params.assign(stack_.begin() + c.height, stack_.end());
    b_.CreateCondBr(b_.CreateICmpNE(cond, b_.getInt32(0)), then, c.els);
    b_.SetInsertPoint(then);
  }
  ctl_.push_back(std::move(c));
}

void FunctionLowering::make_osr_entry(const Control& loop) {
  // The interpreter's frame holds the locals only; operand stack values or loop params would
  // be values of code this function never ran. Nor is a handler's landing pad set up yet.
  if (!stack_.empty() || !loop.target_phis.empty() || needs_roots_) return;
  for (const Control& c : ctl_)
    if (c.kind == Kind::TryTable || c.kind == Kind::Try) return;
  BasicBlock* header = b_.GetInsertBlock();
  b_.SetInsertPoint(osr_block_);
  uint32_t slot = 0;
  for (size_t i = 0; i < locals_.size(); ++i) {
    b_.CreateStore(from_slot(b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), osr_frame_, slot),
                             local_types_[i]),
                   locals_[i]);
    slot += local_types_[i].slots();
  }
  // This machine frame is new: the stack check of an entry (and the deadline with epochs).
  limit_check(/*at_entry=*/true);
  b_.CreateBr(header);
  b_.SetInsertPoint(header);
  osr_made_ = true;
}

void FunctionLowering::flow_to_end(Control& c) {
  for (size_t i = 0; i < c.end_phis.size(); ++i)
    c.end_phis[i]->addIncoming(stack_[stack_.size() - c.end_phis.size() + i], b_.GetInsertBlock());
  b_.CreateBr(c.end);
}

void FunctionLowering::close_else() {
  Control& c = ctl_.back();
  if (c.dead) return;
  if (live_) flow_to_end(c);
  stack_.resize(c.height);
  stack_.insert(stack_.end(), c.if_params.begin(), c.if_params.end());
  b_.SetInsertPoint(c.els);
  c.els = nullptr;
  live_ = true;
}

void FunctionLowering::close_end() {
  Control c = std::move(ctl_.back());
  ctl_.pop_back();
  if (c.dead) return;  // live_ stays false: the enclosing code is dead too
  if (live_) flow_to_end(c);
  if (c.els) {
    // An if without else: its params pass through as its results.
    llvm::IRBuilder<> eb(c.els);
    for (size_t i = 0; i < c.end_phis.size(); ++i)
      c.end_phis[i]->addIncoming(c.if_params[i], c.els);
    eb.CreateBr(c.end);
  }
  stack_.resize(c.height);
  b_.SetInsertPoint(c.end);
  live_ = true;
  // A loop that calls nothing needs no deadline check where the epoch timer can interrupt its
  // machine code (runtime/interrupt.h): the check cost such loops 5-20 % and kept LLVM from
  // vectorizing and unrolling them. A loop that calls something keeps it: the callee may run
  // outside machine code (the runtime, a host function), where no interrupt lands. (The blocks
  // from the loop's first to the function's last are the loop's code while it closes.)
  if (c.limit_branch &&
      ((c.calls_each_iteration && !c.branched_back_before_call) ||
       (async_interrupts_supported() && c.first_block && calls_nothing(c.first_block)))) {
    // Volatile, the word's load would stay without its use: it goes with the compare.
    auto* cmp = llvm::cast<llvm::Instruction>(c.limit_branch->getCondition());
    auto* word = llvm::cast<llvm::Instruction>(cmp->getOperand(1));
    c.limit_branch->setCondition(b_.getFalse());
    cmp->eraseFromParent();
    word->eraseFromParent();
  }
  if (c.kind == Kind::Func) {
    close_check();
    if (c.end_phis.empty())
      create_return(nullptr);
    else if (c.end_phis.size() == 1)
      create_return(c.end_phis[0]);
    else {
      // Several results: into the caller's buffer (out_).
      std::vector<llvm::Type*> ts;
      for (llvm::PHINode* p : c.end_phis) ts.push_back(p->getType());
      Value* agg = llvm::PoisonValue::get(llvm::StructType::get(ml_.C, ts));
      for (size_t i = 0; i < c.end_phis.size(); ++i)
        agg = b_.CreateInsertValue(agg, c.end_phis[i], {static_cast<unsigned>(i)});
      b_.CreateStore(agg, out_);
      create_return(nullptr);
    }
    return;
  }
  for (llvm::PHINode* p : c.end_phis) push(p);
}

// ---- instructions -----------------------------------------------------------------------------

void FunctionLowering::instr(const Instr& in, bool, std::span<const ValType>,
                             std::span<const ValType>) {
  offset_ = static_cast<uint32_t>(in.offset);
  if (live_) ++charge_count_;  // reachable instructions, as the interpreter counts them
  if (in.op == Op::loop) loop_id_ = loops_seen_++;
  switch (in.op) {
    case Op::block: return open(in, Kind::Block);
    case Op::loop:
      open(in, Kind::Loop);
      if (!ctl_.back().dead) emit_check();  // at the header: every iteration pays
      return;
    case Op::if_: return open(in, Kind::If);
    case Op::else_: return close_else();
    case Op::end:
      if (Control& c = ctl_.back(); c.landing && !c.dead) fill_landing(ctl_.size() - 1, nullptr);
      return close_end();
    case Op::try_table:
    case Op::try_:
    case Op::catch_:
    case Op::catch_all:
    case Op::delegate: return exception_op(in);
    default: break;
  }
  if (!live_) return;  // dead code (after br/return/unreachable): nothing to emit
  if (is_reference_or_table_op(in.op)) return table_op(in);
  if (in.op == Op::ref_eq ||
      (static_cast<unsigned>(in.op) >= static_cast<unsigned>(Op::struct_new) &&
       static_cast<unsigned>(in.op) <= static_cast<unsigned>(Op::i31_get_u)))
    return gc_op(in);
  switch (in.op) {
    case Op::nop: return;
    case Op::unreachable:
      trap_now(TrapKind::Unreachable);
      live_ = false;
      return;
    case Op::br:
      branch_to(in.a);
      live_ = false;
      return;
    case Op::br_if: {
      Value* cond = pop();
      BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
      Control& c = ctl_[ctl_.size() - 1 - in.a];
      add_incoming(c, b_.GetInsertBlock());
      b_.CreateCondBr(b_.CreateICmpNE(cond, b_.getInt32(0)), c.target, cont);
      b_.SetInsertPoint(cont);
      return;
    }
    case Op::br_table: {
      Value* index = pop();
      // One block per distinct label, so that each target sees one edge from here whatever
      // number of table entries name it (a phi takes one value per edge).
      std::vector<std::pair<uint32_t, BasicBlock*>> hops;
      auto hop = [&](uint32_t depth) {
        for (auto& [d, bb] : hops)
          if (d == depth) return bb;
        BasicBlock* bb = BasicBlock::Create(ml_.C, "br_table", fn_);
        hops.emplace_back(depth, bb);
        return bb;
      };
      const size_t n = in.br_table.size() - 1;
      llvm::SwitchInst* sw = b_.CreateSwitch(index, hop(in.br_table[n]), static_cast<unsigned>(n));
      for (size_t i = 0; i < n; ++i)
        sw->addCase(b_.getInt32(static_cast<uint32_t>(i)), hop(in.br_table[i]));
      for (auto& [d, bb] : hops) {
        b_.SetInsertPoint(bb);
        branch_to(d);
      }
      live_ = false;
      return;
    }
    case Op::return_:
      branch_to(static_cast<uint32_t>(ctl_.size() - 1));
      live_ = false;
      return;
    case Op::drop: pop(); return;
    case Op::select:
    case Op::select_t: {
      Value* cond = pop();
      Value* y = pop();
      Value* x = pop();
      push(b_.CreateSelect(b_.CreateICmpNE(cond, b_.getInt32(0)), x, y));
      return;
    }
    case Op::local_get:
      push(b_.CreateLoad(locals_[in.a]->getAllocatedType(), locals_[in.a]));
      return;
    case Op::local_set: b_.CreateStore(pop(), locals_[in.a]); return;
    case Op::local_tee: b_.CreateStore(stack_.back(), locals_[in.a]); return;
    case Op::global_get:
    case Op::global_set: {
      Value* globals = vm_field(VmField::globals, ml_.ptr_ty, true);
      auto* g = b_.CreateLoad(ml_.ptr_ty, b_.CreateConstInBoundsGEP1_64(ml_.ptr_ty, globals, in.a));
      g->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(ml_.C, {}));
      g->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_runtime);
      Value* p = b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), g, global_value_offset());
      if (in.op == Op::global_get) {
        // (Align 8: a v128's slots, as any other place holding slot-encoded values.)
        auto* v =
            b_.CreateAlignedLoad(ml_.llvm_type(ml_.desc.globals[in.a].type), p, llvm::Align(8));
        v->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_global);
        push(v);
      } else {
        auto* s = b_.CreateAlignedStore(pop(), p, llvm::Align(8));
        s->setMetadata(llvm::LLVMContext::MD_tbaa, ml_.tbaa_global);
      }
      return;
    }
    case Op::call: return call(in);
    case Op::call_indirect: return call_indirect(in);
    case Op::return_call:
      return_call(in);
      live_ = false;
      return;
    case Op::return_call_indirect:
      return_call_indirect(in);
      live_ = false;
      return;
    case Op::call_ref: return call_ref(in);
    case Op::return_call_ref:
      return_call_ref(in);
      live_ = false;
      return;
    case Op::memory_size:
    case Op::memory_grow:
    case Op::memory_fill:
    case Op::memory_copy:
    case Op::memory_init:
    case Op::data_drop: return memory_op(in);
    case Op::throw_:
    case Op::throw_ref:
    case Op::rethrow: return exception_op(in);
    default: break;
  }
  const auto op = static_cast<unsigned>(in.op);
  if (op >= static_cast<unsigned>(Op::i32_load) && op <= static_cast<unsigned>(Op::i64_store32))
    return memory_access(in);
  if (op >= static_cast<unsigned>(Op::memory_atomic_notify) &&
      op <= static_cast<unsigned>(Op::i64_atomic_rmw32_cmpxchg_u))
    return atomic(in);
  if (op >= static_cast<unsigned>(Op::v128_load) &&
      op <= static_cast<unsigned>(Op::i32x4_relaxed_dot_i8x16_i7x16_add_s)) {
    const ImmKind imm = op_info(in.op).imm;
    return imm == ImmKind::Mem || imm == ImmKind::MemLane ? simd_memory(in) : simd(in);
  }
  return numeric(in);
}

// ---- calls ------------------------------------------------------------------------------------

void FunctionLowering::to_slot(Value* v, Value* slot) { store_slot(b_, v, slot); }

Value* FunctionLowering::from_slot(Value* slot, const ValType& t) {
  return load_slot(b_, ml_.llvm_type(t), slot);
}

void FunctionLowering::slot_call(const FuncType& ft, const std::function<Value*(Value*)>& emit) {
  // The callee may collect; its arguments are among the words (a host callee's are in `slots`
  // only, where no collection looks).
  publish_roots();
  const uint32_t n = std::max(count_slots(ft.params), count_slots(ft.results));
  llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
  llvm::AllocaInst* slots = ab.CreateAlloca(b_.getInt64Ty(), b_.getInt32(std::max<uint32_t>(n, 1)));
  uint32_t slot = count_slots(ft.params);
  for (size_t i = ft.params.size(); i-- > 0;) {
    slot -= ft.params[i].slots();
    to_slot(pop(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), slots, slot));
  }
  emit(slots);
  check_trapped();
  reload_fuel();
  slot = 0;
  for (const ValType& t : ft.results) {
    push(from_slot(b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), slots, slot), t));
    slot += t.slots();
  }
}

void FunctionLowering::direct_call(const FuncType& ft, llvm::FunctionType* sig, Value* callee) {
  publish_roots();
  const bool in_memory = ModuleLowering::results_in_memory(ft);
  std::vector<Value*> args(ft.params.size() + ml_.first_param(ft));
  args[0] = vm_;
  llvm::AllocaInst* out = nullptr;
  if (in_memory) {
    llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    out = ab.CreateAlloca(ml_.results_type(ft));
    args[1] = out;
  }
  if (fuel_) args[ModuleLowering::fuel_arg(ft)] = b_.CreateLoad(b_.getInt64Ty(), fuel_);
  for (size_t i = args.size() - 1; i > args.size() - 1 - ft.params.size(); --i) args[i] = pop();
  llvm::CallInst* r = b_.CreateCall(sig, callee, args);
  r->setCallingConv(ml_.wasm_cc);
  // Recursion stays recursion: turned into a loop, a runaway one would never exhaust the
  // stack as the spec says it must.
  r->setTailCallKind(llvm::CallInst::TCK_NoTail);
  check_trapped();
  take_callee_fuel(r);
  if (ft.results.size() == 1) push(call_result(r));
  if (out) {
    Value* agg = b_.CreateLoad(out->getAllocatedType(), out);
    for (size_t i = 0; i < ft.results.size(); ++i)
      push(b_.CreateExtractValue(agg, {static_cast<unsigned>(i)}));
  }
}

Value* ModuleLowering::w_table_entry(llvm::IRBuilder<>& b, Value* func_index) {
  Value* table = b.CreateIntToPtr(b.getInt64(reinterpret_cast<uintptr_t>(w_table)), ptr_ty);
  // Written by the tier-up thread as batches land: an atomic (monotonic) load, which may see
  // the entry a little late (then the call goes through the runtime), never torn.
  auto* w =
      b.CreateAlignedLoad(ptr_ty, b.CreateInBoundsGEP(ptr_ty, table, {func_index}), llvm::Align(8));
  w->setAtomic(llvm::AtomicOrdering::Monotonic);
  w->setMetadata(llvm::LLVMContext::MD_tbaa, tbaa_runtime);
  return w;
}

void FunctionLowering::call(const Instr& in) {
  const FuncType& ft = ml_.desc.func_type(in.a);
  // A function of this module checks the deadline at its entry (machine code or interpreted).
  if (Control& c = ctl_.back();
      in.a >= ml_.desc.num_imported_funcs && c.kind == Kind::Loop && !c.branched_back_before_call)
    c.calls_each_iteration = true;
  if (llvm::Function* callee = ml_.wasm_funcs[in.a])
    return direct_call(ft, callee->getFunctionType(), callee);
  auto through_runtime = [&] {
    slot_call(ft, [&](Value* slots) {
      return b_.CreateCall(ml_.rt_call, {vm_, b_.getInt32(in.a), slots});
    });
  };
  if (!ml_.w_table || in.a < ml_.desc.num_imported_funcs) {
    // An import, or a function left interpreted: through the runtime.
    return through_runtime();
  }
  // Tier-up: a function of a later batch, once compiled, is called as one of this batch.
  std::vector<Value*> args(stack_.end() - ft.params.size(), stack_.end());
  stack_.resize(stack_.size() - ft.params.size());
  Value* w = ml_.w_table_entry(b_, b_.getInt32(in.a));
  BasicBlock* fast = BasicBlock::Create(ml_.C, "compiled", fn_);
  BasicBlock* slow = BasicBlock::Create(ml_.C, "not_compiled", fn_);
  BasicBlock* join = BasicBlock::Create(ml_.C, "called", fn_);
  b_.CreateCondBr(b_.CreateIsNull(w), slow, fast);
  const size_t n = ft.results.size();
  auto arm = [&](BasicBlock* bb, const std::function<void()>& emit) {
    b_.SetInsertPoint(bb);
    for (Value* a : args) push(a);
    emit();
    std::vector<Value*> results(stack_.end() - n, stack_.end());
    stack_.resize(stack_.size() - n);
    BasicBlock* end = b_.GetInsertBlock();
    b_.CreateBr(join);
    return std::make_pair(end, results);
  };
  auto [fast_end, fast_results] = arm(fast, [&] { direct_call(ft, ml_.wasm_signature(ft), w); });
  auto [slow_end, slow_results] = arm(slow, through_runtime);
  b_.SetInsertPoint(join);
  for (size_t i = 0; i < n; ++i) {
    llvm::PHINode* phi = b_.CreatePHI(fast_results[i]->getType(), 2);
    phi->addIncoming(fast_results[i], fast_end);
    phi->addIncoming(slow_results[i], slow_end);
    push(phi);
  }
}

void FunctionLowering::call_indirect(const Instr& in) {
  const FuncType& ft = ml_.desc.types[in.a].func;
  Value* elem = pop();
  if (!elem->getType()->isIntegerTy(64)) elem = b_.CreateZExt(elem, b_.getInt64Ty());
  slot_call(ft, [&](Value* slots) {
    return b_.CreateCall(ml_.rt_call_indirect, {vm_, b_.getInt32(in.b), type_id(in.a), elem, slots,
                                                b_.getInt32(offset_)});
  });
}

// ---- tail calls -------------------------------------------------------------------------------

void FunctionLowering::return_values() { branch_to(static_cast<uint32_t>(ctl_.size() - 1)); }

// A native callee of this instance takes the frame over: `tail call tailcc` then `ret` is a
// jump (w<i> all use tailcc), so a million-deep tail recursion runs in one frame, as in the
// interpreter. Both functions return the same LLVM type (the validator makes the callee's
// results the caller's; references are all i64). Anything else is called through the runtime,
// its results returned: a frame more per such call.
void FunctionLowering::return_call(const Instr& in) {
  llvm::Function* callee = ml_.wasm_funcs[in.a];
  if (!callee && ml_.w_table && in.a >= ml_.desc.num_imported_funcs) {
    // Tier-up: a function of a later batch is jumped to once compiled.
    return tail_call_function(ml_.desc.func_type(in.a), nullptr, in.a);
  }
  if (!callee) {
    // Through the runtime (an import, or a function left interpreted). The call replaces
    // this function: none of its handlers sees the callee's exceptions.
    no_handlers_ = true;
    call(in);
    no_handlers_ = false;
    return return_values();
  }
  const FuncType& ft = ml_.desc.func_type(in.a);
  // Several results: the callee writes them where this function's caller wants them.
  std::vector<Value*> args(ft.params.size() + ml_.first_param(ft));
  args[0] = vm_;
  if (out_) args[1] = out_;
  if (fuel_) args[ModuleLowering::fuel_arg(ft)] = b_.CreateLoad(b_.getInt64Ty(), fuel_);
  for (size_t i = args.size() - 1; i > args.size() - 1 - ft.params.size(); --i) args[i] = pop();
  llvm::CallInst* r = b_.CreateCall(callee, args);
  r->setCallingConv(ml_.wasm_cc);
  r->setTailCallKind(llvm::CallInst::TCK_Tail);
  if (r->getType()->isVoidTy())
    b_.CreateRetVoid();
  else
    b_.CreateRet(r);
}

void FunctionLowering::return_call_indirect(const Instr& in) {
  Value* elem = pop();
  if (!elem->getType()->isIntegerTy(64)) elem = b_.CreateZExt(elem, b_.getInt64Ty());
  Value* f = b_.CreateCall(ml_.rt_resolve_indirect,
                           {vm_, b_.getInt32(in.b), type_id(in.a), elem, b_.getInt32(offset_)});
  BasicBlock* found = BasicBlock::Create(ml_.C, "found", fn_);
  llvm::MDBuilder md(ml_.C);
  b_.CreateCondBr(b_.CreateIsNull(f), trapped_exit(), found, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(found);
  tail_call_function(ml_.desc.types[in.a].func, f);
}

Value* FunctionLowering::non_null_function() {
  Value* f = b_.CreateIntToPtr(pop(), ml_.ptr_ty);
  BasicBlock* null = BasicBlock::Create(ml_.C, "null", fn_);
  BasicBlock* cont = BasicBlock::Create(ml_.C, "cont", fn_);
  llvm::MDBuilder md(ml_.C);
  b_.CreateCondBr(b_.CreateIsNull(f), null, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(null);
  b_.CreateCall(ml_.rt_trap_null_function, {vm_, b_.getInt32(offset_)});
  b_.CreateBr(trapped_exit());
  b_.SetInsertPoint(cont);
  return f;
}

void FunctionLowering::call_ref(const Instr& in) {
  Value* f = non_null_function();
  slot_call(ml_.desc.types[in.a].func,
            [&](Value* slots) { return b_.CreateCall(ml_.rt_call_function, {vm_, f, slots}); });
}

void FunctionLowering::return_call_ref(const Instr& in) {
  Value* f = non_null_function();
  tail_call_function(ml_.desc.types[in.a].func, f);
}

void FunctionLowering::tail_call_function(const FuncType& ft, Value* f, uint32_t func_index) {
  std::vector<Value*> args(ft.params.size());
  for (size_t i = ft.params.size(); i > 0; --i) args[i - 1] = pop();
  BasicBlock* jump = BasicBlock::Create(ml_.C, "jump", fn_);
  BasicBlock* slow = BasicBlock::Create(ml_.C, "through_runtime", fn_);
  Value* w = nullptr;
  if (f) {
    // This instance's own function with native code: its w<i>, from the module's table (or,
    // tier-up, the table of what is compiled so far).
    Value* inst = vm_field(VmField::inst, ml_.ptr_ty, true);
    Value* same = b_.CreateICmpEQ(load_runtime(f, function_instance_offset(), ml_.ptr_ty), inst);
    BasicBlock* own = BasicBlock::Create(ml_.C, "own", fn_);
    b_.CreateCondBr(same, own, slow);
    b_.SetInsertPoint(own);
    Value* index = load_runtime(f, function_index_offset(), b_.getInt32Ty());
    if (ml_.w_table) {
      w = ml_.w_table_entry(b_, index);
    } else {
      llvm::GlobalVariable* table = ml_.wasm_func_table();
      w = b_.CreateLoad(
          ml_.ptr_ty, b_.CreateInBoundsGEP(table->getValueType(), table, {b_.getInt32(0), index}));
    }
  } else {
    w = ml_.w_table_entry(b_, b_.getInt32(func_index));
  }
  b_.CreateCondBr(b_.CreateIsNull(w), slow, jump);
  b_.SetInsertPoint(jump);
  std::vector<Value*> wargs{vm_};
  if (out_) wargs.push_back(out_);
  if (fuel_) wargs.push_back(b_.CreateLoad(b_.getInt64Ty(), fuel_));
  wargs.insert(wargs.end(), args.begin(), args.end());
  llvm::CallInst* r = b_.CreateCall(ml_.wasm_signature(ft), w, wargs);
  r->setCallingConv(ml_.wasm_cc);
  r->setTailCallKind(llvm::CallInst::TCK_Tail);
  if (r->getType()->isVoidTy())
    b_.CreateRetVoid();
  else
    b_.CreateRet(r);
  b_.SetInsertPoint(slow);
  for (Value* a : args) push(a);
  no_handlers_ = true;  // a tail call: its exceptions leave this function (as return_call's)
  slot_call(ft, [&](Value* slots) {
    return f ? b_.CreateCall(ml_.rt_call_function, {vm_, f, slots})
             : b_.CreateCall(ml_.rt_call, {vm_, b_.getInt32(func_index), slots});
  });
  no_handlers_ = false;
  return_values();
}

}  // namespace hull::native
