// Validation of a component's definitions in binary order: core modules and instances,
// nested components and their instantiation, aliases, canon built-ins, imports and exports.
#include <cstdio>

#include "component/abi/canon_abi.h"
#include "component/valid/validator_impl.h"

namespace hull::component {

api::Error invalid_at(std::string message, size_t at) {
  if (at != SIZE_MAX) {
    char buf[40];
    std::snprintf(buf, sizeof buf, " (at byte 0x%zx)", at);
    message += buf;
  }
  return api::Error(api::ErrorKind::Invalid, std::move(message));
}

namespace {

std::string oob(const char* what, uint32_t i, const char* space) {
  return std::string("unknown ") + what + " " + std::to_string(i) + ": " + space +
         " index out of bounds";
}

std::string core_types_string(const std::vector<api::ValType>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    switch (v[i]) {
      case api::ValType::I32: s += "I32"; break;
      case api::ValType::I64: s += "I64"; break;
      case api::ValType::F32: s += "F32"; break;
      case api::ValType::F64: s += "F64"; break;
      default: s += api::to_string(v[i]); break;
    }
  }
  return s + "]";
}

bool needs_memory(const ac::Type& t) {
  if (t.empty()) return false;
  const ac::TypeNode& n = t.node();
  if (n.kind == ac::TypeKind::String || n.kind == ac::TypeKind::List) return true;
  for (const ac::Field& f : n.fields) {
    if (needs_memory(f.type)) return true;
  }
  for (const ac::Type& e : n.elems) {
    if (needs_memory(e)) return true;
  }
  return needs_memory(n.ok) || needs_memory(n.err);
}

// Resources an entity declares itself (type exports that are resources, resources a
// component type quantifies), which it may mention without them being named elsewhere.
void declared_resources(const Entity& e, std::set<uint32_t>* out) {
  if (e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Resource) {
    out->insert(e.type.resource.id);
  }
  if (e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Instance) {
    Entity i;
    i.kind = Entity::Kind::Instance;
    i.instance = e.type.instance;
    declared_resources(i, out);
  }
  if (e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Component) {
    Entity c;
    c.kind = Entity::Kind::Component;
    c.component = e.type.component;
    declared_resources(c, out);
  }
  if (e.kind == Entity::Kind::Instance) {
    for (const NamedEntity& n : e.instance->exports) declared_resources(n.type, out);
    out->insert(e.instance->defined_resources.begin(), e.instance->defined_resources.end());
  }
  if (e.kind == Entity::Kind::Component) {
    out->insert(e.component->imported_resources.begin(), e.component->imported_resources.end());
    out->insert(e.component->defined_resources.begin(), e.component->defined_resources.end());
    for (const NamedEntity& n : e.component->imports) declared_resources(n.type, out);
    for (const NamedEntity& n : e.component->exports) declared_resources(n.type, out);
  }
}

bool is_nominal(ac::TypeKind k) {
  return k == ac::TypeKind::Record || k == ac::TypeKind::Variant || k == ac::TypeKind::Enum ||
         k == ac::TypeKind::Flags;
}

// Whether every record, variant, enum and flags type inside `t` is one of `named` (`t` itself
// need not be when `top`: it is the type being named).
bool types_named(const ac::Type& t, const std::set<const ac::TypeNode*>& a,
                 const std::set<const ac::TypeNode*>* b, bool top) {
  if (t.empty()) return true;
  const ac::TypeNode* n = t.ptr().get();
  if (is_nominal(n->kind) && !top) return a.count(n) || (b && b->count(n));
  for (const ac::Field& f : n->fields) {
    if (!types_named(f.type, a, b, false)) return false;
  }
  for (const ac::Type& e : n->elems) {
    if (!types_named(e, a, b, false)) return false;
  }
  return types_named(n->ok, a, b, false) && types_named(n->err, a, b, false);
}

// The nominal types an instance type exports (they name themselves for its other exports).
void instance_type_nodes(const InstanceType& t, std::set<const ac::TypeNode*>* out) {
  for (const NamedEntity& n : t.exports) {
    if (n.type.kind == Entity::Kind::Type && n.type.type.kind == TypeEntry::Kind::Value) {
      out->insert(n.type.type.value.ptr().get());
    }
    if (n.type.kind == Entity::Kind::Instance) instance_type_nodes(*n.type.instance, out);
  }
}

bool entity_types_named(const Entity& e, const std::set<const ac::TypeNode*>& a,
                        const std::set<const ac::TypeNode*>* b);

bool instance_types_named(const InstanceType& t, const std::set<const ac::TypeNode*>& a,
                          const std::set<const ac::TypeNode*>* b) {
  // Instance types defer visibility checks until attached to an import or export; then their
  // own type exports count as names.
  std::set<const ac::TypeNode*> inner = a;
  if (b) inner.insert(b->begin(), b->end());
  instance_type_nodes(t, &inner);
  for (const NamedEntity& n : t.exports) {
    if (!entity_types_named(n.type, inner, nullptr)) return false;
  }
  return true;
}

bool entity_types_named(const Entity& e, const std::set<const ac::TypeNode*>& a,
                        const std::set<const ac::TypeNode*>* b) {
  switch (e.kind) {
    case Entity::Kind::Func:
      for (const ac::Field& p : e.func.params) {
        if (!types_named(p.type, a, b, false)) return false;
      }
      return types_named(e.func.result, a, b, false);
    case Entity::Kind::Type:
      switch (e.type.kind) {
        case TypeEntry::Kind::Value: return types_named(e.type.value, a, b, true);
        case TypeEntry::Kind::Func: {
          Entity f;
          f.kind = Entity::Kind::Func;
          f.func = e.type.func;
          return entity_types_named(f, a, b);
        }
        case TypeEntry::Kind::Instance: return instance_types_named(*e.type.instance, a, b);
        default: return true;
      }
    case Entity::Kind::Instance: return instance_types_named(*e.instance, a, b);
    default: return true;
  }
}

// 🏷️ An `implements` attribute: only on instances with a plain name, naming an interface.
api::Result<void> check_implements(const ExternName& ext, const ParsedName& parsed, const Entity& e,
                                   size_t at) {
  if (!ext.implements) return {};
  // wasmparser's order: the name's form, then the item's sort, then the attribute's value.
  if (auto r = check_implements_target(parsed); !r) return invalid_at(r.error().message, at);
  if (e.kind != Entity::Kind::Instance)
    return invalid_at("only instances can have an `implements`", at);
  if (auto r = parse_implements(*ext.implements); !r) return invalid_at(r.error().message, at);
  return {};
}

}  // namespace

