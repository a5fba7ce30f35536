// Creation of store-owned runtime objects.
#include "runtime/store.h"

#include <new>

namespace hull {

Result<std::shared_ptr<Memory>> new_shared_memory(const MemoryType& type, uint64_t limit_bytes) {
  if (!type.limits.shared || !type.limits.max)
    return Error::make(ErrorKind::Limit, "shared memory must have maximum");
  auto m = std::make_shared<Memory>();
  Status s = m->init(type, limit_bytes, true, nullptr);
  if (!s.ok()) return std::move(s).error();
  return m;
}

void adopt_shared_memory(Store& store, std::shared_ptr<Memory> m) {
  for (const auto& owned : store.shared_memories)
    if (owned == m) return;
  store.shared_memories.push_back(std::move(m));
}

std::shared_ptr<Memory> shared_memory_of(const Store& store, const Memory* m) {
  for (const auto& owned : store.shared_memories)
    if (owned.get() == m) return owned;
  return nullptr;
}

Result<Memory*> new_memory(Store& store, const MemoryType& type, const MemoryImage* initial) {
  if (type.limits.shared) {
    auto m = new_shared_memory(type, store.limits.max_memory_bytes);
    if (!m.ok()) return std::move(m).error();
    store.shared_memories.push_back(*m);
    return m->get();
  }
  Memory& m = store.memories.emplace_back();
  Status s = m.init(type, store.limits.max_memory_bytes, true, initial);
  if (!s.ok()) {
    store.memories.pop_back();
    return std::move(s).error();
  }
  return &m;
}

Result<Table*> new_table(Store& store, const TableType& type, RefBits init) {
  Table& t = store.tables.emplace_back();
  Status s = t.init(type, init, store.limits.max_table_elements);
  if (!s.ok()) {
    store.tables.pop_back();
    return std::move(s).error();
  }
  return &t;
}

Global* new_global(Store& store, const GlobalType& type, const Val& init) {
  Global& g = store.globals.emplace_back();
  g.type = type;
  init.store_slots(g.value);
  return &g;
}

void collect_garbage(Store& store, const GcHeap::RootVisitor& stack_roots, bool sweep_now) {
  store.gc.collect(store.exceptions, [&](const std::function<void(uint64_t)>& root) {
    for (const Global& g : store.globals)
      if (g.type.type.is_ref()) root(g.value[0]);
    for (const Table& t : store.tables)
      for (RefBits r : t.elems) root(r);
    for (const Instance& in : store.instances)
      for (const std::vector<RefBits>& seg : in.elems)
        for (RefBits r : seg) root(r);
    for (RefBits r : store.host_roots) root(r);
    if (stack_roots) {
      stack_roots(root);
    } else if (store.visit_guest_roots) {
      store.visit_guest_roots(store, root);
    }
  });
  if (sweep_now) store.gc.finish_sweep();
}

bool is_collectable_ref(const Store& store, RefBits r) {
  if (!r || is_i31(r)) return false;
  const void* p = reinterpret_cast<const void*>(r);
  return store.gc.contains(p) || store.exceptions.contains(p);
}

void root_for_host(Store& store, RefBits r) {
  if (is_collectable_ref(store, r)) store.host_roots.push_back(r);
}

RefBits new_extern_ref(Store& store, uint64_t host_value, void (*finalizer)(uint64_t)) {
  if (store.gc.should_collect()) collect_garbage(store, nullptr, /*sweep_now=*/false);
  ExternObject* o = store.gc.allocate_host(host_value, finalizer);
  if (!o) throw std::bad_alloc();  // as the store's deques do when malloc fails
  const auto r = reinterpret_cast<RefBits>(o);
  store.host_roots.push_back(r);
  return r;
}

}  // namespace hull
