// InstanceSnapshot (include/hull/component_snapshot.hh): a component instance's core state is
// its store's (api::StoreSnapshot); what the component runtime adds per instance is the handle
// table and the call flags, which a reset puts back to what instantiation left them.
#include "component/runtime/runtime.h"
#include "hull/component_snapshot.hh"

namespace hull::api::component::detail {

struct InstanceSnapshotImpl {
  std::optional<StoreSnapshot> core;
  // The root instance and every instance it instantiated (they live as long as the store).
  std::vector<hull::component::ComponentInstance*> instances;
};

}  // namespace hull::api::component::detail

namespace hull::api::component {

namespace {

Error not_reusable(const std::string& why) {
  return Error(ErrorKind::Usage, "this component instance cannot be snapshotted for reuse: " + why);
}

void collect(hull::component::ComponentInstance* inst,
             std::vector<hull::component::ComponentInstance*>& out) {
  out.push_back(inst);
  for (hull::component::ComponentInstance* child : inst->children) collect(child, out);
}

// Async calls leave tasks, waitable sets, streams and futures behind them, in the handle table
// and in the store's event loop: a reset would have to know them all. Such components are
// instantiated afresh instead.
bool uses_async(const hull::component::ComponentDesc& desc) {
  for (const hull::component::Canon& c : desc.canons) {
    if (c.kind == hull::component::Canon::Kind::Other) return true;
    for (const hull::component::CanonOpt& o : c.opts) {
      if (o.kind == hull::component::CanonOpt::Kind::Async) return true;
    }
  }
  return false;
}

}  // namespace

Result<InstanceSnapshot> InstanceSnapshot::take(Store& store, const Instance& instance) {
  if (!instance.valid() || !instance.raw()->component)
    return not_reusable(
        "not the root instance of a component (as InstancePre::instantiate "
        "returns it)");
  hull::component::ComponentInstance* root = instance.raw()->component;
  if (root->store != &store) return not_reusable("the instance belongs to another store");
  auto snap = std::make_shared<detail::InstanceSnapshotImpl>();
  collect(root, snap->instances);
  for (hull::component::ComponentInstance* inst : snap->instances) {
    if (uses_async(*inst->info->desc)) return not_reusable("it uses the async built-ins");
    if (!inst->handles.empty()) return not_reusable("its handle table is not empty");
    if (inst->current_task || !inst->may_enter || !inst->may_leave)
      return not_reusable("it is inside a call");
  }
  auto core = StoreSnapshot::take(store);
  if (!core) return std::move(core).error();
  snap->core.emplace(std::move(*core));
  return InstanceSnapshot(std::move(snap));
}

Result<void> InstanceSnapshot::restore(Store& store) const {
  // The instances live as long as their store: looked at only once it is known to be alive.
  if (!impl_->core->of(store))
    return Error(ErrorKind::Usage, "restore: the snapshot is of another store");
  for (hull::component::ComponentInstance* inst : impl_->instances) {
    if (inst->current_task || inst->exclusive_depth != 0 || !inst->may_enter || !inst->may_leave)
      return Error(ErrorKind::Usage, "restore: the instance is inside a call");
  }
  if (auto r = impl_->core->restore(store); !r) return r;
  for (hull::component::ComponentInstance* inst : impl_->instances) {
    // Handles the guest kept are forgotten, as a fresh instance never had them (their host
    // resources live in per-use host state the embedder replaces; guest resources' own state
    // is in the memory just reset).
    inst->handles.clear();
    inst->backpressure = 0;
  }
  return {};
}

}  // namespace hull::api::component
