// StoreSnapshot (include/hull/snapshot.hh): what a store's core instances hold after
// instantiation, recorded so that restore() costs a memory reset and a few copies. Memories
// are not copied: their contents after instantiation are the copy-on-write image plus the
// data segments copied after it, so restore() resets each memory (the image shows through
// again) and copies those segments again, from the module's bytes.
#include "hull/snapshot.hh"

#include <algorithm>
#include <cstring>
#include <string>

#include "api/internal.h"
#include "engine/const_expr.h"
#include "engine/memory_images.h"
#include "runtime/memory_reset.h"

namespace hull::api::detail {

struct StoreSnapshotImpl {
  const hull::Store* store = nullptr;
  std::weak_ptr<int> alive;  // the store's (StoreImpl::alive): expired once it is destroyed
  // How many of each the store had: restore() refuses a store that gained any since.
  size_t instances = 0, memories = 0, tables = 0, globals = 0, funcs = 0;
  size_t host_roots = 0;
  struct MemoryState {
    hull::Memory* memory;
    uint64_t size;
    // What its mapped image holds (the segments it was built from, in order): a big memory
    // rewrites from them only the image pages a use wrote (runtime/memory_reset.h).
    std::vector<hull::MemoryWrite> image_writes;
  };
  // The bytes instantiation copied into a memory (segments outside its image), in its order.
  struct DataWrite {
    hull::Memory* memory;
    uint64_t offset;
    const uint8_t* bytes;  // in the module's binary, which the instance keeps alive
    uint64_t length;
  };
  struct TableState {
    hull::Table* table;
    std::vector<RefBits> elems;
  };
  struct GlobalState {
    hull::Global* global;
    uint64_t value[2];
  };
  struct InstanceState {
    hull::Instance* instance;
    std::vector<bool> data_dropped;
    std::vector<std::vector<RefBits>> elems;
  };
  std::vector<MemoryState> memory_states;
  std::vector<DataWrite> writes;
  std::vector<TableState> table_states;
  std::vector<GlobalState> global_states;
  std::vector<InstanceState> instance_states;
};

}  // namespace hull::api::detail

namespace hull::api {

namespace {

Error not_reusable(const std::string& why) {
  return Error(ErrorKind::Usage, "this store cannot be snapshotted for reuse: " + why);
}

// What cannot be put back: a check at take() and again at each restore().
std::optional<Error> unresettable(const hull::Store& st) {
  if (!st.shared_memories.empty()) return not_reusable("it holds a shared memory");
  if (st.gc.live_objects() != 0)
    return not_reusable("it holds GC objects (structs, arrays or externrefs)");
  if (st.exceptions.live_count() != 0) return not_reusable("it holds wasm exceptions");
  return std::nullopt;
}

// The data segments `inst`'s instantiation copied into memories (engine/instantiate.cc: the
// active ones, except those a mapped image of the memory holds), with their offsets; and those
// the images hold, into the memory's state.
Result<void> record_writes(hull::Store& st, const hull::Instance& inst,
                           std::vector<detail::StoreSnapshotImpl::DataWrite>& out,
                           std::vector<detail::StoreSnapshotImpl::MemoryState>& memories) {
  const hull::CompiledModule& module = *inst.module;
  const hull::ModuleDesc& m = module.desc;
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const hull::DataDesc& seg = m.datas[s];
    if (seg.mode != hull::SegmentMode::Active) continue;
    hull::Memory* mem = inst.memories[seg.memory];
    auto off = hull::eval_const_expr(m, seg.offset, inst, st, module.type_ids);
    if (!off) return not_reusable("a data segment's offset: " + off.error().message);
    const uint64_t d = mem->type.limits.is64 ? off->i64 : off->i32;
    const uint8_t* bytes = m.bytes.data() + seg.init.begin;
    // A memory showing an image was given it by this instantiation (images are built before a
    // memory maps one, so reading them here races with nothing).
    if (seg.memory >= m.num_imported_memories && mem->image.id != 0) {
      size_t covered = 0;
      const hull::MemoryImage* image = hull::memory_image_for(module, seg.memory, &covered);
      if (image && image->id() == mem->image.id && s < covered) {
        for (auto& ms : memories) {
          if (ms.memory == mem) ms.image_writes.push_back({d, bytes, seg.init.size()});
        }
        continue;
      }
    }
    out.push_back({mem, d, bytes, seg.init.size()});
  }
  return {};
}

// Maps its module's image under each guarded memory of `inst` that has none (a module's first
// instantiation copies its segments: an image pays only from the second on), over the bytes
// the image holds, so that each restore discards the pages a use dirtied instead of copying
// every segment again. True if one was mapped: the segments copied after the image's must
// then be copied again (they may lie in its range).
bool map_missing_images(hull::Instance& inst) {
  const hull::CompiledModule& module = *inst.module;
  const hull::ModuleDesc& m = module.desc;
  bool mapped = false;
  for (uint32_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    hull::Memory* mem = inst.memories[i];
    if (!mem->guarded || mem->image.id != 0) continue;
    size_t covered = 0;
    const hull::MemoryImage* image = hull::memory_image_now(module, i, &covered);
    if (!image || image->offset() + image->length() > mem->size) continue;
    if (!image->map_at(mem->base)) continue;
    mem->image = {image->id(), image->offset(), image->length()};
    mapped = true;
  }
  return mapped;
}

}  // namespace

