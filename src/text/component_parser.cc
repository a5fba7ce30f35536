// Component text parser + encoder: scopes and section assembly, index resolution (with wast's
// implicit outer and export aliases), names, aliases and definitions. Types and canonical
// definitions live in component_types.cc and component_canon.cc.
#include "text/component_parser.h"

#include "text/component_parser_impl.h"
#include "text/lexer.h"
#include "text/literals.h"
#include "text/module_parser.h"

namespace hull::text::component_impl {

void ComponentParser::push_scope(ScopeKind k, std::string_view id) {
  scopes_.emplace_back();
  scopes_.back().kind = k;
  scopes_.back().id = id;
}

Status ComponentParser::define(Sort s, const Token* id) {
  Scope& sc = cur();
  uint32_t idx = sc.count[s]++;
  if (id && !sc.names[s].emplace(id->text, idx).second)
    return err(*id,
               std::string("duplicate ") + kSortNames[s] + " identifier $" + std::string(id->text));
  return {};
}

// Emits a finished field: the aliases it needed first, then the field itself.
void ComponentParser::emit(ItemKind k, Bytes bytes) {
  Scope& sc = cur();
  for (auto& a : sc.field_aliases) sc.items.push_back(std::move(a));
  sc.field_aliases.clear();
  sc.items.push_back({k, std::move(bytes)});
}

// Adds an alias needed by the definition being parsed; defines its index in `s`.
Result<uint32_t> ComponentParser::add_alias(Bytes bytes, Sort s, const Token* id) {
  Scope& sc = cur();
  Item it{ItemKind::Alias, std::move(bytes)};
  if (sc.hoisting > 0)
    sc.items.push_back(std::move(it));
  else
    sc.field_aliases.push_back(std::move(it));
  uint32_t idx = sc.count[s]++;
  if (id) sc.names[s].emplace(id->text, idx);
  return idx;
}

// Groups consecutive items of one kind into a section (as wasm-tools does).
Result<Bytes> ComponentParser::finish_component() {
  Scope sc = std::move(scopes_.back());
  scopes_.pop_back();
  for (auto& a : sc.appended) sc.items.push_back(std::move(a));
  Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x0d, 0x00, 0x01, 0x00};
  for (size_t i = 0; i < sc.items.size();) {
    ItemKind k = sc.items[i].kind;
    uint8_t id = static_cast<uint8_t>(k);  // ItemKind values are the section ids
    if (k == ItemKind::CoreModule || k == ItemKind::Component || k == ItemKind::Start ||
        k == ItemKind::Custom) {
      raw_section(out, id, sc.items[i].bytes);
      ++i;
      continue;
    }
    Bytes body;
    uint32_t n = 0;
    size_t j = i;
    for (; j < sc.items.size() && sc.items[j].kind == k; ++j, ++n)
      body.insert(body.end(), sc.items[j].bytes.begin(), sc.items[j].bytes.end());
    section(out, id, n, body);
    i = j;
  }
  return out;
}

// Pops a type scope and encodes its declarators as `opcode vec(decl)`.
Bytes ComponentParser::finish_type_scope(uint8_t opcode) {
  Scope sc = std::move(scopes_.back());
  scopes_.pop_back();
  Bytes out;
  out.push_back(opcode);
  put_u32(out, uint32_t(sc.items.size()));
  for (auto& it : sc.items) {
    uint8_t d = 0;
    if (sc.kind == ScopeKind::ModuleType) {
      switch (it.kind) {
        case ItemKind::Import: d = 0x00; break;
        case ItemKind::CoreType: d = 0x01; break;
        case ItemKind::Alias: d = 0x02; break;
        default: d = 0x03; break;
      }
    } else {
      switch (it.kind) {
        case ItemKind::CoreType: d = 0x00; break;
        case ItemKind::Type: d = 0x01; break;
        case ItemKind::Alias: d = 0x02; break;
        case ItemKind::Import: d = 0x03; break;
        default: d = 0x04; break;
      }
    }
    out.push_back(d);
    out.insert(out.end(), it.bytes.begin(), it.bytes.end());
  }
  return out;
}

