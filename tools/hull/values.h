// Converting between command-line text and wasm values.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "runtime/value.h"

namespace hull::cli {

// Parses `text` as a value of type `t` (integers in decimal or 0x hex, signed or unsigned;
// floats in any C syntax plus inf/nan). References accept only "null".
Result<Val> parse_value(ValType t, std::string_view text);

// Formats a value the way `hull run` prints results: integers as signed decimal, floats in the
// shortest form that round-trips, v128 as four 32-bit hex lanes, references as null/ref.
std::string format_value(const Val& v);

}  // namespace hull::cli
