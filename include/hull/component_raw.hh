// The canonical ABI seen from typed C++ code: what `Wit<T>` (component_typed.hh) needs to lift
// and lower C++ values straight into a guest's core values and linear memory, without building
// a component Val tree. The runtime keeps every rule it keeps on the Val path (reentrance,
// realloc with its result checked, string encodings, handle tables and borrow scopes,
// post-return) and words every trap the same; typed code only lays out values.
//
// Flat values are raw bits: an i32 or f32 in the low 32 bits (zero-extended), an i64 or f64 in
// all 64. In this form the joins of variant flattening (CanonicalABI.md lower_flat_variant:
// f32 as i32, 32-bit values widened to i64, f64 as i64) change no bits, and lifting a 32-bit
// value from a joined i64 slot takes the low half (the spec's wrap_i64_to_i32).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "hull/component.hh"

namespace hull::component {
class LiftLowerContext;
}

namespace hull::api::component::raw {

using Flat = uint64_t;

// CanonicalABI.md MAX_FLAT_PARAMS / MAX_FLAT_RESULTS for synchronous calls.
inline constexpr size_t kMaxFlatParams = 16;
inline constexpr size_t kMaxFlatResults = 1;

// What a pointer read from the guest points at; picks the trap's wording.
enum class PointerFor : uint8_t {
  ReturnArea,  // the spilled results of an export (the guest's return pointer)
  Params,      // spilled params of a call into the host, or the host's result pointer
  Value,       // any other value in memory
};

// The guest side of one call: its memory, realloc, string encoding and handle table. Made by
// the runtime for the duration of a call; never stored.
class Context {
 public:
  explicit Context(hull::component::LiftLowerContext& cx, Store* store = nullptr);

  // The store of the calling instance (null when the runtime has none to give): what a typed
  // host function taking a leading `Store&` receives.
  Store* store() const { return store_; }

  // The guest memory (nullptr/0 without a memory option). Re-read after every allocation:
  // realloc runs guest code, which may grow and move the memory.
  uint8_t* memory() const { return mem_; }
  uint64_t memory_size() const { return size_; }

  // ---- lowering (host -> guest)
  // realloc(0, 0, align, count * elem_size) for a list's elements, checked: a size past 4 GiB,
  // a misaligned or out-of-bounds result trap as on the Val path.
  Result<uint32_t> alloc_list(uint64_t count, uint32_t elem_size, uint32_t align);
  // realloc for spilled arguments (a tuple of the params in memory).
  Result<uint32_t> alloc_params(uint32_t size, uint32_t align);
  // A host string (UTF-8; invalid UTF-8 is a Usage error) in the guest's encoding: returns
  // (pointer, tagged code units) as the flat pair.
  Result<std::pair<uint32_t, uint32_t>> store_string(std::string_view utf8);
  // A handle into this instance's table; `type` is the own/borrow type at this position.
  Result<uint32_t> lower_handle(const ResourceAny& r, const Type& type);

  // ---- lifting (guest -> host)
  // [ptr, ptr + size) aligned to `align` and in bounds.
  Result<void> check_pointer(uint32_t ptr, uint32_t size, uint32_t align, PointerFor what);
  // A list's element range: length limit, alignment, bounds; and `host_bytes` charged against
  // the per-call limit of what is lifted (so aliasing lists cannot exhaust host memory).
  Result<void> check_list(uint32_t ptr, uint32_t count, uint32_t elem_size, uint32_t align,
                          uint64_t host_bytes);
  Result<std::string> load_string(uint32_t ptr, uint32_t tagged_code_units);
  Result<ResourceAny> lift_handle(uint32_t index, const Type& type);
  Error bad_discriminant(uint32_t index, size_t count) const;
  Error bad_char(uint32_t bits) const;

 private:
  void refresh();
  hull::component::LiftLowerContext* cx_;
  Store* store_ = nullptr;
  uint8_t* mem_ = nullptr;
  uint64_t size_ = 0;
};

// One typed call of an export: the runtime brackets it (may_enter, the task and its borrow
// scope, post-return) and calls back into typed code to lay out the values.
struct ExportCall {
  void* env = nullptr;
  // Writes the flat arguments (spilled ones already in memory) to `out` (kMaxFlatParams
  // slots) and returns how many.
  Result<size_t> (*lower_args)(void* env, Context& cx, Flat* out) = nullptr;
  // Lifts the result from the core results (`n` of them: 0 or 1), before post-return runs.
  Result<void> (*lift_result)(void* env, Context& cx, const Flat* results, size_t n) = nullptr;
};

// Whether `f` is a synchronous export lifted from core code (call_export applies); otherwise
// the typed call goes through Func::call with Vals.
bool can_call_export(const Func& f);
Result<void> call_export(const Func& f, const ExportCall& call);

// A typed host function: a lowered import that finds one calls it with its core arguments
// (call_raw) instead of lifting Vals, when accepts() says its C++ signature matches the
// import's type. call_vals serves every other caller.
class HostImpl {
 public:
  virtual ~HostImpl() = default;
  virtual bool accepts(const FuncType& t) const = 0;
  // `type`: the import's type as the calling component sees it (its handles name that
  // component's resources). `args`: the core arguments as flat bits (spilled params: one
  // pointer; results through memory: the last one is the result pointer). Writes the core
  // result, if any, to results[0] and returns the number written.
  virtual Result<size_t> call_raw(Context& cx, const FuncType& type, std::span<const Flat> args,
                                  Flat* results) = 0;
  virtual Result<void> call_vals(std::span<const Val> args, std::vector<Val>& results) = 0;
  // The same for a caller that knows the calling instance's store (StoreHostThunk).
  virtual Result<void> call_vals_in(Store& store, std::span<const Val> args,
                                    std::vector<Val>& results) {
    (void)store;
    return call_vals(args, results);
  }
};

// What typed_host() puts into a HostFunc: the runtime recognizes this callable by its type.
struct HostThunk {
  std::shared_ptr<HostImpl> impl;
  Result<void> operator()(std::span<const Val> args, std::vector<Val>& results) const {
    return impl->call_vals(args, results);
  }
};
// The same in a StoreHostFunc, for typed host functions that take the calling store first.
struct StoreHostThunk {
  std::shared_ptr<HostImpl> impl;
  Result<void> operator()(Store& store, std::span<const Val> args,
                          std::vector<Val>& results) const {
    return impl->call_vals_in(store, args, results);
  }
};

// Little-endian access to guest memory at a range the caller has checked.
template <class U>
inline U read(const uint8_t* p) {
  U v;
  std::memcpy(&v, p, sizeof(U));
  return v;
}
template <class U>
inline void write(uint8_t* p, U v) {
  std::memcpy(p, &v, sizeof(U));
}

}  // namespace hull::api::component::raw
