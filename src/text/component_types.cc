// Component text parser, types: core and module types, value types (hoisting inline ones), func,
// component and instance types, import/export descriptions.
#include "text/component_parser_impl.h"
#include "text/lexer.h"
#include "text/module_parser.h"

namespace hull::text::component_impl {

Result<ValType> ComponentParser::core_valtype() {
  const Token& t = c_.peek();
  if (t.kind == Tok::Atom) {
    std::string_view s = t.text;
    c_.next();
    if (s == "i32") return ValType::i32();
    if (s == "i64") return ValType::i64();
    if (s == "f32") return ValType::f32();
    if (s == "f64") return ValType::f64();
    if (s == "v128") return ValType::v128();
    if (s == "funcref") return ValType::ref(HeapKind::Func, true);
    if (s == "externref") return ValType::ref(HeapKind::Extern, true);
    if (s == "anyref") return ValType::ref(HeapKind::Any, true);
    if (s == "eqref") return ValType::ref(HeapKind::Eq, true);
    if (s == "i31ref") return ValType::ref(HeapKind::I31, true);
    if (s == "structref") return ValType::ref(HeapKind::Struct, true);
    if (s == "arrayref") return ValType::ref(HeapKind::Array, true);
    if (s == "exnref") return ValType::ref(HeapKind::Exn, true);
    return err(t, "unknown core value type");
  }
  if (!c_.at_paren("ref")) return c_.unexpected();
  c_.set_pos(c_.pos() + 2);
  ValType vt = ValType::ref(HeapKind::Func, false);
  if (c_.at_atom("null")) {
    c_.next();
    vt.nullable = true;
  }
  if (c_.at(Tok::Atom) && abstract_heap_type(c_.peek().text, &vt.heap)) {
    c_.next();
  } else {
    HULL_ASSIGN_OR_RETURN(vt.index, index(kCoreType));
    vt.heap = HeapKind::Concrete;
  }
  HULL_TRY(close());
  return vt;
}

// (param ..)* (result ..)* of a core function type.
Status ComponentParser::core_params_results(FuncType& ft) {
  while (c_.at_paren("param")) {
    c_.set_pos(c_.pos() + 2);
    bool named = c_.at(Tok::Id);
    if (named) c_.next();
    while (!c_.at(Tok::RParen)) {
      HULL_ASSIGN_OR_RETURN(ValType vt, core_valtype());
      ft.params.push_back(vt);
      if (named) break;
    }
    HULL_TRY(close());
  }
  while (c_.at_paren("result")) {
    c_.set_pos(c_.pos() + 2);
    while (!c_.at(Tok::RParen)) {
      HULL_ASSIGN_OR_RETURN(ValType vt, core_valtype());
      ft.results.push_back(vt);
    }
    HULL_TRY(close());
  }
  return {};
}

// A core deftype after `(core type $id?` / `(type $id?` in a module type: func, struct,
// array, sub or module.
Status ComponentParser::core_deftype(Bytes& b, FuncType* ft_out, std::string_view scope_id,
                                     bool in_rec) {
  HULL_TRY(enter());
  Nest nest{depth_};
  if (c_.at_paren("func")) {
    c_.set_pos(c_.pos() + 2);
    FuncType ft;
    HULL_TRY(core_params_results(ft));
    HULL_TRY(close());
    put_functype(b, ft);
    if (ft_out) *ft_out = ft;
    return {};
  }
  if (c_.at_paren("module")) {
    c_.set_pos(c_.pos() + 2);
    push_scope(ScopeKind::ModuleType, scope_id);
    while (!c_.at(Tok::RParen)) HULL_TRY(module_type_decl());
    c_.next();
    Bytes mt = finish_type_scope(0x50);
    b.insert(b.end(), mt.begin(), mt.end());
    return {};
  }
  if (c_.at_paren("struct") || c_.at_paren("array")) {
    bool is_struct = c_.at_paren("struct");
    c_.set_pos(c_.pos() + 2);
    std::vector<FieldType> fields;
    if (is_struct) {
      while (c_.at_paren("field")) {
        c_.set_pos(c_.pos() + 2);
        bool named = c_.at(Tok::Id);
        if (named) c_.next();
        while (!c_.at(Tok::RParen)) {
          FieldType f;
          HULL_TRY(core_storage(f));
          fields.push_back(f);
          if (named) break;
        }
        HULL_TRY(close());
      }
      b.push_back(0x5F);
      put_u32(b, uint32_t(fields.size()));
      for (auto& f : fields) put_field(b, f);
    } else {
      FieldType f;
      HULL_TRY(core_storage(f));
      b.push_back(0x5E);
      put_field(b, f);
    }
    return close();
  }
  if (c_.at_paren("sub")) {
    c_.set_pos(c_.pos() + 2);
    bool final = c_.at_atom("final");
    if (final) c_.next();
    std::vector<uint32_t> supers;
    while (c_.at_index()) {
      HULL_ASSIGN_OR_RETURN(uint32_t s, index(kCoreType));
      supers.push_back(s);
    }
    // A non-final sub directly in a component's core type is prefixed with 0x00 (Binary.md:
    // 0x50 also starts a module type); in rec groups and module types it is not ambiguous.
    // A final type without supertypes is written as the bare comptype, as wasm-tools does.
    if (!final && !in_rec && cur().kind != ScopeKind::ModuleType) b.push_back(0x00);
    if (!final || !supers.empty()) {
      b.push_back(final ? 0x4F : 0x50);
      put_u32(b, uint32_t(supers.size()));
      for (uint32_t s : supers) put_u32(b, s);
    }
    HULL_TRY(core_deftype(b, nullptr));
    return close();
  }
  return c_.error("expected a core type definition");
}

Status ComponentParser::core_storage(FieldType& f) {
  bool mut = c_.at_paren("mut");
  if (mut) c_.set_pos(c_.pos() + 2);
  f.mut = mut;
  if (c_.at_atom("i8")) {
    c_.next();
    f.packed = Packed::I8;
  } else if (c_.at_atom("i16")) {
    c_.next();
    f.packed = Packed::I16;
  } else {
    HULL_ASSIGN_OR_RETURN(f.type, core_valtype());
  }
  if (mut) HULL_TRY(close());
  return {};
}

// (core type $id? deftype)
Status ComponentParser::core_type_field() {
  const Token* id = opt_id();
  // GC types may refer to themselves, so their name is bound first (a module type's is not,
  // as in wast).
  bool module = c_.at_paren("module");
  if (!module) HULL_TRY(define(kCoreType, id));
  Bytes b;
  HULL_TRY(core_deftype(b, nullptr, id ? id->text : std::string_view{}));
  HULL_TRY(close());
  emit(ItemKind::CoreType, std::move(b));
  return module ? define(kCoreType, id) : Status{};
}

// After `(core rec`: `(type $id? subtype)*` as one rec group; every name is bound first.
Status ComponentParser::core_rec_field() {
  size_t start = c_.pos();
  while (c_.at_paren("type")) {
    size_t p = c_.pos();
    c_.set_pos(p + 2);
    HULL_TRY(define(kCoreType, opt_id()));
    c_.set_pos(p);
    c_.skip_sexpr();
  }
  c_.set_pos(start);
  Bytes b = {0x4E};
  Bytes group;
  uint32_t n = 0;
  while (c_.at_paren("type")) {
    c_.set_pos(c_.pos() + 2);
    opt_id();
    if (c_.at_paren("sub")) {
      HULL_TRY(core_deftype(group, nullptr, {}, true));
    } else {
      HULL_TRY(core_deftype(group, nullptr));
    }
    HULL_TRY(close());
    ++n;
  }
  HULL_TRY(close());
  put_u32(b, n);
  b.insert(b.end(), group.begin(), group.end());
  emit(ItemKind::CoreType, std::move(b));
  return {};
}

Status ComponentParser::limits(Bytes& b, bool table) {
  bool is64 = false;
  if (c_.at_atom("i64")) {
    c_.next();
    is64 = true;
  } else if (c_.at_atom("i32")) {
    c_.next();
  }
  Limits l;
  l.is64 = is64;
  HULL_ASSIGN_OR_RETURN(uint32_t mn, u32());
  l.min = mn;
  if (c_.at_nat()) {
    HULL_ASSIGN_OR_RETURN(uint32_t mx, u32());
    l.max = mx;
  }
  if (!table && c_.at_atom("shared")) {
    c_.next();
    l.shared = true;
  }
  if (table) {
    HULL_ASSIGN_OR_RETURN(ValType rt, core_valtype());
    put_valtype(b, rt);
  }
  put_limits(b, l, 0);
  return {};
}

// A core function type use inside a module type: `(type $t)` or inline params/results,
// reusing an identical explicitly declared function type (as wast does).
Result<uint32_t> ComponentParser::module_type_func_use() {
  if (c_.at_paren("type")) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(uint32_t t, index(kCoreType));
    HULL_TRY(close());
    FuncType ignored;
    HULL_TRY(core_params_results(ignored));
    return t;
  }
  FuncType ft;
  HULL_TRY(core_params_results(ft));
  Bytes key;
  put_functype(key, ft);
  std::string k(key.begin(), key.end());
  auto it = cur().core_func_types.find(k);
  if (it != cur().core_func_types.end()) return it->second;
  // Only explicit `(type ..)` declarations are reused; wast does not reuse generated ones.
  emit_hoisted(ItemKind::CoreType, key);
  return cur().count[kCoreType]++;
}

