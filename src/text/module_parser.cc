// Text module parser + binary encoder (spec "Text Format" -> "Binary Format"). Two passes:
// pass 1 collects the identifiers of every index space (so uses may precede definitions) and
// encodes the explicit types; pass 2 encodes every other field in textual order, appending
// implicit function types for inline type uses as the spec prescribes.
#include "text/module_parser.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>

#include "spec/opcodes.h"
#include "spec/types.h"
#include "text/literals.h"

namespace hull::text {

bool abstract_heap_type(std::string_view s, HeapKind* h) {
  static const std::pair<std::string_view, HeapKind> tab[] = {
      {"func", HeapKind::Func},         {"extern", HeapKind::Extern},
      {"any", HeapKind::Any},           {"eq", HeapKind::Eq},
      {"i31", HeapKind::I31},           {"struct", HeapKind::Struct},
      {"array", HeapKind::Array},       {"exn", HeapKind::Exn},
      {"none", HeapKind::None},         {"nofunc", HeapKind::NoFunc},
      {"noextern", HeapKind::NoExtern}, {"noexn", HeapKind::NoExn}};
  for (auto& [n, k] : tab)
    if (n == s) {
      *h = k;
      return true;
    }
  return false;
}

namespace {

using Bytes = std::vector<uint8_t>;

void put_u64(Bytes& b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    if (v) byte |= 0x80;
    b.push_back(byte);
  } while (v);
}
void put_u32(Bytes& b, uint32_t v) { put_u64(b, v); }
void put_s64(Bytes& b, int64_t v) {
  while (true) {
    uint8_t byte = v & 0x7F;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    b.push_back(byte);
    if (done) break;
  }
}
void put_name(Bytes& b, std::string_view s) {
  put_u32(b, uint32_t(s.size()));
  b.insert(b.end(), s.begin(), s.end());
}

enum Space : uint8_t { kTypeSp, kFuncSp, kTableSp, kMemSp, kGlobalSp, kTagSp, kElemSp, kDataSp,
                       kNumSpaces };
const char* const kSpaceNames[kNumSpaces] = {"type",   "func", "table", "memory",
                                             "global", "tag",  "elem",  "data"};

struct TypeInfo {
  CompositeKind kind = CompositeKind::Func;
  FuncType func;
  bool simple = false;  // a final func type alone in its group: inline type uses may reuse it
  std::unordered_map<std::string_view, uint32_t> fields;
};

struct TypeUse {
  bool has_idx = false;
  uint32_t idx = 0;
  const Token* idx_tok = nullptr;
  bool has_inline = false;
  FuncType ft;
  std::vector<std::string_view> param_names;  // "" for unnamed
};

// Natural alignment (log2 bytes) of a load/store mnemonic, derived from its name.
uint32_t natural_align_log2(std::string_view name) {
  size_t p = name.find("load");
  size_t k = p == std::string_view::npos ? name.find("store") : p;
  size_t after = k + (p == std::string_view::npos ? 5 : 4);
  unsigned bits = 0;
  if (after < name.size() && name[after] >= '0' && name[after] <= '9') {
    size_t i = after;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9')
      bits = bits * 10 + (name[i++] - '0');
    if (i < name.size() && name[i] == 'x') {
      unsigned n = 0;
      ++i;
      while (i < name.size() && name[i] >= '0' && name[i] <= '9') n = n * 10 + (name[i++] - '0');
      bits *= n;
    }
  } else if (name.substr(0, 4) == "v128") {
    bits = 128;
  } else {
    bits = (name[1] == '6') ? 64 : 32;  // i64/f64 vs i32/f32
  }
  uint32_t bytes = bits / 8, lg = 0;
  while ((1u << lg) < bytes) ++lg;
  return lg;
}

class ModuleParser {
 public:
  ModuleParser(Cursor& c, std::string_view module_name, bool name_section)
      : c_(c), module_name_(module_name), name_section_(name_section) {}

  Result<Bytes> run() {
    stack_base_ = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    HULL_TRY(pass1());
    size_t end_pos = c_.pos();
    HULL_TRY(parse_types());
    for (size_t p : fields_) {
      c_.set_pos(p);
      HULL_TRY(parse_field());
    }
    c_.set_pos(end_pos);
    return assemble();
  }

 private:
  // ---------------------------------------------------------------- helpers
  Error err(const Token& t, std::string msg) { return c_.error_at(t, std::move(msg)); }

  Status define(Space sp, const Token* id) {
    uint32_t idx = counts_[sp]++;
    if (id) {
      auto [it, inserted] = names_[sp].emplace(id->text, idx);
      if (!inserted) return err(*id, std::string("duplicate ") + kSpaceNames[sp]);
    }
    return {};
  }

  Result<uint32_t> parse_u32_tok(const Token& t) {
    uint64_t v;
    LitStatus st = parse_nat(t.text, UINT32_MAX, &v);
    if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    return uint32_t(v);
  }

  Result<uint32_t> parse_u32() {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    return parse_u32_tok(c_.next());
  }

  // An index into space `sp`: $name or a number.
  Result<uint32_t> index(Space sp) {
    const Token& t = c_.peek();
    if (t.kind == Tok::Id) {
      c_.next();
      auto it = names_[sp].find(t.text);
      if (it == names_[sp].end()) return err(t, std::string("unknown ") + kSpaceNames[sp] + " $" +
                                                    std::string(t.text));
      return it->second;
    }
    if (!c_.at_nat()) return c_.unexpected();
    return parse_u32();
  }

  Result<std::string_view> name_string() {
    if (!c_.at(Tok::String)) return c_.unexpected();
    const Token& t = c_.next();
    if (!valid_utf8(t.text)) return err(t, "malformed UTF-8 encoding");
    return t.text;
  }

  // ---------------------------------------------------------------- pass 1
  // Skips `$id? (export ..)*` and reports whether an `(import ..)` follows, leaving the cursor
  // past the header.
  Status pass1() {
    bool defined[kNumSpaces] = {};
    while (!c_.at(Tok::RParen) && !c_.at(Tok::Eof)) {
      if (!c_.at(Tok::LParen)) return c_.unexpected();
      const Token& kw = c_.peek(1);
      if (kw.kind != Tok::Atom) return err(kw, "unexpected token");
      size_t start = c_.pos();
      fields_.push_back(start);
      std::string_view k = kw.text;
      c_.set_pos(start + 2);
      const Token* id = c_.at(Tok::Id) ? &c_.next() : nullptr;
      auto import_check = [&](const Token& where) -> Status {
        static const Space order[] = {kFuncSp, kTableSp, kMemSp, kGlobalSp, kTagSp};
        static const char* msgs[] = {"import after function", "import after table",
                                     "import after memory", "import after global",
                                     "import after tag"};
        for (int i = 0; i < 5; ++i)
          if (defined[order[i]]) return err(where, msgs[i]);
        return {};
      };
      if (k == "type") {
        HULL_TRY(define(kTypeSp, id));
      } else if (k == "rec") {
        if (id) return err(*id, "unexpected token");
        while (c_.at_paren("type")) {
          c_.set_pos(c_.pos() + 2);
          const Token* tid = c_.at(Tok::Id) ? &c_.next() : nullptr;
          HULL_TRY(define(kTypeSp, tid));
          // skip rest of this (type ...)
          size_t depth = 1;
          while (depth > 0 && !c_.at(Tok::Eof)) {
            Tok tk = c_.next().kind;
            if (tk == Tok::LParen) ++depth;
            else if (tk == Tok::RParen) --depth;
          }
        }
        c_.set_pos(start);
      } else if (k == "func" || k == "table" || k == "memory" || k == "global" || k == "tag") {
        Space sp = k == "func" ? kFuncSp : k == "table" ? kTableSp : k == "memory" ? kMemSp
                   : k == "global" ? kGlobalSp : kTagSp;
        bool is_import = false;
        while (c_.at_paren("export") || c_.at_paren("import")) {
          if (c_.at_paren("import")) is_import = true;
          c_.skip_sexpr();
        }
        if (is_import) HULL_TRY(import_check(kw));
        else defined[sp] = true;
        HULL_TRY(define(sp, id));
        bool is64 = c_.at_atom("i64");
        if (sp == kMemSp) mem64_.push_back(is64);
        if (sp == kTableSp) table64_.push_back(is64);
        if (!is_import && (sp == kTableSp || sp == kMemSp)) {
          // Inline (elem ..) / (data ..) abbreviations define an anonymous segment.
          while (!c_.at(Tok::RParen) && !c_.at(Tok::Eof)) {
            if (sp == kTableSp && c_.at_paren("elem")) HULL_TRY(define(kElemSp, nullptr));
            if (sp == kMemSp && c_.at_paren("data")) HULL_TRY(define(kDataSp, nullptr));
            c_.skip_sexpr();
          }
        }
      } else if (k == "import") {
        if (id) return err(*id, "unexpected token");
        HULL_TRY(import_check(kw));
        // (import "m" "n" (kind $id? ...))
        if (c_.at(Tok::String)) c_.next();
        if (c_.at(Tok::String)) c_.next();
        if (c_.at(Tok::LParen) && c_.peek(1).kind == Tok::Atom) {
          std::string_view d = c_.peek(1).text;
          c_.set_pos(c_.pos() + 2);
          const Token* did = c_.at(Tok::Id) ? &c_.next() : nullptr;
          bool is64 = c_.at_atom("i64");
          if (d == "func") HULL_TRY(define(kFuncSp, did));
          else if (d == "table") { HULL_TRY(define(kTableSp, did)); table64_.push_back(is64); }
          else if (d == "memory") { HULL_TRY(define(kMemSp, did)); mem64_.push_back(is64); }
          else if (d == "global") HULL_TRY(define(kGlobalSp, did));
          else if (d == "tag") HULL_TRY(define(kTagSp, did));
          else return err(kw, "unexpected token");
        }
      } else if (k == "elem") {
        HULL_TRY(define(kElemSp, id));
      } else if (k == "data") {
        HULL_TRY(define(kDataSp, id));
      } else if (k == "export" || k == "start") {
      } else {
        return err(kw, "unknown operator");
      }
      c_.set_pos(start);
      c_.skip_sexpr();
    }
    return {};
  }

