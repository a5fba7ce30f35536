// Stream implementations over host descriptors and memory.
#include "wasi/core/streams.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hull::wasi {

namespace {

// Host reads are capped so one guest call cannot make the host allocate without bound.
constexpr uint64_t kMaxReadChunk = 1 << 20;

bool poll_ready(int fd, short events) {
  pollfd p{fd, events, 0};
  int n = ::poll(&p, 1, 0);
  return n != 0;  // ready, or an error the operation will report
}

StreamStatus read_into(int fd, uint64_t len, std::string* out, bool positional, uint64_t offset,
                       uint64_t* got) {
  size_t want = static_cast<size_t>(std::min(len, kMaxReadChunk));
  size_t base = out->size();
  out->resize(base + want);
  for (;;) {
    ssize_t n = positional ? pread(fd, out->data() + base, want, static_cast<off_t>(offset))
                           : ::read(fd, out->data() + base, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      out->resize(base);
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        *got = 0;
        return StreamStatus::success();
      }
      return StreamStatus::host_failure(errno, "read");
    }
    out->resize(base + static_cast<size_t>(n));
    *got = static_cast<uint64_t>(n);
    if (n == 0 && want > 0) return StreamStatus::end();
    return StreamStatus::success();
  }
}

StreamStatus write_all(int fd, std::span<const uint8_t> bytes, bool positional, uint64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = positional ? pwrite(fd, bytes.data() + done, bytes.size() - done,
                                    static_cast<off_t>(offset + done))
                           : ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // A non-blocking descriptor someone else shares: wait rather than lose bytes.
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    if (n < 0) {
      if (errno == EPIPE) return StreamStatus::end();
      return StreamStatus::host_failure(errno, "write");
    }
    done += static_cast<size_t>(n);
  }
  return StreamStatus::success();
}

class FdInput final : public InputStream {
 public:
  explicit FdInput(std::shared_ptr<HostFd> fd) : fd_(std::move(fd)) {}
  StreamStatus read(uint64_t len, std::string* out) override {
    if (closed_) return StreamStatus::end();
    if (len == 0) return StreamStatus::success();
    // Inherited descriptors stay blocking (the host shares them); read only when ready.
    if (!poll_ready(fd_->fd, POLLIN)) return StreamStatus::success();
    uint64_t got = 0;
    StreamStatus s = read_into(fd_->fd, len, out, false, 0, &got);
    if (s.kind == StreamStatus::Kind::closed) closed_ = true;
    return s;
  }
  Readiness readiness() override {
    return closed_ ? Readiness::ready() : Readiness::readable(fd_->fd);
  }
  StreamStatus read_span(std::span<uint8_t> buf, uint64_t* got) override {
    *got = 0;
    if (closed_) return StreamStatus::end();
    if (buf.empty() || !poll_ready(fd_->fd, POLLIN)) return StreamStatus::success();
    ssize_t n;
    do {
      n = ::read(fd_->fd, buf.data(), std::min<size_t>(buf.size(), kMaxReadChunk));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return StreamStatus::success();
      return StreamStatus::host_failure(errno, "read");
    }
    if (n == 0) {
      closed_ = true;
      return StreamStatus::end();
    }
    *got = static_cast<uint64_t>(n);
    return StreamStatus::success();
  }

 private:
  std::shared_ptr<HostFd> fd_;
  bool closed_ = false;
};

class FdOutput final : public OutputStream {
 public:
  explicit FdOutput(std::shared_ptr<HostFd> fd) : fd_(std::move(fd)) {}
  StreamStatus check_write(uint64_t* permit) override {
    if (closed_) return StreamStatus::end();
    *permit = kWritePermit;
    return StreamStatus::success();
  }
  StreamStatus write(std::span<const uint8_t> bytes) override {
    if (closed_) return StreamStatus::end();
    if (bytes.size() > kWritePermit) return StreamStatus::contract("write exceeded permit");
    StreamStatus s = write_all(fd_->fd, bytes, false, 0);
    if (s.kind == StreamStatus::Kind::closed) closed_ = true;
    return s;
  }
  Readiness readiness() override { return Readiness::ready(); }

 private:
  std::shared_ptr<HostFd> fd_;
  bool closed_ = false;
};