// A core import/export description `(func|table|memory|global|tag $id? ...)`.
Status ComponentParser::core_extern_desc(Bytes& b, bool def) {
  if (!c_.at(Tok::LParen)) return c_.unexpected();
  c_.next();
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  std::string_view k = c_.next().text;
  const Token* id = opt_id();
  if (k == "func" || k == "tag") {
    HULL_ASSIGN_OR_RETURN(uint32_t t, module_type_func_use());
    if (k == "tag") {
      b.push_back(0x04);
      b.push_back(0x00);
    } else {
      b.push_back(0x00);
    }
    put_u32(b, t);
    if (def) HULL_TRY(define(k == "func" ? kCoreFunc : kCoreTag, id));
  } else if (k == "table") {
    b.push_back(0x01);
    HULL_TRY(limits(b, true));
    if (def) HULL_TRY(define(kCoreTable, id));
  } else if (k == "memory") {
    b.push_back(0x02);
    HULL_TRY(limits(b, false));
    if (def) HULL_TRY(define(kCoreMemory, id));
  } else if (k == "global") {
    b.push_back(0x03);
    bool mut = c_.at_paren("mut");
    if (mut) c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(ValType vt, core_valtype());
    if (mut) HULL_TRY(close());
    put_valtype(b, vt);
    b.push_back(mut ? 1 : 0);
    if (def) HULL_TRY(define(kCoreGlobal, id));
  } else {
    return c_.error("unknown core import kind");
  }
  return close();
}

