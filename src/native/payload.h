// The native tier's part of a precompiled module (.hullc, engine/precompiled.h), also what a
// cache file holds: what the code was compiled for and which functions it covers, then the
// object file.
//
//   str LLVM version | str CPU | str CPU features ("+avx2,-avx512f,...") | u32 defined functions
//   | str why each one stays interpreted ("" when compiled) | bytes object file
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace hull::native {

struct CodePayload {
  std::string llvm_version, cpu, features;
  std::vector<std::string> interpreted_because;  // per defined function
  std::span<const uint8_t> object;               // into the parsed bytes
};

std::vector<uint8_t> write_payload(const CodePayload& p);
Result<CodePayload> parse_payload(std::span<const uint8_t> bytes, size_t base_offset = 0);

// "" when code for `compiled_features` runs on a CPU with `host_features`, else what the host
// lacks ("avx512f, avx512bw").
std::string missing_features(const std::string& compiled_features,
                             const std::string& host_features);

}  // namespace hull::native
