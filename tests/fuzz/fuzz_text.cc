// libFuzzer target: the text parsers (hull::text::parse_script and wat_to_binary) on arbitrary
// text must never crash, hang or overflow the stack; every error carries a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "text/script.h"
#include "text/wat.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto wasm = hull::text::wat_to_binary(text);
  if (!wasm.ok() && wasm.error().message.empty()) std::abort();
  auto script = hull::text::parse_script(text);
  if (!script.ok() && script.error().message.empty()) std::abort();
  return 0;
}
