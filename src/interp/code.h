// The interpreter's internal code format and execution state, shared by lowering and handlers.
//
// Code is a stream of 8-byte Words. Each instruction is its handler address (direct threading)
// followed by operand words. Value operands are byte offsets from the frame pointer `sp`:
// a frame holds params, then declared locals, then the operand stack, 8-byte slots each
// (v128 takes two). Branch targets are absolute Word pointers.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "interp/interp.h"
#include "runtime/signals.h"
#include "runtime/store.h"

#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(preserve_none) && __has_attribute(musttail) && defined(__x86_64__)
#define HULL_INTERP_MUSTTAIL 1
#endif
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || defined(HULL_NO_PRESERVE_NONE)
// clang 19's backend cannot realign the stack for ASan's dynamic allocas under preserve_none
// ("Stack realignment in presence of dynamic allocas is not supported"): sanitizer builds use
// the default convention (musttail still applies).
#undef HULL_INTERP_MUSTTAIL
#endif
#endif

#ifdef HULL_INTERP_MUSTTAIL
// preserve_none: handlers keep the hot state in argument registers across the tail calls.
#define HULL_HANDLER_CC __attribute__((preserve_none))
#else
#define HULL_HANDLER_CC
#endif

namespace hull::interp {

struct Ctx;
union Word;
struct FuncCode;

using Handler = void(HULL_HANDLER_CC*)(const Word* pc, uint64_t* sp, uint8_t* mem, uint64_t memsize,
                                       Ctx* ctx);

union Word {
  Handler h;
  uint64_t u;
  int64_t i;
  const Word* p;
  const void* ptr;
};
static_assert(sizeof(Word) == 8);

// One catch clause of a try_table, as lowered: where the caught values go and where control
// resumes (the clause's label).
struct CatchCode {
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  uint8_t kind = 0;       // Catch::Kind (valid/instr.h): catch, catch_ref, catch_all(_ref)
  uint32_t tag = 0;       // the module's tag index (catch, catch_ref)
  uint32_t dst_slot = 0;  // the label's first value slot: payload, then the exnref
  uint32_t target = 0;    // code index to resume at
  // A legacy catch whose body rethrows: the frame slot that keeps the exception for it (the
  // catch block's first operand slot; its payload follows at dst_slot).
  uint32_t exn_slot = kNoSlot;
};

// The code range [begin, end) of a try_table body (code indices) and its clauses
// (FuncCode::catches[first, first + count)). FuncCode::try_regions lists them innermost
// first: in the order their bodies close.
struct TryRegion {
  static constexpr uint32_t kNoDelegate = UINT32_MAX;
  static constexpr uint32_t kToCaller = UINT32_MAX - 1;
  uint32_t begin = 0, end = 0;
  uint32_t first = 0, count = 0;
  uint32_t id = 0;  // the try's number in its function, in opening order
  // A legacy `try ... delegate l`: an exception from the body skips the regions around it up
  // to the one with this id (the try that label l names, or the next one out), or leaves the
  // function (kToCaller). kNoDelegate for every other region.
  uint32_t delegate = kNoDelegate;
};

// A place in a function's code where a collection may find the frame: a call in progress (the
// frame waits for its callee) or an allocation. The frame slots that may hold references there
// are FuncCode::gc_ref_slots[first, first + count), the roots of the precise stack scan.
struct GcPoint {
  uint32_t begin = 0, end = 0;  // code indices of the instruction's lowered words
  uint32_t first = 0, count = 0;
};

// The baseline tier's machine code for a function (src/baseline), and what a guard-page fault
// needs to find its instruction (faulting_pc) now that the handler words point at the machine
// code: only guarded loads and stores fault.
struct BaselineCode {
  uintptr_t begin = 0, end = 0;  // the function's machine code
  // The guarded accesses compiled from stencils: where their machine code starts (offset from
  // begin) and their code index, ascending. A fault's instruction pointer finds its access.
  std::vector<std::pair<uint32_t, uint32_t>> faulting;
  // The guarded accesses left to their handlers (whose register holds the lowered pc at a
  // fault): their code indices, ascending.
  std::vector<uint32_t> guarded_handlers;
  uint32_t instructions = 0;  // how many the function has
};

// Lowered code of one defined function.
struct FuncCode {
  uint32_t func_index = 0;
  uint32_t param_slots = 0;
  uint32_t local_slots = 0;  // params + declared locals
  uint32_t frame_slots = 0;  // locals + maximum operand stack height
  uint32_t result_slots = 0;
  // Some result may hold an exception or a GC object (any reference outside the func
  // hierarchy): what is returned to the host is rooted for it (Store::host_roots).
  bool ref_results = false;
  const ModuleCode* module = nullptr;
  std::vector<Word> code;
  // (code index of an instruction's handler word, byte offset of the wasm instruction it
  // came from), ascending: maps a trapping pc back to the module for backtraces.
  std::vector<std::pair<uint32_t, uint32_t>> offsets;
  // Where each instruction starts (code indices, ascending): only for code lowered for the
  // baseline tier (CompileOptions::baseline), which compiles instruction by instruction (and
  // frees them once it has).
  std::vector<uint32_t> starts;
  // Set once the baseline tier compiled the function: its handler words then hold the
  // addresses of the machine code of their instructions (which ignores `pc`), so that every
  // way into the lowered code -- a call, a return, a branch of an instruction the tier left
  // to the interpreter's handler -- lands in the machine code.
  std::unique_ptr<const BaselineCode> baseline;
  // Exception handlers: consulted only when an exception unwinds through this function.
  std::vector<TryRegion> try_regions;
  std::vector<CatchCode> catches;
  // Stack maps, ascending by begin (exec_gc.cc visits the frames with them).
  std::vector<GcPoint> gc_points;
  std::vector<uint32_t> gc_ref_slots;
  // Machine code a native tier installed for the function (install_native), else nullptr.
  // Atomic (acquire/release) through native_of and install_native: a tier swap may happen
  // while other threads call the function.
  mutable NativeEntry native = nullptr;
  // What a call checks against the stack's end before entering: frame_slots * 8 bytes, or
  // kDivert while native code is installed. The interpreter's calls look at native only once
  // that check fails, so calls of interpreted functions pay nothing for the tier interface.
  static constexpr uint64_t kDivert = uint64_t{1} << 62;
  mutable uint64_t enter_bytes = 0;
  // Tier-up (CompileOptions::hot_threshold): calls plus loop iterations left before the
  // function is reported hot. Counted down where a call enters the function (the call
  // handlers' counting variants, and call() for entries from the host and from machine code)
  // and at each taken branch back to one of its loops (exec.cc count_down: a plain decrement,
  // not an atomic read-modify-write): threads running the function at once may lose a count
  // (the report comes a little later), never report it twice (hot_reported). `counted`: the
  // function's module was compiled so (calls from other modules look at it).
  mutable int32_t hot_budget = 0;
  bool counted = false;
  mutable uint8_t hot_reported = 0;
  // On-stack replacement: per loop of the function (numbered in code order), machine code
  // that takes the frame over at the loop's header (install_osr; atomic like `native`), and
  // whether the tier was asked for it.
  mutable std::vector<NativeEntry> osr;
  mutable std::vector<uint8_t> osr_requested;
};

inline NativeEntry native_of(const FuncCode* fc) {
  return __atomic_load_n(&fc->native, __ATOMIC_ACQUIRE);
}
// Whether a frame of `fc` at `base` fails the entry check: too close to `end`, or diverted to
// native code.
inline bool enter_check_fails(const FuncCode* fc, const uint64_t* base, const uint64_t* end) {
  return reinterpret_cast<uintptr_t>(base) + __atomic_load_n(&fc->enter_bytes, __ATOMIC_RELAXED) >
         reinterpret_cast<uintptr_t>(end);
}

}  // namespace hull::interp