Result<uint32_t> ComponentParser::u32() {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& t = c_.next();
  uint64_t v;
  LitStatus st = parse_nat(t.text, UINT32_MAX, &v);
  if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
  if (st != LitStatus::Ok) return err(t, "unexpected token");
  return uint32_t(v);
}

Result<std::string_view> ComponentParser::name() {
  if (!c_.at(Tok::String)) return c_.error("expected a string");
  const Token& t = c_.next();
  if (!valid_utf8(t.text)) return err(t, "malformed UTF-8 encoding");
  return t.text;
}

Status ComponentParser::open(std::string_view kw) {
  if (!c_.at_paren(kw)) return c_.error("expected (" + std::string(kw) + " ...)");
  c_.set_pos(c_.pos() + 2);
  return {};
}

Status ComponentParser::close() {
  if (!c_.at(Tok::RParen)) return c_.unexpected();
  c_.next();
  return {};
}

// An index in sort `s`: a number, or a $name found in this scope or, like wast, in an
// enclosing one (then an outer alias is inserted here and used).
Result<uint32_t> ComponentParser::index(Sort s) {
  const Token& t = c_.peek();
  if (t.kind != Tok::Id) {
    if (!c_.at_nat()) return c_.error(std::string("expected a ") + kSortNames[s] + " index");
    return u32();
  }
  c_.next();
  for (size_t d = 0; d < scopes_.size(); ++d) {
    Scope& sc = scopes_[scopes_.size() - 1 - d];
    auto it = sc.names[s].find(t.text);
    if (it == sc.names[s].end()) continue;
    if (d == 0) return it->second;
    // Module types do not see enclosing scopes implicitly (wast injects no aliases there).
    if (cur().kind == ScopeKind::ModuleType) break;
    // Only these sorts can be aliased from an enclosing scope (Binary.md outer aliases).
    if (s != kType && s != kCoreType && s != kComponent && s != kCoreModule)
      return err(t, "outer item `" + std::string(t.text) + "` is not a module, type, or component");
    Bytes a;
    put_alias_sort(a, s);
    a.push_back(0x02);
    put_u32(a, uint32_t(d));
    put_u32(a, it->second);
    // Like wast, every such reference gets its own alias (the name is not bound here).
    return add_alias(std::move(a), s);
  }
  return err(t, std::string("unknown ") + kSortNames[s] + " $" + std::string(t.text));
}

// Resolves `$inst "n1" "n2" ...` into aliases; `inst` already resolved.
Result<uint32_t> ComponentParser::exports_of(bool core, uint32_t inst, Sort s) {
  uint32_t idx = inst;
  while (c_.at(Tok::String)) {
    HULL_ASSIGN_OR_RETURN(std::string_view n, name());
    bool last = !c_.at(Tok::String);
    Bytes a;
    if (core) {
      put_sort(a, s);
      a.push_back(0x01);
      put_u32(a, idx);
      put_name(a, n);
      HULL_ASSIGN_OR_RETURN(idx, add_alias(std::move(a), s));
    } else {
      Sort as = last ? s : kInstance;
      put_sort(a, as);
      a.push_back(0x00);
      put_u32(a, idx);
      put_name(a, n);
      HULL_ASSIGN_OR_RETURN(idx, add_alias(std::move(a), as));
    }
  }
  return idx;
}

// `idx` or `$inst "name"+` for sort s (the cursor is after the sort keyword).
Result<uint32_t> ComponentParser::item_ref_body(Sort s) {
  // Core modules live in component instances (`alias export`), other core items in core
  // instances (`alias core export`).
  bool core = s < kCoreModule || s == kCoreInstance;
  bool has_names = c_.peek(1).kind == Tok::String;
  if (!has_names) return index(s);
  HULL_ASSIGN_OR_RETURN(uint32_t inst, index(core ? kCoreInstance : kInstance));
  return exports_of(core, inst, s);
}

