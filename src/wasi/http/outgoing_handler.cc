// wasi:http/outgoing-handler: a guest's request, checked and started by the client; and
// add_http, which defines both wasi:http interfaces for hull::api::wasi::add_to_linker.
#include "wasi/http/bindings.h"
#include "wasi/http/objects.h"

namespace hull::wasi::http {

namespace {

// Failures that mean the request itself cannot be made: handle() answers them at once; the
// others (name resolution, connecting) arrive through the future, as the WIT separates them.
bool is_request_error(const ErrorCode& e) {
  switch (e.kind) {
    case ErrorCase::http_request_denied:
    case ErrorCase::http_request_uri_invalid:
    case ErrorCase::http_request_method_invalid:
    case ErrorCase::http_protocol_error:
    case ErrorCase::internal_error: return true;
    default: return false;
  }
}

}  // namespace

api::Result<void> add_outgoing_handler(cm::Linker& linker, const p2::Types& types) {
  p2::Definer d(linker, "wasi:http/outgoing-handler");
  d.uses("outgoing-request", types->outgoing_request);
  d.uses("request-options", types->request_options);
  d.uses("future-incoming-response", types->future_incoming_response);
  d.fn("handle", [types](Ctx& c, Args a, Results& r) -> api::Result<void> {
    ResourceTable::Removed why;
    std::unique_ptr<HostObject> taken = c.table.take(p2::rep_of(a[0]), &why);
    auto* request = dynamic_cast<OutgoingRequest*>(taken.get());
    if (!request) return p2::trap("unknown outgoing-request handle");
    ClientRequest req;
    if (a[1].is_some()) {
      std::unique_ptr<HostObject> o = c.table.take(p2::rep_of(*a[1].payload()), &why);
      auto* options = dynamic_cast<RequestOptions*>(o.get());
      if (!options) return p2::trap("unknown request-options handle");
      req.connect_timeout_ns = options->connect_timeout;
      req.first_byte_timeout_ns = options->first_byte_timeout;
      req.between_bytes_timeout_ns = options->between_bytes_timeout;
    }
    if (!request->authority) {
      r.push_back(cm::Val::err(error_code_val(ErrorCode::of(ErrorCase::http_request_uri_invalid))));
      return {};
    }
    req.method = request->method;
    req.scheme = request->scheme.value_or("http");
    req.authority = *request->authority;
    req.path_with_query = request->path_with_query.value_or("/");
    req.headers = request->headers;
    req.body = request->body;
    auto sent = send_request(std::move(req), c.config.allowed_outbound_hosts);
    if (auto* e = std::get_if<ErrorCode>(&sent); e && is_request_error(*e)) {
      r.push_back(cm::Val::err(error_code_val(*e)));
      return {};
    }
    auto rep = p2::push(c, std::make_unique<FutureIncomingResponse>(std::move(sent)));
    if (!rep) return std::move(rep).error();
    r.push_back(cm::Val::ok(p2::own(types->future_incoming_response, *rep)));
    return {};
  });
  return d.status();
}

}  // namespace hull::wasi::http

namespace hull::wasi::p2 {

api::Result<void> add_http(cm::Linker& linker, const Types& types) {
  if (auto r = http::add_http_types(linker, types); !r) return r;
  if (auto r = http::add_outgoing_handler(linker, types); !r) return r;
  http::register_types(types);
  return {};
}

}  // namespace hull::wasi::p2
