// Lowering validated wasm functions to LLVM IR: one more sink of the validator (valid/instr.h),
// so the native tier sees exactly the instructions and types the interpreter's lowering sees.
//
// Every compiled function i becomes `w<i>(ptr vm, params...) -> results` (one value, a struct
// of several, or void), called directly by the other compiled functions of its module, plus an
// entry `e<i>(ptr inst, ptr slots, ptr ctx) -> i1` with the interpreter's slot convention
// (interp::NativeEntry), through which everything else calls it. Traps set VmCtx::trapped
// (native/vm.h); every call site checks it and returns at once.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "binary/module.h"
#include "runtime/store.h"
#include "valid/instr.h"

namespace hull::native {

// What the functions of one wasm module share while they are lowered into one LLVM module.
struct ModuleLowering {
  ModuleLowering(llvm::LLVMContext& c, llvm::Module& m, const ModuleDesc& d,
                 const std::vector<uint32_t>& type_ids, const CompileOptions& o);

  llvm::LLVMContext& C;
  llvm::Module& M;
  const ModuleDesc& desc;
  const std::vector<uint32_t>& type_ids;  // canonical id per type index
  CompileOptions opts;
  // Per memory index: its accesses need no bounds checks when guarded (guard pages: a fault is
  // the trap; accesses are then volatile, so that LLVM keeps them and their trap).
  struct MemInfo {
    bool guarded = false;
    bool is64 = false;
    bool shared = false;  // its size is read with acquire (another thread may grow it)
    uint32_t page_log2 = 16;
  };
  std::vector<MemInfo> mems;

  // The w<i> of each function index: nullptr for imports and functions left interpreted.
  // They use LLVM's tailcc convention in a module with tail calls (every call of one must say
  // so too): a call marked `tail` right before a `ret` is then always a jump, whatever the two
  // signatures (return_call). Without tail calls, fastcc: tailcc's callee-popped argument area
  // costs every call a `ret $8` and a stack adjustment after it (x86-64).
  llvm::CallingConv::ID wasm_cc = llvm::CallingConv::Tail;
  std::vector<llvm::Function*> wasm_funcs;
  // Tier-up compiles a module in batches into one JIT: its w<i> are then external symbols, so
  // that a later batch calls an earlier one's directly (declared there, without a body).
  bool export_wasm_funcs = false;
  // ... and the w<i> of every function compiled so far, by function index, is at run time in
  // this table (jit.h lower_functions): for callees of a later batch.
  void* const* w_table = nullptr;
  // w_table's entry for `func_index` (a pointer constant to it).
  llvm::Value* w_table_entry(llvm::IRBuilder<>& b, llvm::Value* func_index);
  // The same as a constant array of pointers (null where wasm_funcs is), made on first use:
  // return_call_indirect finds its callee's w<i> there.
  llvm::GlobalVariable* wasm_func_table();
  llvm::GlobalVariable* wasm_func_table_ = nullptr;

  llvm::Type* ptr_ty;
  // v128's one type in IR (values, params, results, locals, phis); SIMD operations bitcast to
  // the lane shape they work on (lower_simd.cc).
  llvm::FixedVectorType* v128_ty;
  llvm::FunctionCallee rt_trap, rt_call, rt_call_indirect, rt_memory_grow, rt_vm;
  llvm::FunctionCallee rt_memory_fill, rt_memory_copy, rt_memory_init, rt_data_drop;
  llvm::FunctionCallee rt_resolve_indirect, rt_call_function, rt_trap_null_function;
  llvm::FunctionCallee rt_table_get, rt_table_set, rt_table_size, rt_table_grow, rt_table_fill,
      rt_table_copy, rt_table_init, rt_elem_drop;
  llvm::FunctionCallee rt_atomic_wait, rt_atomic_notify;
  llvm::FunctionCallee rt_throw, rt_throw_ref, rt_pending_exception, rt_exception_is, rt_catch;
  llvm::FunctionCallee rt_gc_new, rt_array_new_data, rt_array_new_elem, rt_array_fill,
      rt_array_copy, rt_array_init_data, rt_array_init_elem, rt_ref_matches, rt_trap_null;
  llvm::GlobalVariable* epoch_global;  // hull_g_epoch: g_epoch, resolved when the code loads
  // Type-based alias analysis: wasm memory, globals and the runtime's own fields never alias
  // each other, so loads of the memory's base and size survive stores to wasm memory.
  llvm::MDNode* tbaa_memory;
  llvm::MDNode* tbaa_global;
  llvm::MDNode* tbaa_runtime;
  llvm::MDNode* tbaa_gc;  // fields and elements of GC objects
  // Store::native_limit, which the cold path of a deadline check writes: a type of its own, so
  // that the write keeps no load of the runtime's fields or of wasm memory in the loop.
  llvm::MDNode* tbaa_limit;
  // The interpreter's fuel counter, which every fuel check point writes: a type of its own too,
  // or each write would make LLVM reload the memory's base and the other runtime fields after
  // it, in every loop iteration.
  llvm::MDNode* tbaa_fuel;

