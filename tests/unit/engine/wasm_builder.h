// A tiny binary-module builder for engine tests: enough sections to exercise imports,
// definitions, segments and start without a text parser.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace hull::test {

using Bytes = std::vector<uint8_t>;

inline void uleb(Bytes& b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v) byte |= 0x80;
    b.push_back(byte);
  } while (v);
}

inline void sleb(Bytes& b, int64_t v) {
  for (;;) {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    b.push_back(byte);
    if (done) break;
  }
}

inline void name(Bytes& b, const std::string& s) {
  uleb(b, s.size());
  b.insert(b.end(), s.begin(), s.end());
}

// Value type codes.
constexpr uint8_t I32 = 0x7F, I64 = 0x7E, F32 = 0x7D, F64 = 0x7C, FUNCREF = 0x70,
                  EXTERNREF = 0x6F;

// Constant expressions (ending with `end`).
inline Bytes i32_const(int32_t v) { Bytes b{0x41}; sleb(b, v); b.push_back(0x0B); return b; }
inline Bytes i64_const(int64_t v) { Bytes b{0x42}; sleb(b, v); b.push_back(0x0B); return b; }
inline Bytes global_get(uint32_t g) { Bytes b{0x23}; uleb(b, g); b.push_back(0x0B); return b; }
inline Bytes ref_func(uint32_t f) { Bytes b{0xD2}; uleb(b, f); b.push_back(0x0B); return b; }
inline Bytes ref_null(uint8_t heap) { return Bytes{0xD0, heap, 0x0B}; }

struct Limits {
  uint64_t min = 0;
  bool has_max = false;
  uint64_t max = 0;
  bool is64 = false;
};
inline Limits lim(uint64_t min) { return Limits{min, false, 0, false}; }
inline Limits lim(uint64_t min, uint64_t max) { return Limits{min, true, max, false}; }
inline Limits lim64(uint64_t min) { return Limits{min, false, 0, true}; }

class ModuleBuilder {
 public:
  // Returns the type index.
  uint32_t type(std::initializer_list<uint8_t> params, std::initializer_list<uint8_t> results) {
    types_.push_back(0x60);
    uleb(types_, params.size());
    types_.insert(types_.end(), params);
    uleb(types_, results.size());
    types_.insert(types_.end(), results);
    return ntypes_++;
  }
  void import_func(const std::string& m, const std::string& n, uint32_t type) {
    import_head(m, n, 0x00);
    uleb(imports_, type);
  }
  void import_table(const std::string& m, const std::string& n, uint8_t elem, Limits l) {
    import_head(m, n, 0x01);
    imports_.push_back(elem);
    limits(imports_, l);
  }
  void import_memory(const std::string& m, const std::string& n, Limits l) {
    import_head(m, n, 0x02);
    limits(imports_, l);
  }
  void import_global(const std::string& m, const std::string& n, Bytes valtype, bool mut) {
    import_head(m, n, 0x03);
    imports_.insert(imports_.end(), valtype.begin(), valtype.end());
    imports_.push_back(mut ? 1 : 0);
  }
  void table(uint8_t elem, Limits l) {
    tables_.push_back(elem);
    limits(tables_, l);
    ++ntables_;
  }
  void memory(Limits l) {
    limits(memories_, l);
    ++nmemories_;
  }
  void global(Bytes valtype, bool mut, const Bytes& init) {
    globals_.insert(globals_.end(), valtype.begin(), valtype.end());
    globals_.push_back(mut ? 1 : 0);
    globals_.insert(globals_.end(), init.begin(), init.end());
    ++nglobals_;
  }
  void export_(const std::string& n, uint8_t kind, uint32_t index) {
    name(exports_, n);
    exports_.push_back(kind);
    uleb(exports_, index);
    ++nexports_;
  }
  void start(uint32_t f) { start_ = f; }
  // Active funcref segment with function indices on table `table`.
  void elem_active(uint32_t table, const Bytes& offset, std::initializer_list<uint32_t> funcs) {
    if (table == 0) {
      elems_.push_back(0x00);
    } else {
      elems_.push_back(0x02);
      uleb(elems_, table);
    }
    elems_.insert(elems_.end(), offset.begin(), offset.end());
    if (table != 0) elems_.push_back(0x00);  // elemkind funcref
    uleb(elems_, funcs.size());
    for (uint32_t f : funcs) uleb(elems_, f);
    ++nelems_;
  }
  // Passive (flags 5) or declarative (flags 7) funcref segment with expressions.
  void elem_exprs(bool declarative, std::initializer_list<Bytes> exprs) {
    elems_.push_back(declarative ? 0x07 : 0x05);
    elems_.push_back(FUNCREF);
    uleb(elems_, exprs.size());
    for (const Bytes& e : exprs) elems_.insert(elems_.end(), e.begin(), e.end());
    ++nelems_;
  }
  void data_active(const Bytes& offset, const std::string& bytes) {
    datas_.push_back(0x00);
    datas_.insert(datas_.end(), offset.begin(), offset.end());
    name(datas_, bytes);
    ++ndatas_;
  }
  void data_passive(const std::string& bytes) {
    datas_.push_back(0x01);
    name(datas_, bytes);
    ++ndatas_;
  }
  // A defined function with `body` (instructions incl. the final `end`, no locals).
  uint32_t func(uint32_t type, const Bytes& body) {
    uleb(funcs_, type);
    Bytes entry{0x00};  // no local declarations
    entry.insert(entry.end(), body.begin(), body.end());
    uleb(code_, entry.size());
    code_.insert(code_.end(), entry.begin(), entry.end());
    return nimported_funcs_ + nfuncs_++;
  }

