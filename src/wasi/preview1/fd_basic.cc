// Descriptor-level calls: close, renumber, fdstat, seek/tell, advise, allocate, sync, prestat.
// The witx rights are checked here; the operations are the core descriptor's.
#include <unistd.h>

#include <cstring>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

namespace {

// A file fd's new position; the host's lseek rules (no negative result, no overflow).
Errno file_seek(FdEntry& e, int64_t off, uint32_t whence, uint64_t* pos) {
  uint64_t base;
  switch (whence) {
    case 0: base = 0; break;
    case 1: base = e.position; break;
    case 2: {
      FileStat st;
      P1_TRY(stat(*e.descriptor, &st));
      base = st.size;
      break;
    }
    default: return Errno::inval;
  }
  if (off < 0 && static_cast<uint64_t>(-(off + 1)) + 1 > base) return Errno::inval;
  uint64_t to = base + static_cast<uint64_t>(off);
  if (off > 0 && to > static_cast<uint64_t>(INT64_MAX)) return Errno::overflow;
  e.position = to;
  *pos = to;
  return Errno::success;
}

}  // namespace

P1_FUNC(fd_close) { return c.state.fds.close(u32(a[0])); }

P1_FUNC(fd_renumber) { return c.state.fds.renumber(u32(a[0]), u32(a[1])); }

P1_FUNC(fd_fdstat_get) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), 0, &e));
  uint16_t flags = 0;
  status_flags(*e->descriptor, &flags);  // a descriptor without status flags reports none
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
  if ((f & fdflag::append) && e->readonly) return Errno::perm;
  P1_TRY(set_status_flags(*e->descriptor, static_cast<uint16_t>(f)));
  e->fdflags = static_cast<uint16_t>(f);
  return Errno::success;
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
  if (e->kind == FdKind::directory) return Errno::badf;
  if (whence > 2) return Errno::inval;
  if (!c.mem.ok(u32(a[3]), 8)) return Errno::fault;
  uint64_t pos = 0;
  if (e->kind == FdKind::file) {
    P1_TRY(file_seek(*e, off, whence, &pos));
  } else {
    static constexpr int kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
    P1_TRY(seek_host(*e->descriptor, off, kWhence[whence], &pos));
  }
  c.mem.store<uint64_t>(u32(a[3]), pos);
  return Errno::success;
}

P1_FUNC(fd_tell) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_tell, &e));
  if (!c.mem.ok(u32(a[1]), 8)) return Errno::fault;
  uint64_t pos = e->position;
  if (e->kind != FdKind::file) P1_TRY(seek_host(*e->descriptor, 0, SEEK_CUR, &pos));
  c.mem.store<uint64_t>(u32(a[1]), pos);
  return Errno::success;
}

P1_FUNC(fd_advise) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_advise, &e));
  if (u32(a[3]) > 5) return Errno::inval;
  return advise(*e->descriptor, a[1], a[2], u32(a[3]));
}

P1_FUNC(fd_allocate) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_allocate, &e));
  return allocate(*e->descriptor, a[1], a[2]);
}

P1_FUNC(fd_datasync) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_datasync, &e));
  return sync(*e->descriptor, true);
}

P1_FUNC(fd_sync) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_sync, &e));
  return sync(*e->descriptor, false);
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
