// Module-level validation: types, limits, globals and segment initializers, tags, exports,
// start, and the driver that validates every function body.
#include "valid/validator.h"

#include <string>
#include <string_view>
#include <unordered_set>

#include "valid/feature_check.h"

namespace hull {

namespace {

// Each check takes AT, where the checked entry begins in the binary, for its error.

Status check_table_type(const ModuleDesc& m, const TableType& t, size_t at) {
  if (!t.elem.is_ref() || !valid_val_type(m, t.elem)) return Error::invalid("unknown type", at);
  const Limits& l = t.limits;
  if (l.max && l.min > *l.max)
    return Error::invalid("size minimum must not be greater than maximum", at);
  if (!l.is64 && (l.min > 0xFFFFFFFFull || (l.max && *l.max > 0xFFFFFFFFull)))
    return Error::invalid("table size must be at most 2^32-1", at);
  return {};
}

Status check_memory_type(const MemoryType& t, size_t at) {
  const Limits& l = t.limits;
  if (t.page_size_log2 != 16 && t.page_size_log2 != 0)
    return Error::invalid("invalid custom page size", at);
  if (l.max && l.min > *l.max)
    return Error::invalid("size minimum must not be greater than maximum", at);
  // Spec: the memory may span at most 2^32 (32-bit) or 2^64 (64-bit) bytes.
  const uint64_t max_pages = max_memory_pages(t);
  if (l.min > max_pages || (l.max && *l.max > max_pages)) {
    if (t.page_size_log2 == 16)
      return Error::invalid(l.is64 ? "memory size must be at most 2^48 pages"
                                   : "memory size must be at most 65536 pages (4GiB)",
                            at);
    // 1-byte pages (the only other size that validates).
    return Error::invalid(l.is64 ? "memory size must be at most 2^64-1 pages of 1 byte"
                                 : "memory size must be at most 2^32-1 pages of 1 byte",
                          at);
  }
  if (l.shared && !l.max) return Error::invalid("shared memory must have maximum", at);
  return {};
}

Status check_func_type_index(const ModuleDesc& m, uint32_t idx, size_t at) {
  if (idx >= m.types.size()) return Error::invalid("unknown type " + std::to_string(idx), at);
  if (m.types[idx].kind != CompositeKind::Func)
    return Error::invalid("type mismatch: type " + std::to_string(idx) + " is not a function",
                          at);
  return {};
}

ValType addr_type(bool is64) { return is64 ? ValType::i64() : ValType::i32(); }

Status unknown(const char* what, uint32_t idx, size_t at) {
  return Error::invalid(std::string("unknown ") + what + " " + std::to_string(idx), at);
}

}  // namespace

Status validate_const_expr(const ModuleDesc& m, const ModuleInfo& info, ByteRange range,
                           const ValType& expected, uint32_t visible_globals) {
  FunctionValidator v(m, info);
  return v.validate_const_expr(range, expected, visible_globals);
}

Status validate_module_level(const ModuleDesc& m, ModuleInfo* info, const FeatureSet& features) {
  info->features = features;
  if (!features.all()) HULL_TRY(check_module_features(m, features));
  HULL_TRY(validate_types(m, info));
  info->declared.assign(m.num_funcs(), 0);

  const EntryOffsets& at = m.at;
  for (size_t i = 0; i < m.func_types.size(); ++i)
    HULL_TRY(check_func_type_index(m, m.func_types[i], at.of(at.funcs, i)));
  for (size_t i = 0; i < m.tables.size(); ++i)
    HULL_TRY(check_table_type(m, m.tables[i], at.of(at.tables, i)));
  for (size_t i = 0; i < m.memories.size(); ++i)
    HULL_TRY(check_memory_type(m.memories[i], at.of(at.memories, i)));
  for (size_t i = 0; i < m.globals.size(); ++i)
    if (!valid_val_type(m, m.globals[i].type))
      return Error::invalid("unknown type", at.of(at.globals, i));
  for (size_t i = 0; i < m.tags.size(); ++i) {
    const uint32_t idx = m.tags[i];
    HULL_TRY(check_func_type_index(m, idx, at.of(at.tags, i)));
    if (!m.types[idx].func.results.empty())
      return Error::invalid("non-empty tag result type", at.of(at.tags, i));
  }
  if (m.bodies.size() != m.num_funcs() - m.num_imported_funcs)
    return Error::malformed("function and code section have inconsistent lengths");
  if (m.data_count && *m.data_count != m.datas.size())
    return Error::malformed("data count and data section have inconsistent lengths");

  // Constant expressions; they also collect the functions ref.func may name in bodies.
  FunctionValidator v(m, *info);
  v.collect_declared(&info->declared);
  const uint32_t num_globals = static_cast<uint32_t>(m.globals.size());
  for (size_t i = 0; i < m.defined_tables.size(); ++i) {
    const TableDesc& t = m.defined_tables[i];
    if (t.init) {
      // Tables precede globals in the module: only imported globals are visible here.
      HULL_TRY(v.validate_const_expr(*t.init, t.type.elem, m.num_imported_globals));
    } else if (!t.type.elem.nullable) {
      return Error::invalid("type mismatch: non-nullable table without initializer",
                            at.of(at.tables, m.num_imported_tables + i));
    }
  }
  for (size_t i = 0; i < m.defined_globals.size(); ++i) {
    const GlobalDesc& g = m.defined_globals[i];
    // Spec 3.0: initializers may read imported and earlier defined immutable globals.
    const uint32_t visible = m.num_imported_globals + static_cast<uint32_t>(i);
    HULL_TRY(v.validate_const_expr(g.init, g.type.type, visible));
  }
  for (const ElemDesc& e : m.elems) {
    if (!e.type.is_ref() || !valid_val_type(m, e.type)) return Error::invalid("unknown type", e.at);
    if (e.mode == SegmentMode::Active) {
      if (e.table >= m.tables.size()) return unknown("table", e.table, e.at);
      const TableType& tt = m.tables[e.table];
      HULL_TRY(v.validate_const_expr(e.offset, addr_type(tt.limits.is64), num_globals));
      if (!is_subtype(m, *info, e.type, tt.elem))
        return Error::invalid("type mismatch: element segment does not fit its table", e.at);
    }
    if (e.uses_exprs) {
      for (const ByteRange& r : e.exprs) HULL_TRY(v.validate_const_expr(r, e.type, num_globals));
    } else {
      for (uint32_t f : e.func_indices) {
        if (f >= m.num_funcs()) return unknown("function", f, e.at);
        info->declared[f] = 1;
        if (!is_subtype(m, *info, ValType::ref(HeapKind::Concrete, false, m.func_types[f]), e.type))
          return Error::invalid("type mismatch: function " + std::to_string(f) +
                                    " does not fit its element segment",
                                e.at);
      }
    }
  }
  for (const DataDesc& d : m.datas) {
    if (d.mode != SegmentMode::Active) continue;
    if (d.memory >= m.memories.size()) return unknown("memory", d.memory, d.at);
    HULL_TRY(
        v.validate_const_expr(d.offset, addr_type(m.memories[d.memory].limits.is64), num_globals));
  }

  if (m.start) {
    if (*m.start >= m.num_funcs()) return unknown("function", *m.start, at.start);
    const FuncType& ft = m.func_type(*m.start);
    if (!ft.params.empty() || !ft.results.empty())
      return Error::invalid("start function must have type [] -> []", at.start);
  }

  std::unordered_set<std::string_view> names;
  names.reserve(m.exports.size());
  for (const Export& e : m.exports) {
    if (!names.insert(e.name).second)
      return Error::invalid("duplicate export name \"" + e.name + "\"", e.at);
    switch (e.kind) {
      case ExternKind::Func:
        if (e.index >= m.num_funcs()) return unknown("function", e.index, e.at);
        info->declared[e.index] = 1;
        break;
      case ExternKind::Table:
        if (e.index >= m.tables.size()) return unknown("table", e.index, e.at);
        break;
      case ExternKind::Memory:
        if (e.index >= m.memories.size()) return unknown("memory", e.index, e.at);
        break;
      case ExternKind::Global:
        if (e.index >= m.globals.size()) return unknown("global", e.index, e.at);
        break;
      case ExternKind::Tag:
        if (e.index >= m.tags.size()) return unknown("tag", e.index, e.at);
        break;
    }
  }
  return {};
}

Status validate_module(const ModuleDesc& m, const FeatureSet& features) {
  ModuleInfo info;
  HULL_TRY(validate_module_level(m, &info, features));
  FunctionValidator v(m, info);
  NullSink sink;
  for (uint32_t f = m.num_imported_funcs; f < m.num_funcs(); ++f)
    HULL_TRY(v.validate_function(f, sink));
  return {};
}

}  // namespace hull
