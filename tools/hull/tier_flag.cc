#include "tier_flag.h"

#include <cstdio>

#include "engine/tiers.h"

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

}  // namespace hull::cli
