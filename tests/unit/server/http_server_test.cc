// The HTTP front end's streaming (src/server/http_server.h): a handler reading a streamed
// request body (Content-Length over the buffered size, or chunked) and answering through
// HttpRequest::response_stream — chunked when it declares no length, its content-length
// honoured, small answers still written whole, an answer cut short closing the connection,
// errors before the first byte still becoming a plain answer. A Server on 127.0.0.1 (a free
// port), one worker; raw sockets with timeouts as the client.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

namespace {

using namespace hull::server;

// The handler under test, by path.
HttpResponse handle(const HttpRequest& r) {
  HttpResponse res;
  ResponseStream* out = r.response_stream;
  if (r.target == "/count") {  // reads the body (streamed or not), answers with its size
    size_t n = r.body.size();
    if (r.body_stream) {
      std::string chunk;
      for (;;) {
        chunk.clear();
        auto more = r.body_stream->read(1 << 16, &chunk);
        if (!more) {
          res.status = 400;
          res.body = more.error().message;
          return res;
        }
        if (!*more) break;
        n += chunk.size();
      }
    }
    res.body = (r.body_stream ? "streamed " : "buffered ") + std::to_string(n);
    return res;
  }
  if (r.target == "/chunks" || r.target == "/big") {  // no length: chunked once it is out
    size_t pieces = r.target == "/big" ? 100 : 3;     // 100 x 4 KiB: over the held size
    EXPECT_TRUE(out->start(200, {{"x-kind", "chunks"}}).ok());
    for (size_t i = 0; i < pieces; ++i) {
      EXPECT_TRUE(out->write(std::string(r.target == "/big" ? 4096 : 2, 'a' + i % 26)).ok());
    }
    EXPECT_TRUE(out->finish().ok());
    res.streamed = true;
    return res;
  }
  if (r.target == "/length") {
    EXPECT_TRUE(out->start(200, {{"Content-Length", "400000"}}).ok());
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(out->write(std::string(4000, 'x')).ok());
    EXPECT_TRUE(out->finish().ok());
    res.streamed = true;
    return res;
  }
  if (r.target == "/cut") {  // 400 KB written, never finished: the answer must look cut
    EXPECT_TRUE(out->start(200, {}).ok());
    for (int i = 0; i < 100; ++i) EXPECT_TRUE(out->write(std::string(4000, 'y')).ok());
    res.streamed = true;
    return res;
  }
  if (r.target == "/trailers-out") {  // a small body and trailers (one of them not allowed)
    EXPECT_TRUE(out->start(200, {{"trailer", "x-checksum"}}).ok());
    EXPECT_TRUE(out->write("abc").ok());
    EXPECT_TRUE(out->finish({{"x-checksum", "abc123"}, {"Content-Length", "5"}}).ok());
    res.streamed = true;
    return res;
  }
  if (r.target == "/trailers-in") {  // reads the body, answers with the trailers it carried
    std::string body = r.body, chunk;
    while (r.body_stream) {
      chunk.clear();
      auto more = r.body_stream->read(1 << 16, &chunk);
      if (!more || !*more) break;
      body += chunk;
    }
    res.body = body + "|";
    if (r.body_stream) {
      for (const auto& [name, value] : r.body_stream->trailers())
        res.body += name + "=" + value + ";";
    }
    return res;
  }
  if (r.target == "/early-error") {  // started, nothing written, then a plain 503
    EXPECT_TRUE(out->start(200, {}).ok());
    res.status = 503;
    res.body = "changed my mind";
    return res;
  }
  res.status = 404;
  return res;
}

class ServerTest : public ::testing::Test {
 protected:
  // The read timeout of the server under test.
  virtual std::chrono::milliseconds read_timeout() const { return std::chrono::seconds(5); }
  void SetUp() override {
    ServerConfig c;
    c.port = 0;
    c.workers = 1;
    c.read_timeout = read_timeout();
    server_ = std::make_unique<Server>(c, handle);
    ASSERT_TRUE(server_->listen().ok());
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }

  // Sends `request` on a new connection; returns everything read until the server closes
  // (or 10 s pass: then "<timeout>" ends it).
  std::string exchange(const std::string& request) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(server_->port());
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    size_t at = 0;
    while (at < request.size()) {
      ssize_t n = ::send(fd, request.data() + at, request.size() - at, MSG_NOSIGNAL);
      if (n <= 0) break;
      at += static_cast<size_t>(n);
    }
    std::string got;
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n == 0) break;
      if (n < 0) {
        got += "<timeout>";
        break;
      }
      got.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return got;
  }

  std::unique_ptr<Server> server_;
  std::thread thread_;
};

std::string head_of(const std::string& response) {
  return response.substr(0, response.find("\r\n\r\n"));
}
std::string body_of(const std::string& response) {
  size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? "" : response.substr(at + 4);
}

