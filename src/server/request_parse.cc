// request_from / parse_request.
#include "server/request_parse.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <iterator>

namespace hull::server {

namespace http = boost::beast::http;

HttpRequest request_from(http::request<http::string_body>&& msg, std::string peer) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.peer = std::move(peer);
  req.headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& f : msg) {
    req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (f.name() == http::field::host) req.host = std::string(f.value());
  }
  req.body = std::move(msg.body());
  return req;
}

ParsedRequest parse_request(std::string_view bytes, size_t max_header_bytes,
                            size_t max_body_bytes) {
  ParsedRequest out;
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<uint32_t>(max_header_bytes));
  parser.body_limit(max_body_bytes);
  parser.eager(true);
  boost::beast::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
    if (n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done() && used == bytes.size() && parser.need_eof()) {
    parser.put_eof(ec);  // a body delimited by the end of the connection
  }
  if (ec) {
    out.kind = ParsedRequest::Kind::rejected;
    out.status = ec == http::error::body_limit     ? 413
                 : ec == http::error::header_limit ? 431
                                                   : 400;
    out.reason = ec.message();
    return out;
  }
  if (!parser.is_done()) return out;  // incomplete
  out.kind = ParsedRequest::Kind::complete;
  out.consumed = used;
  out.request = request_from(parser.release(), "");
  return out;
}

}  // namespace hull::server
