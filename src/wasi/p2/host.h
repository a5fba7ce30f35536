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
#include <vector>

#include "hull/component.hh"
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

// Defines the functions of one interface ("wasi:io/streams") at kVersion.
class Definer {
 public:
  using Impl = std::function<api::Result<void>(Ctx&, Args, Results&)>;
  Definer(cm::Linker& linker, std::string_view package_iface);
  // A function of the interface: "read", "[method]input-stream.read", ...
  void fn(std::string_view name, Impl impl);
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
api::Result<T*> get(Ctx& c, const cm::Val& handle, const char* what) {
  T* o = c.table.get<T>(rep_of(handle));
  if (!o) return trap(std::string("unknown ") + what + " handle");
  return o;
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
