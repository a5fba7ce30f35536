// The objects behind wasi:http/types' resources, as a store's resource table holds them.
// Header resources handed out by requests and responses are immutable snapshots (those
// messages cannot change their headers afterwards, so a copy is the same thing and needs no
// parent link); streams and pollables are children of what they read, as the WIT requires.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "wasi/http/body.h"
#include "wasi/http/client.h"
#include "wasi/http/fields.h"

namespace hull::wasi::http {

class IncomingRequest : public HostObject {
 public:
  std::string method = "GET";
  std::optional<std::string> scheme, authority, path_with_query;
  FieldEntries headers;
  std::shared_ptr<IncomingBodySource> body;  // taken by consume()
};

class OutgoingRequest : public HostObject {
 public:
  std::string method = "GET";
  std::optional<std::string> scheme, authority, path_with_query;
  FieldEntries headers;
  std::shared_ptr<OutgoingBodyPipe> body;  // once body() was called
};

class RequestOptions : public HostObject {
 public:
  std::optional<uint64_t> connect_timeout, first_byte_timeout, between_bytes_timeout;
};

class OutgoingResponse : public HostObject {
 public:
  uint16_t status = 200;
  FieldEntries headers;
  std::shared_ptr<OutgoingBodyPipe> body;  // once body() was called
};

// What a guest answered through its response-outparam.
struct OutparamSlot {
  std::optional<std::variant<std::unique_ptr<OutgoingResponse>, ErrorCode>> answer;
  // Called by set() with the response's body (a response's body() must be taken before set
  // consumes it), so the embedder can drain the body while the guest still writes it.
  std::function<void(OutgoingBodyPipe& body)> attach_body;
};

class ResponseOutparam : public HostObject {
 public:
  explicit ResponseOutparam(std::shared_ptr<OutparamSlot> s) : slot(std::move(s)) {}
  std::shared_ptr<OutparamSlot> slot;
};

class IncomingResponse : public HostObject {
 public:
  uint16_t status = 0;
  FieldEntries headers;
  std::shared_ptr<IncomingBodySource> body;  // taken by consume()
};

class IncomingBody : public HostObject {
 public:
  explicit IncomingBody(std::shared_ptr<IncomingBodySource> s) : source(std::move(s)) {}
  std::shared_ptr<IncomingBodySource> source;
  bool stream_taken = false;
};

class FutureTrailers : public HostObject {
 public:
  explicit FutureTrailers(std::shared_ptr<IncomingBodySource> s) : source(std::move(s)) {}
  std::shared_ptr<IncomingBodySource> source;
  bool consumed = false;
};

// An outgoing body: dropping it without finish() leaves the body broken, which its consumer
// reports (the request fails; the incoming side answers with an error).
class OutgoingBody : public HostObject {
 public:
  explicit OutgoingBody(std::shared_ptr<OutgoingBodyPipe> p) : pipe(std::move(p)) {}
  ~OutgoingBody() override {
    if (pipe->state == OutgoingBodyPipe::State::open) {
      pipe->state = OutgoingBodyPipe::State::broken;
      if (pipe->drain) pipe->drain();
    }
  }
  std::shared_ptr<OutgoingBodyPipe> pipe;
  bool stream_taken = false;
};

class FutureIncomingResponse : public HostObject {
 public:
  explicit FutureIncomingResponse(std::variant<std::shared_ptr<PendingResponse>, ErrorCode> r)
      : pending(std::move(r)) {}
  std::variant<std::shared_ptr<PendingResponse>, ErrorCode> pending;
  bool consumed = false;
};

}  // namespace hull::wasi::http