class FileInput final : public InputStream {
 public:
  FileInput(std::shared_ptr<HostFd> fd, uint64_t offset) : fd_(std::move(fd)), offset_(offset) {}
  StreamStatus read(uint64_t len, std::string* out) override {
    if (closed_) return StreamStatus::end();
    if (len == 0) return StreamStatus::success();
    uint64_t got = 0;
    StreamStatus s = read_into(fd_->fd, len, out, true, offset_, &got);
    offset_ += got;
    if (s.kind == StreamStatus::Kind::closed) closed_ = true;
    return s;
  }
  Readiness readiness() override { return Readiness::ready(); }

 private:
  std::shared_ptr<HostFd> fd_;
  uint64_t offset_;
  bool closed_ = false;
};

class FileOutput final : public OutputStream {
 public:
  FileOutput(std::shared_ptr<HostFd> fd, uint64_t offset, bool append)
      : fd_(std::move(fd)), offset_(offset), append_(append) {}
  StreamStatus check_write(uint64_t* permit) override {
    *permit = kWritePermit;
    return StreamStatus::success();
  }
  StreamStatus write(std::span<const uint8_t> bytes) override {
    if (bytes.size() > kWritePermit) return StreamStatus::contract("write exceeded permit");
    if (append_) {
      // The descriptor's own position is not the guest's (descriptors have none in WASI 0.2),
      // so appending seeks to the end under the same descriptor each time.
      off_t end = lseek(fd_->fd, 0, SEEK_END);
      if (end < 0) return StreamStatus::host_failure(errno, "append");
      return write_all(fd_->fd, bytes, true, static_cast<uint64_t>(end));
    }
    StreamStatus s = write_all(fd_->fd, bytes, true, offset_);
    if (s.ok()) offset_ += bytes.size();
    return s;
  }
  Readiness readiness() override { return Readiness::ready(); }

 private:
  std::shared_ptr<HostFd> fd_;
  uint64_t offset_;
  bool append_;
};

class MemoryInput final : public InputStream {
 public:
  explicit MemoryInput(std::string bytes) : bytes_(std::move(bytes)) {}
  StreamStatus read(uint64_t len, std::string* out) override {
    if (pos_ >= bytes_.size()) return StreamStatus::end();
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, bytes_.size() - pos_));
    out->append(bytes_, pos_, n);
    pos_ += n;
    return StreamStatus::success();
  }
  Readiness readiness() override { return Readiness::ready(); }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

class MemoryOutput final : public OutputStream {
 public:
  explicit MemoryOutput(std::shared_ptr<std::string> sink) : sink_(std::move(sink)) {}
  StreamStatus check_write(uint64_t* permit) override {
    *permit = kWritePermit;
    return StreamStatus::success();
  }
  StreamStatus write(std::span<const uint8_t> bytes) override {
    if (bytes.size() > kWritePermit) return StreamStatus::contract("write exceeded permit");
    if (sink_) sink_->append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return StreamStatus::success();
  }
  Readiness readiness() override { return Readiness::ready(); }

 private:
  std::shared_ptr<std::string> sink_;
};

}  // namespace

StreamStatus StreamStatus::host_failure(int host_errno, const char* what) {
  return failure(errno_from_host(host_errno), std::string(what) + ": " + std::strerror(host_errno));
}

StreamStatus InputStream::read_span(std::span<uint8_t> buf, uint64_t* got) {
  std::string data;
  StreamStatus s = read(buf.size(), &data);
  std::memcpy(buf.data(), data.data(), data.size());
  *got = data.size();
  return s;
}

HostFd::~HostFd() {
  if (owned && fd >= 0) ::close(fd);
}

std::unique_ptr<InputStream> fd_input(std::shared_ptr<HostFd> fd) {
  return std::make_unique<FdInput>(std::move(fd));
}
std::unique_ptr<OutputStream> fd_output(std::shared_ptr<HostFd> fd) {
  return std::make_unique<FdOutput>(std::move(fd));
}
std::unique_ptr<InputStream> file_input(std::shared_ptr<HostFd> fd, uint64_t offset) {
  return std::make_unique<FileInput>(std::move(fd), offset);
}
std::unique_ptr<OutputStream> file_output(std::shared_ptr<HostFd> fd, uint64_t offset,
                                          bool append) {
  return std::make_unique<FileOutput>(std::move(fd), offset, append);
}
std::unique_ptr<InputStream> closed_input() { return std::make_unique<MemoryInput>(""); }
std::unique_ptr<InputStream> memory_input(std::string bytes) {
  return std::make_unique<MemoryInput>(std::move(bytes));
}
std::unique_ptr<OutputStream> memory_output(std::shared_ptr<std::string> sink) {
  return std::make_unique<MemoryOutput>(std::move(sink));
}

}  // namespace hull::wasi
