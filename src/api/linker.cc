// The API Linker: store-independent host functions plus store objects, resolved by name at
// instantiation with errors that name the missing or mistyped import.
#include <map>

#include "api/internal.h"
#include "engine/instantiate.h"

namespace hull::api {

using namespace detail;

struct Linker::Impl {
  // Length-prefixed key so that no two (module, name) pairs collide.
  std::map<std::string, std::variant<HostFuncDef, Extern>, std::less<>> defs;
  static std::string key(std::string_view m, std::string_view n) {
    return std::to_string(m.size()) + ":" + std::string(m) + std::string(n);
  }
};

Linker::Linker() : impl_(std::make_unique<Impl>()) {}
Linker::~Linker() = default;
Linker::Linker(const Linker& o) : impl_(std::make_unique<Impl>(*o.impl_)) {}
Linker& Linker::operator=(const Linker& o) {
  impl_ = std::make_unique<Impl>(*o.impl_);
  return *this;
}
Linker::Linker(Linker&&) noexcept = default;
Linker& Linker::operator=(Linker&&) noexcept = default;

Linker& Linker::define_host(std::string_view module, std::string_view name, HostFuncDef def) {
  impl_->defs[Impl::key(module, name)] = std::move(def);
  return *this;
}

Linker& Linker::define(std::string_view module, std::string_view name, const Extern& item) {
  impl_->defs[Impl::key(module, name)] = item;
  return *this;
}

Linker& Linker::define_instance(std::string_view module, const Instance& instance) {
  for (auto& [name, e] : instance.exports()) define(module, name, e);
  return *this;
}

namespace {

std::string describe(const ExternType& t) {
  switch (t.kind) {
    case ExternKind::Func: return "func " + to_string(t.func);
    case ExternKind::Global:
      return std::string("global ") + (t.global.mut ? "mut " : "") + to_string(t.global.type);
    case ExternKind::Memory: return "memory";
    case ExternKind::Table: return std::string("table of ") + to_string(t.table.elem);
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

}  // namespace

Result<Instance> Linker::instantiate(Store& store, const Module& module) const {
  StoreImpl* s = store.impl();
  const CompiledModule& cm = *module.compiled();
  std::vector<ImportType> types = module.imports();
  std::vector<hull::Extern> imports;
  imports.reserve(types.size());
  std::vector<HostEnv*> envs;
  for (size_t i = 0; i < types.size(); ++i) {
    const ImportType& it = types[i];
    auto d = impl_->defs.find(Impl::key(it.module, it.name));
    if (d == impl_->defs.end()) {
      return Error(ErrorKind::Unlinkable, "unknown import \"" + it.module + "\" \"" + it.name +
                                              "\": the linker has no definition for it (the " +
                                              "module expects " + describe(it.type) + ")");
    }
    hull::Extern ext;
    if (auto* h = std::get_if<HostFuncDef>(&d->second)) {
      if (it.type.kind != ExternKind::Func) {
        return Error(ErrorKind::Unlinkable, "import \"" + it.module + "\" \"" + it.name +
                                                "\" is a host function, but the module expects " +
                                                describe(it.type));
      }
      if (h->type != it.type.func) {
        return Error(ErrorKind::Unlinkable, "incompatible import type for \"" + it.module +
                                                "\" \"" + it.name + "\": host function is " +
                                                to_string(h->type) + ", module expects " +
                                                to_string(it.type.func));
      }
      HostEnv* env = nullptr;
      ext = hull::Extern::of(create_host(s, *h, &env));
      envs.push_back(env);
    } else {
      const Extern& e = std::get<Extern>(d->second);
      StoreImpl* owner = std::visit([](const auto& x) { return x.s_; }, e);
      if (owner != s) {
        return Error(ErrorKind::Usage, "import \"" + it.module + "\" \"" + it.name +
                                           "\" is defined by an object of another store");
      }
      ext = to_internal(e);
    }
    Status m = match_import(cm, static_cast<uint32_t>(i), ext);
    if (!m) return to_api(m.error());
    imports.push_back(ext);
  }
  s->pending_instance = s->store.instances.size();
  auto r = hull::instantiate(s->store, module.compiled(), imports);
  s->pending_instance = SIZE_MAX;
  if (!r) {
    Error e = to_api(r.error());
    // A trap during instantiation (segment out of bounds, start function): the error keeps
    // the trap and its wasm backtrace.
    if (s->store.instantiation_trap) e.trap = to_api(*s->store.instantiation_trap, s);
    return e;
  }
  for (HostEnv* e : envs) e->bound = *r;
  if (s->wasi_instance && !*s->wasi_instance) *s->wasi_instance = *r;
  return Instance(s, *r);
}

Result<Instance> Instance::create(Store& store, const Module& module,
                                  std::span<const Extern> imports) {
  StoreImpl* s = store.impl();
  const CompiledModule& cm = *module.compiled();
  if (imports.size() != cm.desc.imports.size()) {
    return Error(ErrorKind::Unlinkable, "module has " + std::to_string(cm.desc.imports.size()) +
                                            " imports, " + std::to_string(imports.size()) +
                                            " given");
  }
  std::vector<hull::Extern> resolved;
  resolved.reserve(imports.size());
  for (size_t i = 0; i < imports.size(); ++i) {
    StoreImpl* owner = std::visit([](const auto& x) { return x.s_; }, imports[i]);
    if (owner != s) {
      const hull::Import& imp = cm.desc.imports[i];
      return Error(ErrorKind::Usage, "import \"" + imp.module + "\" \"" + imp.name +
                                         "\" is defined by an object of another store");
    }
    // Types are matched once, by hull::instantiate (before it creates anything).
    resolved.push_back(to_internal(imports[i]));
  }
  s->pending_instance = s->store.instances.size();
  auto r = hull::instantiate(s->store, module.compiled(), resolved);
  s->pending_instance = SIZE_MAX;
  if (!r) {
    Error e = to_api(r.error());
    if (s->store.instantiation_trap) e.trap = to_api(*s->store.instantiation_trap, s);
    return e;
  }
  if (s->wasi_instance && !*s->wasi_instance) *s->wasi_instance = *r;
  return Instance(s, *r);
}

}  // namespace hull::api
