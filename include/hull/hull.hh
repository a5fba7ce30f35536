// Hull's public C++20 embedding API: Engine, Module, Store, Linker, Instance, Func, Memory,
// Global, Table, Val, Trap and Result. Errors and traps are values; no exception crosses from
// guest code into the host. See docs/EMBEDDING.md.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

// The engine's object model, opaque to embedders.
namespace hull {
struct Function;
struct Memory;
struct Table;
struct Global;
struct Tag;
struct Instance;
struct CompiledModule;
}  // namespace hull

namespace hull::api {

#define HULL_API_VERSION_MAJOR 0
#define HULL_API_VERSION_MINOR 1

// ---- types ------------------------------------------------------------------------------------

enum class ValType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef, AnyRef, ExnRef };
const char* to_string(ValType t);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  friend bool operator==(const FuncType&, const FuncType&) = default;
};
std::string to_string(const FuncType& t);  // "(i32, i32) -> (i32)"

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool is64 = false;
  bool shared = false;
  friend bool operator==(const Limits&, const Limits&) = default;
};
struct MemoryType {
  Limits limits;  // in 64 KiB pages
  friend bool operator==(const MemoryType&, const MemoryType&) = default;
};
struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
  friend bool operator==(const TableType&, const TableType&) = default;
};
struct GlobalType {
  ValType type = ValType::I32;
  bool mut = false;
  friend bool operator==(const GlobalType&, const GlobalType&) = default;
};

enum class ExternKind : uint8_t { Func, Table, Memory, Global, Tag };
const char* to_string(ExternKind k);

// The type of an import or export; the member matching `kind` is meaningful (a tag's type is
// in `func`).
struct ExternType {
  ExternKind kind = ExternKind::Func;
  FuncType func;
  TableType table;
  MemoryType memory;
  GlobalType global;
};
struct ImportType {
  std::string module;
  std::string name;
  ExternType type;
};
struct ExportType {
  std::string name;
  ExternType type;
};

// ---- errors, traps, results -------------------------------------------------------------------

enum class TrapCode : uint8_t {
  Unreachable,
  MemoryOutOfBounds,
  TableOutOfBounds,
  UndefinedElement,
  UninitializedElement,
  IndirectCallTypeMismatch,
  NullReference,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversion,
  StackExhausted,
  OutOfFuel,
  Interrupted,
  Host,
  Component,  // a component-model rule was broken (canonical ABI, handles, reentrance)
  // An atomic access at an address that is not a multiple of its size.
  UnalignedAtomic,
  // memory.atomic.wait on a memory that is not shared.
  ExpectedSharedMemory,
  Exception,         // a wasm exception nothing caught: Trap::exception holds its tag and payload
  ArrayOutOfBounds,  // a GC array index or range past its length
  CastFailure,       // ref.cast of a reference that is not of the target type
  HeapExhausted,     // a GC allocation would pass the store's memory limit
};

struct TrapFrame {
  uint32_t func_index = 0;
  std::string func_name;       // from the name section; may be empty
  std::string module_name;     // may be empty
  uint32_t module_offset = 0;  // byte offset in the module binary when known, else 0
};

struct Exception;

// A trap: raised by guest code (code says which) or by a host function (TrapCode::Host).
// An uncaught wasm exception is a trap with code Exception, its trace that of the throw, and
// `exception` what was thrown. A host function throws one by returning throw_exception(...):
// wasm code around the call can catch it.
struct Trap {
  TrapCode code = TrapCode::Host;
  std::string message;
  std::vector<TrapFrame> trace;                // innermost frame first
  std::shared_ptr<const Exception> exception;  // code == Exception
  static Trap host(std::string msg) { return Trap{TrapCode::Host, std::move(msg), {}, {}}; }
  // "wasm trap: <message>" plus one line per frame.
  std::string to_string() const;
};

enum class ErrorKind : uint8_t {
  Malformed,       // the binary/text could not be decoded
  Invalid,         // the module failed validation
  Unlinkable,      // an import is missing or has the wrong type
  Uninstantiable,  // a segment was out of bounds, or the start function trapped
  Limit,           // a store limit was reached
  Io,              // a file could not be read
  Usage,           // the API was misused (wrong argument count or type, foreign store, ...)
  Trap,            // the call trapped: Error::trap holds the trap
};
const char* to_string(ErrorKind k);

struct Error {
  ErrorKind kind = ErrorKind::Usage;
  std::string message;
  std::optional<Trap> trap;  // set when kind == Trap, and for traps during instantiation
  Error() = default;
  Error(ErrorKind k, std::string msg) : kind(k), message(std::move(msg)) {}
  Error(Trap t) : kind(ErrorKind::Trap), message(t.message), trap(std::move(t)) {}
  bool is_trap() const { return kind == ErrorKind::Trap; }
  // The uncaught wasm exception this error is, or nullptr.
  const Exception* exception() const { return trap ? trap->exception.get() : nullptr; }
  std::string to_string() const;
};

// Result<T>: a T or an Error. Result<void>: nothing or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::in_place_index<0>, std::move(v)) {}
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
  Result(Trap t) : v_(std::in_place_index<1>, Error(std::move(t))) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}
  Result(Trap t) : e_(Error(std::move(t))) {}
  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *e_; }
  Error&& error() && { return std::move(*e_); }

 private:
  std::optional<Error> e_;
};

// ---- values -----------------------------------------------------------------------------------

class Store;
class Func;

