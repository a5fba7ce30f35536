// libFuzzer target: the precompiled-module (.hullc) readers on arbitrary bytes must never
// crash, hang or over-allocate. The input is read as the native tier's part (parse_payload) and,
// sealed with a valid header and checksum, as a whole image (precompiled_info), so that the
// fuzzer reaches every field behind the checksum. (Loading, which runs machine code, is never
// reached from here: a .hullc is trusted input once its checksum holds.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "engine/precompiled.h"
#include "native/payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  auto payload = hull::native::parse_payload(in);
  if (payload.ok()) {
    // What parsed writes back to the same bytes.
    const std::vector<uint8_t> again = hull::native::write_payload(*payload);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
    (void)hull::native::missing_features(payload->features, "+sse2,+avx");
  } else if (payload.error().message.empty()) {
    std::abort();
  }

  hull::ImageWriter w;
  const uint8_t magic[8] = {0, 'h', 'u', 'l', 'l', 'c', '\r', '\n'};
  w.raw(magic);
  w.u32(1);
  w.raw(in);
  const auto sum = hull::image_checksum(w.out());
  w.raw(sum);
  auto info = hull::precompiled_info(w.out());
  if (info.ok()) {
    const auto& image = w.out();
    if (info->module.data() < image.data() ||
        info->module.data() + info->module.size() > image.data() + image.size())
      std::abort();
  } else if (info.error().message.empty()) {
    std::abort();
  }
  return 0;
}
