// The runtime object model: Store owns every Function, Table, Memory, Global and Instance
// created in it. Plain structs with their hot fields first: the interpreter (and later native
// tiers) read them directly.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "runtime/exception.h"
#include "runtime/gc_heap.h"
#include "runtime/memory_image.h"
#include "runtime/signals.h"
#include "runtime/trap.h"
#include "runtime/value.h"
#include "spec/features.h"
#include "spec/types.h"

namespace hull {

struct Instance;
struct Store;
struct CompiledModule;     // engine layer: ModuleDesc + lowered code (opaque here)
struct SharedMemoryState;  // runtime/shared_memory.h: the grow lock and the parking lot

// Host function ABI: arguments arrive in `slots` (8-byte slots, v128 = 2, in param order);
// the callee writes results to `slots` from slot 0. `slots` holds max(params, results) slots.
// Return nullopt on success or a Trap.
using HostCallback = std::optional<Trap> (*)(void* env, Store& store, uint64_t* slots);

struct Function {
  uint32_t type_id = 0;  // canonical type id (engine-wide); equal ids <=> equal types
  // The defining module's type, or for host functions the type registry's (canonical) copy.
  const FuncType* type = nullptr;
  Instance* instance = nullptr;  // defining instance; nullptr for host functions
  uint32_t index = 0;            // function index in the defining module
  const void* code = nullptr;    // the tier's compiled code for this function (opaque)
  HostCallback host = nullptr;   // non-null for host functions
  void* host_env = nullptr;
};

// A linear memory. The bytes live in an mmap'ed reservation: `reserved` bytes at `base` (at
// least min(max, 4 GiB) for 32-bit memories, up to 8 GiB for memory64) followed by `guard`
// inaccessible bytes (and, for guarded memories, `guard_before` inaccessible bytes before
// `base`); pages are committed with mprotect as the memory grows, so `base` does not move.
// Only when a memory grows past its reservation (memory64 beyond 8 GiB, or when the address
// space was short at creation) is it moved to a larger reservation: tiers must reload `base`
// after anything that can grow memory (memory.grow, calls). Guarded memories never move.
// A guarded memory's reservation may come from the process-wide pool and goes back to it on
// destruction (runtime/reservation_pool.h), reset so that it reads as zero and faults past the
// next memory's size, exactly like a fresh one.
struct Memory {
  uint8_t* base = nullptr;    // start of the accessible bytes
  uint64_t size = 0;          // current size in bytes
  MemoryType type;            // type.limits.min tracks the current size in pages
  uint64_t max_pages = 0;     // effective maximum (declared max, or the spec limit / store limit)
  uint64_t reserved = 0;      // bytes of address space reserved at base (growth stays in place)
  uint64_t guard = 0;         // inaccessible bytes mapped after the reservation
  uint64_t committed = 0;     // readable/writable bytes at base (size rounded up to OS pages)
  uint64_t guard_before = 0;  // inaccessible bytes mapped before base (guarded memories)
  // A guarded memory (runtime/signals.h) never moves and faults past `size`: code compiled
  // with CompileOptions::guard_pages accesses it without explicit bounds checks. Its mapping is
  // guard_before + reserved + guard == kGuardBeforeBytes + kGuardedReserveBytes bytes.
  bool guarded = false;
  // The copy-on-write image mapped over part of the memory at creation (runtime/memory_image.h;
  // id 0: none, its bytes were or will be copied): the pool resets the reservation to it.
  MappedImage image;
  // Set for a shared memory (threads proposal). A shared memory is reserved up to its maximum
  // at creation and never moves, so threads of other stores keep using `base` while one grows
  // it; growth holds the state's lock and publishes `size` with a release store, readers that
  // must see other threads' growth (atomic accesses, memory.size) load it with acquire
  // (size_acquire). Owned through std::shared_ptr (Store::shared_memories), by every store
  // that created or imported it.
  std::shared_ptr<SharedMemoryState> shared;