// A wasm value. References are opaque words valid in the store that made them, for as long as
// something roots them (see RootScope and OwnedRef below).
class Val {
 public:
  Val() : Val(int32_t{0}) {}
  Val(int32_t v) : type_(ValType::I32) { bits_[0] = static_cast<uint32_t>(v); }
  Val(uint32_t v) : type_(ValType::I32) { bits_[0] = v; }
  Val(int64_t v) : type_(ValType::I64) { bits_[0] = static_cast<uint64_t>(v); }
  Val(uint64_t v) : type_(ValType::I64) { bits_[0] = v; }
  Val(float v) : type_(ValType::F32) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    bits_[0] = b;
  }
  Val(double v) : type_(ValType::F64) { std::memcpy(&bits_[0], &v, 8); }
  static Val v128(const std::array<uint8_t, 16>& bytes) {
    Val x;
    x.type_ = ValType::V128;
    std::memcpy(x.bits_, bytes.data(), 16);
    return x;
  }
  static Val null(ValType ref_type) {
    Val x;
    x.type_ = ref_type;
    return x;
  }
  static Val funcref(const Func& f);
  // An i31ref (an AnyRef holding the low 31 bits of `v`; no allocation, valid in any store).
  static Val i31ref(int32_t v) {
    return from_ref_bits(ValType::AnyRef,
                         (static_cast<uintptr_t>(static_cast<uint32_t>(v) & 0x7FFFFFFFu) << 1) | 1);
  }
  // The value of an i31ref, sign-extended from 31 bits; nullopt for anything else.
  std::optional<int32_t> i31() const {
    if (type_ != ValType::AnyRef || (bits_[0] & 1) == 0) return std::nullopt;
    return static_cast<int32_t>(static_cast<uint32_t>(bits_[0] >> 1) << 1) >> 1;
  }
  // A raw slot encoding (what the engine stores): i32/f32 in the low 32 bits of slot 0.
  static Val from_slots(ValType t, const uint64_t* slots) {
    Val x;
    x.type_ = t;
    x.bits_[0] = slots[0];
    if (t == ValType::V128) x.bits_[1] = slots[1];
    return x;
  }

  ValType type() const { return type_; }
  int32_t i32() const { return static_cast<int32_t>(static_cast<uint32_t>(bits_[0])); }
  int64_t i64() const { return static_cast<int64_t>(bits_[0]); }
  float f32() const {
    uint32_t b = static_cast<uint32_t>(bits_[0]);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  double f64() const {
    double d;
    std::memcpy(&d, &bits_[0], 8);
    return d;
  }
  std::array<uint8_t, 16> v128() const {
    std::array<uint8_t, 16> a;
    std::memcpy(a.data(), bits_, 16);
    return a;
  }
  bool is_null_ref() const { return bits_[0] == 0; }
  uintptr_t ref_bits() const { return static_cast<uintptr_t>(bits_[0]); }
  static Val from_ref_bits(ValType t, uintptr_t r) {
    Val x;
    x.type_ = t;
    x.bits_[0] = r;
    return x;
  }
  void to_slots(uint64_t* slots) const {
    slots[0] = bits_[0];
    if (type_ == ValType::V128) slots[1] = bits_[1];
  }
  friend bool operator==(const Val& a, const Val& b) {
    return a.type_ == b.type_ && a.bits_[0] == b.bits_[0] &&
           (a.type_ != ValType::V128 || a.bits_[1] == b.bits_[1]);
  }

 private:
  ValType type_;
  uint64_t bits_[2] = {0, 0};
};

// ---- engine and modules -----------------------------------------------------------------------

// Per-store resource limits (the sandbox issue extends these).
struct StoreLimits {
  uint64_t max_memory_bytes = UINT64_MAX;    // per memory
  uint64_t max_table_elements = UINT64_MAX;  // per table
  uint32_t max_instances = UINT32_MAX;
  uint64_t max_wasm_stack_bytes = 1 << 20;  // interpreter value stack
};

// Wasm proposals a module may use. All are on by default. A module that uses one that is off
// (an instruction, a type, a declaration) fails to compile with ErrorKind::Invalid and a
// message naming the feature and where to switch it on, e.g. "SIMD instruction v128.const at
// offset 0x2a requires the simd feature, which is disabled (Config::features.simd, hull run
// -W simd=y)". Switching a feature off also switches off those built on it: reference_types
// under function_references under gc, simd under relaxed_simd.
// gc is not implemented: on, its types and declarations (struct types) validate, but a module
// using its instructions fails to compile whatever these say ("unsupported instruction").
// exceptions and threads run; see SharedMemory for sharing a memory between stores on several
// threads.
struct Features {
  bool simd = true;
  bool relaxed_simd = true;
  bool multi_memory = true;
  bool memory64 = true;  // 64-bit memories and tables
  bool reference_types = true;
  bool bulk_memory = true;
  bool multi_value = true;
  bool tail_call = true;
  bool function_references = true;
  bool extended_const = true;
  bool wide_arithmetic = true;    // i64.add128, i64.sub128, i64.mul_wide_s/u
  bool custom_page_sizes = true;  // memories with 1-byte pages
  bool gc = true;
  bool exceptions = true;
  bool threads = true;
};

// How compiled code keeps linear-memory accesses in bounds.
enum class BoundsChecks : uint8_t {
  // Hull's default for this platform: Guard where guard_pages_supported(), else Explicit.
  Default,
  // Accesses to 32-bit memories with 64 KiB pages are not checked one by one: such memories
  // reserve 8 GiB of address space plus guard regions, and an out-of-bounds access faults and
  // becomes a trap (SIGSEGV/SIGBUS handlers chain to the embedder's for other faults).
  // Instantiation fails (ErrorKind::Limit) if such a memory could not get its guard regions
  // (address space exhausted, e.g. under `ulimit -v`). Engine::create fails with
  // ErrorKind::Usage where this is not supported (only Linux on x86-64 and aarch64).
  Guard,
  // Every access is checked in code; memory64 and custom page sizes always are.
  Explicit,
};
// Whether BoundsChecks::Guard is available on this platform.
bool guard_pages_supported();
// Guarded memories' reservations are kept process-wide for reuse when their store is deleted
// (reset first: a reused memory reads as zero and faults past its size, like a fresh one). The
// pool holds at most `cap` of them (default 64, and at most a quarter of RLIMIT_AS; 0 disables
// it); lowering the cap unmaps the excess. Thread-safe.
void set_memory_reservation_pool_cap(size_t cap);
// Unmaps every pooled reservation (e.g. to give back address space); returns how many.
size_t drain_memory_reservation_pool();

// Which code runs a module's functions.
enum class Tier : uint8_t {
  Interpreter,  // lowered slot code, ready as soon as the module validates
  // Machine code from the native tier (LLVM; link hull_native and call
  // hull::native::register_tier(), include/hull/native.hh), compiled when the module is; the
  // functions it cannot compile yet run interpreted. Engine::create fails (Usage) without it.
  Native,
  // Tier-up: modules start interpreted (in the baseline tier's machine code where it exists,
  // see Baseline), which counts each function's calls and loop iterations; a function whose count
  // reaches Config::tier_up_threshold is compiled on a background thread and switches to machine
  // code at its next call, or, for a call still running one of its loops, at a branch back to that
  // loop (on-stack replacement; the counting costs interpreted code 0-10 %, docs/PERFORMANCE.md).
  // Results, traps and fuel are the interpreter's wherever the switch happens. Code of the module
  // in the native tier's cache is loaded whole instead.
  // hull::native::wait_for_background_compiles() before the process ends.
  Auto,
  // Machine code from the baseline tier: each function compiled in one pass over its
  // interpreter code when the module is compiled, copied instruction by instruction from
  // stencils of the interpreter's own handlers (copy-and-patch), so compiling costs little
  // more than lowering for the interpreter and the code runs faster than it
  // (docs/PERFORMANCE.md, "The baseline tier"). Results, traps, fuel and backtraces are the
  // interpreter's. x86-64 Linux only: Engine::create fails (Usage) elsewhere.
  Baseline,
};

