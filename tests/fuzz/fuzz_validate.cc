// libFuzzer target: hull::compile (decode + validate + lower) on arbitrary bytes must never
// crash, hang or over-allocate; a rejected module always carries a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "engine/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto mod = hull::compile(std::span<const uint8_t>(data, size));
  if (!mod.ok() && mod.error().message.empty()) std::abort();
  return 0;
}
