// Instantiation: replays a validated component's definitions in order, building the runtime
// index spaces (core instances, lifted and lowered functions, resources, nested instances).
#include "component/runtime/async.h"
#include "component/runtime/runtime.h"

namespace hull::api::component::detail {

const hull::component::Item* InstanceRt::find(std::string_view name) const {
  for (const auto& [n, item] : exports) {
    if (n == name) return item.get();
  }
  return nullptr;
}

}  // namespace hull::api::component::detail

namespace hull::component {

namespace {

api::Error uninstantiable(std::string msg) {
  return api::Error(api::ErrorKind::Uninstantiable, std::move(msg));
}

StringEncoding encoding_of(CanonOpt::Kind k) {
  switch (k) {
    case CanonOpt::Kind::Utf16: return StringEncoding::Utf16;
    case CanonOpt::Kind::Latin1Utf16: return StringEncoding::Latin1Utf16;
    default: return StringEncoding::Utf8;
  }
}

class Instantiator {
 public:
  Instantiator(api::Store& store, ComponentInstance& inst, InstancePreCache* cache)
      : store_(store), c_(inst), cache_(cache) {
    if (!cache_) return;
    if (cache_->ready.load(std::memory_order_acquire)) {
      cached_ = true;
    } else {
      recorded_lowers_.resize(c_.info->desc->canons.size());
      recorded_bind_ends_.resize(c_.info->desc->imports.size());
    }
  }

  api::Result<void> run(std::span<const Item* const> args) {
    const ComponentDesc& d = *c_.info->desc;
    // Each step returns its Result directly: only a failure is moved out (a definition costs
    // no Result assignment).
    for (const Definition& def : d.order) {
      switch (def.kind) {
        case Definition::Kind::CoreModule:
          c_.core_modules.push_back(c_.info->modules[next_module_++]);
          continue;
        case Definition::Kind::CoreInstance:
          if (auto r = core_instance(d.core_instances[def.index]); !r) return r;
          continue;
        case Definition::Kind::CoreType: continue;
        case Definition::Kind::Component: {
          auto def_rt = std::make_shared<ComponentDef>();
          def_rt->info = c_.info->nested[next_nested_++];
          def_rt->enclosing = &c_;
          c_.components.push_back(std::move(def_rt));
          continue;
        }
        case Definition::Kind::Instance:
          if (auto r = instance(d.instances[def.index]); !r) return r;
          continue;
        case Definition::Kind::Alias:
          if (auto r = alias(d.aliases[def.index], def.index); !r) return r;
          continue;
        case Definition::Kind::Type: type(*d.types[def.index]); continue;
        case Definition::Kind::Canon:
          if (auto r = canon(d.canons[def.index]); !r) return r;
          continue;
        case Definition::Kind::Import: {
          const ImportDef& imp = d.imports[def.index];
          const Item* arg = def.index < args.size() ? args[def.index] : nullptr;
          if (!arg) {
            return api::Error(api::ErrorKind::Unlinkable,
                              "missing import named `" + imp.name.name + "`");
          }
          // What the import binds comes from the cache (the same bindings in the same order,
          // without looking them up), or is recorded now for the next instances.
          if (cached_) {
            add_item(*arg, /*bind_resources=*/false);
            const auto& ends = cache_->bind_ends;
            if (def.index < ends.size()) {
              const uint32_t begin = def.index == 0 ? 0 : ends[def.index - 1];
              for (uint32_t k = begin; k < ends[def.index]; ++k)
                bind(cache_->binds[k].first, cache_->binds[k].second);
            }
          } else {
            importing_ = true;
            add_item(*arg);
            importing_ = false;
            if (def.index < recorded_bind_ends_.size()) {
              recorded_bind_ends_[def.index] = static_cast<uint32_t>(recorded_binds_.size());
            }
          }
          continue;
        }
        case Definition::Kind::Export: {
          const ExportDef& x = d.exports[def.index];
          auto item = item_of(x.item);
          if (!item) return std::move(item).error();
          c_.exports->exports.push_back({x.name.name, std::make_shared<Item>(*item)});
          add_item(*item);
          continue;
        }
        case Definition::Kind::Start:
        case Definition::Kind::Value: return uninstantiable("value definitions are not supported");
      }
    }
    return {};
  }

