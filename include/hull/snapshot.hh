// Reusing an instance instead of instantiating again: the state instantiation left a store in,
// recorded once and put back between uses (Lucet's instance reset). The next use sees exactly
// what a fresh instance would show it -- memories, globals, tables, dropped segments -- for the
// cost of resetting the memories, not of instantiating. Components: hull/component_snapshot.hh.
#pragma once

#include <memory>

#include "hull/hull.hh"

namespace hull::api {

namespace detail {
struct StoreSnapshotImpl;
}  // namespace detail

// The state of a store's core instances right after instantiation. Take it before anything
// runs in the store: a memory's contents come back as instantiation wrote them (its data
// segments, copy-on-write image included), globals and tables as they are when the snapshot is
// taken. A store whose instantiation ran code (a start function: its effects on memory cannot
// be replayed) or holds what cannot be reset (shared memories, GC objects, exceptions) has no
// snapshot: take() says why.
class StoreSnapshot {
 public:
  static Result<StoreSnapshot> take(Store& store);
  // Puts `store` (the one taken from) back: memories to their size and contents then, tables
  // and globals to their values then, dropped data and element segments back. Fails (and
  // leaves the store unusable for reuse: drop it) when the store gained instances, memories,
  // tables or globals since, or holds GC objects or exceptions.
  Result<void> restore(Store& store) const;
  // Whether this is a snapshot of `store` (a store destroyed since is no store's).
  bool of(const Store& store) const;

 private:
  explicit StoreSnapshot(std::shared_ptr<const detail::StoreSnapshotImpl> i)
      : impl_(std::move(i)) {}
  std::shared_ptr<const detail::StoreSnapshotImpl> impl_;
};

}  // namespace hull::api
