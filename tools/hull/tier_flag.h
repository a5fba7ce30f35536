// `--tier interp|native`, shared by the commands that compile modules.
#pragma once

#include <string>

namespace hull::cli {

// Parses the value of --tier into *native (and *background for `auto`: compile in the
// background while the module starts interpreted; only where `background` is given). Prints an
// error and returns false for an unknown value, or for `native`/`auto` in an executable
// without the native tier (plain `hull`).
bool parse_tier(const std::string& value, bool* native, bool* background = nullptr);

}  // namespace hull::cli
