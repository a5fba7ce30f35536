// path_*: every path is resolved beneath its directory fd (wasi/core/path_resolve.h); the
// operation then applies to (parent dir fd, final component) with the *at() syscalls.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "wasi/core/path_resolve.h"
#include "wasi/preview1/filestat.h"

namespace hull::wasi::p1 {

namespace {

Errno host_result(int r) { return r == 0 ? Errno::success : errno_from_host(errno); }

// The directory fd `fd` with `rights`, and the guest path at (ptr, len).
Errno dir_and_path(Call& c, uint32_t fd, Rights rights, uint32_t ptr, uint32_t len, FdEntry** e,
                   std::string* path) {
  FdEntry* d = c.state.fds.get(fd);
  if (!d) return Errno::badf;
  if (!c.mem.string(ptr, len, path)) return Errno::fault;
  if (d->type != FileType::directory) return Errno::notdir;
  if ((d->base & rights) != rights) {
    // Through a read-only preopen, mutations are not permitted (Wasmtime's answer too).
    if (d->readonly && (rights & ~d->base & right::mutating)) return Errno::perm;
    return Errno::notcapable;
  }
  *e = d;
  return Errno::success;
}

}  // namespace

P1_FUNC(path_open) {
  FdEntry* dir;
  std::string path;
  uint32_t oflags = u32(a[4]);
  uint32_t fdflags = u32(a[7]);
  Rights need = right::path_open;
  if (oflags & oflag::creat) need |= right::path_create_file;
  if (oflags & oflag::trunc) need |= right::path_filestat_set_size;
  P1_TRY(dir_and_path(c, u32(a[0]), need, u32(a[2]), u32(a[3]), &dir, &path));
  if (oflags & ~0xfu) return Errno::inval;
  if (fdflags & ~0x1fu) return Errno::inval;
  if (!c.mem.ok(u32(a[8]), 4)) return Errno::fault;
  bool follow = u32(a[1]) & kLookupSymlinkFollow;
  // Rights a new fd can hold are bounded by what the directory passes on.
  Rights base = a[5] & dir->inheriting;
  Rights inheriting = a[6] & dir->inheriting;

  int flags = 0;
  if (oflags & oflag::creat) flags |= O_CREAT;
  if (oflags & oflag::excl) flags |= O_EXCL;
  if (oflags & oflag::trunc) flags |= O_TRUNC;
  if (oflags & oflag::directory) flags |= O_DIRECTORY;
  if (fdflags & fdflag::append) flags |= O_APPEND;
  if (fdflags & fdflag::nonblock) flags |= O_NONBLOCK;
  if (fdflags & fdflag::sync) flags |= O_SYNC;
  else if (fdflags & fdflag::dsync) flags |= O_DSYNC;
  if (fdflags & fdflag::rsync) flags |= O_RSYNC;
  bool read = base & (right::fd_read | right::fd_readdir);
  bool write = (base & (right::fd_write | right::fd_datasync | right::fd_allocate |
                        right::fd_filestat_set_size)) ||
               (fdflags & fdflag::append) || (oflags & oflag::trunc);
  // Through a read-only preopen nothing may be opened for writing (asked-for write rights
  // count even though the directory would not pass them on).
  constexpr Rights kWriteRights =
      right::fd_write | right::fd_datasync | right::fd_allocate | right::fd_filestat_set_size;
  if (dir->readonly && (write || (a[5] & kWriteRights))) return Errno::perm;
  if (oflags & oflag::directory) {
    if (oflags & (oflag::creat | oflag::trunc)) return Errno::inval;
    // A directory is never writable (the kernel says the same for O_WRONLY/O_RDWR).
    if (write) return Errno::isdir;
  }
  flags |= write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  int fd = -1;
  Errno err = open_beneath(dir->host_fd, path, flags, 0666, follow, &fd);
  if (err != Errno::success) return err;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ::close(fd);
    return errno_from_host(errno);
  }
  FdEntry e;
  e.host_fd = fd;
  e.type = file_type_of_mode(st.st_mode);
  e.readonly = dir->readonly;
  if (e.type == FileType::directory) {
    e.base = base & right::directory;
    e.inheriting = inheriting;
  } else {
    e.base = base & right::regular_file;
    e.inheriting = 0;
    if (!read) e.base &= ~right::fd_read;
    if (!write) e.base &= ~(right::fd_write | right::fd_datasync | right::fd_allocate |
                            right::fd_filestat_set_size);
  }
  if (e.readonly) e.base &= ~right::mutating;
  uint32_t n = c.state.fds.insert(std::move(e));
  c.mem.store<uint32_t>(u32(a[8]), n);
  return Errno::success;
}

P1_FUNC(path_create_directory) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_create_directory, u32(a[1]), u32(a[2]), &dir,
                      &path));
  ParentDir p;
  P1_TRY(resolve_parent(dir->host_fd, path, false, &p));
  return host_result(mkdirat(p.fd, p.leaf.c_str(), 0777));
}

