// Component decoder, part 2: value types, defined types, function/component/instance/resource
// types, declarators, core types (rec groups and module types), extern names and descriptors,
// aliases, and the component-name custom section.
#include <cstdio>
#include <string_view>

#include "binary/module.h"
#include "binary/types_decode.h"
#include "component/binary/decoder_internal.h"

namespace hull::component::detail {

namespace {

bool is_prim(uint8_t b) { return (b >= 0x73 && b <= 0x7f) || b == 0x64; }

}  // namespace

// ---- errors ----

bool Parser::fail(std::string message, size_t at) {
  if (!err_) err_ = Error::malformed(std::move(message), at);
  return false;
}

bool Parser::bad_byte(uint8_t b, const char* what, size_t at) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "invalid leading byte (0x%x) for %s", b, what);
  return fail(buf, at);
}

bool Parser::take(const Reader& r) {
  if (err_ || !r.failed()) return false;
  std::string_view m = r.error_message();
  // The Reader speaks the core reference interpreter's language; the component testsuite
  // expects wasmparser's. A count larger than the bytes left fails in wasmparser when the
  // reading runs out of input, hence the same text.
  if (m == msg::kUnexpectedEnd || m == msg::kLengthOutOfBounds) m = "unexpected end-of-file";
  return fail(std::string(m), r.error_offset());
}

bool Parser::enter(size_t at) {
  if (++depth_ <= kMaxNestingDepth) return true;
  if (!err_) err_ = Error{ErrorKind::Limit, "nesting too deep", at, 0, 0};
  return false;
}

bool Parser::item(size_t at) {
  if (++items_ <= kMaxItems) return true;
  if (!err_) err_ = Error{ErrorKind::Limit, "too many definitions", at, 0, 0};
  return false;
}

// ---- small productions ----

bool Parser::byte(Reader& r, uint8_t* out, size_t* at) {
  *at = r.offset();
  return r.u8(out) || take(r);
}

bool Parser::name(Reader& r, std::string* out) { return r.name(out) || take(r); }

bool Parser::boolean(Reader& r, bool* out) {
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  if (b > 1) return fail("invalid boolean value", at);
  *out = b == 1;
  return true;
}

// valtype: a primvaltype byte, else a non-negative s33 type index (the type opcodes are the
// negative one-byte SLEB128s, so the two never overlap).
bool Parser::valtype(Reader& r, ValTypeUse* out) {
  size_t at = r.offset();
  uint8_t b;
  if (!r.peek(&b)) {
    r.u8(&b);  // records "unexpected end"
    return take(r);
  }
  if (is_prim(b)) {
    r.skip(1);
    *out = ValTypeUse::of(static_cast<PrimValType>(b));
    return true;
  }
  int64_t v;
  if (!r.s33(&v)) return take(r);
  if (v < 0 || v > int64_t(UINT32_MAX)) return bad_byte(b, "component value type", at);
  *out = ValTypeUse::at(static_cast<uint32_t>(v));
  return true;
}

bool Parser::opt_valtype(Reader& r, std::optional<ValTypeUse>* out) {
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  if (b == 0x00) {
    out->reset();
    return true;
  }
  if (b != 0x01) return bad_byte(b, "optional component value type", at);
  ValTypeUse t;
  if (!valtype(r, &t)) return false;
  *out = t;
  return true;
}

// resultlist: 0x00 valtype | 0x01 0x00 (no result).
bool Parser::resultlist(Reader& r, std::optional<ValTypeUse>* out) {
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  if (b == 0x00) {
    ValTypeUse t;
    if (!valtype(r, &t)) return false;
    *out = t;
    return true;
  }
  if (b != 0x01) return bad_byte(b, "component function results", at);
  if (!byte(r, &b, &at)) return false;
  if (b != 0x00) return bad_byte(b, "number of results", at);
  out->reset();
  return true;
}