Result<StoreSnapshot> StoreSnapshot::take(Store& store) {
  hull::Store& st = store.impl()->store;
  if (auto e = unresettable(st)) return std::move(*e);
  auto snap = std::make_shared<detail::StoreSnapshotImpl>();
  snap->store = &st;
  snap->alive = store.impl()->alive;
  snap->instances = st.instances.size();
  snap->memories = st.memories.size();
  snap->tables = st.tables.size();
  snap->globals = st.globals.size();
  snap->funcs = st.funcs.size();
  snap->host_roots = st.host_roots.size();
  for (const hull::Instance& inst : st.instances) {
    if (inst.module && inst.module->desc.start) {
      return not_reusable("module `" + inst.name +
                          "` has a start function, whose effects a reset cannot replay");
    }
  }
  bool mapped = false;
  for (hull::Instance& inst : st.instances) {
    if (inst.module) mapped |= map_missing_images(inst);
  }
  for (hull::Memory& m : st.memories) snap->memory_states.push_back({&m, m.size, {}});
  for (hull::Instance& inst : st.instances) {
    if (!inst.module) continue;
    if (auto r = record_writes(st, inst, snap->writes, snap->memory_states); !r)
      return std::move(r).error();
    snap->instance_states.push_back({&inst, inst.data_dropped, inst.elems});
  }
  // The page-by-page reset finds an image's writes by binary search: sorted, and only where
  // no two overlap (where they do, later ones win, which the sort would lose: that memory is
  // reset whole instead).
  for (auto& ms : snap->memory_states) {
    auto& w = ms.image_writes;
    std::stable_sort(
        w.begin(), w.end(),
        [](const hull::MemoryWrite& a, const hull::MemoryWrite& b) { return a.offset < b.offset; });
    for (size_t i = 1; i < w.size(); ++i) {
      if (w[i - 1].offset + w[i - 1].length > w[i].offset) {
        w.clear();
        break;
      }
    }
  }
  if (mapped) {
    for (const auto& w : snap->writes) std::memcpy(w.memory->base + w.offset, w.bytes, w.length);
  }
  for (hull::Table& t : st.tables) snap->table_states.push_back({&t, t.elems});
  for (hull::Global& g : st.globals) snap->global_states.push_back({&g, {g.value[0], g.value[1]}});
  return StoreSnapshot(std::move(snap));
}

bool StoreSnapshot::of(const Store& store) const {
  return !impl_->alive.expired() && &store.impl()->store == impl_->store;
}

Result<void> StoreSnapshot::restore(Store& store) const {
  hull::Store& st = store.impl()->store;
  const detail::StoreSnapshotImpl& s = *impl_;
  if (!of(store)) return Error(ErrorKind::Usage, "restore: the snapshot is of another store");
  if (st.instances.size() != s.instances || st.memories.size() != s.memories ||
      st.tables.size() != s.tables || st.globals.size() != s.globals ||
      st.funcs.size() != s.funcs) {
    return Error(ErrorKind::Usage,
                 "restore: the store gained instances, functions, memories, tables or globals "
                 "since the snapshot");
  }
  if (auto e = unresettable(st)) return std::move(*e);
  for (const auto& m : s.memory_states) {
    if (auto r = hull::reset_memory(*m.memory, m.size, m.image_writes); !r)
      return detail::to_api(r.error());
  }
  // In bounds: instantiation copied the same bytes to the same places in the same sizes.
  for (const auto& w : s.writes) std::memcpy(w.memory->base + w.offset, w.bytes, w.length);
  for (const auto& t : s.table_states) {
    std::vector<RefBits>& elems = t.table->elems;
    if (elems.capacity() > 2 * t.elems.size() + 1024) {
      // A table the use grew far: its storage goes too, as it would with the instance.
      std::vector<RefBits>(t.elems.begin(), t.elems.end()).swap(elems);
    } else {
      elems.assign(t.elems.begin(), t.elems.end());
    }
    t.table->type.limits.min = t.elems.size();
  }
  for (const auto& g : s.global_states) {
    g.global->value[0] = g.value[0];
    g.global->value[1] = g.value[1];
  }
  for (const auto& i : s.instance_states) {
    i.instance->data_dropped = i.data_dropped;
    i.instance->elems = i.elems;
  }
  st.caller = nullptr;
  st.instantiation_trap.reset();
  if (st.host_roots.size() > s.host_roots) st.host_roots.resize(s.host_roots);
  return {};
}

}  // namespace hull::api