api::Result<std::shared_ptr<ComponentInfo>> Validator::component(
    std::shared_ptr<const ComponentDesc> desc) {
  if (scopes.size() > 100) return invalid_at("components nested too deeply", desc->begin);
  Scope s;
  s.kind = Scope::Kind::Component;
  s.info = std::make_shared<ComponentInfo>();
  s.info->desc = desc;
  scopes.push_back(&s);
  for (const Definition& def : desc->order) {
    auto r = definition(s, *desc, def);
    if (!r) {
      scopes.pop_back();
      return std::move(r).error();
    }
  }
  scopes.pop_back();
  ComponentInfo& info = *s.info;
  info.instance_binds.resize(info.instances.size());
  for (size_t i = 0; i < info.instances.size(); ++i) {
    const std::vector<NamedEntity>& exports = info.instances[i]->exports;
    for (size_t k = 0; k < exports.size(); ++k) {
      const Entity& e = exports[k].type;
      if ((e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Resource) ||
          e.kind == Entity::Kind::Instance) {
        info.instance_binds[i].push_back(static_cast<uint32_t>(k));
      }
    }
  }
  if (scopes.empty() && s.root_component_import) {
    return invalid_at("root-level component imports are not supported", *s.root_component_import);
  }
  if (scopes.empty() && s.root_reexport) return *s.root_reexport;
  auto ct = std::make_shared<ComponentType>();
  ct->imports = s.imports;
  // Outside the component, the identities exports gave resources are the resources themselves
  // (two exports of one resource are one resource to an instantiating parent).
  ResourceMap peel;
  for (const NamedEntity& e : s.exports) {
    std::set<uint32_t> rs;
    collect_resources(e.type, &rs);
    for (uint32_t r : rs) {
      uint32_t c = r;
      while (resources_->resources[c].alias_of) c = *resources_->resources[c].alias_of;
      if (c != r) peel[r] = c;
    }
  }
  for (const NamedEntity& e : s.exports) ct->exports.push_back({e.name, subst(e.type, peel)});
  ct->imported_resources = s.imported_resources;
  std::set<uint32_t> in_exports;
  for (const NamedEntity& e : ct->exports) collect_resources(e.type, &in_exports);
  std::set<uint32_t> imported(s.imported_resources.begin(), s.imported_resources.end());
  for (uint32_t r : in_exports) {
    if (!imported.count(r)) ct->defined_resources.push_back(r);
  }
  s.info->type = ct;
  auto it = std::make_shared<InstanceType>();
  it->exports = ct->exports;
  s.info->instance_type = std::move(it);
  return s.info;
}

api::Result<void> Validator::definition(Scope& s, const ComponentDesc& d, const Definition& def) {
  ComponentInfo& info = *s.info;
  switch (def.kind) {
    case Definition::Kind::CoreModule: return core_module(s, d, d.core_modules[def.index]);
    case Definition::Kind::CoreInstance: return core_instance(s, d.core_instances[def.index]);
    case Definition::Kind::CoreType: {
      const CoreTypeDef& t = *d.core_types[def.index];
      size_t n = t.kind == CoreTypeDef::Kind::Rec ? t.rec.size() : 1;
      for (size_t i = 0; i < n; ++i) {
        auto r = core_deftype(s, t, i);
        if (!r) return std::move(r).error();
        info.core_types.push_back(*r);
      }
      return {};
    }
    case Definition::Kind::Component: {
      auto r = component(d.components[def.index]);
      if (!r) return std::move(r).error();
      info.nested.push_back(*r);
      info.components.push_back((*r)->type);
      return {};
    }
    case Definition::Kind::Instance: return instance(s, d.instances[def.index]);
    case Definition::Kind::Alias: {
      auto r = alias(s, d.aliases[def.index]);
      if (!r) return r;
      const Alias& a = d.aliases[def.index];
      if (a.target == Alias::Target::CoreExport) {
        const CoreInstanceType& ci = *info.core_instances[a.instance];
        info.alias_positions.resize(d.aliases.size(), UINT32_MAX);
        info.alias_positions[def.index] =
            static_cast<uint32_t>(ci.find(a.name) - ci.exports.data());
      } else if (a.target == Alias::Target::Export) {
        const std::vector<NamedEntity>& exports = info.instances.at(a.instance)->exports;
        info.alias_positions.resize(d.aliases.size(), UINT32_MAX);
        for (size_t k = 0; k < exports.size(); ++k) {
          if (exports[k].name == a.name) {
            info.alias_positions[def.index] = static_cast<uint32_t>(k);
            break;
          }
        }
      }
      return {};
    }
    case Definition::Kind::Type: {
      auto r = deftype(s, *d.types[def.index]);
      if (!r) return std::move(r).error();
      info.types.push_back(*r);
      return {};
    }
    case Definition::Kind::Canon: return canon(s, d.canons[def.index]);
    case Definition::Kind::Start:
      return invalid_at(
          "start definitions require the component-model-values feature, which Hull "
          "does not support yet",
          d.starts[def.index].at);
    case Definition::Kind::Import: return import(s, d.imports[def.index]);
    case Definition::Kind::Export: return export_(s, d.exports[def.index]);
    case Definition::Kind::Value:
      return invalid_at(
          "value definitions require the component-model-values feature, which Hull "
          "does not support yet",
          d.values[def.index]);
  }
  return {};
}

