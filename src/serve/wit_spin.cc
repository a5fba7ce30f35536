// Spin's fermyon:spin/key-value@2.0.0 and fermyon:spin/variables@2.0.0, so that components
// built with Spin's SDKs run. WIT (from fermyon/spin, wit/deps/spin@2.0.0/):
//   key-value: resource store { [static] open(label) -> result<store, error>, get, set, delete,
//              exists, get-keys() -> result<list<string>, error> }
//              variant error { store-table-full, no-such-store, access-denied, other(string) }
//   variables: get(name) -> result<string, error>
//              variant error { invalid-name(string), undefined(string), provider(string),
//                              other(string) }
#include "serve/wit_host.h"

namespace hull::serve {

namespace {

using hull::wasi::p2::bytes_of;
using hull::wasi::p2::bytes_val;
using hull::wasi::p2::own;
using hull::wasi::p2::string_list;

cm::Val other(const Error& e) { return cm::Val::variant("other", cm::Val::string(e.message)); }

api::Result<void> add_key_value(cm::Linker& linker) {
  WitDefiner d(linker, "fermyon:spin/key-value", kSpinVersion);
  cm::ResourceType store = d.resource("store");
  d.fn("[static]store.open", [store](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    const std::string& label = a[0].as_string();
    Opened o = open_store(c, label);
    if (o.failure != OpenFailure::none) {
      r.push_back(cm::Val::err(open_error(o)));
      return {};
    }
    auto rep = c.table.push(std::make_unique<OpenStore>(label, std::move(o.store)));
    if (!rep) {
      // Spin answers a full table with an error value, not a trap.
      r.push_back(cm::Val::err(cm::Val::variant("store-table-full")));
      return {};
    }
    r.push_back(cm::Val::ok(own(store, *rep)));
    return {};
  });
  d.fn("[method]store.get", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * s, object<OpenStore>(c, a[0], "store"));
    auto v = s->store->get(a[1].as_string());
    if (!v) {
      r.push_back(cm::Val::err(other(v.error())));
    } else {
      r.push_back(cm::Val::ok(*v ? cm::Val::some(bytes_val(**v)) : cm::Val::none()));
    }
    return {};
  });
  d.fn("[method]store.set", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * s, object<OpenStore>(c, a[0], "store"));
    auto v = s->store->set(a[1].as_string(), bytes_of(a[2]));
    r.push_back(v ? cm::Val::ok() : cm::Val::err(other(v.error())));
    return {};
  });
  d.fn("[method]store.delete", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * s, object<OpenStore>(c, a[0], "store"));
    auto v = s->store->remove(a[1].as_string());
    r.push_back(v ? cm::Val::ok() : cm::Val::err(other(v.error())));
    return {};
  });
  d.fn("[method]store.exists", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * s, object<OpenStore>(c, a[0], "store"));
    auto v = s->store->exists(a[1].as_string());
    r.push_back(v ? cm::Val::ok(cm::Val::boolean(*v)) : cm::Val::err(other(v.error())));
    return {};
  });
  d.fn("[method]store.get-keys", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * s, object<OpenStore>(c, a[0], "store"));
    // Spin's get-keys answers every key at once: page through the backend.
    std::vector<std::string> keys;
    std::optional<std::string> cursor;
    for (;;) {
      auto page = s->store->list_keys(cursor, 1000);
      if (!page) {
        r.push_back(cm::Val::err(other(page.error())));
        return {};
      }
      keys.insert(keys.end(), page->keys.begin(), page->keys.end());
      if (!page->cursor) break;
      cursor = std::move(page->cursor);
    }
    r.push_back(cm::Val::ok(string_list(keys)));
    return {};
  });
  return d.status();
}

api::Result<void> add_variables(cm::Linker& linker) {
  WitDefiner d(linker, "fermyon:spin/variables", kSpinVersion);
  d.fn("get", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    const std::string& name = a[0].as_string();
    VariableValue v = c.config.variables ? c.config.variables(name)
                                         : VariableValue{VariableValue::Status::undefined,
                                                         "no variable '" + name + "'"};
    using S = VariableValue::Status;
    switch (v.status) {
      case S::ok: r.push_back(cm::Val::ok(cm::Val::string(std::move(v.text)))); break;
      case S::invalid_name:
        r.push_back(cm::Val::err(cm::Val::variant("invalid-name", cm::Val::string(v.text))));
        break;
      case S::undefined:
        r.push_back(cm::Val::err(cm::Val::variant("undefined", cm::Val::string(v.text))));
        break;
      case S::provider_error:
        r.push_back(cm::Val::err(cm::Val::variant("provider", cm::Val::string(v.text))));
        break;
    }
    return {};
  });
  return d.status();
}

}  // namespace

api::Result<void> add_spin(cm::Linker& linker) {
  if (auto s = add_key_value(linker); !s) return s;
  return add_variables(linker);
}

}  // namespace hull::serve
