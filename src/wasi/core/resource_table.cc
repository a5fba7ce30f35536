// ResourceTable: a slab with a free list; reps are reused after removal.
#include "wasi/core/resource_table.h"

namespace hull::wasi {

namespace {
// Room for a request's worth of objects at once (a wasi:http handler makes about ten): the
// table and its free list would otherwise grow by reallocation 1, 2, 4, 8, 16 in every store.
constexpr size_t kInitialEntries = 16;
}  // namespace

std::optional<uint32_t> ResourceTable::push(std::unique_ptr<HostObject> object,
                                            std::optional<uint32_t> parent) {
  if (parent && !find(*parent)) return std::nullopt;
  if (live_ >= kMaxEntries) return std::nullopt;
  if (entries_.empty()) {
    entries_.reserve(kInitialEntries);
    entries_.emplace_back();  // rep 0
  }
  uint32_t rep;
  if (!free_.empty()) {
    rep = free_.back();
    free_.pop_back();
  } else {
    rep = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  entries_[rep] = Entry{std::move(object), parent, 0};
  if (parent) entries_[*parent].children += 1;
  live_ += 1;
  return rep;
}

HostObject* ResourceTable::find(uint32_t rep) const {
  if (rep == 0 || rep >= entries_.size()) return nullptr;
  return entries_[rep].object.get();
}

std::unique_ptr<HostObject> ResourceTable::take(uint32_t rep, Removed* why) {
  if (!find(rep)) {
    *why = Removed::missing;
    return nullptr;
  }
  Entry& e = entries_[rep];
  if (e.children != 0) {
    *why = Removed::has_children;
    return nullptr;
  }
  if (e.parent) entries_[*e.parent].children -= 1;
  std::unique_ptr<HostObject> out = std::move(e.object);
  e = Entry{};
  if (free_.capacity() < kInitialEntries) free_.reserve(kInitialEntries);
  free_.push_back(rep);
  live_ -= 1;
  *why = Removed::ok;
  return out;
}

ResourceTable::Removed ResourceTable::remove(uint32_t rep) {
  Removed why;
  std::unique_ptr<HostObject> gone = take(rep, &why);
  return why;
}

}  // namespace hull::wasi