P1_FUNC(path_remove_directory) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_remove_directory, u32(a[1]), u32(a[2]), &dir,
                      &path));
  ParentDir p;
  P1_TRY(resolve_parent(dir->host_fd, path, false, &p));
  return host_result(unlinkat(p.fd, p.leaf.c_str(), AT_REMOVEDIR));
}

P1_FUNC(path_unlink_file) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_unlink_file, u32(a[1]), u32(a[2]), &dir,
                      &path));
  ParentDir p;
  P1_TRY(resolve_parent(dir->host_fd, path, false, &p));
  return host_result(unlinkat(p.fd, p.leaf.c_str(), 0));
}

P1_FUNC(path_filestat_get) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_filestat_get, u32(a[2]), u32(a[3]), &dir,
                      &path));
  if (!c.mem.ok(u32(a[4]), 64)) return Errno::fault;
  bool follow = u32(a[1]) & kLookupSymlinkFollow;
  int fd = -1;
  // O_PATH opens anything (even a symlink itself when not following) without touching it.
  P1_TRY(open_beneath(dir->host_fd, path, O_PATH, 0, follow, &fd));
  struct stat st;
  int r = fstat(fd, &st);
  int err = errno;
  ::close(fd);
  if (r != 0) return errno_from_host(err);
  return store_filestat(c, u32(a[4]), st);
}

P1_FUNC(path_filestat_set_times) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_filestat_set_times, u32(a[2]), u32(a[3]), &dir,
                      &path));
  timespec ts[2];
  P1_TRY(times_from_flags(a[4], a[5], u32(a[6]), ts));
  bool follow = u32(a[1]) & kLookupSymlinkFollow;
  ParentDir p;
  P1_TRY(resolve_parent(dir->host_fd, path, follow, &p));
  return host_result(utimensat(p.fd, p.leaf.c_str(), ts, AT_SYMLINK_NOFOLLOW));
}

P1_FUNC(path_link) {
  FdEntry *from, *to;
  std::string old_path, new_path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_link_source, u32(a[2]), u32(a[3]), &from,
                      &old_path));
  P1_TRY(dir_and_path(c, u32(a[4]), right::path_link_target, u32(a[5]), u32(a[6]), &to,
                      &new_path));
  bool follow = u32(a[1]) & kLookupSymlinkFollow;
  ParentDir src, dst;
  // With follow the source is resolved (beneath) to a non-symlink first, so linkat never
  // follows a link out of the sandbox.
  P1_TRY(resolve_parent(from->host_fd, old_path, follow, &src));
  P1_TRY(resolve_parent(to->host_fd, new_path, false, &dst));
  return host_result(linkat(src.fd, src.leaf.c_str(), dst.fd, dst.leaf.c_str(), 0));
}

P1_FUNC(path_rename) {
  FdEntry *from, *to;
  std::string old_path, new_path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_rename_source, u32(a[1]), u32(a[2]), &from,
                      &old_path));
  P1_TRY(dir_and_path(c, u32(a[3]), right::path_rename_target, u32(a[4]), u32(a[5]), &to,
                      &new_path));
  ParentDir src, dst;
  P1_TRY(resolve_parent(from->host_fd, old_path, false, &src));
  P1_TRY(resolve_parent(to->host_fd, new_path, false, &dst));
  return host_result(renameat(src.fd, src.leaf.c_str(), dst.fd, dst.leaf.c_str()));
}

P1_FUNC(path_symlink) {
  std::string target;
  if (!c.mem.string(u32(a[0]), u32(a[1]), &target)) return Errno::fault;
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[2]), right::path_symlink, u32(a[3]), u32(a[4]), &dir, &path));
  if (target.find('\0') != std::string::npos) return Errno::ilseq;
  // An absolute target could never be followed beneath a preopen; refuse it up front as
  // Wasmtime does.
  if (!target.empty() && target[0] == '/') return Errno::perm;
  ParentDir p;
  P1_TRY(resolve_parent(dir->host_fd, path, false, &p));
  return host_result(symlinkat(target.c_str(), p.fd, p.leaf.c_str()));
}

P1_FUNC(path_readlink) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_readlink, u32(a[1]), u32(a[2]), &dir, &path));
  uint32_t buf = u32(a[3]), buf_len = u32(a[4]);
  if (!c.mem.ok(buf, buf_len) || !c.mem.ok(u32(a[5]), 4)) return Errno::fault;
  ParentDir p;
  P1_TRY(resolve_parent(dir->host_fd, path, false, &p));
  std::vector<char> tmp(PATH_MAX + 1);
  ssize_t n = readlinkat(p.fd, p.leaf.c_str(), tmp.data(), tmp.size());
  if (n < 0) return errno_from_host(errno);
  uint32_t len = static_cast<uint32_t>(n);
  if (len > buf_len) len = buf_len;  // truncated, as readlink(2) does
  std::memcpy(c.mem.span(buf, len), tmp.data(), len);
  c.mem.store<uint32_t>(u32(a[5]), len);
  return Errno::success;
}

}  // namespace hull::wasi::p1
