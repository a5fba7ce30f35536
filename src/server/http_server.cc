// Server: each worker owns an io_context, an SO_REUSEPORT acceptor and its sessions; nothing is
// shared between workers but the stop flag, so the request path takes no lock. A request whose
// body streams leaves its worker: a thread of its own runs the handler and does blocking,
// bounded reads and writes on the connection's descriptor (the session starts no Asio
// operation meanwhile), then hands the connection back to the worker's loop.
#include "server/http_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <thread>

#include "server/request_parse.h"

namespace hull::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A JSON string literal of `v` (control characters escaped; bytes >= 0x80 pass through, so
// UTF-8 stays UTF-8).
std::string json_string(std::string_view v) {
  std::string out = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

// Whether `v` is a plain decimal number (digits with at most one '.'), written unquoted.
bool json_number(std::string_view v) {
  if (v.empty() || v.front() == '.' || v.back() == '.') return false;
  bool dot = false;
  for (char c : v) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return v.size() == 1 || v[0] != '0' || v[1] == '.';
}

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

// The handler's answer; an exception escaping it (the handler is the embedder's code) is a 500
// for this request, not the end of the worker.
HttpResponse call_handler(const Handler& handler, const HttpRequest& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    return plain(500, std::string("internal error: ") + e.what() + "\n");
  }
}

// The streamed requests in progress, each on a thread of its own: bounded in number, and
// waited for by Server::run (a thread may outlive its worker's loop when the grace period
// ends).
struct StreamThreads {
  std::mutex mu;
  std::condition_variable idle;
  unsigned active = 0;
  // The grace period is over: every wait on a connection ends now.
  std::atomic<bool> cut{false};

  bool try_begin(unsigned max) {
    std::lock_guard<std::mutex> lock(mu);
    if (active >= max) return false;
    ++active;
    return true;
  }
  void end() {
    std::lock_guard<std::mutex> lock(mu);
    --active;
    idle.notify_all();
  }
  void wait_idle() {
    std::unique_lock<std::mutex> lock(mu);
    idle.wait(lock, [this] { return active == 0; });
  }
};

// What bounds a blocking wait on a connection: no progress for `idle` (the read timeout), the
// request's deadline, the end of the server's grace period.
struct WaitLimits {
  std::chrono::milliseconds idle{30'000};
  Clock::time_point deadline = Clock::time_point::max();
  const std::atomic<bool>* cut = nullptr;
};

// The epoch deadline ticks every 2 ms: a wait cut by the deadline ends a little after it, so
// the guest, resuming, finds its deadline passed at its next check and is interrupted.
constexpr auto kDeadlineSlack = std::chrono::milliseconds(10);
// Waits poll in slices this long, to notice the end of the grace period.
constexpr auto kWaitSlice = std::chrono::milliseconds(100);

// Waits until `fd` is ready for `events` (or has an error or hang-up to report).
Status wait_fd(int fd, short events, const WaitLimits& limits) {
  auto idle_end = Clock::now() + limits.idle;
  for (;;) {
    auto now = Clock::now();
    bool by_deadline =
        limits.deadline != Clock::time_point::max() && limits.deadline + kDeadlineSlack <= idle_end;
    auto end = by_deadline ? limits.deadline + kDeadlineSlack : idle_end;
    if (now >= end) {
      return Error::make(ErrorKind::Io, by_deadline ? std::string("the request's deadline passed")
                                                    : "the client made no progress for " +
                                                          std::to_string(limits.idle.count()) +
                                                          " ms (read timeout)");
    }
    if (limits.cut && limits.cut->load(std::memory_order_relaxed)) {
      return Error::make(ErrorKind::Io, "the server is shutting down");
    }
    auto slice = std::min<Clock::duration>(end - now, kWaitSlice);
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1,
                   static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(slice).count()));
    if (n > 0) return {};
    if (n < 0 && errno != EINTR) {
      return Error::make(ErrorKind::Io, std::string("poll: ") + std::strerror(errno));
    }
  }
}