  // After a successful run: hands what it learnt to the next instantiations.
  void publish_cache() {
    if (!cache_ || cached_) return;
    std::lock_guard<std::mutex> lock(cache_->mu);
    if (cache_->ready.load(std::memory_order_relaxed)) return;
    // The run succeeded, so every import was reached and recorded_bind_ends_ is complete.
    cache_->binds = std::move(recorded_binds_);
    cache_->bind_ends = std::move(recorded_bind_ends_);
    cache_->lowers = std::move(recorded_lowers_);
    cache_->ready.store(true, std::memory_order_release);
  }

 private:
  // Adds an item to the index space of its sort, binding any resource identities the
  // validator gave the new index.
  void add_item(const Item& item, bool bind_resources = true) {
    switch (item.kind) {
      case Item::Kind::Module: c_.core_modules.push_back(*item.module); break;
      case Item::Kind::Func: c_.funcs.push_back(item.func); break;
      case Item::Kind::Type: {
        size_t idx = c_.types.size();
        const TypeEntry& te = c_.info->types.at(idx);
        if (bind_resources && te.kind == TypeEntry::Kind::Resource && item.resource)
          bind(te.resource.id, item.resource);
        c_.types.push_back(item.resource);
        break;
      }
      case Item::Kind::Component: c_.components.push_back(item.component); break;
      case Item::Kind::Instance: {
        size_t idx = c_.instances.size();
        const auto& binds = c_.info->instance_binds;
        if (bind_resources) {
          bind_instance(*c_.info->instances.at(idx), *item.instance,
                        idx < binds.size() ? &binds[idx] : nullptr);
        }
        c_.instances.push_back(item.instance);
        break;
      }
    }
  }

  void bind(uint32_t id, const RuntimeResource* rt) {
    if (id >= c_.resources.size()) c_.resources.resize(id + 1, nullptr);
    c_.resources[id] = rt;
    if (importing_ && cache_ && !cached_) recorded_binds_.emplace_back(id, rt);
  }

  // Binds the resources `rt` supplies for the exports of its type `t`. `binds`, when known, lists
  // the positions of the exports that can bind anything (resources and nested instances, as
  // ComponentInfo::instance_binds); otherwise every export is looked at.
  void bind_instance(const InstanceType& t, const InstanceRt& rt,
                     const std::vector<uint32_t>* binds = nullptr) {
    auto bind_export = [&](size_t k) {
      const NamedEntity& e = t.exports[k];
      const bool resource =
          e.type.kind == Entity::Kind::Type && e.type.type.kind == TypeEntry::Kind::Resource;
      if (!resource && e.type.kind != Entity::Kind::Instance) return;
      const Item* item = rt.find(e.name, k);
      if (!item) return;
      if (resource && item->resource) {
        bind(e.type.type.resource.id, item->resource);
      } else if (e.type.kind == Entity::Kind::Instance && item->instance) {
        bind_instance(*e.type.instance, *item->instance);
      }
    };
    if (binds) {
      for (uint32_t k : *binds) bind_export(k);
    } else {
      for (size_t k = 0; k < t.exports.size(); ++k) bind_export(k);
    }
  }

  api::Result<Item> item_of(const SortIdx& si) {
    Item it;
    switch (si.sort) {
      case Sort::Core:
        it.kind = Item::Kind::Module;
        it.module = c_.core_modules.at(si.index);
        return it;
      case Sort::Func:
        it.kind = Item::Kind::Func;
        it.func = c_.funcs.at(si.index);
        return it;
      case Sort::Type:
        it.kind = Item::Kind::Type;
        it.resource = c_.types.at(si.index);
        return it;
      case Sort::Component:
        it.kind = Item::Kind::Component;
        it.component = c_.components.at(si.index);
        return it;
      case Sort::Instance:
        it.kind = Item::Kind::Instance;
        it.instance = c_.instances.at(si.index);
        return it;
      case Sort::Value: break;
    }
    return uninstantiable("value items are not supported");
  }

