// fd_read, fd_write, fd_pread, fd_pwrite: guest iovecs -> the core. Files read and write at
// the fd's position through the descriptor's positional calls (append mode at the end);
// stream fds go through the core's streams, waiting on the reactor when nothing is there yet.
#include <limits.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

uint64_t total_len(const std::vector<iovec>& bufs) {
  uint64_t n = 0;
  for (const iovec& v : bufs) n += v.iov_len;
  return n;
}

// Reads what the stream has (blocking until it has something, unless the fd is non-blocking)
// into the guest's buffers: straight into a single buffer, else scattered from one read.
Errno stream_read(Call& c, FdEntry& e, const std::vector<iovec>& bufs, uint64_t* got) {
  *got = 0;
  uint64_t want = total_len(bufs);
  if (want == 0) return Errno::success;
  // Not `e` after a wait: with wasi-threads another thread may close the fd meanwhile (the
  // stream lives on as long as this reference).
  const std::shared_ptr<InputStream> input = e.input;
  const bool nonblock = e.fdflags & fdflag::nonblock;
  std::string data;
  for (;;) {
    StreamStatus s;
    if (bufs.size() == 1) {
      s = input->read_span(std::span(static_cast<uint8_t*>(bufs[0].iov_base), bufs[0].iov_len),
                           got);
      if (*got) return Errno::success;
    } else {
      s = input->read(want, &data);
      if (!data.empty()) break;
    }
    if (s.kind == StreamStatus::Kind::closed) return Errno::success;  // end of stream: 0 bytes
    if (!s.ok()) return s.code;
    if (nonblock) return Errno::again;
    Readiness r = input->readiness();
    std::vector<uint32_t> ready;
    HULL_WASI_TRY_ERRNO(wait_ready(c, std::span(&r, 1), &ready));
  }
  size_t at = 0;
  for (const iovec& v : bufs) {
    size_t n = std::min(v.iov_len, data.size() - at);
    std::memcpy(v.iov_base, data.data() + at, n);
    at += n;
    if (at == data.size()) break;
  }
  *got = at;
  return Errno::success;
}

// Writes every byte of the guest's buffers to the stream (the core's stdio streams complete
// writes synchronously), in pieces no larger than a stream's write permit.
Errno stream_write(FdEntry& e, const std::vector<iovec>& bufs, uint64_t* written) {
  *written = 0;
  for (const iovec& v : bufs) {
    const auto* p = static_cast<const uint8_t*>(v.iov_base);
    for (size_t done = 0; done < v.iov_len;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(v.iov_len - done, kWritePermit));
      StreamStatus s = e.output->write(std::span(p + done, n));
      // The reader went away: preview 1 says so with `pipe`, after whatever got through.
      if (s.kind == StreamStatus::Kind::closed) return *written ? Errno::success : Errno::pipe;
      if (!s.ok()) return *written ? Errno::success : s.code;
      done += n;
      *written += n;
    }
  }
  return Errno::success;
}

Errno store_count(Call& c, uint32_t p, uint64_t n) {
  return c.mem.store<uint32_t>(p, static_cast<uint32_t>(n)) ? Errno::success : Errno::fault;
}

}  // namespace

Errno gather(Call& c, uint32_t iovs, uint32_t n, std::vector<iovec>* out) {
  if (!c.mem.ok(iovs, 8ull * n)) return Errno::fault;
  if (n > IOV_MAX) n = IOV_MAX;
  out->reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t buf, len;
    c.mem.load(iovs + 8 * i, &buf);
    c.mem.load(iovs + 8 * i + 4, &len);
    uint8_t* p = c.mem.span(buf, len);
    if (!p && len) return Errno::fault;
    if (len) out->push_back(iovec{p, len});
  }
  return Errno::success;
}

P1_FUNC(fd_read) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_read, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[3]), 4)) return Errno::fault;
  uint64_t n = 0;
  switch (e->kind) {
    case FdKind::file:
      P1_TRY(read_vec_at(*e->descriptor, v, e->position, &n));
      e->position += n;
      break;
    case FdKind::directory: return Errno::isdir;
    case FdKind::stream: P1_TRY(stream_read(c, *e, v, &n)); break;
    case FdKind::socket: P1_TRY(socket_read(*e, v, &n)); break;
  }
  return store_count(c, u32(a[3]), n);
}

P1_FUNC(fd_write) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_write, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[3]), 4)) return Errno::fault;
  uint64_t n = 0;
  switch (e->kind) {
    case FdKind::file:
      if (e->fdflags & fdflag::append) {
        P1_TRY(append_vec(*e->descriptor, v, &n, &e->position));
      } else {
        P1_TRY(write_vec_at(*e->descriptor, v, e->position, &n));
        e->position += n;
      }
      break;
    case FdKind::directory: return Errno::isdir;
    case FdKind::stream: P1_TRY(stream_write(*e, v, &n)); break;
    case FdKind::socket: P1_TRY(socket_write(*e, v, &n)); break;
  }
  return store_count(c, u32(a[3]), n);
}

// Positional reads and writes leave the fd's position alone; on stream and socket fds the
// host answers (spipe for pipes and terminals, as before).
P1_FUNC(fd_pread) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_read | right::fd_seek, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[4]), 4)) return Errno::fault;
  if (static_cast<int64_t>(a[3]) < 0) return Errno::inval;
  uint64_t n = 0;
  P1_TRY(read_vec_at(*e->descriptor, v, a[3], &n));
  return store_count(c, u32(a[4]), n);
}

P1_FUNC(fd_pwrite) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_write | right::fd_seek, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[4]), 4)) return Errno::fault;
  if (static_cast<int64_t>(a[3]) < 0) return Errno::inval;
  uint64_t n = 0;
  P1_TRY(write_vec_at(*e->descriptor, v, a[3], &n));
  return store_count(c, u32(a[4]), n);
}

}  // namespace hull::wasi::p1
