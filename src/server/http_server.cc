// Server: each worker owns an io_context, an SO_REUSEPORT acceptor and its sessions; nothing is
// shared between workers but the stop flag, so the request path takes no lock.
#include "server/http_server.h"

#include "server/request_parse.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <cstring>
#include <ctime>
#include <set>
#include <thread>

namespace hull::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// Framing is the server's: these from a handler are dropped (the server sets its own).
bool hop_by_hop(std::string_view name) {
  static const char* const kNames[] = {"content-length", "transfer-encoding", "connection",
                                       "keep-alive",     "upgrade",           "te",
                                       "trailer"};
  for (const char* n : kNames) {
    if (name.size() == std::strlen(n) && strncasecmp(name.data(), n, name.size()) == 0) {
      return true;
    }
  }
  return false;
}

HttpResponse plain(uint16_t status, std::string text) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", "text/plain; charset=utf-8");
  r.body = std::move(text);
  return r;
}

struct Worker;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Worker& worker) : stream_(std::move(socket)), worker_(worker) {}
  void start();
  // Closes the connection unless a request is being answered (then after its response).
  void stop();

 private:
  void read();
  // The header is in: answers `Expect: 100-continue` (a client waiting for it, as curl does for
  // bodies over 1 MB, would otherwise stall a second), then reads the body.
  void on_header(beast::error_code ec);
  void read_body();
  void on_read(beast::error_code ec);
  // Writes `response`; then reads the next request (keep_alive), or closes: at once, or after
  // a lingering close when the client may still be sending (`linger`: an error answered before
  // the request was read whole).
  void respond(HttpResponse response, bool keep_alive, const HttpRequest* req,
               std::chrono::steady_clock::time_point started, bool linger = false);
  // Half-closes, then reads and drops what the client still sends (for a bounded time) before
  // closing: closing with unread input makes the kernel send a reset, which can destroy the
  // error response before the client has read it.
  void linger();
  void drain();
  void close();
  void log(const HttpRequest* req, unsigned status, size_t bytes,
           std::chrono::steady_clock::time_point started);

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> out_;
  Worker& worker_;
  std::string peer_;
  bool busy_ = false;  // between a complete request and its written response
  std::array<char, 4096> discard_;
};

struct Worker {
  Worker(const ServerConfig& c, const Handler& h, const std::atomic<bool>& s, std::mutex& m)
      : config(c), handler(h), stopping(s), log_mutex(m) {}
  const ServerConfig& config;
  const Handler& handler;
  const std::atomic<bool>& stopping;
  std::mutex& log_mutex;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
  asio::steady_timer grace{io};

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      // Stopping: Server::stop has shut the listener down (a connection that still got through
      // is dropped); begin_stop closes it.
      if (stopping.load(std::memory_order_relaxed)) return;
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
        accept();  // a failed accept (e.g. out of descriptors) must not end the listener
        return;
      }
      auto s = std::make_shared<Session>(std::move(socket), *this);
      sessions.insert(s);
      s->start();
      accept();
    });
  }

  void begin_stop() {
    beast::error_code ignored;
    acceptor.close(ignored);
    // stop() may close sessions, which erase themselves: iterate over a copy.
    auto live = sessions;
    for (const auto& w : live) {
      if (auto s = w.lock()) s->stop();
    }
    if (sessions.empty()) return;  // nothing in flight: the loop ends by itself
    grace.expires_after(config.shutdown_grace);
    grace.async_wait([this](beast::error_code ec) {
      if (!ec) io.stop();  // the grace period is over: cut what is left
    });
  }
};

void Session::start() {
  beast::error_code ec;
  auto ep = stream_.socket().remote_endpoint(ec);
  if (!ec) peer_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  read();
}

void Session::stop() {
  if (!busy_) close();
}

void Session::read() {
  if (worker_.stopping.load(std::memory_order_relaxed)) {
    close();
    return;
  }
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(worker_.config.max_header_bytes));
  parser_->body_limit(worker_.config.max_body_bytes);
  stream_.expires_after(worker_.config.read_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
}

