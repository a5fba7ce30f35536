// Test helper: builds a ModuleDesc directly (no decoder needed) with function bodies and
// constant expressions given as raw instruction bytes.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "base/result.h"
#include "binary/module.h"
#include "valid/validator.h"

namespace hull::test {

using Bytes = std::vector<uint8_t>;

inline constexpr ValType I32 = ValType::i32();
inline constexpr ValType I64 = ValType::i64();
inline constexpr ValType F32 = ValType::f32();
inline constexpr ValType F64 = ValType::f64();
inline constexpr ValType V128 = ValType::v128();
inline constexpr ValType FUNCREF = ValType::funcref();
inline constexpr ValType EXTERNREF = ValType::externref();

struct TestModule {
  ModuleDesc m;

  ByteRange append(const Bytes& b) {
    ByteRange r{m.bytes.size(), m.bytes.size() + b.size()};
    m.bytes.insert(m.bytes.end(), b.begin(), b.end());
    return r;
  }
  uint32_t add_type(std::vector<ValType> params, std::vector<ValType> results) {
    SubType st;
    st.kind = CompositeKind::Func;
    st.func.params = std::move(params);
    st.func.results = std::move(results);
    st.rec_group = static_cast<uint32_t>(m.types.size());
    m.types.push_back(std::move(st));
    return static_cast<uint32_t>(m.types.size() - 1);
  }
  uint32_t add_subtype(SubType st) {
    st.rec_group = static_cast<uint32_t>(m.types.size());
    st.rec_size = 1;
    m.types.push_back(std::move(st));
    return static_cast<uint32_t>(m.types.size() - 1);
  }
  // A recursion group of several types (their rec fields are filled in here).
  uint32_t add_rec(std::vector<SubType> group) {
    uint32_t start = static_cast<uint32_t>(m.types.size());
    for (SubType& st : group) {
      st.rec_group = start;
      st.rec_size = static_cast<uint32_t>(group.size());
      m.types.push_back(st);
    }
    return start;
  }
  uint32_t import_func(uint32_t type) {
    Import im;
    im.module = "m";
    im.name = "f" + std::to_string(m.imports.size());
    im.kind = ExternKind::Func;
    im.type_index = type;
    m.imports.push_back(im);
    m.func_types.insert(m.func_types.begin() + m.num_imported_funcs, type);
    return m.num_imported_funcs++;
  }
  // Adds a defined function; `code` is the instruction bytes including the final end (0x0B).
  uint32_t add_func(uint32_t type, const Bytes& code, std::vector<LocalDecl> locals = {}) {
    FuncBody b;
    b.locals = std::move(locals);
    for (auto& l : b.locals) b.num_locals += l.count;
    b.code = append(code);
    b.whole = b.code;
    m.bodies.push_back(std::move(b));
    m.func_types.push_back(type);
    return static_cast<uint32_t>(m.func_types.size() - 1);
  }
  uint32_t add_memory(uint64_t min, std::optional<uint64_t> max = std::nullopt, bool is64 = false) {
    MemoryType mt;
    mt.limits.min = min;
    mt.limits.max = max;
    mt.limits.is64 = is64;
    m.memories.push_back(mt);
    return static_cast<uint32_t>(m.memories.size() - 1);
  }
  uint32_t add_table(ValType elem, uint64_t min, std::optional<uint64_t> max = std::nullopt,
                     bool is64 = false) {
    TableDesc t;
    t.type.elem = elem;
    t.type.limits.min = min;
    t.type.limits.max = max;
    t.type.limits.is64 = is64;
    m.defined_tables.push_back(t);
    m.tables.push_back(t.type);
    return static_cast<uint32_t>(m.tables.size() - 1);
  }
  uint32_t import_global(ValType t, bool mut) {
    Import im;
    im.module = "m";
    im.name = "g" + std::to_string(m.imports.size());
    im.kind = ExternKind::Global;
    im.global = {t, mut};
    m.imports.push_back(im);
    m.globals.insert(m.globals.begin() + m.num_imported_globals, GlobalType{t, mut});
    return m.num_imported_globals++;
  }
  uint32_t add_global(ValType t, bool mut, const Bytes& init) {
    GlobalDesc g;
    g.type = {t, mut};
    g.init = append(init);
    m.defined_globals.push_back(g);
    m.globals.push_back(g.type);
    return static_cast<uint32_t>(m.globals.size() - 1);
  }
  void export_func(const std::string& name, uint32_t idx) {
    m.exports.push_back(Export{name, ExternKind::Func, idx});
  }
  Status validate() const { return validate_module(m); }
};

// LEB helpers for building immediates.
inline Bytes uleb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}
inline Bytes sleb(int64_t v) {
  Bytes out;
  bool more = true;
  while (more) {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if ((v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40)))
      more = false;
    else
      b |= 0x80;
    out.push_back(b);
  }
  return out;
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace hull::test
