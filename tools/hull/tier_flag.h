// `--tier interp|native` and `--bounds-checks guard|explicit`, shared by the commands that
// compile modules.
#pragma once

#include <cstdint>
#include <string>

namespace hull::cli {

// Parses the value of --tier into *native (and *background for `auto`: compile in the
// background while the module starts interpreted; only where `background` is given). Prints an
// error and returns false for an unknown value, or for `native`/`auto` in an executable
// without the native tier (plain `hull`).
// With `baseline` given, `baseline` is a tier too (*baseline set; the baseline tier, where this
// build has it).
bool parse_tier(const std::string& value, bool* native, bool* background = nullptr,
                bool* baseline = nullptr);

// Whether this build has the baseline tier (x86-64 Linux).
bool baseline_available();

// Parses the value of --opt-level (CompileOptions::native_opt_level: 0, 1 or 2) into *level.
// Prints an error and returns false for another value, or in an executable without the native
// tier (plain `hull`), where it would do nothing.
bool parse_opt_level(const std::string& value, uint8_t* level);

// The help lines of --opt-level, shared by run, compile, wast and serve.
extern const char* const kOptLevelHelp;

// Parses the value of --bounds-checks into *guard_pages; prints an error and returns false for
// an unknown value, or for `guard` where guard pages are not supported.
bool parse_bounds_checks(const std::string& value, bool* guard_pages);

}  // namespace hull::cli
