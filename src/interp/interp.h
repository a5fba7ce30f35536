// The interpreter tier's interface to the engine: lower a module's validated code once, and
// call functions (wasm or host) on a store. Everything else in src/interp is private to it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "runtime/store.h"
#include "runtime/type_registry.h"

namespace hull::interp {

// Lowered code for every defined function of one module. Immutable after compile_module and
// shareable across threads and instances.
struct ModuleCode;

// Validates every function body (driving the validator with the lowering sink, one pass) and
// lowers it. `type_ids[i]` is the canonical id of type index i (see runtime/type_registry.h);
// the code embeds them for call_indirect checks. `opts` adds fuel / epoch check points at each
// function entry and loop header. Errors are the validator's.
Result<std::shared_ptr<const ModuleCode>> compile_module(const ModuleDesc& m,
                                                         const std::vector<uint32_t>& type_ids,
                                                         CompileOptions opts = {});

// The value to store in Function::code for defined function `defined_index` (0-based among the
// module's defined functions, i.e. function index - number of imported functions).
const void* function_code(const ModuleCode& code, uint32_t defined_index);

// Call `f` (a wasm function of an instance in `store`, or a host function) with its params in
// `slots` (8-byte slots, v128 = 2); on success the results are in `slots` from slot 0. `slots`
// must hold max(param slots, result slots). Re-entrant: host functions may call back in.
// Deep recursion traps with "call stack exhausted"; never overflows the native stack.
std::optional<Trap> call(Store& store, Function* f, uint64_t* slots);

// The function call_indirect reaches through element `i` of table `t` when it expects
// canonical type id `want`; nullptr (and *why: undefined or uninitialized element, type
// mismatch) when it traps instead. Every tier's call_indirect decides with this.
inline Function* resolve_indirect(const Table* t, uint64_t i, uint32_t want, TrapKind* why) {
  if (i >= t->elems.size()) [[unlikely]] {
    *why = TrapKind::UndefinedElement;
    return nullptr;
  }
  Function* f = reinterpret_cast<Function*>(t->elems[i]);
  if (!f) [[unlikely]] {
    *why = TrapKind::UninitializedElement;
    return nullptr;
  }
  if (f->type_id != want && !type_id_is_subtype(f->type_id, want)) [[unlikely]] {
    *why = TrapKind::IndirectCallTypeMismatch;
    return nullptr;
  }
  return f;
}

// ---- Tiers: machine code in place of lowered code -------------------------------------------
//
// A native tier installs machine code for a defined function of a module; from then on every
// call of that function -- direct calls, call_indirect, call_ref, tail calls, calls from the
// host -- runs the machine code, in every instance of the module and every thread. The entry
// slot is the function's FuncCode (shared by the module's instances), so a swap is one atomic
// store and calls pay one load they make anyway.

// Execution state of the store running the code (opaque; the services below read it).
struct Ctx;

// Machine code for one function, with the interpreter's convention at its boundary: runs the
// function of instance `inst` with its params in `slots` (8-byte slots, v128 = 2) and writes its
// results from slot 0 (`slots` holds max(param, result) slots). Returns true on success, false
// once a trap or exception was recorded (native_trap, or a native_call that failed): the
// caller then returns false too, down to the interpreter, which reports it.
using NativeEntry = bool (*)(Instance* inst, uint64_t* slots, Ctx* ctx);

// Makes calls of defined function `defined_index` of `code` run `entry` (nullptr: lowered
// code again). A release store: threads running the function finish the call they are in with
// the old code, their next call takes the new one. `entry` must stay valid while `code` lives.
void install_native(const ModuleCode& code, uint32_t defined_index, NativeEntry entry);
// The entry installed for the function, or nullptr (it runs interpreted).
NativeEntry native_entry(const ModuleCode& code, uint32_t defined_index);
// On-stack replacement (code compiled with CompileOptions::hot_threshold): machine code that
// runs the rest of a call of the function from the header of its loop number `loop`, taking
// the interpreter's frame over -- `slots` is the frame, its locals in their slots and the
// operand stack empty there; results go to slot 0 as NativeEntry's do. The interpreter enters
// it at that header the next time its count runs out at a branch back there. Ignored for a
// loop number the function does not have.
void install_osr(const ModuleCode& code, uint32_t defined_index, uint32_t loop, NativeEntry entry);
uint32_t num_defined_functions(const ModuleCode& code);

// Tier-up. Code compiled with CompileOptions::hot_threshold counts each function's calls
// (where a call enters it: the caller's call instruction, or call() from the host or machine
// code) and its loop iterations (at each taken branch back to a loop); a function whose count
// reaches the threshold is reported once: queued on its module and the hot listener called, on the
// thread that runs it (so the listener only wakes someone up). The counting is per module, shared
// by its instances and threads.
using HotListener = void (*)();
// Replaces the listener (nullptr: none; reports still queue).
void set_hot_listener(HotListener listener);
// A report: defined function `defined` ran hot, and the count ran out at a branch back to its
// loop number `loop` (loops numbered in code order, dead ones too), or at its entry (kNoLoop).
// A function is reported once; again for a loop when it runs machine code already but the
// interpreter, in a call that began before, keeps running the loop: then on-stack replacement
// at that loop is what it wants (install_osr).
constexpr uint32_t kNoLoop = UINT32_MAX;
struct HotReport {
  uint32_t defined = 0;
  uint32_t loop = kNoLoop;
};
// The reports made since the last call, in report order.
std::vector<HotReport> take_hot_functions(const ModuleCode& code);
// How many times a running call left the interpreter for machine code at a loop header
// (install_osr), in this process: for tests and traces.
uint64_t osr_entries_taken();

// Services for native code, each given the Ctx its entry received.
//
// Calls any function (interpreted, native or host) with its params in `slots`, results from
// slot 0, exactly as the interpreter's call instructions do. false: the callee trapped or
// threw; return false at once.
bool native_call(Ctx* ctx, Function* f, uint64_t* slots);
// Records a trap of `kind` at byte offset `offset` in the module (the trapping instruction)
// for the innermost running native function; return false after it.
// `message`, when given, replaces the kind's wording (e.g. "uninitialized element 2").
void native_trap(Ctx* ctx, TrapKind kind, uint32_t offset, std::string message = {});
// memory.init of data segment `segment` of `code` (the function's module) into memory 0 of
// `inst`, and data.drop, with the interpreter's semantics. memory_init is false after
// recording an out-of-bounds trap at `offset`.
bool native_memory_init(Ctx* ctx, const ModuleCode& code, Instance* inst, uint32_t segment,
                        uint64_t dst, uint32_t src, uint32_t n, uint32_t offset);
void native_data_drop(Instance* inst, uint32_t segment);
// memory.atomic.wait32/64 and notify after their alignment and bounds checks (`ea` is a
// valid, aligned address of a `bytes`-wide cell of `m`), shared by every tier: the wait's
// result (0 woken, 1 not equal, 2 timed out), or -1 with *trap set (an unshared memory, or
// the store's epoch deadline passed while waiting); notify's number of waiters woken.
int32_t atomic_wait(Ctx* ctx, Memory* m, uint64_t ea, unsigned bytes, uint64_t expected,
                    int64_t timeout_ns, TrapKind* trap);
uint32_t atomic_notify(Memory* m, uint64_t ea, uint32_t count);
// Exceptions in native code. The exception in flight is the one a failed native_call leaves
// (an interpreted or host callee threw): native code passes it down by returning false, as a
// trap, or catches it. native_throw allocates a new one of `tag` (payload in slot encoding) and
// makes it the one in flight; native_rethrow makes `exn` (an exnref's) the one in flight.
// `offset`: the throwing instruction's byte offset in the module, reported for the innermost
// native frame if the exception leaves the guest (UINT32_MAX: none, e.g. for an exception a
// callee threw).
void native_throw(Ctx* ctx, Tag* tag, const uint64_t* payload, uint32_t nslots, uint32_t offset);
void native_rethrow(Ctx* ctx, Exception* exn, uint32_t offset);
// The exception in flight, or nullptr (the failure is a trap).
Exception* native_pending_exception(Ctx* ctx);
// Whether a catch clause of `kind` (Catch::Kind) naming tag index `tag` of `inst` catches
// `exn`: catch_all(_ref) catches everything, the others by tag identity. Every tier decides
// with this.
bool catch_matches(const Instance* inst, uint8_t kind, uint32_t tag, const Exception* exn);
// Hands `exn` to a catch clause of `kind`: its payload to `dst` (but for catch_all), then frees
// it, or exposes it when an exnref to it survives (the _ref kinds, or `keep`: a legacy catch
// whose block may rethrow it). True when the exposure calls for a collection. Every tier's
// catch ends with this.
bool deliver_exception(Store& store, Exception* exn, uint8_t kind, bool keep, uint64_t* dst);
// A native catch of the exception in flight: no longer in flight, delivered as above, and a
// collection if one is due, whose roots are the interpreter's frames, `exn` and `roots` (the
// words the catching native function holds).
void native_catch(Ctx* ctx, Exception* exn, uint8_t kind, bool keep, uint64_t* dst,
                  const uint64_t* roots, uint32_t nroots);
// Roots of native code. A native function that holds GC-managed references (anything but
// funcrefs) keeps, in its machine frame, a NativeRootFrame linked into its store's chain while
// it runs: before each point where a collection may happen (a call, an allocation) it writes
// the words it holds there and their count. Collections visit the chain with the
// interpreter's frames (visit_frame_roots); objects never move, so nothing is read back.
// A guard-page trap abandons frames without unlinking them: the entry that catches it restores
// the chain as it found it (exec.cc).
struct NativeRootFrame {
  NativeRootFrame* prev;
  uint64_t count;
  uint64_t* words() { return reinterpret_cast<uint64_t*>(this + 1); }
};
static_assert(sizeof(NativeRootFrame) == 16);
// Where the chain of `ctx`'s store starts (native code links and unlinks its frames there).
NativeRootFrame** native_roots_head(Ctx* ctx);
// A zeroed struct (`array` false) or array of `length` elements of `layout`, allocated on the
// store's heap as the interpreter's struct.new/array.new do (a collection first if one is due,
// and another before giving up); nullptr after recording a HeapExhausted trap at `offset`.
GcObject* native_gc_allocate(Ctx* ctx, const GcLayout& layout, bool array, uint32_t length,
                             uint32_t offset);
// The fuel counter native code charges at the interpreter's check points, with the same
// amounts: when a charge would take it below zero, the code traps (OutOfFuel) and leaves it.
int64_t* native_fuel(Ctx* ctx);
// The store `ctx` runs code of (its deadline and limit word: Store::native_limit).
Store* native_store(Ctx* ctx);
// The lowest machine-stack address this thread's native code may reach: code whose frame goes
// below it traps (StackExhausted) instead of overflowing. Leaves room for host calls.
uintptr_t native_stack_limit();

}  // namespace hull::interp
