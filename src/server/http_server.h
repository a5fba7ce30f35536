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
using Clock = std::chrono::steady_clock;

// A request body read from the connection as the handler consumes it (never whole in memory).
class RequestBodyStream {
 public:
  virtual ~RequestBodyStream() = default;
  // Appends up to `max` further bytes to *out, waiting for some (each wait bounded by the read
  // timeout and the deadline); false once the body has ended. An Io error says why the body
  // broke (the client closed or stalled, the deadline passed, a malformed chunk); a Limit
  // error that it grew past ServerConfig::max_body_bytes. After an error every read fails.
  virtual Result<bool> read(size_t max, std::string* out) = 0;
  // The trailer fields of a chunked body, once read() has returned false (none before, and
  // none for a body with a Content-Length).
  virtual FieldList trailers() const { return {}; }
};

// Where a handler may stream its answer instead of returning it whole. The status line and
// headers go out with the first body bytes (or at finish): until then a failure can still
// become an error response; after, it can only cut the connection.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The status and headers (once). Framing is the server's: a valid content-length among
  // `headers` is honoured (the body must then have exactly that length), otherwise the body is
  // chunked (close-delimited for an HTTP/1.0 client).
  virtual Status start(uint16_t status, const FieldList& headers) = 0;
  // More of the body; waits while the client does not take it (bounded like reads).
  virtual Status write(std::string_view bytes) = 0;
  // The body is complete. `trailers` go out after a chunked body's last chunk; a body framed
  // by its length, or sent to an HTTP/1.0 client, cannot carry them (they are dropped), and a
  // small answer otherwise sent whole is chunked to carry them. Fields that frame or route a
  // message (content-length, transfer-encoding, host, connection, …) are never sent as
  // trailers.
  virtual Status finish(const FieldList& trailers = {}) = 0;
  // Whether any of the response has gone out.
  virtual bool committed() const = 0;
  // No wait of this exchange (body reads included) lasts past `deadline`.
  virtual void set_deadline(Clock::time_point deadline) = 0;
};

struct HttpRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string host;    // the Host header (authority)
  FieldList headers;
  std::string body;  // the whole body, unless body_stream is set
  std::string peer;  // "ip:port" of the client
  // Set by the server for a body it streams (chunked, or longer than
  // ServerConfig::buffered_body_bytes): read it from here; `body` is empty.
  RequestBodyStream* body_stream = nullptr;
  // Set by the server: where the handler may stream its answer (then it returns an
  // HttpResponse with `streamed` set).
  ResponseStream* response_stream = nullptr;
  // Whether the server writes an access log (HttpResponse::log_fields is read only then).
  bool log_fields_wanted = true;
};

struct HttpResponse {
  uint16_t status = 200;
  FieldList headers;
  std::string body;
  // The answer went through HttpRequest::response_stream: complete when it saw finish(),
  // otherwise cut short (the connection closes; `status` is what was sent, for the log).
  bool streamed = false;
  // Extra access-log fields from the handler (route, timings, fuel, failure): numbers are
  // written as JSON numbers, anything else as strings.
  FieldList log_fields;
};

// Answers one request. Requests whose body is in memory run on the worker thread that read
// them (calls on one worker never overlap); requests whose body streams run on a thread of
// their own, so a slow uploader holds no worker. Calls may run concurrently.
using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 3000;  // 0: any free port (see Server::port)
  unsigned workers = 0;  // 0: one per core
  size_t max_header_bytes = 16 << 10;
  // The largest request body accepted, buffered or streamed (0: no limit). A declared
  // Content-Length over it is a 413 before the handler runs; a chunked body that grows past it
  // fails the handler's read.
  uint64_t max_body_bytes = 0;
  // Bodies with a Content-Length up to this are read whole before the handler runs (on the
  // worker thread: the fast path); longer or chunked bodies stream.
  size_t buffered_body_bytes = 64 << 10;
  // A response buffered on the worker thread up to this size goes out in one write with its
  // length; a longer one is written as the handler produces it.
  size_t buffered_response_bytes = 256 << 10;
  // Streamed requests in progress at once (each holds a thread); more get a 503.
  unsigned max_streams = 256;
  // A connection that sends nothing (or too slowly) for this long is closed.
  std::chrono::milliseconds read_timeout{30'000};
  // After a stop request, in-flight requests get this long before connections are cut.
  std::chrono::milliseconds shutdown_grace{30'000};
  FILE* access_log = nullptr;  // one line per request when set
  // Access-log lines as JSON objects (one per line) instead of text.
  bool access_log_json = false;
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
