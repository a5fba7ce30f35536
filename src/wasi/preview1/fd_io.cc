// fd_read, fd_write, fd_pread, fd_pwrite: guest iovec arrays -> host readv/writev.
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

// Translates a guest iovec/ciovec array (8 bytes each: buf u32, len u32) into host iovecs,
// checking the array and every buffer against memory. Longer arrays than the host accepts are
// cut short (a partial transfer, which callers handle).
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

Errno finish(Call& c, ssize_t r, uint32_t p_out) {
  if (r < 0) return errno_from_host(errno);
  return c.mem.store<uint32_t>(p_out, static_cast<uint32_t>(r)) ? Errno::success : Errno::fault;
}

ssize_t retry(ssize_t (*f)(int, const iovec*, int), int fd, const std::vector<iovec>& v) {
  ssize_t r;
  do r = f(fd, v.data(), static_cast<int>(v.size()));
  while (r < 0 && errno == EINTR);
  return r;
}

}  // namespace

P1_FUNC(fd_read) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_read, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[3]), 4)) return Errno::fault;
  return finish(c, retry(readv, e->host_fd, v), u32(a[3]));
}

P1_FUNC(fd_write) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_write, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[3]), 4)) return Errno::fault;
  return finish(c, retry(writev, e->host_fd, v), u32(a[3]));
}

P1_FUNC(fd_pread) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_read | right::fd_seek, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[4]), 4)) return Errno::fault;
  if (static_cast<int64_t>(a[3]) < 0) return Errno::inval;
  ssize_t r;
  do r = preadv(e->host_fd, v.data(), static_cast<int>(v.size()), static_cast<off_t>(a[3]));
  while (r < 0 && errno == EINTR);
  return finish(c, r, u32(a[4]));
}

P1_FUNC(fd_pwrite) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_write | right::fd_seek, &e));
  std::vector<iovec> v;
  P1_TRY(gather(c, u32(a[1]), u32(a[2]), &v));
  if (!c.mem.ok(u32(a[4]), 4)) return Errno::fault;
  if (static_cast<int64_t>(a[3]) < 0) return Errno::inval;
  ssize_t r;
  do r = pwritev(e->host_fd, v.data(), static_cast<int>(v.size()), static_cast<off_t>(a[3]));
  while (r < 0 && errno == EINTR);
  return finish(c, r, u32(a[4]));
}

}  // namespace hull::wasi::p1
