// `--tier interp|native`, shared by the commands that compile modules.
#pragma once

#include <string>

namespace hull::cli {

// Parses the value of --tier into *native. Prints an error and returns false for an unknown
// value, or for `native` in an executable without the native tier (plain `hull`).
bool parse_tier(const std::string& value, bool* native);

}  // namespace hull::cli
