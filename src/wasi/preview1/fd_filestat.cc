// fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/preview1/filestat.h"

namespace hull::wasi::p1 {

P1_FUNC(fd_filestat_get) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_filestat_get, &e));
  struct stat st;
  if (fstat(e->host_fd, &st) != 0) return errno_from_host(errno);
  return store_filestat(c, u32(a[1]), st);
}

P1_FUNC(fd_filestat_set_size) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_filestat_set_size, &e));
  if (static_cast<int64_t>(a[1]) < 0) return Errno::inval;
  return ftruncate(e->host_fd, static_cast<off_t>(a[1])) == 0 ? Errno::success
                                                              : errno_from_host(errno);
}

P1_FUNC(fd_filestat_set_times) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_filestat_set_times, &e));
  timespec ts[2];
  P1_TRY(times_from_flags(a[1], a[2], u32(a[3]), ts));
  return futimens(e->host_fd, ts) == 0 ? Errno::success : errno_from_host(errno);
}

}  // namespace hull::wasi::p1
