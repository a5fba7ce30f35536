// Creation of store-owned runtime objects.
#include "runtime/store.h"

namespace hull {

Result<Memory*> new_memory(Store& store, const MemoryType& type, const MemoryImage* initial) {
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

RefBits new_extern_ref(Store& store, uint64_t host_value) {
  ExternObject& o = store.extern_objects.emplace_back();
  o.host_value = host_value;
  return reinterpret_cast<RefBits>(&o);
}

}  // namespace hull
