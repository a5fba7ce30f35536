// Canonical ABI traps and their wording. The messages are Wasmtime's, which the component
// testsuite matches: one set for the host path (crates/wasmtime/src/runtime/component/func)
// and one for fused adapters (wasmtime_environ::Trap), see TrapWording in canon_abi.h.
#include <cstdio>

#include "component/abi/abi_internal.h"

namespace hull::component {

Trap abi_trap(std::string message) {
  return Trap{api::TrapCode::Component, std::move(message), {}, {}};
}

namespace abi_detail {

Trap unaligned(const LiftLowerContext& cx, Site site, uint32_t align) {
  if (cx.wording == TrapWording::Adapter) return abi_trap("unaligned pointer");
  switch (site) {
    case Site::String: return abi_trap("string pointer not aligned to " + std::to_string(align));
    case Site::List: return abi_trap("list pointer is not aligned");
    case Site::ReturnPtr: return abi_trap("return pointer not aligned");
    case Site::ParamPtr:
    case Site::Pointer: return abi_trap("pointer not aligned");
    case Site::ReallocString:
    case Site::ReallocList:
    case Site::ReallocOther: return abi_trap("realloc return: result not aligned");
  }
  return abi_trap("unaligned pointer");
}

Trap out_of_bounds(const LiftLowerContext& cx, Site site) {
  if (cx.wording == TrapWording::Adapter) {
    switch (site) {
      case Site::String:
      case Site::ReallocString: return abi_trap("string content out-of-bounds");
      case Site::List:
      case Site::ReallocList: return abi_trap("list content out-of-bounds");
      default: return abi_trap("out of bounds memory access");
    }
  }
  switch (site) {
    case Site::String: return abi_trap("string pointer/length out of bounds of memory");
    case Site::List: return abi_trap("list pointer/length out of bounds of memory");
    case Site::ReturnPtr:
    case Site::Pointer: return abi_trap("pointer out of bounds of memory");
    case Site::ParamPtr: return abi_trap("pointer out of bounds");
    case Site::ReallocString:
    case Site::ReallocList:
    case Site::ReallocOther: return abi_trap("realloc return: beyond end of memory");
  }
  return abi_trap("out of bounds memory access");
}

Trap bad_discriminant(const LiftLowerContext& cx, uint32_t index, size_t count) {
  if (cx.wording == TrapWording::Adapter) return abi_trap("invalid variant discriminant");
  return abi_trap("discriminant " + std::to_string(index) + " out of range [0.." +
                  std::to_string(count) + ")");
}

Trap bad_char(uint32_t bits) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "%#x", bits);
  return abi_trap(std::string("invalid `char` bit pattern ") + hex);
}

api::Error mismatch(const ac::Type& t, const ac::Val& v) {
  std::string why;
  if (ac::val_matches(v, t, &why)) why = "value does not match " + ac::to_string(t);
  return api::Error(api::ErrorKind::Usage, "canonical ABI: " + why);
}

api::Error unsupported(const ac::Type& t) {
  return api::Error(
      api::ErrorKind::Usage,
      std::string("canonical ABI: ") + ac::to_string(t.kind()) + " values are not supported yet");
}

Result<uint32_t> checked_realloc(LiftLowerContext& cx, uint32_t old_ptr, uint32_t old_size,
                                 uint32_t align, uint32_t new_size, Site site) {
  Result<uint32_t> r = cx.realloc(old_ptr, old_size, align, new_size);
  if (!r) return std::move(r).error();
  uint32_t ptr = *r;
  if (ptr % align != 0) return unaligned(cx, site, align);
  if (!in_bounds(cx, ptr, new_size)) return out_of_bounds(cx, site);
  return ptr;
}

}  // namespace abi_detail
}  // namespace hull::component
