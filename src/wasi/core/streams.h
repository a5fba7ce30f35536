// Byte streams over host resources, independent of any ABI: what wasi:io/streams'
// input-stream and output-stream (and, later, preview 1's fd_read/fd_write on the same core)
// operate on. Every operation is non-blocking except where it says so; readiness() tells the
// reactor what to wait for before trying again.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "wasi/core/errno.h"
#include "wasi/core/reactor.h"
#include "wasi/core/resource_table.h"

namespace hull::wasi {

// The outcome of a stream operation.
struct StreamStatus {
  enum class Kind : uint8_t {
    ok,
    closed,  // end of stream / the other end went away: no more operations will succeed
    failed,  // the operation failed; `code` and `message` say why
    trap,    // the guest broke the interface's contract (e.g. wrote past its permit)
  };
  Kind kind = Kind::ok;
  Errno code = Errno::success;
  std::string message;

  static StreamStatus success() { return {}; }
  static StreamStatus end() { return {Kind::closed, Errno::success, {}}; }
  static StreamStatus failure(Errno code, std::string message) {
    return {Kind::failed, code, std::move(message)};
  }
  static StreamStatus host_failure(int host_errno, const char* what);
  static StreamStatus contract(std::string message) {
    return {Kind::trap, Errno::inval, std::move(message)};
  }
  bool ok() const { return kind == Kind::ok; }
};

// A host descriptor shared by the objects that use it (a file's descriptor and the streams
// opened on it); closed with the last of them unless borrowed (stdio).
struct HostFd {
  int fd = -1;
  bool owned = true;
  explicit HostFd(int f, bool own = true) : fd(f), owned(own) {}
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  ~HostFd();
};

class InputStream : public HostObject {
 public:
  // Appends up to `len` bytes that are available now (possibly none).
  virtual StreamStatus read(uint64_t len, std::string* out) = 0;
  // What to wait for before read() can make progress.
  virtual Readiness readiness() = 0;
  // read() straight into `buf` (up to its size); `*got` says how many bytes arrived. Streams
  // over host descriptors read without an intermediate copy (preview 1's fd_read).
  virtual StreamStatus read_span(std::span<uint8_t> buf, uint64_t* got);
};

class OutputStream : public HostObject {
 public:
  // How many bytes write() accepts now (0: wait for readiness()).
  virtual StreamStatus check_write(uint64_t* permit) = 0;
  // Writes all of `bytes` (at most the last permit; more is a contract trap).
  virtual StreamStatus write(std::span<const uint8_t> bytes) = 0;
  virtual StreamStatus flush() { return StreamStatus::success(); }
  virtual Readiness readiness() = 0;
};

// What write() accepts at once from streams that complete writes synchronously.
constexpr uint64_t kWritePermit = 1 << 20;

// A pipe, socket, terminal or other descriptor read as it becomes readable (stdin).
std::unique_ptr<InputStream> fd_input(std::shared_ptr<HostFd> fd);
// A descriptor written synchronously (stdout, stderr, pipes): write() completes the write.
std::unique_ptr<OutputStream> fd_output(std::shared_ptr<HostFd> fd);
// A file read from `offset` on with pread (the file's own position is untouched).
std::unique_ptr<InputStream> file_input(std::shared_ptr<HostFd> fd, uint64_t offset);
// A file written at `offset` on with pwrite, or appended to when `append`.
std::unique_ptr<OutputStream> file_output(std::shared_ptr<HostFd> fd, uint64_t offset, bool append);
// An input that is at its end at once (stdin of a guest given none).
std::unique_ptr<InputStream> closed_input();
// An input serving `bytes` and then its end.
std::unique_ptr<InputStream> memory_input(std::string bytes);
// An output appending to `sink` (captured output for embedders), or discarding when null.
std::unique_ptr<OutputStream> memory_output(std::shared_ptr<std::string> sink);

}  // namespace hull::wasi
