// Text module parser entry point: identifier collection (pass 1), helpers, section assembly
// and the "name" custom section. Types, instructions and fields live in module_*.cc.
#include "text/module_parser.h"

#include <algorithm>

#include "text/literals.h"
#include "text/module_parser_impl.h"

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

Result<std::vector<uint8_t>> encode_module_fields(Cursor& c, std::string_view module_name,
                                                  bool name_section, bool u32_limits) {
  module_impl::ModuleParser parser(c, module_name, name_section);
  parser.set_u32_limits(u32_limits);
  return parser.run();
}

}  // namespace hull::text

namespace hull::text::module_impl {

Status ModuleParser::define(Space sp, const Token* id) {
  uint32_t idx = counts_[sp]++;
  if (id) {
    auto [it, inserted] = names_[sp].emplace(id->text, idx);
    if (!inserted) return err(*id, std::string("duplicate ") + kSpaceNames[sp]);
  }
  return {};
}

Result<uint32_t> ModuleParser::parse_u32_tok(const Token& t) {
  uint64_t v;
  LitStatus st = parse_nat(t.text, UINT32_MAX, &v);
  if (st == LitStatus::OutOfRange) return err(t, "constant out of range");
  if (st != LitStatus::Ok) return err(t, "unexpected token");
  return uint32_t(v);
}

Result<uint32_t> ModuleParser::parse_u32() {
  if (!c_.at(Tok::Atom)) return c_.unexpected();
  return parse_u32_tok(c_.next());
}

// An index into space `sp`: $name or a number.
Result<uint32_t> ModuleParser::index(Space sp) {
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

Result<std::string_view> ModuleParser::name_string() {
  if (!c_.at(Tok::String)) return c_.unexpected();
  const Token& t = c_.next();
  if (!valid_utf8(t.text)) return err(t, "malformed UTF-8 encoding");
  return t.text;
}

// Skips `$id? (export ..)*` and reports whether an `(import ..)` follows, leaving the cursor
// past the header.
Status ModuleParser::pass1() {
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

Result<Bytes> ModuleParser::assemble() {
  Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
  // @custom sections go before or after the section they name, present or not.
  const bool customs = !customs_.empty();
  auto before = [&](std::string_view s) {
    if (customs) put_custom_sections(out, section_slot(s, false));
  };
  auto after = [&](std::string_view s) {
    if (customs) put_custom_sections(out, section_slot(s, true));
  };
  if (customs) put_custom_sections(out, before_first_slot());
  before("type");
  if (type_groups_) section(out, 1, type_groups_, type_sec_);
  after("type");
  before("import");
  if (n_imports_) section(out, 2, n_imports_, imports_);
  after("import");
  before("func");
  if (n_funcs_) section(out, 3, n_funcs_, funcs_);
  after("func");
  before("table");
  if (n_tables_) section(out, 4, n_tables_, tables_);
  after("table");
  before("memory");
  if (n_mems_) section(out, 5, n_mems_, mems_);
  after("memory");
  before("tag");
  if (n_tags_) section(out, 13, n_tags_, tags_);
  after("tag");
  before("global");
  if (n_globals_) section(out, 6, n_globals_, globals_);
  after("global");
  before("export");
  if (n_exports_) section(out, 7, n_exports_, exports_);
  after("export");
  before("start");
  if (has_start_) {
    Bytes s;
    put_u32(s, start_);
    out.push_back(8);
    put_u32(out, uint32_t(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
  after("start");
  before("elem");
  if (n_elems_) section(out, 9, n_elems_, elems_);
  after("elem");
  before("datacount");
  if (need_datacount_) {  // only needed when code refers to data segments
    Bytes s;
    put_u32(s, n_datas_);
    out.push_back(12);
    put_u32(out, uint32_t(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
  after("datacount");
  before("code");
  put_branch_hint_section(out);  // code metadata precedes the code it describes
  if (n_funcs_) section(out, 10, n_funcs_, code_);
  after("code");
  before("data");
  if (n_datas_) section(out, 11, n_datas_, datas_);
  after("data");
  if (name_section_) append_name_section(out);
  if (customs) put_custom_sections(out, after_last_slot());
  return out;
}

// The (index, name) pairs of an identifier table, by index: the name section's order.
ModuleParser::NameMap ModuleParser::by_index(const std::unordered_map<std::string_view, uint32_t>& ids) {
  NameMap m;
  m.reserve(ids.size());
  for (const auto& [name, idx] : ids) m.emplace_back(idx, name);
  std::sort(m.begin(), m.end());
  return m;
}

void ModuleParser::put_name_map(Bytes& b, const NameMap& m) {
  put_u32(b, uint32_t(m.size()));
  for (const auto& [idx, name] : m) {
    put_u32(b, idx);
    put_name(b, name);
  }
}

// The "name" custom section (spec appendix "Name Section"): module name (subsection 0),
// function names (1) and local names (2), each map sorted by index. Nothing without ids.
void ModuleParser::append_name_section(Bytes& out) {
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
  // @name annotations name functions and tags over (or without) their $ids.
  auto with_annotations = [](NameMap m, const NameMap& annotated) {
    for (const auto& [idx, name] : annotated) {
      auto it = std::lower_bound(m.begin(), m.end(), idx,
                                 [](const auto& e, uint32_t i) { return e.first < i; });
      if (it != m.end() && it->first == idx)
        it->second = name;
      else
        m.emplace(it, idx, name);
    }
    return m;
  };
  if (!names_[kFuncSp].empty() || !func_name_annotations_.empty()) {
    Bytes p;
    put_name_map(p, with_annotations(by_index(names_[kFuncSp]), func_name_annotations_));
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
  if (!tag_name_annotations_.empty()) {  // tag names: subsection 11 (extended name section)
    Bytes p;
    put_name_map(p, with_annotations({}, tag_name_annotations_));
    subsection(11, p);
  }
  if (contents.empty()) return;
  Bytes section_body;
  put_name(section_body, "name");
  section_body.insert(section_body.end(), contents.begin(), contents.end());
  out.push_back(0);
  put_u32(out, uint32_t(section_body.size()));
  out.insert(out.end(), section_body.begin(), section_body.end());
}

}  // namespace hull::text::module_impl