// Beast's SyncReadStream over a connection's descriptor: reads wait (bounded) for data.
class FdReadStream {
 public:
  FdReadStream(int fd, const WaitLimits* limits) : fd_(fd), limits_(limits) {}

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
    std::array<iovec, 8> iov;
    size_t count = 0;
    for (auto it = asio::buffer_sequence_begin(buffers);
         it != asio::buffer_sequence_end(buffers) && count < iov.size(); ++it) {
      asio::mutable_buffer b = *it;
      iov[count++] = iovec{b.data(), b.size()};
    }
    ec = {};
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = count;
    for (;;) {
      ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT);
      if (n > 0) return static_cast<size_t>(n);
      if (n == 0) {
        ec = asio::error::eof;
        return 0;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        ec = beast::error_code(errno, boost::system::system_category());
        return 0;
      }
      if (auto w = wait_fd(fd_, POLLIN, *limits_); !w) {
        why_ = w.error().message;
        ec = beast::error::timeout;
        return 0;
      }
    }
  }
  // The throwing form the concept asks for; Beast's read_some(..., ec) never calls it.
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    beast::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  // Why the last wait ended without data.
  const std::string& why() const { return why_; }

 private:
  int fd_;
  const WaitLimits* limits_;
  std::string why_;
};

// Writes all of `iov` (consumed as it goes), waiting (bounded) while the client does not read.
Status send_all(int fd, std::span<iovec> iov, const WaitLimits& limits) {
  size_t first = 0;
  while (first < iov.size()) {
    if (iov[first].iov_len == 0) {
      ++first;
      continue;
    }
    msghdr msg{};
    msg.msg_iov = &iov[first];
    msg.msg_iovlen = iov.size() - first;
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto w = wait_fd(fd, POLLOUT, limits); !w) return w;
        continue;
      }
      if (errno == EPIPE || errno == ECONNRESET) {
        return Error::make(ErrorKind::Io, "the client closed the connection");
      }
      return Error::make(ErrorKind::Io, std::string("send: ") + std::strerror(errno));
    }
    auto left = static_cast<size_t>(n);
    while (left > 0 && first < iov.size()) {
      size_t take = std::min(left, iov[first].iov_len);
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + take;
      iov[first].iov_len -= take;
      left -= take;
      if (iov[first].iov_len == 0) ++first;
    }
  }
  return {};
}

// One request and its answer on a connection, as a handler streams them (HttpRequest's
// body_stream and response_stream). On the worker thread (buffer_limit > 0) the answer is held
// until it outgrows buffer_limit, so a small one still goes out whole through the session's
// usual write; on a stream thread it goes out as it comes. Blocking I/O on the descriptor:
// only while no Asio operation of the session is pending.
class Exchange final : public RequestBodyStream, public ResponseStream {
 public:
  struct Options {
    int fd = -1;
    unsigned version = 11;  // the request's HTTP version (10 or 11)
    bool head_request = false;
    bool client_keeps = true;  // the client asked to keep the connection
    size_t buffer_limit = 0;
    uint64_t max_body = 0;  // for the error message (the parser enforces it)
    WaitLimits limits;
  };
  explicit Exchange(Options o) : o_(std::move(o)) {}

  // A streamed request body: parsed from `buffer` (bytes already read) and the descriptor.
  void attach_body(http::request_parser<http::buffer_body>* parser, beast::flat_buffer* buffer,
                   bool expect_continue) {
    parser_ = parser;
    buffer_ = buffer;
    expect_continue_ = expect_continue;
    // Beast appends a chunked body's trailer fields to the message's fields: those after the
    // ones there now are the trailers.
    header_fields_ = static_cast<size_t>(std::distance(parser->get().begin(), parser->get().end()));
  }

  FieldList trailers() const override {
    FieldList out;
    if (!parser_ || !parser_->is_done()) return out;
    size_t i = 0;
    for (const auto& f : parser_->get()) {
      if (i++ < header_fields_) continue;
      out.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    return out;
  }

  Result<bool> read(size_t max, std::string* out) override {
    if (!parser_ || parser_->is_done()) return false;
    if (read_error_) return *read_error_;
    if (past_deadline()) {
      read_error_ = deadline_error();
      return *read_error_;
    }
    if (expect_continue_ && !continue_sent_ && !committed_) {
      // The client holds the body back until told to send it: now that it is wanted.
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      iovec iov{const_cast<char*>(kContinue), sizeof kContinue - 1};
      if (auto s = send_all(o_.fd, std::span(&iov, 1), o_.limits); !s) {
        read_error_ = s.error();
        return *read_error_;
      }
      continue_sent_ = true;
    }
    max = std::min<size_t>(max, kReadChunk);
    if (max == 0) return true;
    size_t old = out->size();
    out->resize(old + max);
    auto& body = parser_->get().body();
    FdReadStream stream(o_.fd, &o_.limits);
    size_t got = 0;
    while (got == 0 && !parser_->is_done()) {
      body.data = out->data() + old;
      body.size = max;
      beast::error_code ec;
      http::read_some(stream, *buffer_, *parser_, ec);
      got = max - body.size;
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        read_error_ = read_failure(ec, stream);
        break;
      }
    }
    body.data = nullptr;
    body.size = 0;
    out->resize(old + got);
    if (got > 0) return true;
    if (read_error_) return *read_error_;
    return false;
  }

