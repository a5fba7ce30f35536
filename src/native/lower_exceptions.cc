// Exception handling (Wasm 3.0 and the legacy proposal) as status codes, the way traps already
// work in this tier: a throw makes its exception the one in flight (the interpreter's, so that
// it crosses tiers unchanged), sets VmCtx::trapped and leaves for its unwind target. Every
// call site already tests that flag; inside a try body the test's cold edge goes to the try's
// landing pad instead of the function's exit, and functions without handlers pay nothing more.
//
// A landing pad asks the runtime for the exception in flight (none: the failure is a trap,
// which no handler catches, so the function returns), then tries the clauses in order by tag
// identity (interp::catch_matches), and a match takes the exception (interp::native_catch:
// payload out, exposed or freed as the interpreter's unwinder does) and branches to the
// clause's label (try_table) or catch block (legacy try). No match goes to the next handler
// region out, or out of the function. Landing pads are made at the first site that needs one
// and filled in when their construct closes, when a legacy try's catch blocks are all known.
#include "native/lower.h"
#include "native/vm.h"

namespace hull::native {

using llvm::BasicBlock;
using llvm::Value;

namespace {

uint32_t count_slots(const std::vector<ValType>& ts) {
  uint32_t n = 0;
  for (const ValType& t : ts) n += t.slots();
  return n;
}

}  // namespace

BasicBlock* FunctionLowering::handler_below(size_t end) {
  for (size_t i = end; i-- > 0;) {
    Control& c = ctl_[i];
    if (c.kind == Kind::Func) break;
    if (c.kind == Kind::TryTable || (c.kind == Kind::Try && !c.in_catch)) {
      if (!c.landing) c.landing = BasicBlock::Create(ml_.C, "landing", fn_);
      return c.landing;
    }
  }
  return trapped_exit();
}

void FunctionLowering::exception_op(const Instr& in) {
  switch (in.op) {
    case Op::try_table:
      open(in, Kind::Block);
      ctl_.back().kind = Kind::TryTable;
      if (!ctl_.back().dead) ctl_.back().catches.assign(in.catches.begin(), in.catches.end());
      return;
    case Op::try_:
      open(in, Kind::Block);
      ctl_.back().kind = Kind::Try;
      return;
    case Op::catch_:
    case Op::catch_all: return legacy_catch(in);
    case Op::delegate: {
      // The body's exceptions go to the handlers of the frame label `in.a` names (counted from
      // the frames around the try), or further out, as the interpreter's lower_delegate says.
      const size_t self = ctl_.size() - 1;
      if (!ctl_[self].dead && ctl_[self].landing) fill_landing(self, handler_below(self - in.a));
      return close_end();
    }
    case Op::throw_: {
      const FuncType& ft = ml_.desc.types[ml_.desc.tags[in.a]].func;
      const uint32_t n = count_slots(ft.params);
      llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
      llvm::AllocaInst* payload =
          ab.CreateAlloca(b_.getInt64Ty(), b_.getInt32(std::max<uint32_t>(n, 1)));
      uint32_t slot = n;
      for (size_t i = ft.params.size(); i-- > 0;) {
        slot -= ft.params[i].slots();
        to_slot(pop(), b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), payload, slot));
      }
      b_.CreateCall(ml_.rt_throw,
                    {vm_, b_.getInt32(in.a), payload, b_.getInt32(n), b_.getInt32(offset_)});
      b_.CreateBr(unwind_target());
      live_ = false;
      return;
    }
    case Op::throw_ref:
      // A null reference traps (the runtime records it); the landing pad sees no exception.
      b_.CreateCall(ml_.rt_throw_ref, {vm_, pop(), b_.getInt32(offset_)});
      b_.CreateBr(unwind_target());
      live_ = false;
      return;
    case Op::rethrow: {
      // The exception the catch block at label `in.a` runs for, kept in its try's slot.
      Control& l = ctl_[ctl_.size() - 1 - in.a];
      l.rethrown = true;
      Value* exn = b_.CreateLoad(b_.getInt64Ty(), caught_slot(l));
      b_.CreateCall(ml_.rt_throw_ref, {vm_, exn, b_.getInt32(offset_)});
      b_.CreateBr(unwind_target());
      live_ = false;
      return;
    }
    default: return;
  }
}

// catch / catch_all: ends the body (or the previous catch block) like `else`, and starts a
// catch block, reached only from the try's landing pad, which leaves the payload in a buffer.
llvm::AllocaInst* FunctionLowering::caught_slot(Control& c) {
  if (!c.caught) {
    llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    c.caught = ab.CreateAlloca(b_.getInt64Ty());
    ab.CreateStore(b_.getInt64(0), c.caught);
  }
  return c.caught;
}

void FunctionLowering::legacy_catch(const Instr& in) {
  Control& c = ctl_.back();
  if (c.dead) return;
  if (live_) flow_to_end(c);
  c.in_catch = true;
  // With a root frame, the exception its blocks may rethrow is published from their start (a
  // call in them may come before the rethrow that makes the landing pad keep it).
  if (roots_) caught_slot(c);
  stack_.resize(c.height);
  LegacyCatch k;
  k.all = in.op == Op::catch_all;
  k.tag = in.a;
  k.block = BasicBlock::Create(ml_.C, "catch_block", fn_);
  b_.SetInsertPoint(k.block);
  live_ = true;
  if (!k.all) {
    const FuncType& ft = ml_.desc.types[ml_.desc.tags[in.a]].func;
    llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    k.payload = ab.CreateAlloca(b_.getInt64Ty(),
                                b_.getInt32(std::max<uint32_t>(count_slots(ft.params), 1)));
    uint32_t slot = 0;
    for (const ValType& t : ft.params) {
      push(from_slot(b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), k.payload, slot), t));
      slot += t.slots();
    }
  }
  c.legacy.push_back(k);
}

