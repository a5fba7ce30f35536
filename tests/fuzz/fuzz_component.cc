// libFuzzer target: decode_component on arbitrary bytes must never crash, hang or
// over-allocate; a decoded component's byte ranges must lie inside the buffer (nested ones
// inside their parent) and its definition order must index existing definitions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "component/binary/decoder.h"

namespace {

using namespace hull::component;

void check(bool ok) {
  if (!ok) std::abort();
}

template <class V>
bool in(const V& v, uint32_t i) {
  return i < v.size();
}

void check_component(const ComponentDesc& c, size_t begin, size_t end, int depth) {
  check(depth <= kMaxNestingDepth + 1);
  check(c.bytes != nullptr && c.begin >= begin && c.begin <= c.end && c.end <= end);
  for (const auto& m : c.core_modules) {
    check(m.begin >= c.begin && m.begin <= m.end && m.end <= c.end && m.module != nullptr);
    check(m.module->bytes.size() == m.end - m.begin);
  }
  for (const auto& cs : c.customs)
    check(cs.begin >= c.begin && cs.begin <= cs.end && cs.end <= c.end);
  for (const auto& d : c.order) {
    switch (d.kind) {
      case Definition::Kind::CoreModule: check(in(c.core_modules, d.index)); break;
      case Definition::Kind::CoreInstance: check(in(c.core_instances, d.index)); break;
      case Definition::Kind::CoreType: check(in(c.core_types, d.index)); break;
      case Definition::Kind::Component: check(in(c.components, d.index)); break;
      case Definition::Kind::Instance: check(in(c.instances, d.index)); break;
      case Definition::Kind::Alias: check(in(c.aliases, d.index)); break;
      case Definition::Kind::Type: check(in(c.types, d.index)); break;
      case Definition::Kind::Canon: check(in(c.canons, d.index)); break;
      case Definition::Kind::Start: check(in(c.starts, d.index)); break;
      case Definition::Kind::Import: check(in(c.imports, d.index)); break;
      case Definition::Kind::Export: check(in(c.exports, d.index)); break;
      case Definition::Kind::Value: check(in(c.values, d.index)); break;
    }
  }
  for (const auto& k : c.components) {
    check(k != nullptr && k->bytes == c.bytes);
    check_component(*k, c.begin, c.end, depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto result = decode_component(bytes);
  if (!result.ok()) {
    check(!result.error().message.empty());
    // Every decoder error names the offending byte (none falls back to "no location").
    check(result.error().offset <= size);
    return 0;
  }
  check(is_component(bytes));
  const ComponentDesc& c = **result;
  check(c.bytes->size() == size && c.begin == 0 && c.end == size);
  check_component(c, 0, size, 0);
  return 0;
}