TEST_F(ServerTest, SmallBodiesAreBufferedLongOnesStream) {
  std::string small =
      "POST /count HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
      "Content-Length: 1000\r\n\r\n" +
      std::string(1000, 'b');
  EXPECT_EQ(body_of(exchange(small)), "buffered 1000");
  std::string big =
      "POST /count HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
      "Content-Length: 3000000\r\n\r\n" +
      std::string(3000000, 'b');
  EXPECT_EQ(body_of(exchange(big)), "streamed 3000000");
  std::string chunked =
      "POST /count HTTP/1.1\r\nHost: t\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(body_of(exchange(chunked)), "streamed 8");
}

TEST_F(ServerTest, AnswerWithoutLengthIsChunkedOnceItOutgrowsTheHeldSize) {
  // Small: held, then written whole with its length.
  std::string r = exchange("GET /chunks HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head_of(r).find("Content-Length: 6"), std::string::npos) << head_of(r);
  EXPECT_NE(head_of(r).find("x-kind: chunks"), std::string::npos);
  EXPECT_EQ(body_of(r), "aabbcc");
  // 400 KB: written as it comes, chunked, with the last chunk.
  r = exchange("GET /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head_of(r).find("transfer-encoding: chunked"), std::string::npos) << head_of(r);
  std::string body = body_of(r);
  EXPECT_EQ(body.substr(body.size() - 5), "0\r\n\r\n");
  EXPECT_GT(body.size(), 409600u);
}

TEST_F(ServerTest, ADeclaredLengthIsHonoured) {
  std::string r = exchange("GET /length HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head_of(r).find("content-length: 400000"), std::string::npos) << head_of(r);
  EXPECT_EQ(head_of(r).find("chunked"), std::string::npos);
  EXPECT_EQ(body_of(r).size(), 400000u);
}

TEST_F(ServerTest, AnUnfinishedAnswerClosesTheConnectionBeforeItsEnd) {
  // Keep-alive asked: a cut answer must still end with the connection, without a last chunk.
  std::string r = exchange("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.find("<timeout>"), std::string::npos);
  EXPECT_NE(head_of(r).find("transfer-encoding: chunked"), std::string::npos);
  std::string body = body_of(r);
  EXPECT_NE(body.substr(body.size() - 5), "0\r\n\r\n");
}

TEST_F(ServerTest, NothingSentYetLetsThePlainAnswerThrough) {
  std::string r = exchange("GET /early-error HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 503");
  EXPECT_EQ(body_of(r), "changed my mind");
  // The same on a stream thread (a streamed request body).
  r = exchange(
      "POST /early-error HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 503");
  EXPECT_EQ(body_of(r), "changed my mind");
}

TEST_F(ServerTest, StreamedRequestThenKeepAlive) {
  // A streamed body read whole, then a second request on the same connection.
  std::string two =
      "POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n"
      "GET /count HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  std::string r = exchange(two);
  EXPECT_NE(r.find("streamed 3"), std::string::npos) << r;
  EXPECT_NE(r.find("buffered 0"), std::string::npos) << r;
}

TEST_F(ServerTest, TrailersGoOutAfterTheLastChunk) {
  // A body small enough to be sent whole goes out chunked to carry its trailers; the framing
  // field among them is dropped.
  std::string r = exchange("GET /trailers-out HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(head_of(r).find("transfer-encoding: chunked"), std::string::npos) << r;
  EXPECT_EQ(head_of(r).find("content-length"), std::string::npos) << r;
  EXPECT_EQ(body_of(r), "3\r\nabc\r\n0\r\nx-checksum: abc123\r\n\r\n");
  // An HTTP/1.0 client knows no chunks: the body ends with the connection, without trailers.
  r = exchange("GET /trailers-out HTTP/1.0\r\nHost: t\r\n\r\n");
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 200") << r;
  EXPECT_EQ(body_of(r), "abc");
}

TEST_F(ServerTest, AChunkedRequestsTrailersReachTheHandler) {
  std::string r = exchange(
      "POST /trailers-in HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\nX-Early: 1\r\n\r\n"
      "5\r\nhello\r\n0\r\nX-Sum: 5\r\nX-Note: done\r\n\r\n");
  EXPECT_EQ(body_of(r), "hello|X-Sum=5;X-Note=done;") << r;
  // Without trailers (and for a headers-only field list) none are reported.
  r = exchange(
      "POST /trailers-in HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
      "Transfer-Encoding: chunked\r\nX-Early: 1\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(body_of(r), "abc|") << r;
}

class ShortReadTimeout : public ServerTest {
 protected:
  std::chrono::milliseconds read_timeout() const override { return std::chrono::milliseconds(300); }
};

TEST_F(ShortReadTimeout, AStalledStreamedBodyFailsTheReadAfterTheReadTimeout) {
  // Part of a chunked body, then nothing: the handler's read fails (it answers 400 with why)
  // after the read timeout, not when the client gives up (it waits up to 10 s here).
  auto t0 = std::chrono::steady_clock::now();
  std::string r = exchange(
      "POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_EQ(r.substr(0, 12), "HTTP/1.1 400") << r;
  EXPECT_NE(body_of(r).find("no progress for 300 ms"), std::string::npos) << r;
  EXPECT_GE(ms, 250);
  EXPECT_LT(ms, 5000);
}

}  // namespace
