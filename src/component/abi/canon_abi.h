// The canonical ABI (CanonicalABI.md): how component values are laid out in linear memory and
// flattened into core values, and how they are lifted from and lowered into a guest.
// Every pointer is checked for alignment and bounds before use; a bad one is a trap value,
// never an access outside guest memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "hull/component_types.hh"
#include "hull/hull.hh"

namespace hull::component {

namespace ac = hull::api::component;
using api::Result;
using api::Trap;

enum class StringEncoding : uint8_t { Utf8, Utf16, Latin1Utf16 };

inline constexpr size_t kMaxFlatParams = 16;
inline constexpr uint64_t kMaxLiftedBytes = uint64_t{1} << 28;  // 256 MiB per call
inline constexpr size_t kMaxFlatResults = 1;

// What lifting and lowering need from the component instance on the guest side of a call:
// its linear memory, its realloc, and its handle table. Implemented by the runtime (and by
// tests over a plain byte vector).
// Wasmtime words the same canonical ABI violation differently on its two paths, and the
// component testsuite expects both: a guest talking to the host ("string pointer/length out of
// bounds of memory", "realloc return: beyond end of memory", "discriminant 2 out of range
// [0..2)") and a guest talking to another guest through a fused adapter ("string content
// out-of-bounds", "unaligned pointer", "invalid variant discriminant"). The runtime picks the
// wording for the side it is lifting from or lowering into.
enum class TrapWording : uint8_t { Host, Adapter };

class LiftLowerContext {
 public:
  virtual ~LiftLowerContext() = default;
  StringEncoding encoding = StringEncoding::Utf8;
  // Host memory that lifting has committed to in this call (Vals of list elements, string
  // bytes): bounded (see charge) so that a hostile guest -- a 256 MiB list<u8>, lists or
  // strings that all alias one range -- cannot make the host allocate without bound. Lists are
  // charged before their elements are built.
  uint64_t lifted_bytes = 0;
  std::unordered_map<const void*, uint64_t> footprints;  // per list element type, memoized
  // Charges `bytes`; a trap once the call's total passes kMaxLiftedBytes.
  Result<void> charge(uint64_t bytes);
  TrapWording wording = TrapWording::Host;

  // The guest memory; nullptr/0 when the canon definition has no memory option. Re-read after
  // every realloc: the memory may have grown and moved.
  virtual uint8_t* memory_data() = 0;
  virtual uint64_t memory_size() = 0;
  // realloc(old_ptr, old_size, align, new_size) in the guest; the returned pointer is NOT yet
  // checked (the caller checks alignment and bounds). A trap in the guest propagates.
  virtual Result<uint32_t> realloc(uint32_t old_ptr, uint32_t old_size, uint32_t align,
                                   uint32_t new_size) = 0;
  // Handles. lower_*: put a resource into this instance's handle table and return its index;
  // lift_*: take handle `index` (of type `type`) out of / borrow it from the table.
  virtual Result<uint32_t> lower_own(const ac::ResourceAny& r, const ac::ResourceRef& type) = 0;
  virtual Result<uint32_t> lower_borrow(const ac::ResourceAny& r, const ac::ResourceRef& type) = 0;
  virtual Result<ac::ResourceAny> lift_own(uint32_t index, const ac::ResourceRef& type) = 0;
  virtual Result<ac::ResourceAny> lift_borrow(uint32_t index, const ac::ResourceRef& type) = 0;
};

// The trap every canonical ABI violation raises (TrapCode::Component with `message`).
Trap abi_trap(std::string message);

// The limit grows with the guest's memory (twice its size): one value as large as the memory
// it sits in is fine -- the guest paid for that memory -- while aliasing (many lists or strings
// over one range) multiplies it and is refused.
inline Result<void> LiftLowerContext::charge(uint64_t bytes) {
  lifted_bytes += bytes;
  uint64_t limit = std::max<uint64_t>(kMaxLiftedBytes, 2 * memory_size());
  if (lifted_bytes > limit) {
    return api::Error(abi_trap("the values of one call would take more than " +
                               std::to_string(limit >> 20) +
                               " MiB of host memory (the limit of what Hull lifts per call)"));
  }
  return {};
}

// alignment(t) and elem_size(t) of CanonicalABI.md.
uint32_t alignment(const ac::Type& t);
uint32_t elem_size(const ac::Type& t);

// flatten_type(t): the core value types `t` flattens to, appended to `out`.
void flatten_type(const ac::Type& t, std::vector<api::ValType>* out);

// The core signature of a component function: lifted (callee's core function) or lowered
// (caller's core import). Spills past kMaxFlatParams / kMaxFlatResults as the spec says.
enum class FlattenFor : uint8_t { Lift, Lower };
struct CoreSignature {
  std::vector<api::ValType> params, results;
};
// Which ABI a `canon lift|lower` uses: the `async` canonopt (with or without `callback`) picks
// it, not the function type's async effect (a sync lift or lower of an async type is fine).
enum class CallAbi : uint8_t { Sync, Async, AsyncCallback };
inline constexpr size_t kMaxFlatAsyncParams = 4;
CoreSignature flatten_functype(const ac::FuncType& t, FlattenFor context,
                               CallAbi abi = CallAbi::Sync);

// load(cx, ptr, t) / store(cx, v, t, ptr): `ptr` must be aligned to alignment(t) and
// [ptr, ptr + elem_size(t)) in bounds.
Result<ac::Val> load(LiftLowerContext& cx, uint32_t ptr, const ac::Type& t);
Result<void> store(LiftLowerContext& cx, const ac::Val& v, const ac::Type& t, uint32_t ptr);

// lift_flat_values: `flat` are core values (api::Val of i32/i64/f32/f64). When `types` flatten
// to more than `max_flat` values, flat[0] is an i32 pointer to a tuple of `types` in memory
// (with max_flat == kMaxFlatResults it is a guest's return pointer, otherwise a spilled
// argument pointer; only the Host trap wording tells them apart).
// A lifted string keeps its source encoding and code-unit count in ac::Val::string_origin, so
// lowering it into another guest allocates exactly as the spec's store_string does for that
// source; a string the host made is lowered as UTF-8.
Result<std::vector<ac::Val>> lift_flat_values(LiftLowerContext& cx, size_t max_flat,
                                              std::span<const api::Val> flat,
                                              std::span<const ac::Type> types);

// lower_flat_values: the inverse. When the values flatten to more than `max_flat`: with
// `out_ptr`, they are stored at *out_ptr (checked) and nothing is returned; without it, space
// is allocated with realloc(0, 0, align, size) and the returned vector holds the i32 pointer.
Result<std::vector<api::Val>> lower_flat_values(LiftLowerContext& cx, size_t max_flat,
                                                std::span<const ac::Val> vals,
                                                std::span<const ac::Type> types,
                                                const uint32_t* out_ptr = nullptr);

}  // namespace hull::component
