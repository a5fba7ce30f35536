// The HTTP/1.1 client: request serialization, the connection's non-blocking state machine and
// the response parser (Boost.Beast's basic_parser, fed the bytes as they arrive).
#include "wasi/http/client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cerrno>
#include <cstring>

#include "wasi/core/sockets.h"

namespace hull::wasi::http {

namespace beast_http = boost::beast::http;

namespace {

constexpr uint16_t kHttpPort = 80;
constexpr uint16_t kHttpsPort = 443;
constexpr size_t kReadChunk = 64 * 1024;
// Past this much unread response body the connection stops reading (backpressure).
constexpr size_t kBodyBufferLimit = 1 << 20;
constexpr uint32_t kHeaderLimit = 64 * 1024;

bool ascii_iequals(std::string_view a, std::string_view b) { return field_name_equals(a, b); }

// What the parser saw of one response.
struct ParsedResponse {
  uint16_t status = 0;
  FieldEntries headers;
  FieldEntries trailers;
  bool head_done = false;
  bool message_done = false;
  std::string body;  // decoded body bytes not yet read
};

class ResponseParser final : public beast_http::basic_parser<false> {
 public:
  explicit ResponseParser(ParsedResponse* out) : out_(out) {
    body_limit(boost::none);  // the guest reads as much as the server sends
    header_limit(kHeaderLimit);
    eager(true);
  }

