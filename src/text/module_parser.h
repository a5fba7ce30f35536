// Internal: parse and encode the fields of one text module from a token cursor.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "spec/types.h"
#include "text/cursor.h"

namespace hull::text {

// Parses module fields from `c` until a ')' or the end (neither consumed) and returns the
// encoded binary module. With `name_section`, the module's `$id` (MODULE_NAME, without the
// `$`) and the identifiers of functions and locals are kept in a "name" custom section, so
// backtraces and tools show them as they do for `wat2wasm --debug-names` output.
// `u32_limits`: WatOptions::u32_limits.
Result<std::vector<uint8_t>> encode_module_fields(Cursor& c, std::string_view module_name = {},
                                                  bool name_section = true,
                                                  bool u32_limits = false);

// An abstract heap type keyword ("func", "extern", "any", ...): sets *h and returns true.
bool abstract_heap_type(std::string_view s, HeapKind* h);

}  // namespace hull::text
