// Strings in the canonical ABI (CanonicalABI.md load_string / store_string): lifting a guest
// string (utf8, utf16 or latin1+utf16) into a host UTF-8 std::string, and lowering one into
// a guest's encoding through its realloc, with every transcoding the spec defines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "component/abi/canon_abi.h"

namespace hull::component {

// The origin a lifted string carries (ac::Val::string_origin): the source's encoding option
// and its tagged code-unit count. 0 is a host string (UTF-8, code units = bytes).
inline uint64_t string_origin(StringEncoding e, uint32_t tagged_code_units) {
  return (uint64_t{static_cast<uint8_t>(e)} + 1) << 32 | tagged_code_units;
}

// load_string_from_range: validates alignment, bounds and the encoding (invalid data traps).
Result<ac::Val> load_string_from_range(LiftLowerContext& cx, uint32_t ptr,
                                       uint32_t tagged_code_units);

// The same on host text (the typed path of component_raw.hh): the UTF-8 string itself, without
// a Val around it. `origin` as in string_origin(); 0 for a host string.
Result<std::string> load_string_text(LiftLowerContext& cx, uint32_t ptr,
                                     uint32_t tagged_code_units);
Result<std::pair<uint32_t, uint32_t>> store_string_text(LiftLowerContext& cx, std::string_view utf8,
                                                        uint64_t origin);

// store_string_into_range: returns (ptr, tagged code units) in the context's encoding.
// `v` must be a String value with valid UTF-8 (a Usage error otherwise).
Result<std::pair<uint32_t, uint32_t>> store_string_into_range(LiftLowerContext& cx,
                                                              const ac::Val& v);

// UTF-8 helpers shared with WAVE: decodes one scalar value at s[i], advancing i; returns
// false on invalid UTF-8.
bool next_code_point(std::string_view s, size_t* i, char32_t* cp);
void append_utf8(std::string* out, char32_t cp);

}  // namespace hull::component
