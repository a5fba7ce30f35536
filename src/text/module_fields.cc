// Text module parser, fields: func, table, memory, global, tag, import, export, start, elem, data.
#include "text/literals.h"
#include "text/module_parser_impl.h"

namespace hull::text::module_impl {

// `(export "n")*` inline exports for index `idx` of kind `kind`.
Status ModuleParser::inline_exports(uint8_t kind, uint32_t idx) {
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

Result<ModuleParser::FieldHead> ModuleParser::field_head(Space space, uint8_t kind) {
  if (c_.at(Tok::Id)) c_.next();
  uint32_t idx = cur_[space]++;
  if (!annotations_.empty() && (space == kFuncSp || space == kTagSp)) {
    // `(func $id? (@name "text") ...)`: the name the name section gives it.
    HULL_ASSIGN_OR_RETURN(std::optional<std::string_view> name, take_name_annotation(c_.pos()));
    if (name)
      (space == kFuncSp ? func_name_annotations_ : tag_name_annotations_).emplace_back(idx, *name);
  }
  HULL_TRY(inline_exports(kind, idx));
  HULL_ASSIGN_OR_RETURN(bool imported, inline_import());
  return FieldHead{idx, imported};
}

// `(import "m" "n")` inline import header, if present; writes module/name.
Result<bool> ModuleParser::inline_import() {
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
Status ModuleParser::limits(Limits& l, bool is64) {
  // 32-bit limits beyond 2^32-1 are a validation error ("table size"), not malformed; before
  // memory64 they were u32 literals (u32_limits_).
  uint64_t max = u32_limits_ && !is64 ? UINT32_MAX : UINT64_MAX;
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

bool ModuleParser::addrtype() {
  if (c_.at_atom("i64")) {
    c_.next();
    return true;
  }
  if (c_.at_atom("i32")) c_.next();
  return false;
}

// tabletype: addrtype? limits reftype
Status ModuleParser::tabletype(Bytes& b) {
  Limits l;
  l.is64 = addrtype();
  HULL_TRY(limits(l, l.is64));
  HULL_ASSIGN_OR_RETURN(ValType rt, parse_reftype());
  put_valtype(b, rt);
  put_limits(b, l, 0);
  return {};
}

// memtype: addrtype? limits shared? (pagesize n)?
Status ModuleParser::memtype(Bytes& b) {
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

Status ModuleParser::globaltype(Bytes& b) {
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

Status ModuleParser::func_import_desc(const TypeUse& tu0) {
  TypeUse tu = tu0;
  HULL_ASSIGN_OR_RETURN(uint32_t ti, resolve_typeuse(tu));
  imports_.push_back(0x00);
  put_u32(imports_, ti);
  return {};
}

Status ModuleParser::parse_field() {
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

Status ModuleParser::field_func() {
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
  in_func_body_ = true;
  hint_func_ = head.idx;
  Status body_status = instrs(body_);
  in_func_body_ = false;
  HULL_TRY(std::move(body_status));
  if (!c_.at(Tok::RParen)) return c_.unexpected();
  c_.next();
  body_.push_back(0x0B);
  put_u32(code_, uint32_t(body_.size()));
  code_.insert(code_.end(), body_.begin(), body_.end());
  return {};
}

Status ModuleParser::elem_list(ElemList& el, bool allow_bare_funcs) {
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

Status ModuleParser::elem_exprs(ElemList& el) {
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
void ModuleParser::put_elem(int mode, bool explicit_table, uint32_t table, const Bytes& offset,
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

Status ModuleParser::field_table() {
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

Status ModuleParser::field_memory() {
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

Status ModuleParser::field_global() {
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

Status ModuleParser::field_tag() {
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

Status ModuleParser::field_import() {
  HULL_ASSIGN_OR_RETURN(std::string_view m, name_string());
  HULL_ASSIGN_OR_RETURN(std::string_view n, name_string());
  if (!c_.at(Tok::LParen) || c_.peek(1).kind != Tok::Atom) return c_.unexpected();
  c_.next();
  const Token& kind = c_.next();
  if (c_.at(Tok::Id)) c_.next();
  std::string_view k = kind.text;
  Bytes desc;
  if ((k == "func" || k == "tag") && !annotations_.empty()) {
    // `(import "m" "n" (func $id? (@name "text") ...))`, as on a defined function or tag.
    HULL_ASSIGN_OR_RETURN(std::optional<std::string_view> name, take_name_annotation(c_.pos()));
    if (name)
      (k == "func" ? func_name_annotations_ : tag_name_annotations_)
          .emplace_back(cur_[k == "func" ? kFuncSp : kTagSp], *name);
  }
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

Status ModuleParser::field_export() {
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

Status ModuleParser::field_start() {
  const Token& t = c_.peek();
  HULL_ASSIGN_OR_RETURN(uint32_t f, index(kFuncSp));
  if (has_start_) return err(t, "multiple start sections");
  has_start_ = true;
  start_ = f;
  return c_.expect(Tok::RParen);
}

// (offset instr*) or a single folded instruction.
Status ModuleParser::offset_expr(Bytes& b) {
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

Status ModuleParser::field_elem() {
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

Status ModuleParser::field_data() {
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

}  // namespace hull::text::module_impl