api::Result<void> Validator::core_module(Scope& s, const ComponentDesc& d, const CoreModuleDef& m) {
  std::span<const uint8_t> bytes(d.bytes->data() + m.begin, m.end - m.begin);
  auto mod = api::Module::compile(engine_, bytes);
  if (!mod) {
    api::Error e = std::move(mod).error();
    char buf[64];
    std::snprintf(buf, sizeof buf, " (in the core module at byte 0x%zx)", m.begin);
    e.message += buf;
    return e;
  }
  auto mt = std::make_shared<CoreModuleType>();
  mt->imports = mod->imports();
  // Two-level import names are mangled to one level when components link core modules, so
  // duplicates are ambiguous (allowed in core wasm, not here).
  std::set<std::pair<std::string, std::string>> seen;
  for (const api::ImportType& i : mt->imports) {
    if (!seen.insert({i.module, i.name}).second) {
      return invalid_at("duplicate import name `" + i.module + ":" + i.name + "`", m.begin);
    }
  }
  mt->exports = mod->exports();
  s.info->core_modules.push_back(mt);
  s.info->modules.push_back(*mod);
  return {};
}

api::Result<void> Validator::core_instance(Scope& s, const CoreInstanceDef& i) {
  ComponentInfo& info = *s.info;
  auto ci = std::make_shared<CoreInstanceType>();
  if (i.instantiate) {
    if (i.module >= info.core_modules.size())
      return invalid_at(oob("module", i.module, "module"), i.at);
    const CoreModuleType& mt = *info.core_modules[i.module];
    std::map<std::string, uint32_t> args;
    for (const CoreInstantiateArg& a : i.args) {
      if (a.instance >= info.core_instances.size()) {
        return invalid_at(oob("core instance", a.instance, "instance"), i.at);
      }
      if (!args.emplace(a.name, a.instance).second) {
        return invalid_at("duplicate module instantiation argument named `" + a.name + "`", i.at);
      }
    }
    std::vector<std::pair<uint32_t, uint32_t>> positions;
    for (const api::ImportType& imp : mt.imports) {
      auto it = args.find(imp.module);
      if (it == args.end()) {
        return invalid_at("missing module instantiation argument named `" + imp.module + "`", i.at);
      }
      const CoreInstanceType& arg = *info.core_instances[it->second];
      const api::ExportType* ex = arg.find(imp.name);
      if (!ex) {
        return invalid_at("module instantiation argument `" + imp.module +
                              "` does not export an item named `" + imp.name + "`",
                          i.at);
      }
      if (auto m = core_extern_matches(ex->type, imp.type)) {
        return invalid_at(
            "module import `" + imp.module + "::" + imp.name + "` has the wrong type: " + *m, i.at);
      }
      positions.push_back({it->second, static_cast<uint32_t>(ex - arg.exports.data())});
    }
    ci->exports = mt.exports;
    info.core_instance_args.resize(info.core_instances.size() + 1);
    info.core_instance_args.back() = std::move(positions);
  } else {
    std::set<std::string> names;
    for (const CoreInlineExport& e : i.exports) {
      if (!names.insert(e.name).second) {
        return invalid_at("export name `" + e.name + "` already defined", i.at);
      }
      api::ExternType t;
      auto check = [&](size_t n, const char* what, const char* space) -> std::optional<api::Error> {
        if (e.index >= n) return invalid_at(oob(what, e.index, space), i.at);
        return std::nullopt;
      };
      std::optional<api::Error> err;
      switch (e.sort) {
        case CoreSort::Func:
          if (!(err = check(info.core_funcs.size(), "core function", "function"))) {
            t.kind = api::ExternKind::Func;
            t.func = info.core_funcs[e.index];
          }
          break;
        case CoreSort::Table:
          if (!(err = check(info.core_tables.size(), "table", "table"))) {
            t.kind = api::ExternKind::Table;
            t.table = info.core_tables[e.index];
          }
          break;
        case CoreSort::Memory:
          if (!(err = check(info.core_memories.size(), "memory", "memory"))) {
            t.kind = api::ExternKind::Memory;
            t.memory = info.core_memories[e.index];
          }
          break;
        case CoreSort::Global:
          if (!(err = check(info.core_globals.size(), "global", "global"))) {
            t.kind = api::ExternKind::Global;
            t.global = info.core_globals[e.index];
          }
          break;
        case CoreSort::Tag:
          if (!(err = check(info.core_tags.size(), "tag", "tag"))) {
            t.kind = api::ExternKind::Tag;
            t.func = info.core_tags[e.index];
          }
          break;
        default:
          return invalid_at(
              "core instance exports may only be functions, tables, memories, "
              "globals and tags",
              i.at);
      }
      if (err) return *err;
      ci->exports.push_back(api::ExportType{e.name, t});
    }
  }
  info.core_instances.push_back(ci);
  return {};
}