  Memory() = default;
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;
  ~Memory();
  // Reserve address space and commit `t.limits.min` zeroed pages. `limit_bytes` (the store's
  // limit) caps max_pages. Errors (kind Limit) if the minimum exceeds a limit or mmap fails.
  // A guardable type (guardable()) is reserved with guard regions where guard_pages_supported()
  // unless `allow_guard` is false; if that much address space is not available (e.g. under
  // `ulimit -v`), the memory falls back to a compact reservation with guarded == false.
  // `initial`, an image of the memory's initial contents inside its minimum size, is mapped
  // copy-on-write when the memory is guarded; `image.id` says whether it was (else the caller
  // copies the contents).
  Status init(const MemoryType& t, uint64_t limit_bytes, bool allow_guard = true,
              const MemoryImage* initial = nullptr);
  uint64_t pages() const { return size >> type.page_size_log2; }
  // The size as of the latest growth by any thread (shared memories grow concurrently).
  uint64_t size_acquire() const { return __atomic_load_n(&size, __ATOMIC_ACQUIRE); }
  // Grow by `delta` pages; returns the old page count, or -1 (as uint64_t max) on failure.
  // New pages read as zero. Thread-safe for shared memories.
  uint64_t grow(uint64_t delta);

 private:
  uint64_t grow_shared(uint64_t delta);
};

// Whether memories of type `t` get guard regions (32-bit index, 64 KiB pages): the memories
// whose accesses code compiled with CompileOptions::guard_pages leaves unchecked.
inline bool guardable(const MemoryType& t) { return !t.limits.is64 && t.page_size_log2 == 16; }

struct Table {
  std::vector<RefBits> elems;
  // type.limits.min tracks the current size; a Concrete elem type holds a canonical type id.
  TableType type;
  uint64_t max = 0;  // effective maximum number of elements
  uint64_t size() const { return elems.size(); }
  // Set the type and `t.limits.min` elements of `init`; `limit_elems` (the store's limit) caps
  // max. Errors (kind Limit) if the minimum exceeds a limit.
  Status init(const TableType& t, RefBits init, uint64_t limit_elems);
  // Grow by `delta` with `init`; returns old size or uint64_t max on failure.
  uint64_t grow(uint64_t delta, RefBits init);
};

struct Global {
  alignas(16) uint64_t value[2] = {0, 0};  // slot encoding of the current value
  GlobalType type;  // Concrete reference types hold canonical type ids (module independent)
  Val get() const { return Val::load_slots(type.type, value); }
  void set(const Val& v) { v.store_slots(value); }
};

struct Tag {
  uint32_t type_id = 0;
  const FuncType* type = nullptr;
};

// A reference to any external entity (imports/exports).
struct Extern {
  ExternKind kind = ExternKind::Func;
  union {
    Function* func;
    Table* table;
    Memory* memory;
    Global* global;
    Tag* tag;
  };
  Extern() : func(nullptr) {}
  // clang-format off
  static Extern of(Function* f) { Extern e; e.kind = ExternKind::Func; e.func = f; return e; }
  static Extern of(Table* t) { Extern e; e.kind = ExternKind::Table; e.table = t; return e; }
  static Extern of(Memory* m) { Extern e; e.kind = ExternKind::Memory; e.memory = m; return e; }
  static Extern of(Global* g) { Extern e; e.kind = ExternKind::Global; e.global = g; return e; }
  static Extern of(Tag* t) { Extern e; e.kind = ExternKind::Tag; e.tag = t; return e; }
  // clang-format on
};

// An instance's exports by name, sorted by name for binary search. Names point into the
// module's export list (the instance keeps its module alive). Instantiation appends them in
// an order the module computed once (CompiledModule::export_order), so an instance costs one
// allocation here instead of a hash node per export.
class ExportMap {
 public:
  using value_type = std::pair<std::string_view, Extern>;
  void reserve(size_t n) { items_.reserve(n); }
  // Appends an export; names must come in increasing order.
  void append_sorted(std::string_view name, Extern e) { items_.emplace_back(name, e); }
  const value_type* begin() const { return items_.data(); }
  const value_type* end() const { return items_.data() + items_.size(); }
  size_t size() const { return items_.size(); }
  const value_type* find(std::string_view name) const {
    const value_type* it = std::lower_bound(
        begin(), end(), name, [](const value_type& v, std::string_view n) { return v.first < n; });
    return it != end() && it->first == name ? it : end();
  }
  // The export named `name`; throws std::out_of_range if there is none (like map::at).
  const Extern& at(std::string_view name) const {
    const value_type* it = find(name);
    if (it == end()) throw std::out_of_range("no export named " + std::string(name));
    return it->second;
  }

