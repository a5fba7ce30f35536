// libFuzzer target: decode_module on arbitrary bytes must never crash, hang or over-allocate,
// and every byte range it records must lie inside the module's bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "base/reader.h"
#include "binary/decoder.h"
#include "binary/expr_scan.h"

namespace {

void check_range(const hull::ModuleDesc& m, const hull::ByteRange& r) {
  if (r.begin > r.end || r.end > m.bytes.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = hull::decode_module(std::span<const uint8_t>(data, size));
  if (!result.ok()) {
    if (result.error().message.empty()) std::abort();
    return 0;
  }
  const hull::ModuleDesc& m = *result;
  for (const auto& b : m.bodies) {
    check_range(m, b.code);
    check_range(m, b.whole);
    // Also exercise the instruction skipper on the body (as a body decoder would).
    hull::Reader r(m.bytes.data() + b.code.begin, b.code.size(), b.code.begin);
    (void)hull::skip_const_expr(r);
  }
  for (const auto& g : m.defined_globals) check_range(m, g.init);
  for (const auto& t : m.defined_tables) {
    if (t.init) check_range(m, *t.init);
  }
  for (const auto& e : m.elems) {
    check_range(m, e.offset);
    for (const auto& x : e.exprs) check_range(m, x);
  }
  for (const auto& d : m.datas) {
    check_range(m, d.offset);
    check_range(m, d.init);
  }
  for (const auto& c : m.customs) check_range(m, c.contents);
  for (uint32_t i = 0; i < m.types.size(); ++i) {
    const auto& t = m.types[i];
    if (t.rec_group > i || t.rec_group + t.rec_size <= i) std::abort();
  }
  return 0;
}
