// Reusing a component instance instead of instantiating again (hull/snapshot.hh for core
// stores): what `hull serve` does per request. The next request sees exactly what a fresh
// instance would show it -- memories, globals, tables, dropped segments, empty handle tables --
// for the cost of resetting the memories, not of instantiating.
#pragma once

#include <memory>

#include "hull/component.hh"
#include "hull/snapshot.hh"

namespace hull::api::component {

namespace detail {
struct InstanceSnapshotImpl;
}  // namespace detail

// The same for a component instance (a root instance, as InstancePre::instantiate returns it)
// and its store: restore() also empties the handle tables of the instance and of the
// components it instantiated. Components using the async built-ins have no snapshot, and an
// instance is restored only between calls (not after a trap: a trapped instance cannot be
// entered again; make a new one).
class InstanceSnapshot {
 public:
  static Result<InstanceSnapshot> take(Store& store, const Instance& instance);
  Result<void> restore(Store& store) const;

 private:
  explicit InstanceSnapshot(std::shared_ptr<const detail::InstanceSnapshotImpl> i)
      : impl_(std::move(i)) {}
  std::shared_ptr<const detail::InstanceSnapshotImpl> impl_;
};

}  // namespace hull::api::component
