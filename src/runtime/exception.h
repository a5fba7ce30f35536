// Wasm exceptions (the exception-handling proposal, Wasm 3.0): the object a `throw` creates
// and an exnref points at, and the store's heap of them.
//
// An exception is created by `throw` (or by a host function) and lives until nothing can
// reach it. Most never become visible as a value: a `catch` / `catch_all` clause copies the
// payload out and the object is freed on the spot. Those that do (`catch_ref`,
// `catch_all_ref`, the legacy `catch` whose body may `rethrow`, an exception handed to the
// host) are *exposed*: an exnref to them may sit in a local, a global, a table or another
// exception's payload or a GC object's field. The store collects exposed exceptions when
// their number doubles, together with its GC objects (runtime/gc_heap.h), which keeps a
// program that throws in a loop in bounded memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

namespace hull {

struct Tag;

struct Exception {
  Tag* tag = nullptr;             // identity decides which catch clause matches
  std::vector<uint64_t> payload;  // the tag's params in slot encoding (v128 = 2 slots)
  bool exposed = false;           // an exnref to it may exist (see above)
  bool marked = false;            // mark bit of the current collection
};

// "uncaught exception (i32 42, f64 1.5)": the trap message of an exception nothing caught.
std::string uncaught_exception_message(const Exception& e);

class ExceptionHeap {
 public:
  ExceptionHeap() = default;
  ExceptionHeap(const ExceptionHeap&) = delete;
  ExceptionHeap& operator=(const ExceptionHeap&) = delete;
  ~ExceptionHeap();

  // A new exception of `tag` with `nslots` payload slots copied from `payload`.
  Exception* allocate(Tag* tag, const uint64_t* payload, uint32_t nslots);
  // Frees an exception nothing can refer to (caught by a clause that takes no exnref, and
  // never exposed). Exposed ones stay for the collector.
  void release(Exception* e);
  // Marks `e` as visible through an exnref. Returns true when the exposed count passed the
  // collection threshold: the caller should collect() with its roots.
  bool expose(Exception* e);
  // Whether `p` is a live exception of this heap.
  bool contains(const void* p) const { return live_.count(static_cast<const Exception*>(p)) != 0; }
  // The live exception at `p`, or nullptr (the collector checks every root word with it).
  Exception* find(const void* p) const {
    auto it = live_.find(static_cast<const Exception*>(p));
    return it == live_.end() ? nullptr : const_cast<Exception*>(*it);
  }
  // Collection, driven by GcHeap::collect (runtime/gc_heap.h), which marks GC objects and
  // exceptions together: mark_roots passes the exceptions that are roots by themselves
  // (in flight and never exposed) to `mark`; sweep frees the exposed exceptions
  // left unmarked and clears the marks.
  void mark_roots(const std::function<void(uint64_t)>& mark) const;
  void sweep();

  size_t live_count() const { return live_.size(); }
  size_t exposed_count() const { return exposed_; }
  uint64_t collections() const { return collections_; }

 private:
  void destroy(Exception* e);
  std::unordered_set<const Exception*> live_;
  size_t exposed_ = 0;
  size_t next_collection_ = 1024;  // exposed count that triggers the next collection
  uint64_t collections_ = 0;
};

}  // namespace hull
