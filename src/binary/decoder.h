// The binary decoder: a WebAssembly 3.0 module binary -> ModuleDesc (sections only; function
// bodies and constant expressions stay byte ranges for the validator to decode).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "binary/module.h"

namespace hull {

// Implementation limit on the declared locals of one function (as in the JS API and other
// engines); more is rejected as malformed "too many locals".
constexpr uint64_t kMaxFunctionLocals = 50000;

// Decodes a whole module binary, copying `bytes` into ModuleDesc::bytes. Errors are
// Error::malformed(reason, byte offset) with the reference interpreter's wording.
// Function bodies are recorded after their local declarations (the body's last byte must be
// the `end` opcode; everything else in a body is checked by the validator). Constant
// expressions are recorded as byte ranges ending after their `end` opcode. A malformed "name"
// custom section is ignored, never an error.
Result<ModuleDesc> decode_module(std::span<const uint8_t> bytes);
// The same, taking ownership of the bytes instead of copying them.
Result<ModuleDesc> decode_module(std::vector<uint8_t>&& bytes);

// Whether BYTES start with the binary format's magic "\0asm": how tools and loaders tell a
// .wasm file from a text module.
inline bool has_wasm_magic(std::span<const uint8_t> bytes) {
  return bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 'a' && bytes[2] == 's' &&
         bytes[3] == 'm';
}

}  // namespace hull
