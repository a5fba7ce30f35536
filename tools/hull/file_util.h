// Reading whole files for the CLI, with errors that name the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"

namespace hull::cli {

Result<std::string> read_file(const std::string& path);

// A module file as binary: a .wasm file as it is, anything else encoded from the text format.
// Errors name the file (and the line:column of a text error).
Result<std::vector<uint8_t>> read_module_bytes(const std::string& path);

}  // namespace hull::cli
