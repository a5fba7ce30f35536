#include "tier_flag.h"

#include <cstdio>

#include "engine/tiers.h"
#include "runtime/signals.h"

namespace hull::cli {

bool parse_tier(const std::string& value, bool* native, bool* background) {
  if (background) *background = false;
  if (value == "interp") {
    *native = false;
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
  std::fprintf(stderr, "error: --tier: '%s' is not a tier (%s)\n", value.c_str(),
               background ? "interp, native or auto" : "interp or native");
  return false;
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
