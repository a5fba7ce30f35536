// Text module parser, types: valtypes, heap types, rec groups, func/struct/array types, type uses.
#include "text/module_parser_impl.h"

namespace hull::text::module_impl {

bool ModuleParser::at_valtype() const {
  const Token& t = c_.peek();
  if (t.kind == Tok::Atom) {
    std::string_view s = t.text;
    return s == "i32" || s == "i64" || s == "f32" || s == "f64" || s == "v128" ||
           (s.size() > 3 && s.substr(s.size() - 3) == "ref");
  }
  return c_.at_paren("ref");
}

Status ModuleParser::parse_heaptype(ValType* vt) {
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

Result<ValType> ModuleParser::parse_reftype() {
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

Result<ValType> ModuleParser::parse_valtype() {
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

// (param ..)* (result ..)* into ft; names recorded when allowed.
Status ModuleParser::parse_params_results(FuncType& ft, std::vector<std::string_view>* names,
                            bool* any) {
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

Status ModuleParser::parse_storage(FieldType& f) {
  if (c_.at_paren("mut")) {
    c_.set_pos(c_.pos() + 2);
    f.mut = true;
    HULL_TRY(parse_storage_plain(f));
    return c_.expect(Tok::RParen);
  }
  return parse_storage_plain(f);
}

Status ModuleParser::parse_storage_plain(FieldType& f) {
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

// comptype: (func ..) | (struct ..) | (array ..)
Status ModuleParser::parse_comptype(Bytes& b, TypeInfo& ti) {
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
Status ModuleParser::parse_typedef(Bytes& b, bool in_rec) {
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

Status ModuleParser::parse_types() {
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
Status ModuleParser::parse_typeuse(TypeUse& tu, bool allow_names) {
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
Result<uint32_t> ModuleParser::resolve_typeuse(TypeUse& tu) {
  if (tu.has_idx) {
    if (tu.has_inline) {
      // A missing type is that, not a mismatch with the inline one (func.wast).
      if (tu.idx >= types_.size()) return err(*tu.idx_tok, "unknown type");
      if (types_[tu.idx].kind != CompositeKind::Func || !(types_[tu.idx].func == tu.ft))
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
FuncType ModuleParser::functype_of(const TypeUse& tu) {
  if (tu.has_idx && !tu.has_inline) {
    if (tu.idx < types_.size() && types_[tu.idx].kind == CompositeKind::Func)
      return types_[tu.idx].func;
    return {};
  }
  return tu.ft;
}

}  // namespace hull::text::module_impl
