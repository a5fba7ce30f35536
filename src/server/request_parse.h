// Turning bytes from a client into an HttpRequest with the server's limits: the one place the
// front end's request rules live (Session uses the message Beast parsed; the fuzz target feeds
// raw bytes through the same parser configuration).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http_server.h"

namespace hull::server {

// The HttpRequest for a message Beast parsed.
HttpRequest request_from(boost::beast::http::request<boost::beast::http::string_body>&& msg,
                         std::string peer);

// The outcome of parsing one request from `bytes`.
struct ParsedRequest {
  enum class Kind : uint8_t { complete, incomplete, rejected };
  Kind kind = Kind::incomplete;
  uint16_t status = 0;  // rejected: 400, 413 or 431
  std::string reason;   // rejected: why
  HttpRequest request;  // complete
  size_t consumed = 0;  // bytes of `bytes` the request took (pipelined ones follow)
};
ParsedRequest parse_request(std::string_view bytes, size_t max_header_bytes,
                            size_t max_body_bytes);

}  // namespace hull::server