  api::Result<void> core_instance(const CoreInstanceDef& def) {
    CoreInstance ci;
    if (def.instantiate) {
      const api::Module& m = c_.core_modules.at(def.module);
      // The validator resolved each import to (core instance, export position), in the order
      // of the module type it saw. A module defined in this component has exactly that order;
      // one that was imported may order its imports and exports differently, and is matched
      // by name here (only such modules cost name lookups at instantiation).
      const CoreModuleType& mt = *c_.info->core_modules.at(def.module);
      bool local = false;
      for (const api::Module& own : c_.info->modules) local |= own.compiled() == m.compiled();
      const auto& positions = c_.info->core_instance_args.at(c_.core_instances.size());
      std::vector<api::Extern>& imports = imports_;  // reused: one buffer per instantiation
      imports.clear();
      std::vector<api::ImportType> actual_imports;
      if (!local) actual_imports = m.imports();
      size_t n_imports = local ? positions.size() : actual_imports.size();
      imports.reserve(n_imports);
      for (size_t k = 0; k < n_imports; ++k) {
        size_t slot = k;
        if (!local) {
          slot = SIZE_MAX;
          for (size_t t = 0; t < mt.imports.size(); ++t) {
            if (mt.imports[t].module == actual_imports[k].module &&
                mt.imports[t].name == actual_imports[k].name) {
              slot = t;
            }
          }
          if (slot == SIZE_MAX) {
            return api::Error(api::ErrorKind::Unlinkable,
                              "module import `" + actual_imports[k].module +
                                  "::" + actual_imports[k].name + "` not defined");
          }
        }
        const auto& [inst_index, pos] = positions.at(slot);
        const std::optional<api::Extern>& e = c_.core_instances.at(inst_index).exports.at(pos);
        if (!e) return uninstantiable("core tags cannot be linked in components yet");
        imports.push_back(*e);
      }
      auto inst = api::Instance::create(store_, m, imports);
      if (!inst) {
        api::Error e = std::move(inst).error();
        if (e.kind != api::ErrorKind::Trap && e.kind != api::ErrorKind::Uninstantiable) {
          e.kind = api::ErrorKind::Uninstantiable;
        }
        return e;
      }
      ci.exports.reserve(mt.exports.size());
      if (local) {
        size_t n = mt.exports.size();
        for (size_t k = 0; k < n; ++k) ci.exports.push_back(inst->export_at(k));
      } else {
        for (const api::ExportType& e : mt.exports) ci.exports.push_back(inst->get_export(e.name));
      }
    } else {
      ci.exports.reserve(def.exports.size());
      for (const CoreInlineExport& e : def.exports) {
        api::Extern ext;
        switch (e.sort) {
          case CoreSort::Func: ext = c_.core_funcs.at(e.index); break;
          case CoreSort::Table: ext = c_.core_tables.at(e.index); break;
          case CoreSort::Memory: ext = c_.core_memories.at(e.index); break;
          case CoreSort::Global: ext = c_.core_globals.at(e.index); break;
          default: return uninstantiable("core tags in components are not supported yet");
        }
        ci.exports.push_back(ext);
      }
    }
    c_.core_instances.push_back(std::move(ci));
    return {};
  }

  api::Result<void> instance(const InstanceDef& def) {
    if (def.instantiate) {
      const ComponentDef& cd = *c_.components.at(def.component);
      std::vector<Item> items;
      items.reserve(def.args.size());
      for (const InstantiateArg& a : def.args) {
        auto it = item_of(a.item);
        if (!it) return std::move(it).error();
        items.push_back(std::move(*it));
      }
      // The child's imports in order, each matched by name with an argument (a handful).
      const std::vector<ImportDef>& wanted = cd.info->desc->imports;
      std::vector<const Item*> args(wanted.size(), nullptr);
      for (size_t k = 0; k < wanted.size(); ++k) {
        for (size_t j = 0; j < def.args.size() && !args[k]; ++j) {
          if (def.args[j].name == wanted[k].name.name) args[k] = &items[j];
        }
      }
      auto child = instantiate(store_, cd, c_.resource_table, args, &c_);
      if (!child) return std::move(child).error();
      Item it;
      it.kind = Item::Kind::Instance;
      it.instance = std::move(*child);
      add_item(it);
      return {};
    }
    auto rt = std::make_shared<InstanceRt>();
    rt->resource_table = c_.resource_table;
    rt->exports.reserve(def.exports.size());
    for (const InlineExport& e : def.exports) {
      auto it = item_of(e.item);
      if (!it) return std::move(it).error();
      rt->exports.push_back({e.name.name, std::make_shared<Item>(*it)});
    }
    rt->type = c_.info->instances.at(c_.instances.size());
    Item it;
    it.kind = Item::Kind::Instance;
    it.instance = std::move(rt);
    add_item(it);
    return {};
  }