// nameattributes: 0x00 name | 0x01 name (the same; an older encoding) | 0x02 name
// vec(attribute).
bool Parser::extern_name(Reader& r, ExternName* out) {
  uint8_t b;
  if (!byte(r, &b, &out->at)) return false;
  if (b > 0x02) return bad_byte(b, "component name", out->at);
  if (!name(r, &out->name)) return false;
  if (b != 0x02) return true;
  uint32_t n;
  if (!r.count(&n)) return take(r);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t kind;
    size_t at;
    if (!byte(r, &kind, &at)) return false;
    std::optional<std::string>* slot;
    const char* what;
    switch (kind) {
      case 0x00:
        slot = &out->implements;
        what = "implements";
        break;
      case 0x01:
        slot = &out->version_suffix;
        what = "versionsuffix";
        break;
      case 0x02:
        slot = &out->external_id;
        what = "external-id";
        break;
      default: return bad_byte(kind, "name option", at);
    }
    std::string value;
    if (!name(r, &value)) return false;
    if (*slot) {
      if (out->duplicate_attribute.empty()) {
        out->duplicate_attribute = what;
        out->duplicate_at = at;
      }
    } else {
      *slot = std::move(value);
    }
  }
  return true;
}

// externtype (= the sort of a component definition, then its type).
bool Parser::extern_desc(Reader& r, ExternDesc* out) {
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  switch (b) {
    case 0x00: {
      if (!byte(r, &b, &at)) return false;
      if (b != 0x11) return bad_byte(b, "component external kind", at);
      out->kind = ExternDesc::Kind::CoreModule;
      return r.u32(&out->index) || take(r);
    }
    case 0x01:
    case 0x04:
    case 0x05: out->kind = static_cast<ExternDesc::Kind>(b); return r.u32(&out->index) || take(r);
    case 0x02: {
      // valuebound: 0x00 (eq valueidx) | 0x01 valtype.
      out->kind = ExternDesc::Kind::Value;
      if (!byte(r, &b, &at)) return false;
      if (b == 0x00) {
        out->value_eq = true;
        return r.u32(&out->value_index) || take(r);
      }
      if (b != 0x01) return bad_byte(b, "value bound", at);
      return valtype(r, &out->value_type);
    }
    case 0x03: {
      // typebound: 0x00 (eq typeidx) | 0x01 (sub resource).
      out->kind = ExternDesc::Kind::Type;
      if (!byte(r, &b, &at)) return false;
      if (b == 0x00) return r.u32(&out->type_bound.eq) || take(r);
      if (b != 0x01) return bad_byte(b, "type bound", at);
      out->type_bound.sub_resource = true;
      return true;
    }
    default: return bad_byte(b, "component external kind", at);
  }
}

bool Parser::component_sort(Reader& r, SortIdx* out) {
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  if (b == 0x00) {
    if (!byte(r, &b, &at)) return false;
    if (b != 0x11) return bad_byte(b, "component external kind", at);
    out->sort = Sort::Core;
    out->core = CoreSort::Module;
    return true;
  }
  if (b > 0x05) return bad_byte(b, "component external kind", at);
  out->sort = static_cast<Sort>(b);
  return true;
}

