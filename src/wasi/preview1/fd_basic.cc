// Descriptor-level calls: close, renumber, fdstat, seek/tell, advise, allocate, sync, prestat.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {
Errno host_result(int r) { return r == 0 ? Errno::success : errno_from_host(errno); }
}  // namespace

P1_FUNC(fd_close) { return c.state.fds.close(u32(a[0])); }

P1_FUNC(fd_renumber) { return c.state.fds.renumber(u32(a[0]), u32(a[1])); }

P1_FUNC(fd_fdstat_get) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), 0, &e));
  uint16_t flags = 0;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl >= 0) {
    if (fl & O_APPEND) flags |= fdflag::append;
    if (fl & O_NONBLOCK) flags |= fdflag::nonblock;
    if ((fl & O_SYNC) == O_SYNC) flags |= fdflag::sync | fdflag::rsync;
    else if (fl & O_DSYNC) flags |= fdflag::dsync;
  }
  uint32_t p = u32(a[1]);
  if (!c.mem.ok(p, 24)) return Errno::fault;
  c.mem.store<uint8_t>(p, static_cast<uint8_t>(e->type));
  c.mem.store<uint8_t>(p + 1, 0);
  c.mem.store<uint16_t>(p + 2, flags);
  c.mem.store<uint32_t>(p + 4, 0);
  c.mem.store<uint64_t>(p + 8, e->base);
  c.mem.store<uint64_t>(p + 16, e->inheriting);
  return Errno::success;
}

P1_FUNC(fd_fdstat_set_flags) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_fdstat_set_flags, &e));
  uint32_t f = u32(a[1]);
  if (f & ~0x1fu) return Errno::inval;
  // Linux cannot change O_SYNC/O_DSYNC after open (F_SETFL ignores them).
  if (f & (fdflag::dsync | fdflag::rsync | fdflag::sync)) return Errno::notsup;
  if ((f & fdflag::append) && e->readonly) return Errno::perm;
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return errno_from_host(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (f & fdflag::append) fl |= O_APPEND;
  if (f & fdflag::nonblock) fl |= O_NONBLOCK;
  return host_result(fcntl(e->host_fd, F_SETFL, fl));
}

P1_FUNC(fd_fdstat_set_rights) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), 0, &e));
  Rights base = a[1], inh = a[2];
  // Rights can only be dropped, never gained.
  if ((base & ~e->base) || (inh & ~e->inheriting)) return Errno::notcapable;
  e->base = base;
  e->inheriting = inh;
  return Errno::success;
}

P1_FUNC(fd_seek) {
  uint32_t fd = u32(a[0]);
  int64_t off = static_cast<int64_t>(a[1]);
  uint32_t whence = u32(a[2]);
  // A zero-offset relative seek only reads the position: fd_tell is enough for it.
  Rights need = (off == 0 && whence == 1) ? right::fd_tell : right::fd_seek;
  FdEntry* e;
  P1_TRY(get_fd(c, fd, need, &e));
  if (e->type == FileType::directory) return Errno::badf;
  int w;
  switch (whence) {
    case 0: w = SEEK_SET; break;
    case 1: w = SEEK_CUR; break;
    case 2: w = SEEK_END; break;
    default: return Errno::inval;
  }
  if (!c.mem.ok(u32(a[3]), 8)) return Errno::fault;
  off_t r = lseek(e->host_fd, off, w);
  if (r < 0) return errno_from_host(errno);
  c.mem.store<uint64_t>(u32(a[3]), static_cast<uint64_t>(r));
  return Errno::success;
}

P1_FUNC(fd_tell) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_tell, &e));
  if (!c.mem.ok(u32(a[1]), 8)) return Errno::fault;
  off_t r = lseek(e->host_fd, 0, SEEK_CUR);
  if (r < 0) return errno_from_host(errno);
  c.mem.store<uint64_t>(u32(a[1]), static_cast<uint64_t>(r));
  return Errno::success;
}

P1_FUNC(fd_advise) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_advise, &e));
  static const int kAdvice[] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  uint32_t adv = u32(a[3]);
  if (adv > 5) return Errno::inval;
  if (e->type == FileType::directory) return Errno::badf;
  int r = posix_fadvise(e->host_fd, static_cast<off_t>(a[1]), static_cast<off_t>(a[2]),
                        kAdvice[adv]);
  return r == 0 ? Errno::success : errno_from_host(r);
}

P1_FUNC(fd_allocate) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_allocate, &e));
  if (e->type == FileType::directory) return Errno::badf;
  int r = posix_fallocate(e->host_fd, static_cast<off_t>(a[1]), static_cast<off_t>(a[2]));
  return r == 0 ? Errno::success : errno_from_host(r);
}

P1_FUNC(fd_datasync) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_datasync, &e));
  return host_result(fdatasync(e->host_fd));
}

P1_FUNC(fd_sync) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_sync, &e));
  return host_result(fsync(e->host_fd));
}

P1_FUNC(fd_prestat_get) {
  FdEntry* e = c.state.fds.get(u32(a[0]));
  if (!e || !e->preopen) return Errno::badf;
  uint32_t p = u32(a[1]);
  if (!c.mem.ok(p, 8)) return Errno::fault;
  c.mem.store<uint32_t>(p, 0);  // tag 0 = dir (and zeroed padding)
  c.mem.store<uint32_t>(p + 4, static_cast<uint32_t>(e->guest_path.size()));
  return Errno::success;
}

P1_FUNC(fd_prestat_dir_name) {
  FdEntry* e = c.state.fds.get(u32(a[0]));
  if (!e || !e->preopen) return Errno::badf;
  uint32_t len = u32(a[2]);
  if (len < e->guest_path.size()) return Errno::nametoolong;
  uint8_t* dst = c.mem.span(u32(a[1]), e->guest_path.size());
  if (!dst) return Errno::fault;
  std::memcpy(dst, e->guest_path.data(), e->guest_path.size());
  return Errno::success;
}

}  // namespace hull::wasi::p1