// Sort keyword(s) at the cursor: `func`, `core func`, ... ; core_ctx: plain `func` etc. are
// core sorts (inside core instances).
bool ComponentParser::sort_kw(Sort* out, bool core_ctx) {
  size_t save = c_.pos();
  bool core = core_ctx;
  if (c_.at_atom("core")) {
    c_.next();
    core = true;
  }
  if (!c_.at(Tok::Atom)) {
    c_.set_pos(save);
    return false;
  }
  std::string_view k = c_.peek().text;
  static const std::pair<std::string_view, Sort> ctab[] = {
      {"func", kCoreFunc},     {"table", kCoreTable},      {"memory", kCoreMemory},
      {"global", kCoreGlobal}, {"tag", kCoreTag},          {"type", kCoreType},
      {"module", kCoreModule}, {"instance", kCoreInstance}};
  static const std::pair<std::string_view, Sort> tab[] = {
      {"func", kFunc},           {"value", kValue},       {"type", kType},
      {"component", kComponent}, {"instance", kInstance}, {"module", kCoreModule}};
  for (auto& [n, s] : core ? std::span<const std::pair<std::string_view, Sort>>(ctab)
                           : std::span<const std::pair<std::string_view, Sort>>(tab))
    if (n == k) {
      c_.next();
      *out = s;
      return true;
    }
  c_.set_pos(save);
  return false;
}

// `(sort ref)`: a parenthesized item reference; returns the sort and index.
Status ComponentParser::item_ref(Sort* s, uint32_t* idx, bool core_ctx) {
  if (!c_.at(Tok::LParen)) return c_.unexpected();
  c_.next();
  if (!sort_kw(s, core_ctx)) return c_.unexpected();
  HULL_ASSIGN_OR_RETURN(*idx, item_ref_body(*s));
  return close();
}

// A reference of a known sort: `(core func ..)`, `(func ..)` or a bare index.
Result<uint32_t> ComponentParser::typed_ref(Sort want) {
  if (!c_.at(Tok::LParen)) return item_ref_body(want);
  Sort s;
  uint32_t idx;
  const Token& t = c_.peek();
  HULL_TRY(item_ref(&s, &idx, want <= kCoreInstance));
  if (s != want) return err(t, std::string("expected a ") + kSortNames[want] + " reference");
  return idx;
}

// An import/export name with optional attributes (nameattributes).
Status ComponentParser::extern_name(Bytes& b) {
  // `(interface "ns:pkg/iface")` is the legacy spelling of an interface name.
  bool legacy = c_.at_paren("interface");
  if (legacy) c_.set_pos(c_.pos() + 2);
  HULL_ASSIGN_OR_RETURN(std::string_view n, name());
  if (legacy) HULL_TRY(close());
  Bytes attrs;
  uint32_t nattrs = 0;
  uint8_t seen = 0;  // each attribute at most once
  while (c_.at_paren("implements") || c_.at_paren("versionsuffix") || c_.at_paren("external-id")) {
    const Token& at = c_.peek(1);
    std::string_view ak = at.text;
    uint8_t bit = ak == "implements" ? 1 : ak == "versionsuffix" ? 2 : 4;
    if (seen & bit) return err(at, "unexpected token: duplicate `" + std::string(ak) + "`");
    seen |= bit;
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(std::string_view v, name());
    attrs.push_back(ak == "implements" ? 0x00 : ak == "versionsuffix" ? 0x01 : 0x02);
    put_name(attrs, v);
    HULL_TRY(close());
    ++nattrs;
  }
  if (nattrs == 0) {
    b.push_back(0x00);
    put_name(b, n);
  } else {
    b.push_back(0x02);
    put_name(b, n);
    put_u32(b, nattrs);
    b.insert(b.end(), attrs.begin(), attrs.end());
  }
  return {};
}

// `(kw "name" attrs*)` with nothing else: the inline import/export abbreviation (a core
// module's `(import "m" "n" ..)` or a component's `(import "n" (func))` field is not it).
bool ComponentParser::at_abbrev(std::string_view kw) const {
  if (!c_.at_paren(kw) || c_.peek(2).kind != Tok::String) return false;
  size_t k = 3;
  while (c_.peek(k).kind == Tok::LParen && c_.peek(k + 1).kind == Tok::Atom &&
         (c_.peek(k + 1).text == "implements" || c_.peek(k + 1).text == "versionsuffix" ||
          c_.peek(k + 1).text == "external-id") &&
         c_.peek(k + 2).kind == Tok::String && c_.peek(k + 3).kind == Tok::RParen)
    k += 4;
  return c_.peek(k).kind == Tok::RParen;
}

