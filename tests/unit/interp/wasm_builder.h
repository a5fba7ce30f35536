// A tiny hand assembler for test modules: builds the binary format section by section, and a
// minimal Store/Instance around the interpreter (without the engine's instantiation pipeline).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "binary/decoder.h"
#include "interp/interp.h"
#include "runtime/store.h"
#include "runtime/type_registry.h"

namespace hull::test {

struct Bytes {
  std::vector<uint8_t> b;
  Bytes& u8(uint8_t v) {
    b.push_back(v);
    return *this;
  }
  Bytes& u(uint64_t v) {
    do {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if (v) byte |= 0x80;
      b.push_back(byte);
    } while (v);
    return *this;
  }
  Bytes& s(int64_t v) {
    bool more = true;
    while (more) {
      uint8_t byte = v & 0x7f;
      v >>= 7;
      if ((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40))) {
        more = false;
      } else {
        byte |= 0x80;
      }
      b.push_back(byte);
    }
    return *this;
  }
  Bytes& str(const std::string& x) {
    u(x.size());
    b.insert(b.end(), x.begin(), x.end());
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& x) {
    b.insert(b.end(), x.begin(), x.end());
    return *this;
  }
  Bytes& vec(const Bytes& x) { return raw(x.b); }
};

// Instruction helpers (append to a Bytes).
struct Code : Bytes {
  Code& u8(uint8_t v) { Bytes::u8(v); return *this; }
  Code& u(uint64_t v) { Bytes::u(v); return *this; }
  Code& s(int64_t v) { Bytes::s(v); return *this; }
  Code& op(uint8_t o) { u8(o); return *this; }
  Code& i32c(int32_t v) { u8(0x41); s(v); return *this; }
  Code& i64c(int64_t v) { u8(0x42); s(v); return *this; }
  Code& get(uint32_t i) { u8(0x20); u(i); return *this; }
  Code& set(uint32_t i) { u8(0x21); u(i); return *this; }
  Code& tee(uint32_t i) { u8(0x22); u(i); return *this; }
  Code& call(uint32_t f) { u8(0x10); u(f); return *this; }
  Code& br(uint32_t d) { u8(0x0c); u(d); return *this; }
  Code& br_if(uint32_t d) { u8(0x0d); u(d); return *this; }
  Code& simd(uint32_t code) { u8(0xfd); u(code); return *this; }
  Code& mem(uint8_t o, uint32_t align, uint64_t offset) { u8(o); u(align); u(offset); return *this; }
};

constexpr uint8_t I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128T = 0x7b, FUNCREF = 0x70;

struct FuncDef {
  uint32_t type;
  std::vector<std::pair<uint32_t, uint8_t>> locals;
  Code body;  // without the final end
};

struct ModuleBuilder {
  std::vector<Bytes> types;
  std::vector<std::pair<std::string, uint32_t>> func_imports;  // name, type
  std::vector<FuncDef> funcs;
  bool has_memory = false;
  uint32_t mem_min = 0, mem_max = 0;
  bool has_table = false;
  uint32_t table_min = 0;
  std::vector<uint32_t> elem_funcs;  // active segment at offset 0 of table 0
  std::vector<std::pair<uint8_t, bool>> globals;  // type, mutable (initialised to 0)
  std::vector<std::vector<uint8_t>> passive_datas;

  uint32_t type(std::vector<uint8_t> params, std::vector<uint8_t> results) {
    Bytes t;
    t.u8(0x60).u(params.size());
    for (auto p : params) t.u8(p);
    t.u(results.size());
    for (auto r : results) t.u8(r);
    types.push_back(t);
    return static_cast<uint32_t>(types.size() - 1);
  }
  uint32_t func(uint32_t type, Code body, std::vector<std::pair<uint32_t, uint8_t>> locals = {}) {
    funcs.push_back(FuncDef{type, std::move(locals), std::move(body)});
    return static_cast<uint32_t>(func_imports.size() + funcs.size() - 1);
  }
  uint32_t import_func(const std::string& name, uint32_t type) {
    func_imports.push_back({name, type});
    return static_cast<uint32_t>(func_imports.size() - 1);
  }

  static void section(Bytes& out, uint8_t id, const Bytes& content) {
    out.u8(id).u(content.b.size()).vec(content);
  }

