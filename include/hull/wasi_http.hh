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
};

// A response body streamed out as the guest writes it.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // An error fails the guest's write (its stream reports the failure).
  virtual Result<void> write(std::string_view bytes) = 0;
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

// Calls the instance's wasi:http/incoming-handler#handle (any 0.2.x) with `request` and
// returns the response it set. Errors: Usage when the store has no WASI state or the instance
// exports no handler; Trap when the guest trapped; Io when the guest answered with an
// error-code, returned without setting the response-outparam, or left the response body
// unfinished (the message names which) — each a 500 for an HTTP server. With `body_sink`, the
// response body goes there as the guest writes it (Response::body stays empty).
Result<Response> handle(Store& store, const component::Instance& instance, Request request,
                        std::shared_ptr<BodySink> body_sink = nullptr);

}  // namespace hull::api::wasi::http
