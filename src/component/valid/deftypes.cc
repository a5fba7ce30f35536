// Validation of type definitions: defined value types, function types, component and instance
// types with their declarators, resource types, core types (rec groups and module types).
#include <algorithm>
#include <set>

#include "component/abi/canon_abi.h"
#include "component/valid/validator_impl.h"

namespace hull::component {

namespace {

ac::TypeKind prim_kind(PrimValType p) {
  switch (p) {
    case PrimValType::Bool: return ac::TypeKind::Bool;
    case PrimValType::S8: return ac::TypeKind::S8;
    case PrimValType::U8: return ac::TypeKind::U8;
    case PrimValType::S16: return ac::TypeKind::S16;
    case PrimValType::U16: return ac::TypeKind::U16;
    case PrimValType::S32: return ac::TypeKind::S32;
    case PrimValType::U32: return ac::TypeKind::U32;
    case PrimValType::S64: return ac::TypeKind::S64;
    case PrimValType::U64: return ac::TypeKind::U64;
    case PrimValType::F32: return ac::TypeKind::F32;
    case PrimValType::F64: return ac::TypeKind::F64;
    case PrimValType::Char: return ac::TypeKind::Char;
    case PrimValType::String: return ac::TypeKind::String;
    case PrimValType::ErrorContext: return ac::TypeKind::ErrorContext;
  }
  return ac::TypeKind::Bool;
}

// Labels of records, variants, flags, enums and params: kebab case and strongly unique.
// `what` is e.g. "record field", `plural` "field".
std::optional<std::string> check_labels(const std::vector<std::string>& labels, const char* what,
                                        const char* previous) {
  std::map<std::string, std::string> seen;
  for (const std::string& l : labels) {
    if (l.empty()) return std::string(what) + " name cannot be empty";
    if (!is_kebab_label(l)) return std::string(what) + " name `" + l + "` is not in kebab case";
    std::string key = ascii_lowercase(l);
    auto it = seen.find(key);
    if (it != seen.end()) {
      return std::string(what) + " name `" + l + "` conflicts with previous " + previous +
             " name `" + it->second + "`";
    }
    seen.emplace(key, l);
  }
  return std::nullopt;
}

bool contains_borrow(const ac::Type& t) {
  if (t.empty()) return false;
  const ac::TypeNode& n = t.node();
  if (n.kind == ac::TypeKind::Borrow) return true;
  for (const ac::Field& f : n.fields) {
    if (contains_borrow(f.type)) return true;
  }
  for (const ac::Type& e : n.elems) {
    if (contains_borrow(e)) return true;
  }
  return contains_borrow(n.ok) || contains_borrow(n.err);
}

api::ValType core_valtype(const ValType& t) {
  switch (t.kind) {
    case ValKind::I32: return api::ValType::I32;
    case ValKind::I64: return api::ValType::I64;
    case ValKind::F32: return api::ValType::F32;
    case ValKind::F64: return api::ValType::F64;
    case ValKind::V128: return api::ValType::V128;
    default: break;
  }
  switch (t.heap) {
    case HeapKind::Func:
    case HeapKind::NoFunc:
    case HeapKind::Concrete: return api::ValType::FuncRef;
    case HeapKind::Extern:
    case HeapKind::NoExtern: return api::ValType::ExternRef;
    default: return api::ValType::AnyRef;
  }
}

api::Limits core_limits(const Limits& l) { return api::Limits{l.min, l.max, l.is64, l.shared}; }

// The canonical ABI's alignment and elem_size with 64-bit pointers, saturating at 2^40 so
// that hostile sizes cannot wrap (validation only; the ABI layer computes 32-bit layouts).
constexpr uint64_t kSizeCap = uint64_t(1) << 40;
uint64_t sat_mul(uint64_t a, uint64_t b) { return (b != 0 && a > kSizeCap / b) ? kSizeCap : a * b; }
uint64_t align_to(uint64_t x, uint64_t a) { return x >= kSizeCap ? kSizeCap : (x + a - 1) / a * a; }
uint64_t disc_size(size_t cases) { return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4; }

uint64_t align64(const ac::Type& t);
uint64_t elem_size64(const ac::Type& t);

uint64_t payload_align(const std::vector<ac::Type>& ts) {
  uint64_t a = 1;
  for (const ac::Type& t : ts) {
    if (!t.empty()) a = std::max(a, align64(t));
  }
  return a;
}

std::vector<ac::Type> cases_of(const ac::TypeNode& n) {
  std::vector<ac::Type> out;
  if (n.kind == ac::TypeKind::Variant) {
    for (const ac::Field& f : n.fields) out.push_back(f.type);
  } else if (n.kind == ac::TypeKind::Option) {
    out = {ac::Type(), n.elems[0]};
  } else {
    out = {n.ok, n.err};
  }
  return out;
}

uint64_t align64(const ac::Type& t) {
  const ac::TypeNode& n = t.node();
  switch (n.kind) {
    case ac::TypeKind::Bool:
    case ac::TypeKind::S8:
    case ac::TypeKind::U8: return 1;
    case ac::TypeKind::S16:
    case ac::TypeKind::U16: return 2;
    case ac::TypeKind::S64:
    case ac::TypeKind::U64:
    case ac::TypeKind::F64:
    case ac::TypeKind::String:
    case ac::TypeKind::List: return 8;
    case ac::TypeKind::FixedList: return align64(n.elems[0]);
    case ac::TypeKind::Record: {
      uint64_t a = 1;
      for (const ac::Field& f : n.fields) a = std::max(a, align64(f.type));
      return a;
    }
    case ac::TypeKind::Tuple: return payload_align(n.elems);
    case ac::TypeKind::Variant:
    case ac::TypeKind::Option:
    case ac::TypeKind::Result: {
      auto cs = cases_of(n);
      return std::max(disc_size(cs.size()), payload_align(cs));
    }
    case ac::TypeKind::Enum: return disc_size(n.names.size());
    case ac::TypeKind::Flags: return n.names.size() <= 8 ? 1 : n.names.size() <= 16 ? 2 : 4;
    default: return 4;
  }
}

uint64_t elem_size64(const ac::Type& t) {
  const ac::TypeNode& n = t.node();
  switch (n.kind) {
    case ac::TypeKind::String:
    case ac::TypeKind::List: return 16;
    case ac::TypeKind::FixedList: return sat_mul(elem_size64(n.elems[0]), n.length);
    case ac::TypeKind::Record:
    case ac::TypeKind::Tuple: {
      uint64_t s = 0;
      std::vector<ac::Type> ts;
      if (n.kind == ac::TypeKind::Record) {
        for (const ac::Field& f : n.fields) ts.push_back(f.type);
      } else {
        ts = n.elems;
      }
      for (const ac::Type& x : ts) s = std::min(kSizeCap, align_to(s, align64(x)) + elem_size64(x));
      return align_to(s, align64(t));
    }
    case ac::TypeKind::Variant:
    case ac::TypeKind::Option:
    case ac::TypeKind::Result: {
      auto cs = cases_of(n);
      uint64_t s = align_to(disc_size(cs.size()), payload_align(cs));
      uint64_t m = 0;
      for (const ac::Type& x : cs) {
        if (!x.empty()) m = std::max(m, elem_size64(x));
      }
      return align_to(std::min(kSizeCap, s + m), align64(t));
    }
    case ac::TypeKind::Enum: return disc_size(n.names.size());
    case ac::TypeKind::Flags: return n.names.size() <= 8 ? 1 : n.names.size() <= 16 ? 2 : 4;
    default: return align64(t);  // scalars: size == alignment
  }
}

}  // namespace

api::Result<ac::Type> Validator::valtype(Scope& s, const ValTypeUse& t, size_t at) {
  if (t.is_prim) {
    if (t.prim == PrimValType::ErrorContext) {
      return invalid_at(
          "`error-context` requires the component-model error-context feature, "
          "which Hull does not support yet",
          at);
    }
    return ac::Type::prim(prim_kind(t.prim));
  }
  if (t.index >= s.info->types.size()) {
    return invalid_at("unknown type " + std::to_string(t.index) + ": type index out of bounds", at);
  }
  const TypeEntry& e = s.info->types[t.index];
  if (e.kind != TypeEntry::Kind::Value) {
    return invalid_at("type index " + std::to_string(t.index) + " is not a defined type", at);
  }
  return e.value;
}

api::Result<ac::Type> Validator::defvaltype(Scope& s, const DefValType& d, size_t at) {
  using K = DefValType::Kind;
  auto vt = [&](const ValTypeUse& u) { return valtype(s, u, at); };
  ac::Type out;
  switch (d.kind) {
    case K::Prim: {
      auto r = vt(ValTypeUse::of(d.prim));
      if (!r) return r;
      out = *r;
      break;
    }
    case K::Record: {
      if (d.fields.empty()) return invalid_at("record type must have at least one field", at);
      std::vector<std::string> labels;
      std::vector<ac::Field> fields;
      for (const LabeledType& f : d.fields) {
        labels.push_back(f.label);
        auto r = vt(f.type);
        if (!r) return r;
        fields.push_back({f.label, *r});
      }
      if (auto m = check_labels(labels, "record field", "field")) return invalid_at(*m, at);
      out = ac::record_type(std::move(fields));
      break;
    }
    case K::Variant: {
      if (d.cases.empty()) return invalid_at("variant type must have at least one case", at);
      std::vector<std::string> labels;
      std::vector<ac::Field> cases;
      for (const Case& c : d.cases) {
        labels.push_back(c.label);
        ac::Type t;
        if (c.type) {
          auto r = vt(*c.type);
          if (!r) return r;
          t = *r;
        }
        cases.push_back({c.label, t});
      }
      if (auto m = check_labels(labels, "variant case", "case")) return invalid_at(*m, at);
      out = ac::variant_type(std::move(cases));
      break;
    }
    case K::List:
    case K::FixedList: {
      auto r = vt(d.types.at(0));
      if (!r) return r;
      if (d.kind == K::FixedList) {
        if (d.length == 0)
          return invalid_at("Fixed size lists must have more than zero elements", at);
        out = ac::fixed_list_type(*r, d.length);
      } else {
        out = ac::list_type(*r);
      }
      break;
    }
    case K::Tuple: {
      if (d.types.empty()) return invalid_at("tuple type must have at least one type", at);
      std::vector<ac::Type> elems;
      for (const ValTypeUse& u : d.types) {
        auto r = vt(u);
        if (!r) return r;
        elems.push_back(*r);
      }
      out = ac::tuple_type(std::move(elems));
      break;
    }
    case K::Flags: {
      if (d.labels.empty()) return invalid_at("flags must have at least one entry", at);
      if (d.labels.size() > 32) return invalid_at("cannot have more than 32 flags", at);
      if (auto m = check_labels(d.labels, "flag", "flag")) return invalid_at(*m, at);
      out = ac::flags_type(d.labels);
      break;
    }
    case K::Enum: {
      if (d.labels.empty()) return invalid_at("enum type must have at least one variant", at);
      if (auto m = check_labels(d.labels, "enum tag", "tag")) return invalid_at(*m, at);
      out = ac::enum_type(d.labels);
      break;
    }
    case K::Option: {
      auto r = vt(d.types.at(0));
      if (!r) return r;
      out = ac::option_type(*r);
      break;
    }
    case K::Result: {
      ac::Type ok, err;
      if (d.ok) {
        auto r = vt(*d.ok);
        if (!r) return r;
        ok = *r;
      }
      if (d.err) {
        auto r = vt(*d.err);
        if (!r) return r;
        err = *r;
      }
      out = ac::result_type(ok, err);
      break;
    }
    case K::Own:
    case K::Borrow: {
      if (d.resource >= s.info->types.size()) {
        return invalid_at(
            "unknown type " + std::to_string(d.resource) + ": type index out of bounds", at);
      }
      const TypeEntry& e = s.info->types[d.resource];
      if (e.kind != TypeEntry::Kind::Resource) {
        return invalid_at("type index " + std::to_string(d.resource) + " is not a resource type",
                          at);
      }
      // Handles carry the resource's name (the first import or export that named it) for
      // WIT output and messages; identity is the id alone.
      ac::ResourceRef ref{e.resource.id, resources_->resources[e.resource.id].name};
      out = d.kind == K::Own ? ac::own_type(ref) : ac::borrow_type(ref);
      break;
    }
    case K::Stream:
    case K::Future: {
      const char* what = d.kind == K::Stream ? "stream" : "future";
      if (!engine_.config().component_model_async) {
        return invalid_at(std::string("`") + what +
                              "` types require the component-model-async feature, which is not "
                              "enabled (Config::component_model_async)",
                          at);
      }
      ac::TypeNode n;
      n.kind = d.kind == K::Stream ? ac::TypeKind::Stream : ac::TypeKind::Future;
      if (d.ok) {
        // Explainer: stream<char> is reserved (it will mean a text stream in the string
        // encoding); Wasmtime rejects it with this wording.
        if (d.ok->is_prim && d.ok->prim == PrimValType::Char && d.kind == K::Stream) {
          return invalid_at("`stream<char>` is not valid at this time", at);
        }
        auto elem = vt(*d.ok);
        if (!elem) return elem;
        // The canonical ABI cannot yet bound a borrow's lifetime inside a stream or future.
        if (contains_borrow(*elem)) {
          return invalid_at(std::string("`") + what + "` element types cannot contain borrows", at);
        }
        n.elems.push_back(*elem);
      }
      out = ac::Type(std::make_shared<const ac::TypeNode>(std::move(n)));
      break;
    }
    case K::Map: {
      // 🗺️ map<K, V>: K must be a keytype (Explainer.md). Hull represents a map by its
      // despecialization, list<tuple<K, V>> (how the canonical ABI lays it out), so map values
      // are lists of pairs in the API, and map and list<tuple<K, V>> are not told apart when
      // types are matched.
      const ValTypeUse& k = d.types.at(0);
      if (!k.is_prim || k.prim == PrimValType::F32 || k.prim == PrimValType::F64 ||
          k.prim == PrimValType::ErrorContext) {
        return invalid_at("map key type must be a boolean, integer, char or string", at);
      }
      auto key = vt(k);
      if (!key) return key;
      auto value = vt(d.types.at(1));
      if (!value) return value;
      out = ac::list_type(ac::tuple_type({*key, *value}));
      break;
    }
  }
  // Like Wasmtime, value types nest at most 100 deep, so recursive algorithms over them
  // (lifting, lowering, printing) have a bounded depth.
  // And, like wasmparser, a type's effective size (its nodes counted as a tree: a type used
  // twice counts twice) is at most 1,000,000, so that no walk over a type -- matching,
  // substitution, flattening, printing -- can be made exponential by a type that refers to
  // another type many times (tuple<t, t> doubled 30 times is a few bytes of binary).
  {
    uint32_t depth = 1;
    uint64_t size = 1;
    const ac::TypeNode& n = out.node();
    auto child = [&](const ac::Type& c) {
      if (c.empty()) return;
      depth = std::max(depth, 1 + type_depth(c));
      size = std::min<uint64_t>(size + type_size(c), kMaxTypeSize + 1);
    };
    for (const ac::Field& f : n.fields) child(f.type);
    for (const ac::Type& e : n.elems) child(e);
    child(n.ok);
    child(n.err);
    if (depth > 100) return invalid_at("type nesting is too deep", at);
    if (size > kMaxTypeSize) {
      return invalid_at("effective type size exceeds the limit of " + std::to_string(kMaxTypeSize),
                        at);
    }
    shapes_[out.ptr().get()] = {depth, static_cast<uint32_t>(size)};
    // Depth and size are recomputed from the children above (not via type_shape) so that the
    // limit's message names this definition.
  }
  // Spec: elem_size(t, 'i64') must stay below 2^28 so that sizes computed at runtime never
  // overflow, whatever the pointer width.
  if (elem_size64(out) >= (uint64_t(1) << 28)) {
    return invalid_at("type exceeds maximum byte size", at);
  }
  return out;
}

api::Result<ac::FuncType> Validator::functype(Scope& s, const FuncTypeDef& f, size_t at) {
  if (f.async && !engine_.config().component_model_async) {
    return invalid_at(
        "async function types require the component-model-async feature, which is not enabled "
        "(Config::component_model_async)",
        at);
  }
  ac::FuncType out;
  out.async = f.async;
  std::vector<std::string> labels;
  for (const LabeledType& p : f.params) {
    labels.push_back(p.label);
    auto r = valtype(s, p.type, at);
    if (!r) return std::move(r).error();
    out.params.push_back({p.label, *r});
  }
  if (auto m = check_labels(labels, "function parameter", "parameter")) return invalid_at(*m, at);
  if (f.result) {
    auto r = valtype(s, *f.result, at);
    if (!r) return std::move(r).error();
    if (contains_borrow(*r))
      return invalid_at("function result cannot contain a `borrow` type", at);
    out.result = *r;
  }
  return out;
}

api::Result<TypeEntry> Validator::deftype(Scope& s, const TypeDef& t) {
  TypeEntry e;
  switch (t.kind) {
    case TypeDef::Kind::Val: {
      auto r = defvaltype(s, t.val, t.at);
      if (!r) return std::move(r).error();
      e.kind = TypeEntry::Kind::Value;
      e.value = *r;
      return e;
    }
    case TypeDef::Kind::Func: {
      auto r = functype(s, t.func, t.at);
      if (!r) return std::move(r).error();
      e.kind = TypeEntry::Kind::Func;
      e.func = *r;
      return e;
    }
    case TypeDef::Kind::Component:
    case TypeDef::Kind::Instance: {
      Scope inner;
      inner.kind = t.kind == TypeDef::Kind::Component ? Scope::Kind::ComponentType
                                                      : Scope::Kind::InstanceType;
      inner.info = std::make_shared<ComponentInfo>();
      scopes.push_back(&inner);
      auto r = decls(inner, t.decls);
      scopes.pop_back();
      if (!r) return std::move(r).error();
      if (t.kind == TypeDef::Kind::Component) {
        auto ct = std::make_shared<ComponentType>();
        ct->imports = std::move(inner.imports);
        ct->exports = std::move(inner.exports);
        ct->imported_resources = std::move(inner.imported_resources);
        ct->defined_resources = std::move(inner.defined_resources);
        e.kind = TypeEntry::Kind::Component;
        e.component = ct;
      } else {
        auto it = std::make_shared<InstanceType>();
        it->exports = std::move(inner.exports);
        it->defined_resources = std::move(inner.defined_resources);
        e.kind = TypeEntry::Kind::Instance;
        e.instance = it;
      }
      return e;
    }
    case TypeDef::Kind::Resource: {
      if (s.kind != Scope::Kind::Component) {
        return invalid_at("resources can only be defined within a concrete component", t.at);
      }
      if (t.resource.rep.kind != ValKind::I32) {
        return invalid_at("resources can only be represented by `i32`", t.at);
      }
      if (t.resource.dtor) {
        uint32_t f = *t.resource.dtor;
        if (f >= s.info->core_funcs.size()) {
          return invalid_at(
              "unknown core function " + std::to_string(f) + ": function index out of bounds",
              t.at);
        }
        const api::FuncType& ft = s.info->core_funcs[f];
        if (!(ft.params == std::vector<api::ValType>{api::ValType::I32}) || !ft.results.empty()) {
          return invalid_at("wrong signature for a destructor", t.at);
        }
      }
      uint32_t id = new_resource("", true, t.resource.dtor);
      s.local_resources.insert(id);
      e.kind = TypeEntry::Kind::Resource;
      e.resource = ac::ResourceRef{id, ""};
      return e;
    }
  }
  return invalid_at("unknown type definition", t.at);
}

api::Result<CoreTypeEntry> Validator::core_deftype(Scope& s, const CoreTypeDef& t, size_t sub) {
  CoreTypeEntry e;
  if (t.kind == CoreTypeDef::Kind::Rec) {
    const SubType& st = t.rec.at(sub);
    if (st.kind != CompositeKind::Func) {
      // GC struct/array types: kept as an empty function type placeholder is wrong; reject
      // until Engine II brings GC to components.
      return invalid_at(
          "core struct and array types in components require Wasm GC support in "
          "components, which Hull does not have yet",
          t.at);
    }
    for (const ValType& v : st.func.params) e.func.params.push_back(core_valtype(v));
    for (const ValType& v : st.func.results) e.func.results.push_back(core_valtype(v));
    return e;
  }
  // A module type: its own core type index space, imports, exports and outer type aliases.
  auto mt = std::make_shared<CoreModuleType>();
  std::vector<CoreTypeEntry> types;
  auto func_of = [&](uint32_t idx, api::FuncType* out) -> std::optional<std::string> {
    if (idx >= types.size()) return "type index out of bounds";
    if (types[idx].is_module)
      return "type index " + std::to_string(idx) + " is not a function type";
    *out = types[idx].func;
    return std::nullopt;
  };
  std::set<std::pair<std::string, std::string>> import_names;
  std::set<std::string> export_names;
  for (const CoreTypeDecl& d : t.module_decls) {
    switch (d.kind) {
      case CoreTypeDecl::Kind::Type: {
        if (d.type->kind == CoreTypeDef::Kind::Module) {
          return invalid_at(
              "invalid leading byte (0x50) for core type: core module types cannot be nested",
              t.at);
        }
        for (size_t i = 0; i < d.type->rec.size(); ++i) {
          auto r = core_deftype(s, *d.type, i);
          if (!r) return r;
          types.push_back(*r);
        }
        break;
      }
      case CoreTypeDecl::Kind::Alias: {
        // Spec: outer aliases in a module type reach the enclosing component scopes' core types.
        if (d.outer_count == 0 || d.outer_count > scopes.size()) {
          return invalid_at("invalid outer alias count of " + std::to_string(d.outer_count), t.at);
        }
        Scope& target = *scopes[scopes.size() - d.outer_count];
        if (d.outer_index >= target.info->core_types.size()) {
          return invalid_at(
              "unknown core type " + std::to_string(d.outer_index) + ": type index out of bounds",
              t.at);
        }
        const CoreTypeEntry& ce = target.info->core_types[d.outer_index];
        if (ce.is_module) return invalid_at("cannot alias a module type into a module type", t.at);
        types.push_back(ce);
        break;
      }
      case CoreTypeDecl::Kind::Import:
      case CoreTypeDecl::Kind::Export: {
        api::ExternType et;
        switch (d.extern_kind) {
          case ExternKind::Func:
          case ExternKind::Tag: {
            et.kind =
                d.extern_kind == ExternKind::Func ? api::ExternKind::Func : api::ExternKind::Tag;
            if (auto m = func_of(d.type_index, &et.func)) return invalid_at(*m, t.at);
            break;
          }
          case ExternKind::Table:
            et.kind = api::ExternKind::Table;
            et.table = api::TableType{core_valtype(d.table.elem), core_limits(d.table.limits)};
            break;
          case ExternKind::Memory:
            if (!d.memory.limits.is64 &&
                (d.memory.limits.min > kMaxPages32 ||
                 (d.memory.limits.max && *d.memory.limits.max > kMaxPages32))) {
              return invalid_at("memory size must be at most 65536 pages (4GiB)", t.at);
            }
            et.kind = api::ExternKind::Memory;
            et.memory = api::MemoryType{core_limits(d.memory.limits)};
            break;
          case ExternKind::Global:
            et.kind = api::ExternKind::Global;
            et.global = api::GlobalType{core_valtype(d.global.type), d.global.mut};
            break;
        }
        if (d.kind == CoreTypeDecl::Kind::Import) {
          if (!import_names.insert({d.module, d.name}).second) {
            return invalid_at("duplicate import name `" + d.module + ":" + d.name + "`", t.at);
          }
          mt->imports.push_back(api::ImportType{d.module, d.name, et});
        } else {
          if (!export_names.insert(d.name).second) {
            return invalid_at("duplicate export name `" + d.name + "` already defined", t.at);
          }
          mt->exports.push_back(api::ExportType{d.name, et});
        }
        break;
      }
    }
  }
  e.is_module = true;
  e.module = mt;
  return e;
}

// Declarators of component and instance types.
api::Result<void> Validator::decls(Scope& s, const std::vector<Decl>& ds) {
  for (const Decl& d : ds) {
    switch (d.kind) {
      case Decl::Kind::CoreType: {
        size_t n = d.core_type->kind == CoreTypeDef::Kind::Rec ? d.core_type->rec.size() : 1;
        for (size_t i = 0; i < n; ++i) {
          auto r = core_deftype(s, *d.core_type, i);
          if (!r) return std::move(r).error();
          s.info->core_types.push_back(*r);
        }
        break;
      }
      case Decl::Kind::Type: {
        auto r = deftype(s, *d.type);
        if (!r) return std::move(r).error();
        s.info->types.push_back(*r);
        break;
      }
      case Decl::Kind::Alias: {
        const Alias& a = d.alias;
        if (a.target == Alias::Target::CoreExport) {
          return invalid_at("core export aliases are not allowed in type declarations", a.at);
        }
        if (a.target == Alias::Target::Outer && a.sort.sort != Sort::Type &&
            !(a.sort.sort == Sort::Core && a.sort.core == CoreSort::Type)) {
          return invalid_at(
              "outer aliases in type declarations may only refer to types or instances", a.at);
        }
        if (a.target == Alias::Target::Export && a.sort.sort != Sort::Type &&
            a.sort.sort != Sort::Instance) {
          return invalid_at(
              "export aliases in type declarations may only refer to types or instances", a.at);
        }
        auto r = alias(s, a);
        if (!r) return r;
        break;
      }
      case Decl::Kind::Import:
      case Decl::Kind::Export: {
        bool is_import = d.kind == Decl::Kind::Import;
        if (is_import && s.kind != Scope::Kind::ComponentType) {
          return invalid_at("instance types cannot have imports", d.at);
        }
        auto ent = extern_desc(s, d.desc, d.at, is_import);
        if (!ent) return std::move(ent).error();
        auto r = declare(s, d.name, *ent, is_import, d.at);
        if (!r) return r;
        break;
      }
    }
  }
  return {};
}

// externtype -> the entity it describes. Instance types get fresh declared resources, and a
// (sub resource) bound a fresh abstract resource; both are recorded in the scope as imported
// (bound by whoever instantiates) or defined (fresh per instance).
api::Result<Entity> Validator::extern_desc(Scope& s, const ExternDesc& d, size_t at,
                                           bool is_import) {
  Entity e;
  auto type_at = [&](uint32_t i) -> api::Result<const TypeEntry*> {
    if (i >= s.info->types.size()) {
      return invalid_at("unknown type " + std::to_string(i) + ": type index out of bounds", at);
    }
    return &s.info->types[i];
  };
  auto& record = is_import ? s.imported_resources : s.defined_resources;
  switch (d.kind) {
    case ExternDesc::Kind::CoreModule: {
      if (d.index >= s.info->core_types.size()) {
        return invalid_at(
            "unknown core type " + std::to_string(d.index) + ": type index out of bounds", at);
      }
      const CoreTypeEntry& ce = s.info->core_types[d.index];
      if (!ce.is_module) {
        return invalid_at("core type index " + std::to_string(d.index) + " is not a module type",
                          at);
      }
      e.kind = Entity::Kind::Module;
      e.module = ce.module;
      return e;
    }
    case ExternDesc::Kind::Func: {
      auto t = type_at(d.index);
      if (!t) return std::move(t).error();
      if ((*t)->kind != TypeEntry::Kind::Func) {
        return invalid_at("type index " + std::to_string(d.index) + " is not a function type", at);
      }
      e.kind = Entity::Kind::Func;
      e.func = (*t)->func;
      return e;
    }
    case ExternDesc::Kind::Value:
      return invalid_at(
          "value imports and exports require the component-model-values feature, "
          "which Hull does not support yet",
          at);
    case ExternDesc::Kind::Type: {
      e.kind = Entity::Kind::Type;
      if (d.type_bound.sub_resource) {
        uint32_t id = new_resource("", false);
        record.push_back(id);
        e.type.kind = TypeEntry::Kind::Resource;
        e.type.resource = ac::ResourceRef{id, ""};
        return e;
      }
      auto t = type_at(d.type_bound.eq);
      if (!t) return std::move(t).error();
      e.type = **t;
      return e;
    }
    case ExternDesc::Kind::Component: {
      auto t = type_at(d.index);
      if (!t) return std::move(t).error();
      if ((*t)->kind != TypeEntry::Kind::Component) {
        return invalid_at("type index " + std::to_string(d.index) + " is not a component type", at);
      }
      e.kind = Entity::Kind::Component;
      e.component = (*t)->component;
      return e;
    }
    case ExternDesc::Kind::Instance: {
      auto t = type_at(d.index);
      if (!t) return std::move(t).error();
      if ((*t)->kind != TypeEntry::Kind::Instance) {
        return invalid_at("type index " + std::to_string(d.index) + " is not an instance type", at);
      }
      e.kind = Entity::Kind::Instance;
      e.instance = fresh_instance((*t)->instance, &record);
      return e;
    }
  }
  return invalid_at("unknown extern kind", at);
}

// An import or export (or alias) adds an item to the index space of its sort.
void Validator::add_entity(Scope& s, const Entity& e) {
  ComponentInfo& i = *s.info;
  switch (e.kind) {
    case Entity::Kind::Module: i.core_modules.push_back(e.module); break;
    case Entity::Kind::Func:
      i.funcs.push_back(e.func);
      s.func_is_imported_reexport.push_back(false);
      break;
    case Entity::Kind::Value: break;
    case Entity::Kind::Type: {
      i.types.push_back(e.type);
      std::set<uint32_t> rs;
      collect_resources(e, &rs);
      break;
    }
    case Entity::Kind::Component: i.components.push_back(e.component); break;
    case Entity::Kind::Instance: i.instances.push_back(e.instance); break;
  }
}

// Depth and effective size of `t`, memoized per node. Nodes made outside defvaltype (named
// copies, substitutions) are measured here on first use; memoizing keeps that linear in the
// number of distinct nodes. Sizes saturate just past the limit.
std::pair<uint32_t, uint32_t> Validator::type_shape(const ac::Type& t) {
  auto it = shapes_.find(t.ptr().get());
  if (it != shapes_.end()) return it->second;
  uint32_t depth = 1;
  uint64_t size = 1;
  const ac::TypeNode& n = t.node();
  auto child = [&](const ac::Type& c) {
    if (c.empty()) return;
    auto [d, sz] = type_shape(c);
    depth = std::max(depth, d + 1);
    size = std::min<uint64_t>(size + sz, kMaxTypeSize + 1);
  };
  for (const ac::Field& f : n.fields) child(f.type);
  for (const ac::Type& e : n.elems) child(e);
  child(n.ok);
  child(n.err);
  std::pair<uint32_t, uint32_t> shape{depth, static_cast<uint32_t>(size)};
  shapes_[t.ptr().get()] = shape;
  return shape;
}

uint32_t Validator::type_depth(const ac::Type& t) { return type_shape(t).first; }
uint32_t Validator::type_size(const ac::Type& t) { return type_shape(t).second; }

uint32_t Validator::new_resource(std::string name, bool defined, std::optional<uint32_t> dtor) {
  resources_->resources.push_back(ResourceInfo{std::move(name), defined, dtor, std::nullopt});
  return static_cast<uint32_t>(resources_->resources.size() - 1);
}

std::shared_ptr<const InstanceType> Validator::fresh_instance(
    const std::shared_ptr<const InstanceType>& t, std::vector<uint32_t>* fresh) {
  if (t->defined_resources.empty()) return t;
  ResourceMap m;
  for (uint32_t r : t->defined_resources) {
    uint32_t id = new_resource(resources_->resources[r].name, false);
    m[r] = id;
    fresh->push_back(id);
  }
  auto out = std::make_shared<InstanceType>(*subst(t, m));
  out->defined_resources.clear();
  return out;
}

}  // namespace hull::component
