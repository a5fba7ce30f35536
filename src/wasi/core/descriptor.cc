// Descriptor operations: the permission rules of wasi:filesystem (a descriptor's flags bound
// what it and the descriptors opened through it may do; directory changes need
// mutate-directory) on top of beneath-the-base path resolution.
#include "wasi/core/descriptor.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "wasi/core/dir_list.h"
#include "wasi/core/path_resolve.h"

namespace hull::wasi {

namespace {

Errno host_result(int r) { return r == 0 ? Errno::success : errno_from_host(errno); }

// Directory operations need a directory; changes to it need mutate-directory.
Errno dir_for(const Descriptor& d, bool mutate) {
  if (!d.is_dir()) return Errno::notdir;
  if (mutate && !d.can(dflag::mutate_directory)) return Errno::perm;
  return Errno::success;
}

// File data operations need a non-directory descriptor opened for `flag`.
Errno file_for(const Descriptor& d, uint32_t flag) {
  if (d.is_dir()) return Errno::badf;
  if (!d.can(flag)) return Errno::badf;
  return Errno::success;
}

Timestamp ts_of(const timespec& t) {
  return {static_cast<uint64_t>(t.tv_sec), static_cast<uint32_t>(t.tv_nsec)};
}

Errno to_timespec(const NewTimestamp& t, timespec* out) {
  switch (t.kind) {
    case NewTimestamp::Kind::no_change: out->tv_sec = 0, out->tv_nsec = UTIME_OMIT; break;
    case NewTimestamp::Kind::now: out->tv_sec = 0, out->tv_nsec = UTIME_NOW; break;
    case NewTimestamp::Kind::timestamp:
      if (t.at.nanoseconds >= 1000000000u) return Errno::inval;
      if (t.at.seconds > static_cast<uint64_t>(INT64_MAX)) return Errno::overflow;
      out->tv_sec = static_cast<time_t>(t.at.seconds);
      out->tv_nsec = static_cast<long>(t.at.nanoseconds);
      break;
  }
  return Errno::success;
}

uint64_t mix64(uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

MetadataHash hash_of(const struct stat& st) {
  // Same object <=> same (device, inode); the hash mixes both so values look unrelated.
  uint64_t dev = static_cast<uint64_t>(st.st_dev), ino = static_cast<uint64_t>(st.st_ino);
  return {mix64(dev * 0x9e3779b97f4a7c15ull ^ ino), mix64(ino + 0x632be59bd9b4e019ull) ^ dev};
}

Errno stat_path(const Descriptor& dir, bool follow, std::string_view path, struct stat* st) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, false));
  int fd = -1;
  // O_PATH opens anything (a symlink itself when not following) without touching it.
  HULL_WASI_TRY_ERRNO(open_beneath(dir.host_fd(), path, O_PATH, 0, follow, &fd));
  int r = fstat(fd, st);
  int err = errno;
  ::close(fd);
  return r == 0 ? Errno::success : errno_from_host(err);
}

}  // namespace

DescriptorType descriptor_type_of_mode(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return DescriptorType::regular_file;
    case S_IFDIR: return DescriptorType::directory;
    case S_IFCHR: return DescriptorType::character_device;
    case S_IFBLK: return DescriptorType::block_device;
    case S_IFLNK: return DescriptorType::symbolic_link;
    case S_IFSOCK: return DescriptorType::socket;
    case S_IFIFO: return DescriptorType::fifo;
    default: return DescriptorType::unknown;
  }
}

DescriptorStat descriptor_stat_of(const struct stat& st) {
  DescriptorStat s;
  s.type = descriptor_type_of_mode(st.st_mode);
  s.link_count = static_cast<uint64_t>(st.st_nlink);
  s.size = static_cast<uint64_t>(st.st_size);
  s.access = ts_of(st.st_atim);
  s.modification = ts_of(st.st_mtim);
  s.status_change = ts_of(st.st_ctim);
  return s;
}