api::Result<Entity> Validator::sort_entity(Scope& s, const SortIdx& si, size_t at) {
  ComponentInfo& info = *s.info;
  Entity e;
  switch (si.sort) {
    case Sort::Core:
      if (si.core != CoreSort::Module) {
        return invalid_at("only core modules may be passed to or exported from components", at);
      }
      if (si.index >= info.core_modules.size())
        return invalid_at(oob("module", si.index, "module"), at);
      e.kind = Entity::Kind::Module;
      e.module = info.core_modules[si.index];
      return e;
    case Sort::Func:
      if (si.index >= info.funcs.size())
        return invalid_at(oob("function", si.index, "function"), at);
      e.kind = Entity::Kind::Func;
      e.func = info.funcs[si.index];
      return e;
    case Sort::Value:
      return invalid_at(
          "values require the component-model-values feature, which Hull does not "
          "support yet",
          at);
    case Sort::Type:
      if (si.index >= info.types.size()) return invalid_at(oob("type", si.index, "type"), at);
      e.kind = Entity::Kind::Type;
      e.type = info.types[si.index];
      return e;
    case Sort::Component:
      if (si.index >= info.components.size()) {
        return invalid_at(oob("component", si.index, "component"), at);
      }
      e.kind = Entity::Kind::Component;
      e.component = info.components[si.index];
      return e;
    case Sort::Instance:
      if (si.index >= info.instances.size())
        return invalid_at(oob("instance", si.index, "instance"), at);
      e.kind = Entity::Kind::Instance;
      e.instance = info.instances[si.index];
      return e;
  }
  return invalid_at("unknown sort", at);
}

api::Result<void> Validator::instance(Scope& s, const InstanceDef& i) {
  ComponentInfo& info = *s.info;
  auto it = std::make_shared<InstanceType>();
  if (i.instantiate) {
    if (i.component >= info.components.size()) {
      return invalid_at(oob("component", i.component, "component"), i.at);
    }
    const ComponentType& ct = *info.components[i.component];
    std::map<std::string, Entity> args;
    for (const InstantiateArg& a : i.args) {
      auto e = sort_entity(s, a.item, i.at);
      if (!e) return std::move(e).error();
      for (const auto& [n, _] : args) {
        if (ascii_lowercase(n) == ascii_lowercase(a.name)) {
          return invalid_at("instantiation argument `" + a.name +
                                "` conflicts with previous argument `" + n + "`",
                            i.at);
        }
      }
      args.emplace(a.name, *e);
    }
    Matcher m;
    m.table = resources_.get();
    m.bindable.insert(ct.imported_resources.begin(), ct.imported_resources.end());
    for (const NamedEntity& imp : ct.imports) {
      auto a = args.find(imp.name);
      if (a == args.end()) return invalid_at("missing import named `" + imp.name + "`", i.at);
      if (auto msg = m.entity(a->second, imp.type)) {
        return invalid_at("type mismatch for import `" + imp.name + "`: " + *msg, i.at);
      }
    }
    Subst map(m.map);
    for (uint32_t r : ct.defined_resources) {
      map.res[r] = new_resource(resources_->resources[r].name, false);
    }
    // Imported value types are replaced by the supplied ones, so names given to them in this
    // component carry through the child's exports.
    for (const NamedEntity& imp : ct.imports) {
      if (imp.type.kind == Entity::Kind::Type && imp.type.type.kind == TypeEntry::Kind::Value) {
        const Entity& arg = args.at(imp.name);
        if (arg.kind == Entity::Kind::Type && arg.type.kind == TypeEntry::Kind::Value) {
          map.nodes[imp.type.type.value.ptr().get()] = arg.type.value;
        }
      }
    }
    for (const NamedEntity& e : ct.exports) it->exports.push_back({e.name, subst(e.type, map)});
  } else {
    NameSet names;
    std::map<std::string, uint32_t> resource_names;
    for (const InlineExport& e : i.exports) {
      auto ent = sort_entity(s, e.item, i.at);
      if (!ent) return std::move(ent).error();
      auto parsed = validate_extern_name(e.name.name, "export");
      if (!parsed) return invalid_at(parsed.error().message, i.at);
      if (auto r = check_implements(e.name, *parsed, *ent, i.at); !r) return r;
      if (auto r = names.add(*parsed, "export"); !r) return invalid_at(r.error().message, i.at);
      if (auto m = check_annotated_names(resource_names, *parsed, *ent))
        return invalid_at(*m, i.at);
      Entity exported = *ent;
      if (ent->kind == Entity::Kind::Type && ent->type.kind == TypeEntry::Kind::Resource) {
        // As for a component's exports: the export names a new identity for the resource.
        uint32_t alias = new_resource(e.name.name, false);
        resources_->resources[alias].alias_of = ent->type.resource.id;
        exported.type.resource.id = alias;
        resource_names[e.name.name] = alias;
      }
      it->exports.push_back({e.name.name, exported});
    }
  }
  info.instances.push_back(it);
  return {};
}