struct Config {
  StoreLimits limits;  // default limits of each new Store
  Tier tier = Tier::Interpreter;
  // Tier::Auto: calls plus loop iterations after which a function is compiled; 0: the default
  // (10,000, or $HULL_TIER_UP_THRESHOLD).
  uint32_t tier_up_threshold = 0;
  // Tier::Native: how hard LLVM optimizes (Wasmtime's opt-level): 2 (the default) its O2
  // pipeline; 1 only locals into registers, about half the compile time and code some 1.5-2x
  // slower; 0 also LLVM's fast instruction selection and register allocation, about a tenth
  // of the compile time and code some 3.5x faster than the interpreter (2.5x slower than 2's;
  // geometric means, docs/PERFORMANCE.md "Optimization levels"). For big modules whose
  // start-up matters more than their speed. Tier-up compiles hot functions at 2. Engine::create
  // refuses other values (Usage).
  uint8_t native_opt_level = 2;
  Features features;
  // Fuel metering: modules compiled by this engine charge one unit per wasm instruction (paid
  // per basic block, at function entries and loop headers); a store starts with 0 fuel, so
  // call Store::set_fuel before running code. Running out traps with "all fuel consumed".
  bool consume_fuel = false;
  // Deadlines: modules compiled by this engine check the store's deadline (Store::set_deadline)
  // at function entries and loop headers and trap with "interrupt" once it has passed. Machine
  // code (Tier::Native, Tier::Auto) leaves the check out of loops that call nothing and is
  // interrupted there with SIGURG instead (docs/EMBEDDING.md, "Deadlines of machine code").
  bool epoch_interruption = false;
  BoundsChecks bounds_checks = BoundsChecks::Default;
  // Copy-on-write memory images: from its second instance on, a module whose data segments
  // fill at least 64 KiB at constant offsets maps them from one shared image (a memfd) into each
  // new guarded memory instead of copying them, and a pooled memory is reset to that image with
  // one madvise. Off: every instance copies its data segments.
  bool memory_images = true;
  // Component-model async (the Explainer's 🔀: stream and future types, async function types,
  // `canon lift|lower ... async`, task/waitable/stream/future built-ins, and the cooperative
  // thread built-ins' types). Off by default, as in Wasmtime: components that use it are then
  // invalid ("... requires the component-model-async feature"). `hull wast` turns it on.
  bool component_model_async = false;
};

// WASI preview 1 configuration of one store (see Linker::define_wasi).
struct WasiConfig {
  struct Preopen {
    std::string host_path;
    std::string guest_path;
    bool readonly = false;
  };
  std::vector<std::string> args;  // argv, argv[0] included
  std::vector<std::string> env;   // "NAME=VALUE"
  std::vector<Preopen> preopens;
  // wasi-threads (Wasmtime's -S threads): also defines "wasi" "thread-spawn" (param i32
  // start_arg) (result i32). It runs the calling module's export `wasi_thread_start(tid,
  // start_arg)` in a new instance, in a new store (the same limits; the fuel the caller's store
  // has left) on a new OS thread, importing the caller's shared memories and sharing this WASI
  // context (fds, arguments, environment; calls are serialized by a lock); WASI and the shared
  // memories must be all it imports. The result is the new thread's id (1..2^29-1, never
  // reused) or a negated WASI errno: -28 (inval) for a module unfit for threads (no such
  // export, no imported shared memory, another import), -6 (again) for a passing condition (no
  // more ids or OS threads, a store limit). A trap or proc_exit in any thread ends the program:
  // every thread of it traps with "interrupt" at its next function entry, loop header or
  // memory.atomic.wait (a host call in progress runs to its end first); wasi_exit_code() and
  // wasi_thread_trap() then say how it ended; every later memory.atomic.wait on the program's
  // shared memories traps too. Destroying the store ends it the same way, without waiting for
  // the threads. Needs Config::epoch_interruption (Usage error otherwise):
  // the check points are the deadline's.
  bool threads = false;
};
bool wasi_available();  // whether this libhull was built with WASI

namespace detail {
struct EngineImpl;
struct StoreImpl;
struct HostFuncDef;
}  // namespace detail

// Shared, thread-safe compilation context. Cheap to copy (a shared pointer).
class Engine {
 public:
  Engine();  // default Config
  static Result<Engine> create(const Config& config);
  const Config& config() const;

 private:
  friend class Store;
  explicit Engine(std::shared_ptr<detail::EngineImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<detail::EngineImpl> impl_;
};

// A compiled, validated module: immutable and shareable across stores and threads. Cheap to
// copy.
class Module {
 public:
  static Result<Module> compile(const Engine& engine, std::span<const uint8_t> bytes);
  // .wasm, .wat or .hullc (load_precompiled)
  static Result<Module> from_file(const Engine& engine, const std::string& path);
  static Result<Module> from_wat(const Engine& engine, std::string_view text);
  static Result<void> validate(const Engine& engine, std::span<const uint8_t> bytes);
  // Ahead-of-time compilation with the native tier (Wasmtime's Engine::precompile_module): a
  // .hullc image of the module and its machine code for this machine, which load_precompiled
  // (or from_file) turns into a Module without compiling. Needs the native tier registered
  // (include/hull/native.hh); the engine's fuel, epoch and bounds-check settings are built in.
  static Result<std::vector<uint8_t>> precompile(const Engine& engine,
                                                 std::span<const uint8_t> wasm);
  // Loads a .hullc made by this same build of Hull on a CPU with the features of this one, with
  // the engine's settings; anything else is refused with the reason (ErrorKind::Usage), a
  // damaged image is Malformed. Like Wasmtime's Module::deserialize, this runs the image's
  // machine code: load only images you made.
  static Result<Module> load_precompiled(const Engine& engine, std::span<const uint8_t> image);
  static bool is_precompiled(std::span<const uint8_t> bytes);

  std::vector<ImportType> imports() const;
  std::vector<ExportType> exports() const;
  std::optional<ExternType> export_type(std::string_view name) const;
  std::string name() const;                // from the name section; may be empty
  std::span<const uint8_t> bytes() const;  // the binary it was compiled from
  const std::shared_ptr<const CompiledModule>& compiled() const { return m_; }