  Status start(uint16_t status, const FieldList& headers) override {
    if (started_) return Error::make(ErrorKind::Usage, "the response was started twice");
    started_ = true;
    status_ = status;
    headers_ = headers;
    return {};
  }

  Status write(std::string_view bytes) override {
    if (!started_) return Error::make(ErrorKind::Usage, "a body write before the response start");
    if (broken_) return *broken_;
    if (finished_) return Error::make(ErrorKind::Usage, "a body write after the response end");
    if (past_deadline()) return fail(deadline_error().message);
    if (!committed_ && pending_.size() + bytes.size() <= o_.buffer_limit) {
      pending_.append(bytes);
      return {};
    }
    if (!committed_) return commit(bytes, /*last=*/false);
    return send_body(bytes);
  }

  Status finish(const FieldList& trailers) override {
    if (!started_) return Error::make(ErrorKind::Usage, "the response ended before it started");
    if (broken_) return *broken_;
    if (finished_) return {};
    // Past its deadline a request has failed (the guest is interrupted at its next check); a
    // response it finishes then must not look complete.
    if (past_deadline()) return fail(deadline_error().message);
    std::string trailer_block;  // "name: value\r\n" per trailer that may be sent
    for (const auto& [name, value] : trailers) {
      if (hop_by_hop(name) || beast::iequals(name, "content-length") ||
          beast::iequals(name, "host") || beast::iequals(name, "trailer")) {
        continue;
      }
      trailer_block.append(name).append(": ").append(value).append("\r\n");
    }
    if (!committed_ && o_.buffer_limit > 0 && trailer_block.empty()) {
      finished_ = true;  // whole in pending_: the session writes it (Exchange::take_buffered)
      return {};
    }
    if (!committed_) {
      // With trailers the answer goes out chunked (if its framing allows: commit decides).
      if (auto s = commit({}, /*last=*/trailer_block.empty()); !s) return s;
    }
    if (framing_ == Framing::chunked) {
      std::string last = "0\r\n" + trailer_block + "\r\n";
      iovec iov{last.data(), last.size()};
      if (auto s = send(std::span(&iov, 1)); !s) return s;
    } else if (framing_ == Framing::length && sent_ != length_) {
      return fail("the response body has " + std::to_string(sent_) +
                  " bytes, short of its content-length " + std::to_string(length_));
    }
    finished_ = true;
    return {};
  }

  bool committed() const override { return committed_; }
  void set_deadline(Clock::time_point deadline) override { o_.limits.deadline = deadline; }

  // The whole answer out of a stream that wrote nothing yet: a status line, headers with its
  // length, the body (the handler's own answer, not through the stream).
  Status send_whole(const HttpResponse& r) {
    status_ = r.status;
    headers_ = r.headers;
    pending_.clear();
    started_ = true;
    headers_.emplace_back("content-length", std::to_string(r.body.size()));
    if (auto s = commit(r.body, /*last=*/true); !s) return s;
    finished_ = true;
    return {};
  }

  // A finished answer that stayed in memory (not committed), for the session's usual write.
  HttpResponse take_buffered() {
    HttpResponse r;
    r.status = status_;
    r.headers = std::move(headers_);
    r.body = std::move(pending_);
    return r;
  }

  bool finished() const { return finished_; }
  uint16_t status() const { return status_; }
  uint64_t body_bytes_sent() const { return sent_; }
  // Whether the connection can carry another request after this answer.
  bool reusable() const {
    return finished_ && keep_alive_ && (!parser_ || parser_->is_done()) && !read_error_;
  }
  bool body_read_whole() const { return !parser_ || parser_->is_done(); }

 private:
  enum class Framing : uint8_t { length, chunked, close, none };
  static constexpr size_t kReadChunk = 64 << 10;

