// Internal: parse and encode the fields of one text component from a token cursor.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "text/cursor.h"

namespace hull::text {

// Parses component fields from `c` until a ')' or the end (neither consumed) and returns the
// encoded component binary (Binary.md, version 0x0d, layer 1). Embedded `(core module ...)`
// fields are encoded by the core module encoder; `name_section` is passed on to it.
// Inline type uses are hoisted into type definitions placed before their use, and inline
// `(export "x")` abbreviations become export definitions at the end, the way the `wast`
// crate (wasm-tools) desugars them, so the bytes match its output.
// `id` is the component's own `$id` (without '$'), for outer aliases that name it.
Result<std::vector<uint8_t>> encode_component_fields(Cursor& c, std::string_view id = {},
                                                     bool name_section = true);

}  // namespace hull::text
