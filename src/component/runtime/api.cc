// The public component API (include/hull/component.hh) over the decoder, the validator and
// the runtime.
#include <fstream>
#include <iterator>

#include "binary/decoder.h"
#include "component/binary/decoder.h"
#include "component/runtime/runtime.h"
#include "component/valid/names.h"
#include "component/valid/validator_impl.h"
#include "text/component.h"

namespace hull::api::component {

using namespace hull::component;

namespace detail {

// A linker entry: a host function, a host instance (named children), or a component instance.
struct LinkerNode {
  std::optional<HostFunc> func;
  StoreHostFunc store_func;                   // instead of `func` (which is then set but empty)
  std::shared_ptr<RuntimeResource> resource;  // a host-defined resource type
  std::map<std::string, LinkerNode> children;
  std::shared_ptr<InstanceRt> instance;
};

struct LinkerImpl {
  Engine engine;
  LinkerNode root;
};

struct InstancePreImpl {
  explicit InstancePreImpl(Component c) : component(std::move(c)) {}
  Component component;
  std::map<std::string, hull::component::Item> args;
  // `args` in the order of the root component's import definitions (what instantiate takes):
  // pointers into `args`, whose nodes never move (this object is never copied).
  std::vector<const hull::component::Item*> args_by_import;
  // Host resource types the args point to: kept alive by every store instantiated into, so
  // deleting the Linker early leaves no dangling resource identity.
  std::vector<std::shared_ptr<RuntimeResource>> resources;
  // What every instance of `args` shares, learnt by the first instantiation (instantiations run
  // concurrently).
  mutable hull::component::InstancePreCache cache;
};

}  // namespace detail

namespace {

Error convert(const hull::Error& e) {
  ErrorKind k = ErrorKind::Malformed;
  switch (e.kind) {
    case hull::ErrorKind::Malformed: k = ErrorKind::Malformed; break;
    case hull::ErrorKind::Invalid: k = ErrorKind::Invalid; break;
    case hull::ErrorKind::Unlinkable: k = ErrorKind::Unlinkable; break;
    case hull::ErrorKind::Uninstantiable: k = ErrorKind::Uninstantiable; break;
    case hull::ErrorKind::Limit: k = ErrorKind::Limit; break;
    case hull::ErrorKind::Io: k = ErrorKind::Io; break;
    case hull::ErrorKind::Usage: k = ErrorKind::Usage; break;
  }
  return Error(k, e.to_string());
}

ExternInfo info_of(const Entity& e) {
  ExternInfo x;
  switch (e.kind) {
    case Entity::Kind::Module: x.kind = ExternInfo::Kind::Module; break;
    case Entity::Kind::Func:
      x.kind = ExternInfo::Kind::Func;
      x.func = e.func;
      break;
    case Entity::Kind::Value: x.kind = ExternInfo::Kind::Value; break;
    case Entity::Kind::Type:
      x.kind = ExternInfo::Kind::Type;
      x.resource = e.type.kind == TypeEntry::Kind::Resource;
      if (x.resource) x.resource_ref = e.type.resource;
      x.value = e.type.value;
      break;
    case Entity::Kind::Component: x.kind = ExternInfo::Kind::Component; break;
    case Entity::Kind::Instance:
      x.kind = ExternInfo::Kind::Instance;
      for (const NamedEntity& n : e.instance->exports) {
        x.export_names.push_back(n.name);
        x.export_types.push_back(info_of(n.type));
      }
      break;
  }
  return x;
}

// Every host resource type defined in the linker tree.
void collect_host_resources(const detail::LinkerNode& n,
                            std::vector<std::shared_ptr<RuntimeResource>>* out) {
  if (n.resource) out->push_back(n.resource);
  for (const auto& [_, c] : n.children) collect_host_resources(c, out);
}

// Whether an instance type exports only value types (structural: nothing must supply them).
bool only_value_types(const InstanceType& t) {
  for (const NamedEntity& e : t.exports) {
    if (e.type.kind == Entity::Kind::Type && e.type.type.kind != TypeEntry::Kind::Resource)
      continue;
    if (e.type.kind == Entity::Kind::Instance && only_value_types(*e.type.instance)) continue;
    return false;
  }
  return true;
}

struct LinkCheck;
Result<std::shared_ptr<hull::component::Item>> link_item(const detail::LinkerNode* node,
                                                         const std::string& name,
                                                         const Entity& want, LinkCheck& check);

// Link-time check of an item another component provides against the type an import wants.
// Resources are compared by runtime identity: each resource the wanted type declares binds to
// the first resource supplied for it, and every other use must supply the same one.
struct LinkCheck {
  std::map<uint32_t, const RuntimeResource*> bound;