// alias: sort, then the target (0x00 export, 0x01 core export, 0x02 outer). As in wasmparser,
// the target is read before the sort is checked against it, so a bad target is reported first.
bool Parser::alias(Reader& r, Alias* out) {
  out->at = r.offset();
  uint8_t b1, b2 = 0, target;
  size_t at1, at2 = 0, tat;
  if (!byte(r, &b1, &at1)) return false;
  if (b1 == 0x00 && !byte(r, &b2, &at2)) return false;
  if (!byte(r, &target, &tat)) return false;
  switch (target) {
    case 0x00:  // export of a component instance: any component sort, or a core module
      out->target = Alias::Target::Export;
      if (b1 == 0x00) {
        if (b2 != 0x11) return bad_byte(b2, "component external kind", at2);
        out->sort = {Sort::Core, CoreSort::Module, 0};
      } else if (b1 > 0x05) {
        return bad_byte(b1, "component external kind", at1);
      } else {
        out->sort.sort = static_cast<Sort>(b1);
      }
      return (r.u32(&out->instance) || take(r)) && name(r, &out->name);
    case 0x01:  // export of a core instance: a core func, table, memory, global or tag
      out->target = Alias::Target::CoreExport;
      if (b1 != 0x00) return bad_byte(b1, "core instance export kind", at1);
      if (b2 > 0x04) return bad_byte(b2, "external kind", at2);
      out->sort = {Sort::Core, static_cast<CoreSort>(b2), 0};
      return (r.u32(&out->instance) || take(r)) && name(r, &out->name);
    case 0x02:  // outer: core module, core type, type or component
      out->target = Alias::Target::Outer;
      if (b1 == 0x00) {
        if (b2 != 0x10 && b2 != 0x11) return bad_byte(b2, "component outer alias kind", at2);
        out->sort = {Sort::Core, static_cast<CoreSort>(b2), 0};
      } else if (b1 == 0x03 || b1 == 0x04) {
        out->sort.sort = static_cast<Sort>(b1);
      } else {
        return bad_byte(b1, "component outer alias kind", at1);
      }
      return (r.u32(&out->outer_count) || take(r)) && (r.u32(&out->outer_index) || take(r));
    default: return bad_byte(target, "alias", tat);
  }
}

// ---- core types ----

// core:type: 0x00 0x50 ... (a non-final subtype, prefixed because a bare 0x50 is a module
// type), 0x50 vec(core:moduledecl), else a core rectype.
bool Parser::core_type(Reader& r, CoreTypeDef* out) {
  out->at = r.offset();
  if (!item(out->at)) return false;
  uint8_t b;
  if (!r.peek(&b)) {
    r.u8(&b);  // records "unexpected end"
    return take(r);
  }
  if (b == 0x00) {
    r.skip(1);
    size_t at = r.offset();
    if (!r.peek(&b)) {
      r.u8(&b);
      return take(r);
    }
    if (b != typecode::kSub) return bad_byte(b, "non-final sub type", at);
    out->kind = CoreTypeDef::Kind::Rec;
    return read_rectype(r, &out->rec) || take(r);
  }
  if (b == typecode::kSub) {
    r.skip(1);
    out->kind = CoreTypeDef::Kind::Module;
    if (!enter(out->at)) return false;
    uint32_t n;
    if (!r.count(&n)) return take(r);
    out->module_decls.reserve(capped(n, r, 2));
    for (uint32_t i = 0; i < n; ++i) {
      out->module_decls.emplace_back();
      if (!module_decl(r, &out->module_decls.back())) return false;
    }
    leave();
    return true;
  }
  out->kind = CoreTypeDef::Kind::Rec;
  return read_rectype(r, &out->rec) || take(r);
}

// core:moduledecl: 0x00 import | 0x01 core:type | 0x02 outer type alias | 0x03 export.
bool Parser::module_decl(Reader& r, CoreTypeDecl* out) {
  uint8_t b;
  if (!item(r.offset()) || !byte(r, &b, &out->at)) return false;
  switch (b) {
    case 0x00: {
      out->kind = CoreTypeDecl::Kind::Import;
      Import im;
      if (!name(r, &out->module) || !name(r, &out->name)) return false;
      if (!read_import_desc(r, &im)) return take(r);
      out->extern_kind = im.kind;
      out->type_index = im.type_index;
      out->table = im.table;
      out->memory = im.memory;
      out->global = im.global;
      return true;
    }
    case 0x01:
      out->kind = CoreTypeDecl::Kind::Type;
      out->type = std::make_shared<CoreTypeDef>();
      return core_type(r, out->type.get());
    case 0x02: {
      out->kind = CoreTypeDecl::Kind::Alias;
      size_t at;
      if (!byte(r, &b, &at)) return false;
      if (b != 0x10) return bad_byte(b, "outer alias kind", at);
      if (!byte(r, &b, &at)) return false;
      if (b != 0x01) return bad_byte(b, "outer alias target", at);
      return (r.u32(&out->outer_count) || take(r)) && (r.u32(&out->outer_index) || take(r));
    }
    case 0x03: {
      out->kind = CoreTypeDecl::Kind::Export;
      Import im;
      if (!name(r, &out->name)) return false;
      if (!read_import_desc(r, &im)) return take(r);
      out->extern_kind = im.kind;
      out->type_index = im.type_index;
      out->table = im.table;
      out->memory = im.memory;
      out->global = im.global;
      return true;
    }
    default: return bad_byte(b, "type definition", out->at);
  }
}