api::Result<void> Validator::alias(Scope& s, const Alias& a) {
  ComponentInfo& info = *s.info;
  switch (a.target) {
    case Alias::Target::Export: {
      if (a.instance >= info.instances.size()) {
        return invalid_at(oob("instance", a.instance, "instance"), a.at);
      }
      const Entity* e = info.instances[a.instance]->find(a.name);
      if (!e) {
        return invalid_at(
            "instance " + std::to_string(a.instance) + " has no export named `" + a.name + "`",
            a.at);
      }
      Entity::Kind want = Entity::Kind::Func;
      switch (a.sort.sort) {
        case Sort::Core:
          if (a.sort.core != CoreSort::Module) {
            return invalid_at("component instances only export core modules among core sorts",
                              a.at);
          }
          want = Entity::Kind::Module;
          break;
        case Sort::Func: want = Entity::Kind::Func; break;
        case Sort::Value: want = Entity::Kind::Value; break;
        case Sort::Type: want = Entity::Kind::Type; break;
        case Sort::Component: want = Entity::Kind::Component; break;
        case Sort::Instance: want = Entity::Kind::Instance; break;
      }
      if (e->kind != want) {
        return invalid_at(std::string("export `") + a.name + "` for instance " +
                              std::to_string(a.instance) + " is not a " + entity_kind_name(want),
                          a.at);
      }
      add_entity(s, *e);
      return {};
    }
    case Alias::Target::CoreExport: {
      if (a.instance >= info.core_instances.size()) {
        return invalid_at(oob("core instance", a.instance, "instance"), a.at);
      }
      const api::ExportType* e = info.core_instances[a.instance]->find(a.name);
      if (!e) {
        return invalid_at(
            "core instance " + std::to_string(a.instance) + " has no export named `" + a.name + "`",
            a.at);
      }
      api::ExternKind want;
      switch (a.sort.core) {
        case CoreSort::Func: want = api::ExternKind::Func; break;
        case CoreSort::Table: want = api::ExternKind::Table; break;
        case CoreSort::Memory: want = api::ExternKind::Memory; break;
        case CoreSort::Global: want = api::ExternKind::Global; break;
        case CoreSort::Tag: want = api::ExternKind::Tag; break;
        default: return invalid_at("core export aliases may only name core wasm sorts", a.at);
      }
      if (a.sort.sort != Sort::Core)
        return invalid_at("core export aliases need a core sort", a.at);
      if (e->type.kind != want) {
        api::ExternType w;
        w.kind = want;
        return invalid_at("export `" + a.name + "` for core instance " +
                              std::to_string(a.instance) + " is not a " + describe(w),
                          a.at);
      }
      switch (want) {
        case api::ExternKind::Func: info.core_funcs.push_back(e->type.func); break;
        case api::ExternKind::Table: info.core_tables.push_back(e->type.table); break;
        case api::ExternKind::Memory: info.core_memories.push_back(e->type.memory); break;
        case api::ExternKind::Global: info.core_globals.push_back(e->type.global); break;
        case api::ExternKind::Tag: info.core_tags.push_back(e->type.func); break;
      }
      return {};
    }
    case Alias::Target::Outer: {
      // Spec: ct counts enclosing scopes outward (0 = this one).
      if (a.outer_count >= scopes.size()) {
        return invalid_at("invalid outer alias count of " + std::to_string(a.outer_count), a.at);
      }
      size_t target_pos = scopes.size() - 1 - a.outer_count;
      Scope& t = *scopes[target_pos];
      // Whether the alias crosses a component boundary (any scope between, including the
      // current one, is a component definition).
      bool crosses_component = false;
      for (size_t k = target_pos + 1; k < scopes.size(); ++k) {
        if (scopes[k]->kind == Scope::Kind::Component) crosses_component = true;
      }
      switch (a.sort.sort) {
        case Sort::Type: {
          if (a.outer_index >= t.info->types.size()) {
            return invalid_at(oob("type", a.outer_index, "type"), a.at);
          }
          const TypeEntry& e = t.info->types[a.outer_index];
          if (crosses_component && a.outer_count > 0) {
            Entity tmp;
            tmp.kind = Entity::Kind::Type;
            tmp.type = e;
            std::set<uint32_t> rs;
            collect_resources(tmp, &rs);
            if (!rs.empty()) {
              return invalid_at(
                  "canonical option or type transitively refers to resources and cannot "
                  "be aliased across a component boundary: type " +
                      std::to_string(a.outer_index) + " transitively refers to resources",
                  a.at);
            }
          }
          info.types.push_back(e);
          return {};
        }
        case Sort::Component:
          if (a.outer_index >= t.info->components.size()) {
            return invalid_at(oob("component", a.outer_index, "component"), a.at);
          }
          info.components.push_back(t.info->components[a.outer_index]);
          return {};
        case Sort::Core:
          if (a.sort.core == CoreSort::Type) {
            if (a.outer_index >= t.info->core_types.size()) {
              return invalid_at(oob("core type", a.outer_index, "type"), a.at);
            }
            info.core_types.push_back(t.info->core_types[a.outer_index]);
            return {};
          }
          if (a.sort.core == CoreSort::Module) {
            if (a.outer_index >= t.info->core_modules.size()) {
              return invalid_at(oob("module", a.outer_index, "module"), a.at);
            }
            info.core_modules.push_back(t.info->core_modules[a.outer_index]);
            // The runtime finds the compiled module through the outer scope.
            return {};
          }
          return invalid_at("outer aliases may only refer to types, modules and components", a.at);
        default:
          return invalid_at("outer aliases may only refer to types, modules and components", a.at);
      }
    }
  }
  return {};
}

std::string index_oob(const char* what, uint32_t i, const char* space) {
  return oob(what, i, space);
}
bool type_needs_memory(const ac::Type& t) { return needs_memory(t); }
std::string core_signature_string(const std::vector<api::ValType>& v) {
  return core_types_string(v);
}