 private:
  explicit Module(std::shared_ptr<const CompiledModule> m) : m_(std::move(m)) {}
  std::shared_ptr<const CompiledModule> m_;
};

// ---- store objects (handles valid while their Store lives) ------------------------------------

class Instance;
class Caller;

class Func {
 public:
  Func() = default;
  // Internal: wraps an engine object of store `s`.
  Func(detail::StoreImpl* s, hull::Function* f) : s_(s), f_(f) {}
  FuncType type() const;
  // Dynamic call: `args` must match the params; results are returned in order.
  Result<std::vector<Val>> call(std::span<const Val> args) const;
  Result<std::vector<Val>> call(std::initializer_list<Val> args) const {
    return call(std::span<const Val>(args.begin(), args.size()));
  }
  // Allocation-free variant: `results` must have result-arity entries.
  Result<void> call(std::span<const Val> args, std::span<Val> results) const;
  bool valid() const { return f_ != nullptr; }
  hull::Function* raw() const { return f_; }
  detail::StoreImpl* store_impl() const { return s_; }

 private:
  friend class Instance;
  friend class Store;
  friend class Caller;
  friend class Table;
  friend class Linker;
  detail::StoreImpl* s_ = nullptr;
  hull::Function* f_ = nullptr;
};

class Memory {
 public:
  Memory() = default;
  // Internal: wraps an engine object of store `s`.
  Memory(detail::StoreImpl* s, hull::Memory* m) : s_(s), m_(m) {}
  MemoryType type() const;
  uint8_t* data() const;
  uint64_t size() const;   // bytes
  uint64_t pages() const;  // 64 KiB pages
  // Grows by `delta` pages; returns the old page count. Limit error past the maximum.
  Result<uint64_t> grow(uint64_t delta) const;
  // Bounds-checked access: an out-of-range request is an Error (kind Usage), never UB.
  Result<std::span<uint8_t>> view(uint64_t offset, uint64_t len) const;
  Result<void> read(uint64_t offset, std::span<uint8_t> out) const;
  Result<void> write(uint64_t offset, std::span<const uint8_t> in) const;
  Result<std::string> read_string(uint64_t offset, uint64_t len) const;
  template <class T>
  requires std::is_trivially_copyable_v<T> Result<T> load(uint64_t offset)
  const {
    T v;
    auto r = read(offset, std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof v));
    if (!r) return std::move(r).error();
    return v;
  }
  template <class T>
  requires std::is_trivially_copyable_v<T> Result<void> store(uint64_t offset, const T& v)
  const {
    return write(offset, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&v), sizeof v));
  }
  // A host-defined memory for imports. A shared type gives a memory other stores can import
  // too (SharedMemory::from).
  static Result<Memory> create(Store& store, const MemoryType& type);
  bool valid() const { return m_ != nullptr; }
  hull::Memory* raw() const { return m_; }

 private:
  friend class Instance;
  friend class Caller;
  friend class Linker;
  friend class SharedMemory;
  detail::StoreImpl* s_ = nullptr;
  hull::Memory* m_ = nullptr;
};

// A shared linear memory (the threads proposal: `(memory 1 10 shared)`), owned by no single
// store. Instances in several stores, each store used by its own thread, import the same
// memory and see the same bytes: atomic instructions, memory.atomic.wait/notify (a waiter in
// one store is woken by a notify from another) and memory.grow work across them. The type must
// be shared and have a maximum; the whole maximum is reserved at creation, so data() never
// changes, also while another thread grows the memory. Cheap to copy (a shared pointer) and
// thread-safe; the memory lives until the last handle and the last store using it are gone.
//
//   auto mem = SharedMemory::create(engine, {{.min = 1, .max = 4, .shared = true}});
//   // on each thread, with its own Store:
//   Store store(engine);
//   Linker linker;
//   linker.define("env", "memory", mem->in(store));
//   auto inst = linker.instantiate(store, module);  // (import "env" "memory" (memory 1 4 shared))
class SharedMemory {
 public:
  SharedMemory() = default;
  // Usage error if `type` is not shared or has no maximum; Limit error if its maximum exceeds
  // the engine's default StoreLimits::max_memory_bytes or cannot be reserved.
  static Result<SharedMemory> create(const Engine& engine, const MemoryType& type);
  // The shared memory behind `memory` (e.g. an instance's exported shared memory, to import it
  // into other stores); nullopt if `memory` is not shared.
  static std::optional<SharedMemory> from(const Memory& memory);
  // This memory as an object of `store`, which becomes one of its owners: what Linker::define
  // and Instance::create take as an import. Call it on the thread that uses `store`.
  Memory in(Store& store) const;
  MemoryType type() const;  // limits.min: the current size in pages
  uint8_t* data() const;
  uint64_t size() const;  // bytes, including growth by other threads so far
  uint64_t pages() const;
  // Grows by `delta` pages (atomically with respect to other threads' growth); returns the old
  // page count. Limit error past the maximum.
  Result<uint64_t> grow(uint64_t delta) const;
  bool valid() const { return m_ != nullptr; }
  hull::Memory* raw() const { return m_.get(); }

 private:
  explicit SharedMemory(std::shared_ptr<hull::Memory> m) : m_(std::move(m)) {}
  std::shared_ptr<hull::Memory> m_;
};

class Global {
 public:
  Global() = default;
  // Internal: wraps an engine object of store `s`.
  Global(detail::StoreImpl* s, hull::Global* g) : s_(s), g_(g) {}
  GlobalType type() const;
  Val get() const;
  Result<void> set(const Val& v) const;  // Usage error if immutable or of another type
  static Result<Global> create(Store& store, const GlobalType& type, const Val& init);
  bool valid() const { return g_ != nullptr; }
  hull::Global* raw() const { return g_; }

 private:
  friend class Instance;
  friend class Caller;
  friend class Linker;
  detail::StoreImpl* s_ = nullptr;
  hull::Global* g_ = nullptr;
};

class Table {
 public:
  Table() = default;
  // Internal: wraps an engine object of store `s`.
  Table(detail::StoreImpl* s, hull::Table* t) : s_(s), t_(t) {}
  TableType type() const;
  uint64_t size() const;
  Result<Val> get(uint64_t index) const;
  Result<void> set(uint64_t index, const Val& v) const;
  Result<uint64_t> grow(uint64_t delta, const Val& init) const;  // returns the old size
  static Result<Table> create(Store& store, const TableType& type, const Val& init);
  bool valid() const { return t_ != nullptr; }
  hull::Table* raw() const { return t_; }

 private:
  friend class Instance;
  friend class Caller;
  friend class Linker;
  detail::StoreImpl* s_ = nullptr;
  hull::Table* t_ = nullptr;
};

// An exception tag: `throw` names one, and a catch clause matches exceptions by tag identity.
// Every tag created (by a module instance or Tag::create) is distinct, even with equal types.
class Tag {
 public:
  Tag() = default;
  // Internal: wraps an engine object of store `s`.
  Tag(detail::StoreImpl* s, hull::Tag* t) : s_(s), t_(t) {}
  // A new tag whose exceptions carry values of `params` (a tag has no results).
  static Result<Tag> create(Store& store, std::vector<ValType> params);
  // The payload types (FuncType::results is empty).
  FuncType type() const;
  bool valid() const { return t_ != nullptr; }
  hull::Tag* raw() const { return t_; }
  detail::StoreImpl* store_impl() const { return s_; }
  friend bool operator==(const Tag& a, const Tag& b) { return a.t_ == b.t_; }

