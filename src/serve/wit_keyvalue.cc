// wasi:keyvalue@0.2.0-draft2 (store, atomics, batch) over the key-value backends. WIT (from
// WebAssembly/wasi-keyvalue, wit/):
//   store:   variant error { no-such-store, access-denied, other(string) }
//            record key-response { keys: list<string>, cursor: option<string> }
//            open(identifier) -> result<bucket, error>
//            resource bucket { get, set, delete, exists, list-keys(cursor: option<string>) }
//   atomics: resource cas { [static] new(bucket, key), current() }
//            increment(bucket, key, delta: s64) -> result<s64, error>
//            swap(cas, value) -> result<_, cas-error>
//            variant cas-error { store-error(error), cas-failed(cas) }
//   batch:   get-many, set-many, delete-many
// A backend failure is `other` with the backend's message (it names the store and what to check).
#include "serve/wit_host.h"

namespace hull::serve {

namespace {

using hull::wasi::p2::bytes_of;
using hull::wasi::p2::bytes_val;
using hull::wasi::p2::own;
using hull::wasi::p2::string_list;

// A page of list-keys: enough for a guest to make progress, small enough to lower at once.
constexpr size_t kListPage = 1000;

// A compare-and-swap handle: the key and the value it saw when created (or refreshed).
class Cas : public hull::wasi::HostObject {
 public:
  Cas(std::shared_ptr<kv::KeyValueStore> store, std::string key, std::optional<std::string> seen)
      : store(std::move(store)), key(std::move(key)), seen(std::move(seen)) {}
  std::shared_ptr<kv::KeyValueStore> store;
  std::string key;
  std::optional<std::string> seen;
};

cm::Val other(const Error& e) { return cm::Val::variant("other", cm::Val::string(e.message)); }

// result<T, error> from a backend result, `ok` turning its value into T.
template <class T, class F>
void answer(Results& r, const Result<T>& v, F ok) {
  if (v) {
    r.push_back(cm::Val::ok(ok(*v)));
  } else {
    r.push_back(cm::Val::err(other(v.error())));
  }
}
void answer_void(Results& r, const Result<void>& v) {
  r.push_back(v ? cm::Val::ok() : cm::Val::err(other(v.error())));
}

cm::Val optional_bytes(const std::optional<std::string>& v) {
  return v ? cm::Val::some(bytes_val(*v)) : cm::Val::none();
}

std::vector<std::string> string_items(const cm::Val& list) {
  std::vector<std::string> out;
  out.reserve(list.items().size());
  for (const cm::Val& v : list.items()) out.push_back(v.as_string());
  return out;
}

api::Result<void> add_store(cm::Linker& linker, cm::ResourceType* bucket_out) {
  WitDefiner d(linker, "wasi:keyvalue/store", kWasiKeyValueVersion);
  cm::ResourceType bucket = d.resource("bucket");
  *bucket_out = bucket;
  d.fn("open", [bucket](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    const std::string& label = a[0].as_string();
    Opened o = open_store(c, label);
    if (o.failure != OpenFailure::none) {
      r.push_back(cm::Val::err(open_error(o)));
      return {};
    }
    HULL_ASSIGN_OR_RETURN(uint32_t rep,
                          push(c, std::make_unique<OpenStore>(label, std::move(o.store))));
    r.push_back(cm::Val::ok(own(bucket, rep)));
    return {};
  });
  d.fn("[method]bucket.get", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    answer(r, b->store->get(a[1].as_string()), optional_bytes);
    return {};
  });
  d.fn("[method]bucket.set", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    answer_void(r, b->store->set(a[1].as_string(), bytes_of(a[2])));
    return {};
  });
  d.fn("[method]bucket.delete", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    answer_void(r, b->store->remove(a[1].as_string()));
    return {};
  });
  d.fn("[method]bucket.exists", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    answer(r, b->store->exists(a[1].as_string()), [](bool v) { return cm::Val::boolean(v); });
    return {};
  });
  d.fn("[method]bucket.list-keys", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    std::optional<std::string_view> cursor;
    if (a[1].is_some()) cursor = a[1].payload()->as_string();
    answer(r, b->store->list_keys(cursor, kListPage), [](const kv::KeyPage& p) {
      return cm::Val::record(
          {{"keys", string_list(p.keys)},
           {"cursor", p.cursor ? cm::Val::some(cm::Val::string(*p.cursor)) : cm::Val::none()}});
    });
    return {};
  });
  return d.status();
}

