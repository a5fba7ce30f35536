// The WASI 0.2 host's entry points (hull/wasi.hh) and the helpers every interface uses.
#include "wasi/p2/host.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace hull::wasi::p2 {

namespace {
// The address that keys the WASI context among a store's slots.
const char kSlotKey = 0;
}  // namespace

// A short rendering of a value for HULL_WASI_TRACE (long lists are elided).
std::string describe(const cm::Val& v) {
  switch (v.kind()) {
    case cm::TypeKind::String: return "\"" + v.as_string().substr(0, 60) + "\"";
    case cm::TypeKind::List: return "list[" + std::to_string(v.items().size()) + "]";
    case cm::TypeKind::Own:
    case cm::TypeKind::Borrow: return "#" + std::to_string(v.as_resource().rep);
    case cm::TypeKind::Variant:
    case cm::TypeKind::Enum:
      return v.case_name() + (v.payload() ? "(" + describe(*v.payload()) + ")" : "");
    case cm::TypeKind::Result:
      return std::string(v.is_ok() ? "ok" : "err") +
             (v.payload() ? "(" + describe(*v.payload()) + ")" : "");
    case cm::TypeKind::Option: return v.is_some() ? "some(" + describe(*v.payload()) + ")" : "none";
    case cm::TypeKind::Flags: {
      std::string s = "{";
      for (const auto& n : v.names()) s += (s.size() > 1 ? "," : "") + n;
      return s + "}";
    }
    case cm::TypeKind::Record:
    case cm::TypeKind::Tuple: {
      std::string s = "(";
      for (size_t i = 0; i < v.items().size(); ++i) s += (i ? ", " : "") + describe(v.items()[i]);
      return s + ")";
    }
    case cm::TypeKind::Bool: return v.as_bool() ? "true" : "false";
    default: return std::to_string(v.as_u64());
  }
}

void trace_call(const std::string& what, std::span<const cm::Val> args,
                const std::string& outcome) {
  std::string line = what + "(";
  for (size_t i = 0; i < args.size(); ++i) line += (i ? ", " : "") + describe(args[i]);
  line += ")" + outcome;
  std::fprintf(stderr, "[wasi] %s\n", line.c_str());
}

api::Error no_wasi_state(const std::string& what) {
  return api::Error(api::ErrorKind::Usage,
                    what + ": this store has no WASI state (call hull::api::wasi::attach)");
}

Ctx* ctx_of(const api::Store& store) { return static_cast<Ctx*>(store.slot(&kSlotKey)); }

api::Error trap(std::string message) { return api::Error(api::Trap::host(std::move(message))); }

Definer::Definer(cm::Linker& linker, std::string_view package_iface)
    : linker_(linker), path_(std::string(package_iface) + "@" + std::string(kVersion)) {}

void Definer::fn(std::string_view name, Impl impl) {
  if (!status_) return;
  std::string what = path_ + "#" + std::string(name);
  status_ = linker_.func(what,
                         [impl = std::move(impl), what](api::Store& store, Args args,
                                                        Results& results) -> api::Result<void> {
                           Ctx* c = ctx_of(store);
                           if (!c) return no_wasi_state(what);
                           if (!c->trace) return impl(*c, args, results);
                           auto r = impl(*c, args, results);
                           std::string outcome;
                           if (!r) {
                             outcome = " -> trap: " + r.error().message;
                           } else if (!results.empty()) {
                             outcome = " -> " + describe(results[0]);
                           }
                           trace_call(what, args, outcome);
                           return r;
                         });
}

cm::ResourceType Definer::resource(std::string_view name) {
  std::string what = path_ + "#" + std::string(name);
  auto t = linker_.resource(what, [what](api::Store& store, uint32_t rep) -> api::Result<void> {
    Ctx* c = ctx_of(store);
    if (!c) return {};
    switch (c->table.remove(rep)) {
      case ResourceTable::Removed::ok: return {};
      case ResourceTable::Removed::missing: return trap("unknown " + what + " handle dropped");
      case ResourceTable::Removed::has_children:
        return trap("resource " + what + " dropped while something derived from it lives");
    }
    return {};
  });
  if (!t) {
    if (status_) status_ = std::move(t).error();
    return {};
  }
  return *t;
}

void Definer::uses(std::string_view name, cm::ResourceType type) {
  if (!status_) return;
  status_ = linker_.resource(path_ + "#" + std::string(name), type);
}

cm::Val own(cm::ResourceType type, uint32_t rep) {
  return cm::Val::resource(cm::ResourceAny{type.id, rep, true});
}