 private:
  friend class Linker;
  friend class Instance;
  detail::StoreImpl* s_ = nullptr;
  hull::Tag* t_ = nullptr;
};

// A wasm exception: its tag and the values the tag declares.
struct Exception {
  Tag tag;
  std::vector<Val> args;
};

// The Trap a host function returns to throw a wasm exception of `tag` with `args` at its
// call site (checked against the tag's type when it is thrown).
Trap throw_exception(const Tag& tag, std::vector<Val> args);

// Any store object (an import or export).
using Extern = std::variant<Func, Table, Memory, Global, Tag>;

// ---- typed calls ------------------------------------------------------------------------------

namespace detail {

// C++ type <-> wasm value type and slot encoding, for typed calls and typed host functions.
template <class T>
struct Wasm;
template <>
struct Wasm<int32_t> {
  static constexpr ValType type = ValType::I32;
  static int32_t load(const uint64_t* s) { return static_cast<int32_t>(static_cast<uint32_t>(*s)); }
  static void store(uint64_t* s, int32_t v) { *s = static_cast<uint32_t>(v); }
};
template <>
struct Wasm<uint32_t> {
  static constexpr ValType type = ValType::I32;
  static uint32_t load(const uint64_t* s) { return static_cast<uint32_t>(*s); }
  static void store(uint64_t* s, uint32_t v) { *s = v; }
};
template <>
struct Wasm<int64_t> {
  static constexpr ValType type = ValType::I64;
  static int64_t load(const uint64_t* s) { return static_cast<int64_t>(*s); }
  static void store(uint64_t* s, int64_t v) { *s = static_cast<uint64_t>(v); }
};
template <>
struct Wasm<uint64_t> {
  static constexpr ValType type = ValType::I64;
  static uint64_t load(const uint64_t* s) { return *s; }
  static void store(uint64_t* s, uint64_t v) { *s = v; }
};
template <>
struct Wasm<float> {
  static constexpr ValType type = ValType::F32;
  static float load(const uint64_t* s) {
    uint32_t b = static_cast<uint32_t>(*s);
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  }
  static void store(uint64_t* s, float v) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    *s = b;
  }
};
template <>
struct Wasm<double> {
  static constexpr ValType type = ValType::F64;
  static double load(const uint64_t* s) {
    double d;
    std::memcpy(&d, s, 8);
    return d;
  }
  static void store(uint64_t* s, double v) { std::memcpy(s, &v, 8); }
};

template <class T>
concept WasmScalar = requires {
  Wasm<std::remove_cvref_t<T>>::type;
};

// Results of a signature: void, one scalar, or a std::tuple of scalars.
template <class R>
struct Results {
  static constexpr size_t count = 1;
  static std::vector<ValType> types() { return {Wasm<R>::type}; }
  static void store(uint64_t* s, const R& r) { Wasm<R>::store(s, r); }
  static R load(const uint64_t* s) { return Wasm<R>::load(s); }
};
template <>
struct Results<void> {
  static constexpr size_t count = 0;
  static std::vector<ValType> types() { return {}; }
};
template <class... Ts>
struct Results<std::tuple<Ts...>> {
  static constexpr size_t count = sizeof...(Ts);
  static std::vector<ValType> types() { return {Wasm<Ts>::type...}; }
  static void store(uint64_t* s, const std::tuple<Ts...>& r) {
    [&]<size_t... I>(std::index_sequence<I...>) { (Wasm<Ts>::store(s + I, std::get<I>(r)), ...); }
    (std::index_sequence_for<Ts...>{});
  }
  static std::tuple<Ts...> load(const uint64_t* s) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::tuple<Ts...>(Wasm<Ts>::load(s + I)...);
    }
    (std::index_sequence_for<Ts...>{});
  }
};

// Calls `f` with its params in `slots`; results land in `slots`. nullopt = success.
std::optional<Trap> call_slots(StoreImpl* s, hull::Function* f, uint64_t* slots);
bool func_type_is(const hull::Function* f, const FuncType& want);

}  // namespace detail

template <class Sig>
class TypedFunc;

// A function whose type was checked against R(Args...) at lookup: calls pass values in slots
// without any conversion or allocation.
template <class R, class... Args>
class TypedFunc<R(Args...)> {
 public:
  TypedFunc() = default;
  static FuncType signature() {
    return FuncType{{detail::Wasm<Args>::type...}, detail::Results<R>::types()};
  }
  Result<R> call(Args... args) const {
    constexpr size_t n = std::max<size_t>({sizeof...(Args), detail::Results<R>::count, 1});
    uint64_t slots[n];
    size_t i = 0;
    ((detail::Wasm<Args>::store(&slots[i++], args)), ...);
    if (auto t = detail::call_slots(f_.store_impl(), f_.raw(), slots)) return std::move(*t);
    if constexpr (std::is_void_v<R>) {
      return Result<void>();
    } else {
      return detail::Results<R>::load(slots);
    }
  }
  Result<R> operator()(Args... args) const { return call(args...); }
  const Func& func() const { return f_; }

 private:
  friend class Instance;
  friend class Caller;
  explicit TypedFunc(Func f) : f_(f) {}
  Func f_;
};

// ---- instances and stores ---------------------------------------------------------------------

class Instance {
 public:
  Instance() = default;
  // Internal: wraps an engine object of store `s`.
  Instance(detail::StoreImpl* s, hull::Instance* i) : s_(s), i_(i) {}
  std::optional<Func> get_func(std::string_view name) const;
  std::optional<Memory> get_memory(std::string_view name = "memory") const;
  std::optional<Global> get_global(std::string_view name) const;
  std::optional<Table> get_table(std::string_view name) const;
  std::optional<Tag> get_tag(std::string_view name) const;
  std::optional<Extern> get_export(std::string_view name) const;
  std::vector<std::pair<std::string, Extern>> exports() const;
  // Export `index` in the module's export order (Module::exports()), without a name lookup;
  // nullopt past the end.
  std::optional<Extern> export_at(size_t index) const;
  // Instantiates `module` with `imports` in the order of Module::imports(), each checked
  // against its import's type (Unlinkable error naming it otherwise). No name is looked up:
  // embedders that resolve imports once (pre-linking) instantiate through this.
  static Result<Instance> create(Store& store, const Module& module,
                                 std::span<const Extern> imports);
  // Looks up export `name` and checks its type is exactly Sig (Unlinkable error otherwise).
  template <class Sig>
  Result<TypedFunc<Sig>> typed_func(std::string_view name) const {
    auto f = get_func(name);
    if (!f)
      return Error(ErrorKind::Unlinkable, "no exported function \"" + std::string(name) + "\"");
    FuncType want = TypedFunc<Sig>::signature();
    if (!detail::func_type_is(f->raw(), want)) {
      return Error(ErrorKind::Unlinkable, "function \"" + std::string(name) + "\" has type " +
                                              to_string(f->type()) + ", not " + to_string(want));
    }
    return TypedFunc<Sig>(*f);
  }
  bool valid() const { return i_ != nullptr; }
  hull::Instance* raw() const { return i_; }

