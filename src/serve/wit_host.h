// The serve interfaces' shared pieces (internal): the per-store context and a definer of host
// functions and resources at an interface's own package version, in the shape of the WASI 0.2
// host's Definer (src/wasi/p2/host.h).
#pragma once

#include <memory>
#include <set>
#include <string>

#include "serve/wit.h"
#include "wasi/core/resource_table.h"
#include "wasi/p2/host.h"

namespace hull::serve {

namespace api = hull::api;
namespace cm = hull::api::component;
using hull::wasi::p2::Args;
using hull::wasi::p2::Results;

// One store's serve state.
struct ServeCtx {
  ServeConfig config;
  std::set<std::string, std::less<>> allowed;  // config.key_value_stores
  hull::wasi::ResourceTable table;             // buckets, cas handles, Spin stores
};

ServeCtx* serve_ctx_of(const api::Store& store);

class WitDefiner {
 public:
  using Impl = std::function<api::Result<void>(ServeCtx&, Args, Results&)>;
  // `interface` is "wasi:keyvalue/store", `version` "0.2.0-draft2".
  WitDefiner(cm::Linker& linker, std::string_view interface, std::string_view version);
  void fn(std::string_view name, Impl impl);
  cm::ResourceType resource(std::string_view name);
  void uses(std::string_view name, cm::ResourceType type);
  api::Result<void> status() const { return status_; }

 private:
  cm::Linker& linker_;
  std::string path_;
  api::Result<void> status_;
};

// The object behind a handle: a trap when it is gone or of another kind.
template <class T>
api::Result<T*> object(ServeCtx& c, const cm::Val& handle, const char* what) {
  T* o = c.table.get<T>(hull::wasi::p2::rep_of(handle));
  if (!o) return hull::wasi::p2::trap(std::string("unknown ") + what + " handle");
  return o;
}
api::Result<uint32_t> push(ServeCtx& c, std::unique_ptr<hull::wasi::HostObject> object);

// A store the guest opened (a wasi:keyvalue bucket or a Spin store).
class OpenStore : public hull::wasi::HostObject {
 public:
  OpenStore(std::string label, std::shared_ptr<kv::KeyValueStore> store)
      : label(std::move(label)), store(std::move(store)) {}
  std::string label;
  std::shared_ptr<kv::KeyValueStore> store;
};

// Why opening a store failed, as both interfaces' error variants name it.
enum class OpenFailure : uint8_t { none, access_denied, no_such_store, other };
struct Opened {
  OpenFailure failure = OpenFailure::none;
  std::string message;
  std::shared_ptr<kv::KeyValueStore> store;
};
Opened open_store(ServeCtx& c, std::string_view label);
// A failed open as both interfaces' error variants spell it (access-denied, no-such-store,
// other(message)).
cm::Val open_error(const Opened& o);

// The interfaces (one file each).
api::Result<void> add_wasi_keyvalue(cm::Linker& linker);
api::Result<void> add_spin(cm::Linker& linker);

}  // namespace hull::serve