// ---- component types ----

namespace {

template <class T, class F>
bool read_vec(Parser& p, Reader& r, std::vector<T>* out, size_t min_bytes, F&& one) {
  uint32_t n;
  if (!r.count(&n)) return p.take(r);
  out->reserve(capped(n, r, min_bytes));
  for (uint32_t i = 0; i < n; ++i) {
    out->emplace_back();
    if (!one(out->back())) return false;
  }
  return true;
}

}  // namespace

bool Parser::type(Reader& r, TypeDef* out) {
  out->at = r.offset();
  if (!item(out->at)) return false;
  uint8_t b;
  size_t at;
  if (!byte(r, &b, &at)) return false;
  auto labeled = [&](LabeledType& lt) { return name(r, &lt.label) && valtype(r, &lt.type); };
  auto label = [&](std::string& s) { return name(r, &s); };
  auto vt = [&](ValTypeUse& t) { return valtype(r, &t); };
  DefValType& v = out->val;
  switch (b) {
    case 0x3f: {  // resourcetype: core valtype, optional dtor
      out->kind = TypeDef::Kind::Resource;
      if (!read_valtype(r, &out->resource.rep)) return take(r);
      if (!byte(r, &b, &at)) return false;
      if (b == 0x01) {
        uint32_t f;
        if (!r.u32(&f)) return take(r);
        out->resource.dtor = f;
      } else if (b != 0x00) {
        return bad_byte(b, "resource destructor", at);
      }
      return true;
    }
    case 0x40:
    case 0x43:  // functype (0x43: async)
      out->kind = TypeDef::Kind::Func;
      out->func.async = b == 0x43;
      return read_vec(*this, r, &out->func.params, 2, labeled) && resultlist(r, &out->func.result);
    case 0x41:
    case 0x42: {  // componenttype / instancetype
      out->kind = b == 0x41 ? TypeDef::Kind::Component : TypeDef::Kind::Instance;
      if (!enter(at)) return false;
      if (!decls(r, b == 0x41, &out->decls)) return false;
      leave();
      return true;
    }
    default: break;
  }
  out->kind = TypeDef::Kind::Val;
  using K = DefValType::Kind;
  if (is_prim(b)) {
    v.kind = K::Prim;
    v.prim = static_cast<PrimValType>(b);
    return true;
  }
  switch (b) {
    case 0x72: v.kind = K::Record; return read_vec(*this, r, &v.fields, 2, labeled);
    case 0x71:
      v.kind = K::Variant;
      return read_vec(*this, r, &v.cases, 3, [&](Case& c) {
        if (!name(r, &c.label) || !opt_valtype(r, &c.type)) return false;
        uint8_t z;
        size_t zat;
        if (!byte(r, &z, &zat)) return false;
        return z == 0x00 || bad_byte(z, "zero byte required", zat);
      });
    case 0x70:
      v.kind = K::List;
      v.types.resize(1);
      return valtype(r, &v.types[0]);
    case 0x67:
      v.kind = K::FixedList;
      v.types.resize(1);
      return valtype(r, &v.types[0]) && (r.u32(&v.length) || take(r));
    case 0x6f: v.kind = K::Tuple; return read_vec(*this, r, &v.types, 1, vt);
    case 0x6e: v.kind = K::Flags; return read_vec(*this, r, &v.labels, 1, label);
    case 0x6d: v.kind = K::Enum; return read_vec(*this, r, &v.labels, 1, label);
    case 0x6b:
      v.kind = K::Option;
      v.types.resize(1);
      return valtype(r, &v.types[0]);
    case 0x6a: v.kind = K::Result; return opt_valtype(r, &v.ok) && opt_valtype(r, &v.err);
    case 0x69: v.kind = K::Own; return r.u32(&v.resource) || take(r);
    case 0x68: v.kind = K::Borrow; return r.u32(&v.resource) || take(r);
    case 0x66: v.kind = K::Stream; return opt_valtype(r, &v.ok);
    case 0x65: v.kind = K::Future; return opt_valtype(r, &v.ok);
    case 0x63:
      v.kind = K::Map;
      v.types.resize(2);
      return valtype(r, &v.types[0]) && valtype(r, &v.types[1]);
    default: return bad_byte(b, "component defined type", at);
  }
}