 private:
  using ec_t = boost::beast::error_code;
  using sv = boost::beast::string_view;
  void on_request_impl(beast_http::verb, sv, sv, int, ec_t&) override {}
  void on_response_impl(int code, sv, int, ec_t&) override {
    out_->status = static_cast<uint16_t>(code);
  }
  void on_field_impl(beast_http::field, sv name, sv value, ec_t&) override {
    (out_->head_done ? out_->trailers : out_->headers)
        .emplace_back(std::string(name), std::string(value));
  }
  void on_header_impl(ec_t&) override { out_->head_done = true; }
  void on_body_init_impl(const boost::optional<uint64_t>&, ec_t&) override {}
  size_t on_body_impl(sv body, ec_t&) override {
    out_->body.append(body.data(), body.size());
    return body.size();
  }
  void on_chunk_header_impl(uint64_t, sv, ec_t&) override {}
  size_t on_chunk_body_impl(uint64_t, sv body, ec_t&) override {
    out_->body.append(body.data(), body.size());
    return body.size();
  }
  void on_finish_impl(ec_t&) override { out_->message_done = true; }
  ParsedResponse* out_;
};

// The error-code a parse failure is.
ErrorCode parse_error(const boost::beast::error_code& ec, bool head_done) {
  if (ec == beast_http::error::header_limit) {
    return ErrorCode::of(ErrorCase::http_response_header_section_size);
  }
  if (ec == beast_http::error::partial_message || ec == beast_http::error::short_read) {
    return ErrorCode::of(ErrorCase::http_response_incomplete);
  }
  if (ec == beast_http::error::bad_transfer_encoding) {
    return ErrorCode::of(ErrorCase::http_response_transfer_coding);
  }
  ErrorCode e = ErrorCode::of(ErrorCase::http_protocol_error);
  (void)head_done;
  return e;
}

uint64_t deadline_after(std::optional<uint64_t> ns) {
  return ns ? monotonic_now_ns() + *ns : UINT64_MAX;
}

std::string hex(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(n));
  return buf;
}

// One request and its response over one connection.
class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ClientRequest req, std::vector<HostSockAddr> addrs)
      : req_(std::move(req)), addrs_(std::move(addrs)) {
    reset_parser();
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Queues the request head and starts connecting; an error-code when no socket could start.
  std::optional<ErrorCode> start() {
    out_ = head();
    connect_deadline_ = deadline_after(req_.connect_timeout_ns);
    if (auto e = connect_next()) return e;
    if (req_.body) {
      std::weak_ptr<Connection> self = weak_from_this();
      req_.body->drain = [self] {
        if (auto c = self.lock()) c->pump();
      };
      req_.body->wait = [self] {
        auto c = self.lock();
        return c ? c->readiness() : Readiness::ready();
      };
    }
    return std::nullopt;
  }

  // Makes all the progress possible now without blocking.
  void pump() {
    if (error_ || resp_.message_done || pumping_) return;
    pumping_ = true;
    if (connecting_) finish_connect();
    if (!connecting_ && !error_) {
      take_body();
      send();
      receive();
    }
    pumping_ = false;
  }

  Readiness readiness() {
    pump();
    if (error_ || resp_.message_done || !resp_.body.empty()) return Readiness::ready();
    if (connecting_) return Readiness::writable(fd_);
    uint32_t events = 0;
    if (!out_.empty()) events |= Readiness::kWritable;
    if (resp_.body.size() < kBodyBufferLimit) events |= Readiness::kReadable;
    if (events == 0) return Readiness::never();
    return Readiness{Readiness::Kind::fd, fd_, events, 0};
  }

  const std::optional<ErrorCode>& error() const { return error_; }
  ParsedResponse& response() { return resp_; }

 private:
  std::string head() {
    std::string h =
        req_.method + " " + req_.path_with_query + " HTTP/1.1\r\nHost: " + req_.authority + "\r\n";
    bool has_length = false;
    for (const auto& [name, value] : req_.headers) {
      if (ascii_iequals(name, "content-length")) has_length = true;
      h += name + ": " + value + "\r\n";
    }
    if (req_.body && !has_length) {
      if (req_.body->state == OutgoingBodyPipe::State::finished) {
        // A body complete before the request is sent goes with its length.
        h += "Content-Length: " + std::to_string(req_.body->written) + "\r\n";
      } else {
        chunked_ = true;
        h += "Transfer-Encoding: chunked\r\n";
      }
    }
    h += "Connection: close\r\n\r\n";
    return h;
  }

  std::optional<ErrorCode> connect_next() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    int last = ECONNREFUSED;
    while (next_addr_ < addrs_.size()) {
      const HostSockAddr& a = addrs_[next_addr_++];
      fd_ = ::socket(a.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd_ < 0) return ErrorCode::internal(std::string("socket: ") + std::strerror(errno));
      // Each write goes out at once: a body the guest streams ends with a small last chunk,
      // which Nagle's algorithm would hold until the server's delayed ACK of the data before
      // it (~40 ms; the server has nothing to send until the body is whole). Best effort.
      const int one = 1;
      (void)::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a.storage), a.len) == 0 ||
          errno == EINPROGRESS) {
        connecting_ = true;
        return std::nullopt;
      }
      last = errno;
      ::close(fd_);
      fd_ = -1;
    }
    return connect_error(last);
  }

  static ErrorCode connect_error(int host_errno) {
    switch (host_errno) {
      case ECONNREFUSED: return ErrorCode::of(ErrorCase::connection_refused);
      case ETIMEDOUT: return ErrorCode::of(ErrorCase::connection_timeout);
      case ENETUNREACH:
      case EHOSTUNREACH: return ErrorCode::of(ErrorCase::destination_ip_unroutable);
      case EACCES:
      case EPERM: return ErrorCode::of(ErrorCase::destination_ip_prohibited);
      default: return ErrorCode::of(ErrorCase::destination_unavailable);
    }
  }

  void finish_connect() {
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, 0) <= 0) {
      if (monotonic_now_ns() >= connect_deadline_)
        error_ = ErrorCode::of(ErrorCase::connection_timeout);
      return;
    }
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      if (auto e = connect_next(); e) error_ = connect_error(err);
      return;
    }
    connecting_ = false;
    first_byte_deadline_ = deadline_after(req_.first_byte_timeout_ns);
  }

  // Moves what the guest wrote into the send buffer, framed.
  void take_body() {
    OutgoingBodyPipe* b = req_.body.get();
    if (!b || body_done_) return;
    if (!b->buffer.empty() && out_.size() < kBodyBufferLimit) {
      if (chunked_)
        out_ += hex(b->buffer.size()) + "\r\n" + b->buffer + "\r\n";
      else
        out_ += b->buffer;
      b->buffer.clear();
    }
    if (b->state == OutgoingBodyPipe::State::broken) {
      error_ = ErrorCode::internal("the request body was not finished");
      return;
    }
    if (b->state == OutgoingBodyPipe::State::finished && b->buffer.empty()) {
      body_done_ = true;
      if (chunked_) {
        out_ += "0\r\n";
        for (const auto& [name, value] : b->trailers.value_or(FieldEntries{})) {
          out_ += name + ": " + value + "\r\n";
        }
        out_ += "\r\n";
      }
    }
  }

  void send() {
    while (!out_.empty()) {
      ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        // The server may answer and close before reading the whole request: keep reading.
        if (resp_.head_done) {
          out_.clear();
          return;
        }
        error_ = ErrorCode::of(ErrorCase::connection_terminated);
        return;
      }
      out_.erase(0, static_cast<size_t>(n));
    }
  }

  void receive() {
    char buf[kReadChunk];
    while (!error_ && !resp_.message_done && resp_.body.size() < kBodyBufferLimit) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        error_ = ErrorCode::of(resp_.head_done ? ErrorCase::connection_terminated
                                               : ErrorCase::http_response_incomplete);
        return;
      }
      if (n == 0) {
        boost::beast::error_code ec;
        parse();
        if (!error_ && !resp_.message_done) {
          parser_->put_eof(ec);
          if (ec) error_ = parse_error(ec, resp_.head_done);
        }
        if (!error_ && !resp_.message_done) {
          error_ = ErrorCode::of(ErrorCase::http_response_incomplete);
        }
        return;
      }
      in_.append(buf, static_cast<size_t>(n));
      parse();
    }
    check_timeouts();
  }

  void parse() {
    while (!in_.empty() && !error_ && !resp_.message_done) {
      boost::beast::error_code ec;
      size_t used = parser_->put(boost::asio::buffer(in_.data(), in_.size()), ec);
      if (ec == beast_http::error::need_more) {
        in_.erase(0, used);
        if (used == 0) return;
        continue;
      }
      if (ec) {
        error_ = parse_error(ec, resp_.head_done);
        return;
      }
      in_.erase(0, used);
      last_byte_ns_ = monotonic_now_ns();
      if (resp_.head_done && resp_.status >= 100 && resp_.status < 200 && resp_.status != 101) {
        // An informational response: the real one follows.
        resp_ = ParsedResponse{};
        reset_parser();
        continue;
      }
      if (used == 0) return;
    }
  }

  void reset_parser() {
    parser_ = std::make_unique<ResponseParser>(&resp_);
    if (req_.method == "HEAD") parser_->skip(true);  // a HEAD response has no body
  }

  void check_timeouts() {
    uint64_t now = monotonic_now_ns();
    if (!resp_.head_done && now >= first_byte_deadline_) {
      error_ = ErrorCode::of(ErrorCase::connection_read_timeout);
    } else if (resp_.head_done && req_.between_bytes_timeout_ns && last_byte_ns_ &&
               now - last_byte_ns_ >= *req_.between_bytes_timeout_ns) {
      error_ = ErrorCode::of(ErrorCase::connection_read_timeout);
    }
  }

  ClientRequest req_;
  std::vector<HostSockAddr> addrs_;
  size_t next_addr_ = 0;
  int fd_ = -1;
  bool connecting_ = false;
  bool chunked_ = false;
  bool body_done_ = false;
  bool pumping_ = false;
  std::string out_, in_;
  ParsedResponse resp_;
  std::unique_ptr<ResponseParser> parser_;
  std::optional<ErrorCode> error_;
  uint64_t connect_deadline_ = UINT64_MAX, first_byte_deadline_ = UINT64_MAX;
  uint64_t last_byte_ns_ = 0;
};

