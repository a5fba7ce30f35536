// The WASI 0.2 host's shared pieces: the per-store context (the objects a guest holds, the
// reactor, its configuration) and the helpers each interface file uses to define functions
// on a component Linker and to convert between component values and the WASI core.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hull/component.hh"
#include "hull/component_typed.hh"
#include "hull/wasi.hh"
#include "wasi/core/descriptor.h"
#include "wasi/core/reactor.h"
#include "wasi/core/resource_table.h"
#include "wasi/core/streams.h"

namespace hull::wasi::p2 {

namespace api = hull::api;
namespace cm = hull::api::component;
using Args = std::span<const cm::Val>;
using Results = std::vector<cm::Val>;

// The version every interface is defined at; imports of earlier 0.2.x versions bind to it.
inline constexpr std::string_view kVersion = "0.2.12";

// The linker's resource types (their identities are shared by every store).
struct ResourceTypes {
  cm::ResourceType error, pollable, input_stream, output_stream;
  cm::ResourceType descriptor, directory_entry_stream;
  cm::ResourceType terminal_input, terminal_output;
  cm::ResourceType network, tcp_socket, udp_socket, incoming_datagram_stream,
      outgoing_datagram_stream, resolve_address_stream;
  // wasi:http/types (src/wasi/http).
  cm::ResourceType fields, incoming_request, outgoing_request, request_options, response_outparam,
      incoming_response, incoming_body, future_trailers, outgoing_response, outgoing_body,
      future_incoming_response;
};

// A wasi:io/error: what the last stream operation failed with.
class IoError : public HostObject {
 public:
  IoError(Errno code, std::string message) : code(code), message(std::move(message)) {}
  Errno code;
  std::string message;
};

// A wasi:io/poll pollable: asks its source (a stream, a socket, a timer) what to wait for.
class Pollable : public HostObject {
 public:
  explicit Pollable(std::function<Readiness()> source) : source_(std::move(source)) {}
  Readiness readiness() const { return source_(); }

 private:
  std::function<Readiness()> source_;
};

class TerminalHandle : public HostObject {};

// One store's WASI state.
struct Ctx {
  api::wasi::Config config;
  ResourceTable table;
  Reactor reactor;
  struct PreopenDir {
    std::shared_ptr<HostFd> fd;
    uint32_t flags = 0;
    std::string guest_path;
  };
  std::vector<PreopenDir> preopens;
  std::optional<int> exit_status;
  // wasi:random/insecure and insecure-seed, seeded from the host's randomness at first use
  // (most instances never ask, and a request-serving store should not pay a getrandom call).
  bool insecure_seeded = false;
  uint64_t insecure_state[2] = {0, 0};  // xoshiro128++-style state for wasi:random/insecure
  uint64_t insecure_seed[2] = {0, 0};
  bool trace = false;  // HULL_WASI_TRACE=1: every call and its result on stderr
};

Ctx* ctx_of(const api::Store& store);

// A trap raised by a host function (the guest broke an interface contract).
api::Error trap(std::string message);

// HULL_WASI_TRACE's line for one call: "[wasi] what(args) -> outcome" on stderr.
std::string describe(const cm::Val& v);
void trace_call(const std::string& what, std::span<const cm::Val> args, const std::string& outcome);
api::Error no_wasi_state(const std::string& what);

namespace detail {
// A typed WASI function (Definer::typed) as the store-taking callable typed_host wraps: finds
// the store's Ctx, traces the call when asked, runs `impl`.
template <class F, class R, class Params>
struct CtxHost;
template <class F, class R, class... A>
struct CtxHost<F, R, std::tuple<Ctx, A...>> {
  static_assert(api::detail::IsResult<R>::value, "a typed WASI function returns api::Result");
  using Out = typename api::detail::IsResult<R>::Inner;
  F impl;
  std::shared_ptr<const std::string> what;
  R operator()(api::Store& store, A... a) {
    Ctx* c = ctx_of(store);
    if (!c) return no_wasi_state(*what);
    if (!c->trace) [[likely]]
      return impl(*c, std::move(a)...);
    const cm::Val args[] = {cm::Wit<A>::to_val(a)..., cm::Val()};
    R r = impl(*c, std::move(a)...);
    std::string outcome;
    if (!r) {
      outcome = " -> trap: " + r.error().message;
    } else if constexpr (!std::is_void_v<Out>) {
      outcome = " -> " + describe(cm::Wit<Out>::to_val(*r));
    }
    trace_call(*what, std::span<const cm::Val>(args, sizeof...(A)), outcome);
    return r;
  }
};
}  // namespace detail

// Defines the functions of one interface ("wasi:io/streams") at kVersion.
class Definer {
 public:
  using Impl = std::function<api::Result<void>(Ctx&, Args, Results&)>;
  Definer(cm::Linker& linker, std::string_view package_iface);
  // A function of the interface: "read", "[method]input-stream.read", ...
  void fn(std::string_view name, Impl impl);
  // The same on the typed path (hull/component_typed.hh): `impl` takes Ctx& and then the
  // function's parameters as Wit<T> types (handles as ResourceAny) and returns api::Result of
  // its result. A guest whose import has that type passes its core values straight to it: no
  // Val trees are built (what hull serve's per-request host calls spend most on otherwise).
  template <class F>
  void typed(std::string_view name, F impl) {
    using Sig = cm::detail::Signature<F>;
    using Host = detail::CtxHost<F, typename Sig::Ret, typename Sig::Args>;
    if (!status_) return;
    auto what = std::make_shared<const std::string>(path_ + "#" + std::string(name));
    status_ = linker_.func(*what, cm::typed_host(Host{std::move(impl), what}));
  }
  // A resource of the interface whose objects live in the store's table.
  cm::ResourceType resource(std::string_view name);
  // A resource another interface defined, under this interface's name for it (`use`).
  void uses(std::string_view name, cm::ResourceType type);
  const std::string& path() const { return path_; }
  api::Result<void> status() const { return status_; }

