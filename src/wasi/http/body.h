// HTTP bodies as wasi:io streams. An incoming body (a request handed to a guest, a response
// the client received) is read through an IncomingBodySource; an outgoing body (a request the
// guest sends, a response it answers with) is written into an OutgoingBodyPipe that its
// consumer (the client connection, or the embedder's incoming side) drains. Both ends are
// non-blocking, so wasi:io poll and streams work on them unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "wasi/core/streams.h"
#include "wasi/http/error_code.h"
#include "wasi/http/fields.h"

namespace hull::wasi::http {

// How a body ended: its trailers (none when it had none), or the error that cut it short.
using TrailersResult = std::variant<std::optional<FieldEntries>, ErrorCode>;

// Where an incoming body's bytes come from.
class IncomingBodySource {
 public:
  virtual ~IncomingBodySource() = default;
  // Appends up to `len` bytes available now; closed at the end; a failure made by
  // stream_failure when the body broke.
  virtual StreamStatus read(uint64_t len, std::string* out) = 0;
  virtual Readiness readiness() = 0;
  // Once the body has ended (the rest is read and discarded): how it ended; nullopt while the
  // end has not arrived yet.
  virtual std::optional<TrailersResult> trailers() = 0;
  // What to wait for before trailers() can answer.
  virtual Readiness trailers_readiness() = 0;
};

// An incoming body held in memory (and its trailers).
std::shared_ptr<IncomingBodySource> memory_body(std::string bytes,
                                                std::optional<FieldEntries> trailers);

// The input-stream of an incoming body.
std::unique_ptr<InputStream> body_input(std::shared_ptr<IncomingBodySource> source);

// What an outgoing body's writer and its consumer share.
struct OutgoingBodyPipe {
  enum class State : uint8_t { open, finished, broken };
  std::string buffer;                      // written, not yet taken by the consumer
  uint64_t written = 0;                    // bytes written in all
  std::optional<uint64_t> content_length;  // declared by the message's headers
  bool is_request = true;                  // which body-size error a length mismatch is
  State state = State::open;
  std::optional<FieldEntries> trailers;  // given to finish
  std::optional<ErrorCode> failed;       // the consumer failed (the connection broke)
  // Installed by the consumer: takes what it can from `buffer` now (never blocks).
  std::function<void()> drain;
  // Installed by the consumer: what to wait for when `buffer` is full.
  std::function<Readiness()> wait;

  // The most a writer may have buffered before waiting for the consumer.
  static constexpr uint64_t kBufferLimit = 1 << 20;
  // The error a length mismatch is (HTTP-request-body-size / HTTP-response-body-size).
  ErrorCode size_error() const;
};

// The output-stream of an outgoing body.
std::unique_ptr<OutputStream> body_output(std::shared_ptr<OutgoingBodyPipe> pipe);

}  // namespace hull::wasi::http