 private:
  friend class Linker;
  friend class Caller;
  friend class Store;
  detail::StoreImpl* s_ = nullptr;
  hull::Instance* i_ = nullptr;
};

// One tenant's objects and execution state. Not thread-safe: use one Store per thread. Every
// object created in a Store lives until the Store is destroyed -- except GC objects (structs,
// arrays), exceptions and externrefs, which the store's collector frees once neither wasm nor
// the host refers to them (RootScope, OwnedRef).
class Store {
 public:
  explicit Store(const Engine& engine);
  Store(const Engine& engine, const StoreLimits& limits);
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const StoreLimits& limits() const;
  void set_data(void* data);
  void* data() const;
  template <class T>
  T* data_as() const {
    return static_cast<T*>(data());
  }
  // An externref wrapping `host_value`, rooted in the current RootScope. The collector frees it
  // once nothing refers to it; then (or when the store is destroyed) `finalizer`, if given, is
  // called with `host_value` -- from inside the collector, so it must not use the store.
  Val new_externref(uint64_t host_value, void (*finalizer)(uint64_t host_value) = nullptr);
  // The host value of an externref made by new_externref; nullopt for null and for an
  // externref that wraps a wasm value (extern.convert_any of a struct, array or i31).
  std::optional<uint64_t> externref_value(const Val& v) const;
  // The exit code a WASI guest passed to proc_exit, if it did (with WasiConfig::threads: the
  // code of the proc_exit, in any of its threads, that ended the program).
  std::optional<uint32_t> wasi_exit_code() const;
  // With WasiConfig::threads: the trap of a spawned thread that ended the program (the call on
  // this store then ends with an "interrupt" trap); nullopt while it runs or if it ended
  // otherwise.
  std::optional<Trap> wasi_thread_trap() const;
  // The Func a funcref Val points to (nullopt for null).
  std::optional<Func> funcref(const Val& v);

  // Inside GC objects (Wasmtime's StructRef::field / ArrayRef::get): `ref` is a struct or array
  // reference of this store (any Val of the any hierarchy). Packed i8/i16 fields read as i32,
  // zero-extended (sign-extend the low 8/16 bits for the signed view); writes take an i32 and
  // keep its low bits. References read are rooted in the current RootScope. Usage errors name
  // what is wrong: a null reference, one that is not a struct (an array) of this store, a
  // field or element out of range, an immutable field, a value of another type (references
  // are checked against the field's exact type, as arguments are).
  Result<Val> struct_get(const Val& ref, uint32_t field);
  Result<void> struct_set(const Val& ref, uint32_t field, const Val& value);
  Result<uint32_t> array_len(const Val& ref) const;
  Result<Val> array_get(const Val& ref, uint32_t index);
  Result<void> array_set(const Val& ref, uint32_t index, const Val& value);
  // What a reference designates, without a cast: Null, I31, Struct, Array, Host (an externref
  // made by new_externref, also after any.convert_extern), Func, Exception; Unknown for a word
  // that is none of this store's (a dangling or foreign reference).
  enum class RefKind : uint8_t { Null, I31, Struct, Array, Host, Func, Exception, Unknown };
  RefKind ref_kind(const Val& ref) const;

  // Fuel (Config::consume_fuel; otherwise these return ErrorKind::Usage). set_fuel sets the
  // remaining fuel; after an "all fuel consumed" trap, set more and call again.
  Result<void> set_fuel(uint64_t fuel);
  Result<uint64_t> get_fuel() const;       // remaining
  Result<uint64_t> fuel_consumed() const;  // total consumed by this store

  // What this store's guests have cost so far: what a server reports per request.
  struct Stats {
    uint64_t host_calls = 0;  // calls from wasm into host functions
    // Time spent in host functions (the outermost ones: a host function that calls back into
    // wasm counts the whole span once); zero unless time_host_calls(true).
    std::chrono::nanoseconds host_call_time{0};
    uint64_t fuel_consumed = 0;  // 0 unless Config::consume_fuel
    size_t instances = 0;        // core instances in the store
    uint64_t memory_bytes = 0;   // current size of the store's linear memories
    size_t exceptions = 0;       // wasm exceptions alive (thrown, held by an exnref, or pinned)
    // The GC heap (structs and arrays): objects and bytes alive, collections so far, and bytes
    // allocated in all (collected or not).
    size_t gc_objects = 0;
    uint64_t gc_bytes = 0;
    uint64_t gc_collections = 0;
    uint64_t gc_allocated_bytes = 0;
    // Time the store's collections stopped its guest (they stop the world): in all, and the
    // longest one.
    std::chrono::nanoseconds gc_pause_total{0};
    std::chrono::nanoseconds gc_pause_max{0};
    size_t externrefs = 0;  // host objects alive (new_externref), counted in gc_objects too
    // References the host holds: rooted in scopes (or in none: for the store's life), and
    // OwnedRef handles. A count that only grows means references kept past their use.
    size_t host_roots = 0;
  };
  Stats stats() const;
  // Collects the GC objects, exceptions and externrefs nothing refers to any more: neither wasm
  // (globals, tables, frames, other objects) nor the host (RootScope, OwnedRef). Allocation
  // does so by itself as the heap grows; this is for embedders that want it now.
  void collect_garbage();
  // Reads a monotonic clock before and after each outermost host call (the CPU's invariant
  // time-stamp counter where there is one, ~13 ns a read; else steady_clock, ~35 ns) so that
  // stats().host_call_time is filled in. Off by default.
  void time_host_calls(bool on);
  // Deadline (Config::epoch_interruption; otherwise ErrorKind::Usage): wasm code running in
  // this store traps with "interrupt" once `timeout` has elapsed (checked at function entries
  // and loop headers; resolution 2 ms). Replaces any earlier deadline.
  Result<void> set_deadline(std::chrono::nanoseconds timeout);
  void clear_deadline();