// `(export "name")*` abbreviations on a definition.
Status ComponentParser::inline_exports(std::vector<Bytes>& names) {
  while (at_abbrev("export")) {
    c_.set_pos(c_.pos() + 2);
    Bytes n;
    HULL_TRY(extern_name(n));
    HULL_TRY(close());
    names.push_back(std::move(n));
  }
  return {};
}

void ComponentParser::append_exports(const std::vector<Bytes>& names, Sort s) {
  if (names.empty()) return;
  uint32_t idx = cur().count[s] - 1;
  for (auto& n : names) {
    Bytes e = n;
    put_sort(e, s);
    put_u32(e, idx);
    e.push_back(0x00);  // no type ascription
    cur().appended.push_back({ItemKind::Export, std::move(e)});
  }
}

// `(import "name")` abbreviation header; fills the name bytes.
Result<bool> ComponentParser::inline_import(Bytes& nm) {
  if (!at_abbrev("import")) return false;
  c_.set_pos(c_.pos() + 2);
  HULL_TRY(extern_name(nm));
  HULL_TRY(close());
  return true;
}

Result<uint32_t> ComponentParser::outer_depth() {
  const Token& t = c_.peek();
  if (t.kind == Tok::Id) {
    c_.next();
    for (size_t d = 0; d < scopes_.size(); ++d)
      if (scopes_[scopes_.size() - 1 - d].id == t.text) return uint32_t(d);
    return err(t, "outer component `" + std::string(t.text) + "` not found");
  }
  HULL_ASSIGN_OR_RETURN(uint32_t d, u32());
  return d;
}

Result<uint32_t> ComponentParser::outer_index(uint32_t depth, Sort s) {
  const Token& t = c_.peek();
  if (t.kind == Tok::Id) {
    c_.next();
    if (depth >= scopes_.size()) return err(t, "outer count too large");
    Scope& sc = scopes_[scopes_.size() - 1 - depth];
    auto it = sc.names[s].find(t.text);
    if (it == sc.names[s].end())
      return err(t, std::string("unknown ") + kSortNames[s] + " $" + std::string(t.text));
    return it->second;
  }
  return u32();
}

// After `(alias`: export / core export / outer, then `(sort $id?)`.
Status ComponentParser::alias_field() {
  Bytes b;
  Sort s;
  if (c_.at_atom("outer")) {
    c_.next();
    HULL_ASSIGN_OR_RETURN(uint32_t depth, outer_depth());
    // The sort comes last; parse the index once we know it.
    size_t idx_pos = c_.pos();
    if (!c_.at_index()) return c_.unexpected();
    c_.next();
    HULL_TRY(expect_lparen());
    if (!sort_kw(&s, false)) return c_.unexpected();
    const Token* id = opt_id();
    HULL_TRY(close());
    HULL_TRY(close());
    size_t end = c_.pos();
    c_.set_pos(idx_pos);
    HULL_ASSIGN_OR_RETURN(uint32_t idx, outer_index(depth, s));
    c_.set_pos(end);
    put_sort(b, s);
    b.push_back(0x02);
    put_u32(b, depth);
    put_u32(b, idx);
    emit(ItemKind::Alias, std::move(b));
    return define(s, id);
  }
  bool core = false;
  if (c_.at_atom("core")) {
    c_.next();
    core = true;
  }
  HULL_TRY(open_atom("export"));
  HULL_ASSIGN_OR_RETURN(uint32_t inst, index(core ? kCoreInstance : kInstance));
  HULL_ASSIGN_OR_RETURN(std::string_view n, name());
  HULL_TRY(expect_lparen());
  if (!sort_kw(&s, false)) return c_.unexpected();
  const Token* id = opt_id();
  HULL_TRY(close());
  HULL_TRY(close());
  put_sort(b, s);
  b.push_back(core ? 0x01 : 0x00);
  put_u32(b, inst);
  put_name(b, n);
  emit(ItemKind::Alias, std::move(b));
  return define(s, id);
}