Errno open_preopen(const std::string& host_path, bool readonly, std::unique_ptr<Descriptor>* out) {
  int fd = ::open(host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_from_host(errno);
  uint32_t flags = dflag::read | (readonly ? 0 : dflag::mutate_directory);
  *out =
      std::make_unique<Descriptor>(std::make_shared<HostFd>(fd), DescriptorType::directory, flags);
  return Errno::success;
}

Errno open_at(const Descriptor& dir, bool follow, std::string_view path, uint32_t open_flags,
              uint32_t flags, std::unique_ptr<Descriptor>* out) {
  return open_at(dir, follow, path, open_flags, flags, OpenModes{}, out);
}

Errno open_at(const Descriptor& dir, bool follow, std::string_view path, uint32_t open_flags,
              uint32_t flags, const OpenModes& modes, std::unique_ptr<Descriptor>* out) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, false));
  if (open_flags & ~0xfu) return Errno::inval;
  bool want_write = flags & dflag::write;
  bool creates = open_flags & (oflag2::create | oflag2::truncate);
  // Through a directory that may not be changed, nothing is created, truncated or opened for
  // writing (Wasmtime's rule; the guest sees not-permitted).
  if ((want_write || creates) && !dir.can(dflag::mutate_directory)) return Errno::perm;
  if ((open_flags & oflag2::directory) &&
      (open_flags & (oflag2::create | oflag2::exclusive | oflag2::truncate))) {
    return Errno::inval;
  }
  int oflags = O_CLOEXEC | O_NOCTTY;
  if (open_flags & oflag2::create) oflags |= O_CREAT;
  if (open_flags & oflag2::exclusive) oflags |= O_EXCL;
  if (open_flags & oflag2::truncate) oflags |= O_TRUNC;
  if (open_flags & oflag2::directory) oflags |= O_DIRECTORY;
  if (flags & dflag::file_integrity_sync)
    oflags |= O_SYNC;
  else if (flags & dflag::data_integrity_sync)
    oflags |= O_DSYNC;
  if (flags & dflag::requested_write_sync) oflags |= O_RSYNC;
  if (modes.append) oflags |= O_APPEND;
  if (modes.nonblock) oflags |= O_NONBLOCK;
  bool want_read = flags & dflag::read;
  oflags |= want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;
  int fd = -1;
  Errno err = open_beneath(dir.host_fd(), path, oflags, 0666, follow, &fd);
  // Opening a directory for writing: the kernel's EISDIR is the answer; a symlink not
  // followed opens as `loop` here (wasi:filesystem says so too).
  if (err != Errno::success) return err;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return errno_from_host(e);
  }
  DescriptorType type = descriptor_type_of_mode(st.st_mode);
  uint32_t got = flags & (dflag::read | dflag::write | dflag::file_integrity_sync |
                          dflag::data_integrity_sync | dflag::requested_write_sync);
  if (type == DescriptorType::directory) {
    // A directory opened through another has that one's directory rights, whatever the
    // flags asked (as in Wasmtime, where guests such as the preview 1 adapter rely on it).
    got = dflag::read | (dir.flags() & dflag::mutate_directory);
  }
  *out = std::make_unique<Descriptor>(std::make_shared<HostFd>(fd), type, got);
  return Errno::success;
}

Errno read_at(const Descriptor& d, uint64_t len, uint64_t offset, std::string* out, bool* at_end) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::read));
  if (offset > static_cast<uint64_t>(INT64_MAX)) return Errno::inval;
  constexpr uint64_t kMaxRead = 1 << 20;  // a guest asks for at most this much per call
  size_t want = static_cast<size_t>(std::min(len, kMaxRead));
  out->resize(want);
  ssize_t n;
  do {
    n = pread(d.host_fd(), out->data(), want, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    out->clear();
    return errno_from_host(errno);
  }
  out->resize(static_cast<size_t>(n));
  *at_end = n == 0 && want > 0;
  return Errno::success;
}

Errno write_at(const Descriptor& d, std::string_view bytes, uint64_t offset, uint64_t* written) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::write));
  if (offset > static_cast<uint64_t>(INT64_MAX)) return Errno::inval;
  ssize_t n;
  do {
    n = pwrite(d.host_fd(), bytes.data(), bytes.size(), static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_from_host(errno);
  *written = static_cast<uint64_t>(n);
  return Errno::success;
}

Errno read_via_stream(const Descriptor& d, uint64_t offset, std::unique_ptr<InputStream>* out) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::read));
  *out = file_input(d.shared_fd(), offset);
  return Errno::success;
}

Errno write_via_stream(const Descriptor& d, uint64_t offset, bool append,
                       std::unique_ptr<OutputStream>* out) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::write));
  *out = file_output(d.shared_fd(), offset, append);
  return Errno::success;
}

