// The native tier's per-instance context and the runtime functions its machine code calls.
//
// Generated code reads the context at fixed offsets (VmField below), so the layout is part of
// the contract between lower.cc and this file; nothing else sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "interp/interp.h"
#include "runtime/store.h"

namespace hull::native {

// One per instance (Instance::native_vm), made when the instance's machine code first runs.
// Every field but `trapped` and `stack_limit` is fixed for the instance's life.
struct VmCtx {
  // Set when a trap or exception was recorded in the interpreter's context: every caller in
  // machine code returns at once, and the entry clears it.
  uint8_t trapped = 0;
  // The store's limit word (Store::native_limit): stack_limit below, or UINTPTR_MAX once the
  // deadline passed.
  std::atomic<uintptr_t>* limit = nullptr;
  // The lowest address this thread's machine stack may reach (set at each entry: a store may
  // move between threads between calls).
  uintptr_t stack_limit = 0;
  const std::atomic<uint64_t>* epoch_deadline = nullptr;  // the store's deadline
  Memory* mem0 = nullptr;                                 // memory 0, or nullptr
  Memory** memories = nullptr;  // Instance::memories (every memory, 0 included)
  Global** globals = nullptr;   // Instance::globals
  Function** funcs = nullptr;   // Instance::funcs
  Table** tables = nullptr;     // Instance::tables
  interp::Ctx* ctx = nullptr;   // the store's interpreter context
  Instance* inst = nullptr;
  int64_t* fuel = nullptr;             // the interpreter's fuel counter (interp::native_fuel)
  Store* store = nullptr;              // the store `ctx` runs code of (not read by generated code)
  const uint32_t* type_ids = nullptr;  // canonical id per type index (CompiledModule::type_ids)
  const interp::ModuleCode* code = nullptr;  // the module's lowered code (its data segments)
  // Where the store's chain of native root frames starts (interp::NativeRootFrame).
  interp::NativeRootFrame** roots_head = nullptr;
  // (Not read by generated code.) The GC layout of each type index, looked up on first use by
  // the runtime functions (gc_layout() takes a lock and a hash lookup: too much per allocation).
  std::vector<const GcLayout*> layouts;
};

// The offsets generated code uses.
struct VmField {
  static constexpr uint64_t trapped = offsetof(VmCtx, trapped);
  static constexpr uint64_t limit = offsetof(VmCtx, limit);
  static constexpr uint64_t stack_limit = offsetof(VmCtx, stack_limit);
  static constexpr uint64_t epoch_deadline = offsetof(VmCtx, epoch_deadline);
  static constexpr uint64_t mem0 = offsetof(VmCtx, mem0);
  static constexpr uint64_t memories = offsetof(VmCtx, memories);
  static constexpr uint64_t globals = offsetof(VmCtx, globals);
  static constexpr uint64_t funcs = offsetof(VmCtx, funcs);
  static constexpr uint64_t tables = offsetof(VmCtx, tables);
  static constexpr uint64_t fuel = offsetof(VmCtx, fuel);
  static constexpr uint64_t type_ids = offsetof(VmCtx, type_ids);
  static constexpr uint64_t inst = offsetof(VmCtx, inst);
  static constexpr uint64_t roots_head = offsetof(VmCtx, roots_head);
};
// Memory's and Global's fields that generated code reads.
uint64_t memory_base_offset();
uint64_t memory_size_offset();
uint64_t global_value_offset();
uint64_t function_instance_offset();  // Function::instance
uint64_t function_index_offset();     // Function::index

// Runtime functions (C calling convention; lower.cc declares them, jit.cc maps their names to
// these addresses). Those that can fail set VmCtx::trapped and record the trap.
extern "C" {
// The context of `inst` for code running on the store of `ctx` (made on first use); sets the
// store's limit word for this thread. `epochs`: the code checks deadlines.
VmCtx* hull_rt_vm(Instance* inst, interp::Ctx* ctx, uint32_t epochs);
void hull_rt_trap(VmCtx* vm, uint32_t kind, uint32_t offset);
// Calls function `index` of the instance with its arguments in `slots` (results from slot 0).
bool hull_rt_call(VmCtx* vm, uint32_t index, uint64_t* slots);
// call_indirect: element `elem` of table `table`, expected canonical type id `type_id`.
bool hull_rt_call_indirect(VmCtx* vm, uint32_t table, uint32_t type_id, uint64_t elem,
                           uint64_t* slots, uint32_t offset);
// memory.grow of memory `mem`: the old size in pages, or ~0 (as Memory::grow).
// return_call_indirect: the function at element `elem` of table `table` if its canonical type
// id is `type_id`, else nullptr after recording the trap (as hull_rt_call_indirect).
Function* hull_rt_resolve_indirect(VmCtx* vm, uint32_t table, uint32_t type_id, uint64_t elem,
                                   uint32_t offset);
// call_ref / return_call_ref of a null reference: the interpreter's trap.
void hull_rt_trap_null_function(VmCtx* vm, uint32_t offset);
// Calls `f` (any function) with its arguments in `slots` (results from slot 0).
bool hull_rt_call_function(VmCtx* vm, Function* f, uint64_t* slots);
uint64_t hull_rt_memory_grow(VmCtx* vm, uint32_t mem, uint64_t delta);
// memory.fill / memory.copy / memory.init on the memories given (addresses and lengths
// zero-extended), with the interpreter's semantics; false after recording a trap.
bool hull_rt_memory_fill(VmCtx* vm, uint32_t mem, uint64_t dst, uint32_t value, uint64_t n,
                         uint32_t offset);
bool hull_rt_memory_copy(VmCtx* vm, uint32_t dst_mem, uint32_t src_mem, uint64_t dst, uint64_t src,
                         uint64_t n, uint32_t offset);
bool hull_rt_memory_init(VmCtx* vm, uint32_t mem, uint32_t segment, uint64_t dst, uint32_t src,
                         uint32_t n, uint32_t offset);
void hull_rt_data_drop(VmCtx* vm, uint32_t segment);
// The table instructions on table `table` of the instance (indices and lengths zero-extended,
// references as slot words), with the interpreter's semantics and traps; those returning bool
// are false after recording a trap (table_get: its result is then 0 and VmCtx::trapped set).
uint64_t hull_rt_table_get(VmCtx* vm, uint32_t table, uint64_t i, uint32_t offset);
bool hull_rt_table_set(VmCtx* vm, uint32_t table, uint64_t i, uint64_t ref, uint32_t offset);
uint64_t hull_rt_table_size(VmCtx* vm, uint32_t table);
// The old size, or ~0 (as Table::grow).
uint64_t hull_rt_table_grow(VmCtx* vm, uint32_t table, uint64_t init, uint64_t delta);
bool hull_rt_table_fill(VmCtx* vm, uint32_t table, uint64_t i, uint64_t ref, uint64_t n,
                        uint32_t offset);
bool hull_rt_table_copy(VmCtx* vm, uint32_t dst_table, uint32_t src_table, uint64_t dst,
                        uint64_t src, uint64_t n, uint32_t offset);
bool hull_rt_table_init(VmCtx* vm, uint32_t table, uint32_t segment, uint64_t dst, uint32_t src,
                        uint32_t n, uint32_t offset);
void hull_rt_elem_drop(VmCtx* vm, uint32_t segment);
// memory.atomic.wait32/64 and notify on memory `mem` at the checked, aligned address `ea` (a
// cell of `bytes`), through the interpreter's own code (interp::atomic_wait/atomic_notify):
// wait's result, or 0 with VmCtx::trapped set after recording a trap.
uint32_t hull_rt_atomic_wait(VmCtx* vm, uint32_t mem, uint64_t ea, uint32_t bytes,
                             uint64_t expected, int64_t timeout_ns, uint32_t offset);
uint32_t hull_rt_atomic_notify(VmCtx* vm, uint32_t mem, uint64_t ea, uint32_t count);
// Exceptions (lower_exceptions.cc). throw / throw_ref / rethrow make an exception the one in
// flight and set VmCtx::trapped, like a trap (throw_ref of null is the interpreter's trap);
// a landing pad asks for the one in flight (0: the failure is a trap), matches it against its
// clauses' tags (exception_is) and takes it (catch: payload to `payload`, VmCtx::trapped
// cleared; `mode` is the clause's Catch::Kind, plus kCatchKeep for a legacy catch whose block
// rethrows; `roots`: the words the function holds, for a collection the exposure may start).
void hull_rt_throw(VmCtx* vm, uint32_t tag, const uint64_t* payload, uint32_t nslots,
                   uint32_t offset);
void hull_rt_throw_ref(VmCtx* vm, uint64_t exn, uint32_t offset);
uint64_t hull_rt_pending_exception(VmCtx* vm);
bool hull_rt_exception_is(VmCtx* vm, uint64_t exn, uint32_t tag);
void hull_rt_catch(VmCtx* vm, uint64_t exn, uint32_t mode, uint64_t* payload, const uint64_t* roots,
                   uint32_t nroots);
// Wasm GC (lower_gc.cc; vm_gc.cc). References are words (runtime/gc_heap.h). Allocations
// may collect, with the interpreter's frames and the chain of native root frames as roots
// (interp.h NativeRootFrame); each returns the object, or 0 with VmCtx::trapped set.
// A zeroed struct (array 0) or array of `length` elements of the module's type `type_index`.
uint64_t hull_rt_gc_new(VmCtx* vm, uint32_t type_index, uint32_t array, uint32_t length,
                        uint32_t offset);
// array.new_data / array.new_elem: `n` elements from segment `segment` at `s`.
uint64_t hull_rt_array_new_data(VmCtx* vm, uint32_t type_index, uint32_t segment, uint32_t s,
                                uint32_t n, uint32_t offset);
uint64_t hull_rt_array_new_elem(VmCtx* vm, uint32_t type_index, uint32_t segment, uint32_t s,
                                uint32_t n, uint32_t offset);
// array.fill (`value`: the element in slot encoding, two slots for a v128), array.copy,
// array.init_data, array.init_elem, with the interpreter's checks and traps (a null array
// included); false after recording a trap.
bool hull_rt_array_fill(VmCtx* vm, uint64_t array, uint32_t d, const uint64_t* value, uint32_t n,
                        uint32_t offset);
bool hull_rt_array_copy(VmCtx* vm, uint64_t dst, uint32_t d, uint64_t src, uint32_t s, uint32_t n,
                        uint32_t offset);
bool hull_rt_array_init_data(VmCtx* vm, uint64_t array, uint32_t d, uint32_t segment, uint32_t s,
                             uint32_t n, uint32_t offset);
bool hull_rt_array_init_elem(VmCtx* vm, uint64_t array, uint32_t d, uint32_t segment, uint32_t s,
                             uint32_t n, uint32_t offset);
// Whether non-null `ref` (of the hierarchy whose top is `top`) is of heap type `target`
// (canonical `type_id` for a concrete one): ref.test, ref.cast, br_on_cast.
bool hull_rt_ref_matches(uint64_t ref, uint32_t top, uint32_t target, uint32_t type_id);
// The null trap of struct (what 0), array (1) and i31 (2) accesses, worded as the interpreter's.
void hull_rt_trap_null(VmCtx* vm, uint32_t what, uint32_t offset);
}
constexpr uint32_t kCatchKeep = 4;

// Every runtime function and datum generated code refers to, by the name it uses (jit.cc
// resolves the names with these; lower.cc declares the functions' types).
struct RuntimeSymbol {
  const char* name;
  const void* address;
};
std::span<const RuntimeSymbol> runtime_symbols();

}  // namespace hull::native