Status ComponentParser::expect_lparen() {
  if (!c_.at(Tok::LParen)) return c_.unexpected();
  c_.next();
  return {};
}

// `(alias export $i "n")` / `(alias core export $i "n")` as a definition body for sort s.
Status ComponentParser::alias_definition(Sort s, const Token* id,
                                         const std::vector<Bytes>& exports) {
  c_.set_pos(c_.pos() + 2);
  bool core = false;
  if (c_.at_atom("core")) {
    c_.next();
    core = true;
  }
  Bytes b;
  if (c_.at_atom("outer")) {
    c_.next();
    HULL_ASSIGN_OR_RETURN(uint32_t depth, outer_depth());
    HULL_ASSIGN_OR_RETURN(uint32_t idx, outer_index(depth, s));
    put_sort(b, s);
    b.push_back(0x02);
    put_u32(b, depth);
    put_u32(b, idx);
  } else {
    HULL_TRY(open_atom("export"));
    HULL_ASSIGN_OR_RETURN(uint32_t inst, index(core ? kCoreInstance : kInstance));
    HULL_ASSIGN_OR_RETURN(std::string_view n, name());
    put_sort(b, s);
    b.push_back(core ? 0x01 : 0x00);
    put_u32(b, inst);
    put_name(b, n);
  }
  HULL_TRY(close());
  HULL_TRY(close());
  emit(ItemKind::Alias, std::move(b));
  HULL_TRY(define(s, id));
  append_exports(exports, s);
  return {};
}

// `(func $id? (export "x")* ...)`: import, alias, or lift.
// The end of an inline import `(func|instance|component $id? (import "n") type-use)`: the
// import entry with its externtype (`desc` then the type index), the new index, and the
// item's inline exports.
Status ComponentParser::finish_import(Bytes nm, uint8_t desc, uint32_t type, Sort sort, const Token* id,
                                      const std::vector<Bytes>& exports) {
  HULL_TRY(close());
  nm.push_back(desc);
  put_u32(nm, type);
  emit(ItemKind::Import, std::move(nm));
  HULL_TRY(define(sort, id));
  append_exports(exports, sort);
  return {};
}

Status ComponentParser::func_field() {
  const Token* id = opt_id();
  std::vector<Bytes> exports;
  HULL_TRY(inline_exports(exports));
  Bytes nm;
  HULL_ASSIGN_OR_RETURN(bool imported, inline_import(nm));
  if (c_.at_paren("alias")) return alias_definition(kFunc, id, exports);
  HULL_ASSIGN_OR_RETURN(uint32_t t, type_use(kFunc));
  if (imported) {
    return finish_import(std::move(nm), 0x01, t, kFunc, id, exports);
  }
  HULL_TRY(open("canon"));
  HULL_TRY(open_atom("lift"));
  Bytes b;
  HULL_TRY(canon_lift_body(b));
  HULL_TRY(close());
  HULL_TRY(close());
  put_u32(b, t);
  emit(ItemKind::Canon, std::move(b));
  HULL_TRY(define(kFunc, id));
  append_exports(exports, kFunc);
  return {};
}

// `(core func $id? (canon ...))` or `(core func $id? (alias core export ..))`.
Status ComponentParser::core_func_field() {
  const Token* id = opt_id();
  if (c_.at_paren("alias")) return alias_definition(kCoreFunc, id, {});
  HULL_TRY(open("canon"));
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  const Token& kw = c_.next();
  Bytes b;
  if (kw.text == "lower") {
    b.push_back(0x01);
    b.push_back(0x00);
    HULL_ASSIGN_OR_RETURN(uint32_t f, typed_ref(kFunc));
    put_u32(b, f);
    HULL_TRY(canon_opts(b));
  } else {
    HULL_TRY(canon_builtin(kw, b));
  }
  HULL_TRY(close());
  HULL_TRY(close());
  emit(ItemKind::Canon, std::move(b));
  return define(kCoreFunc, id);
}

