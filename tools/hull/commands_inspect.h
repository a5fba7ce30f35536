// Pieces of `hull inspect` in their own files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "spec/features.h"

namespace hull::cli {

// --tiers: compiles FILE with the native tier and prints each defined function's tier.
int inspect_tiers(const std::string& file, std::vector<uint8_t> bytes, const FeatureSet& features,
                  bool json);

}  // namespace hull::cli