void Session::on_header(beast::error_code ec) {
  if (ec) {
    on_read(ec);  // a body over the limit is refused here, before any 100 Continue
    return;
  }
  const auto& msg = parser_->get();
  if (!parser_->is_done() && msg.version() >= 11 &&
      beast::iequals(msg[http::field::expect], "100-continue")) {
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    http::async_write(stream_, *cont,
                      [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->stream_.expires_after(self->worker_.config.read_timeout);
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void Session::read_body() {
  // Completes at once when the request has no body.
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
}

void Session::on_read(beast::error_code ec) {
  auto started = std::chrono::steady_clock::now();
  if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == beast::error::timeout || ec == asio::error::connection_reset ||
      ec == asio::error::eof) {
    close();
    return;
  }
  if (ec) {
    // A request the parser refuses gets a precise status, then the connection closes (its
    // framing can no longer be trusted).
    uint16_t status = 400;
    std::string why = "bad request: " + ec.message() + "\n";
    if (ec == http::error::body_limit) {
      status = 413;
      why =
          "request body larger than " + std::to_string(worker_.config.max_body_bytes) + " bytes\n";
    } else if (ec == http::error::header_limit) {
      status = 431;
      why = "request header larger than " + std::to_string(worker_.config.max_header_bytes) +
            " bytes\n";
    } else if (ec.category() != beast::error_code(http::error::bad_target).category()) {
      close();  // a transport error: nobody to answer
      return;
    }
    respond(plain(status, std::move(why)), false, nullptr, started, /*linger=*/true);
    return;
  }
  busy_ = true;
  http::request<http::string_body> msg = parser_->release();
  const bool client_keeps = msg.keep_alive();
  HttpRequest req = request_from(std::move(msg), peer_);
  HttpResponse res;
  try {
    res = worker_.handler(req);
  } catch (const std::exception& e) {
    res = plain(500, std::string("internal error: ") + e.what() + "\n");
  }
  bool keep = client_keeps && !worker_.stopping.load(std::memory_order_relaxed);
  respond(std::move(res), keep, &req, started);
}

void Session::respond(HttpResponse response, bool keep_alive, const HttpRequest* req,
                      std::chrono::steady_clock::time_point started, bool linger) {
  out_ = std::make_shared<http::response<http::string_body>>();
  out_->version(11);
  out_->result(response.status);
  for (auto& [name, value] : response.headers) {
    if (!hop_by_hop(name)) out_->insert(name, value);
  }
  out_->body() = std::move(response.body);
  out_->keep_alive(keep_alive);
  out_->prepare_payload();
  log(req, response.status, out_->body().size(), started);
  stream_.expires_after(worker_.config.read_timeout);
  http::async_write(stream_, *out_,
                    [self = shared_from_this(), keep_alive, linger](beast::error_code ec,
                                                                    size_t) {
                      self->busy_ = false;
                      self->out_.reset();
                      if (!ec && linger) {
                        self->linger();
                        return;
                      }
                      if (ec || !keep_alive) {
                        self->close();
                        return;
                      }
                      self->read();
                    });
}

void Session::linger() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));  // for the whole drain, not per read
  drain();
}

void Session::drain() {
  stream_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](beast::error_code ec, size_t) {
                            if (ec) {
                              self->close();  // the client closed too, or the time is up
                              return;
                            }
                            self->drain();
                          });
}

void Session::close() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.close();
  worker_.sessions.erase(weak_from_this());
  // The last in-flight connection of a stopping worker: no need to wait out the grace period.
  if (worker_.stopping.load(std::memory_order_relaxed) && worker_.sessions.empty()) {
    worker_.grace.cancel();
  }
}

void Session::log(const HttpRequest* req, unsigned status, size_t bytes,
                  std::chrono::steady_clock::time_point started) {
  FILE* f = worker_.config.access_log;
  if (!f) return;
  char when[32];
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  std::lock_guard<std::mutex> lock(worker_.log_mutex);
  std::fprintf(f, "%s %s \"%s %s\" %u %zu %lldus\n", when, peer_.c_str(),
               req ? req->method.c_str() : "-", req ? req->target.c_str() : "-", status, bytes,
               static_cast<long long>(us));
  std::fflush(f);
}

}  // namespace

struct Server::Impl {
  ServerConfig config;
  Handler handler;
  std::atomic<bool> stopping{false};
  std::mutex log_mutex;
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t port = 0;
};

Server::Server(ServerConfig config, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->handler = std::move(handler);
  if (impl_->config.workers == 0) {
    impl_->config.workers = std::max(1u, std::thread::hardware_concurrency());
  }
}

Server::~Server() = default;

Status Server::listen() {
  beast::error_code ec;
  auto addr = asio::ip::make_address(impl_->config.address, ec);
  if (ec) {
    return Error::make(ErrorKind::Usage, "--addr " + impl_->config.address +
                                             ": not an IP address (" + ec.message() + ")");
  }
  uint16_t port = impl_->config.port;
  for (unsigned i = 0; i < impl_->config.workers; ++i) {
    auto w =
        std::make_unique<Worker>(impl_->config, impl_->handler, impl_->stopping, impl_->log_mutex);
    tcp::endpoint ep(addr, port);
    w->acceptor.open(ep.protocol(), ec);
    if (!ec) w->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every worker listens on the same port; the kernel spreads connections among them.
      int one = 1;
      if (setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) !=
          0) {
        ec = beast::error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) w->acceptor.bind(ep, ec);
    if (!ec) w->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error::make(ErrorKind::Io, "cannot listen on " + impl_->config.address + ":" +
                                            std::to_string(port) + ": " + ec.message());
    }
    // With port 0 the first listener picks the port; the others join it.
    port = w->acceptor.local_endpoint().port();
    impl_->workers.push_back(std::move(w));
  }
  impl_->port = port;
  return {};
}

uint16_t Server::port() const { return impl_->port; }

void Server::run() {
  std::vector<std::thread> threads;
  for (auto& w : impl_->workers) {
    Worker* worker = w.get();
    worker->accept();
    threads.emplace_back([worker] { worker->io.run(); });
  }
  for (auto& t : threads) t.join();
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  // Refuse new connections now, even on a worker busy in a guest (its loop runs begin_stop only
  // when the guest returns): a listening socket shut down leaves the SO_REUSEPORT group, so
  // connection attempts are refused at once and those queued unaccepted are reset. Only the
  // kernel's side of the socket changes; the worker still owns and closes the acceptor.
  for (auto& w : impl_->workers) ::shutdown(w->acceptor.native_handle(), SHUT_RDWR);
  for (auto& w : impl_->workers) {
    Worker* worker = w.get();
    asio::post(worker->io, [worker] { worker->begin_stop(); });
  }
}

}  // namespace hull::server