 private:
  cm::Linker& linker_;
  std::string path_;
  api::Result<void> status_;
};

// ---- value helpers ----
cm::Val own(cm::ResourceType type, uint32_t rep);
inline uint32_t rep_of(const cm::Val& v) { return v.as_resource().rep; }

// Adds `object` to the table (a child of `parent` when given); a full table is a trap.
api::Result<uint32_t> push(Ctx& c, std::unique_ptr<HostObject> object,
                           std::optional<uint32_t> parent = std::nullopt);
// The object behind a handle the guest passed (borrow or own): a trap when it is gone or of
// another kind — the component model guarantees neither for host resources we defined.
template <class T>
api::Result<T*> get(Ctx& c, uint32_t rep, const char* what) {
  T* o = c.table.get<T>(rep);
  if (!o) return trap(std::string("unknown ") + what + " handle");
  return o;
}
template <class T>
api::Result<T*> get(Ctx& c, const cm::Val& handle, const char* what) {
  return get<T>(c, rep_of(handle), what);
}
template <class T>
api::Result<T*> get(Ctx& c, const cm::ResourceAny& handle, const char* what) {
  return get<T>(c, handle.rep, what);
}
// An owned handle to return from a typed function.
inline cm::ResourceAny own_handle(cm::ResourceType type, uint32_t rep) {
  return cm::ResourceAny{type.id, rep, true};
}

cm::Val bytes_val(std::string_view bytes);
// The bytes of a list<u8> value.
std::string bytes_of(const cm::Val& list);
cm::Val string_list(const std::vector<std::string>& items);

// The stream-error variant for a failed stream status (pushes a wasi:io/error object), or a
// trap for a contract violation. Only for statuses that are not ok.
api::Result<cm::Val> stream_error(Ctx& c, const ResourceTypes& t, StreamStatus status);
// result<T, stream-error> from a status and (when ok) a payload.
api::Result<void> stream_result(Ctx& c, const ResourceTypes& t, StreamStatus status,
                                std::optional<cm::Val> ok, Results& r);

// wasi:io/streams stream-error for typed functions (Definer::typed).
struct StreamError {
  struct LastOperationFailed {
    cm::ResourceAny value;  // own<error>
  };
  struct Closed {};
  std::variant<LastOperationFailed, Closed> value;
};
// result<_, stream-error> and result<T, stream-error> on the typed path.
using StreamResult = cm::WitResult<void, StreamError>;
// The stream-error for a failed status (pushes a wasi:io/error object), or a trap for a
// contract violation. Only for statuses that are not ok.
api::Result<StreamError> typed_stream_error(Ctx& c, const ResourceTypes& t, StreamStatus status);
api::Result<StreamResult> typed_stream_result(Ctx& c, const ResourceTypes& t, StreamStatus status);
template <class T>
api::Result<cm::WitResult<T, StreamError>> typed_stream_result(Ctx& c, const ResourceTypes& t,
                                                               StreamStatus status, T ok) {
  using R = cm::WitResult<T, StreamError>;
  if (status.ok()) return R::ok(std::move(ok));
  auto e = typed_stream_error(c, t, std::move(status));
  if (!e) return std::move(e).error();
  return R::err(std::move(*e));
}

// Waits until `r` is ready.
api::Result<void> block_on(Ctx& c, const Readiness& r);

// The interfaces (one file each). Function closures share `types` (filled in as the
// interfaces defining each resource are added, before those that use them).
using Types = std::shared_ptr<ResourceTypes>;
api::Result<void> add_io(cm::Linker& linker, const Types& types);
api::Result<void> add_cli(cm::Linker& linker, const Types& types);
api::Result<void> add_clocks_random(cm::Linker& linker, const Types& types);
api::Result<void> add_filesystem(cm::Linker& linker, const Types& types);
api::Result<void> add_sockets(cm::Linker& linker, const Types& types);
// wasi:http/types and wasi:http/outgoing-handler (the hull_wasi_http library).
api::Result<void> add_http(cm::Linker& linker, const Types& types);

}  // namespace hull::wasi::p2

template <>
struct hull::api::component::Wit<hull::wasi::p2::StreamError>
    : hull::api::component::detail::WitVariant<hull::wasi::p2::StreamError> {
  static constexpr std::array<std::string_view, 2> case_names{"last-operation-failed", "closed"};
};
