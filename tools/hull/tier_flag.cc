#include "tier_flag.h"

#include <cstdio>

#include "baseline/baseline.h"
#include "engine/tiers.h"
#include "runtime/signals.h"

namespace hull::cli {

bool baseline_available() { return baseline::available(); }

bool parse_tier(const std::string& value, bool* native, bool* background, bool* baseline) {
  if (background) *background = false;
  if (baseline) *baseline = false;
  if (value == "interp") {
    *native = false;
    return true;
  }
  if (value == "baseline" && baseline) {
    if (!baseline::available()) {
      std::fprintf(stderr,
                   "error: --tier baseline: this build has no baseline tier (it is built for "
                   "x86-64 Linux with clang); use --tier interp\n");
      return false;
    }
    *native = false;
    *baseline = true;
    return true;
  }
  if (value == "native" || (value == "auto" && background)) {
    if (!native_tier()) {
      std::fprintf(stderr,
                   "error: --tier %s: this executable has no native tier; run hull-native "
                   "instead (built beside hull when llvm-19-dev is installed)\n",
                   value.c_str());
      return false;
    }
    *native = true;
    if (background) *background = value == "auto";
    return true;
  }
  const char* tiers = baseline && background ? "interp, baseline, native or auto"
                      : baseline             ? "interp, baseline or native"
                      : background           ? "interp, native or auto"
                                             : "interp or native";
  std::fprintf(stderr, "error: --tier: '%s' is not a tier (%s)\n", value.c_str(), tiers);
  return false;
}

const char* const kOptLevelHelp =
    "  --opt-level 0|1|2       how hard the native tier optimizes machine code (Wasmtime's\n"
    "                          opt-level): 2, the default, LLVM's O2; 1, only locals into\n"
    "                          registers (about half the compile time, slower code); 0, also\n"
    "                          LLVM's fast instruction selection (about a tenth of the compile\n"
    "                          time, code ~3.5x faster than the interpreter): for big modules\n"
    "                          whose start-up matters more. Tier-up compiles hot code at 2\n";

bool parse_opt_level(const std::string& value, uint8_t* level) {
  if (value != "0" && value != "1" && value != "2") {
    std::fprintf(stderr, "error: --opt-level: '%s' is not an optimization level (0, 1 or 2)\n",
                 value.c_str());
    return false;
  }
  if (!native_tier()) {
    std::fprintf(stderr,
                 "error: --opt-level: this executable has no native tier to optimize for; run "
                 "hull-native instead\n");
    return false;
  }
  *level = static_cast<uint8_t>(value[0] - '0');
  return true;
}

bool parse_bounds_checks(const std::string& value, bool* guard_pages) {
  if (value != "guard" && value != "explicit") {
    std::fprintf(stderr, "error: --bounds-checks: '%s' is not `guard` or `explicit`\n",
                 value.c_str());
    return false;
  }
  if (value == "guard" && !guard_pages_supported()) {
    std::fprintf(stderr, "error: --bounds-checks=guard is not supported on this platform\n");
    return false;
  }
  *guard_pages = value == "guard";
  return true;
}

}  // namespace hull::cli