// CanonicalABI.md "canonopt Validation": each option at most once, with its own type.
api::Result<CanonOptsInfo> check_canon_opts(const ComponentInfo& info,
                                            const std::vector<CanonOpt>& opts, size_t at) {
  CanonOptsInfo out;
  for (const CanonOpt& o : opts) {
    switch (o.kind) {
      case CanonOpt::Kind::Utf8:
      case CanonOpt::Kind::Utf16:
      case CanonOpt::Kind::Latin1Utf16: {
        auto name = [](CanonOpt::Kind k) {
          return k == CanonOpt::Kind::Utf8    ? "utf8"
                 : k == CanonOpt::Kind::Utf16 ? "utf16"
                                              : "latin1-utf16";
        };
        if (out.encoding) {
          return invalid_at(std::string("canonical encoding option `") + name(*out.encoding) +
                                "` conflicts with option `" + name(o.kind) + "`",
                            at);
        }
        out.encoding = o.kind;
        break;
      }
      case CanonOpt::Kind::Memory:
        if (out.memory)
          return invalid_at("canonical option `memory` is specified more than once", at);
        if (o.index >= info.core_memories.size())
          return invalid_at(oob("memory", o.index, "memory"), at);
        if (info.core_memories[o.index].limits.is64) {
          return invalid_at(
              "64-bit memories in canonical options require the memory64 component "
              "feature, which Hull does not support yet",
              at);
        }
        out.memory = o.index;
        break;
      case CanonOpt::Kind::Realloc: {
        if (out.realloc)
          return invalid_at("canonical option `realloc` is specified more than once", at);
        if (o.index >= info.core_funcs.size()) {
          return invalid_at(oob("core function", o.index, "function"), at);
        }
        api::FuncType want{
            {api::ValType::I32, api::ValType::I32, api::ValType::I32, api::ValType::I32},
            {api::ValType::I32}};
        if (!(info.core_funcs[o.index] == want)) {
          return invalid_at(
              "canonical option `realloc` uses a core function with an incorrect "
              "signature: type mismatch: expected `" +
                  api::to_string(want) + "`, found `" + api::to_string(info.core_funcs[o.index]) +
                  "`",
              at);
        }
        out.realloc = o.index;
        break;
      }
      case CanonOpt::Kind::PostReturn:
        if (out.post_return) {
          return invalid_at("canonical option `post-return` is specified more than once", at);
        }
        if (o.index >= info.core_funcs.size()) {
          return invalid_at(oob("core function", o.index, "function"), at);
        }
        out.post_return = o.index;
        break;
      case CanonOpt::Kind::Async:
        if (out.async)
          return invalid_at("canonical option `async` is specified more than once", at);
        out.async = true;
        break;
      case CanonOpt::Kind::CoreType:
      case CanonOpt::Kind::Gc:
        return invalid_at(
            "the `core-type` and `gc` canonical options require Wasm GC support in "
            "components, which Hull does not have yet",
            at);
      case CanonOpt::Kind::Callback: {
        if (out.callback) {
          return invalid_at("canonical option `callback` is specified more than once", at);
        }
        if (o.index >= info.core_funcs.size()) {
          return invalid_at(oob("core function", o.index, "function"), at);
        }
        api::FuncType want{{api::ValType::I32, api::ValType::I32, api::ValType::I32},
                           {api::ValType::I32}};
        if (!(info.core_funcs[o.index] == want)) {
          return invalid_at(
              "canonical option `callback` uses a core function with an incorrect signature: "
              "expected `" +
                  api::to_string(want) + "`, found `" + api::to_string(info.core_funcs[o.index]) +
                  "`",
              at);
        }
        out.callback = o.index;
        break;
      }
    }
  }
  if (out.realloc && !out.memory) {
    return invalid_at("canonical option `realloc` requires `memory` to also be specified", at);
  }
  return out;
}