void FunctionLowering::take_exception(size_t index, Value* exn, uint32_t mode, Value* payload) {
  Value* roots = llvm::ConstantPointerNull::get(llvm::PointerType::get(ml_.C, 0));
  uint32_t nroots = 0;
  if ((mode & 1) || (mode & kCatchKeep)) {
    // The exposure may start a collection, which sees no machine registers: what this
    // function holds is given to it. References are i64 words here, as are i64 numbers
    // (harmless: the collector follows only words that are live objects). Values on the
    // operand stack below the try, every local, and the exceptions enclosing catch blocks
    // keep for rethrow.
    std::vector<Value*> words;
    for (llvm::AllocaInst* a : locals_)
      if (a->getAllocatedType()->isIntegerTy(64))
        words.push_back(b_.CreateLoad(b_.getInt64Ty(), a));
    for (size_t i = 0; i < ctl_[index].height; ++i)
      if (stack_[i]->getType()->isIntegerTy(64)) words.push_back(stack_[i]);
    for (size_t i = 0; i < index; ++i)
      if (ctl_[i].caught) words.push_back(b_.CreateLoad(b_.getInt64Ty(), ctl_[i].caught));
    if (!words.empty()) {
      llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
      llvm::AllocaInst* buf =
          ab.CreateAlloca(b_.getInt64Ty(), b_.getInt32(static_cast<uint32_t>(words.size())));
      for (size_t i = 0; i < words.size(); ++i)
        b_.CreateStore(words[i], b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), buf, i));
      roots = buf;
      nroots = static_cast<uint32_t>(words.size());
    }
  }
  b_.CreateCall(ml_.rt_catch, {vm_, exn, b_.getInt32(mode), payload, roots, b_.getInt32(nroots)});
}

void FunctionLowering::fill_landing(size_t index, BasicBlock* delegate_to) {
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  b_.SetInsertPoint(ctl_[index].landing);
  if (delegate_to) {
    b_.CreateBr(delegate_to);
    return;
  }
  Value* exn = b_.CreateCall(ml_.rt_pending_exception, {vm_});
  BasicBlock* thrown = BasicBlock::Create(ml_.C, "thrown", fn_);
  b_.CreateCondBr(b_.CreateICmpEQ(exn, b_.getInt64(0)), trapped_exit(), thrown);
  b_.SetInsertPoint(thrown);
  reload_fuel();  // callees charged on (the counter is current: they wrote it)
  BasicBlock* outer = handler_below(index);
  Value* null_ptr = llvm::ConstantPointerNull::get(llvm::PointerType::get(ml_.C, 0));
  // One clause: a test of its tag (none for catch_all), and `take` on a match.
  auto clause = [&](bool all, uint32_t tag, const std::function<void()>& take) {
    BasicBlock* taken = BasicBlock::Create(ml_.C, "catch", fn_);
    BasicBlock* next = nullptr;
    if (all) {
      b_.CreateBr(taken);
    } else {
      next = BasicBlock::Create(ml_.C, "next_clause", fn_);
      Value* is = b_.CreateCall(ml_.rt_exception_is, {vm_, exn, b_.getInt32(tag)});
      b_.CreateCondBr(is, taken, next);
    }
    b_.SetInsertPoint(taken);
    take();
    if (next) b_.SetInsertPoint(next);
    return next != nullptr;
  };
  Control& c = ctl_[index];
  bool open_end = true;  // the last clause may not match: on to the next handlers
  if (c.kind == Kind::TryTable) {
    for (const Catch& k : c.catches) {
      if (!open_end) break;  // after a catch_all: no exception gets further
      const bool all = k.kind == Catch::Kind::CatchAll || k.kind == Catch::Kind::CatchAllRef;
      const bool ref = k.kind == Catch::Kind::CatchRef || k.kind == Catch::Kind::CatchAllRef;
      open_end = clause(all, k.tag, [&] {
        std::vector<ValType> params;
        if (!all) params = ml_.desc.types[ml_.desc.tags[k.tag]].func.params;
        const uint32_t n = count_slots(params);
        Value* payload = null_ptr;
        if (n) {
          llvm::IRBuilder<> ab(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
          payload = ab.CreateAlloca(b_.getInt64Ty(), b_.getInt32(n));
        }
        take_exception(index, exn, static_cast<uint32_t>(k.kind), payload);
        std::vector<Value*> values;
        uint32_t slot = 0;
        for (const ValType& t : params) {
          values.push_back(
              from_slot(b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), payload, slot), t));
          slot += t.slots();
        }
        if (ref) values.push_back(exn);
        // The clause's label, counted from the frame around the try_table.
        Control& l = ctl_[index - 1 - k.label];
        // Caught to a loop's header: perhaps thrown by no call at all.
        if (l.kind == Kind::Loop) l.branched_back_before_call = true;
        for (size_t i = 0; i < values.size(); ++i)
          l.target_phis[i]->addIncoming(values[i], b_.GetInsertBlock());
        b_.CreateBr(l.target);
      });
    }
  } else {
    for (const LegacyCatch& k : c.legacy) {
      if (!open_end) break;
      open_end = clause(k.all, k.tag, [&] {
        uint32_t mode = static_cast<uint32_t>(k.all ? Catch::Kind::CatchAll : Catch::Kind::Catch);
        if (c.rethrown) {
          mode |= kCatchKeep;
          b_.CreateStore(exn, c.caught);
        }
        take_exception(index, exn, mode, k.payload ? static_cast<Value*>(k.payload) : null_ptr);
        b_.CreateBr(k.block);
      });
    }
  }
  if (open_end) b_.CreateBr(outer);
}

}  // namespace hull::native