  bool past_deadline() const {
    return o_.limits.deadline != Clock::time_point::max() && Clock::now() >= o_.limits.deadline;
  }
  static Error deadline_error() {
    return Error::make(ErrorKind::Io, "the request's deadline passed");
  }

  Error read_failure(beast::error_code ec, const FdReadStream& stream) const {
    if (ec == http::error::body_limit) {
      return Error::make(ErrorKind::Limit, "the request body is larger than --max-body (" +
                                               std::to_string(o_.max_body) + " bytes)");
    }
    if (ec == beast::error::timeout) return Error::make(ErrorKind::Io, stream.why());
    if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
        ec == asio::error::eof || ec == asio::error::connection_reset) {
      return Error::make(ErrorKind::Io, "the client closed the connection before the body ended");
    }
    return Error::make(ErrorKind::Io, "malformed request body: " + ec.message());
  }

  Status fail(std::string why) {
    broken_ = Error::make(ErrorKind::Io, std::move(why));
    return *broken_;
  }

  Status send(std::span<iovec> iov) {
    if (auto s = send_all(o_.fd, iov, o_.limits); !s) {
      broken_ = s.error();
      return s;
    }
    return {};
  }

  // The status line and headers, with what is held and `bytes` (all of the body when `last`).
  Status commit(std::string_view bytes, bool last) {
    committed_ = true;
    std::optional<uint64_t> declared;
    std::string head = "HTTP/1.1 " + std::to_string(status_) + " ";
    auto known = http::obsolete_reason(http::int_to_status(status_));
    std::string_view reason(known.data(), known.size());
    if (!reason.starts_with("<")) head.append(reason);
    head += "\r\n";
    for (const auto& [name, value] : headers_) {
      if (beast::iequals(name, "content-length")) {
        if (!declared && !value.empty() && value.size() <= 19 &&
            value.find_first_not_of("0123456789") == std::string::npos) {
          declared = std::stoull(value);
        }
        continue;
      }
      if (hop_by_hop(name)) continue;
      head.append(name).append(": ").append(value).append("\r\n");
    }
    uint64_t total = pending_.size() + bytes.size();
    bool no_body = o_.head_request || status_ == 204 || status_ == 304 || status_ < 200;
    keep_alive_ = o_.client_keeps;
    if (no_body) {
      framing_ = Framing::none;
      if (declared && status_ != 204 && status_ != 304 && status_ >= 200) {
        head += "content-length: " + std::to_string(*declared) + "\r\n";
      }
    } else if (declared || last) {
      framing_ = Framing::length;
      length_ = declared ? *declared : total;
      head += "content-length: " + std::to_string(length_) + "\r\n";
    } else if (o_.version >= 11) {
      framing_ = Framing::chunked;
      head += "transfer-encoding: chunked\r\n";
    } else {
      framing_ = Framing::close;  // HTTP/1.0 knows no chunks: the end of the body is the close
      keep_alive_ = false;
    }
    if (!keep_alive_) head += "connection: close\r\n";
    head += "\r\n";
    std::string held = std::move(pending_);
    pending_.clear();
    std::array<iovec, 3> iov{iovec{head.data(), head.size()}, iovec{}, iovec{}};
    if (auto s = send(std::span(iov.data(), 1)); !s) return s;
    if (!held.empty()) {
      if (auto s = send_body(held); !s) return s;
    }
    if (!bytes.empty()) return send_body(bytes);
    return {};
  }

  Status send_body(std::string_view bytes) {
    if (bytes.empty()) return {};
    if (framing_ == Framing::none) return {};  // a HEAD answer, a 204 or 304: no body
    if (framing_ == Framing::length && sent_ + bytes.size() > length_) {
      return fail("the response body is longer than its content-length " + std::to_string(length_));
    }
    sent_ += bytes.size();
    iovec data{const_cast<char*>(bytes.data()), bytes.size()};
    if (framing_ != Framing::chunked) return send(std::span(&data, 1));
    char size_line[24];
    int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", bytes.size());
    std::array<iovec, 3> iov{iovec{size_line, static_cast<size_t>(n)}, data,
                             iovec{const_cast<char*>("\r\n"), 2}};
    return send(iov);
  }

  Options o_;
  http::request_parser<http::buffer_body>* parser_ = nullptr;
  beast::flat_buffer* buffer_ = nullptr;
  bool expect_continue_ = false, continue_sent_ = false;
  std::optional<Error> read_error_;

  size_t header_fields_ = 0;  // fields of the request before its body (trailers come after)
  bool started_ = false, committed_ = false, finished_ = false, keep_alive_ = true;
  std::optional<Error> broken_;
  uint16_t status_ = 200;
  FieldList headers_;
  std::string pending_;  // the answer's body while it is held
  Framing framing_ = Framing::length;
  uint64_t length_ = 0, sent_ = 0;
};