api::Result<void> add_atomics(cm::Linker& linker, cm::ResourceType bucket) {
  WitDefiner d(linker, "wasi:keyvalue/atomics", kWasiKeyValueVersion);
  d.uses("bucket", bucket);
  cm::ResourceType cas = d.resource("cas");
  d.fn("[static]cas.new", [cas](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    const std::string& key = a[1].as_string();
    auto seen = b->store->get(key);
    if (!seen) {
      r.push_back(cm::Val::err(other(seen.error())));
      return {};
    }
    HULL_ASSIGN_OR_RETURN(uint32_t rep, push(c, std::make_unique<Cas>(b->store, key, *seen)));
    r.push_back(cm::Val::ok(own(cas, rep)));
    return {};
  });
  d.fn("[method]cas.current", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(Cas * h, object<Cas>(c, a[0], "cas"));
    r.push_back(cm::Val::ok(optional_bytes(h->seen)));
    return {};
  });
  d.fn("increment", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    answer(r, b->store->increment(a[1].as_string(), a[2].as_s64()),
           [](int64_t v) { return cm::Val::s64(v); });
    return {};
  });
  d.fn("swap", [cas](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    // swap takes the cas handle (own): the host now owns the object and ends it here.
    hull::wasi::ResourceTable::Removed why;
    std::unique_ptr<hull::wasi::HostObject> taken = c.table.take(a[0].as_resource().rep, &why);
    auto* h = dynamic_cast<Cas*>(taken.get());
    if (!h) return hull::wasi::p2::trap("unknown cas handle");
    auto swapped = h->store->compare_and_swap(h->key, h->seen, bytes_of(a[1]));
    if (!swapped) {
      r.push_back(cm::Val::err(cm::Val::variant("store-error", other(swapped.error()))));
      return {};
    }
    if (*swapped) {
      r.push_back(cm::Val::ok());
      return {};
    }
    // Lost the race: hand the cas back refreshed with the current value, so the guest can
    // retry from what is there now.
    auto now = h->store->get(h->key);
    if (!now) {
      r.push_back(cm::Val::err(cm::Val::variant("store-error", other(now.error()))));
      return {};
    }
    h->seen = std::move(*now);
    HULL_ASSIGN_OR_RETURN(uint32_t rep, push(c, std::move(taken)));
    r.push_back(cm::Val::err(cm::Val::variant("cas-failed", own(cas, rep))));
    return {};
  });
  return d.status();
}

api::Result<void> add_batch(cm::Linker& linker, cm::ResourceType bucket) {
  WitDefiner d(linker, "wasi:keyvalue/batch", kWasiKeyValueVersion);
  d.uses("bucket", bucket);
  d.fn("get-many", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    std::vector<std::string> keys = string_items(a[1]);
    answer(r, b->store->get_many(keys), [&](const std::vector<std::optional<std::string>>& vs) {
      std::vector<cm::Val> out;
      out.reserve(vs.size());
      for (size_t i = 0; i < vs.size(); ++i) {
        out.push_back(
            vs[i] ? cm::Val::some(cm::Val::tuple({cm::Val::string(keys[i]), bytes_val(*vs[i])}))
                  : cm::Val::none());
      }
      return cm::Val::list(std::move(out));
    });
    return {};
  });
  d.fn("set-many", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    std::vector<kv::KeyValue> entries;
    entries.reserve(a[1].items().size());
    for (const cm::Val& t : a[1].items()) {
      entries.emplace_back(t.items()[0].as_string(), bytes_of(t.items()[1]));
    }
    answer_void(r, b->store->set_many(entries));
    return {};
  });
  d.fn("delete-many", [](ServeCtx& c, Args a, Results& r) -> api::Result<void> {
    HULL_ASSIGN_OR_RETURN(OpenStore * b, object<OpenStore>(c, a[0], "bucket"));
    answer_void(r, b->store->delete_many(string_items(a[1])));
    return {};
  });
  return d.status();
}

}  // namespace

api::Result<void> add_wasi_keyvalue(cm::Linker& linker) {
  cm::ResourceType bucket;
  if (auto s = add_store(linker, &bucket); !s) return s;
  if (auto s = add_atomics(linker, bucket); !s) return s;
  return add_batch(linker, bucket);
}

}  // namespace hull::serve
