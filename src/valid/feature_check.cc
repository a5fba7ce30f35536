// Module-level feature checks: each construct of a proposal that is switched off is an error
// naming the feature (spec/features.h).
#include "valid/feature_check.h"

#include <string>

namespace hull {

namespace {

// The first feature of NEEDED that F lacks, as an error about WHAT; nothing if none.
std::optional<Error> need(const FeatureSet& f, FeatureMask needed, const std::string& what,
                          size_t offset) {
  const FeatureMask missing = f.missing(needed);
  if (!missing) return std::nullopt;
  return feature_disabled(first_feature(missing), what, offset);
}

std::optional<Error> need(const FeatureSet& f, Feature feature, const std::string& what,
                          size_t offset) {
  return need(f, with_prerequisites(feature), what, offset);
}

// Of an element type: funcref tables and segments predate reference types.
std::optional<Error> elem_type_disabled(const FeatureSet& f, const ValType& t, const char* what,
                                        size_t offset) {
  if (t == ValType::funcref()) return std::nullopt;
  return val_type_disabled(f, t, what, offset);
}

}  // namespace

std::optional<Error> val_type_disabled(const FeatureSet& f, const ValType& t, const char* what,
                                       size_t offset) {
  return need(f, val_type_features(t), "value type " + to_string(t) + " of " + what, offset);
}

#define HULL_FEATURE_TRY(expr)        \
  do {                                \
    if (auto e_ = (expr)) return *e_; \
  } while (0)

Status check_module_features(const ModuleDesc& m, const FeatureSet& f) {
  const EntryOffsets& at = m.at;
  for (size_t i = 0; i < m.types.size(); ++i) {
    const SubType& st = m.types[i];
    const size_t off = at.of(at.types, i);
    const std::string name = "type " + std::to_string(i);
    if (st.kind != CompositeKind::Func)
      HULL_FEATURE_TRY(need(f, Feature::Gc,
                            (st.kind == CompositeKind::Struct ? "struct " : "array ") + name, off));
    if (!st.final || !st.supers.empty())
      HULL_FEATURE_TRY(need(f, Feature::Gc, "subtype declaration of " + name, off));
    if (st.rec_size > 1 && st.rec_group == i)
      HULL_FEATURE_TRY(need(f, Feature::Gc, "recursion group of " + name, off));
    if (st.func.results.size() > 1)
      HULL_FEATURE_TRY(need(f, Feature::MultiValue, "multiple results of " + name, off));
    for (const ValType& t : st.func.params)
      HULL_FEATURE_TRY(val_type_disabled(f, t, name.c_str(), off));
    for (const ValType& t : st.func.results)
      HULL_FEATURE_TRY(val_type_disabled(f, t, name.c_str(), off));
    for (const FieldType& field : st.fields)
      HULL_FEATURE_TRY(val_type_disabled(f, field.type, name.c_str(), off));
  }
  for (size_t i = 0; i < m.tables.size(); ++i) {
    const TableType& t = m.tables[i];
    const size_t off = at.of(at.tables, i);
    const std::string name = "table " + std::to_string(i);
    if (i == 1)  // the reference interpreter's words first, before reference types existed
      HULL_FEATURE_TRY(need(f, Feature::ReferenceTypes, "multiple tables: a second table", off));
    HULL_FEATURE_TRY(elem_type_disabled(f, t.elem, name.c_str(), off));
    if (t.limits.is64) HULL_FEATURE_TRY(need(f, Feature::Memory64, "64-bit " + name, off));
  }
  for (size_t i = 0; i < m.defined_tables.size(); ++i) {
    if (!m.defined_tables[i].init) continue;
    const size_t index = m.num_imported_tables + i;
    HULL_FEATURE_TRY(need(f, Feature::FunctionReferences,
                          "initializer expression of table " + std::to_string(index),
                          at.of(at.tables, index)));
  }
  for (size_t i = 0; i < m.memories.size(); ++i) {
    const MemoryType& t = m.memories[i];
    const size_t off = at.of(at.memories, i);
    const std::string name = "memory " + std::to_string(i);
    if (i == 1)  // the reference interpreter's words first, before multi-memory existed
      HULL_FEATURE_TRY(need(f, Feature::MultiMemory, "multiple memories: a second memory", off));
    if (t.limits.is64) HULL_FEATURE_TRY(need(f, Feature::Memory64, "64-bit " + name, off));
    if (t.limits.shared) HULL_FEATURE_TRY(need(f, Feature::Threads, "shared " + name, off));
    // An explicit 64 KiB page size describes the same memory as none: only other sizes count.
    if (t.page_size_log2 != 16)
      HULL_FEATURE_TRY(need(f, Feature::CustomPageSizes, "custom page size of " + name, off));
  }
  for (size_t i = 0; i < m.globals.size(); ++i) {
    const std::string name = "global " + std::to_string(i);
    HULL_FEATURE_TRY(val_type_disabled(f, m.globals[i].type, name.c_str(), at.of(at.globals, i)));
  }
  if (!m.tags.empty()) HULL_FEATURE_TRY(need(f, Feature::Exceptions, "tag 0", at.of(at.tags, 0)));
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ElemDesc& e = m.elems[i];
    const std::string name = "element segment " + std::to_string(i);
    // Passive segments came with bulk memory, declarative ones with reference types.
    if (e.mode == SegmentMode::Passive)
      HULL_FEATURE_TRY(need(f, Feature::BulkMemory, "passive " + name, e.at));
    if (e.mode == SegmentMode::Declarative)
      HULL_FEATURE_TRY(need(f, Feature::ReferenceTypes, "declarative " + name, e.at));
    if (e.uses_exprs)
      HULL_FEATURE_TRY(need(f, Feature::BulkMemory, "expressions of " + name, e.at));
    // Function indices (elemkind 0x00) are Wasm 1.0 whatever type 3.0 gives them (ref func).
    if (e.uses_exprs) HULL_FEATURE_TRY(elem_type_disabled(f, e.type, name.c_str(), e.at));
  }
  for (size_t i = 0; i < m.datas.size(); ++i)
    if (m.datas[i].mode != SegmentMode::Active)
      HULL_FEATURE_TRY(
          need(f, Feature::BulkMemory, "passive data segment " + std::to_string(i), m.datas[i].at));
  if (m.data_count) HULL_FEATURE_TRY(need(f, Feature::BulkMemory, "data count section", SIZE_MAX));
  return {};
}

#undef HULL_FEATURE_TRY

}  // namespace hull