// The parser's body limit. Not boost::none for "no limit": Boost 1.74's parser compares a
// declared length with the optional limit, and any length is greater than none.
uint64_t body_limit(const ServerConfig& c) {
  return c.max_body_bytes > 0 ? c.max_body_bytes : std::numeric_limits<uint64_t>::max();
}

struct Worker;

// A connection's socket and stream bound to the worker's io_context executor itself rather
// than the type-erased any_io_executor: every asynchronous operation copies its executor, and
// the erased one costs an indirect call and more per copy (a few hundred instructions per
// request).
using WorkerExecutor = asio::io_context::executor_type;
using WorkerSocket = asio::basic_stream_socket<tcp, WorkerExecutor>;
using WorkerStream = beast::basic_stream<tcp, WorkerExecutor>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(WorkerSocket socket, Worker& worker) : stream_(std::move(socket)), worker_(worker) {}
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
  // The body streams: the handler runs on a thread of its own (run_stream), which reads the
  // body and writes the answer on the descriptor, then hands the connection back (resume).
  void start_stream();
  void run_stream();
  enum class Next : uint8_t { read, linger, close };
  void resume(Next next);
  // The handler's answer on the worker thread: written whole (respond), or already written
  // through the exchange as it came.
  void answer_inline(HttpResponse res, Exchange& ex, bool keep, const HttpRequest& req,
                     std::chrono::steady_clock::time_point started);
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
  void log(const HttpRequest* req, unsigned status, size_t bytes, const FieldList* fields,
           std::chrono::steady_clock::time_point started);

  WorkerStream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // The answer being written by respond(): its status line and fields serialized into `head_`
  // (the connection's buffer, reused), its body written from the message itself.
  std::optional<http::response<http::string_body>> out_;
  std::string head_;
  Worker& worker_;
  std::string peer_;
  bool busy_ = false;  // between a complete request and its written response
  std::array<char, 4096> discard_;
};

struct Worker {
  Worker(const ServerConfig& c, const Handler& h, const std::atomic<bool>& s, std::mutex& m,
         StreamThreads& t)
      : config(c), handler(h), stopping(s), log_mutex(m), streams(t) {}
  const ServerConfig& config;
  const Handler& handler;
  const std::atomic<bool>& stopping;
  std::mutex& log_mutex;
  StreamThreads& streams;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::set<std::weak_ptr<Session>, std::owner_less<std::weak_ptr<Session>>> sessions;
  asio::steady_timer grace{io};

  void accept() {
    acceptor.async_accept(io, [this](beast::error_code ec, WorkerSocket socket) {
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
      if (ec) return;
      // The grace period is over: cut what is left, streamed requests' waits included.
      streams.cut.store(true, std::memory_order_relaxed);
      io.stop();
    });
  }
};