  // Keeps `object` alive until the store is destroyed (the component runtime keeps the state
  // of component instances this way, since core functions of the store refer to it).
  void attach(std::shared_ptr<void> object);
  // Per-store state of a host library (e.g. the WASI context that store-independent host
  // functions look up), keyed by an address the library owns. set_slot replaces an earlier
  // value for `key`; slot returns nullptr when none is set. Kept alive as long as the store.
  void set_slot(const void* key, std::shared_ptr<void> value);
  void* slot(const void* key) const;

  detail::StoreImpl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<detail::StoreImpl> impl_;
};

// ---- references held by the host ---------------------------------------------------------------
//
// GC objects (structs, arrays), exceptions and externrefs live while something refers to them.
// The references the host receives -- call results, Global::get, Table::get,
// Store::new_externref, the payload of an uncaught exception -- are rooted in the store's
// innermost RootScope and stay valid until it ends; outside every scope, until the store is
// destroyed. Each call of a host function is a scope of its own (its arguments are rooted by
// the calling frame). To keep a reference beyond its scope, hold it in an OwnedRef. A Val used
// after its root is gone refers to freed memory, like a dangling pointer. (Wasmtime's
// RootScope and OwnedRooted work the same way.)
class RootScope {
 public:
  explicit RootScope(Store& store);
  ~RootScope();  // releases the references rooted since the scope began
  RootScope(const RootScope&) = delete;
  RootScope& operator=(const RootScope&) = delete;

 private:
  detail::StoreImpl* s_;
  size_t depth_;
};

// A reference kept alive, independently of scopes, for as long as this handle (or a copy)
// exists. Destroying it after its store is harmless.
class OwnedRef {
 public:
  OwnedRef() = default;
  // Roots `ref`, a reference of `store` (a null one is kept as it is).
  OwnedRef(Store& store, const Val& ref);
  OwnedRef(const OwnedRef& o);
  OwnedRef(OwnedRef&& o) noexcept;
  OwnedRef& operator=(OwnedRef o) noexcept;
  ~OwnedRef();
  const Val& get() const { return v_; }
  void reset();  // lets go of the reference (get() becomes a null i32 0)

 private:
  void pin();
  std::weak_ptr<void> store_alive_;
  detail::StoreImpl* s_ = nullptr;
  Val v_;
  bool pinned_ = false;  // v_ is a GC object or exception, pinned in its store
};

// Given to host functions: the store and the instance whose code called.
class Caller {
 public:
  Store& store() const;
  std::optional<Instance> instance() const;  // nullopt when the host called directly
  std::optional<Extern> get_export(std::string_view name) const;
  std::optional<Memory> memory(std::string_view name = "memory") const;
  std::optional<Func> get_func(std::string_view name) const;
  template <class Sig>
  Result<TypedFunc<Sig>> typed_func(std::string_view name) const {
    auto i = instance();
    if (!i) return Error(ErrorKind::Usage, "no calling instance");
    return i->template typed_func<Sig>(name);
  }
  void* data() const { return store().data(); }

  Caller(detail::StoreImpl* s, hull::Instance* i) : s_(s), i_(i) {}

 private:
  detail::StoreImpl* s_;
  hull::Instance* i_;
};

namespace detail {

// A store-independent host function definition: type + a trampoline over type-erased state.
// `fn(state, caller, slots)` reads params from slots, writes results from slot 0.
using RawHost = std::optional<Trap> (*)(void* state, Caller& caller, uint64_t* slots);
struct HostFuncDef {
  FuncType type;
  RawHost fn = nullptr;
  std::shared_ptr<void> state;
};

template <class T>
struct CallableTraits : CallableTraits<decltype(&std::remove_cvref_t<T>::operator())> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<A...>;
};
template <class R, class... A>
struct CallableTraits<R(A...)> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const noexcept> : CallableTraits<R (*)(A...)> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) noexcept> : CallableTraits<R (*)(A...)> {};

template <class T>
struct IsResult : std::false_type {};
template <class T>
struct IsResult<Result<T>> : std::true_type {
  using Inner = T;
};

template <class R>
struct HostRet {
  using Inner = R;
};
template <class T>
struct HostRet<Result<T>> {
  using Inner = T;
};

// Invokes `f(caller?, args...)` reading args from slots and writing results to slots.
template <class F, bool WithCaller, class R, class... A>
std::optional<Trap> invoke_typed(F& f, Caller& caller, uint64_t* slots) {
  auto run = [&]() -> decltype(auto) {
    size_t i = 0;
    // Braced init guarantees left-to-right evaluation of the loads.
    std::tuple<std::remove_cvref_t<A>...> args{Wasm<std::remove_cvref_t<A>>::load(&slots[i++])...};
    return std::apply(
        [&](auto&... a) -> decltype(auto) {
          if constexpr (WithCaller) {
            return f(caller, a...);
          } else {
            return f(a...);
          }
        },
        args);
  };
#if defined(__cpp_exceptions)
  try {
#endif
    if constexpr (std::is_void_v<R>) {
      run();
    } else if constexpr (IsResult<R>::value) {
      using T = typename IsResult<R>::Inner;
      R r = run();
      if (!r.ok()) {
        const Error& e = r.error();
        if (e.trap) return *e.trap;
        return Trap::host(e.message);
      }
      if constexpr (!std::is_void_v<T>) Results<T>::store(slots, r.value());
    } else if constexpr (std::is_same_v<R, std::optional<Trap>>) {
      return run();
    } else {
      Results<R>::store(slots, run());
    }
#if defined(__cpp_exceptions)
  } catch (const std::exception& e) {
    return Trap::host(std::string("host exception: ") + e.what());
  } catch (...) {
    return Trap::host("host exception");
  }
#endif
  return std::nullopt;
}

// The results a typed host function declares: none for std::optional<Trap> (not a value).
template <class R, class Inner>
std::vector<ValType> host_result_types() {
  if constexpr (std::is_same_v<R, std::optional<Trap>>) {
    return {};
  } else {
    return Results<Inner>::types();
  }
}

