// The host objects one guest holds through WASI handles (descriptors, streams, pollables,
// sockets, ...): a rep number -> object table with parent/child links. The component model's
// handle tables map the guest's handles to these reps; this table keeps the objects. A child
// (a stream's pollable, a file's stream) points into its parent, so a parent cannot be removed
// while children live (the guest traps instead, as Wasmtime's ResourceTable makes it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <typeinfo>
#include <vector>

namespace hull::wasi {

// Base of every object the table holds.
class HostObject {
 public:
  virtual ~HostObject() = default;
};

// `o` when it is a T (or nullptr). An object of exactly the type asked for (the common case)
// is recognised by its type_info alone: dynamic_cast's walk of the class hierarchy was a few
// percent of a wasi:http request's time.
template <class T>
T* host_object_as(HostObject* o) {
  if (!o) return nullptr;
  if (typeid(*o) == typeid(T)) return static_cast<T*>(o);
  return dynamic_cast<T*>(o);
}

class ResourceTable {
 public:
  // A guest that opens more than this many objects gets a trap, not host memory exhaustion.
  static constexpr uint32_t kMaxEntries = 1u << 20;

  enum class Removed : uint8_t { ok, missing, has_children };

  // Adds `object` as a child of `parent` (which must be present); nullopt when the table is
  // full or the parent is missing.
  std::optional<uint32_t> push(std::unique_ptr<HostObject> object,
                               std::optional<uint32_t> parent = std::nullopt);
  // The object at `rep` when it is a T, else nullptr.
  template <class T>
  T* get(uint32_t rep) const {
    return host_object_as<T>(find(rep));
  }
  HostObject* find(uint32_t rep) const;
  // Removes and destroys `rep` (detaching it from its parent).
  Removed remove(uint32_t rep);
  // Removes `rep` and hands the object over instead of destroying it.
  std::unique_ptr<HostObject> take(uint32_t rep, Removed* why);
  size_t size() const { return live_; }

 private:
  struct Entry {
    std::unique_ptr<HostObject> object;
    std::optional<uint32_t> parent;
    uint32_t children = 0;
  };
  std::vector<Entry> entries_;  // index = rep; rep 0 unused so a zero rep is never valid
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

}  // namespace hull::wasi