void Session::start() {
  beast::error_code ec;
  // Each write goes out at once: a streamed answer's small writes (a chunk's header and data,
  // the guest's pieces) would otherwise wait, under Nagle's algorithm, for the client's
  // delayed ACK of the previous one. A failure leaves only the kernel's default.
  stream_.socket().set_option(tcp::no_delay(true), ec);
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
  parser_->body_limit(body_limit(worker_.config));
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
  auto declared = parser_->content_length();
  if (!parser_->is_done() && (!declared || *declared > worker_.config.buffered_body_bytes)) {
    start_stream();  // chunked or long: the handler reads it as it arrives
    return;
  }
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
  // A request without a body is complete with its header: answer it now rather than through
  // another read operation that completes at once (one scheduler round trip per request).
  if (parser_->is_done()) {
    on_read({});
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
  Exchange::Options eo;
  eo.fd = stream_.socket().native_handle();
  eo.version = msg.version();
  eo.head_request = msg.method() == http::verb::head;
  bool keep = client_keeps && !worker_.stopping.load(std::memory_order_relaxed);
  eo.client_keeps = keep;
  eo.buffer_limit = std::max<size_t>(worker_.config.buffered_response_bytes, 1);
  eo.limits.idle = worker_.config.read_timeout;
  eo.limits.cut = &worker_.streams.cut;
  Exchange ex(std::move(eo));
  HttpRequest req = request_from(std::move(msg), peer_);
  req.log_fields_wanted = worker_.config.access_log != nullptr;
  req.response_stream = &ex;
  HttpResponse res = call_handler(worker_.handler, req);
  answer_inline(std::move(res), ex, keep, req, started);
}

void Session::answer_inline(HttpResponse res, Exchange& ex, bool keep, const HttpRequest& req,
                            std::chrono::steady_clock::time_point started) {
  if (!ex.committed()) {
    if (res.streamed && ex.finished()) {
      HttpResponse whole = ex.take_buffered();  // small: one write with its length
      whole.log_fields = std::move(res.log_fields);
      respond(std::move(whole), keep, &req, started);
    } else if (res.streamed) {
      respond(plain(500, "internal error: the handler did not finish its response\n"), false, &req,
              started);
    } else {
      respond(std::move(res), keep, &req, started);
    }
    return;
  }
  // Written through the exchange already, as the handler produced it.
  log(&req, ex.status(), ex.body_bytes_sent(), &res.log_fields, started);
  busy_ = false;
  if (res.streamed && ex.reusable() && keep) {
    read();
  } else {
    close();  // an answer cut short ends with the connection: the client sees it incomplete
  }
}

void Session::start_stream() {
  busy_ = true;
  stream_.expires_never();  // the stream thread bounds its own waits
  if (!worker_.streams.try_begin(worker_.config.max_streams)) {
    respond(plain(503, "too many streamed requests in progress; retry later\n"), false, nullptr,
            std::chrono::steady_clock::now(), /*linger=*/true);
    return;
  }
  // The work guard keeps the worker's loop running until the connection is handed back.
  std::thread(
      [](std::shared_ptr<Session> self,
         asio::executor_work_guard<asio::io_context::executor_type> work) {
        StreamThreads& threads = self->worker_.streams;
        self->run_stream();
        // Nothing of the server may be touched after end(): Server::run may return then.
        self.reset();
        work.reset();
        threads.end();
      },
      shared_from_this(), asio::make_work_guard(worker_.io))
      .detach();
}

void Session::run_stream() {
  auto started = std::chrono::steady_clock::now();
  http::request<http::string_body> head = parser_->get();  // the header (no body yet)
  const bool client_keeps = head.keep_alive();
  Exchange::Options eo;
  eo.fd = stream_.socket().native_handle();
  eo.version = head.version();
  eo.head_request = head.method() == http::verb::head;
  eo.client_keeps = client_keeps && !worker_.stopping.load(std::memory_order_relaxed);
  eo.buffer_limit = 0;
  eo.max_body = worker_.config.max_body_bytes;
  eo.limits.idle = worker_.config.read_timeout;
  eo.limits.cut = &worker_.streams.cut;
  const bool expect_continue =
      head.version() >= 11 && beast::iequals(head[http::field::expect], "100-continue");
  // The header is parsed and no body byte yet: the parser can change its body type.
  http::request_parser<http::buffer_body> body_parser(std::move(*parser_));
  parser_.reset();
  body_parser.body_limit(body_limit(worker_.config));
  Exchange ex(std::move(eo));
  ex.attach_body(&body_parser, &buffer_, expect_continue);
  HttpRequest req = request_from(std::move(head), peer_);
  req.log_fields_wanted = worker_.config.access_log != nullptr;
  req.body_stream = &ex;
  req.response_stream = &ex;
  HttpResponse res = call_handler(worker_.handler, req);
  if (!res.streamed && !ex.committed()) (void)ex.send_whole(res);
  log(&req, ex.status(), ex.body_bytes_sent(), &res.log_fields, started);
  Next next = Next::close;
  if (ex.reusable() && !worker_.stopping.load(std::memory_order_relaxed)) {
    next = Next::read;
  } else if (ex.finished() && !ex.body_read_whole()) {
    next = Next::linger;  // answered before the body was read: let the client read the answer
  }
  asio::post(worker_.io, [self = shared_from_this(), next] { self->resume(next); });
}

void Session::resume(Next next) {
  busy_ = false;
  switch (next) {
    case Next::read: read(); break;
    case Next::linger: linger(); break;
    case Next::close: close(); break;
  }
}

void Session::respond(HttpResponse response, bool keep_alive, const HttpRequest* req,
                      std::chrono::steady_clock::time_point started, bool linger) {
  out_.emplace();
  out_->version(11);
  out_->result(response.status);
  for (auto& [name, value] : response.headers) {
    if (!hop_by_hop(name)) out_->insert(name, value);
  }
  out_->body() = std::move(response.body);
  out_->keep_alive(keep_alive);
  out_->prepare_payload();
  log(req, response.status, out_->body().size(), &response.log_fields, started);
  stream_.expires_after(worker_.config.read_timeout);
  auto done = [self = shared_from_this(), keep_alive, linger](beast::error_code ec, size_t) {
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
  };
  // Beast serializes the header into the connection's buffer; the header and the body then go
  // out in one gather write. Writing the message through http::async_write instead walks
  // Beast's composed buffer sequences at every step (about 10,000 instructions per small
  // answer, a twentieth of a request). A body that is not sent as it is (chunked) still goes
  // through the serializer.
  if (!out_->chunked()) {
    http::serializer<false, http::string_body> sr(*out_);
    sr.split(true);
    head_.clear();
    beast::error_code ec;
    while (!ec && !sr.is_header_done()) {
      sr.next(ec, [&](beast::error_code&, const auto& buffers) {
        size_t n = 0;
        for (asio::const_buffer b : beast::buffers_range_ref(buffers)) {
          head_.append(static_cast<const char*>(b.data()), b.size());
          n += b.size();
        }
        sr.consume(n);
      });
    }
    if (!ec) {
      // The write goes out after the other requests this round of the event loop found ready
      // (posted: behind their handlers in the worker's queue), not in the middle of them. A
      // client that sleeps while it waits -- wrk's threads when the server is the slower side
      // -- is then woken once for the round's answers instead of once per answer, and the
      // worker is preempted by it less often. Under wrk on 2 cores: 1.11x the requests/s for
      // the C component, 1.19x for app.wat, 1.22x for componentize-js, with ~2.5 us less
      // system time per request (docs/PERFORMANCE.md, "Writes after the round").
      asio::post(stream_.get_executor(),
                 [self = shared_from_this(), done = std::move(done)]() mutable {
                   std::array<asio::const_buffer, 2> out{asio::buffer(self->head_),
                                                         asio::buffer(self->out_->body())};
                   asio::async_write(self->stream_, out, std::move(done));
                 });
      return;
    }
  }
  http::async_write(stream_, *out_, std::move(done));
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

void Session::log(const HttpRequest* req, unsigned status, size_t bytes, const FieldList* fields,
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
  std::string line;
  const std::string method = req ? req->method : "-";
  const std::string target = req ? req->target : "-";
  if (worker_.config.access_log_json) {
    line = "{\"time\":\"" + std::string(when) + "\",\"peer\":" + json_string(peer_) +
           ",\"method\":" + json_string(method) + ",\"target\":" + json_string(target) +
           ",\"status\":" + std::to_string(status) + ",\"bytes\":" + std::to_string(bytes) +
           ",\"duration_us\":" + std::to_string(us);
    if (fields) {
      for (const auto& [name, value] : *fields) {
        line += "," + json_string(name) + ":" + (json_number(value) ? value : json_string(value));
      }
    }
    line += "}\n";
  } else {
    line = std::string(when) + " " + peer_ + " \"" + method + " " + target + "\" " +
           std::to_string(status) + " " + std::to_string(bytes) + " " + std::to_string(us) + "us";
    if (fields) {
      for (const auto& [name, value] : *fields) {
        line +=
            " " + name + "=" + (value.find(' ') == std::string::npos ? value : json_string(value));
      }
    }
    line += "\n";
  }
  std::lock_guard<std::mutex> lock(worker_.log_mutex);
  std::fwrite(line.data(), 1, line.size(), f);
  std::fflush(f);
}

}  // namespace

struct Server::Impl {
  ServerConfig config;
  Handler handler;
  std::atomic<bool> stopping{false};
  std::mutex log_mutex;
  StreamThreads streams;
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
    auto w = std::make_unique<Worker>(impl_->config, impl_->handler, impl_->stopping,
                                      impl_->log_mutex, impl_->streams);
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
  // A streamed request may outlast its worker's loop (cut by the grace period): its thread
  // ends once its handler returns.
  impl_->streams.wait_idle();
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
