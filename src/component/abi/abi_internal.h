// Shared pieces of the canonical ABI implementation (not part of the library's interface):
// checked guest-memory access, the trap wording table, and uniform views of record-like and
// variant-like types.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "component/abi/canon_abi.h"

namespace hull::component::abi_detail {

// Limits of CanonicalABI.md. Strings use Wasmtime's (1 << 31) - 1 rather than the current
// spec's (1 << 28) - 1: the component testsuite (big-strings.wast) passes 2 GiB strings between
// components and expects them to reach the callee's realloc. Lists keep the spec's limit.
inline constexpr uint64_t kMaxStringByteLength = (uint64_t{1} << 31) - 1;
inline constexpr uint64_t kMaxListByteLength = (uint64_t{1} << 28) - 1;
inline constexpr uint32_t kUtf16Tag = uint32_t{1} << 31;

inline uint64_t align_to(uint64_t x, uint32_t a) { return (x + a - 1) / a * a; }

// What a bad pointer was for; picks the message in each wording.
enum class Site : uint8_t {
  String,         // a string's content (lifting)
  List,           // a list's content (lifting)
  ReturnPtr,      // the spilled results a guest returned to the host
  ParamPtr,       // spilled params / a caller-supplied result pointer
  Pointer,        // any other pointer given to load/store
  ReallocString,  // realloc's result while lowering a string
  ReallocList,    // realloc's result while lowering a list
  ReallocOther,   // realloc's result for spilled params
};
Trap unaligned(const LiftLowerContext& cx, Site site, uint32_t align);
Trap out_of_bounds(const LiftLowerContext& cx, Site site);
Trap bad_discriminant(const LiftLowerContext& cx, uint32_t index, size_t count);
Trap bad_char(uint32_t bits);
// A value given to store/lower does not have the shape of its type: the host's mistake.
api::Error mismatch(const ac::Type& t, const ac::Val& v);
api::Error unsupported(const ac::Type& t);

// Checks [ptr, ptr + size) against the current memory (re-read: realloc may move it).
inline bool in_bounds(LiftLowerContext& cx, uint64_t ptr, uint64_t size) {
  return ptr + size <= cx.memory_size() && cx.memory_data() != nullptr;
}

// Little-endian integer access at a range already known to be in bounds.
inline uint64_t read_le(const uint8_t* p, uint32_t n) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
inline void write_le(uint8_t* p, uint64_t v, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Calls realloc and checks its result: aligned to `align`, [ptr, ptr + size) in bounds.
Result<uint32_t> checked_realloc(LiftLowerContext& cx, uint32_t old_ptr, uint32_t old_size,
                                 uint32_t align, uint32_t new_size, Site site);

// Variant-like types (variant, enum, option, result) as a list of cases; payload may be empty.
size_t case_count(const ac::Type& t);
ac::Type case_payload(const ac::Type& t, size_t i);
uint32_t discriminant_size(size_t cases);
uint32_t max_case_alignment(const ac::Type& t);

// Record-like types (record, tuple, fixed-size list) as a list of field types.
size_t field_count(const ac::Type& t);
const ac::Type& field_type(const ac::Type& t, size_t i);

// Flags: bytes in memory and i32 values when flattened.
uint32_t flags_size(size_t labels);
uint32_t flags_flat_count(size_t labels);

}  // namespace hull::component::abi_detail

namespace hull::api::component::detail {

// What layout.cc computes once per type node (see TypeLayoutSlot in hull/component_types.hh).
struct TypeLayout {
  uint32_t align = 1;
  uint32_t size = 0;
  std::vector<ValType> flat;  // flatten_type(t)
};

}  // namespace hull::api::component::detail

namespace hull::component {
// `t`'s layout, computed at the first call and kept on its type node (layout.cc).
const api::component::detail::TypeLayout& layout_of(const api::component::Type& t);
}  // namespace hull::component