// `(core module $id? (export "x")* field*)`: the core module encoder does the fields.
Status ComponentParser::core_module_field() {
  const Token* id = opt_id();
  std::vector<Bytes> exports;
  HULL_TRY(inline_exports(exports));
  Bytes nm;
  HULL_ASSIGN_OR_RETURN(bool imported, inline_import(nm));
  if (imported) {
    Bytes b = nm;
    // (core module (import "x") (type $t)) or inline module type decls.
    HULL_ASSIGN_OR_RETURN(uint32_t t, module_type_use());
    HULL_TRY(close());
    b.push_back(0x00);
    b.push_back(0x11);
    put_u32(b, t);
    emit(ItemKind::Import, std::move(b));
    HULL_TRY(define(kCoreModule, id));
    append_exports(exports, kCoreModule);
    return {};
  }
  std::string_view mname = id ? id->text : std::string_view{};
  HULL_ASSIGN_OR_RETURN(Bytes m, encode_module_fields(c_, mname, name_section_));
  HULL_TRY(close());
  emit(ItemKind::CoreModule, std::move(m));
  HULL_TRY(define(kCoreModule, id));
  append_exports(exports, kCoreModule);
  return {};
}

// Core inline exports `(export "n" (func ref))*` -> 0x01 vec(...).
Status ComponentParser::core_bundle(Bytes& b) {
  b.push_back(0x01);
  Bytes es;
  uint32_t n = 0;
  while (c_.at_paren("export")) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(std::string_view nm, name());
    put_name(es, nm);
    Sort s;
    uint32_t idx;
    HULL_TRY(item_ref(&s, &idx, true));
    put_sort(es, s);
    es.erase(es.end() - 2);  // core:sortidx has no 0x00 prefix
    put_u32(es, idx);
    HULL_TRY(close());
    ++n;
  }
  put_u32(b, n);
  b.insert(b.end(), es.begin(), es.end());
  return {};
}

Status ComponentParser::core_instance_field() {
  const Token* id = opt_id();
  Bytes b;
  if (c_.at_paren("instantiate")) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(uint32_t m, typed_ref(kCoreModule));
    b.push_back(0x00);
    put_u32(b, m);
    Bytes as;
    uint32_t n = 0;
    while (c_.at_paren("with")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(std::string_view nm, name());
      put_name(as, nm);
      as.push_back(0x12);
      HULL_TRY(open("instance"));
      uint32_t inst;
      if (c_.at_paren("export") || c_.at(Tok::RParen)) {
        // A bundle of exports: hoisted into its own core instance.
        cur().hoisting++;
        Bytes bundle;
        Status st = core_bundle(bundle);
        cur().hoisting--;
        HULL_TRY(st);
        emit_hoisted(ItemKind::CoreInstance, std::move(bundle));
        inst = cur().count[kCoreInstance]++;
      } else {
        HULL_ASSIGN_OR_RETURN(inst, item_ref_body(kCoreInstance));
      }
      HULL_TRY(close());
      put_u32(as, inst);
      HULL_TRY(close());
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), as.begin(), as.end());
    HULL_TRY(close());
  } else {
    HULL_TRY(core_bundle(b));
  }
  HULL_TRY(close());
  emit(ItemKind::CoreInstance, std::move(b));
  return define(kCoreInstance, id);
}

// Component inline exports `(export "n" (sort ref))*` -> 0x01 vec(...).
Status ComponentParser::bundle(Bytes& b) {
  b.push_back(0x01);
  Bytes es;
  uint32_t n = 0;
  while (c_.at_paren("export")) {
    c_.set_pos(c_.pos() + 2);
    HULL_TRY(extern_name(es));
    Sort s;
    uint32_t idx;
    HULL_TRY(item_ref(&s, &idx, false));
    put_sort(es, s);
    put_u32(es, idx);
    HULL_TRY(close());
    ++n;
  }
  put_u32(b, n);
  b.insert(b.end(), es.begin(), es.end());
  return {};
}