Status ComponentParser::module_type_decl() {
  if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
  std::string_view k = c_.peek(1).text;
  c_.set_pos(c_.pos() + 2);
  if (k == "import") {
    Bytes b;
    HULL_ASSIGN_OR_RETURN(std::string_view m, name());
    HULL_ASSIGN_OR_RETURN(std::string_view n, name());
    put_name(b, m);
    put_name(b, n);
    HULL_TRY(core_extern_desc(b));
    emit(ItemKind::Import, std::move(b));
    return close();
  }
  if (k == "export") {
    Bytes b;
    HULL_ASSIGN_OR_RETURN(std::string_view n, name());
    put_name(b, n);
    // Exports do not add to the module type's index spaces.
    HULL_TRY(core_extern_desc(b, false));
    emit(ItemKind::Export, std::move(b));
    return close();
  }
  if (k == "type") {
    const Token* id = opt_id();
    uint32_t idx = cur().count[kCoreType];
    HULL_TRY(define(kCoreType, id));  // bound first: a type may refer to itself
    Bytes b;
    FuncType ft;
    bool is_func = c_.at_paren("func");
    HULL_TRY(core_deftype(b, &ft));
    HULL_TRY(close());
    if (is_func) cur().core_func_types.emplace(std::string(b.begin(), b.end()), idx);
    emit(ItemKind::CoreType, std::move(b));
    return {};
  }
  if (k == "rec") return core_rec_field();
  if (k == "alias") {
    // (alias outer $C $t (type $id?))
    HULL_TRY(open_atom("outer"));
    HULL_ASSIGN_OR_RETURN(uint32_t depth, outer_depth());
    HULL_ASSIGN_OR_RETURN(uint32_t idx, outer_index(depth, kCoreType));
    HULL_TRY(open("type"));
    const Token* id = opt_id();
    HULL_TRY(close());
    HULL_TRY(close());
    Bytes b = {0x10, 0x01};
    put_u32(b, depth);
    put_u32(b, idx);
    emit(ItemKind::Alias, std::move(b));
    return define(kCoreType, id);
  }
  return c_.error("unknown module type declaration");
}

