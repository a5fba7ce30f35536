#include "tier_flag.h"

#include <cstdio>

#include "engine/tiers.h"

namespace hull::cli {

bool parse_tier(const std::string& value, bool* native) {
  if (value == "interp") {
    *native = false;
    return true;
  }
  if (value == "native") {
    if (!native_tier()) {
      std::fprintf(stderr,
                   "error: --tier native: this executable has no native tier; run hull-native "
                   "instead (built beside hull when llvm-19-dev is installed)\n");
      return false;
    }
    *native = true;
    return true;
  }
  std::fprintf(stderr, "error: --tier: '%s' is not a tier (interp or native)\n", value.c_str());
  return false;
}

}  // namespace hull::cli