  // ---------------------------------------------------------------- types
  bool at_valtype() const {
    const Token& t = c_.peek();
    if (t.kind == Tok::Atom) {
      std::string_view s = t.text;
      return s == "i32" || s == "i64" || s == "f32" || s == "f64" || s == "v128" ||
             (s.size() > 3 && s.substr(s.size() - 3) == "ref");
    }
    return c_.at_paren("ref");
  }

  Status parse_heaptype(ValType* vt) {
    const Token& t = c_.peek();
    if (t.kind == Tok::Atom && abstract_heap_type(t.text, &vt->heap)) {
      c_.next();
      return {};
    }
    if (c_.at_index()) {
      HULL_ASSIGN_OR_RETURN(vt->index, index(kTypeSp));
      vt->heap = HeapKind::Concrete;
      return {};
    }
    return c_.unexpected();
  }

  Result<ValType> parse_reftype() {
    const Token& t = c_.peek();
    if (t.kind == Tok::Atom) {
      std::string_view s = t.text;
      static const std::pair<std::string_view, HeapKind> tab[] = {
          {"funcref", HeapKind::Func},       {"externref", HeapKind::Extern},
          {"anyref", HeapKind::Any},         {"eqref", HeapKind::Eq},
          {"i31ref", HeapKind::I31},         {"structref", HeapKind::Struct},
          {"arrayref", HeapKind::Array},     {"exnref", HeapKind::Exn},
          {"nullref", HeapKind::None},       {"nullfuncref", HeapKind::NoFunc},
          {"nullexternref", HeapKind::NoExtern}, {"nullexnref", HeapKind::NoExn}};
      for (auto& [n, k] : tab)
        if (n == s) {
          c_.next();
          return ValType::ref(k, true);
        }
      return c_.unexpected();
    }
    if (!c_.at_paren("ref")) return c_.unexpected();
    c_.set_pos(c_.pos() + 2);
    ValType vt = ValType::ref(HeapKind::Func, false);
    if (c_.at_atom("null")) {
      c_.next();
      vt.nullable = true;
    }
    HULL_TRY(parse_heaptype(&vt));
    HULL_TRY(c_.expect(Tok::RParen));
    return vt;
  }

  Result<ValType> parse_valtype() {
    const Token& t = c_.peek();
    if (t.kind == Tok::Atom) {
      std::string_view s = t.text;
      ValType vt;
      if (s == "i32") vt = ValType::i32();
      else if (s == "i64") vt = ValType::i64();
      else if (s == "f32") vt = ValType::f32();
      else if (s == "f64") vt = ValType::f64();
      else if (s == "v128") vt = ValType::v128();
      else return parse_reftype();
      c_.next();
      return vt;
    }
    return parse_reftype();
  }

  static void put_heap(Bytes& b, const ValType& vt) {
    switch (vt.heap) {
      case HeapKind::Func: b.push_back(0x70); break;
      case HeapKind::Extern: b.push_back(0x6F); break;
      case HeapKind::Any: b.push_back(0x6E); break;
      case HeapKind::Eq: b.push_back(0x6D); break;
      case HeapKind::I31: b.push_back(0x6C); break;
      case HeapKind::Struct: b.push_back(0x6B); break;
      case HeapKind::Array: b.push_back(0x6A); break;
      case HeapKind::Exn: b.push_back(0x69); break;
      case HeapKind::None: b.push_back(0x71); break;
      case HeapKind::NoFunc: b.push_back(0x73); break;
      case HeapKind::NoExtern: b.push_back(0x72); break;
      case HeapKind::NoExn: b.push_back(0x74); break;
      case HeapKind::Concrete: put_s64(b, vt.index); break;
      case HeapKind::Bot: b.push_back(0x70); break;
    }
  }

  static void put_valtype(Bytes& b, const ValType& vt) {
    switch (vt.kind) {
      case ValKind::I32: b.push_back(0x7F); return;
      case ValKind::I64: b.push_back(0x7E); return;
      case ValKind::F32: b.push_back(0x7D); return;
      case ValKind::F64: b.push_back(0x7C); return;
      case ValKind::V128: b.push_back(0x7B); return;
      default: break;
    }
    if (vt.nullable && vt.heap != HeapKind::Concrete) {
      put_heap(b, vt);
      return;
    }
    b.push_back(vt.nullable ? 0x63 : 0x64);
    put_heap(b, vt);
  }

  static void put_functype(Bytes& b, const FuncType& ft) {
    b.push_back(0x60);
    put_u32(b, uint32_t(ft.params.size()));
    for (auto& t : ft.params) put_valtype(b, t);
    put_u32(b, uint32_t(ft.results.size()));
    for (auto& t : ft.results) put_valtype(b, t);
  }

  // (param ..)* (result ..)* into ft; names recorded when allowed.
  Status parse_params_results(FuncType& ft, std::vector<std::string_view>* names,
                              bool* any = nullptr) {
    while (c_.at_paren("param")) {
      if (any) *any = true;
      c_.set_pos(c_.pos() + 2);
      if (c_.at(Tok::Id)) {
        if (!names) return c_.unexpected();
        names->push_back(c_.next().text);
        HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
        ft.params.push_back(vt);
      } else {
        while (!c_.at(Tok::RParen)) {
          HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
          ft.params.push_back(vt);
          if (names) names->push_back({});
        }
      }
      HULL_TRY(c_.expect(Tok::RParen));
    }
    while (c_.at_paren("result")) {
      if (any) *any = true;
      c_.set_pos(c_.pos() + 2);
      while (!c_.at(Tok::RParen)) {
        HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
        ft.results.push_back(vt);
      }
      HULL_TRY(c_.expect(Tok::RParen));
    }
    return {};
  }

  Status parse_storage(FieldType& f) {
    if (c_.at_paren("mut")) {
      c_.set_pos(c_.pos() + 2);
      f.mut = true;
      HULL_TRY(parse_storage_plain(f));
      return c_.expect(Tok::RParen);
    }
    return parse_storage_plain(f);
  }
  Status parse_storage_plain(FieldType& f) {
    if (c_.at_atom("i8")) {
      c_.next();
      f.packed = Packed::I8;
      return {};
    }
    if (c_.at_atom("i16")) {
      c_.next();
      f.packed = Packed::I16;
      return {};
    }
    HULL_ASSIGN_OR_RETURN(f.type, parse_valtype());
    return {};
  }
  static void put_field(Bytes& b, const FieldType& f) {
    if (f.packed == Packed::I8) b.push_back(0x78);
    else if (f.packed == Packed::I16) b.push_back(0x77);
    else put_valtype(b, f.type);
    b.push_back(f.mut ? 1 : 0);
  }

