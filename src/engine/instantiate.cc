// Instantiation in the spec's order: match imports, allocate functions, globals, tables,
// memories and tags, exports, evaluate element segments, then initialize active element and
// data segments in order, then run the start function.
#include "engine/instantiate.h"

#include <array>
#include <cstring>
#include <string>

#include "engine/const_expr.h"
#include "engine/memory_images.h"
#include "interp/interp.h"
#include "runtime/type_registry.h"

namespace hull {

namespace {

Error incompatible(const Import& imp, const std::string& why) {
  return Error::make(ErrorKind::Unlinkable, "incompatible import type for \"" + imp.module +
                                                "\" \"" + imp.name + "\": " + why);
}

// Spec: limits {min1, max1} match {min2, max2} iff min1 >= min2 and (no max2, or max1 exists
// and max1 <= max2).
bool limits_match(uint64_t min, std::optional<uint64_t> max, const Limits& want) {
  if (min < want.min) return false;
  if (want.max) return max.has_value() && *max <= *want.max;
  return true;
}

GlobalType canonical(const GlobalType& g, const std::vector<uint32_t>& ids) {
  return GlobalType{canonical_val_type(g.type, ids), g.mut};
}

TableType canonical(const TableType& t, const std::vector<uint32_t>& ids) {
  TableType c = t;
  c.elem = canonical_val_type(t.elem, ids);
  return c;
}

// Trap-like instantiation failure.
// An active segment out of bounds: the spec's trap during instantiation (kept on the store for
// embedders that want it as a trap).
Error segment_trap(Store& store, TrapKind kind) {
  store.instantiation_trap = Trap::make(kind);
  return Error::make(ErrorKind::Uninstantiable, trap_kind_message(kind));
}

// Code compiled with CompileOptions::guard_pages accesses guardable memories without bounds
// checks, relying on their guard regions (runtime/signals.h): each one it uses must have them,
// and must belong to `store` (the fault handler only looks at the running store's memories).
Status require_guard(const Store& store, const CompiledModule& module, const Memory& mem,
                     size_t index) {
  if (!module.options.guard_pages || !guardable(mem.type)) return {};
  if (!mem.guarded) {
    return Error::make(ErrorKind::Limit,
                       "memory " + std::to_string(index) +
                           " has no guard region (address space exhausted, or created without "
                           "one); compile with explicit bounds checks");
  }
  for (const Memory& own : store.memories) {
    if (&own == &mem) return {};
  }
  if (shared_memory_of(store, &mem)) return {};  // a shared memory the store co-owns
  return Error::make(ErrorKind::Unlinkable,
                     "memory " + std::to_string(index) + " belongs to another store");
}

// Reads an address-typed offset (i32 or i64 per the table/memory's index type).
uint64_t offset_of(const Val& v, bool is64) { return is64 ? v.i64 : v.i32; }

}  // namespace

Status match_import(const CompiledModule& module, uint32_t import_index, const Extern& ext) {
  const Import& imp = module.desc.imports[import_index];
  const std::vector<uint32_t>& ids = module.type_ids;
  if (ext.kind != imp.kind) {
    return incompatible(imp, std::string("expected ") + extern_kind_name(imp.kind) + ", got " +
                                 extern_kind_name(ext.kind));
  }
  switch (imp.kind) {
    case ExternKind::Func: {
      if (!ext.func) return incompatible(imp, "null function");
      if (!type_id_is_subtype(ext.func->type_id, ids[imp.type_index])) {
        return incompatible(imp, "function type mismatch");
      }
      return {};
    }
    case ExternKind::Table: {
      const Table* t = ext.table;
      if (!t) return incompatible(imp, "null table");
      if (t->type.limits.is64 != imp.table.limits.is64) {
        return incompatible(imp, "table index type mismatch");
      }
      if (!(t->type.elem == canonical_val_type(imp.table.elem, ids))) {
        return incompatible(imp, "table element type mismatch");
      }
      if (!limits_match(t->size(), t->type.limits.max, imp.table.limits)) {
        return incompatible(imp, "table limits mismatch");
      }
      return {};
    }
    case ExternKind::Memory: {
      const Memory* m = ext.memory;
      if (!m) return incompatible(imp, "null memory");
      if (m->type.limits.is64 != imp.memory.limits.is64 ||
          m->type.limits.shared != imp.memory.limits.shared ||
          m->type.page_size_log2 != imp.memory.page_size_log2) {
        return incompatible(imp, "memory type mismatch");
      }
      if (!limits_match(m->pages(), m->type.limits.max, imp.memory.limits)) {
        return incompatible(imp, "memory limits mismatch");
      }
      return {};
    }
    case ExternKind::Global: {
      const Global* g = ext.global;
      if (!g) return incompatible(imp, "null global");
      GlobalType want = canonical(imp.global, ids);
      if (g->type.mut != want.mut) return incompatible(imp, "global mutability mismatch");
      bool ok = want.mut ? g->type.type == want.type
                         : canonical_val_type_is_subtype(g->type.type, want.type);
      if (!ok) return incompatible(imp, "global type mismatch");
      return {};
    }
    case ExternKind::Tag: {
      if (!ext.tag) return incompatible(imp, "null tag");
      if (ext.tag->type_id != ids[imp.type_index]) return incompatible(imp, "tag type mismatch");
      return {};
    }
  }
  return incompatible(imp, "unknown kind");
}

Result<Instance*> instantiate(Store& store, std::shared_ptr<const CompiledModule> module,
                              std::span<const Extern> imports) {
  if (!module) return Error::make(ErrorKind::Usage, "instantiate: null module");
  store.instantiation_trap.reset();
  const ModuleDesc& m = module->desc;
  const std::vector<uint32_t>& ids = module->type_ids;
  if (imports.size() != m.imports.size()) {
    return Error::make(ErrorKind::Unlinkable,
                       "unknown import: module needs " + std::to_string(m.imports.size()) +
                           " imports, got " + std::to_string(imports.size()));
  }
  for (uint32_t i = 0; i < imports.size(); ++i) HULL_TRY(match_import(*module, i, imports[i]));
  for (uint32_t i = 0, mem_index = 0; i < imports.size(); ++i) {
    if (imports[i].kind != ExternKind::Memory) continue;
    HULL_TRY(require_guard(store, *module, *imports[i].memory, mem_index++));
  }
  if (store.instances.size() >= store.limits.max_instances) {
    return Error::make(ErrorKind::Limit,
                       "too many instances in the store (store limit "
                       "max_instances = " +
                           std::to_string(store.limits.max_instances) + ")");
  }
  if (!module->code && !m.bodies.empty()) {
    return Error::make(ErrorKind::Usage, "instantiate: module has no compiled code");
  }

  // From here on the instance exists in the store even if a later step fails: entities it
  // created may already be reachable through shared tables (spec: partial initialization).
  Instance& inst = store.instances.emplace_back();
  inst.module = module;
  inst.name = m.module_name;
  inst.funcs.reserve(m.func_types.size());
  inst.tables.reserve(m.tables.size());
  inst.memories.reserve(m.memories.size());
  inst.globals.reserve(m.globals.size());
  inst.tags.reserve(m.tags.size());
  for (const Extern& e : imports) {
    switch (e.kind) {
      case ExternKind::Func: inst.funcs.push_back(e.func); break;
      case ExternKind::Table: inst.tables.push_back(e.table); break;
      case ExternKind::Memory: inst.memories.push_back(e.memory); break;
      case ExternKind::Global: inst.globals.push_back(e.global); break;
      case ExternKind::Tag: inst.tags.push_back(e.tag); break;
    }
  }

  // Functions first: global, table and element initializers may take their references.
  for (uint32_t i = m.num_imported_funcs; i < m.func_types.size(); ++i) {
    Function& f = store.funcs.emplace_back();
    uint32_t ti = m.func_types[i];
    f.type_id = ids[ti];
    f.type = &m.types[ti].func;
    f.instance = &inst;
    f.index = i;
    f.code = interp::function_code(*module->code, i - m.num_imported_funcs);
    inst.funcs.push_back(&f);
  }

  // Globals in order: each initializer sees the imported and earlier defined globals.
  for (const GlobalDesc& gd : m.defined_globals) {
    HULL_ASSIGN_OR_RETURN(Val v, eval_const_expr(m, gd.init, inst, store, ids));
    inst.globals.push_back(new_global(store, canonical(gd.type, ids), v));
  }

  for (const TableDesc& td : m.defined_tables) {
    RefBits init = 0;
    if (td.init) {
      HULL_ASSIGN_OR_RETURN(Val v, eval_const_expr(m, *td.init, inst, store, ids));
      init = v.ref;
    }
    HULL_ASSIGN_OR_RETURN(Table * t, new_table(store, canonical(td.type, ids), init));
    inst.tables.push_back(t);
  }

  // Defined memories whose initial contents were mapped from the module's image (bit i: memory
  // i), and how many of the module's first data segments that image holds for them.
  const bool images = memory_images_begin(*module);
  uint64_t imaged = 0;
  std::array<size_t, 64> covered{};
  for (size_t i = m.num_imported_memories; i < m.memories.size(); ++i) {
    // Say which limit a too-large minimum hits (Memory::init only knows "the maximum").
    const MemoryType& mt = m.memories[i];
    if (mt.limits.min > (store.limits.max_memory_bytes >> mt.page_size_log2)) {
      return Error::make(ErrorKind::Limit,
                         "memory " + std::to_string(i) + " minimum size of " +
                             std::to_string(mt.limits.min) + " pages exceeds the store limit " +
                             "max_memory_bytes (" + std::to_string(store.limits.max_memory_bytes) +
                             " bytes)");
    }
    const MemoryImage* image =
        images && i < 64 ? memory_image_for(*module, static_cast<uint32_t>(i), &covered[i])
                         : nullptr;
    HULL_ASSIGN_OR_RETURN(Memory * mem, new_memory(store, m.memories[i], image));
    HULL_TRY(require_guard(store, *module, *mem, i));
    if (image && mem->image.id == image->id()) imaged |= uint64_t(1) << i;
    inst.memories.push_back(mem);
  }

  for (size_t i = m.num_imported_tags; i < m.tags.size(); ++i) {
    Tag& tag = store.tags.emplace_back();
    tag.type_id = ids[m.tags[i]];
    tag.type = &m.types[m.tags[i]].func;
    inst.tags.push_back(&tag);
  }

  inst.exports.reserve(m.exports.size());
  for (uint32_t k : module->export_order) {
    const Export& ex = m.exports[k];
    Extern e;
    switch (ex.kind) {
      case ExternKind::Func: e = Extern::of(inst.funcs[ex.index]); break;
      case ExternKind::Table: e = Extern::of(inst.tables[ex.index]); break;
      case ExternKind::Memory: e = Extern::of(inst.memories[ex.index]); break;
      case ExternKind::Global: e = Extern::of(inst.globals[ex.index]); break;
      case ExternKind::Tag: e = Extern::of(inst.tags[ex.index]); break;
    }
    inst.exports.append_sorted(ex.name, e);
  }

  // Element segments' items are evaluated before any segment is applied.
  inst.elems.resize(m.elems.size());
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemDesc& seg = m.elems[s];
    std::vector<RefBits>& items = inst.elems[s];
    items.reserve(seg.count());
    if (seg.uses_exprs) {
      for (const ByteRange& e : seg.exprs) {
        HULL_ASSIGN_OR_RETURN(Val v, eval_const_expr(m, e, inst, store, ids));
        items.push_back(v.ref);
      }
    } else {
      for (uint32_t fi : seg.func_indices) {
        items.push_back(reinterpret_cast<RefBits>(inst.funcs[fi]));
      }
    }
  }
  inst.data_dropped.assign(m.datas.size(), false);