 private:
  std::vector<value_type> items_;
};

struct Instance {
  std::shared_ptr<const CompiledModule> module;
  std::vector<Function*> funcs;  // function index space
  std::vector<Table*> tables;
  std::vector<Memory*> memories;
  std::vector<Global*> globals;
  std::vector<Tag*> tags;
  std::vector<std::vector<RefBits>> elems;  // element segments (emptied by elem.drop)
  std::vector<bool> data_dropped;           // data segments dropped by data.drop
  ExportMap exports;
  std::string name;  // module name (name section or the script's registered name)
  // A native tier's per-instance context (its flat view of memories, globals, tables and
  // functions), made the first time the instance's machine code runs.
  std::shared_ptr<void> native_vm;
};

// How a module's code is compiled: fuel metering and epoch (deadline) checks are emitted only
// when requested, so code compiled without them pays nothing.
struct CompileOptions {
  bool fuel = false;    // charge fuel at function entries and loop headers
  bool epochs = false;  // compare the engine epoch with the store's deadline at the same points
  // Plain loads/stores on 32-bit memories with 64 KiB pages rely on guard pages (no explicit
  // bounds check); instantiation then requires those memories to be Memory::guarded.
  bool guard_pages = guard_pages_supported();
  // Instances' memories start from a copy-on-write image of their initial contents
  // (runtime/memory_image.h) instead of a copy of each data segment, where that pays.
  bool memory_images = true;
  // The Wasm features the module may use; validation rejects the others' constructs.
  FeatureSet features;
  // Also compile the functions to machine code with the registered native tier
  // (engine/tiers.h); functions it cannot compile stay interpreted.
  bool native = false;
  // ... in the background: compile() returns at once and the module starts interpreted
  // (`--tier auto`).
  bool native_background = false;
  // Tier-up: the interpreted code counts each function's calls plus loop iterations and
  // reports the function hot at this count (interp.h "Tier-up"); 0: no counting. compile()
  // sets it for native_background when 0 (kDefaultHotThreshold, or $HULL_TIER_UP_THRESHOLD).
  uint32_t hot_threshold = 0;
  // How hard the native tier optimizes a whole-module compile (Tier::Native, precompile):
  // 2, LLVM's O2 pipeline and code generation; 1, only promoting locals to registers, then the
  // same code generation (about half the compile time); 0, promoting locals, then LLVM's fast
  // instruction selection and register allocation (about a tenth). Tier-up compiles hot
  // functions at 2 whatever this says. docs/PERFORMANCE.md, "Optimization levels".
  uint8_t native_opt_level = 2;
  // Compile the functions with the baseline tier (src/baseline: machine code copied from
  // stencils of the interpreter's handlers, instruction by instruction) once lowered.
  bool baseline = false;
};
constexpr uint32_t kDefaultHotThreshold = 10'000;
constexpr uint8_t kMaxNativeOptLevel = 2;

// The process-wide epoch: a timer thread (started by the first set_deadline) adds 1 every
// kEpochTickNs nanoseconds while a deadline is pending (note_deadline). Stores compare it with
// their deadline at each check point.
extern std::atomic<uint64_t> g_epoch;
constexpr uint64_t kEpochTickNs = 2'000'000;  // 2 ms
// Starts the timer thread once (thread-safe; later calls do nothing).
void ensure_epoch_timer();
// Tells the timer thread that `deadline` (an epoch) was set: it ticks until the epoch passes
// the furthest deadline noted, then sleeps until the next one (an idle process is not woken).
void note_deadline(uint64_t deadline);
// Whether the timer thread sleeps for want of a deadline (for tests).
bool epoch_timer_asleep();
struct Store;
// Stores whose machine code checks epochs (the native tier): at each tick the timer thread
// sets native_limit of every watched store whose deadline has passed (Store::native_limit).
// A store is unwatched by its destructor.
void watch_deadline(Store& store);
void unwatch_deadline(Store& store);

// Per-store limits (the sandbox issue extends these).
struct StoreLimits {
  uint64_t max_memory_bytes = UINT64_MAX;
  uint64_t max_table_elements = UINT64_MAX;
  uint32_t max_instances = UINT32_MAX;
  uint64_t max_wasm_stack_bytes = 1 << 20;  // interpreter value-stack budget
};

struct Store {
  StoreLimits limits;
  std::deque<Function> funcs;
  std::deque<Table> tables;
  std::deque<Memory> memories;
  // Shared memories (threads) created in or imported into this store: each may be used by
  // other stores on other threads too, and lives as long as the last of them.
  std::vector<std::shared_ptr<Memory>> shared_memories;
  std::deque<Global> globals;
  std::deque<Tag> tags;
  std::deque<Instance> instances;
  // The instance whose code called the host function running now (the tier sets it around
  // each host call; nullptr when the host called in). Host functions such as WASI's reach the
  // caller's memory through it, as Wasmtime's Caller does.
  Instance* caller = nullptr;
  // The trap that made the last instantiate() in this store fail: an active segment out of
  // bounds (no frames) or a trapping start function (with its wasm backtrace). instantiate's
  // Error carries only the message. Cleared by instantiate.
  std::optional<Trap> instantiation_trap;
  // Fuel (code compiled with CompileOptions::fuel): each check point subtracts the number of
  // wasm instructions it covers from fuel_left and traps (OutOfFuel) instead of going below 0.
  int64_t fuel_left = 0;
  uint64_t fuel_set = 0;          // fuel_left as of the last set_fuel
  uint64_t fuel_used_before = 0;  // fuel consumed before the last set_fuel
  void set_fuel(uint64_t n) {
    fuel_used_before = fuel_consumed();
    fuel_set = n > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : n;
    fuel_left = static_cast<int64_t>(fuel_set);
  }
  uint64_t fuel_remaining() const { return static_cast<uint64_t>(fuel_left); }
  uint64_t fuel_consumed() const { return fuel_used_before + fuel_set - fuel_remaining(); }
  // Epoch deadline (code compiled with CompileOptions::epochs): traps (Interrupted) at a check
  // point once g_epoch >= epoch_deadline. UINT64_MAX: no deadline. Atomic, and read by the
  // check points themselves rather than cached, so that another thread can stop this store's
  // guest code by storing 0 (wasi-threads ends every thread of a program this way).
  std::atomic<uint64_t> epoch_deadline{UINT64_MAX};
  // The word machine code compares its frame address with at function entries (and, compiled
  // with epochs, at loop headers): normally the running thread's stack limit (set at each entry
  // into machine code), UINTPTR_MAX once the deadline passed -- V8's interrupt through the
  // stack guard: the stack check every entry makes anyway is the deadline check, and a loop
  // header compares one word instead of reading the epoch and the deadline. Written by the
  // timer thread for watched stores (watch_deadline) and by interrupt().
  std::atomic<uintptr_t> native_limit{0};
  bool deadline_watched = false;  // watch_deadline's, under its lock
  // The kernel's id of the thread running this store's machine code (compiled with epochs),
  // 0 once the outermost call into the store returned: the thread the epoch timer interrupts
  // once the deadline has passed (runtime/interrupt.h), for loops that check nothing.
  std::atomic<int> guest_tid{0};
  // Stops this store's guest code at its next check point, whatever the epoch (another thread
  // may call it: wasi-threads ends every thread of a program this way).
  void interrupt() {
    epoch_deadline.store(0, std::memory_order_relaxed);
    native_limit.store(UINTPTR_MAX, std::memory_order_relaxed);
    // The timer's ticks deliver the interrupt to machine code that checks nothing (a watched
    // store): wake it if it sleeps; it ticks on while such a guest still runs.
    note_deadline(g_epoch.load(std::memory_order_relaxed) + 1);
  }
  // Deadline `ns` nanoseconds from now (starts the timer thread).
  void set_deadline_ns(uint64_t ns) {
    ensure_epoch_timer();
    uint64_t ticks = (ns + kEpochTickNs - 1) / kEpochTickNs;
    const uint64_t deadline = g_epoch.load(std::memory_order_relaxed) + (ticks ? ticks : 1);
    epoch_deadline = deadline;
    note_deadline(deadline);
  }
  void* interp_state = nullptr;  // the interpreter's per-store execution state (stacks)
  void (*interp_state_free)(void*) = nullptr;
  // Visits the words of the tier's value stack in use by guest code running now (nothing when
  // none runs): the roots collect_garbage adds when its caller has none of its own to give,
  // e.g. a host function that collects while wasm frames are below it.
  void (*visit_guest_roots)(Store&, const std::function<void(uint64_t)>& root) = nullptr;
  // Exceptions thrown in this store (runtime/exception.h); exnrefs point into it.
  ExceptionHeap exceptions;
  // Structs, arrays and host objects allocated in this store (runtime/gc_heap.h). Declared
  // after the exception heap: GcHeap::collect sweeps both.
  GcHeap gc;
  // References handed to the host -- call results, uncaught exceptions, new externrefs, reads
  // of globals and tables through the API -- most recent last: roots of every collection. The
  // API's RootScope truncates it back to its length when the scope began; what no scope
  // releases lives as long as the store.
  std::vector<RefBits> host_roots;

  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store() {
    if (deadline_watched) unwatch_deadline(*this);
    if (interp_state_free) interp_state_free(interp_state);
  }
};

// Create objects owned by `store` (types with canonical ids; see runtime/type_registry.h).
// Memories and tables respect store.limits; failures are Errors of kind Limit. A shared memory
// type gives a memory in store.shared_memories (the store's share of its ownership).
Result<Memory*> new_memory(Store& store, const MemoryType& type,
                           const MemoryImage* initial = nullptr);
// A shared memory (type.limits.shared, with a maximum) owned by no store yet: embedders hand it
// to stores with adopt_shared_memory. `limit_bytes` caps its maximum as a store limit would.
Result<std::shared_ptr<Memory>> new_shared_memory(const MemoryType& type, uint64_t limit_bytes);
// Makes `store` a co-owner of shared memory `m` (once; later calls do nothing).
void adopt_shared_memory(Store& store, std::shared_ptr<Memory> m);
// The ownership handle of `m` if it is a shared memory `store` owns a share of, else nullptr.
std::shared_ptr<Memory> shared_memory_of(const Store& store, const Memory* m);
Result<Table*> new_table(Store& store, const TableType& type, RefBits init);
Global* new_global(Store& store, const GlobalType& type, const Val& init);
// Collects the store's unreachable GC objects, host objects and exposed exceptions. Roots:
// globals, tables, instances' element segments, the host's roots (host_roots, pinned words),
// and whatever `stack_roots` visits (the tier's value stacks; by default
// Store::visit_guest_roots).
// With `sweep_now` the sweep completes before returning (explicit collections: the counts are
// exact afterwards); otherwise later allocations sweep lazily (collections that allocation
// starts: the pause is the mark phase).
void collect_garbage(Store& store, const GcHeap::RootVisitor& stack_roots = nullptr,
                     bool sweep_now = true);

// Whether `r` is a GC object (struct, array, host object) or an exception of `store`: the words
// that need rooting while the host holds them (null, i31 and funcref words need none).
bool is_collectable_ref(const Store& store, RefBits r);
// Adds `r` to store.host_roots if it is collectable (other words are ignored).
void root_for_host(Store& store, RefBits r);
// A new host object wrapping `host_value`, as an externref word (e.g. the wast `ref.extern N`),
// rooted in store.host_roots. May collect first (as allocation by guest code does), so every
// reference the caller holds must be rooted. `finalizer` runs once it is collected.
RefBits new_extern_ref(Store& store, uint64_t host_value,
                       void (*finalizer)(uint64_t host_value) = nullptr);

}  // namespace hull