Status ComponentParser::instance_field() {
  const Token* id = opt_id();
  std::vector<Bytes> exports;
  HULL_TRY(inline_exports(exports));
  Bytes nm;
  HULL_ASSIGN_OR_RETURN(bool imported, inline_import(nm));
  if (imported) {
    HULL_ASSIGN_OR_RETURN(uint32_t t, type_use(kInstance));
    return finish_import(std::move(nm), 0x05, t, kInstance, id, exports);
  }
  if (c_.at_paren("alias")) return alias_definition(kInstance, id, exports);
  Bytes b;
  if (c_.at_paren("instantiate")) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(uint32_t comp, typed_ref(kComponent));
    b.push_back(0x00);
    put_u32(b, comp);
    Bytes as;
    uint32_t n = 0;
    while (c_.at_paren("with")) {
      c_.set_pos(c_.pos() + 2);
      HULL_ASSIGN_OR_RETURN(std::string_view an, name());
      put_name(as, an);
      if (c_.at_paren("instance") &&
          (c_.peek(2).kind == Tok::LParen || c_.peek(2).kind == Tok::RParen)) {
        c_.set_pos(c_.pos() + 2);
        cur().hoisting++;
        Bytes bun;
        Status st = bundle(bun);
        cur().hoisting--;
        HULL_TRY(st);
        HULL_TRY(close());
        emit_hoisted(ItemKind::Instance, std::move(bun));
        put_sort(as, kInstance);
        put_u32(as, cur().count[kInstance]++);
      } else {
        Sort s;
        uint32_t idx;
        HULL_TRY(item_ref(&s, &idx, false));
        put_sort(as, s);
        put_u32(as, idx);
      }
      HULL_TRY(close());
      ++n;
    }
    put_u32(b, n);
    b.insert(b.end(), as.begin(), as.end());
    HULL_TRY(close());
  } else {
    HULL_TRY(bundle(b));
  }
  HULL_TRY(close());
  emit(ItemKind::Instance, std::move(b));
  HULL_TRY(define(kInstance, id));
  append_exports(exports, kInstance);
  return {};
}

// Nested `(component $id? (export "x")* field*)` or its import form.
Status ComponentParser::component_field() {
  const Token* id = opt_id();
  std::vector<Bytes> exports;
  HULL_TRY(inline_exports(exports));
  Bytes nm;
  HULL_ASSIGN_OR_RETURN(bool imported, inline_import(nm));
  if (imported) {
    HULL_ASSIGN_OR_RETURN(uint32_t t, type_use(kComponent));
    return finish_import(std::move(nm), 0x04, t, kComponent, id, exports);
  }
  HULL_TRY(enter());
  Nest nest{depth_};
  push_scope(ScopeKind::Component, id ? id->text : std::string_view{});
  Status st = component_fields();
  if (!st.ok()) {
    scopes_.pop_back();
    return st;
  }
  HULL_ASSIGN_OR_RETURN(Bytes inner, finish_component());
  HULL_TRY(close());
  emit(ItemKind::Component, std::move(inner));
  HULL_TRY(define(kComponent, id));
  append_exports(exports, kComponent);
  return {};
}

// (import "name" externdesc)
Status ComponentParser::import_field() {
  Bytes b;
  HULL_TRY(extern_name(b));
  HULL_TRY(extern_desc(b));
  HULL_TRY(close());
  // extern_desc defined the index already; the import item goes after any hoisted types.
  emit(ItemKind::Import, std::move(b));
  return {};
}

// (export $id? "name" (sort ref) externdesc?)
Status ComponentParser::export_field() {
  const Token* id = opt_id();
  Bytes b;
  HULL_TRY(extern_name(b));
  Sort s;
  uint32_t idx;
  HULL_TRY(item_ref(&s, &idx, false));
  put_sort(b, s);
  put_u32(b, idx);
  if (c_.at(Tok::LParen)) {
    b.push_back(0x01);
    // The ascribed type does not define an index of its own.
    HULL_TRY(extern_desc(b, false));
  } else {
    b.push_back(0x00);
  }
  HULL_TRY(close());
  emit(ItemKind::Export, std::move(b));
  return define(s, id);
}