  // Spec: active element segments in order (table.init + elem.drop), declarative ones dropped.
  for (size_t s = 0; s < m.elems.size(); ++s) {
    const ElemDesc& seg = m.elems[s];
    std::vector<RefBits>& items = inst.elems[s];
    if (seg.mode == SegmentMode::Active) {
      Table* t = inst.tables[seg.table];
      HULL_ASSIGN_OR_RETURN(Val off, eval_const_expr(m, seg.offset, inst, store, ids));
      uint64_t d = offset_of(off, t->type.limits.is64);
      if (d > t->size() || items.size() > t->size() - d) {
        return segment_trap(store, TrapKind::TableOutOfBounds);
      }
      std::copy(items.begin(), items.end(), t->elems.begin() + static_cast<ptrdiff_t>(d));
    }
    if (seg.mode != SegmentMode::Passive) std::vector<RefBits>().swap(items);
  }

  // Active data segments in order (memory.init + data.drop).
  for (size_t s = 0; s < m.datas.size(); ++s) {
    const DataDesc& seg = m.datas[s];
    if (seg.mode != SegmentMode::Active) continue;
    if (seg.memory < 64 && (imaged >> seg.memory & 1) && s < covered[seg.memory]) {
      // In the image (in bounds by construction: engine/memory_images.h).
      inst.data_dropped[s] = true;
      continue;
    }
    Memory* mem = inst.memories[seg.memory];
    HULL_ASSIGN_OR_RETURN(Val off, eval_const_expr(m, seg.offset, inst, store, ids));
    uint64_t d = offset_of(off, mem->type.limits.is64);
    uint64_t n = seg.init.size();
    if (d > mem->size || n > mem->size - d) {
      return segment_trap(store, TrapKind::MemoryOutOfBounds);
    }
    if (n) std::memcpy(mem->base + d, m.bytes.data() + seg.init.begin, n);
    inst.data_dropped[s] = true;
  }

  if (m.start) {
    uint64_t slots[2] = {0, 0};
    std::optional<Trap> trap = interp::call(store, inst.funcs[*m.start], slots);
    if (trap) {
      Error e = Error::make(ErrorKind::Uninstantiable,
                            trap->message.empty() ? trap_kind_message(trap->kind) : trap->message);
      store.instantiation_trap = std::move(trap);
      return e;
    }
  }
  return &inst;
}

}  // namespace hull