  llvm::Type* llvm_type(const ValType& t) const;
  // w<i>'s signature: (ptr vm, params...) -> the result, or void when there are none. Several
  // results go to a buffer the caller passes after vm (ptr out, of results_type): returned as
  // a struct, those that do not fit in registers would make LLVM return through a hidden
  // pointer of the caller's own frame, and a tail call impossible.
  //
  // With fuel, the function's fuel comes in a register too, as the argument after vm (and out),
  // and goes back with the result: {result, i64 fuel}, or the fuel alone when there is no single
  // result. A call then charges its callee without going through memory; the interpreter's
  // counter is written only where something may read it (FunctionLowering::write_fuel_back).
  llvm::FunctionType* wasm_signature(const FuncType& ft) const;
  static bool results_in_memory(const FuncType& ft) { return ft.results.size() > 1; }
  // The argument index of the fuel (with fuel), and of the first wasm parameter.
  static unsigned fuel_arg(const FuncType& ft) { return results_in_memory(ft) ? 2 : 1; }
  unsigned first_param(const FuncType& ft) const { return fuel_arg(ft) + (opts.fuel ? 1 : 0); }
  llvm::StructType* results_type(const FuncType& ft) const;
  // Declares w<func_index> (its body comes from FunctionLowering).
  llvm::Function* declare(uint32_t func_index);
  // Defines e<func_index>, the slot-convention entry of w<func_index>.
  llvm::Function* define_entry(uint32_t func_index);
  // On-stack replacement at loop number `loop` of function `func_index`: o<i>_<loop>, the
  // function again (FunctionLowering::set_osr_loop), entered at that loop's header with its
  // locals read from the interpreter's frame -- w<i>'s signature with the wasm params replaced
  // by the frame's address -- and its slot-convention entry eo<i>_<loop>
  // (interp::install_osr), which passes its `slots` as that frame.
  llvm::Function* declare_osr(uint32_t func_index, uint32_t loop);
  llvm::Function* define_osr_entry(uint32_t func_index, uint32_t loop, llvm::Function* osr);
  llvm::Function* define_entry_of(uint32_t func_index, llvm::Function* osr,
                                  const std::string& name);
};

// The sink that fills in one w<i>.
class FunctionLowering {
 public:
  // `needs_roots`: the function holds collected references (SupportScan::needs_roots).
  FunctionLowering(ModuleLowering& ml, llvm::Function* fn, bool needs_roots)
      : ml_(ml), fn_(fn), b_(ml.C) {
    needs_roots_ = needs_roots;
  }
  void begin_function(uint32_t func_index, const FuncType& type, std::span<const ValType> locals);
  void instr(const Instr& in, bool reachable, std::span<const ValType> popped,
             std::span<const ValType> pushed);
  Status end_function();
  // Lowers `fn` (made by declare_osr) as the function entered at the header of its loop number
  // `loop` (loops numbered in code order, dead ones too, as the interpreter numbers them).
  void set_osr_loop(uint32_t loop) { osr_loop_ = loop; }
  // Whether that loop could be entered: its header live, the operand stack empty there, no
  // handler around it. When not, the function is not usable (its entry path is unreachable).
  bool osr_made() const { return osr_made_; }