  Bytes build() const {
    Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    section(out, 1, ntypes_, types_);
    section(out, 2, nimports_, imports_);
    section(out, 3, nfuncs_, funcs_);
    section(out, 4, ntables_, tables_);
    section(out, 5, nmemories_, memories_);
    section(out, 6, nglobals_, globals_);
    section(out, 7, nexports_, exports_);
    if (start_ != UINT32_MAX) {
      Bytes s;
      uleb(s, start_);
      raw_section(out, 8, s);
    }
    section(out, 9, nelems_, elems_);
    if (ndatas_) {
      Bytes c;
      uleb(c, ndatas_);
      raw_section(out, 12, c);
    }
    section(out, 10, nfuncs_, code_);
    section(out, 11, ndatas_, datas_);
    return out;
  }

 private:
  void import_head(const std::string& m, const std::string& n, uint8_t kind) {
    name(imports_, m);
    name(imports_, n);
    imports_.push_back(kind);
    ++nimports_;
    if (kind == 0x00) ++nimported_funcs_;
  }
  static void limits(Bytes& b, Limits l) {
    b.push_back(uint8_t((l.has_max ? 1 : 0) | (l.is64 ? 4 : 0)));
    uleb(b, l.min);
    if (l.has_max) uleb(b, l.max);
  }
  static void raw_section(Bytes& out, uint8_t id, const Bytes& contents) {
    out.push_back(id);
    uleb(out, contents.size());
    out.insert(out.end(), contents.begin(), contents.end());
  }
  static void section(Bytes& out, uint8_t id, uint32_t count, const Bytes& body) {
    if (count == 0) return;
    Bytes c;
    uleb(c, count);
    c.insert(c.end(), body.begin(), body.end());
    raw_section(out, id, c);
  }

  Bytes types_, imports_, funcs_, tables_, memories_, globals_, exports_, elems_, datas_, code_;
  uint32_t ntypes_ = 0, nimports_ = 0, nfuncs_ = 0, ntables_ = 0, nmemories_ = 0, nglobals_ = 0,
           nexports_ = 0, nelems_ = 0, ndatas_ = 0, nimported_funcs_ = 0;
  uint32_t start_ = UINT32_MAX;
};

}  // namespace hull::test
