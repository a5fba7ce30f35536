// The store's exception heap: allocation, immediate release of unexposed exceptions, and a
// mark-sweep collection of exposed ones (see exception.h).
#include "runtime/exception.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "runtime/store.h"
#include "runtime/type_registry.h"

namespace hull {

std::string uncaught_exception_message(const Exception& e) {
  std::string out = "uncaught exception";
  if (!e.tag) return out;
  const FuncType& ft = type_by_id(e.tag->type_id).func;
  size_t slot = 0;
  std::string shown;
  for (const ValType& t : ft.params) {
    if (slot >= e.payload.size()) break;
    const uint64_t bits = e.payload[slot];
    char buf[64];
    switch (t.kind) {
      case ValKind::I32:
        std::snprintf(buf, sizeof buf, "i32 %" PRId32, static_cast<int32_t>(bits));
        break;
      case ValKind::I64:
        std::snprintf(buf, sizeof buf, "i64 %" PRId64, static_cast<int64_t>(bits));
        break;
      case ValKind::F32: {
        float f;
        const uint32_t b = static_cast<uint32_t>(bits);
        std::memcpy(&f, &b, 4);
        std::snprintf(buf, sizeof buf, "f32 %g", static_cast<double>(f));
        break;
      }
      case ValKind::F64: {
        double d;
        std::memcpy(&d, &bits, 8);
        std::snprintf(buf, sizeof buf, "f64 %g", d);
        break;
      }
      case ValKind::V128: std::snprintf(buf, sizeof buf, "v128"); break;
      default: std::snprintf(buf, sizeof buf, "%s", bits ? "ref" : "ref null"); break;
    }
    if (!shown.empty()) shown += ", ";
    shown += buf;
    slot += t.slots();
  }
  if (!shown.empty()) out += " (" + shown + ")";
  return out;
}

ExceptionHeap::~ExceptionHeap() {
  for (const Exception* e : live_) delete e;
}

Exception* ExceptionHeap::allocate(Tag* tag, const uint64_t* payload, uint32_t nslots) {
  auto* e = new Exception;
  e->tag = tag;
  e->payload.assign(payload, payload + nslots);
  live_.insert(e);
  return e;
}

void ExceptionHeap::destroy(Exception* e) {
  if (e->exposed) --exposed_;
  live_.erase(e);
  delete e;
}

void ExceptionHeap::release(Exception* e) {
  if (!e->exposed) destroy(e);
}

bool ExceptionHeap::expose(Exception* e) {
  if (e->exposed) return false;
  e->exposed = true;
  return ++exposed_ >= next_collection_;
}

void ExceptionHeap::mark_roots(const std::function<void(uint64_t)>& mark) const {
  for (const Exception* e : live_)
    if (!e->exposed) mark(reinterpret_cast<uint64_t>(e));
}

void ExceptionHeap::sweep() {
  ++collections_;
  // An unexposed exception is always in flight (being thrown or unwound): marked as a root.
  std::vector<Exception*> dead;
  for (const Exception* ce : live_) {
    auto* e = const_cast<Exception*>(ce);
    if (!e->marked) dead.push_back(e);
    e->marked = false;
  }
  for (Exception* e : dead) destroy(e);
  next_collection_ = std::max<size_t>(1024, exposed_ * 2);
}

}  // namespace hull