Errno advise(const Descriptor& d, uint64_t offset, uint64_t len, uint32_t advice) {
  if (d.is_dir()) return Errno::badf;
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (advice >= 6) return Errno::inval;
  if (offset > static_cast<uint64_t>(INT64_MAX) || len > static_cast<uint64_t>(INT64_MAX)) {
    return Errno::inval;
  }
  int r = posix_fadvise(d.host_fd(), static_cast<off_t>(offset), static_cast<off_t>(len),
                        kAdvice[advice]);
  return r == 0 ? Errno::success : errno_from_host(r);
}

Errno sync(const Descriptor& d, bool data_only) {
  int r = data_only ? fdatasync(d.host_fd()) : fsync(d.host_fd());
  // A directory or device without sync support: nothing to make durable.
  if (r != 0 && errno == EINVAL) return Errno::success;
  return host_result(r);
}

Errno set_size(const Descriptor& d, uint64_t size) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::write));
  if (size > static_cast<uint64_t>(INT64_MAX)) return Errno::fbig;
  return host_result(ftruncate(d.host_fd(), static_cast<off_t>(size)));
}

Errno set_times(const Descriptor& d, const NewTimestamp& atim, const NewTimestamp& mtim) {
  bool allowed = d.is_dir() ? d.can(dflag::mutate_directory) : d.can(dflag::write);
  if (!allowed) return Errno::perm;
  timespec ts[2];
  HULL_WASI_TRY_ERRNO(to_timespec(atim, &ts[0]));
  HULL_WASI_TRY_ERRNO(to_timespec(mtim, &ts[1]));
  return host_result(futimens(d.host_fd(), ts));
}

Errno stat(const Descriptor& d, DescriptorStat* out) {
  struct stat st;
  if (fstat(d.host_fd(), &st) != 0) return errno_from_host(errno);
  *out = descriptor_stat_of(st);
  return Errno::success;
}

Errno read_directory(const Descriptor& d, std::unique_ptr<DirectoryEntries>* out) {
  HULL_WASI_TRY_ERRNO(dir_for(d, false));
  std::vector<DirEntry> all;
  HULL_WASI_TRY_ERRNO(read_directory_all(d, &all));
  std::erase_if(all, [](const DirEntry& x) { return x.name == "." || x.name == ".."; });
  *out = std::make_unique<DirectoryEntries>(std::move(all));
  return Errno::success;
}

Errno metadata_hash(const Descriptor& d, MetadataHash* out) {
  struct stat st;
  if (fstat(d.host_fd(), &st) != 0) return errno_from_host(errno);
  *out = hash_of(st);
  return Errno::success;
}

bool is_same_object(const Descriptor& a, const Descriptor& b) {
  struct stat sa, sb;
  if (fstat(a.host_fd(), &sa) != 0 || fstat(b.host_fd(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

Errno stat_at(const Descriptor& dir, bool follow, std::string_view path, DescriptorStat* out) {
  struct stat st;
  HULL_WASI_TRY_ERRNO(stat_path(dir, follow, path, &st));
  *out = descriptor_stat_of(st);
  return Errno::success;
}

Errno metadata_hash_at(const Descriptor& dir, bool follow, std::string_view path,
                       MetadataHash* out) {
  struct stat st;
  HULL_WASI_TRY_ERRNO(stat_path(dir, follow, path, &st));
  *out = hash_of(st);
  return Errno::success;
}

Errno set_times_at(const Descriptor& dir, bool follow, std::string_view path,
                   const NewTimestamp& atim, const NewTimestamp& mtim) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, true));
  timespec ts[2];
  HULL_WASI_TRY_ERRNO(to_timespec(atim, &ts[0]));
  HULL_WASI_TRY_ERRNO(to_timespec(mtim, &ts[1]));
  ParentDir p;
  HULL_WASI_TRY_ERRNO(resolve_parent(dir.host_fd(), path, follow, &p));
  return host_result(utimensat(p.fd, p.leaf.c_str(), ts, AT_SYMLINK_NOFOLLOW));
}

Errno create_directory_at(const Descriptor& dir, std::string_view path) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, true));
  ParentDir p;
  HULL_WASI_TRY_ERRNO(resolve_parent(dir.host_fd(), path, false, &p));
  return host_result(mkdirat(p.fd, p.leaf.c_str(), 0777));
}

Errno remove_directory_at(const Descriptor& dir, std::string_view path) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, true));
  ParentDir p;
  HULL_WASI_TRY_ERRNO(resolve_parent(dir.host_fd(), path, false, &p));
  return host_result(unlinkat(p.fd, p.leaf.c_str(), AT_REMOVEDIR));
}

