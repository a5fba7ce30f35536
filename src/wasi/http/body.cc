// In-memory incoming bodies and the body streams.
#include "wasi/http/body.h"

#include <algorithm>

namespace hull::wasi::http {

namespace {

class MemoryBody final : public IncomingBodySource {
 public:
  MemoryBody(std::string bytes, std::optional<FieldEntries> trailers)
      : bytes_(std::move(bytes)), trailers_(std::move(trailers)) {}
  StreamStatus read(uint64_t len, std::string* out) override {
    if (at_ >= bytes_.size()) return StreamStatus::end();
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, bytes_.size() - at_));
    out->append(bytes_, at_, n);
    at_ += n;
    return StreamStatus::success();
  }
  Readiness readiness() override { return Readiness::ready(); }
  std::optional<TrailersResult> trailers() override { return TrailersResult(trailers_); }
  Readiness trailers_readiness() override { return Readiness::ready(); }

 private:
  std::string bytes_;
  size_t at_ = 0;
  std::optional<FieldEntries> trailers_;
};

class BodyInput final : public InputStream {
 public:
  explicit BodyInput(std::shared_ptr<IncomingBodySource> s) : source_(std::move(s)) {}
  StreamStatus read(uint64_t len, std::string* out) override { return source_->read(len, out); }
  Readiness readiness() override { return source_->readiness(); }

 private:
  std::shared_ptr<IncomingBodySource> source_;
};

class BodyOutput final : public OutputStream {
 public:
  explicit BodyOutput(std::shared_ptr<OutgoingBodyPipe> p) : pipe_(std::move(p)) {}

  StreamStatus check_write(uint64_t* permit) override {
    if (auto s = state(); !s.ok()) return s;
    if (pipe_->drain) pipe_->drain();
    if (pipe_->failed) return stream_failure(*pipe_->failed);
    uint64_t room = OutgoingBodyPipe::kBufferLimit -
                    std::min<uint64_t>(pipe_->buffer.size(), OutgoingBodyPipe::kBufferLimit);
    *permit = permit_ = std::min(room, kWritePermit);
    return StreamStatus::success();
  }

  StreamStatus write(std::span<const uint8_t> bytes) override {
    if (auto s = state(); !s.ok()) return s;
    if (bytes.size() > permit_) return StreamStatus::contract("write exceeded the write permit");
    permit_ -= bytes.size();
    if (pipe_->content_length && pipe_->written + bytes.size() > *pipe_->content_length) {
      // A body longer than its declared length would corrupt the message framing.
      ErrorCode e = pipe_->size_error();
      e.number = pipe_->written + bytes.size();
      pipe_->failed = e;
      return stream_failure(e);
    }
    pipe_->buffer.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    pipe_->written += bytes.size();
    if (pipe_->drain) pipe_->drain();
    if (pipe_->failed) return stream_failure(*pipe_->failed);
    return StreamStatus::success();
  }

  StreamStatus flush() override {
    if (auto s = state(); !s.ok()) return s;
    if (pipe_->drain) pipe_->drain();
    return StreamStatus::success();
  }

  Readiness readiness() override {
    if (pipe_->drain) pipe_->drain();
    if (pipe_->failed || pipe_->state != OutgoingBodyPipe::State::open) return Readiness::ready();
    if (pipe_->buffer.size() < OutgoingBodyPipe::kBufferLimit) return Readiness::ready();
    return pipe_->wait ? pipe_->wait() : Readiness::never();
  }

 private:
  StreamStatus state() const {
    if (pipe_->failed) return stream_failure(*pipe_->failed);
    if (pipe_->state != OutgoingBodyPipe::State::open) return StreamStatus::end();
    return StreamStatus::success();
  }
  std::shared_ptr<OutgoingBodyPipe> pipe_;
  uint64_t permit_ = 0;
};

}  // namespace

ErrorCode OutgoingBodyPipe::size_error() const {
  return ErrorCode::of(is_request ? ErrorCase::http_request_body_size
                                  : ErrorCase::http_response_body_size);
}

std::shared_ptr<IncomingBodySource> memory_body(std::string bytes,
                                                std::optional<FieldEntries> trailers) {
  return std::make_shared<MemoryBody>(std::move(bytes), std::move(trailers));
}

std::unique_ptr<InputStream> body_input(std::shared_ptr<IncomingBodySource> source) {
  return std::make_unique<BodyInput>(std::move(source));
}

std::unique_ptr<OutputStream> body_output(std::shared_ptr<OutgoingBodyPipe> pipe) {
  return std::make_unique<BodyOutput>(std::move(pipe));
}

}  // namespace hull::wasi::http