 private:
  // TryTable and Try (legacy) are blocks whose bodies have handlers (lower_exceptions.cc).
  enum class Kind : uint8_t { Block, Loop, If, Func, TryTable, Try };
  // A legacy catch / catch_all block: which exceptions it takes, where its code starts, and
  // where the landing pad leaves the payload for it.
  struct LegacyCatch {
    bool all = false;
    uint32_t tag = 0;
    llvm::BasicBlock* block = nullptr;
    llvm::AllocaInst* payload = nullptr;
  };
  struct Control {
    Kind kind = Kind::Block;
    bool dead = false;                   // opened in dead code: nothing of it is emitted
    llvm::BasicBlock* target = nullptr;  // where a branch to this label goes (loop: its header)
    llvm::BasicBlock* end = nullptr;     // the code after `end`
    llvm::BasicBlock* els = nullptr;     // If: the else branch, until `else` or `end` takes it
    std::vector<llvm::PHINode*> target_phis;  // the label's values at `target`
    std::vector<llvm::PHINode*> end_phis;     // the results at `end`
    size_t height = 0;                        // operand stack height below the block's params
    std::vector<llvm::Value*> if_params;      // If: the params, for the else branch
    // TryTable, Try: where the body's exceptions go (made at the first throw or call that
    // may throw in the body, filled when the construct closes).
    llvm::BasicBlock* landing = nullptr;
    std::vector<Catch> catches;          // TryTable: its clauses
    std::vector<LegacyCatch> legacy;     // Try: its catch blocks, in order
    bool in_catch = false;               // Try: past its first catch (the body's region closed)
    bool rethrown = false;               // Try: a rethrow names it: its catches keep the exception
    llvm::AllocaInst* caught = nullptr;  // Try: the exception its catch blocks run for
    // Loop: the deadline check at its header (limit_check's branch), dropped when the loop
    // closes if every iteration enters a function of this module -- whose entry checks anyway:
    // a direct call in the loop's own body before any branch back to the header.
    llvm::BranchInst* limit_branch = nullptr;
    // Loop: its first block (the blocks from it to the function's last when the loop closes
    // are its code); a loop whose code calls nothing drops its check too, where machine code
    // can be interrupted (calls_nothing).
    llvm::BasicBlock* first_block = nullptr;
    bool calls_each_iteration = false;
    bool branched_back_before_call = false;
  };