  api::Result<void> alias(const Alias& a, uint32_t alias_index) {
    switch (a.target) {
      case Alias::Target::Export: {
        const InstanceRt& inst = *c_.instances.at(a.instance);
        const auto& hints = c_.info->alias_positions;
        const Item* item =
            alias_index < hints.size() ? inst.find(a.name, hints[alias_index]) : inst.find(a.name);
        if (!item) return uninstantiable("instance has no export named `" + a.name + "`");
        add_item(*item);
        return {};
      }
      case Alias::Target::CoreExport: {
        const CoreInstance& ci = c_.core_instances.at(a.instance);
        const std::optional<api::Extern>& slot =
            ci.exports.at(c_.info->alias_positions.at(alias_index));
        if (!slot) return uninstantiable("core tags in components are not supported yet");
        const api::Extern* e = &*slot;
        switch (a.sort.core) {
          case CoreSort::Func: c_.core_funcs.push_back(std::get<api::Func>(*e)); break;
          case CoreSort::Table: c_.core_tables.push_back(std::get<api::Table>(*e)); break;
          case CoreSort::Memory: c_.core_memories.push_back(std::get<api::Memory>(*e)); break;
          case CoreSort::Global: c_.core_globals.push_back(std::get<api::Global>(*e)); break;
          default: return uninstantiable("core tags in components are not supported yet");
        }
        return {};
      }
      case Alias::Target::Outer: {
        ComponentInstance* target = &c_;
        for (uint32_t k = 0; k < a.outer_count && target; ++k) target = target->enclosing;
        if (!target) return uninstantiable("outer alias reaches past the root component");
        switch (a.sort.sort) {
          case Sort::Type: {
            Item it;
            it.kind = Item::Kind::Type;
            it.resource = target->types.at(a.outer_index);
            add_item(it);
            return {};
          }
          case Sort::Component: {
            Item it;
            it.kind = Item::Kind::Component;
            it.component = target->components.at(a.outer_index);
            add_item(it);
            return {};
          }
          case Sort::Core:
            if (a.sort.core == CoreSort::Module) {
              c_.core_modules.push_back(target->core_modules.at(a.outer_index));
            }
            return {};  // core types need nothing at runtime
          default: return {};
        }
      }
    }
    return {};
  }

  void type(const TypeDef& t) {
    const RuntimeResource* rt = nullptr;
    if (t.kind == TypeDef::Kind::Resource) {
      auto r = std::make_unique<RuntimeResource>();
      r->impl = &c_;
      if (t.resource.dtor) r->dtor = c_.core_funcs.at(*t.resource.dtor);
      rt = r.get();
      c_.defined.push_back(std::move(r));
      const TypeEntry& te = c_.info->types.at(c_.types.size());
      bind(te.resource.id, rt);
    }
    c_.types.push_back(rt);
  }

  CanonOptions options(const std::vector<CanonOpt>& opts) {
    CanonOptions o;
    set_options(opts, o);
    return o;
  }
  // The same into `o` (default-constructed), where it is kept: no CanonOptions is moved.
  void set_options(const std::vector<CanonOpt>& opts, CanonOptions& o) {
    for (const CanonOpt& x : opts) {
      switch (x.kind) {
        case CanonOpt::Kind::Utf8:
        case CanonOpt::Kind::Utf16:
        case CanonOpt::Kind::Latin1Utf16: o.encoding = encoding_of(x.kind); break;
        case CanonOpt::Kind::Memory: o.memory = c_.core_memories.at(x.index); break;
        case CanonOpt::Kind::Realloc: o.realloc = c_.core_funcs.at(x.index); break;
        case CanonOpt::Kind::PostReturn: o.post_return = c_.core_funcs.at(x.index); break;
        case CanonOpt::Kind::Async: o.async = true; break;
        case CanonOpt::Kind::Callback: o.callback = c_.core_funcs.at(x.index); break;
        default: break;
      }
    }
  }