template <class F>
HostFuncDef make_typed_host(F&& fn) {
  using Fn = std::remove_cvref_t<F>;
  using Tr = CallableTraits<Fn>;
  using R = typename Tr::Ret;
  using Inner = typename HostRet<R>::Inner;
  HostFuncDef def;
  def.state = std::make_shared<Fn>(std::forward<F>(fn));
  [&]<class... A>(std::tuple<A...>*) {
    constexpr bool with_caller =
        sizeof...(A) > 0 &&
        std::is_same_v<std::tuple_element_t<0, std::tuple<A..., void>>, Caller&>;
    if constexpr (with_caller) {
      [&]<class C0, class... Rest>(std::tuple<C0, Rest...>*) {
        def.type =
            FuncType{{Wasm<std::remove_cvref_t<Rest>>::type...}, host_result_types<R, Inner>()};
        def.fn = [](void* st, Caller& c, uint64_t* slots) -> std::optional<Trap> {
          return invoke_typed<Fn, true, R, Rest...>(*static_cast<Fn*>(st), c, slots);
        };
      }(static_cast<std::tuple<A...>*>(nullptr));
    } else {
      def.type = FuncType{{Wasm<std::remove_cvref_t<A>>::type...}, host_result_types<R, Inner>()};
      def.fn = [](void* st, Caller& c, uint64_t* slots) -> std::optional<Trap> {
        return invoke_typed<Fn, false, R, A...>(*static_cast<Fn*>(st), c, slots);
      };
    }
  }(static_cast<typename Tr::Args*>(nullptr));
  return def;
}

// Generic host functions: f(Caller&, std::span<const Val> args, std::span<Val> results)
// returning void, Result<void> or std::optional<Trap>.
template <class F>
HostFuncDef make_generic_host(FuncType type, F&& fn) {
  using Fn = std::remove_cvref_t<F>;
  struct State {
    Fn fn;
    FuncType type;
  };
  HostFuncDef def;
  def.type = type;
  def.state = std::make_shared<State>(State{std::forward<F>(fn), std::move(type)});
  def.fn = [](void* st, Caller& c, uint64_t* slots) -> std::optional<Trap> {
    State& s = *static_cast<State*>(st);
    constexpr size_t kSmall = 8;
    Val small_args[kSmall], small_res[kSmall];
    std::vector<Val> big_args, big_res;
    Val* args = small_args;
    Val* res = small_res;
    const size_t np = s.type.params.size(), nr = s.type.results.size();
    if (np > kSmall) args = (big_args.resize(np), big_args.data());
    if (nr > kSmall) res = (big_res.resize(nr), big_res.data());
    const uint64_t* p = slots;
    for (size_t i = 0; i < np; ++i) {
      args[i] = Val::from_slots(s.type.params[i], p);
      p += s.type.params[i] == ValType::V128 ? 2 : 1;
    }
    for (size_t i = 0; i < nr; ++i) res[i] = Val::null(s.type.results[i]);
    std::optional<Trap> trap;
#if defined(__cpp_exceptions)
    try {
#endif
      using R = decltype(s.fn(c, std::span<const Val>(args, np), std::span<Val>(res, nr)));
      if constexpr (std::is_void_v<R>) {
        s.fn(c, std::span<const Val>(args, np), std::span<Val>(res, nr));
      } else if constexpr (std::is_same_v<R, std::optional<Trap>>) {
        trap = s.fn(c, std::span<const Val>(args, np), std::span<Val>(res, nr));
      } else {
        Result<void> r = s.fn(c, std::span<const Val>(args, np), std::span<Val>(res, nr));
        if (!r) trap = r.error().trap ? *r.error().trap : Trap::host(r.error().message);
      }
#if defined(__cpp_exceptions)
    } catch (const std::exception& e) {
      trap = Trap::host(std::string("host exception: ") + e.what());
    } catch (...) {
      trap = Trap::host("host exception");
    }
#endif
    if (trap) return trap;
    uint64_t* q = slots;
    for (size_t i = 0; i < nr; ++i) {
      if (res[i].type() != s.type.results[i]) {
        return Trap::host("host function returned a " + std::string(to_string(res[i].type())) +
                          " where " + to_string(s.type.results[i]) + " was expected");
      }
      res[i].to_slots(q);
      q += s.type.results[i] == ValType::V128 ? 2 : 1;
    }
    return std::nullopt;
  };
  return def;
}

}  // namespace detail

// A host function created in a store (e.g. for a table or a funcref); `fn` as in Linker::func.
template <class F>
Func make_func(Store& store, F&& fn);
Func make_func(Store& store, detail::HostFuncDef def);

namespace detail {
// For code that creates the same host functions again and again (a component's lowered
// imports, created at every instantiation): the canonical id of a host function type, computed
// once, and a host function made from it that allocates nothing of its own. `state` is not
// owned: it must outlive every use of the function in `store`.
uint32_t host_type_id(const FuncType& type);
Func make_func_unowned(Store& store, uint32_t type_id, RawHost fn, void* state);
}  // namespace detail

// Resolves imports by (module, name). Host functions defined with func()/func_generic() are
// store-independent (a Linker can serve many stores and threads once fully defined); objects
// defined with define() belong to one store and only link into that store.
class Linker {
 public:
  Linker();
  ~Linker();
  Linker(const Linker&);
  Linker& operator=(const Linker&);
  Linker(Linker&&) noexcept;
  Linker& operator=(Linker&&) noexcept;

  // A typed host function: parameters (after an optional leading Caller&) of int32_t,
  // uint32_t, int64_t, uint64_t, float or double; returning void, one of those, a std::tuple
  // of them, a Result<...> of those (an error becomes a trap), or std::optional<Trap>.
  template <class F>
  Linker& func(std::string_view module, std::string_view name, F&& fn) {
    return define_host(module, name, detail::make_typed_host(std::forward<F>(fn)));
  }
  // A host function of any type: fn(Caller&, std::span<const Val>, std::span<Val> results)
  // returning void, Result<void> or std::optional<Trap>.
  template <class F>
  Linker& func_generic(std::string_view module, std::string_view name, FuncType type, F&& fn) {
    return define_host(module, name,
                       detail::make_generic_host(std::move(type), std::forward<F>(fn)));
  }
  Linker& define_host(std::string_view module, std::string_view name, detail::HostFuncDef def);
  Linker& define(std::string_view module, std::string_view name, const Extern& item);
  // Every export of `instance` under `module`.
  Linker& define_instance(std::string_view module, const Instance& instance);
  // WASI preview 1: defines every "wasi_snapshot_preview1" function for `store` (the
  // definitions belong to that store). Usage error when libhull was built without WASI; Io
  // error when a preopened directory cannot be opened. A guest's proc_exit ends the call with
  // a trap; Store::wasi_exit_code() then holds the code.
  Result<void> define_wasi(Store& store, const WasiConfig& config);

  // Instantiates `module` in `store`, resolving every import by name. A missing or mistyped
  // import is an Unlinkable error naming it.
  Result<Instance> instantiate(Store& store, const Module& module) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

template <class F>
Func make_func(Store& store, F&& fn) {
  return make_func(store, detail::make_typed_host(std::forward<F>(fn)));
}
template <class F>
Func make_func_generic(Store& store, FuncType type, F&& fn) {
  return make_func(store, detail::make_generic_host(std::move(type), std::forward<F>(fn)));
}

// Library version string, e.g. "0.1.0".
const char* version();

}  // namespace hull::api