api::Result<void> Validator::canon(Scope& s, const Canon& c) {
  ComponentInfo& info = *s.info;
  using K = Canon::Kind;
  auto resource_at = [&](uint32_t i) -> api::Result<uint32_t> {
    if (i >= info.types.size()) return invalid_at(oob("type", i, "type"), c.at);
    if (info.types[i].kind != TypeEntry::Kind::Resource) {
      return invalid_at("type index " + std::to_string(i) + " is not a resource type", c.at);
    }
    return info.types[i].resource.id;
  };
  api::FuncType i32_i32{{api::ValType::I32}, {api::ValType::I32}};
  switch (c.kind) {
    case K::ResourceNew:
    case K::ResourceRep: {
      auto r = resource_at(c.type);
      if (!r) return std::move(r).error();
      if (!s.local_resources.count(*r)) {
        return invalid_at("type index " + std::to_string(c.type) + " is not a local resource",
                          c.at);
      }
      info.core_funcs.push_back(i32_i32);
      return {};
    }
    case K::ResourceDrop: {
      auto r = resource_at(c.type);
      if (!r) return std::move(r).error();
      info.core_funcs.push_back(api::FuncType{{api::ValType::I32}, {}});
      return {};
    }
    case K::Other: return async_builtin(s, c);
    case K::Lift:
    case K::Lower: break;
  }

  auto parsed_opts = check_canon_opts(info, c.opts, c.at);
  if (!parsed_opts) return std::move(parsed_opts).error();
  const CanonOptsInfo& o = *parsed_opts;
  std::optional<uint32_t> memory = o.memory, realloc = o.realloc, post_return = o.post_return;
  if (o.async && !engine_.config().component_model_async) {
    return invalid_at(
        "the `async` canonical option requires the component-model-async feature, which is not "
        "enabled (Config::component_model_async)",
        c.at);
  }
  if (o.callback && c.kind != K::Lift) {
    return invalid_at("canonical option `callback` is only allowed on lifts", c.at);
  }
  if (o.callback && !o.async) {
    return invalid_at("canonical option `callback` requires the `async` option", c.at);
  }
  if (o.async && post_return) {
    return invalid_at("cannot specify post-return function in async", c.at);
  }
  CallAbi abi = !o.async ? CallAbi::Sync : o.callback ? CallAbi::AsyncCallback : CallAbi::Async;

  if (c.kind == K::Lift) {
    if (c.func >= info.core_funcs.size())
      return invalid_at(oob("core function", c.func, "function"), c.at);
    if (c.type >= info.types.size()) return invalid_at(oob("type", c.type, "type"), c.at);
    if (info.types[c.type].kind != TypeEntry::Kind::Func) {
      return invalid_at("type index " + std::to_string(c.type) + " is not a function type", c.at);
    }
    const ac::FuncType& ft = info.types[c.type].func;
    if (o.async && !ft.async) {
      return invalid_at("cannot use `async` canonical option with a sync function type", c.at);
    }
    CoreSignature sig = flatten_functype(ft, FlattenFor::Lift, abi);
    const api::FuncType& core = info.core_funcs[c.func];
    if (core.params != sig.params) {
      return invalid_at("lowered parameter types `" + core_types_string(sig.params) +
                            "` do not match parameter types `" + core_types_string(core.params) +
                            "` of core function " + std::to_string(c.func),
                        c.at);
    }
    if (core.results != sig.results) {
      return invalid_at("lowered result types `" + core_types_string(sig.results) +
                            "` do not match result types `" + core_types_string(core.results) +
                            "` of core function " + std::to_string(c.func),
                        c.at);
    }
    bool params_need_memory = false;
    std::vector<api::ValType> flat_params;
    for (const ac::Field& p : ft.params) {
      params_need_memory |= needs_memory(p.type);
      flatten_type(p.type, &flat_params);
    }
    std::vector<api::ValType> flat_results;
    if (!ft.result.empty()) flatten_type(ft.result, &flat_results);
    // Async lifts hand their result to task.return as flat params (at most kMaxFlatParams).
    size_t max_flat_results = o.async ? kMaxFlatParams : kMaxFlatResults;
    if ((params_need_memory || needs_memory(ft.result) || flat_results.size() > max_flat_results ||
         flat_params.size() > kMaxFlatParams) &&
        !memory) {
      return invalid_at("canonical option `memory` is required", c.at);
    }
    if ((params_need_memory || flat_params.size() > kMaxFlatParams) && !realloc) {
      return invalid_at("canonical option `realloc` is required", c.at);
    }
    if (post_return) {
      api::FuncType want{sig.results, {}};
      if (!(info.core_funcs[*post_return] == want)) {
        return invalid_at(
            "canonical option `post-return` uses a core function with an incorrect "
            "signature: expected `" +
                api::to_string(want) + "`, found `" +
                api::to_string(info.core_funcs[*post_return]) + "`",
            c.at);
      }
    }
    info.funcs.push_back(ft);
    s.func_is_imported_reexport.push_back(false);
    return {};
  }

  // Lower.
  if (post_return)
    return invalid_at("canonical option `post-return` cannot be specified for lowerings", c.at);
  if (c.func >= info.funcs.size()) return invalid_at(oob("function", c.func, "function"), c.at);
  const ac::FuncType& ft = info.funcs[c.func];
  if (o.async && !ft.async) {
    return invalid_at("cannot use `async` canonical option with a sync function type", c.at);
  }
  // An async lower writes its result through a pointer: it needs a memory even for scalars.
  if (o.async && !memory && (!ft.result.empty() || !ft.params.empty())) {
    bool spills = false;
    std::vector<api::ValType> fp;
    for (const ac::Field& p : ft.params) flatten_type(p.type, &fp);
    spills = fp.size() > kMaxFlatAsyncParams || !ft.result.empty();
    if (spills) return invalid_at("canonical option `memory` is required", c.at);
  }
  bool params_need_memory = false;
  std::vector<api::ValType> flat_params;
  for (const ac::Field& p : ft.params) {
    params_need_memory |= needs_memory(p.type);
    flatten_type(p.type, &flat_params);
  }
  std::vector<api::ValType> flat_results;
  if (!ft.result.empty()) flatten_type(ft.result, &flat_results);
  if ((params_need_memory || flat_params.size() > kMaxFlatParams ||
       flat_results.size() > kMaxFlatResults || needs_memory(ft.result)) &&
      !memory) {
    return invalid_at("canonical option `memory` is required", c.at);
  }
  if (needs_memory(ft.result) && !realloc) {
    return invalid_at("canonical option `realloc` is required", c.at);
  }
  CoreSignature sig = flatten_functype(ft, FlattenFor::Lower, abi);
  info.core_funcs.push_back(api::FuncType{sig.params, sig.results});
  if (!o.async) {
    auto plan = std::make_shared<LowerPlan>();
    plan->core = api::FuncType{std::move(sig.params), std::move(sig.results)};
    plan->core_type_id = api::detail::host_type_id(plan->core);
    for (const ac::Field& p : ft.params) plan->params.push_back(p.type);
    if (!ft.result.empty()) plan->results.push_back(ft.result);
    plan->flat_param_count = flat_params.size();
    plan->results_via_memory = flat_results.size() > kMaxFlatResults;
    size_t idx = static_cast<size_t>(&c - info.desc->canons.data());
    if (idx < info.desc->canons.size()) {
      if (idx >= info.lower_plans.size()) info.lower_plans.resize(info.desc->canons.size());
      info.lower_plans[idx] = std::move(plan);
    }
  }
  return {};
}