Status ComponentParser::open_atom(std::string_view kw) {
  if (!c_.at_atom(kw)) return c_.unexpected();
  c_.next();
  return {};
}

bool ComponentParser::at_typeref() const {
  return c_.at_paren("type") &&
         (c_.peek(2).kind == Tok::Id || (c_.peek(2).kind == Tok::Atom && !c_.peek(2).text.empty() &&
                                         c_.peek(2).text[0] >= '0' && c_.peek(2).text[0] <= '9')) &&
         c_.peek(3).kind == Tok::RParen;
}

// A component value type; inline compound types are hoisted into type definitions.
Status ComponentParser::valtype(Bytes& b) {
  const Token& t = c_.peek();
  uint8_t p;
  if (t.kind == Tok::Atom && primitive(t.text, &p)) {
    c_.next();
    b.push_back(p);
    return {};
  }
  if (t.kind == Tok::Id || c_.at_nat()) {
    HULL_ASSIGN_OR_RETURN(uint32_t idx, index(kType));
    put_s64(b, idx);
    return {};
  }
  if (!c_.at(Tok::LParen)) return c_.error("expected a value type");
  HULL_ASSIGN_OR_RETURN(uint32_t idx, hoist([&](Bytes& d) { return defvaltype(d); }));
  put_s64(b, idx);
  return {};
}

// Parses an inline type definition with `parse` and hoists it; returns its type index.
template <typename F>
Result<uint32_t> ComponentParser::hoist(F parse) {
  cur().hoisting++;
  Bytes d;
  Status st = parse(d);
  cur().hoisting--;
  HULL_TRY(st);
  emit_hoisted(ItemKind::Type, std::move(d));
  return cur().count[kType]++;
}

