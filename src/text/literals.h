// Numeric literals of the text format: integers (sign, hex, '_') and floats (decimal, hex,
// inf, nan, nan:0x payloads), converted exactly with round-to-nearest-even.
#pragma once

#include <cstdint>
#include <string_view>

namespace hull::text {

enum class LitStatus : uint8_t { Ok, NotANumber, OutOfRange };

// Unsigned natural number (no sign) in [0, max].
LitStatus parse_nat(std::string_view s, uint64_t max, uint64_t* out);

// Integer of `bits` width (8, 16, 32, 64): an optional sign; unsigned values up to 2^bits-1,
// signed values down to -2^(bits-1). Result is the two's-complement bit pattern.
LitStatus parse_int(std::string_view s, unsigned bits, uint64_t* out);

// Float literals; results are raw IEEE bit patterns.
LitStatus parse_f32(std::string_view s, uint32_t* out);
LitStatus parse_f64(std::string_view s, uint64_t* out);

// True if `s` lexes as a number token (int or float), used to tell literals from keywords.
bool looks_numeric(std::string_view s);

}  // namespace hull::text