api::Result<void> Validator::declare(Scope& s, const ExternName& ext, const Entity& e,
                                     bool is_import, size_t at) {
  const std::string& name = ext.name;
  if (!ext.duplicate_attribute.empty()) {
    return invalid_at("duplicate '" + ext.duplicate_attribute + "' option in name",
                      ext.duplicate_at);
  }
  auto parsed = validate_extern_name(
      name, is_import ? "import" : "export", NameOptions{},
      ext.version_suffix ? std::optional<std::string_view>(*ext.version_suffix) : std::nullopt);
  if (!parsed) return invalid_at(parsed.error().message, at);
  if (auto r = check_implements(ext, *parsed, e, at); !r) return r;
  if (auto r = (is_import ? s.import_names : s.export_names)
                   .add(*parsed, is_import ? "import" : "export");
      !r) {
    return invalid_at(r.error().message, at);
  }
  // Every resource the type mentions must be in scope by name: imports may mention resources
  // earlier imports introduced; exports those of earlier imports and exports (Binary.md).
  std::set<uint32_t> used, own;
  collect_resources(e, &used);
  declared_resources(e, &own);
  std::set<uint32_t> fresh(s.imported_resources.begin(), s.imported_resources.end());
  fresh.insert(s.defined_resources.begin(), s.defined_resources.end());
  // Instance types defer these checks until they are attached to an import or export.
  if (s.kind != Scope::Kind::InstanceType) {
    std::set<uint32_t> imported(s.imported_resources.begin(), s.imported_resources.end());
    for (uint32_t r : used) {
      bool ok = own.count(r) || s.import_named.count(r) ||
                (!is_import && s.export_named.count(r)) || imported.count(r) ||
                (!is_import && fresh.count(r) && s.kind != Scope::Kind::Component);
      if (!ok) {
        return invalid_at(std::string(entity_kind_name(e.kind)) + " not valid to be used as " +
                              (is_import ? "import" : "export"),
                          at);
      }
    }
    if (!entity_types_named(e, s.import_named_types, is_import ? nullptr : &s.export_named_types)) {
      return invalid_at(std::string(entity_kind_name(e.kind)) + " not valid to be used as " +
                            (is_import ? "import" : "export"),
                        at);
    }
  }
  if (auto m = check_annotated_func(s, *parsed, e, is_import)) return invalid_at(*m, at);
  {
    // What this import or export names from now on (a resource type export names the new
    // identity made below, not the definition).
    bool resource_export = e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Resource;
    for (uint32_t r : used) {
      if (!(resource_export && !is_import)) (is_import ? s.import_named : s.export_named).insert(r);
    }
    if (e.kind == Entity::Kind::Instance) {
      instance_type_nodes(*e.instance, is_import ? &s.import_named_types : &s.export_named_types);
    }
  }
  Entity declared = e;
  if (e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Value &&
      is_nominal(e.type.value.kind())) {
    // The name gets a node of its own; uses of the unnamed definition stay unnamed.
    declared.type.value = ac::Type(std::make_shared<const ac::TypeNode>(e.type.value.node()));
    (is_import ? s.import_named_types : s.export_named_types)
        .insert(declared.type.value.ptr().get());
  }
  if (e.kind == Entity::Kind::Type && e.type.kind == TypeEntry::Kind::Resource) {
    uint32_t id = e.type.resource.id;
    // A component's export of a resource names a new identity standing for the same resource:
    // later exports must use the exported index, not the definition.
    if (!is_import && s.kind == Scope::Kind::Component) {
      uint32_t fresh_id = new_resource(name, false);
      resources_->resources[fresh_id].alias_of = id;
      declared.type.resource.id = fresh_id;
      s.export_named.insert(fresh_id);
      id = fresh_id;
    }
    (is_import ? s.import_resource_names : s.export_resource_names)[name] = id;
    std::string& rn = resources_->resources[id].name;
    if (rn.empty()) rn = name;
    declared.type.resource.name = name;
  }
  (is_import ? s.imports : s.exports).push_back({name, declared});
  add_entity(s, declared);
  return {};
}

api::Result<void> Validator::import(Scope& s, const ImportDef& i) {
  auto e = extern_desc(s, i.desc, i.at, /*is_import=*/true);
  if (!e) return std::move(e).error();
  // Hull, like Wasmtime, links root components only against instances and functions
  // (reported once the rest of the component has validated).
  if (scopes.size() == 1 && e->kind == Entity::Kind::Component && !s.root_component_import) {
    s.root_component_import = i.at;
  }
  if (e->kind == Entity::Kind::Func) {
    s.imported_funcs.insert(static_cast<uint32_t>(s.info->funcs.size()));
  }
  return declare(s, i.name, *e, /*is_import=*/true, i.at);
}

api::Result<void> Validator::export_(Scope& s, const ExportDef& x) {
  auto e = sort_entity(s, x.item, x.at);
  if (!e) return std::move(e).error();
  if (e->kind == Entity::Kind::Component && scopes.size() == 1) {
    return invalid_at("exporting a component from the root component is not supported", x.at);
  }

  Entity exported = *e;
  if (x.desc) {
    size_t before = s.defined_resources.size();
    auto asc = extern_desc(s, *x.desc, x.at, /*is_import=*/false);
    if (!asc) return std::move(asc).error();
    Matcher m;
    m.table = resources_.get();
    for (size_t k = before; k < s.defined_resources.size(); ++k)
      m.bindable.insert(s.defined_resources[k]);
    if (auto msg = m.entity(*e, *asc)) {
      return invalid_at("ascribed type of export is not compatible with item's type: " + *msg,
                        x.at);
    }
    // The ascription's (sub resource) bounds seal the item's resources under new identities,
    // distinct from every other export of them.
    s.defined_resources.resize(before);
    exported = *asc;
  }
  auto r = declare(s, x.name, exported, /*is_import=*/false, x.at);
  if (!r) return r;
  // A root component re-exporting one of its own function imports would hand the host its own
  // function back through no adapter; Wasmtime refuses it and so does Hull (reported once the
  // rest of the component has validated).
  if (scopes.size() == 1 && x.item.sort == Sort::Func && s.imported_funcs.count(x.item.index) &&
      !s.root_reexport) {
    s.root_reexport =
        invalid_at("component export `" + x.name.name +
                       "` is a reexport of an imported function which is not implemented",
                   x.at);
  }
  return {};
}

api::Result<ValidatedComponent> validate_component(const api::Engine& engine,
                                                   std::shared_ptr<const ComponentDesc> desc) {
  Validator v(engine);
  auto r = v.component(std::move(desc));
  if (!r) return std::move(r).error();
  return ValidatedComponent{*r, v.resources()};
}

}  // namespace hull::component