// defvaltype: a primitive or `(record|variant|list|tuple|flags|enum|option|result|own|
// borrow|stream|future|map ...)`.
Status ComponentParser::defvaltype(Bytes& b) {
  HULL_TRY(enter());
  Nest nest{depth_};
  const Token& t = c_.peek();
  uint8_t p;
  if (t.kind == Tok::Atom && primitive(t.text, &p)) {
    c_.next();
    b.push_back(p);
    return {};
  }
  if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.error("expected a type");
  c_.next();
  const Token& kw = c_.next();
  std::string_view k = kw.text;
  if (k == "record") {
    b.push_back(0x72);
    Bytes fs;
    uint32_t n = 0;
    while (c_.at_paren("field")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(std::string_view l, name());
      put_name(fs, l);
      HULL_TRY(valtype(fs));
      HULL_TRY(close());
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), fs.begin(), fs.end());
  } else if (k == "variant") {
    b.push_back(0x71);
    Bytes cs;
    uint32_t n = 0;
    std::unordered_map<std::string_view, uint32_t> case_ids;
    while (c_.at_paren("case")) {
      c_.set_pos(c_.pos() + 2);
      if (c_.at(Tok::Id)) {
        const Token& cid = c_.next();
        if (!case_ids.emplace(cid.text, n).second)
          return err(cid, "duplicate variant case identifier $" + std::string(cid.text));
      }
      HULL_ASSIGN_OR_RETURN(std::string_view l, name());
      put_name(cs, l);
      if (!c_.at(Tok::RParen) && !c_.at_paren("refines")) {
        cs.push_back(0x01);
        HULL_TRY(valtype(cs));
      } else {
        cs.push_back(0x00);
      }
      if (c_.at_paren("refines")) {
        c_.set_pos(c_.pos() + 2);
        uint32_t r = 0;
        if (c_.at(Tok::Id)) {
          const Token& rt = c_.next();
          auto it = case_ids.find(rt.text);
          if (it == case_ids.end()) return err(rt, "unknown variant case");
          r = it->second;
        } else {
          HULL_ASSIGN_OR_RETURN(r, u32());
        }
        HULL_TRY(close());
        cs.push_back(0x01);
        put_u32(cs, r);
      } else {
        cs.push_back(0x00);
      }
      HULL_TRY(close());
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), cs.begin(), cs.end());
  } else if (k == "list") {
    Bytes e;
    HULL_TRY(valtype(e));
    if (c_.at_nat()) {
      HULL_ASSIGN_OR_RETURN(uint32_t len, u32());
      b.push_back(0x67);
      b.insert(b.end(), e.begin(), e.end());
      put_u32(b, len);
    } else {
      b.push_back(0x70);
      b.insert(b.end(), e.begin(), e.end());
    }
  } else if (k == "tuple") {
    b.push_back(0x6f);
    Bytes ts;
    uint32_t n = 0;
    while (!c_.at(Tok::RParen)) {
      HULL_TRY(valtype(ts));
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), ts.begin(), ts.end());
  } else if (k == "flags" || k == "enum") {
    b.push_back(k == "flags" ? 0x6e : 0x6d);
    Bytes ls;
    uint32_t n = 0;
    while (c_.at(Tok::String)) {
      HULL_ASSIGN_OR_RETURN(std::string_view l, name());
      put_name(ls, l);
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), ls.begin(), ls.end());
  } else if (k == "option") {
    b.push_back(0x6b);
    HULL_TRY(valtype(b));
  } else if (k == "result") {
    b.push_back(0x6a);
    if (!c_.at(Tok::RParen) && !c_.at_paren("error")) {
      b.push_back(0x01);
      HULL_TRY(valtype(b));
    } else {
      b.push_back(0x00);
    }
    if (c_.at_paren("error")) {
      c_.set_pos(c_.pos() + 2);
      b.push_back(0x01);
      HULL_TRY(valtype(b));
      HULL_TRY(close());
    } else {
      b.push_back(0x00);
    }
  } else if (k == "own" || k == "borrow") {
    b.push_back(k == "own" ? 0x69 : 0x68);
    HULL_ASSIGN_OR_RETURN(uint32_t idx, index(kType));
    put_u32(b, idx);
  } else if (k == "stream" || k == "future") {
    b.push_back(k == "stream" ? 0x66 : 0x65);
    if (c_.at(Tok::RParen)) {
      b.push_back(0x00);
    } else {
      b.push_back(0x01);
      HULL_TRY(valtype(b));
    }
  } else if (k == "map") {
    b.push_back(0x63);
    HULL_TRY(valtype(b));
    HULL_TRY(valtype(b));
  } else {
    return err(kw, "unknown type constructor `" + std::string(k) + "`");
  }
  return close();
}

// Body of a component func type after `func`: async? (param "n" t)* (result t)?
Status ComponentParser::functype_body(Bytes& b) {
  bool async = false;
  if (c_.at_atom("async")) {
    c_.next();
    async = true;
  }
  b.push_back(async ? 0x43 : 0x40);
  Bytes ps;
  uint32_t n = 0;
  while (c_.at_paren("param")) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(std::string_view l, name());
    put_name(ps, l);
    HULL_TRY(valtype(ps));
    HULL_TRY(close());
    ++n;
  }
  put_u32(b, n);
  b.insert(b.end(), ps.begin(), ps.end());
  HULL_TRY(resultlist(b));
  return {};
}