  api::Result<void> canon(const Canon& c) {
    switch (c.kind) {
      case Canon::Kind::Lift: {
        auto f = std::make_shared<LiftedFunc>();
        f->inst = &c_;
        f->core = c_.core_funcs.at(c.func);
        f->opts = options(c.opts);
        f->type = c_.info->types.at(c.type).func;
        f->param_types.reserve(f->type.params.size());
        for (const ac::Field& p : f->type.params) f->param_types.push_back(p.type);
        if (!f->type.result.empty()) f->result_types.push_back(f->type.result);
        CoreSignature core_sig = flatten_functype(f->type, FlattenFor::Lift, f->opts.abi());
        f->core_result_count = core_sig.results.size();
        f->core_params = std::move(core_sig.params);
        c_.funcs.push_back(f);
        return {};
      }
      case Canon::Kind::Lower: {
        const std::shared_ptr<FuncRt>& callee = c_.funcs.at(c.func);
        // The callee's type as this component sees it (its resource ids index c_.resources).
        const ac::FuncType& local_type = c_.info->funcs.at(c.func);
        bool async = false;
        for (const CanonOpt& x : c.opts) async |= x.kind == CanonOpt::Kind::Async;
        if (async) {
          auto view = std::make_shared<LoweredView>(callee, local_type);
          c_.core_funcs.push_back(lower_async_func(&c_, view, options(c.opts)));
          return {};
        }
        size_t idx = canon_index(c);
        if (idx >= c_.info->lower_plans.size() || !c_.info->lower_plans[idx]) {
          return uninstantiable("canon lower " + std::to_string(idx) + " was not validated");
        }
        CanonFuncEnv& env = c_.canon_envs[idx];
        env.inst = &c_;
        env.callee = callee.get();
        env.type = &local_type;
        env.plan = c_.info->lower_plans[idx].get();
        set_options(c.opts, env.opts);
        env.raw_host = raw_host_for(idx, env, callee);
        c_.core_funcs.push_back(lower_func(env));
        return {};
      }
      case Canon::Kind::ResourceNew:
        c_.core_funcs.push_back(resource_new_func(resource_env(c)));
        return {};
      case Canon::Kind::ResourceRep:
        c_.core_funcs.push_back(resource_rep_func(resource_env(c)));
        return {};
      case Canon::Kind::ResourceDrop:
        c_.core_funcs.push_back(resource_drop_func(resource_env(c)));
        return {};
      case Canon::Kind::Other: {
        // The async built-ins (validation admitted only those Hull implements or traps on).
        size_t idx = canon_index(c);
        ac::Type value_type;
        if (idx < c_.info->canon_types.size()) value_type = c_.info->canon_types[idx];
        std::optional<api::Memory> memory;
        if (c.opcode == 0x20 || c.opcode == 0x21) memory = c_.core_memories.at(c.index);
        c_.core_funcs.push_back(
            async_builtin_func(&c_, c, value_type, options(c.opts), std::move(memory)));
        return {};
      }
    }
    return uninstantiable("unsupported canonical built-in");
  }

  // The typed host function lower `idx` calls directly, if any: known from the cache when the
  // callee is the one it holds, else decided (and recorded for the cache).
  ac::raw::HostImpl* raw_host_for(size_t idx, const CanonFuncEnv& env,
                                  const std::shared_ptr<FuncRt>& callee) {
    if (cached_) {
      if (idx < cache_->lowers.size() && cache_->lowers[idx].callee.get() == env.callee)
        return cache_->lowers[idx].host;
      return accepting_raw_host(env);
    }
    ac::raw::HostImpl* host = accepting_raw_host(env);
    if (host && idx < recorded_lowers_.size()) recorded_lowers_[idx] = {callee, host};
    return host;
  }