// The response body, read from the connection.
class ConnectionBody final : public IncomingBodySource {
 public:
  explicit ConnectionBody(std::shared_ptr<Connection> c) : conn_(std::move(c)) {}
  StreamStatus read(uint64_t len, std::string* out) override {
    conn_->pump();
    std::string& body = conn_->response().body;
    if (!body.empty()) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(len, body.size()));
      out->append(body, 0, n);
      body.erase(0, n);
      return StreamStatus::success();
    }
    if (conn_->response().message_done) return StreamStatus::end();
    if (conn_->error()) return stream_failure(*conn_->error());
    return StreamStatus::success();
  }
  Readiness readiness() override { return conn_->readiness(); }
  std::optional<TrailersResult> trailers() override {
    conn_->response().body.clear();  // the rest of the body is not wanted
    conn_->pump();
    conn_->response().body.clear();
    if (conn_->response().message_done) {
      auto& t = conn_->response().trailers;
      return TrailersResult(t.empty() ? std::nullopt : std::optional<FieldEntries>(t));
    }
    if (conn_->error()) return TrailersResult(*conn_->error());
    return std::nullopt;
  }
  Readiness trailers_readiness() override {
    conn_->response().body.clear();
    return conn_->readiness();
  }

 private:
  std::shared_ptr<Connection> conn_;
};

class ConnectionResponse final : public PendingResponse {
 public:
  explicit ConnectionResponse(std::shared_ptr<Connection> c) : conn_(std::move(c)) {}
  std::optional<std::variant<ResponseHead, ErrorCode>> poll() override {
    conn_->pump();
    ParsedResponse& r = conn_->response();
    if (r.head_done) {
      return ResponseHead{r.status, r.headers, std::make_shared<ConnectionBody>(conn_)};
    }
    if (conn_->error()) return *conn_->error();
    return std::nullopt;
  }
  Readiness readiness() override {
    if (conn_->response().head_done) return Readiness::ready();
    return conn_->readiness();
  }