// resultlist: `(result t)` -> 0x00 t, none -> 0x01 0x00.
Status ComponentParser::resultlist(Bytes& b) {
  if (c_.at_paren("result")) {
    c_.set_pos(c_.pos() + 2);
    if (c_.at(Tok::String)) c_.next();  // legacy named result
    b.push_back(0x00);
    HULL_TRY(valtype(b));
    HULL_TRY(close());
    if (c_.at_paren("result")) return c_.error("multiple results");
    return {};
  }
  b.push_back(0x01);
  b.push_back(0x00);
  return {};
}

// Body of `(component decl*)` / `(instance decl*)` type after the keyword.
Status ComponentParser::component_type_body(Bytes& b, bool instance, std::string_view scope_id) {
  HULL_TRY(enter());
  Nest nest{depth_};
  push_scope(instance ? ScopeKind::InstanceType : ScopeKind::ComponentType, scope_id);
  Status st = type_decls(instance);
  if (!st.ok()) {
    scopes_.pop_back();
    return st;
  }
  Bytes t = finish_type_scope(instance ? 0x42 : 0x41);
  b.insert(b.end(), t.begin(), t.end());
  return {};
}

Status ComponentParser::type_decls(bool instance) {
  while (!c_.at(Tok::RParen)) {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    const Token& kw = c_.peek(1);
    std::string_view k = kw.text;
    if (k == "core" && at_core("type")) {
      c_.set_pos(c_.pos() + 3);
      HULL_TRY(core_type_field());
    } else if (k == "type") {
      c_.set_pos(c_.pos() + 2);
      size_t p = c_.pos();
      if (c_.at(Tok::Id)) c_.next();
      if (c_.at_paren("export")) return c_.error("unexpected token: inline export in a type");
      c_.set_pos(p);
      HULL_TRY(type_field());
    } else if (k == "alias") {
      c_.set_pos(c_.pos() + 2);
      HULL_TRY(alias_field());
    } else if (k == "export" || (k == "import" && !instance)) {
      c_.set_pos(c_.pos() + 2);
      Bytes b;
      HULL_TRY(extern_name(b));
      HULL_TRY(extern_desc(b));
      HULL_TRY(close());
      emit(k == "import" ? ItemKind::Import : ItemKind::Export, std::move(b));
    } else {
      return err(kw, "unexpected " + std::string(k) + " in a component or instance type");
    }
  }
  return {};
}

// A core module type use: `(type $t)`, or module type declarations hoisted into a core type.
Result<uint32_t> ComponentParser::module_type_use() {
  if (at_typeref()) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(uint32_t t, index(kCoreType));
    HULL_TRY(close());
    return t;
  }
  cur().hoisting++;
  push_scope(ScopeKind::ModuleType, {});
  while (!c_.at(Tok::RParen)) HULL_TRY(module_type_decl());  // an error ends the whole parse
  Bytes mt = finish_type_scope(0x50);
  cur().hoisting--;
  emit_hoisted(ItemKind::CoreType, std::move(mt));
  return cur().count[kCoreType]++;
}