// componentdecl (component types: also 0x03 importdecl) / instancedecl.
bool Parser::decls(Reader& r, bool component, std::vector<Decl>* out) {
  return read_vec(*this, r, out, 2, [&](Decl& d) {
    uint8_t b;
    if (!item(r.offset()) || !byte(r, &b, &d.at)) return false;
    switch (b) {
      case 0x00:
        d.kind = Decl::Kind::CoreType;
        d.core_type = std::make_shared<CoreTypeDef>();
        return core_type(r, d.core_type.get());
      case 0x01:
        d.kind = Decl::Kind::Type;
        d.type = std::make_shared<TypeDef>();
        return type(r, d.type.get());
      case 0x02: d.kind = Decl::Kind::Alias; return alias(r, &d.alias);
      case 0x03:
        if (!component) break;
        d.kind = Decl::Kind::Import;
        return extern_name(r, &d.name) && extern_desc(r, &d.desc);
      case 0x04:
        d.kind = Decl::Kind::Export;
        return extern_name(r, &d.name) && extern_desc(r, &d.desc);
      default: break;
    }
    return bad_byte(b, "component or instance type declaration", d.at);
  });
}

// ---- the component-name custom section ----

// namedata: subsections (id, size, contents): 0 = the component's name, 1 = a sort and a
// name map. Advisory: anything malformed drops what this section would have contributed.
void Parser::name_section(size_t begin, size_t end, ComponentDesc* out) {
  Reader r(bytes_->data() + begin, end - begin, begin);
  std::string component_name;
  std::vector<SortNames> sorts;
  while (!r.at_end()) {
    uint8_t id;
    uint32_t size;
    Reader sub;
    if (!r.u8(&id) || !r.u32(&size) || !r.sub(size, &sub)) return;
    if (id == 0) {
      if (!sub.name(&component_name) || !sub.at_end()) return;
    } else if (id == 1) {
      SortNames sn;
      uint8_t b;
      if (!sub.u8(&b)) return;
      if (b == 0x00) {
        if (!sub.u8(&b) || !((b <= 0x04) || (b >= 0x10 && b <= 0x12))) return;
        sn.sort = {Sort::Core, static_cast<CoreSort>(b), 0};
      } else if (b <= 0x05) {
        sn.sort.sort = static_cast<Sort>(b);
      } else {
        continue;  // an unknown sort: skip the subsection
      }
      uint32_t n;
      if (!sub.count(&n)) return;
      sn.names.reserve(capped(n, sub, 2));
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t idx;
        std::string nm;
        if (!sub.u32(&idx) || !sub.name(&nm)) return;
        sn.names.emplace_back(idx, std::move(nm));
      }
      if (!sub.at_end()) return;
      sorts.push_back(std::move(sn));
    }
  }
  out->name = std::move(component_name);
  out->sort_names = std::move(sorts);
}

}  // namespace hull::component::detail
