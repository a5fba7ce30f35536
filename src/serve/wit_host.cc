// The serve interfaces' entry points and shared pieces (see wit.h, wit_host.h).
#include "serve/wit_host.h"

#include "serve/manifest.h"

namespace hull::serve {

namespace {
// The address that keys the serve context among a store's slots.
const char kSlotKey = 0;
}  // namespace

ServeCtx* serve_ctx_of(const api::Store& store) {
  return static_cast<ServeCtx*>(store.slot(&kSlotKey));
}

WitDefiner::WitDefiner(cm::Linker& linker, std::string_view interface, std::string_view version)
    : linker_(linker), path_(std::string(interface) + "@" + std::string(version)) {}

void WitDefiner::fn(std::string_view name, Impl impl) {
  if (!status_) return;
  std::string what = path_ + "#" + std::string(name);
  status_ =
      linker_.func(what,
                   [impl = std::move(impl), what](api::Store& store, Args args,
                                                  Results& results) -> api::Result<void> {
                     ServeCtx* c = serve_ctx_of(store);
                     if (!c) {
                       return api::Error(api::ErrorKind::Usage,
                                         what +
                                             ": this store has no serve state (call "
                                             "hull::serve::attach_serve before instantiating)");
                     }
                     return impl(*c, args, results);
                   });
}

cm::ResourceType WitDefiner::resource(std::string_view name) {
  std::string what = path_ + "#" + std::string(name);
  auto t = linker_.resource(what, [what](api::Store& store, uint32_t rep) -> api::Result<void> {
    ServeCtx* c = serve_ctx_of(store);
    if (!c) return {};
    if (c->table.remove(rep) == hull::wasi::ResourceTable::Removed::missing) {
      return hull::wasi::p2::trap("unknown " + what + " handle dropped");
    }
    return {};
  });
  if (!t) {
    if (status_) status_ = std::move(t).error();
    return {};
  }
  return *t;
}

void WitDefiner::uses(std::string_view name, cm::ResourceType type) {
  if (!status_) return;
  status_ = linker_.resource(path_ + "#" + std::string(name), type);
}

api::Result<uint32_t> push(ServeCtx& c, std::unique_ptr<hull::wasi::HostObject> object) {
  auto rep = c.table.push(std::move(object));
  if (!rep) return hull::wasi::p2::trap("key-value resource table is full");
  return *rep;
}

Opened open_store(ServeCtx& c, std::string_view label) {
  if (!c.allowed.contains(label)) {
    return {OpenFailure::access_denied,
            "the component may not open store '" + std::string(label) +
                "' (list it in the component's key_value_stores)",
            nullptr};
  }
  if (!c.config.kv || !c.config.kv->defines(label)) {
    return {OpenFailure::no_such_store, "no key-value store '" + std::string(label) + "'", nullptr};
  }
  auto store = c.config.kv->open(label);
  if (!store) return {OpenFailure::other, store.error().message, nullptr};
  return {OpenFailure::none, "", std::move(*store)};
}

api::Result<void> add_serve_to_linker(cm::Linker& linker) {
  if (auto r = add_wasi_keyvalue(linker); !r) return r;
  return add_spin(linker);
}

api::Result<void> attach_serve(api::Store& store, ServeConfig config) {
  auto c = std::make_shared<ServeCtx>();
  c->allowed.insert(config.key_value_stores.begin(), config.key_value_stores.end());
  c->config = std::move(config);
  store.set_slot(&kSlotKey, std::move(c));
  return {};
}

ServeConfig serve_config_for(const Component& component, std::shared_ptr<KvRegistry> kv,
                             std::shared_ptr<const VariableResolver> resolver) {
  ServeConfig config;
  config.kv = std::move(kv);
  config.key_value_stores = component.key_value_stores;
  // The component is copied so the closure does not depend on the manifest's lifetime.
  config.variables = [component, resolver = std::move(resolver)](std::string_view name) {
    return resolver->component_variable(component, name);
  };
  return config;
}

cm::Val open_error(const Opened& o) {
  switch (o.failure) {
    case OpenFailure::access_denied: return cm::Val::variant("access-denied");
    case OpenFailure::no_such_store: return cm::Val::variant("no-such-store");
    default: return cm::Val::variant("other", cm::Val::string(o.message));
  }
}

}  // namespace hull::serve
