// The outgoing side of wasi:http: an HTTP/1.1 client over non-blocking sockets that the
// store's reactor waits on. A request is checked against the store's allowed outbound hosts
// (deny by default), its authority resolved, its connection started; the response head is
// parsed (Boost.Beast's parser) as bytes arrive and the body then streams. One connection per
// request; https is not supported yet (error-code internal-error says so).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "wasi/http/body.h"

namespace hull::wasi::http {

struct ClientRequest {
  std::string method = "GET";
  std::string scheme = "http";
  std::string authority;  // host[:port]
  std::string path_with_query = "/";
  FieldEntries headers;
  std::shared_ptr<OutgoingBodyPipe> body;  // null: the request has no body
  std::optional<uint64_t> connect_timeout_ns, first_byte_timeout_ns, between_bytes_timeout_ns;
};

struct ResponseHead {
  uint16_t status = 0;
  FieldEntries headers;
  std::shared_ptr<IncomingBodySource> body;
};

// A response on its way.
class PendingResponse {
 public:
  virtual ~PendingResponse() = default;
  // The head once it arrived (or the error that ended the exchange); nullopt before.
  virtual std::optional<std::variant<ResponseHead, ErrorCode>> poll() = 0;
  virtual Readiness readiness() = 0;
};

// Whether `allowed` (Spin's allowed_outbound_hosts syntax: "http://127.0.0.1:8080",
// "http://*.example.com", "*://localhost:*"; no port means the scheme's default) lets a request
// reach `host`:`port` over `scheme`.
bool outbound_allowed(const std::vector<std::string>& allowed, std::string_view scheme,
                      std::string_view host, uint16_t port);

// Splits an authority into host (brackets of an IPv6 literal removed) and port (the scheme's
// default when absent); nullopt when it is malformed.
std::optional<std::pair<std::string, uint16_t>> split_authority(std::string_view authority,
                                                                uint16_t default_port);

// Starts `request`: the error-code when it cannot be sent at all (denied, invalid, TLS, name
// not resolvable, no socket), else the response to wait for. Name resolution blocks.
std::variant<std::shared_ptr<PendingResponse>, ErrorCode> send_request(
    ClientRequest request, const std::vector<std::string>& allowed_hosts);

}  // namespace hull::wasi::http