  llvm::Value* pop() {
    llvm::Value* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  void push(llvm::Value* v) { stack_.push_back(v); }
  void open(const Instr& in, Kind kind);
  // The values on top of the stack flow into `c`'s results (its end block's phis) and the
  // current block branches there: the end of a live block, then-arm or catch block.
  void flow_to_end(Control& c);
  void close_else();
  void close_end();
  // Branch from the current block to label `depth` with its values from the stack top.
  void branch_to(uint32_t depth);
  void add_incoming(Control& c, llvm::BasicBlock* from);
  std::vector<llvm::PHINode*> make_phis(llvm::BasicBlock* bb, const std::vector<ValType>& types);
  void block_signature(const BlockType& bt, std::vector<ValType>* params,
                       std::vector<ValType>* results) const;

  // Emits a trap of `kind` at the current instruction when `cond` holds.
  void trap_if(llvm::Value* cond, TrapKind kind);
  void trap_now(TrapKind kind);
  // After a call that may have trapped or thrown: return at once if it did, or go to the
  // enclosing handlers (unwind_target) when it threw.
  void check_trapped();
  llvm::BasicBlock* trapped_exit();

  // lower_exceptions.cc: try_table, throw, throw_ref and the legacy try/catch/delegate/rethrow.
  void exception_op(const Instr& in);
  // Where an exception raised here goes: the landing pad of the innermost try whose body this
  // is, else out of the function (trapped_exit).
  llvm::BasicBlock* unwind_target() {
    return no_handlers_ ? trapped_exit() : handler_below(ctl_.size());
  }
  // The landing pad of the innermost handler region among ctl_[0, end), or trapped_exit.
  llvm::BasicBlock* handler_below(size_t end);
  // Fills in the landing pad of ctl_[index] (a try_table or try closing; `delegate_to`: the
  // pad a delegate passes every exception to, else nullptr).
  void fill_landing(size_t index, llvm::BasicBlock* delegate_to);
  // Where the landing pad of the try at ctl_[index] hands exception `exn` to a clause: the
  // payload and exnref go to `payload`, the runtime keeps or frees the exception by `mode`
  // (Catch::Kind, plus kKeepForRethrow), and the values the function holds are the roots of
  // a collection the exposure may start.
  void take_exception(size_t index, llvm::Value* exn, uint32_t mode, llvm::Value* payload);
  void legacy_catch(const Instr& in);
  // Where the try `c` keeps the exception its catch blocks run for (made on first use).
  llvm::AllocaInst* caught_slot(Control& c);
  bool no_handlers_ = false;  // lowering a tail call: the callee's exceptions leave the function
  llvm::Value* vm_field(uint64_t offset, llvm::Type* t, bool invariant);
  llvm::Value* load_runtime(llvm::Value* base, uint64_t offset, llvm::Type* t);
  llvm::Value* type_id(uint32_t index);

  void numeric(const Instr& in);
  void simd(const Instr& in);         // lower_simd.cc: v128.* and the lane shapes' ops
  void simd_memory(const Instr& in);  // the SIMD loads and stores
  // lower_memory.cc: loads, stores and the memory.* instructions, on any memory.
  void memory_access(const Instr& in);
  void memory_op(const Instr& in);  // memory.size/grow/fill/copy/init, data.drop
  llvm::Value* effective_address(const Instr& in, llvm::Value* addr, unsigned bytes);
  llvm::Value* memory_object(uint32_t index);  // the instance's Memory* of memory `index`
  // Its size in bytes, read with acquire when shared or asked to.
  llvm::Value* memory_size(uint32_t index, bool acquire = false);
  // lower_atomic.cc: the threads proposal's atomic instructions and atomic.fence.
  void atomic(const Instr& in);
  // The checked effective address of an atomic access of `bytes` (aligned, in bounds).
  llvm::Value* atomic_ea(const Instr& in, llvm::Value* addr, unsigned bytes);
  // lower_table.cc: ref.null/is_null/func/as_non_null, br_on_null/non_null, table.*, elem.drop.
  void table_op(const Instr& in);
  // lower_gc.cc: struct, array, i31 and cast instructions, ref.eq.
  void gc_op(const Instr& in);
  // The object of non-null reference `ref` (a trap of wording `what`, hull_rt_trap_null's,
  // when it is null).
  llvm::Value* gc_object(llvm::Value* ref, uint32_t what);
  // Whether reference `ref` is of type `t` (an i1): ref.test, ref.cast, br_on_cast.
  llvm::Value* ref_test(llvm::Value* ref, const ValType& t);
  llvm::Value* load_field(llvm::Value* addr, const FieldType& f, bool is_signed);
  void store_field(llvm::Value* addr, const FieldType& f, llvm::Value* v);

  // Roots (interp::NativeRootFrame). A function holding collected references links a root
  // frame into its store's chain at entry and unlinks it at every return (end_function); at
  // each point where a collection may happen, publish_roots writes there every word the
  // function holds: its locals of collected types, every i64 on the operand stack (numbers
  // too: the collector ignores words that are not objects) and the exceptions its catch blocks
  // keep.
  void publish_roots();
  bool needs_roots_ = false;
  llvm::AllocaInst* roots_ = nullptr;  // [prev][count][words...], sized at end_function
  llvm::Value* roots_head_ = nullptr;  // where the chain starts (VmCtx::roots_head)
  llvm::Value* roots_prev_ = nullptr;  // the chain as the function found it
  uint32_t roots_max_ = 0;             // the most words published at one point
  bool guarded(const Instr& in) const { return ml_.mems[in.mem.memory].guarded; }
  void call(const Instr& in);
  void call_indirect(const Instr& in);
  // return_call / return_call_indirect: a jump to a native callee of this instance (tailcc),
  // else a call through the runtime and a return of its results.
  void return_call(const Instr& in);
  void return_call_indirect(const Instr& in);
  void return_values();  // returns the values on the stack top (the function's results)
  // call_ref / return_call_ref: through the runtime / as return_call_indirect does.
  void call_ref(const Instr& in);
  void return_call_ref(const Instr& in);
  // The Function* popped from the stack, after a trap when it is null.
  llvm::Value* non_null_function();
  // The tail call of `f` (a Function*, not null) of type `ft`, its args on the stack; or, `f`
  // null (tier-up), of function `func_index` of this module, compiled in another batch or not
  // at all.
  void tail_call_function(const FuncType& ft, llvm::Value* f, uint32_t func_index = 0);
  // A call of machine code `callee` (a w<i>, signature `sig`), its args on the stack.
  void direct_call(const FuncType& ft, llvm::FunctionType* sig, llvm::Value* callee);
  // Calls through the runtime with the slot convention: args from the stack, results pushed
  // (a v128 takes two consecutive slots, as in the interpreter).
  void slot_call(const FuncType& ft, const std::function<llvm::Value*(llvm::Value*)>& emit);
  void to_slot(llvm::Value* v, llvm::Value* slot);
  llvm::Value* from_slot(llvm::Value* slot, const ValType& t);
  llvm::Value* trunc_checked(const Instr& in, llvm::Value* x);
  llvm::Value* opaque_identity(llvm::Value* v);
  llvm::Value* opaque_constant(llvm::Value* v);            // a vector constant through opaque()
  llvm::Value* first_nan(llvm::Value* x, llvm::Value* y);  // x + y of a NaN, operands in order
  llvm::Value* opaque(llvm::Value* v);  // v, through an asm LLVM cannot see through

  // On-stack replacement (set_osr_loop): the block the entry branches to, which reads the
  // locals from the frame and jumps to the loop's header once lowering gets there.
  static constexpr uint32_t kNoOsr = UINT32_MAX;
  void make_osr_entry(const Control& loop);
  uint32_t osr_loop_ = kNoOsr;
  bool osr_made_ = false;
  llvm::BasicBlock* osr_block_ = nullptr;
  llvm::Value* osr_frame_ = nullptr;
  uint32_t loops_seen_ = 0;  // loops met so far
  uint32_t loop_id_ = 0;     // the number of the loop being opened

  ModuleLowering& ml_;
  llvm::Function* fn_;
  llvm::IRBuilder<> b_;
  llvm::Value* vm_ = nullptr;
  llvm::Value* out_ = nullptr;  // where several results go (ModuleLowering::results_in_memory)
  std::vector<llvm::AllocaInst*> locals_;
  std::vector<ValType> local_types_;
  std::vector<llvm::Value*> stack_;
  std::vector<Control> ctl_;
  bool live_ = true;     // the current block is reachable (not after br/return/unreachable)
  uint32_t offset_ = 0;  // byte offset of the instruction being lowered
  llvm::BasicBlock* trapped_exit_ = nullptr;

  // Fuel and epoch check points, where the interpreter has them (function entry, loop
  // headers), each charging the instructions from it to the next one in code order -- the
  // interpreter's count, so that a program uses the same fuel in every tier.
  void emit_check(bool at_entry = false);
  llvm::BranchInst* limit_check(bool at_entry);
  bool calls_nothing(llvm::BasicBlock* from) const;
  void close_check();
  void reload_fuel();
  // The function's fuel is in fuel_ (a register, once promoted); the interpreter's counter gets
  // it only before what may read it there: a call of the runtime (a trap, a host or interpreted
  // function, anything that may collect or throw) and an access of a guarded memory (a fault
  // ends this code with no later chance to write it). Run once the body is lowered: a forward
  // pass over the blocks finds where the counter may be stale.
  void write_fuel_back();
  // Where the function's fuel goes back with its result (w<i>'s return value, fuel mode).
  void create_return(llvm::Value* result);
  // Takes the call's results apart: the wasm result (nullptr if none is returned in registers)
  // and, with fuel, the callee's fuel into fuel_ (after check_trapped: a trap returns none).
  llvm::Value* call_result(llvm::CallInst* r);
  void take_callee_fuel(llvm::CallInst* r);
  llvm::AllocaInst* fuel_ = nullptr;  // the function's fuel (CompileOptions::fuel)
  // fuel_'s stores that leave the counter as it is (reload_fuel: read from it).
  std::vector<llvm::StoreInst*> fuel_reloads_;
  llvm::CallInst* open_charge_ = nullptr;  // the open check point's usub.with.overflow
  uint64_t charge_count_ = 0;              // instructions since it
};

}  // namespace hull::native