namespace hull::interp {

struct ModuleCode {
  std::vector<FuncCode> funcs;              // one per defined function
  std::vector<std::vector<uint8_t>> datas;  // data segment bytes
  std::unordered_map<uint32_t, std::string> func_names;
  std::string module_name;
  uint32_t num_imported_funcs = 0;
  // Reports not yet taken by a tier (take_hot_functions).
  mutable std::mutex hot_mu;
  mutable std::vector<HotReport> hot;
  // The baseline tier's machine code of the functions (FuncCode::baseline), kept alive with
  // the code whose handler words point into it.
  std::shared_ptr<const void> baseline_memory;
};

// Where the count of `fc` ran out (interp/hotness.cc): at a branch back to loop `loop`
// (kNoLoop: at its entry). Reports it when it should, starts the count again, and
// returns the machine code that takes over at that loop's header when there is some.
NativeEntry hot_slow(const FuncCode* fc, uint32_t loop);

// One activation record of the explicit frame stack.
struct Frame {
  const FuncCode* code;  // nullptr for an entry sentinel pushed by call()
  Instance* inst;
  Memory* mem0;        // the instance's memory 0 (nullptr if none)
  uint64_t* sp;        // frame base (saved when this frame calls out)
  const Word* ret_pc;  // where to resume this frame after its callee returns
};

// Per-store execution state (Store::interp_state).
struct Ctx {
  Store* store = nullptr;
  uint64_t* stack = nullptr;  // value stack
  uint64_t* stack_end = nullptr;
  Frame* frames = nullptr;
  Frame* frames_end = nullptr;
  Frame* fp = nullptr;      // current frame
  uint32_t host_depth = 0;  // nesting of call() (bounded C recursion)
  // Fuel, cached from the Store while guest code runs so that a check point costs one load
  // and compare: loaded on entry to call() and after every host call (the host may change it),
  // written back before host calls and on exit. The epoch deadline is not cached: check points
  // read Store::epoch_deadline (epoch_deadline below), which another thread may lower to stop
  // this store's code, and a cached copy could miss (or, reloaded after a host call, undo) that.
  int64_t fuel = 0;
  // The innermost guard-page entry of this store's guest code (runtime/signals.h); host calls
  // clear its in_guest flag while they run.
  WasmEntry* entry = nullptr;
  // Trap reporting from handlers.
  bool trapped = false;
  TrapKind trap_kind = TrapKind::Unreachable;
  const char* trap_message = nullptr;  // overrides the kind's message when set
  std::string trap_text;               // storage for a formatted trap_message
  const Word* trap_pc = nullptr;       // the trapping instruction
  // A trap in native code (native_trap): the wasm byte offset of the trapping instruction,
  // reported for the innermost frame in place of trap_pc's. kNoOffset otherwise.
  static constexpr uint32_t kNoOffset = UINT32_MAX;
  uint32_t trap_offset = kNoOffset;
  std::optional<Trap> host_trap;
  // trap_kind == Exception: the exception leaving the guest (its store's heap owns it).
  Exception* exception = nullptr;
  // Set by call_host when the host function threw a wasm exception, for its caller to throw.
  Exception* rethrow = nullptr;
  // The innermost native function's root frame (interp.h NativeRootFrame), or nullptr.
  NativeRootFrame* native_roots = nullptr;
  // A call whose entry check failed (stack exhausted, or native code installed), handed to the
  // out-of-line handlers that finish it (exec.cc enter_slow / tail_enter_slow).
  struct Divert {
    const FuncCode* code;
    Instance* inst;
    Memory* mem0;
    uint64_t* nsp;     // the callee's frame (enter_slow) / its args (tail_enter_slow)
    const Word* next;  // where the caller resumes (enter_slow)
  } divert{};
  // The loop a counting back-edge whose count ran out jumped to (for back_edge_slow).
  uint32_t hot_loop = 0;
  // The guarded access a handler is about to make, in builds whose handlers do not keep pc in
  // a register (sanitizers: PcOperands::before_guarded_access), for faulting_pc.
  const Word* guard_pc = nullptr;
};

// The store's deadline as of now (see Ctx::fuel for why it is not cached).
inline uint64_t epoch_deadline(const Ctx* ctx) {
  return ctx->store->epoch_deadline.load(std::memory_order_relaxed);
}

}  // namespace hull::interp