  // comptype: (func ..) | (struct ..) | (array ..)
  Status parse_comptype(Bytes& b, TypeInfo& ti) {
    if (c_.at_paren("func")) {
      c_.set_pos(c_.pos() + 2);
      ti.kind = CompositeKind::Func;
      std::vector<std::string_view> names;
      HULL_TRY(parse_params_results(ti.func, &names));
      HULL_TRY(c_.expect(Tok::RParen));
      put_functype(b, ti.func);
      return {};
    }
    if (c_.at_paren("struct")) {
      c_.set_pos(c_.pos() + 2);
      ti.kind = CompositeKind::Struct;
      std::vector<FieldType> fields;
      while (c_.at_paren("field")) {
        c_.set_pos(c_.pos() + 2);
        if (c_.at(Tok::Id)) {
          const Token& fid = c_.next();
          if (!ti.fields.emplace(fid.text, uint32_t(fields.size())).second)
            return err(fid, "duplicate field");
          FieldType f;
          HULL_TRY(parse_storage(f));
          fields.push_back(f);
        } else {
          while (!c_.at(Tok::RParen)) {
            FieldType f;
            HULL_TRY(parse_storage(f));
            fields.push_back(f);
          }
        }
        HULL_TRY(c_.expect(Tok::RParen));
      }
      HULL_TRY(c_.expect(Tok::RParen));
      b.push_back(0x5F);
      put_u32(b, uint32_t(fields.size()));
      for (auto& f : fields) put_field(b, f);
      return {};
    }
    if (c_.at_paren("array")) {
      c_.set_pos(c_.pos() + 2);
      ti.kind = CompositeKind::Array;
      FieldType f;
      HULL_TRY(parse_storage(f));
      HULL_TRY(c_.expect(Tok::RParen));
      b.push_back(0x5E);
      put_field(b, f);
      return {};
    }
    return c_.unexpected();
  }

  // (type $id? subtype) -> one subtype encoding.
  Status parse_typedef(Bytes& b, bool in_rec) {
    HULL_TRY(c_.expect_lparen_kw("type"));
    if (c_.at(Tok::Id)) c_.next();
    TypeInfo ti;
    if (c_.at_paren("sub")) {
      c_.set_pos(c_.pos() + 2);
      bool final = false;
      if (c_.at_atom("final")) {
        c_.next();
        final = true;
      }
      std::vector<uint32_t> supers;
      while (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(uint32_t s, index(kTypeSp));
        supers.push_back(s);
      }
      b.push_back(final ? 0x4F : 0x50);
      put_u32(b, uint32_t(supers.size()));
      for (uint32_t s : supers) put_u32(b, s);
      HULL_TRY(parse_comptype(b, ti));
      HULL_TRY(c_.expect(Tok::RParen));
    } else {
      HULL_TRY(parse_comptype(b, ti));
      ti.simple = !in_rec && ti.kind == CompositeKind::Func;
      if (ti.simple) {
        // Index of the first simple type per signature, for implicit type uses.
        Bytes key;
        put_functype(key, ti.func);
        simple_types_.emplace(std::string(key.begin(), key.end()), uint32_t(types_.size()));
      }
    }
    HULL_TRY(c_.expect(Tok::RParen));
    types_.push_back(std::move(ti));
    return {};
  }

  Status parse_types() {
    for (size_t p : fields_) {
      c_.set_pos(p);
      if (c_.at_paren("type")) {
        HULL_TRY(parse_typedef(type_sec_, false));
        ++type_groups_;
      } else if (c_.at_paren("rec")) {
        c_.set_pos(p + 2);
        Bytes group;
        uint32_t n = 0;
        while (c_.at_paren("type")) {
          HULL_TRY(parse_typedef(group, true));
          ++n;
        }
        HULL_TRY(c_.expect(Tok::RParen));
        type_sec_.push_back(0x4E);
        put_u32(type_sec_, n);
        type_sec_.insert(type_sec_.end(), group.begin(), group.end());
        ++type_groups_;
      }
    }
    return {};
  }

  // typeuse: (type idx)? (param ..)* (result ..)*
  Status parse_typeuse(TypeUse& tu, bool allow_names) {
    if (c_.at_paren("type")) {
      c_.set_pos(c_.pos() + 2);
      tu.idx_tok = &c_.peek();
      HULL_ASSIGN_OR_RETURN(tu.idx, index(kTypeSp));
      tu.has_idx = true;
      HULL_TRY(c_.expect(Tok::RParen));
    }
    return parse_params_results(tu.ft, allow_names ? &tu.param_names : nullptr, &tu.has_inline);
  }

  // The type index of a type use, appending an implicit type when needed.
  Result<uint32_t> resolve_typeuse(TypeUse& tu) {
    if (tu.has_idx) {
      if (tu.has_inline) {
        if (tu.idx >= types_.size() || types_[tu.idx].kind != CompositeKind::Func ||
            !(types_[tu.idx].func == tu.ft))
          return err(*tu.idx_tok, "inline function type");
      }
      return tu.idx;
    }
    Bytes key;
    put_functype(key, tu.ft);
    std::string skey(key.begin(), key.end());
    auto it = simple_types_.find(skey);
    if (it != simple_types_.end()) return it->second;
    simple_types_.emplace(std::move(skey), uint32_t(types_.size()));
    TypeInfo ti;
    ti.kind = CompositeKind::Func;
    ti.func = tu.ft;
    ti.simple = true;
    put_functype(type_sec_, tu.ft);
    ++type_groups_;
    types_.push_back(std::move(ti));
    return uint32_t(types_.size() - 1);
  }

  // The function type a type use denotes (for parameter counts).
  FuncType functype_of(const TypeUse& tu) {
    if (tu.has_idx && !tu.has_inline) {
      if (tu.idx < types_.size() && types_[tu.idx].kind == CompositeKind::Func)
        return types_[tu.idx].func;
      return {};
    }
    return tu.ft;
  }

  // ---------------------------------------------------------------- instructions
  void put_op(Bytes& b, Op op) {
    const OpInfo& info = op_info(op);
    if (info.prefix == 0) {
      b.push_back(uint8_t(info.code));
    } else {
      b.push_back(info.prefix);
      put_u32(b, info.code);
    }
    if (op == Op::memory_init || op == Op::data_drop || op == Op::array_new_data ||
        op == Op::array_init_data)
      need_datacount_ = true;
  }

  Result<uint32_t> label_index() {
    const Token& t = c_.peek();
    if (t.kind == Tok::Id) {
      c_.next();
      for (size_t i = labels_.size(); i-- > 0;)
        if (labels_[i] == t.text) return uint32_t(labels_.size() - 1 - i);
      return err(t, "unknown label");
    }
    if (!c_.at_nat()) return c_.unexpected();
    return parse_u32();
  }

  Result<uint32_t> local_index() {
    const Token& t = c_.peek();
    if (t.kind == Tok::Id) {
      c_.next();
      auto it = locals_.find(t.text);
      if (it == locals_.end()) return err(t, "unknown local $" + std::string(t.text));
      return it->second;
    }
    if (!c_.at_nat()) return c_.unexpected();
    return parse_u32();
  }

  Status block_type(Bytes& b) {
    TypeUse tu;
    HULL_TRY(parse_typeuse(tu, false));
    if (!tu.has_idx && tu.ft.params.empty() && tu.ft.results.size() <= 1) {
      if (tu.ft.results.empty()) b.push_back(0x40);
      else put_valtype(b, tu.ft.results[0]);
      return {};
    }
    HULL_ASSIGN_OR_RETURN(uint32_t idx, resolve_typeuse(tu));
    put_s64(b, idx);
    return {};
  }

  // Optional label after end/else must match the block's label.
  Status end_label(std::string_view label) {
    if (c_.at(Tok::Id)) {
      const Token& t = c_.next();
      if (t.text != label) return err(t, "mismatching label");
    }
    return {};
  }

  // Guards every recursive step: a nesting limit, plus a stack budget measured from run()'s
  // frame, because frame sizes vary a lot between builds (sanitizers inflate them).
  Status enter() {
    uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    if (++depth_ > kMaxNesting || stack_base_ - here > kStackBudget)
      return c_.error("nesting too deep");
    return {};
  }

  Status catches(Bytes& b) {
    Bytes cs;
    uint32_t n = 0;
    while (true) {
      uint8_t kind;
      if (c_.at_paren("catch")) kind = 0;
      else if (c_.at_paren("catch_ref")) kind = 1;
      else if (c_.at_paren("catch_all")) kind = 2;
      else if (c_.at_paren("catch_all_ref")) kind = 3;
      else break;
      c_.set_pos(c_.pos() + 2);
      cs.push_back(kind);
      if (kind < 2) {
        HULL_ASSIGN_OR_RETURN(uint32_t tag, index(kTagSp));
        put_u32(cs, tag);
      }
      HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
      put_u32(cs, l);
      HULL_TRY(c_.expect(Tok::RParen));
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), cs.begin(), cs.end());
    return {};
  }

  // Flat block instruction (block/loop/if/try_table ... end), keyword already consumed.
  Status flat_block(Bytes& b, Op op) {
    HULL_TRY(enter());
    std::string_view label;
    if (c_.at(Tok::Id)) label = c_.next().text;
    put_op(b, op);
    HULL_TRY(block_type(b));
    if (op == Op::try_table) HULL_TRY(catches(b));
    labels_.push_back(label);
    HULL_TRY(instrs(b));
    if (op == Op::if_ && c_.at_atom("else")) {
      c_.next();
      HULL_TRY(end_label(label));
      b.push_back(0x05);
      HULL_TRY(instrs(b));
    }
    if (!c_.at_atom("end")) return c_.unexpected();
    c_.next();
    HULL_TRY(end_label(label));
    b.push_back(0x0B);
    labels_.pop_back();
    --depth_;
    return {};
  }

