// Tables: a growable vector of reference words.
#include <string>

#include "runtime/store.h"

namespace hull {

namespace {
// Hard cap on table sizes, so a guest cannot make the host allocate without bound
// (64 Mi elements = 512 MiB); growing beyond it fails like any other failed grow.
constexpr uint64_t kHardMaxElements = uint64_t(1) << 26;
}  // namespace

Status Table::init(const TableType& t, RefBits init, uint64_t limit_elems) {
  type = t;
  uint64_t m = t.limits.max ? *t.limits.max : (t.limits.is64 ? UINT64_MAX : UINT32_MAX);
  if (m > limit_elems) m = limit_elems;
  if (m > kHardMaxElements) m = kHardMaxElements;
  max = m;
  if (t.limits.min > max) {
    // Name the limit that applies, so the embedder knows which knob to turn.
    std::string why = limit_elems == max
                          ? "the store limit max_table_elements (" + std::to_string(max) + ")"
                          : "the maximum table size (" + std::to_string(max) + " elements)";
    return Error::make(ErrorKind::Limit, "table minimum size of " + std::to_string(t.limits.min) +
                                             " elements exceeds " + why);
  }
  elems.assign(t.limits.min, init);
  return {};
}

uint64_t Table::grow(uint64_t delta, RefBits init) {
  const uint64_t old = elems.size();
  if (old > max || delta > max - old) return UINT64_MAX;
  elems.resize(old + delta, init);
  type.limits.min = old + delta;
  return old;
}

}  // namespace hull