api::Result<uint32_t> push(Ctx& c, std::unique_ptr<HostObject> object,
                           std::optional<uint32_t> parent) {
  auto rep = c.table.push(std::move(object), parent);
  if (!rep) return trap("WASI resource table is full");
  return *rep;
}

cm::Val bytes_val(std::string_view bytes) { return cm::Val::bytes(std::string(bytes)); }

std::string bytes_of(const cm::Val& list) {
  if (list.is_bytes()) return list.bytes();
  std::string out;
  out.reserve(list.items().size());
  for (const cm::Val& v : list.items()) out.push_back(static_cast<char>(v.as_u64()));
  return out;
}

cm::Val string_list(const std::vector<std::string>& items) {
  std::vector<cm::Val> out;
  out.reserve(items.size());
  for (const auto& s : items) out.push_back(cm::Val::string(s));
  return cm::Val::list(std::move(out));
}

api::Result<cm::Val> stream_error(Ctx& c, const ResourceTypes& t, StreamStatus status) {
  auto e = typed_stream_error(c, t, std::move(status));
  if (!e) return std::move(e).error();
  return cm::Wit<StreamError>::to_val(*e);
}

api::Result<void> stream_result(Ctx& c, const ResourceTypes& t, StreamStatus status,
                                std::optional<cm::Val> ok, Results& r) {
  if (status.ok()) {
    r.push_back(cm::Val::ok(std::move(ok)));
    return {};
  }
  auto e = stream_error(c, t, std::move(status));
  if (!e) return std::move(e).error();
  r.push_back(cm::Val::err(std::move(*e)));
  return {};
}

api::Result<StreamError> typed_stream_error(Ctx& c, const ResourceTypes& t, StreamStatus status) {
  switch (status.kind) {
    case StreamStatus::Kind::ok:
    case StreamStatus::Kind::closed: return StreamError{StreamError::Closed{}};
    case StreamStatus::Kind::trap: return trap(status.message);
    case StreamStatus::Kind::failed: {
      auto rep = push(c, std::make_unique<IoError>(status.code, status.message));
      if (!rep) return std::move(rep).error();
      return StreamError{StreamError::LastOperationFailed{own_handle(t.error, *rep)}};
    }
  }
  return StreamError{StreamError::Closed{}};
}

api::Result<StreamResult> typed_stream_result(Ctx& c, const ResourceTypes& t, StreamStatus status) {
  if (status.ok()) return StreamResult::ok();
  auto e = typed_stream_error(c, t, std::move(status));
  if (!e) return std::move(e).error();
  return StreamResult::err(std::move(*e));
}

api::Result<void> block_on(Ctx& c, const Readiness& r) {
  std::vector<uint32_t> ready;
  Errno e = c.reactor.wait(std::span<const Readiness>(&r, 1), &ready);
  if (e == Errno::inval) return trap("blocking on something that can never become ready");
  if (e != Errno::success) return trap(std::string("waiting failed: ") + errno_name(e));
  return {};
}

}  // namespace hull::wasi::p2

namespace hull::api::wasi {

using namespace hull::wasi::p2;
namespace core = hull::wasi;

Result<void> add_to_linker(component::Linker& linker) {
  // The types are shared by every function closure; their identities live in the linker.
  auto t = std::make_shared<ResourceTypes>();
  if (auto r = add_io(linker, t); !r) return r;
  if (auto r = add_clocks_random(linker, t); !r) return r;
  if (auto r = add_cli(linker, t); !r) return r;
  if (auto r = add_filesystem(linker, t); !r) return r;
  if (auto r = add_sockets(linker, t); !r) return r;
  if (auto r = add_http(linker, t); !r) return r;
  return {};
}

Result<void> attach(Store& store, const Config& config) {
  auto c = std::make_shared<Ctx>();
  c->config = config;
  // Read once: hull serve attaches a context per request, and getenv walks the environment.
  static const bool trace = [] {
    const char* v = std::getenv("HULL_WASI_TRACE");
    return v && *v && std::string_view(v) != "0";
  }();
  c->trace = trace;
  for (const Preopen& p : config.preopens) {
    std::unique_ptr<core::Descriptor> d;
    core::Errno e = core::open_preopen(p.host_path, p.readonly, &d);
    if (e != core::Errno::success) {
      return Error(ErrorKind::Io,
                   "preopen " + p.host_path + ": " +
                       (e == core::Errno::notdir ? "not a directory" : core::errno_name(e)));
    }
    c->preopens.push_back({d->shared_fd(), d->flags(), p.guest_path});
  }
  store.set_slot(&kSlotKey, std::move(c));
  return {};
}

std::optional<int> exit_status(const Store& store) {
  Ctx* c = ctx_of(store);
  return c ? c->exit_status : std::nullopt;
}

}  // namespace hull::api::wasi