  // Sequence of instructions up to ')', 'end', 'else' or the end of input.
  Status instrs(Bytes& b) {
    while (true) {
      const Token& t = c_.peek();
      if (t.kind == Tok::LParen) {
        HULL_TRY(folded(b));
      } else if (t.kind == Tok::Atom) {
        if (t.text == "end" || t.text == "else") return {};
        HULL_TRY(plain(b));
      } else if (t.kind == Tok::RParen || t.kind == Tok::Eof) {
        return {};
      } else {
        return c_.unexpected();
      }
    }
  }

  Status folded(Bytes& b) {
    HULL_TRY(enter());
    c_.next();  // '('
    const Token& kw = c_.peek();
    if (kw.kind != Tok::Atom) return c_.unexpected();
    std::string_view k = kw.text;
    if (k == "block" || k == "loop" || k == "try_table") {
      c_.next();
      Op op = k == "block" ? Op::block : k == "loop" ? Op::loop : Op::try_table;
      std::string_view label;
      if (c_.at(Tok::Id)) label = c_.next().text;
      put_op(b, op);
      HULL_TRY(block_type(b));
      if (op == Op::try_table) HULL_TRY(catches(b));
      labels_.push_back(label);
      HULL_TRY(instrs(b));
      labels_.pop_back();
      b.push_back(0x0B);
    } else if (k == "if") {
      c_.next();
      std::string_view label;
      if (c_.at(Tok::Id)) label = c_.next().text;
      Bytes bt;
      HULL_TRY(block_type(bt));
      while (c_.at(Tok::LParen) && !c_.at_paren("then")) HULL_TRY(folded(b));
      put_op(b, Op::if_);
      b.insert(b.end(), bt.begin(), bt.end());
      labels_.push_back(label);
      HULL_TRY(c_.expect_lparen_kw("then"));
      HULL_TRY(instrs(b));
      HULL_TRY(c_.expect(Tok::RParen));
      if (c_.at_paren("else")) {
        c_.set_pos(c_.pos() + 2);
        b.push_back(0x05);
        HULL_TRY(instrs(b));
        HULL_TRY(c_.expect(Tok::RParen));
      }
      labels_.pop_back();
      b.push_back(0x0B);
    } else {
      size_t start = b.size();
      HULL_TRY(plain(b));
      size_t mid = b.size();
      while (c_.at(Tok::LParen)) HULL_TRY(folded(b));
      // Operands come first in the binary: move the instruction after them.
      if (mid != b.size()) std::rotate(b.begin() + start, b.begin() + mid, b.end());
    }
    --depth_;
    return c_.expect(Tok::RParen);
  }

  Status memarg(Bytes& b, Op op, uint32_t mem) {
    uint64_t offset = 0;
    uint32_t align = natural_align_log2(op_info(op).name);
    bool m64 = mem < mem64_.size() && mem64_[mem];
    if (c_.at(Tok::Atom) && c_.peek().text.substr(0, 7) == "offset=") {
      const Token& t = c_.next();
      // Offsets beyond the address range are a validation error, so read a full u64.
      LitStatus st = parse_nat(t.text.substr(7), UINT64_MAX, &offset);
      if (st == LitStatus::OutOfRange)
        return err(t, m64 ? "i64 constant out of range" : "i32 constant out of range");
      if (st != LitStatus::Ok) return err(t, "unknown operator");
    }
    if (c_.at(Tok::Atom) && c_.peek().text.substr(0, 6) == "align=") {
      const Token& t = c_.next();
      uint64_t a;
      LitStatus st = parse_nat(t.text.substr(6), UINT64_MAX, &a);
      if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
      if (st != LitStatus::Ok) return err(t, "unknown operator");
      if (a == 0 || (a & (a - 1))) return err(t, "alignment must be a power of two");
      align = 0;
      while ((uint64_t(1) << align) < a) ++align;
    }
    put_u32(b, align | (mem != 0 ? 0x40 : 0));
    if (mem != 0) put_u32(b, mem);
    put_u64(b, offset);
    return {};
  }

