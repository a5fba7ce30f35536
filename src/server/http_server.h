// Hull's HTTP/1.1 front end for `hull serve`: Boost.Beast parsing and Asio I/O, one worker
// thread per core (each its own event loop and SO_REUSEPORT listener, so the kernel spreads
// connections and a worker never shares state with another), keep-alive and pipelining, limits
// on header and body size, an idle/read deadline per connection, graceful shutdown (stop
// accepting, let in-flight requests finish, then close), and an access log. What a request
// means is the Handler's business (src/server/app.h runs a component per request).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace hull::server {

using FieldList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string host;    // the Host header (authority)
  FieldList headers;
  std::string body;
  std::string peer;  // "ip:port" of the client
};

struct HttpResponse {
  uint16_t status = 200;
  FieldList headers;
  std::string body;
};

// Answers one request; runs on the worker thread that read it (calls on one worker never
// overlap; calls on different workers do).
using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 3000;  // 0: any free port (see Server::port)
  unsigned workers = 0;  // 0: one per core
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 10 << 20;
  // A connection that sends nothing (or too slowly) for this long is closed.
  std::chrono::milliseconds read_timeout{30'000};
  // After a stop request, in-flight requests get this long before connections are cut.
  std::chrono::milliseconds shutdown_grace{30'000};
  FILE* access_log = nullptr;  // one line per request when set
};

class Server {
 public:
  Server(ServerConfig config, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners (an Io error names the address when it cannot).
  Status listen();
  // The bound port (after listen).
  uint16_t port() const;
  // Serves until stop(); returns when every worker has finished.
  void run();
  // Graceful stop, callable from any thread or a signal-watching thread: listeners close now,
  // connections close after their current response.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hull::server
