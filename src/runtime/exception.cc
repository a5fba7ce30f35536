// The store's exception heap: allocation, immediate release of unexposed exceptions, and a
// mark-sweep collection of exposed ones (see exception.h).
#include "runtime/exception.h"

#include <algorithm>

namespace hull {

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
  if (!e->exposed && !e->pinned) destroy(e);
}

bool ExceptionHeap::expose(Exception* e) {
  if (e->exposed) return false;
  e->exposed = true;
  return ++exposed_ >= next_collection_;
}

void ExceptionHeap::collect(const RootVisitor& visit_roots) {
  ++collections_;
  // Mark: roots, then the payloads of what they reach (an exnref may sit in a payload).
  std::vector<Exception*> work;
  auto mark = [&](uint64_t word) {
    auto it = live_.find(reinterpret_cast<const Exception*>(word));
    if (it == live_.end()) return;
    auto* e = const_cast<Exception*>(*it);
    if (e->marked) return;
    e->marked = true;
    work.push_back(e);
  };
  for (const Exception* e : live_)
    if (e->pinned || !e->exposed) mark(reinterpret_cast<uint64_t>(e));
  visit_roots(mark);
  while (!work.empty()) {
    Exception* e = work.back();
    work.pop_back();
    for (uint64_t w : e->payload) mark(w);
  }
  // Sweep. An unexposed exception is always in flight (being thrown or unwound): never freed.
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