Errno unlink_file_at(const Descriptor& dir, std::string_view path) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, true));
  ParentDir p;
  HULL_WASI_TRY_ERRNO(resolve_parent(dir.host_fd(), path, false, &p));
  return host_result(unlinkat(p.fd, p.leaf.c_str(), 0));
}

Errno readlink_at(const Descriptor& dir, std::string_view path, std::string* out) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, false));
  ParentDir p;
  HULL_WASI_TRY_ERRNO(resolve_parent(dir.host_fd(), path, false, &p));
  std::string buf(PATH_MAX + 1, '\0');
  ssize_t n = readlinkat(p.fd, p.leaf.c_str(), buf.data(), buf.size());
  if (n < 0) return errno_from_host(errno);
  buf.resize(static_cast<size_t>(n));
  *out = std::move(buf);
  return Errno::success;
}

Errno symlink_at(const Descriptor& dir, std::string_view target, std::string_view path) {
  HULL_WASI_TRY_ERRNO(dir_for(dir, true));
  if (target.find('\0') != std::string_view::npos) return Errno::ilseq;
  // An absolute target could never be followed beneath a preopen; refuse it up front as
  // Wasmtime does.
  if (!target.empty() && target[0] == '/') return Errno::perm;
  ParentDir p;
  HULL_WASI_TRY_ERRNO(resolve_parent(dir.host_fd(), path, false, &p));
  return host_result(symlinkat(std::string(target).c_str(), p.fd, p.leaf.c_str()));
}

Errno link_at(const Descriptor& from, bool follow, std::string_view old_path, const Descriptor& to,
              std::string_view new_path) {
  HULL_WASI_TRY_ERRNO(dir_for(from, true));
  HULL_WASI_TRY_ERRNO(dir_for(to, true));
  ParentDir src, dst;
  // With follow the source is resolved (beneath) to a non-symlink first, so linkat never
  // follows a link out of the sandbox.
  HULL_WASI_TRY_ERRNO(resolve_parent(from.host_fd(), old_path, follow, &src));
  HULL_WASI_TRY_ERRNO(resolve_parent(to.host_fd(), new_path, false, &dst));
  return host_result(linkat(src.fd, src.leaf.c_str(), dst.fd, dst.leaf.c_str(), 0));
}

Errno rename_at(const Descriptor& from, std::string_view old_path, const Descriptor& to,
                std::string_view new_path) {
  HULL_WASI_TRY_ERRNO(dir_for(from, true));
  HULL_WASI_TRY_ERRNO(dir_for(to, true));
  ParentDir src, dst;
  HULL_WASI_TRY_ERRNO(resolve_parent(from.host_fd(), old_path, false, &src));
  HULL_WASI_TRY_ERRNO(resolve_parent(to.host_fd(), new_path, false, &dst));
  return host_result(renameat(src.fd, src.leaf.c_str(), dst.fd, dst.leaf.c_str()));
}

// ---- Preview 1's additions ----