  static const char* have_name(hull::component::Item::Kind k) {
    switch (k) {
      case hull::component::Item::Kind::Module: return "module";
      case hull::component::Item::Kind::Func: return "func";
      case hull::component::Item::Kind::Type: return "type";
      case hull::component::Item::Kind::Component: return "component";
      case hull::component::Item::Kind::Instance: return "instance";
    }
    return "?";
  }

  std::optional<std::string> item(const hull::component::Item& have, const Entity& want) {
    using K = hull::component::Item::Kind;
    auto mismatch = [&](const char* w) {
      return std::string("expected ") + w + " found " + have_name(have.kind);
    };
    switch (want.kind) {
      case Entity::Kind::Module: {
        if (have.kind != K::Module) return mismatch("module");
        CoreModuleType mt;
        mt.imports = have.module->imports();
        mt.exports = have.module->exports();
        return core_module_matches(mt, *want.module, /*linking=*/true);
      }
      case Entity::Kind::Func: {
        if (have.kind != K::Func) return mismatch("function");
        Matcher m;
        std::set<uint32_t> rs;
        collect_resources(want, &rs);
        m.bindable = rs;
        if (auto msg = m.func(have.func->type, want.func))
          return "function has the wrong type: " + *msg;
        return std::nullopt;
      }
      case Entity::Kind::Instance: {
        if (have.kind != K::Instance) return mismatch("instance");
        for (const NamedEntity& e : want.instance->exports) {
          const hull::component::Item* sub = have.instance->find(e.name);
          if (!sub) return "export `" + e.name + "` was not found";
          if (auto m = item(*sub, e.type)) return "export `" + e.name + "`: " + *m;
        }
        return std::nullopt;
      }
      case Entity::Kind::Type: {
        if (want.type.kind != TypeEntry::Kind::Resource) return std::nullopt;
        if (have.kind != K::Type) return mismatch("resource");
        if (!have.resource) return "expected resource found defined type";
        auto it = bound.find(want.type.resource.id);
        if (it != bound.end() && it->second != have.resource) return "mismatched resource types";
        bound[want.type.resource.id] = have.resource;
        return std::nullopt;
      }
      case Entity::Kind::Component:
        if (have.kind != K::Component) return mismatch("component");
        return std::nullopt;
      case Entity::Kind::Value: return "value imports are not supported";
    }
    return std::nullopt;
  }
};

// Finds `name` among `children`: exactly, else an interface name whose version is
// semver-compatible (wasi:cli/environment@0.2.3 finds @0.2.12; the highest compatible wins).
const detail::LinkerNode* lookup(const std::map<std::string, detail::LinkerNode>& children,
                                 const std::string& name) {
  auto it = children.find(name);
  if (it != children.end()) return &it->second;
  auto wanted = parse_extern_name(name);
  if (!wanted || !wanted->version) return nullptr;
  const detail::LinkerNode* best = nullptr;
  std::optional<SemVer> best_v;
  for (const auto& [k, n] : children) {
    auto p = parse_extern_name(k);
    if (!p || !p->version || !provides(*p, *wanted)) continue;
    if (!best_v || compare_semver(*p->version, *best_v) > 0) {
      best = &n;
      best_v = p->version;
    }
  }
  return best;
}

Result<std::shared_ptr<hull::component::Item>> link_item(const detail::LinkerNode* node,
                                                         const std::string& name,
                                                         const Entity& want, LinkCheck& check) {
  auto item = std::make_shared<hull::component::Item>();
  auto unlinkable = [&](std::string why) {
    return Error(ErrorKind::Unlinkable, "import `" + name + "` " + why);
  };
  if (!node) {
    // Types that are not resources are structural: nothing needs to supply them.
    if (want.kind == Entity::Kind::Type && want.type.kind != TypeEntry::Kind::Resource) {
      item->kind = hull::component::Item::Kind::Type;
      return item;
    }
    if (want.kind == Entity::Kind::Instance && only_value_types(*want.instance)) {
      auto rt = std::make_shared<InstanceRt>();
      rt->type = want.instance;
      for (const NamedEntity& e : want.instance->exports) {
        auto sub = std::make_shared<hull::component::Item>();
        sub->kind = e.type.kind == Entity::Kind::Instance ? hull::component::Item::Kind::Instance
                                                          : hull::component::Item::Kind::Type;
        if (e.type.kind == Entity::Kind::Instance) {
          auto inner = link_item(nullptr, name + "#" + e.name, e.type, check);
          if (!inner) return std::move(inner).error();
          sub = *inner;
        }
        rt->exports.push_back({e.name, sub});
      }
      item->kind = hull::component::Item::Kind::Instance;
      item->instance = rt;
      return item;
    }
    return unlinkable("was not found");
  }
  if (node->instance && want.kind != Entity::Kind::Instance) {
    hull::component::Item have;
    have.kind = hull::component::Item::Kind::Instance;
    have.instance = node->instance;
    auto m = check.item(have, want);
    return unlinkable(
        m ? *m : std::string("expected ") + entity_kind_name(want.kind) + " found instance");
  }
  switch (want.kind) {
    case Entity::Kind::Func: {
      if (!node->func) return unlinkable("has the wrong type: expected a function");
      auto f = std::make_shared<hull::component::HostFunc>();
      f->type = want.func;
      f->fn = *node->func;
      f->store_fn = node->store_func;
      item->kind = hull::component::Item::Kind::Func;
      item->func = f;
      return item;
    }
    case Entity::Kind::Instance: {
      item->kind = hull::component::Item::Kind::Instance;
      if (node->instance) {
        hull::component::Item have;
        have.kind = hull::component::Item::Kind::Instance;
        have.instance = node->instance;
        if (auto m = check.item(have, want)) return unlinkable(*m);
        item->instance = node->instance;
        return item;
      }
      auto rt = std::make_shared<InstanceRt>();
      rt->type = want.instance;
      for (const NamedEntity& e : want.instance->exports) {
        auto it = node->children.find(e.name);
        auto sub = link_item(it == node->children.end() ? nullptr : &it->second,
                             name + "#" + e.name, e.type, check);
        if (!sub) return std::move(sub).error();
        rt->exports.push_back({e.name, *sub});
      }
      item->instance = rt;
      return item;
    }
    case Entity::Kind::Type:
      if (want.type.kind != TypeEntry::Kind::Resource) {
        item->kind = hull::component::Item::Kind::Type;
        return item;
      }
      if (!node->resource) return unlinkable("has the wrong type: expected a resource type");
      item->kind = hull::component::Item::Kind::Type;
      item->resource = node->resource.get();
      if (auto m = check.item(*item, want)) return unlinkable(*m);
      return item;
    case Entity::Kind::Module:
    case Entity::Kind::Component:
      return unlinkable("is a " + std::string(entity_kind_name(want.kind)) +
                        "; root-level component imports are not supported");
    case Entity::Kind::Value: return unlinkable("is a value; value imports are not supported");
  }
  return unlinkable("cannot be satisfied");
}

}  // namespace

// ---- Component ----

bool Component::is_component(std::span<const uint8_t> bytes) {
  return hull::component::is_component(bytes);
}

Result<Component> Component::compile(const Engine& engine, std::span<const uint8_t> bytes) {
  auto desc = decode_component(bytes);
  if (!desc) return convert(desc.error());
  auto v = validate_component(engine, *desc);
  if (!v) return std::move(v).error();
  auto impl = std::make_shared<detail::ComponentImpl>();
  impl->engine = engine;
  impl->validated = std::move(*v);
  impl->desc = *desc;
  return Component(impl);
}

Result<Component> Component::from_file(const Engine& engine, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::Io, "cannot read " + path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) return Error(ErrorKind::Io, "cannot read " + path);
  if (has_wasm_magic(bytes)) return compile(engine, bytes);
  // Not a binary: component text, as Module::from_file accepts module text.
  auto bin = hull::text::component_to_binary(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (!bin) return convert(bin.error());
  return compile(engine, *bin);
}

std::vector<std::pair<std::string, ExternInfo>> Component::imports() const {
  std::vector<std::pair<std::string, ExternInfo>> out;
  for (const NamedEntity& e : impl_->validated.root->type->imports)
    out.push_back({e.name, info_of(e.type)});
  return out;
}

std::vector<std::pair<std::string, ExternInfo>> Component::exports() const {
  std::vector<std::pair<std::string, ExternInfo>> out;
  for (const NamedEntity& e : impl_->validated.root->type->exports)
    out.push_back({e.name, info_of(e.type)});
  return out;
}

std::string Component::wit() const {
  std::string s = "world root {\n";
  auto item = [&](const char* dir, const std::string& name, const ExternInfo& x) {
    switch (x.kind) {
      case ExternInfo::Kind::Func:
        s += std::string("  ") + dir + " " + name + ": " + to_string(x.func) + ";\n";
        break;
      case ExternInfo::Kind::Instance: {
        s += std::string("  ") + dir + " " + name + ": interface {\n";
        for (size_t k = 0; k < x.export_names.size(); ++k) {
          const std::string& n = x.export_names[k];
          const ExternInfo& e = x.export_types[k];
          if (e.kind == ExternInfo::Kind::Func) s += "    " + n + ": " + to_string(e.func) + ";\n";
          if (e.kind == ExternInfo::Kind::Type) {
            s += "    " +
                 (e.resource ? "resource " + n : "type " + n + " = " + to_string(e.value)) + ";\n";
          }
        }
        s += "  }\n";
        break;
      }
      case ExternInfo::Kind::Type:
        s += std::string("  ") + dir + " " +
             (x.resource ? "resource " + name : "type " + name + " = " + to_string(x.value)) +
             ";\n";
        break;
      default: s += std::string("  // ") + dir + " " + name + " (not expressible in WIT)\n"; break;
    }
  };
  for (const auto& [n, x] : imports()) item("import", n, x);
  for (const auto& [n, x] : exports()) item("export", n, x);
  return s + "}\n";
}

// ---- Func, Instance ----

const FuncType& Func::type() const { return f_->type; }

Result<std::vector<Val>> Func::call(std::span<const Val> args) const {
  if (!f_) return Error(ErrorKind::Usage, "call of an empty Func");
  if (args.size() != f_->type.params.size()) {
    return Error(ErrorKind::Usage, "expected " + std::to_string(f_->type.params.size()) +
                                       " arguments, got " + std::to_string(args.size()));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    std::string why;
    if (!val_matches(args[i], f_->type.params[i].type, &why)) {
      return Error(ErrorKind::Usage, "argument `" + f_->type.params[i].name + "`: " + why);
    }
  }
  return f_->call(nullptr, args);
}

std::optional<Func> Instance::get_func(std::string_view name) const {
  if (!i_) return std::nullopt;
  size_t hash = name.find('#');
  if (hash != std::string_view::npos) {
    auto inner = get_instance(name.substr(0, hash));
    if (!inner) return std::nullopt;
    return inner->get_func(name.substr(hash + 1));
  }
  const hull::component::Item* it = i_->find(name);
  if (!it || it->kind != hull::component::Item::Kind::Func) return std::nullopt;
  return Func(it->func);
}

std::optional<Instance> Instance::get_instance(std::string_view name) const {
  if (!i_) return std::nullopt;
  const hull::component::Item* it = i_->find(name);
  if (!it || it->kind != hull::component::Item::Kind::Instance) return std::nullopt;
  return Instance(it->instance);
}

std::vector<std::string> Instance::export_names() const {
  std::vector<std::string> out;
  if (i_) {
    for (const auto& [n, _] : i_->exports) out.push_back(n);
  }
  return out;
}

// ---- Linker ----

Linker::Linker(const Engine& engine) : impl_(std::make_shared<detail::LinkerImpl>()) {
  impl_->engine = engine;
}
Linker::~Linker() = default;
Linker::Linker(const Linker& o) : impl_(std::make_shared<detail::LinkerImpl>(*o.impl_)) {}
Linker& Linker::operator=(const Linker& o) {
  impl_ = std::make_shared<detail::LinkerImpl>(*o.impl_);
  return *this;
}

// The unused linker entry at `path` ("a#b#name"), created on the way; a Usage error for an
// empty segment or an entry that is already defined.
Result<detail::LinkerNode*> new_entry(detail::LinkerNode* node, std::string_view path) {
  std::string full(path);
  while (true) {
    size_t hash = path.find('#');
    std::string part(path.substr(0, hash));
    if (part.empty()) return Error(ErrorKind::Usage, "empty name in linker path `" + full + "`");
    node = &node->children[part];
    if (hash == std::string_view::npos) break;
    path = path.substr(hash + 1);
  }
  if (node->func || node->resource || !node->children.empty() || node->instance) {
    return Error(ErrorKind::Usage, "linker already defines `" + full + "`");
  }
  return node;
}

Result<void> Linker::func(std::string_view path, HostFunc fn) {
  auto node = new_entry(&impl_->root, path);
  if (!node) return std::move(node).error();
  (*node)->func = std::move(fn);
  return {};
}

Result<void> Linker::func(std::string_view path, StoreHostFunc fn) {
  auto node = new_entry(&impl_->root, path);
  if (!node) return std::move(node).error();
  (*node)->func = HostFunc();
  (*node)->store_func = std::move(fn);
  return {};
}

namespace {
Result<ResourceType> define_resource(detail::LinkerNode* root, std::string_view path,
                                     std::function<Result<void>(Store*, uint32_t)> destructor) {
  auto entry = new_entry(root, path);
  if (!entry) return std::move(entry).error();
  detail::LinkerNode* node = *entry;
  node->resource = std::make_shared<RuntimeResource>();
  node->resource->host_dtor = std::move(destructor);
  node->resource->name = std::string(path);
  return ResourceType{node->resource.get()};
}

std::shared_ptr<RuntimeResource> find_resource(const detail::LinkerNode& n, const void* id) {
  if (n.resource.get() == id) return n.resource;
  for (const auto& [_, c] : n.children) {
    if (auto r = find_resource(c, id)) return r;
  }
  return nullptr;
}
}  // namespace

Result<ResourceType> Linker::resource(std::string_view path,
                                      std::function<void(uint32_t)> destructor) {
  std::function<Result<void>(Store*, uint32_t)> dtor;
  if (destructor) {
    dtor = [d = std::move(destructor)](Store*, uint32_t rep) -> Result<void> {
      d(rep);
      return {};
    };
  }
  return define_resource(&impl_->root, path, std::move(dtor));
}

Result<ResourceType> Linker::resource(std::string_view path,
                                      std::function<Result<void>(Store&, uint32_t)> destructor) {
  std::function<Result<void>(Store*, uint32_t)> dtor;
  if (destructor) {
    dtor = [d = std::move(destructor)](Store* store, uint32_t rep) -> Result<void> {
      if (!store) {
        return Error(ErrorKind::Usage,
                     "this resource's destructor needs a store: drop it with "
                     "resource_drop(store, handle)");
      }
      return d(*store, rep);
    };
  }
  return define_resource(&impl_->root, path, std::move(dtor));
}

Result<void> Linker::resource(std::string_view path, ResourceType type) {
  auto r = find_resource(impl_->root, type.id);
  if (!r) return Error(ErrorKind::Usage, "resource type is not defined in this linker");
  auto entry = new_entry(&impl_->root, path);
  if (!entry) return std::move(entry).error();
  (*entry)->resource = std::move(r);
  return {};
}

namespace {
Result<void> drop_handle(Store* store, const ResourceAny& handle) {
  if (!handle.own) return Error(ErrorKind::Usage, "only owned handles can be dropped");
  const auto* rt = static_cast<const RuntimeResource*>(handle.type);
  if (!rt) return Error(ErrorKind::Usage, "not a resource handle");
  if (rt->host_dtor) return rt->host_dtor(store, handle.rep);
  if (rt->dtor) {
    if (rt->impl && !rt->impl->may_enter) return Error(abi_trap("cannot enter component instance"));
    hull::api::Val arg(handle.rep);
    auto r = rt->dtor->call(std::span<const hull::api::Val>(&arg, 1));
    if (!r) return std::move(r).error();
  }
  return {};
}
}  // namespace

Result<void> resource_drop(const ResourceAny& handle) { return drop_handle(nullptr, handle); }
Result<void> resource_drop(Store& store, const ResourceAny& handle) {
  return drop_handle(&store, handle);
}

Result<void> Linker::instance(std::string_view name, const Instance& instance) {
  detail::LinkerNode& n = impl_->root.children[std::string(name)];
  n = detail::LinkerNode{};
  n.instance = instance.raw();
  return {};
}

Result<InstancePre> Linker::instantiate_pre(const Component& component) const {
  const auto& v = component.impl()->validated;
  auto pre = std::make_shared<detail::InstancePreImpl>(component);
  LinkCheck check;
  for (const NamedEntity& imp : v.root->type->imports) {
    auto item = link_item(lookup(impl_->root.children, imp.name), imp.name, imp.type, check);
    if (!item) return std::move(item).error();
    pre->args.emplace(imp.name, **item);
  }
  for (const hull::component::ImportDef& imp : v.root->desc->imports) {
    auto it = pre->args.find(imp.name.name);
    pre->args_by_import.push_back(it == pre->args.end() ? nullptr : &it->second);
  }
  collect_host_resources(impl_->root, &pre->resources);
  return InstancePre(pre);
}

const Component& InstancePre::component() const { return impl_->component; }

Result<Instance> InstancePre::instantiate(Store& store) const {
  const auto& v = impl_->component.impl()->validated;
  if (!impl_->resources.empty())
    store.attach(std::const_pointer_cast<detail::InstancePreImpl>(impl_));
  ComponentDef def;
  def.info = v.root;
  auto r = hull::component::instantiate(store, def, v.resources, impl_->args_by_import, nullptr,
                                        &impl_->cache);
  if (!r) {
    Error e = std::move(r).error();
    if (e.kind == ErrorKind::Trap) {
      Error u(ErrorKind::Uninstantiable, e.message);
      u.trap = e.trap;
      return u;
    }
    return e;
  }
  return Instance(*r);
}

Result<Instance> Linker::instantiate(Store& store, const Component& component) const {
  auto pre = instantiate_pre(component);
  if (!pre) return std::move(pre).error();
  return pre->instantiate(store);
}

}  // namespace hull::api::component
