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
// encoded binary module.
Result<std::vector<uint8_t>> encode_module_fields(Cursor& c);

// An abstract heap type keyword ("func", "extern", "any", ...): sets *h and returns true.
bool abstract_heap_type(std::string_view s, HeapKind* h);

}  // namespace hull::text
