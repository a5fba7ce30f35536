// Resource substitution and subtyping (Explainer.md "Subtyping"): what may be passed where.
#include "component/valid/validator_impl.h"

namespace hull::component {

// ---- substitution ----

ac::Type subst(const ac::Type& t, const Subst& m) {
  if (t.empty() || m.empty()) return t;
  const ac::TypeNode& n = t.node();
  if (!m.nodes.empty()) {
    auto it = m.nodes.find(&n);
    if (it != m.nodes.end()) return it->second;
  }
  bool changed = false;
  ac::TypeNode out = n;
  if (n.kind == ac::TypeKind::Own || n.kind == ac::TypeKind::Borrow) {
    auto it = m.res.find(n.resource.id);
    if (it == m.res.end()) return t;
    out.resource.id = it->second;
    return ac::Type(std::make_shared<const ac::TypeNode>(std::move(out)));
  }
  for (ac::Field& f : out.fields) {
    ac::Type s = subst(f.type, m);
    changed |= s.ptr() != f.type.ptr();
    f.type = s;
  }
  for (ac::Type& e : out.elems) {
    ac::Type s = subst(e, m);
    changed |= s.ptr() != e.ptr();
    e = s;
  }
  ac::Type ok = subst(n.ok, m), err = subst(n.err, m);
  changed |= ok.ptr() != n.ok.ptr() || err.ptr() != n.err.ptr();
  out.ok = ok;
  out.err = err;
  if (!changed) return t;
  return ac::Type(std::make_shared<const ac::TypeNode>(std::move(out)));
}

ac::FuncType subst(const ac::FuncType& t, const Subst& m) {
  ac::FuncType out = t;
  for (ac::Field& p : out.params) p.type = subst(p.type, m);
  out.result = subst(t.result, m);
  return out;
}

TypeEntry subst(const TypeEntry& e, const Subst& m) {
  TypeEntry out = e;
  switch (e.kind) {
    case TypeEntry::Kind::Value: out.value = subst(e.value, m); break;
    case TypeEntry::Kind::Func: out.func = subst(e.func, m); break;
    case TypeEntry::Kind::Component: out.component = subst(e.component, m); break;
    case TypeEntry::Kind::Instance: out.instance = subst(e.instance, m); break;
    case TypeEntry::Kind::Resource: {
      auto it = m.res.find(e.resource.id);
      if (it != m.res.end()) out.resource.id = it->second;
      break;
    }
  }
  return out;
}

Entity subst(const Entity& e, const Subst& m) {
  Entity out = e;
  switch (e.kind) {
    case Entity::Kind::Module: break;
    case Entity::Kind::Func: out.func = subst(e.func, m); break;
    case Entity::Kind::Value: out.value = subst(e.value, m); break;
    case Entity::Kind::Type: out.type = subst(e.type, m); break;
    case Entity::Kind::Component: out.component = subst(e.component, m); break;
    case Entity::Kind::Instance: out.instance = subst(e.instance, m); break;
  }
  return out;
}

std::shared_ptr<const InstanceType> subst(const std::shared_ptr<const InstanceType>& t,
                                          const Subst& m) {
  if (!t || m.empty()) return t;
  auto out = std::make_shared<InstanceType>();
  for (const NamedEntity& e : t->exports) out->exports.push_back({e.name, subst(e.type, m)});
  for (uint32_t r : t->defined_resources) {
    auto it = m.res.find(r);
    out->defined_resources.push_back(it == m.res.end() ? r : it->second);
  }
  return out;
}

std::shared_ptr<const ComponentType> subst(const std::shared_ptr<const ComponentType>& t,
                                           const Subst& m) {
  if (!t || m.empty()) return t;
  auto out = std::make_shared<ComponentType>();
  for (const NamedEntity& e : t->imports) out->imports.push_back({e.name, subst(e.type, m)});
  for (const NamedEntity& e : t->exports) out->exports.push_back({e.name, subst(e.type, m)});
  auto map_ids = [&](const std::vector<uint32_t>& in, std::vector<uint32_t>* o) {
    for (uint32_t r : in) {
      auto it = m.res.find(r);
      o->push_back(it == m.res.end() ? r : it->second);
    }
  };
  map_ids(t->imported_resources, &out->imported_resources);
  map_ids(t->defined_resources, &out->defined_resources);
  return out;
}

// ---- resources mentioned ----

void collect_resources(const ac::Type& t, std::set<uint32_t>* out) {
  if (t.empty()) return;
  const ac::TypeNode& n = t.node();
  if (n.kind == ac::TypeKind::Own || n.kind == ac::TypeKind::Borrow) out->insert(n.resource.id);
  for (const ac::Field& f : n.fields) collect_resources(f.type, out);
  for (const ac::Type& e : n.elems) collect_resources(e, out);
  collect_resources(n.ok, out);
  collect_resources(n.err, out);
}

namespace {
void collect_entry(const TypeEntry& e, std::set<uint32_t>* out);
void collect_instance(const InstanceType& t, std::set<uint32_t>* out) {
  for (const NamedEntity& e : t.exports) collect_resources(e.type, out);
}
void collect_func(const ac::FuncType& f, std::set<uint32_t>* out) {
  for (const ac::Field& p : f.params) collect_resources(p.type, out);
  collect_resources(f.result, out);
}
void collect_entry(const TypeEntry& e, std::set<uint32_t>* out) {
  switch (e.kind) {
    case TypeEntry::Kind::Value: collect_resources(e.value, out); break;
    case TypeEntry::Kind::Func: collect_func(e.func, out); break;
    case TypeEntry::Kind::Resource: out->insert(e.resource.id); break;
    case TypeEntry::Kind::Instance: collect_instance(*e.instance, out); break;
    case TypeEntry::Kind::Component:
      for (const NamedEntity& n : e.component->imports) collect_resources(n.type, out);
      for (const NamedEntity& n : e.component->exports) collect_resources(n.type, out);
      break;
  }
}
}  // namespace

void collect_resources(const Entity& e, std::set<uint32_t>* out) {
  switch (e.kind) {
    case Entity::Kind::Module: break;
    case Entity::Kind::Func: collect_func(e.func, out); break;
    case Entity::Kind::Value: collect_resources(e.value, out); break;
    case Entity::Kind::Type: collect_entry(e.type, out); break;
    case Entity::Kind::Component:
      for (const NamedEntity& n : e.component->imports) collect_resources(n.type, out);
      for (const NamedEntity& n : e.component->exports) collect_resources(n.type, out);
      break;
    case Entity::Kind::Instance: collect_instance(*e.instance, out); break;
  }
}

// ---- subtyping ----

const char* entity_kind_name(Entity::Kind k) {
  switch (k) {
    case Entity::Kind::Module: return "module";
    case Entity::Kind::Func: return "func";
    case Entity::Kind::Value: return "value";
    case Entity::Kind::Type: return "type";
    case Entity::Kind::Component: return "component";
    case Entity::Kind::Instance: return "instance";
  }
  return "?";
}

namespace {
const char* type_entry_kind_name(const TypeEntry& e) {
  switch (e.kind) {
    case TypeEntry::Kind::Value: return "defined type";
    case TypeEntry::Kind::Func: return "func";
    case TypeEntry::Kind::Component: return "component";
    case TypeEntry::Kind::Instance: return "instance";
    case TypeEntry::Kind::Resource: return "resource";
  }
  return "?";
}
}  // namespace

std::optional<std::string> Matcher::resource(uint32_t actual, uint32_t expected) {
  auto canonical = [&](uint32_t r) {
    while (table && r < table->resources.size() && table->resources[r].alias_of) {
      r = *table->resources[r].alias_of;
    }
    return r;
  };
  auto it = map.find(expected);
  if (it == map.end()) {
    if (bindable.count(expected)) {
      map[expected] = actual;
      return std::nullopt;
    }
    if (canonical(actual) == canonical(expected)) return std::nullopt;
    return "resource types are not the same";
  }
  if (canonical(it->second) == canonical(actual)) return std::nullopt;
  return "resource types are not the same";
}

std::optional<std::string> Matcher::value(const ac::Type& a, const ac::Type& e, bool top) {
  if (a.empty() || e.empty()) {
    if (a.empty() && e.empty()) return std::nullopt;
    return "type mismatch";
  }
  const ac::TypeNode& x = a.node();
  const ac::TypeNode& y = e.node();
  using K = ac::TypeKind;
  auto is_prim = [](K k) { return k <= K::ErrorContext; };
  if (x.kind != y.kind) {
    if (is_prim(x.kind) && is_prim(y.kind)) {
      return std::string("expected primitive `") + ac::to_string(y.kind) + "` found primitive `" +
             ac::to_string(x.kind) + "`";
    }
    if (is_prim(y.kind)) {
      // A defined type that is a primitive (top) is reported as such; a valtype names itself.
      if (top) return std::string("expected primitive, found ") + ac::to_string(x.kind);
      return std::string("expected ") + ac::to_string(y.kind) + ", found " + ac::to_string(x.kind);
    }
    if ((y.kind == K::Own || y.kind == K::Borrow) && (x.kind == K::Own || x.kind == K::Borrow)) {
      return std::string("expected ") + ac::to_string(y.kind) + ", found " + ac::to_string(x.kind);
    }
    return std::string("expected ") + ac::to_string(y.kind) + ", found " + ac::to_string(x.kind);
  }
  switch (x.kind) {
    case K::Record:
      if (x.fields.size() != y.fields.size()) {
        return "expected " + std::to_string(y.fields.size()) + " fields, found " +
               std::to_string(x.fields.size());
      }
      for (size_t i = 0; i < x.fields.size(); ++i) {
        if (x.fields[i].name != y.fields[i].name) {
          return "expected field name `" + y.fields[i].name + "`, found `" + x.fields[i].name + "`";
        }
        if (auto m = value(x.fields[i].type, y.fields[i].type)) {
          return "type mismatch in record field `" + x.fields[i].name + "`: " + *m;
        }
      }
      return std::nullopt;
    case K::Variant:
      if (x.fields.size() != y.fields.size()) {
        return "expected " + std::to_string(y.fields.size()) + " cases, found " +
               std::to_string(x.fields.size());
      }
      for (size_t i = 0; i < x.fields.size(); ++i) {
        if (x.fields[i].name != y.fields[i].name) {
          return "expected case named `" + y.fields[i].name + "`, found `" + x.fields[i].name + "`";
        }
        bool xa = !x.fields[i].type.empty(), ya = !y.fields[i].type.empty();
        if (xa != ya) {
          return ya ? "expected case `" + y.fields[i].name + "` to have a type, found none"
                    : "expected case `" + y.fields[i].name + "` to have no type";
        }
        if (xa) {
          if (auto m = value(x.fields[i].type, y.fields[i].type)) {
            return "type mismatch in variant case `" + x.fields[i].name + "`: " + *m;
          }
        }
      }
      return std::nullopt;
    case K::Tuple:
      if (x.elems.size() != y.elems.size()) {
        return "expected " + std::to_string(y.elems.size()) + " types, found " +
               std::to_string(x.elems.size());
      }
      for (size_t i = 0; i < x.elems.size(); ++i) {
        if (auto m = value(x.elems[i], y.elems[i])) {
          return "type mismatch in tuple field " + std::to_string(i) + ": " + *m;
        }
      }
      return std::nullopt;
    case K::List:
    case K::Option: return value(x.elems[0], y.elems[0]);
    case K::FixedList:
      if (x.length != y.length) return "expected fixed list of length " + std::to_string(y.length);
      return value(x.elems[0], y.elems[0]);
    case K::Flags:
      if (x.names != y.names) return "mismatch in flags elements";
      return std::nullopt;
    case K::Enum:
      if (x.names != y.names) return "mismatch in enum elements";
      return std::nullopt;
    case K::Result:
      if (x.ok.empty() != y.ok.empty()) {
        return y.ok.empty() ? "expected ok type to not be present"
                            : "expected ok type, but found none";
      }
      if (!x.ok.empty()) {
        if (auto m = value(x.ok, y.ok)) return "type mismatch in ok variant: " + *m;
      }
      if (x.err.empty() != y.err.empty()) {
        return y.err.empty() ? "expected err type to not be present"
                             : "expected err type, but found none";
      }
      if (!x.err.empty()) {
        if (auto m = value(x.err, y.err)) return "type mismatch in err variant: " + *m;
      }
      return std::nullopt;
    case K::Own:
    case K::Borrow: return resource(x.resource.id, y.resource.id);
    case K::Stream:
    case K::Future:
      // Element types are invariant in spirit, but a payload-less stream matches only another
      // payload-less one (wasmparser: "expected/found no type").
      if (x.elems.empty() != y.elems.empty()) {
        return y.elems.empty() ? std::string("expected no element type, found one")
                               : std::string("expected an element type, found none");
      }
      if (!x.elems.empty()) return value(x.elems[0], y.elems[0]);
      return std::nullopt;
    default: return std::nullopt;  // primitives of the same kind
  }
}

std::optional<std::string> Matcher::func(const ac::FuncType& a, const ac::FuncType& e) {
  // The async effect is part of the type: an async import needs an async function and the
  // other way round (as wasmparser checks it).
  if (a.async != e.async) {
    return std::string("expected ") + (e.async ? "async" : "sync") + " function, found " +
           (a.async ? "async" : "sync");
  }
  if (a.params.size() != e.params.size()) {
    return "expected " + std::to_string(e.params.size()) + " parameters, found " +
           std::to_string(a.params.size());
  }
  for (size_t i = 0; i < a.params.size(); ++i) {
    if (a.params[i].name != e.params[i].name) {
      return "expected parameter named `" + e.params[i].name + "`, found `" + a.params[i].name +
             "`";
    }
    if (auto m = value(a.params[i].type, e.params[i].type)) {
      return "type mismatch in function parameter `" + a.params[i].name + "`: " + *m;
    }
  }
  if (a.result.empty() != e.result.empty()) {
    return e.result.empty() ? "expected a result, found none"
                            : "expected no result, found a result";
  }
  if (!a.result.empty()) {
    if (auto m = value(a.result, e.result)) return "type mismatch with result type: " + *m;
  }
  return std::nullopt;
}

std::optional<std::string> Matcher::type_entry(const TypeEntry& a, const TypeEntry& e) {
  if (a.kind != e.kind) {
    return std::string("expected ") + type_entry_kind_name(e) + ", found " +
           type_entry_kind_name(a);
  }
  switch (a.kind) {
    case TypeEntry::Kind::Value: return value(a.value, e.value, /*top=*/true);
    case TypeEntry::Kind::Func: return func(a.func, e.func);
    case TypeEntry::Kind::Component: return component(*a.component, *e.component);
    case TypeEntry::Kind::Instance: return instance(*a.instance, *e.instance);
    case TypeEntry::Kind::Resource: return resource(a.resource.id, e.resource.id);
  }
  return std::nullopt;
}

std::optional<std::string> Matcher::instance(const InstanceType& a, const InstanceType& e) {
  // Resources the expected type declares bind to the actual ones.
  for (uint32_t r : e.defined_resources) bindable.insert(r);
  for (const NamedEntity& want : e.exports) {
    const Entity* have = a.find(want.name);
    if (!have) return "missing expected export `" + want.name + "`";
    if (auto m = entity(*have, want.type))
      return "type mismatch in instance export `" + want.name + "`: " + *m;
  }
  return std::nullopt;
}

std::optional<std::string> Matcher::component(const ComponentType& a, const ComponentType& e) {
  ResourceMap import_binding;
  // Contravariant imports: everything `a` imports must be provided by what `e` imports.
  for (const NamedEntity& need : a.imports) {
    const NamedEntity* given = nullptr;
    for (const NamedEntity& x : e.imports) {
      if (x.name == need.name) given = &x;
    }
    if (!given) return "missing expected import `" + need.name + "`";
    Matcher inner;
    inner.table = table;
    inner.bindable.insert(a.imported_resources.begin(), a.imported_resources.end());
    for (const auto& [k, v] : import_binding) inner.map[k] = v;
    if (auto m = inner.entity(given->type, need.type)) {
      return "type mismatch in import `" + need.name + "`: " + *m;
    }
    for (const auto& [k, v] : inner.map) import_binding[k] = v;
  }
  // `a`'s exports seen with its imports bound to what `e` imports.
  Subst bind;
  bind.res = import_binding;
  for (uint32_t r : e.defined_resources) bindable.insert(r);
  for (const NamedEntity& want : e.exports) {
    const NamedEntity* have = nullptr;
    for (const NamedEntity& x : a.exports) {
      if (x.name == want.name) have = &x;
    }
    if (!have) return "missing expected export `" + want.name + "`";
    if (auto m = entity(subst(have->type, bind), want.type)) {
      return "type mismatch in export `" + want.name + "`: " + *m;
    }
  }
  return std::nullopt;
}

std::optional<std::string> Matcher::entity(const Entity& a, const Entity& e) {
  if (a.kind != e.kind) {
    return std::string("expected ") + entity_kind_name(e.kind) + ", found " +
           entity_kind_name(a.kind);
  }
  switch (a.kind) {
    case Entity::Kind::Module: return core_module_matches(*a.module, *e.module);
    case Entity::Kind::Func: return func(a.func, e.func);
    case Entity::Kind::Value: return value(a.value, e.value);
    case Entity::Kind::Type: return type_entry(a.type, e.type);
    case Entity::Kind::Component: return component(*a.component, *e.component);
    case Entity::Kind::Instance: return instance(*a.instance, *e.instance);
  }
  return std::nullopt;
}

// ---- core ----

std::string describe(const api::ExternType& t) {
  switch (t.kind) {
    case api::ExternKind::Func: return "func";
    case api::ExternKind::Table: return "table";
    case api::ExternKind::Memory: return "memory";
    case api::ExternKind::Global: return "global";
    case api::ExternKind::Tag: return "tag";
  }
  return "?";
}

namespace {
// A core function type as the text format writes it: "(func (param i32) (result i32))".
std::string wat_func(const api::FuncType& f) {
  std::string s = "(func";
  if (!f.params.empty()) {
    s += " (param";
    for (api::ValType t : f.params) s += std::string(" ") + api::to_string(t);
    s += ")";
  }
  if (!f.results.empty()) {
    s += " (result";
    for (api::ValType t : f.results) s += std::string(" ") + api::to_string(t);
    s += ")";
  }
  return s + ")";
}

bool limits_within(const api::Limits& a, const api::Limits& e) {
  if (a.min < e.min) return false;
  if (e.max) {
    if (!a.max || *a.max > *e.max) return false;
  }
  return true;
}
}  // namespace

std::optional<std::string> core_extern_matches(const api::ExternType& a, const api::ExternType& e,
                                               bool linking) {
  if (a.kind != e.kind)
    return "expected " + describe(e) + (linking ? " found " : ", found ") + describe(a);
  switch (a.kind) {
    case api::ExternKind::Func:
    case api::ExternKind::Tag:
      if (!(a.func == e.func)) {
        if (linking)
          return "expected type `" + wat_func(e.func) + "`, found type `" + wat_func(a.func) + "`";
        return "expected: " + wat_func(e.func) + ", found: " + wat_func(a.func);
      }
      return std::nullopt;
    case api::ExternKind::Table:
      if (a.table.elem != e.table.elem) {
        return std::string("expected table element type ") + api::to_string(e.table.elem) +
               ", found " + api::to_string(a.table.elem);
      }
      if (!limits_within(a.table.limits, e.table.limits) ||
          a.table.limits.is64 != e.table.limits.is64) {
        return "mismatch in table limits";
      }
      return std::nullopt;
    case api::ExternKind::Memory:
      if (a.memory.limits.shared != e.memory.limits.shared)
        return "mismatch in the shared flag for memories";
      if (!limits_within(a.memory.limits, e.memory.limits) ||
          a.memory.limits.is64 != e.memory.limits.is64) {
        return "mismatch in memory limits";
      }
      return std::nullopt;
    case api::ExternKind::Global:
      if (a.global.mut != e.global.mut) return "global types differ in mutability";
      if (a.global.type != e.global.type) {
        return std::string("expected global type ") + api::to_string(e.global.type) + ", found " +
               api::to_string(a.global.type);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> core_module_matches(const CoreModuleType& a, const CoreModuleType& e,
                                               bool linking) {
  for (const api::ImportType& need : a.imports) {
    const api::ImportType* given = nullptr;
    for (const api::ImportType& x : e.imports) {
      if (x.module == need.module && x.name == need.name) given = &x;
    }
    if (!given) {
      return linking ? "module import `" + need.module + "::" + need.name + "` not defined"
                     : "missing expected import `" + need.module + "::" + need.name + "`";
    }
    if (auto m = core_extern_matches(given->type, need.type, linking)) {
      if (linking)
        return "module import `" + need.module + "::" + need.name + "` has the wrong type: " + *m;
      return "type mismatch in import `" + need.module + "::" + need.name + "`: " + *m;
    }
  }
  for (const api::ExportType& want : e.exports) {
    const api::ExportType* have = nullptr;
    for (const api::ExportType& x : a.exports) {
      if (x.name == want.name) have = &x;
    }
    if (!have) {
      return linking ? "module export `" + want.name + "` not defined"
                     : "missing expected export `" + want.name + "`";
    }
    if (auto m = core_extern_matches(have->type, want.type, linking)) {
      if (linking) return "export `" + want.name + "` has the wrong type: " + *m;
      return "type mismatch in export `" + want.name + "`: " + *m;
    }
  }
  return std::nullopt;
}

}  // namespace hull::component
