// wasi:http for embedders: hands an HTTP request to a component's
// wasi:http/incoming-handler#handle and returns the response the guest set through its
// response-outparam (what `hull serve` does per request). The store needs WASI state
// (hull::api::wasi::attach) and the component must have been linked by a Linker given
// hull::api::wasi::add_to_linker, which defines wasi:http/types.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hull/component.hh"
#include "hull/component_typed.hh"

namespace hull::api::wasi::http {

// Header or trailer fields, names in the casing sent, in order (a name may repeat).
using FieldList = std::vector<std::pair<std::string, std::string>>;

// A request body streamed to the guest as it reads.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Appends up to `max` further bytes to *out, waiting for some if need be; false once the
  // body has ended (nothing appended). An error reaches the guest as a failed stream read.
  virtual Result<bool> read(size_t max, std::string* out) = 0;
  // The body's trailers, asked once read() has returned false (Request::trailers, when set,
  // wins): e.g. the trailer fields of a chunked HTTP/1.1 body.
  virtual std::optional<FieldList> trailers() { return std::nullopt; }
};

// A response streamed out as the guest produces it. For one response, handle() calls start()
// once, before the first write() (or, for a body the guest never wrote, when it returns), then
// write() per chunk the guest wrote (never all of the body at once: what the guest buffers is
// bounded), then finish() once the guest has finished the body (outgoing-body.finish, or the
// declared content-length reached). A guest that traps or breaks the body after start() leaves
// the response without finish(): the embedder must not complete it (an HTTP server cuts the
// connection). finish() may come before the guest returns; a trap after it does not undo it.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The status and headers the guest set. An error fails the guest's first write.
  virtual Result<void> start(uint16_t status, const FieldList& headers) {
    (void)status;
    (void)headers;
    return {};
  }
  // An error fails the guest's write (its stream reports the failure).
  virtual Result<void> write(std::string_view bytes) = 0;
  // The body is complete (with the guest's trailers, if it gave any). An error fails handle().
  virtual Result<void> finish(const std::optional<FieldList>& trailers) {
    (void)trailers;
    return {};
  }
};

struct Request {
  std::string method = "GET";  // "GET", "POST", ... or any other token
  std::string scheme = "http";
  std::string authority;  // host[:port]
  std::string path_with_query = "/";
  FieldList headers;
  std::string body;                         // the body, unless body_source is set
  std::shared_ptr<BodySource> body_source;  // streamed instead of `body`
  std::optional<FieldList> trailers;
};

struct Response {
  uint16_t status = 200;
  FieldList headers;
  std::string body;  // the whole body, unless a BodySink received it
  std::optional<FieldList> trailers;
};

// An instance's wasi:http/incoming-handler#handle (any 0.2.x), found by name and checked
// against its type once: a server that keeps an instance for many requests (hull serve's
// instance reuse) calls through it instead of looking the export up on every request. Valid
// as long as the instance is. Usage error when the instance exports no such handler.
class Handler {
 public:
  static Result<Handler> of(const component::Instance& instance);
  const component::Func& func() const { return call_.func(); }

 private:
  using Call = component::TypedFunc<void(component::ResourceAny, component::ResourceAny)>;
  explicit Handler(Call call) : call_(std::move(call)) {}
  Call call_;
  friend Result<Response> handle(Store&, const Handler&, Request, std::shared_ptr<BodySink>);
};

// Calls the instance's wasi:http/incoming-handler#handle (any 0.2.x) with `request` and
// returns the response it set. Errors: Usage when the store has no WASI state or the instance
// exports no handler; Trap when the guest trapped; Io when the guest answered with an
// error-code, returned without setting the response-outparam, or left the response body
// unfinished (the message names which) — each a 500 for an HTTP server. With `body_sink`, the
// response goes there as the guest writes it (see BodySink; Response::body stays empty, and a
// successful return means the sink has seen start() and finish()).
Result<Response> handle(Store& store, const component::Instance& instance, Request request,
                        std::shared_ptr<BodySink> body_sink = nullptr);
// The same through a handler found before (Handler::of) in the store's instance.
Result<Response> handle(Store& store, const Handler& handler, Request request,
                        std::shared_ptr<BodySink> body_sink = nullptr);

}  // namespace hull::api::wasi::http