  const RuntimeResource* resource_at(uint32_t type_index) {
    const TypeEntry& te = c_.info->types.at(type_index);
    return c_.resource(te.resource.id);
  }

  size_t canon_index(const Canon& c) const {
    return static_cast<size_t>(&c - c_.info->desc->canons.data());
  }

  CanonFuncEnv& resource_env(const Canon& c) {
    CanonFuncEnv& env = c_.canon_envs[canon_index(c)];
    env.inst = &c_;
    env.rt = resource_at(c.type);
    return env;
  }

  // A function seen through the importing component's type: lowering uses this component's
  // resource ids, while the call goes to the callee unchanged.
  struct LoweredView : FuncRt {
    std::shared_ptr<FuncRt> target;
    LoweredView(std::shared_ptr<FuncRt> t, ac::FuncType local) : target(std::move(t)) {
      type = std::move(local);
    }
    api::Result<std::vector<ac::Val>> call(ComponentInstance* caller,
                                           std::span<const ac::Val> args) override {
      return target->call(caller, args);
    }
    api::Result<std::shared_ptr<AsyncTask>> start(ComponentInstance* caller,
                                                  std::span<const ac::Val> args,
                                                  OnResolve on_resolve) override {
      return target->start(caller, args, std::move(on_resolve));
    }
    bool is_host() const override { return target->is_host(); }
    std::shared_ptr<ac::raw::HostImpl> raw_host() const override { return target->raw_host(); }
  };

  api::Store& store_;
  ComponentInstance& c_;
  InstancePreCache* cache_ = nullptr;
  bool cached_ = false;     // cache_ was ready: imports' bindings and lowers' hosts come from it
  bool importing_ = false;  // adding an import: bind() records into recorded_binds_
  // What a first instantiation learns for cache_.
  std::vector<std::pair<uint32_t, const RuntimeResource*>> recorded_binds_;
  std::vector<uint32_t> recorded_bind_ends_;  // parallel to the import definitions
  std::vector<InstancePreCache::Lower> recorded_lowers_;
  std::vector<api::Extern> imports_;
  size_t next_module_ = 0;
  size_t next_nested_ = 0;
};

}  // namespace

api::Result<std::shared_ptr<InstanceRt>> instantiate(api::Store& store, const ComponentDef& def,
                                                     std::shared_ptr<const ResourceTable> resources,
                                                     std::span<const Item* const> args,
                                                     ComponentInstance* parent,
                                                     InstancePreCache* cache) {
  auto inst = std::make_shared<ComponentInstance>();
  inst->store = &store;
  inst->parent = parent;
  inst->enclosing = def.enclosing;
  inst->info = def.info;
  inst->resource_table = resources;
  inst->resources.assign(resources->resources.size(), nullptr);
  inst->exports = std::make_shared<InstanceRt>();
  inst->exports->resource_table = resources;
  inst->exports->component = inst.get();
  if (parent) parent->children.push_back(inst.get());
  const ComponentInfo& info = *def.info;
  if (!info.desc->canons.empty())
    inst->canon_envs = std::make_unique_for_overwrite<CanonFuncEnv[]>(info.desc->canons.size());
  // The index spaces end at the sizes validation counted: reserve them once.
  inst->core_instances.reserve(info.core_instances.size());
  inst->core_funcs.reserve(info.core_funcs.size());
  inst->core_tables.reserve(info.core_tables.size());
  inst->core_memories.reserve(info.core_memories.size());
  inst->core_globals.reserve(info.core_globals.size());
  inst->funcs.reserve(info.funcs.size());
  inst->types.reserve(info.types.size());
  inst->instances.reserve(info.instances.size());
  inst->core_modules.reserve(info.core_modules.size());
  inst->components.reserve(info.components.size());
  inst->exports->exports.reserve(info.desc->exports.size());
  store.attach(inst);
  Instantiator in(store, *inst, cache);
  auto r = in.run(args);
  if (!r) return std::move(r).error();
  in.publish_cache();
  if (info.instance_type) {
    inst->exports->type = info.instance_type;
  } else {
    auto t = std::make_shared<InstanceType>();
    t->exports = info.type->exports;
    inst->exports->type = std::move(t);
  }
  return inst->exports;
}

}  // namespace hull::component