namespace {

// Host system calls take at most IOV_MAX buffers: a longer list is a short transfer.
int iov_count(std::span<const iovec> bufs) {
  return static_cast<int>(std::min<size_t>(bufs.size(), IOV_MAX));
}

uint64_t ns_of(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

FileStat file_stat_of(const struct stat& st) {
  FileStat s;
  s.dev = static_cast<uint64_t>(st.st_dev);
  s.ino = static_cast<uint64_t>(st.st_ino);
  s.type = file_type_of_mode(st.st_mode);
  s.nlink = static_cast<uint64_t>(st.st_nlink);
  s.size = static_cast<uint64_t>(st.st_size);
  s.atim = ns_of(st.st_atim);
  s.mtim = ns_of(st.st_mtim);
  s.ctim = ns_of(st.st_ctim);
  return s;
}

}  // namespace

Errno read_vec_at(const Descriptor& d, std::span<const iovec> bufs, uint64_t offset,
                  uint64_t* got) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::read));
  if (offset > static_cast<uint64_t>(INT64_MAX)) return Errno::inval;
  ssize_t n;
  do {
    n = preadv(d.host_fd(), bufs.data(), iov_count(bufs), static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_from_host(errno);
  *got = static_cast<uint64_t>(n);
  return Errno::success;
}

Errno write_vec_at(const Descriptor& d, std::span<const iovec> bufs, uint64_t offset,
                   uint64_t* written) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::write));
  if (offset > static_cast<uint64_t>(INT64_MAX)) return Errno::inval;
  ssize_t n;
  do {
    n = pwritev(d.host_fd(), bufs.data(), iov_count(bufs), static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno_from_host(errno);
  *written = static_cast<uint64_t>(n);
  return Errno::success;
}

Errno append_vec(const Descriptor& d, std::span<const iovec> bufs, uint64_t* written,
                 uint64_t* end) {
  HULL_WASI_TRY_ERRNO(file_for(d, dflag::write));
  // RWF_APPEND appends atomically whatever the descriptor's mode; offset -1 makes the write
  // move the host offset, which then tells where the file ends. Kernels before 4.16 lack the
  // flag: seek to the end and write there instead.
  ssize_t n;
  do {
    n = pwritev2(d.host_fd(), bufs.data(), iov_count(bufs), -1, RWF_APPEND);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EOPNOTSUPP || errno == EINVAL)) {
    if (lseek(d.host_fd(), 0, SEEK_END) < 0) return errno_from_host(errno);
    do {
      n = writev(d.host_fd(), bufs.data(), iov_count(bufs));
    } while (n < 0 && errno == EINTR);
  }
  if (n < 0) return errno_from_host(errno);
  off_t pos = lseek(d.host_fd(), 0, SEEK_CUR);
  if (pos < 0) return errno_from_host(errno);
  *written = static_cast<uint64_t>(n);
  *end = static_cast<uint64_t>(pos);
  return Errno::success;
}

Errno allocate(const Descriptor& d, uint64_t offset, uint64_t len) {
  if (d.is_dir()) return Errno::badf;
  if (offset > static_cast<uint64_t>(INT64_MAX) || len > static_cast<uint64_t>(INT64_MAX)) {
    return Errno::inval;
  }
  int r = posix_fallocate(d.host_fd(), static_cast<off_t>(offset), static_cast<off_t>(len));
  return r == 0 ? Errno::success : errno_from_host(r);
}

Errno status_flags(const Descriptor& d, uint16_t* fdflags) {
  int fl = fcntl(d.host_fd(), F_GETFL);
  if (fl < 0) return errno_from_host(errno);
  uint16_t f = 0;
  if (fl & O_APPEND) f |= fdflag::append;
  if (fl & O_NONBLOCK) f |= fdflag::nonblock;
  // O_SYNC contains O_DSYNC's bit, and Linux's O_RSYNC is O_SYNC.
  if ((fl & O_SYNC) == O_SYNC) {
    f |= fdflag::sync | fdflag::rsync;
  } else if (fl & O_DSYNC) {
    f |= fdflag::dsync;
  }
  *fdflags = f;
  return Errno::success;
}

Errno set_status_flags(const Descriptor& d, uint16_t fdflags) {
  if (fdflags & (fdflag::dsync | fdflag::rsync | fdflag::sync)) return Errno::notsup;
  int fl = fcntl(d.host_fd(), F_GETFL);
  if (fl < 0) return errno_from_host(errno);
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (fdflags & fdflag::append) fl |= O_APPEND;
  if (fdflags & fdflag::nonblock) fl |= O_NONBLOCK;
  return host_result(fcntl(d.host_fd(), F_SETFL, fl));
}

Errno seek_host(const Descriptor& d, int64_t offset, int whence, uint64_t* pos) {
  off_t r = lseek(d.host_fd(), static_cast<off_t>(offset), whence);
  if (r < 0) return errno_from_host(errno);
  *pos = static_cast<uint64_t>(r);
  return Errno::success;
}

Errno stat(const Descriptor& d, FileStat* out) {
  struct stat st;
  if (fstat(d.host_fd(), &st) != 0) return errno_from_host(errno);
  *out = file_stat_of(st);
  return Errno::success;
}

Errno stat_at(const Descriptor& dir, bool follow, std::string_view path, FileStat* out) {
  struct stat st;
  HULL_WASI_TRY_ERRNO(stat_path(dir, follow, path, &st));
  *out = file_stat_of(st);
  return Errno::success;
}

Errno read_directory_all(const Descriptor& d, std::vector<DirEntry>* out) {
  HULL_WASI_TRY_ERRNO(dir_for(d, false));
  // A private descriptor for the listing: the shared one's position belongs to nobody.
  int fd = openat(d.host_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_from_host(errno);
  Errno e = list_directory(fd, out);
  ::close(fd);
  return e;
}

}  // namespace hull::wasi