// (start $f (value $v)* (result (value $id?))*)
Status ComponentParser::start_field() {
  if (cur().has_start) return c_.error("component cannot have more than one start function");
  cur().has_start = true;
  Bytes b;
  HULL_ASSIGN_OR_RETURN(uint32_t f, index(kFunc));
  put_u32(b, f);
  Bytes args;
  uint32_t n = 0;
  while (c_.at_paren("value")) {
    c_.set_pos(c_.pos() + 2);
    HULL_ASSIGN_OR_RETURN(uint32_t v, index(kValue));
    put_u32(args, v);
    HULL_TRY(close());
    ++n;
  }
  put_u32(b, n);
  b.insert(b.end(), args.begin(), args.end());
  uint32_t r = 0;
  std::vector<const Token*> rids;
  while (c_.at_paren("result")) {
    c_.set_pos(c_.pos() + 2);
    HULL_TRY(open("value"));
    rids.push_back(opt_id());
    HULL_TRY(close());
    HULL_TRY(close());
    ++r;
  }
  put_u32(b, r);
  HULL_TRY(close());
  emit(ItemKind::Start, std::move(b));
  for (auto* id : rids) HULL_TRY(define(kValue, id));
  return {};
}

// `(core (table|memory|global|tag) $id? (alias core export ..))` definitions.
Status ComponentParser::core_alias_def(Sort s) {
  const Token* id = opt_id();
  if (!c_.at_paren("alias")) return c_.error("expected (alias ...)");
  return alias_definition(s, id, {});
}

Status ComponentParser::component_fields() {
  while (!c_.at(Tok::RParen) && !c_.at(Tok::Eof)) {
    if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
    const Token& kw = c_.peek(1);
    std::string_view k = kw.text;
    c_.set_pos(c_.pos() + 2);
    if (k == "core") {
      if (!c_.at(Tok::Atom)) return c_.unexpected();
      const Token& ck = c_.next();
      std::string_view s = ck.text;
      if (s == "module")
        HULL_TRY(core_module_field());
      else if (s == "instance")
        HULL_TRY(core_instance_field());
      else if (s == "type")
        HULL_TRY(core_type_field());
      else if (s == "rec")
        HULL_TRY(core_rec_field());
      else if (s == "func")
        HULL_TRY(core_func_field());
      else if (s == "table")
        HULL_TRY(core_alias_def(kCoreTable));
      else if (s == "memory")
        HULL_TRY(core_alias_def(kCoreMemory));
      else if (s == "global")
        HULL_TRY(core_alias_def(kCoreGlobal));
      else if (s == "tag")
        HULL_TRY(core_alias_def(kCoreTag));
      else
        return err(ck, "unknown core definition `" + std::string(s) + "`");
    } else if (k == "component") {
      HULL_TRY(component_field());
    } else if (k == "instance") {
      HULL_TRY(instance_field());
    } else if (k == "alias") {
      HULL_TRY(alias_field());
    } else if (k == "type") {
      HULL_TRY(type_field());
    } else if (k == "canon") {
      HULL_TRY(canon_field());
    } else if (k == "func") {
      HULL_TRY(func_field());
    } else if (k == "start") {
      HULL_TRY(start_field());
    } else if (k == "import") {
      HULL_TRY(import_field());
    } else if (k == "export") {
      HULL_TRY(export_field());
    } else {
      return err(kw, "unknown component field `" + std::string(k) + "`");
    }
    if (!cur().field_aliases.empty()) {
      // A field that emitted nothing of its own still keeps the aliases it made.
      for (auto& a : cur().field_aliases) cur().items.push_back(std::move(a));
      cur().field_aliases.clear();
    }
  }
  return {};
}

}  // namespace hull::text::component_impl

namespace hull::text {

Result<std::vector<uint8_t>> encode_component_fields(Cursor& c, std::string_view id,
                                                     bool name_section) {
  return component_impl::ComponentParser(c, name_section).run(id);
}

}  // namespace hull::text