// externdesc: `(core module $id? tu)`, `(func $id? tu)`, `(component ..)`, `(instance ..)`,
// `(value $id? t)`, `(type $id? bound)`. Defines the index it introduces.
Status ComponentParser::extern_desc(Bytes& b, bool def) {
  if (!c_.at(Tok::LParen)) return c_.unexpected();
  c_.next();
  Sort s;
  const Token& kwt = c_.peek();
  if (!sort_kw(&s, false)) return err(kwt, "expected an import/export kind");
  const Token* id = opt_id();
  switch (s) {
    case kCoreModule: {
      HULL_ASSIGN_OR_RETURN(uint32_t t, module_type_use());
      b.push_back(0x00);
      b.push_back(0x11);
      put_u32(b, t);
      break;
    }
    case kFunc:
    case kComponent:
    case kInstance: {
      uint32_t t;
      HULL_ASSIGN_OR_RETURN(t, type_use(s));
      b.push_back(s == kFunc ? 0x01 : s == kComponent ? 0x04 : 0x05);
      put_u32(b, t);
      break;
    }
    case kValue:
      // Binary.md's valuebound: 0x00 (eq v) | 0x01 valtype. (wasm-tools writes the valtype
      // without the 0x01; we follow Binary.md, as src/component's decoder does.)
      b.push_back(0x02);
      if (c_.at_paren("eq")) {
        c_.set_pos(c_.pos() + 2);
        b.push_back(0x00);
        HULL_ASSIGN_OR_RETURN(uint32_t v, index(kValue));
        put_u32(b, v);
        HULL_TRY(close());
      } else if (at_typeref()) {  // `(type $t)`: a value of a defined type
        c_.set_pos(c_.pos() + 2);
        b.push_back(0x01);
        HULL_ASSIGN_OR_RETURN(uint32_t t, index(kType));
        put_s64(b, t);
        HULL_TRY(close());
      } else {
        b.push_back(0x01);
        HULL_TRY(valtype(b));
      }
      break;
    case kType:
      b.push_back(0x03);
      if (c_.at_paren("eq")) {
        c_.set_pos(c_.pos() + 2);
        b.push_back(0x00);
        HULL_ASSIGN_OR_RETURN(uint32_t t, index(kType));
        put_u32(b, t);
        HULL_TRY(close());
      } else if (c_.at_paren("sub")) {
        c_.set_pos(c_.pos() + 2);
        HULL_TRY(open_atom("resource"));
        HULL_TRY(close());
        b.push_back(0x01);
      } else {
        return c_.error("expected (eq ..) or (sub resource)");
      }
      break;
    default: return err(kwt, "invalid import/export kind");
  }
  HULL_TRY(close());
  return def ? define(s, id) : Status{};
}

// A type use for a func/component/instance: `(type idx)` or an inline definition, hoisted.
Result<uint32_t> ComponentParser::type_use(Sort s) {
  if (at_typeref()) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(uint32_t t, index(kType));
    HULL_TRY(close());
    return t;
  }
  if (s == kFunc) return hoist([&](Bytes& d) { return functype_body(d); });
  return hoist([&](Bytes& d) { return component_type_body(d, s == kInstance); });
}

// (type $id? (export "x")* deftype)
Status ComponentParser::type_field() {
  const Token* id = opt_id();
  std::vector<Bytes> exports;
  HULL_TRY(inline_exports(exports));
  Bytes b;
  if (c_.at_paren("func")) {
    c_.set_pos(c_.pos() + 2);
    HULL_TRY(functype_body(b));
    HULL_TRY(close());
  } else if (c_.at_paren("component") || c_.at_paren("instance")) {
    bool inst = c_.at_paren("instance");
    c_.set_pos(c_.pos() + 2);
    HULL_TRY(component_type_body(b, inst, id ? id->text : std::string_view{}));
    HULL_TRY(close());
  } else if (c_.at_paren("resource")) {
    c_.set_pos(c_.pos() + 2);
    HULL_TRY(open("rep"));
    HULL_ASSIGN_OR_RETURN(ValType rep, core_valtype());
    HULL_TRY(close());
    b.push_back(0x3f);
    put_valtype(b, rep);
    if (c_.at_paren("dtor")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(uint32_t f, typed_ref(kCoreFunc));
      HULL_TRY(close());
      b.push_back(0x01);
      put_u32(b, f);
    } else {
      b.push_back(0x00);
    }
    HULL_TRY(close());
  } else if (c_.at_paren("alias")) {
    return c_.error("alias type definitions are not supported");
  } else {
    HULL_TRY(defvaltype(b));
  }
  HULL_TRY(close());
  emit(ItemKind::Type, std::move(b));
  HULL_TRY(define(kType, id));
  append_exports(exports, kType);
  return {};
}

}  // namespace hull::text::component_impl
