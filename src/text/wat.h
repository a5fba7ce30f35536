// WAT -> WebAssembly binary: parse one text-format module and encode it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace hull::text {

struct WatOptions {
  // Emit a "name" custom section with the module's, functions' and locals' identifiers.
  bool name_section = true;
  // Limits of 32-bit memories and tables are u32 literals, as in the text format before
  // memory64 (a larger one is malformed: "i32 constant out of range"); otherwise they are read
  // as u64 and a value beyond 2^32-1 is left to validation ("memory size ..."). For scripts
  // run with memory64 off.
  bool u32_limits = false;
};

// Parse one WAT module `(module ...)` (or the bare module fields without the `(module`
// wrapper, as `(module quote ...)` texts and .wat files allow) and encode it as a binary.
// Errors are ErrorKind::Malformed with line/column.
Result<std::vector<uint8_t>> wat_to_binary(std::string_view text, const WatOptions& options = {});

}  // namespace hull::text