  std::vector<uint8_t> build() const {
    Bytes out;
    out.raw({0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
    Bytes ts;
    ts.u(types.size());
    for (auto& t : types) ts.vec(t);
    section(out, 1, ts);
    if (!func_imports.empty()) {
      Bytes is;
      is.u(func_imports.size());
      for (auto& [name, t] : func_imports) is.str("env").str(name).u8(0).u(t);
      section(out, 2, is);
    }
    Bytes fs;
    fs.u(funcs.size());
    for (auto& f : funcs) fs.u(f.type);
    section(out, 3, fs);
    if (has_table) {
      Bytes tb;
      tb.u(1).u8(FUNCREF).u8(0).u(table_min);
      section(out, 4, tb);
    }
    if (has_memory) {
      Bytes ms;
      ms.u(1).u8(1).u(mem_min).u(mem_max);
      section(out, 5, ms);
    }
    if (!globals.empty()) {
      Bytes gs;
      gs.u(globals.size());
      for (auto& [t, mut] : globals) {
        gs.u8(t).u8(mut ? 1 : 0);
        if (t == I32) gs.u8(0x41).s(0);
        else if (t == I64) gs.u8(0x42).s(0);
        else if (t == F32) gs.raw({0x43, 0, 0, 0, 0});
        else if (t == F64) gs.raw({0x44, 0, 0, 0, 0, 0, 0, 0, 0});
        else gs.raw({0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        gs.u8(0x0b);
      }
      section(out, 6, gs);
    }
    Bytes es;
    es.u(funcs.size());
    for (size_t i = 0; i < funcs.size(); ++i) {
      std::string n = "f" + std::to_string(i + func_imports.size());
      es.str(n).u8(0).u(i + func_imports.size());
    }
    section(out, 7, es);
    if (!elem_funcs.empty()) {
      Bytes el;
      el.u(1).u(0).u8(0x41).s(0).u8(0x0b).u(elem_funcs.size());
      for (auto f : elem_funcs) el.u(f);
      section(out, 9, el);
    }
    if (!passive_datas.empty()) {
      Bytes dc;
      dc.u(passive_datas.size());
      section(out, 12, dc);
    }
    Bytes cs;
    cs.u(funcs.size());
    for (auto& f : funcs) {
      Bytes body;
      body.u(f.locals.size());
      for (auto& [n, t] : f.locals) body.u(n).u8(t);
      body.vec(f.body).u8(0x0b);
      cs.u(body.b.size()).vec(body);
    }
    section(out, 10, cs);
    if (!passive_datas.empty()) {
      Bytes ds;
      ds.u(passive_datas.size());
      for (auto& d : passive_datas) ds.u(1).u(d.size()).raw(d);
      section(out, 11, ds);
    }
    return out.b;
  }
};

// A decoded, lowered module instantiated by hand into its own store.
struct TestInstance {
  ModuleDesc desc;
  std::vector<uint32_t> type_ids;
  std::shared_ptr<const interp::ModuleCode> code;
  Store store;
  Instance* inst = nullptr;
  std::string error;

  bool load(const std::vector<uint8_t>& bytes, std::vector<HostCallback> hosts = {},
            void* host_env = nullptr, CompileOptions opts = {}) {
    auto d = decode_module(bytes);
    if (!d.ok()) {
      error = "decode: " + d.error().to_string();
      return false;
    }
    desc = std::move(d.value());
    type_ids = canonicalize_types(desc.types);
    auto c = interp::compile_module(desc, type_ids, opts);
    if (!c.ok()) {
      error = "compile: " + c.error().to_string();
      return false;
    }
    code = c.value();
    inst = &store.instances.emplace_back();
    inst->name = "test";
    for (uint32_t i = 0; i < desc.num_funcs(); ++i) {
      Function& f = store.funcs.emplace_back();
      f.type_id = type_ids[desc.func_types[i]];
      f.type = &desc.func_type(i);
      f.index = i;
      if (i < desc.num_imported_funcs) {
        f.host = i < hosts.size() ? hosts[i] : nullptr;
        f.host_env = host_env;
      } else {
        f.instance = inst;
        f.code = interp::function_code(*code, i - desc.num_imported_funcs);
      }
      inst->funcs.push_back(&f);
    }
    for (auto& mt : desc.memories) {
      Memory& m = store.memories.emplace_back();
      if (!m.init(mt, UINT64_MAX).ok()) return false;
      // Unchecked (guard-page) code needs the guard regions of a guarded memory.
      if (opts.guard_pages && guardable(mt) && !m.guarded) {
        error = "memory has no guard region";
        return false;
      }
      inst->memories.push_back(&m);
    }
    for (auto& tt : desc.tables) {
      Table& t = store.tables.emplace_back();
      if (!t.init(tt, 0, UINT64_MAX).ok()) return false;
      inst->tables.push_back(&t);
    }
    for (auto& e : desc.elems) {
      std::vector<RefBits> refs;
      for (uint32_t fi : e.func_indices) refs.push_back(reinterpret_cast<RefBits>(inst->funcs[fi]));
      if (e.mode == SegmentMode::Active) {
        for (size_t k = 0; k < refs.size(); ++k) inst->tables[e.table]->elems[k] = refs[k];
        refs.clear();
      }
      inst->elems.push_back(std::move(refs));
    }
    for (auto& gt : desc.globals) {
      Global& g = store.globals.emplace_back();
      g.type = gt;
      inst->globals.push_back(&g);
    }
    inst->data_dropped.assign(desc.datas.size(), false);
    return true;
  }

  std::optional<Trap> call(uint32_t func, uint64_t* slots) {
    return interp::call(store, inst->funcs[func], slots);
  }
};

}  // namespace hull::test