 private:
  std::shared_ptr<Connection> conn_;
};

bool host_matches(std::string_view pattern, std::string_view host) {
  if (pattern == "*") return true;
  if (pattern.starts_with("*.")) {
    std::string_view suffix = pattern.substr(1);  // ".example.com"
    return host.size() > suffix.size() &&
           ascii_iequals(host.substr(host.size() - suffix.size()), suffix);
  }
  return ascii_iequals(pattern, host);
}

uint16_t default_port(std::string_view scheme) {
  return ascii_iequals(scheme, "https") ? kHttpsPort : kHttpPort;
}

}  // namespace

std::optional<std::pair<std::string, uint16_t>> split_authority(std::string_view authority,
                                                                uint16_t default_port) {
  if (authority.empty()) return std::nullopt;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);  // userinfo is not part of the host
  }
  std::string_view host = authority, port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  uint32_t p = default_port;
  if (!port.empty()) {
    if (port.size() > 5) return std::nullopt;
    p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      p = p * 10 + static_cast<uint32_t>(c - '0');
    }
    if (p > 65535) return std::nullopt;
  }
  return std::make_pair(std::string(host), static_cast<uint16_t>(p));
}

bool outbound_allowed(const std::vector<std::string>& allowed, std::string_view scheme,
                      std::string_view host, uint16_t port) {
  for (std::string_view entry : allowed) {
    size_t sep = entry.find("://");
    if (sep == std::string_view::npos) continue;
    std::string_view want_scheme = entry.substr(0, sep);
    std::string_view rest = entry.substr(sep + 3);
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (want_scheme != "*" && !ascii_iequals(want_scheme, scheme)) continue;
    std::string_view want_host = rest, want_port;
    size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos && rest.find(']', colon) == std::string_view::npos) {
      want_host = rest.substr(0, colon);
      want_port = rest.substr(colon + 1);
    }
    if (want_host.size() >= 2 && want_host.front() == '[' && want_host.back() == ']') {
      want_host = want_host.substr(1, want_host.size() - 2);
    }
    if (!host_matches(want_host, host)) continue;
    if (want_port == "*") return true;
    uint16_t p = default_port(scheme);
    if (!want_port.empty()) {
      auto parsed = split_authority("x:" + std::string(want_port), 0);
      if (!parsed) continue;
      p = parsed->second;
    }
    if (p == port) return true;
  }
  return false;
}

std::variant<std::shared_ptr<PendingResponse>, ErrorCode> send_request(
    ClientRequest req, const std::vector<std::string>& allowed_hosts) {
  bool http = ascii_iequals(req.scheme, "http"), https = ascii_iequals(req.scheme, "https");
  if (!http && !https) return ErrorCode::of(ErrorCase::http_protocol_error);
  auto target = split_authority(req.authority, default_port(req.scheme));
  if (!target) return ErrorCode::of(ErrorCase::http_request_uri_invalid);
  if (req.path_with_query.empty()) req.path_with_query = "/";
  if (req.path_with_query.front() != '/' && req.path_with_query != "*") {
    return ErrorCode::of(ErrorCase::http_request_uri_invalid);
  }
  if (!outbound_allowed(allowed_hosts, req.scheme, target->first, target->second)) {
    return ErrorCode::of(ErrorCase::http_request_denied);
  }
  if (https) return ErrorCode::internal("https (TLS) is not supported by hull's wasi:http yet");

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(target->second);
  int rc = ::getaddrinfo(target->first.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    ErrorCode e = ErrorCode::of(ErrorCase::dns_error);
    e.text = ::gai_strerror(rc);
    return e;
  }
  std::vector<HostSockAddr> addrs;
  for (addrinfo* a = found; a; a = a->ai_next) {
    HostSockAddr h;
    std::memcpy(&h.storage, a->ai_addr, a->ai_addrlen);
    h.len = static_cast<socklen_t>(a->ai_addrlen);
    addrs.push_back(h);
  }
  ::freeaddrinfo(found);
  if (addrs.empty()) return ErrorCode::of(ErrorCase::destination_not_found);

  auto conn = std::make_shared<Connection>(std::move(req), std::move(addrs));
  if (auto e = conn->start()) return *e;
  return std::shared_ptr<PendingResponse>(std::make_shared<ConnectionResponse>(conn));
}

}  // namespace hull::wasi::http