  Result<uint64_t> int_lit(unsigned bits) {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& t = c_.next();
    uint64_t v;
    LitStatus st = parse_int(t.text, bits, &v);
    if (st == LitStatus::OutOfRange)
      return err(t, (bits == 8 ? std::string("i8") : bits == 16 ? std::string("i16")
                     : "i" + std::to_string(bits)) + " constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    return v;
  }
  Result<uint32_t> f32_lit() {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& t = c_.next();
    uint32_t v;
    LitStatus st = parse_f32(t.text, &v);
    if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    return v;
  }
  Result<uint64_t> f64_lit() {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& t = c_.next();
    uint64_t v;
    LitStatus st = parse_f64(t.text, &v);
    if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    return v;
  }

  Status v128_const(Bytes& b) {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& shape = c_.next();
    std::string_view s = shape.text;
    uint8_t bytes[16];
    auto lane_missing = [&]() { return c_.peek().kind != Tok::Atom; };
    if (s == "i8x16" || s == "i16x8" || s == "i32x4" || s == "i64x2") {
      unsigned bits = s == "i8x16" ? 8 : s == "i16x8" ? 16 : s == "i32x4" ? 32 : 64;
      unsigned n = 128 / bits;
      for (unsigned i = 0; i < n; ++i) {
        if (lane_missing()) return c_.error("wrong number of lane literals");
        HULL_ASSIGN_OR_RETURN(uint64_t v, int_lit(bits));
        std::memcpy(bytes + i * (bits / 8), &v, bits / 8);  // little-endian host
      }
    } else if (s == "f32x4") {
      for (unsigned i = 0; i < 4; ++i) {
        if (lane_missing()) return c_.error("wrong number of lane literals");
        HULL_ASSIGN_OR_RETURN(uint32_t v, f32_lit());
        std::memcpy(bytes + i * 4, &v, 4);
      }
    } else if (s == "f64x2") {
      for (unsigned i = 0; i < 2; ++i) {
        if (lane_missing()) return c_.error("wrong number of lane literals");
        HULL_ASSIGN_OR_RETURN(uint64_t v, f64_lit());
        std::memcpy(bytes + i * 8, &v, 8);
      }
    } else {
      return err(shape, "unexpected token");
    }
    if (c_.at(Tok::Atom) && looks_numeric(c_.peek().text))
      return c_.error("wrong number of lane literals");
    b.insert(b.end(), bytes, bytes + 16);
    return {};
  }

  Result<uint32_t> lane_index() {
    if (!c_.at(Tok::Atom)) return c_.unexpected();
    const Token& t = c_.next();
    uint64_t v;
    LitStatus st = parse_nat(t.text, 255, &v);
    if (st == LitStatus::OutOfRange) return err(t, "i8 constant out of range");
    if (st != LitStatus::Ok) {
      if (parse_int(t.text, 64, &v) == LitStatus::Ok) return err(t, "i8 constant out of range");
      return err(t, "unexpected token");
    }
    return uint32_t(v);
  }

  // A plain (non-structured) instruction in flat or folded form; the mnemonic is next.
  Status plain(Bytes& b) {
    const Token& kw = c_.next();
    Op op;
    if (!op_from_name(kw.text, &op)) return err(kw, "unknown operator");
    const OpInfo& info = op_info(op);
    switch (info.imm) {
      case ImmKind::Block:
        if (op == Op::if_ || op == Op::block || op == Op::loop) return flat_block(b, op);
        return err(kw, "unexpected token");
      case ImmKind::TryTable:
        return flat_block(b, op);
      default:
        break;
    }
    if (op == Op::else_ || op == Op::end) return err(kw, "unexpected token");
    return plain_immediates(b, op, kw);
  }

  // Kept out of line so the recursion through plain() -> flat_block() stays shallow in
  // stack use (this function's frame is large, especially under sanitizers).
  [[gnu::noinline]] Status plain_immediates(Bytes& b, Op op, const Token& kw) {
    const OpInfo& info = op_info(op);
    if (op == Op::select && c_.at_paren("result")) {
      put_op(b, Op::select_t);
      std::vector<ValType> ts;
      while (c_.at_paren("result")) {
        c_.set_pos(c_.pos() + 2);
        while (!c_.at(Tok::RParen)) {
          HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
          ts.push_back(vt);
        }
        HULL_TRY(c_.expect(Tok::RParen));
      }
      put_u32(b, uint32_t(ts.size()));
      for (auto& t : ts) put_valtype(b, t);
      return {};
    }
    if (op == Op::ref_test || op == Op::ref_cast) {
      HULL_ASSIGN_OR_RETURN(ValType rt, parse_reftype());
      if (rt.nullable) op = static_cast<Op>(static_cast<unsigned>(op) + 1);
      put_op(b, op);
      put_heap(b, rt);
      return {};
    }
    put_op(b, op);
    switch (info.imm) {
      case ImmKind::None: return {};
      case ImmKind::Label: {
        HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
        put_u32(b, l);
        return {};
      }
      case ImmKind::BrTable: {
        std::vector<uint32_t> ls;
        while (c_.at_index()) {
          HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
          ls.push_back(l);
        }
        if (ls.empty()) return c_.unexpected();
        put_u32(b, uint32_t(ls.size() - 1));
        for (uint32_t l : ls) put_u32(b, l);
        return {};
      }
      case ImmKind::Func: return idx_imm(b, kFuncSp);
      case ImmKind::Global: return idx_imm(b, kGlobalSp);
      case ImmKind::Tag: return idx_imm(b, kTagSp);
      case ImmKind::Elem: return idx_imm(b, kElemSp);
      case ImmKind::Data: return idx_imm(b, kDataSp);
      case ImmKind::Type: return idx_imm(b, kTypeSp);
      case ImmKind::Local: {
        HULL_ASSIGN_OR_RETURN(uint32_t l, local_index());
        put_u32(b, l);
        return {};
      }
      case ImmKind::CallIndirect: {
        uint32_t table = 0;
        if (c_.at_index()) {
          HULL_ASSIGN_OR_RETURN(table, index(kTableSp));
        }
        TypeUse tu;
        HULL_TRY(parse_typeuse(tu, false));
        HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
        put_u32(b, ti);
        put_u32(b, table);
        return {};
      }
      case ImmKind::Table: return opt_idx_imm(b, kTableSp);
      case ImmKind::MemIdx: return opt_idx_imm(b, kMemSp);
      case ImmKind::Mem: {
        uint32_t mem = 0;
        if (c_.at_index()) {
          HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
        }
        return memarg(b, op, mem);
      }
      case ImmKind::MemLane: {
        uint32_t mem = 0;
        if (c_.at(Tok::Id)) {
          HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
        } else if (c_.at_nat()) {
          const Token& n = c_.peek(1);
          bool next_is_imm = n.kind == Tok::Atom &&
                             (looks_numeric(n.text) || n.text.substr(0, 7) == "offset=" ||
                              n.text.substr(0, 6) == "align=");
          if (next_is_imm) {
            HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
          }
        }
        HULL_TRY(memarg(b, op, mem));
        HULL_ASSIGN_OR_RETURN(uint32_t lane, lane_index());
        b.push_back(uint8_t(lane));
        return {};
      }
      case ImmKind::I32: {
        HULL_ASSIGN_OR_RETURN(uint64_t v, int_lit(32));
        put_s64(b, int32_t(uint32_t(v)));
        return {};
      }
      case ImmKind::I64: {
        HULL_ASSIGN_OR_RETURN(uint64_t v, int_lit(64));
        put_s64(b, int64_t(v));
        return {};
      }
      case ImmKind::F32: {
        HULL_ASSIGN_OR_RETURN(uint32_t v, f32_lit());
        uint8_t raw[4];
        std::memcpy(raw, &v, 4);
        b.insert(b.end(), raw, raw + 4);
        return {};
      }
      case ImmKind::F64: {
        HULL_ASSIGN_OR_RETURN(uint64_t v, f64_lit());
        uint8_t raw[8];
        std::memcpy(raw, &v, 8);
        b.insert(b.end(), raw, raw + 8);
        return {};
      }
      case ImmKind::V128: return v128_const(b);
      case ImmKind::HeapType: {
        ValType vt = ValType::ref(HeapKind::Func, true);
        HULL_TRY(parse_heaptype(&vt));
        put_heap(b, vt);
        return {};
      }
      case ImmKind::DataMem: {  // memory.init memidx? dataidx -> dataidx memidx
        uint32_t mem = 0, data;
        if (c_.at_index() && (c_.peek(1).kind == Tok::Id ||
                              (c_.peek(1).kind == Tok::Atom && looks_numeric(c_.peek(1).text)))) {
          HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
        }
        HULL_ASSIGN_OR_RETURN(data, index(kDataSp));
        put_u32(b, data);
        put_u32(b, mem);
        return {};
      }
      case ImmKind::MemMem: return two_opt_idx(b, kMemSp, kMemSp);
      case ImmKind::TableTable: return two_opt_idx(b, kTableSp, kTableSp);
      case ImmKind::ElemTable: {  // table.init tableidx? elemidx -> elemidx tableidx
        uint32_t table = 0, elem;
        if (c_.at_index() && (c_.peek(1).kind == Tok::Id ||
                              (c_.peek(1).kind == Tok::Atom && looks_numeric(c_.peek(1).text)))) {
          HULL_ASSIGN_OR_RETURN(table, index(kTableSp));
        }
        HULL_ASSIGN_OR_RETURN(elem, index(kElemSp));
        put_u32(b, elem);
        put_u32(b, table);
        return {};
      }
      case ImmKind::Lane: {
        HULL_ASSIGN_OR_RETURN(uint32_t lane, lane_index());
        b.push_back(uint8_t(lane));
        return {};
      }
      case ImmKind::Shuffle: {
        for (int i = 0; i < 16; ++i) {
          if (!c_.at(Tok::Atom)) return c_.error("invalid lane length");
          HULL_ASSIGN_OR_RETURN(uint32_t lane, lane_index());
          b.push_back(uint8_t(lane));
        }
        if (c_.at(Tok::Atom) && looks_numeric(c_.peek().text))
          return c_.error("invalid lane length");
        return {};
      }
      case ImmKind::TypeField: {
        HULL_ASSIGN_OR_RETURN(uint32_t t, index(kTypeSp));
        put_u32(b, t);
        const Token& ft = c_.peek();
        if (ft.kind == Tok::Id) {
          c_.next();
          if (t >= types_.size()) return err(ft, "unknown field");
          auto it = types_[t].fields.find(ft.text);
          if (it == types_[t].fields.end()) return err(ft, "unknown field");
          put_u32(b, it->second);
        } else {
          HULL_ASSIGN_OR_RETURN(uint32_t f, parse_u32());
          put_u32(b, f);
        }
        return {};
      }
      case ImmKind::TypeN: {
        HULL_TRY(idx_imm(b, kTypeSp));
        HULL_ASSIGN_OR_RETURN(uint32_t n, parse_u32());
        put_u32(b, n);
        return {};
      }
      case ImmKind::TypeData:
        HULL_TRY(idx_imm(b, kTypeSp));
        return idx_imm(b, kDataSp);
      case ImmKind::TypeElem:
        HULL_TRY(idx_imm(b, kTypeSp));
        return idx_imm(b, kElemSp);
      case ImmKind::TypeType:
        HULL_TRY(idx_imm(b, kTypeSp));
        return idx_imm(b, kTypeSp);
      case ImmKind::BrOnCast: {
        HULL_ASSIGN_OR_RETURN(uint32_t l, label_index());
        HULL_ASSIGN_OR_RETURN(ValType r1, parse_reftype());
        HULL_ASSIGN_OR_RETURN(ValType r2, parse_reftype());
        b.push_back(uint8_t((r1.nullable ? 1 : 0) | (r2.nullable ? 2 : 0)));
        put_u32(b, l);
        put_heap(b, r1);
        put_heap(b, r2);
        return {};
      }
      case ImmKind::SelectT:
      case ImmKind::Block:
      case ImmKind::TryTable:
        break;
    }
    return err(kw, "unknown operator");
  }

  Status idx_imm(Bytes& b, Space sp) {
    HULL_ASSIGN_OR_RETURN(uint32_t i, index(sp));
    put_u32(b, i);
    return {};
  }
  Status opt_idx_imm(Bytes& b, Space sp) {
    uint32_t i = 0;
    if (c_.at_index()) {
          HULL_ASSIGN_OR_RETURN(i, index(sp));
        }
    put_u32(b, i);
    return {};
  }
  Status two_opt_idx(Bytes& b, Space a, Space s) {
    uint32_t x = 0, y = 0;
    if (c_.at_index()) {
      HULL_ASSIGN_OR_RETURN(x, index(a));
      HULL_ASSIGN_OR_RETURN(y, index(s));
    }
    put_u32(b, x);
    put_u32(b, y);
    return {};
  }

  // A constant expression (instr*) followed by `end`, outside any function.
  Status const_expr(Bytes& b) {
    locals_.clear();
    labels_.clear();
    HULL_TRY(instrs(b));
    if (!c_.at(Tok::RParen)) return c_.unexpected();
    b.push_back(0x0B);
    return {};
  }

  // ---------------------------------------------------------------- fields
  // `(export "n")*` inline exports for index `idx` of kind `kind`.
  Status inline_exports(uint8_t kind, uint32_t idx) {
    while (c_.at_paren("export")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(std::string_view name, name_string());
      HULL_TRY(c_.expect(Tok::RParen));
      put_name(exports_, name);
      exports_.push_back(kind);
      put_u32(exports_, idx);
      ++n_exports_;
    }
    return {};
  }

  // What every definition field starts with: an optional $id, its index in `space`, inline
  // exports (export kind `kind`) and an optional inline import header.
  struct FieldHead {
    uint32_t idx;
    bool imported;
  };
  Result<FieldHead> field_head(Space space, uint8_t kind) {
    if (c_.at(Tok::Id)) c_.next();
    uint32_t idx = cur_[space]++;
    HULL_TRY(inline_exports(kind, idx));
    HULL_ASSIGN_OR_RETURN(bool imported, inline_import());
    return FieldHead{idx, imported};
  }

  // `(import "m" "n")` inline import header, if present; writes module/name.
  Result<bool> inline_import() {
    if (!c_.at_paren("import")) return false;
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(std::string_view m, name_string());
    HULL_ASSIGN_OR_RETURN(std::string_view n, name_string());
    HULL_TRY(c_.expect(Tok::RParen));
    put_name(imports_, m);
    put_name(imports_, n);
    ++n_imports_;
    return true;
  }

  // limits for an address type; returns flags bits (max present).
  Status limits(Limits& l, bool is64) {
    // 32-bit limits beyond 2^32-1 are a validation error ("table size"), not malformed.
    uint64_t max = UINT64_MAX;
    if (!c_.at_nat()) return c_.unexpected();
    const Token& t = c_.next();
    LitStatus st = parse_nat(t.text, max, &l.min);
    if (st == LitStatus::OutOfRange) return err(t, is64 ? "i64 constant out of range"
                                                        : "i32 constant out of range");
    if (st != LitStatus::Ok) return err(t, "unexpected token");
    if (c_.at_nat()) {
      const Token& u = c_.next();
      uint64_t v;
      st = parse_nat(u.text, max, &v);
      if (st == LitStatus::OutOfRange) return err(u, is64 ? "i64 constant out of range"
                                                          : "i32 constant out of range");
      if (st != LitStatus::Ok) return err(u, "unexpected token");
      l.max = v;
    }
    return {};
  }

  static void put_limits(Bytes& b, const Limits& l, uint8_t extra_flags) {
    uint8_t flags = extra_flags | (l.max ? 1 : 0) | (l.is64 ? 4 : 0) | (l.shared ? 2 : 0);
    b.push_back(flags);
    put_u64(b, l.min);
    if (l.max) put_u64(b, *l.max);
  }

  bool addrtype() {
    if (c_.at_atom("i64")) {
      c_.next();
      return true;
    }
    if (c_.at_atom("i32")) c_.next();
    return false;
  }

  // tabletype: addrtype? limits reftype
  Status tabletype(Bytes& b) {
    Limits l;
    l.is64 = addrtype();
    HULL_TRY(limits(l, l.is64));
    HULL_ASSIGN_OR_RETURN(ValType rt, parse_reftype());
    put_valtype(b, rt);
    put_limits(b, l, 0);
    return {};
  }

  // memtype: addrtype? limits shared? (pagesize n)?
  Status memtype(Bytes& b) {
    Limits l;
    l.is64 = addrtype();
    HULL_TRY(limits(l, l.is64));
    if (c_.at_atom("shared")) {
      c_.next();
      l.shared = true;
    } else if (c_.at_atom("unshared")) {
      c_.next();
    }
    int page_log2 = -1;
    if (c_.at_paren("pagesize")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(uint32_t ps, parse_u32());
      if (ps == 0 || (ps & (ps - 1))) return c_.error("invalid custom page size");
      page_log2 = 0;
      while ((1u << page_log2) < ps) ++page_log2;
      HULL_TRY(c_.expect(Tok::RParen));
    }
    put_limits(b, l, page_log2 >= 0 ? 8 : 0);
    if (page_log2 >= 0) put_u32(b, uint32_t(page_log2));
    return {};
  }

  Status globaltype(Bytes& b) {
    if (c_.at_paren("mut")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
      HULL_TRY(c_.expect(Tok::RParen));
      put_valtype(b, vt);
      b.push_back(1);
      return {};
    }
    HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
    put_valtype(b, vt);
    b.push_back(0);
    return {};
  }

  Status func_import_desc(const TypeUse& tu0) {
    TypeUse tu = tu0;
    HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
    imports_.push_back(0x00);
    put_u32(imports_, ti);
    return {};
  }

  Status parse_field() {
    c_.next();  // '('
    const Token& kw = c_.next();
    std::string_view k = kw.text;
    if (k == "type" || k == "rec") return {};
    if (k == "func") return field_func();
    if (k == "table") return field_table();
    if (k == "memory") return field_memory();
    if (k == "global") return field_global();
    if (k == "tag") return field_tag();
    if (k == "import") return field_import();
    if (k == "export") return field_export();
    if (k == "start") return field_start();
    if (k == "elem") return field_elem();
    if (k == "data") return field_data();
    return err(kw, "unknown operator");
  }

  Status field_func() {
    HULL_ASSIGN_OR_RETURN(FieldHead head, field_head(kFuncSp, 0));
    const bool imported = head.imported;
    TypeUse tu;
    HULL_TRY(parse_typeuse(tu, true));
    if (imported) {
      HULL_TRY(func_import_desc(tu));
      return c_.expect(Tok::RParen);
    }
    HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
    put_u32(funcs_, ti);
    ++n_funcs_;
    // Locals: parameters first (named only from inline params).
    locals_.clear();
    labels_.clear();
    FuncType ft = functype_of(tu);
    uint32_t nlocals = uint32_t(ft.params.size());
    for (size_t i = 0; i < tu.param_names.size(); ++i) {
      std::string_view n = tu.param_names[i];
      if (!n.empty() && !locals_.emplace(n, uint32_t(i)).second)
        return c_.error("duplicate local");
    }
    std::vector<ValType> decls;
    while (c_.at_paren("local")) {
      c_.set_pos(c_.pos() + 2);
      if (c_.at(Tok::Id)) {
        const Token& id = c_.next();
        if (!locals_.emplace(id.text, nlocals).second) return err(id, "duplicate local");
        HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
        decls.push_back(vt);
        ++nlocals;
      } else {
        while (!c_.at(Tok::RParen)) {
          HULL_ASSIGN_OR_RETURN(ValType vt, parse_valtype());
          decls.push_back(vt);
          ++nlocals;
        }
      }
      HULL_TRY(c_.expect(Tok::RParen));
    }
    if (name_section_ && !locals_.empty()) local_names_.emplace_back(head.idx, by_index(locals_));
    body_.clear();
    // Compress runs of equal local types.
    uint32_t runs = 0;
    Bytes lb;
    for (size_t i = 0; i < decls.size();) {
      size_t j = i;
      while (j < decls.size() && decls[j] == decls[i]) ++j;
      put_u32(lb, uint32_t(j - i));
      put_valtype(lb, decls[i]);
      ++runs;
      i = j;
    }
    put_u32(body_, runs);
    body_.insert(body_.end(), lb.begin(), lb.end());
    depth_ = 0;
    HULL_TRY(instrs(body_));
    if (!c_.at(Tok::RParen)) return c_.unexpected();
    c_.next();
    body_.push_back(0x0B);
    put_u32(code_, uint32_t(body_.size()));
    code_.insert(code_.end(), body_.begin(), body_.end());
    return {};
  }

  // Element list items after the reftype/func keyword; returns whether all are func indices.
  struct ElemList {
    ValType type = ValType::funcref();
    bool func_indices = true;
    std::vector<uint32_t> funcs;
    std::vector<Bytes> exprs;
    uint32_t count = 0;
  };

  Status elem_list(ElemList& el, bool allow_bare_funcs) {
    if (c_.at_atom("func")) {
      c_.next();
      while (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(uint32_t f, index(kFuncSp));
        el.funcs.push_back(f);
      }
      el.count = uint32_t(el.funcs.size());
      return {};
    }
    if (allow_bare_funcs && (c_.at_index() || c_.at(Tok::RParen))) {
      while (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(uint32_t f, index(kFuncSp));
        el.funcs.push_back(f);
      }
      el.count = uint32_t(el.funcs.size());
      return {};
    }
    HULL_ASSIGN_OR_RETURN(el.type, parse_reftype());
    el.func_indices = false;
    HULL_TRY(elem_exprs(el));
    return {};
  }

  Status elem_exprs(ElemList& el) {
    el.func_indices = false;
    while (c_.at(Tok::LParen)) {
      Bytes e;
      if (c_.at_paren("item")) {
        c_.set_pos(c_.pos() + 2);
        HULL_TRY(const_expr(e));
        c_.next();
      } else {
        HULL_TRY(folded(e));
        e.push_back(0x0B);
      }
      el.exprs.push_back(std::move(e));
    }
    el.count = uint32_t(el.exprs.size());
    return {};
  }

  // Encodes an element segment. mode: 0 active, 1 passive, 2 declarative.
  void put_elem(int mode, bool explicit_table, uint32_t table, const Bytes& offset,
                const ElemList& el) {
    bool funcs = el.func_indices && el.type == ValType::funcref();
    bool table0 = !explicit_table || table == 0;
    uint32_t flags;
    if (mode == 0) flags = (table0 && el.type == ValType::funcref()) ? 0 : 2;
    else flags = mode == 1 ? 1 : 3;
    if (!funcs) flags |= 4;
    put_u32(elems_, flags);
    if (mode == 0 && (flags & 2)) put_u32(elems_, table);
    if (mode == 0) elems_.insert(elems_.end(), offset.begin(), offset.end());
    if (flags & 3) {
      if (funcs) elems_.push_back(0x00);
      else put_valtype(elems_, el.type);
    }
    put_u32(elems_, el.count);
    if (funcs) {
      for (uint32_t f : el.funcs) put_u32(elems_, f);
    } else if (el.func_indices) {
      for (uint32_t f : el.funcs) {
        elems_.push_back(0xD2);
        put_u32(elems_, f);
        elems_.push_back(0x0B);
      }
    } else {
      for (auto& e : el.exprs) elems_.insert(elems_.end(), e.begin(), e.end());
    }
    ++n_elems_;
  }

  Status field_table() {
    HULL_ASSIGN_OR_RETURN(FieldHead head, field_head(kTableSp, 1));
    const uint32_t idx = head.idx;
    const bool imported = head.imported;
    if (imported) {
      imports_.push_back(0x01);
      HULL_TRY(tabletype(imports_));
      return c_.expect(Tok::RParen);
    }
    size_t save = c_.pos();
    bool is64 = addrtype();
    if (at_valtype()) {
      // (table addrtype? reftype (elem ...)) abbreviation.
      HULL_ASSIGN_OR_RETURN(ValType rt, parse_reftype());
      HULL_TRY(c_.expect_lparen_kw("elem"));
      ElemList el;
      el.type = rt;
      if (c_.at(Tok::LParen)) {
        HULL_TRY(elem_exprs(el));
      } else {
        HULL_TRY(elem_list(el, true));
        if (!(rt == ValType::funcref())) el.type = rt;
      }
      HULL_TRY(c_.expect(Tok::RParen));
      Limits l;
      l.is64 = is64;
      l.min = el.count;
      l.max = el.count;
      put_valtype(tables_, rt);
      put_limits(tables_, l, 0);
      ++n_tables_;
      Bytes offset;
      offset.push_back(is64 ? 0x42 : 0x41);
      offset.push_back(0);
      offset.push_back(0x0B);
      cur_[kElemSp]++;
      put_elem(0, true, idx, offset, el);
      return c_.expect(Tok::RParen);
    }
    c_.set_pos(save);
    Bytes tt;
    HULL_TRY(tabletype(tt));
    if (!c_.at(Tok::RParen)) {
      // Table with an explicit initializer expression.
      tables_.push_back(0x40);
      tables_.push_back(0x00);
      tables_.insert(tables_.end(), tt.begin(), tt.end());
      HULL_TRY(const_expr(tables_));
    } else {
      tables_.insert(tables_.end(), tt.begin(), tt.end());
    }
    ++n_tables_;
    return c_.expect(Tok::RParen);
  }

  Status field_memory() {
    HULL_ASSIGN_OR_RETURN(FieldHead head, field_head(kMemSp, 2));
    const uint32_t idx = head.idx;
    const bool imported = head.imported;
    if (imported) {
      imports_.push_back(0x02);
      HULL_TRY(memtype(imports_));
      return c_.expect(Tok::RParen);
    }
    size_t save = c_.pos();
    bool is64 = addrtype();
    int page_log2 = -1;  // custom-page-sizes proposal: (memory (pagesize n) (data ..))
    if (c_.at_paren("pagesize") && c_.peek(3).kind == Tok::RParen &&
        c_.peek(4).kind == Tok::LParen && c_.peek(5).kind == Tok::Atom &&
        c_.peek(5).text == "data") {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(uint32_t ps, parse_u32());
      if (ps == 0 || (ps & (ps - 1))) return c_.error("invalid custom page size");
      page_log2 = 0;
      while ((1u << page_log2) < ps) ++page_log2;
      HULL_TRY(c_.expect(Tok::RParen));
    }
    if (c_.at_paren("data")) {
      c_.set_pos(c_.pos() + 2);
      Bytes data;
      while (c_.at(Tok::String)) {
        std::string_view s = c_.next().text;
        data.insert(data.end(), s.begin(), s.end());
      }
      HULL_TRY(c_.expect(Tok::RParen));
      Limits l;
      l.is64 = is64;
      uint64_t page = uint64_t(1) << (page_log2 >= 0 ? page_log2 : 16);
      l.min = (data.size() + page - 1) / page;
      l.max = l.min;
      put_limits(mems_, l, page_log2 >= 0 ? 8 : 0);
      if (page_log2 >= 0) put_u32(mems_, uint32_t(page_log2));
      ++n_mems_;
      cur_[kDataSp]++;
      if (idx == 0) {
        datas_.push_back(0x00);
      } else {
        datas_.push_back(0x02);
        put_u32(datas_, idx);
      }
      datas_.push_back(is64 ? 0x42 : 0x41);
      datas_.push_back(0);
      datas_.push_back(0x0B);
      put_u32(datas_, uint32_t(data.size()));
      datas_.insert(datas_.end(), data.begin(), data.end());
      ++n_datas_;
      return c_.expect(Tok::RParen);
    }
    c_.set_pos(save);
    HULL_TRY(memtype(mems_));
    ++n_mems_;
    return c_.expect(Tok::RParen);
  }

  Status field_global() {
    HULL_ASSIGN_OR_RETURN(FieldHead head, field_head(kGlobalSp, 3));
    const bool imported = head.imported;
    if (imported) {
      imports_.push_back(0x03);
      HULL_TRY(globaltype(imports_));
      return c_.expect(Tok::RParen);
    }
    HULL_TRY(globaltype(globals_));
    HULL_TRY(const_expr(globals_));
    ++n_globals_;
    return c_.expect(Tok::RParen);
  }

  Status field_tag() {
    HULL_ASSIGN_OR_RETURN(FieldHead head, field_head(kTagSp, 4));
    const bool imported = head.imported;
    TypeUse tu;
    HULL_TRY(parse_typeuse(tu, true));
    HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
    Bytes& out = imported ? imports_ : tags_;
    if (imported) out.push_back(0x04);
    out.push_back(0x00);
    put_u32(out, ti);
    if (!imported) ++n_tags_;
    return c_.expect(Tok::RParen);
  }

  Status field_import() {
    HULL_ASSIGN_OR_RETURN(std::string_view m, name_string());
    HULL_ASSIGN_OR_RETURN(std::string_view n, name_string());
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    c_.next();
    const Token& kind = c_.next();
    if (c_.at(Tok::Id)) c_.next();
    std::string_view k = kind.text;
    Bytes desc;
    if (k == "func") {
      cur_[kFuncSp]++;
      TypeUse tu;
      HULL_TRY(parse_typeuse(tu, true));
      HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
      desc.push_back(0x00);
      put_u32(desc, ti);
    } else if (k == "table") {
      cur_[kTableSp]++;
      desc.push_back(0x01);
      HULL_TRY(tabletype(desc));
    } else if (k == "memory") {
      cur_[kMemSp]++;
      desc.push_back(0x02);
      HULL_TRY(memtype(desc));
    } else if (k == "global") {
      cur_[kGlobalSp]++;
      desc.push_back(0x03);
      HULL_TRY(globaltype(desc));
    } else if (k == "tag") {
      cur_[kTagSp]++;
      TypeUse tu;
      HULL_TRY(parse_typeuse(tu, true));
      HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
      desc.push_back(0x04);
      desc.push_back(0x00);
      put_u32(desc, ti);
    } else {
      return err(kind, "unexpected token");
    }
    HULL_TRY(c_.expect(Tok::RParen));
    put_name(imports_, m);
    put_name(imports_, n);
    imports_.insert(imports_.end(), desc.begin(), desc.end());
    ++n_imports_;
    return c_.expect(Tok::RParen);
  }

  Status field_export() {
    HULL_ASSIGN_OR_RETURN(std::string_view name, name_string());
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    c_.next();
    const Token& kind = c_.next();
    std::string_view k = kind.text;
    uint8_t kb;
    Space sp;
    if (k == "func") { kb = 0; sp = kFuncSp; }
    else if (k == "table") { kb = 1; sp = kTableSp; }
    else if (k == "memory") { kb = 2; sp = kMemSp; }
    else if (k == "global") { kb = 3; sp = kGlobalSp; }
    else if (k == "tag") { kb = 4; sp = kTagSp; }
    else return err(kind, "unexpected token");
    HULL_ASSIGN_OR_RETURN(uint32_t idx, index(sp));
    HULL_TRY(c_.expect(Tok::RParen));
    put_name(exports_, name);
    exports_.push_back(kb);
    put_u32(exports_, idx);
    ++n_exports_;
    return c_.expect(Tok::RParen);
  }

  Status field_start() {
    const Token& t = c_.peek();
    HULL_ASSIGN_OR_RETURN(uint32_t f, index(kFuncSp));
    if (has_start_) return err(t, "multiple start sections");
    has_start_ = true;
    start_ = f;
    return c_.expect(Tok::RParen);
  }

  // (offset instr*) or a single folded instruction.
  Status offset_expr(Bytes& b) {
    if (c_.at_paren("offset")) {
      c_.set_pos(c_.pos() + 2);
      HULL_TRY(const_expr(b));
      return c_.expect(Tok::RParen);
    }
    if (!c_.at(Tok::LParen)) return c_.unexpected();
    locals_.clear();
    labels_.clear();
    HULL_TRY(folded(b));
    b.push_back(0x0B);
    return {};
  }

  Status field_elem() {
    if (c_.at(Tok::Id)) c_.next();
    cur_[kElemSp]++;
    ElemList el;
    if (c_.at_atom("declare")) {
      c_.next();
      HULL_TRY(elem_list(el, false));
      put_elem(2, false, 0, {}, el);
      return c_.expect(Tok::RParen);
    }
    bool explicit_table = false;
    uint32_t table = 0;
    if (c_.at_paren("table")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(table, index(kTableSp));
      HULL_TRY(c_.expect(Tok::RParen));
      explicit_table = true;
    } else if (c_.at_index()) {
      // Legacy form: a bare table index before the offset.
      HULL_ASSIGN_OR_RETURN(table, index(kTableSp));
      explicit_table = true;
    }
    bool active = explicit_table || c_.at_paren("offset") ||
                  (c_.at(Tok::LParen) && !c_.at_paren("item") && !c_.at_paren("ref"));
    if (!active) {
      HULL_TRY(elem_list(el, false));
      put_elem(1, false, 0, {}, el);
      return c_.expect(Tok::RParen);
    }
    Bytes offset;
    HULL_TRY(offset_expr(offset));
    HULL_TRY(elem_list(el, true));
    put_elem(0, explicit_table, table, offset, el);
    return c_.expect(Tok::RParen);
  }

  Status field_data() {
    if (c_.at(Tok::Id)) c_.next();
    cur_[kDataSp]++;
    Bytes seg;
    if (c_.at(Tok::String) || c_.at(Tok::RParen)) {
      seg.push_back(0x01);
    } else {
      uint32_t mem = 0;
      if (c_.at_paren("memory")) {
        c_.set_pos(c_.pos() + 2);
        HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
        HULL_TRY(c_.expect(Tok::RParen));
      } else if (c_.at_index()) {
        HULL_ASSIGN_OR_RETURN(mem, index(kMemSp));
      }
      if (mem == 0) {
        seg.push_back(0x00);
      } else {
        seg.push_back(0x02);
        put_u32(seg, mem);
      }
      HULL_TRY(offset_expr(seg));
    }
    Bytes data;
    while (c_.at(Tok::String)) {
      std::string_view s = c_.next().text;
      data.insert(data.end(), s.begin(), s.end());
    }
    put_u32(seg, uint32_t(data.size()));
    seg.insert(seg.end(), data.begin(), data.end());
    datas_.insert(datas_.end(), seg.begin(), seg.end());
    ++n_datas_;
    return c_.expect(Tok::RParen);
  }

  // ---------------------------------------------------------------- output
  static void section(Bytes& out, uint8_t id, uint32_t count, const Bytes& body) {
    Bytes tmp;
    put_u32(tmp, count);
    out.push_back(id);
    put_u32(out, uint32_t(tmp.size() + body.size()));
    out.insert(out.end(), tmp.begin(), tmp.end());
    out.insert(out.end(), body.begin(), body.end());
  }

  Result<Bytes> assemble() {
    Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    if (type_groups_) section(out, 1, type_groups_, type_sec_);
    if (n_imports_) section(out, 2, n_imports_, imports_);
    if (n_funcs_) section(out, 3, n_funcs_, funcs_);
    if (n_tables_) section(out, 4, n_tables_, tables_);
    if (n_mems_) section(out, 5, n_mems_, mems_);
    if (n_tags_) section(out, 13, n_tags_, tags_);
    if (n_globals_) section(out, 6, n_globals_, globals_);
    if (n_exports_) section(out, 7, n_exports_, exports_);
    if (has_start_) {
      Bytes s;
      put_u32(s, start_);
      out.push_back(8);
      put_u32(out, uint32_t(s.size()));
      out.insert(out.end(), s.begin(), s.end());
    }
    if (n_elems_) section(out, 9, n_elems_, elems_);
    if (need_datacount_) {  // only needed when code refers to data segments
      Bytes s;
      put_u32(s, n_datas_);
      out.push_back(12);
      put_u32(out, uint32_t(s.size()));
      out.insert(out.end(), s.begin(), s.end());
    }
    if (n_funcs_) section(out, 10, n_funcs_, code_);
    if (n_datas_) section(out, 11, n_datas_, datas_);
    if (name_section_) append_name_section(out);
    return out;
  }

  using NameMap = std::vector<std::pair<uint32_t, std::string_view>>;

  // The (index, name) pairs of an identifier table, by index: the name section's order.
  static NameMap by_index(const std::unordered_map<std::string_view, uint32_t>& ids) {
    NameMap m;
    m.reserve(ids.size());
    for (const auto& [name, idx] : ids) m.emplace_back(idx, name);
    std::sort(m.begin(), m.end());
    return m;
  }

  static void put_name_map(Bytes& b, const NameMap& m) {
    put_u32(b, uint32_t(m.size()));
    for (const auto& [idx, name] : m) {
      put_u32(b, idx);
      put_name(b, name);
    }
  }

  // The "name" custom section (spec appendix "Name Section"): module name (subsection 0),
  // function names (1) and local names (2), each map sorted by index. Nothing without ids.
  void append_name_section(Bytes& out) {
    Bytes contents;
    auto subsection = [&](uint8_t id, const Bytes& payload) {
      contents.push_back(id);
      put_u32(contents, uint32_t(payload.size()));
      contents.insert(contents.end(), payload.begin(), payload.end());
    };
    if (!module_name_.empty()) {
      Bytes p;
      put_name(p, module_name_);
      subsection(0, p);
    }
    if (!names_[kFuncSp].empty()) {
      Bytes p;
      put_name_map(p, by_index(names_[kFuncSp]));
      subsection(1, p);
    }
    if (!local_names_.empty()) {
      std::sort(local_names_.begin(), local_names_.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      Bytes p;
      put_u32(p, uint32_t(local_names_.size()));
      for (const auto& [func, locals] : local_names_) {
        put_u32(p, func);
        put_name_map(p, locals);
      }
      subsection(2, p);
    }
    if (contents.empty()) return;
    Bytes section_body;
    put_name(section_body, "name");
    section_body.insert(section_body.end(), contents.begin(), contents.end());
    out.push_back(0);
    put_u32(out, uint32_t(section_body.size()));
    out.insert(out.end(), section_body.begin(), section_body.end());
  }

  Cursor& c_;
  std::string_view module_name_;
  bool name_section_ = true;
  // Per defined function with named locals: its index and (local index, name), sorted.
  std::vector<std::pair<uint32_t, NameMap>> local_names_;
  std::vector<size_t> fields_;
  std::unordered_map<std::string_view, uint32_t> names_[kNumSpaces];
  uint32_t counts_[kNumSpaces] = {};
  uint32_t cur_[kNumSpaces] = {};
  std::vector<bool> mem64_, table64_;
  std::vector<TypeInfo> types_;
  std::unordered_map<std::string, uint32_t> simple_types_;  // encoded func type -> index
  Bytes type_sec_;
  uint32_t type_groups_ = 0;
  Bytes imports_, funcs_, tables_, mems_, tags_, globals_, exports_, elems_, code_, datas_;
  uint32_t n_imports_ = 0, n_funcs_ = 0, n_tables_ = 0, n_mems_ = 0, n_tags_ = 0,
           n_globals_ = 0, n_exports_ = 0, n_elems_ = 0, n_datas_ = 0;
  bool has_start_ = false;
  uint32_t start_ = 0;
  bool need_datacount_ = false;
  // Function-body state.
  std::unordered_map<std::string_view, uint32_t> locals_;
  std::vector<std::string_view> labels_;
  Bytes body_;
  uint32_t depth_ = 0;
  uintptr_t stack_base_ = 0;
  static constexpr uintptr_t kStackBudget = 1 << 20;
};

}  // namespace

Result<std::vector<uint8_t>> encode_module_fields(Cursor& c, std::string_view module_name,
                                                  bool name_section) {
  return ModuleParser(c, module_name, name_section).run();
}

}  // namespace hull::text
