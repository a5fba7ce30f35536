// path_*: the witx rights are checked here; resolution beneath the directory, the permission
// rules and the operation itself are the core descriptor's (wasi/core/descriptor.h), the
// same code WASI 0.2's wasi:filesystem runs.
#include <fcntl.h>

#include <algorithm>
#include <cstring>

#include "wasi/preview1/filestat.h"

namespace hull::wasi::p1 {

namespace {

// The directory fd `fd` with `rights`, and the guest path at (ptr, len).
Errno dir_and_path(Call& c, uint32_t fd, Rights rights, uint32_t ptr, uint32_t len, FdEntry** e,
                   std::string* path) {
  FdEntry* d = c.state.fds.get(fd);
  if (!d) return Errno::badf;
  if (!c.mem.string(ptr, len, path)) return Errno::fault;
  if (d->kind != FdKind::directory) return Errno::notdir;
  if ((d->base & rights) != rights) {
    // Through a read-only preopen, mutations are not permitted (Wasmtime's answer too).
    if (d->readonly && (rights & ~d->base & right::mutating)) return Errno::perm;
    return Errno::notcapable;
  }
  *e = d;
  return Errno::success;
}

bool follows(uint64_t lookupflags) {
  return static_cast<uint32_t>(lookupflags) & kLookupSymlinkFollow;
}

// The preview 1 type of what a core descriptor refers to (FIFOs have none).
FileType file_type_of(DescriptorType t) {
  switch (t) {
    case DescriptorType::block_device: return FileType::block_device;
    case DescriptorType::character_device: return FileType::character_device;
    case DescriptorType::directory: return FileType::directory;
    case DescriptorType::symbolic_link: return FileType::symbolic_link;
    case DescriptorType::regular_file: return FileType::regular_file;
    case DescriptorType::socket: return FileType::socket_stream;
    case DescriptorType::fifo:
    case DescriptorType::unknown: return FileType::unknown;
  }
  return FileType::unknown;
}

// Rights that need the file opened for writing.
constexpr Rights kWriteRights =
    right::fd_write | right::fd_datasync | right::fd_allocate | right::fd_filestat_set_size;

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
  // Rights a new fd can hold are bounded by what the directory passes on.
  Rights base = a[5] & dir->inheriting;
  Rights inheriting = a[6] & dir->inheriting;
  bool read = base & (right::fd_read | right::fd_readdir);
  bool write = (base & kWriteRights) || (fdflags & fdflag::append) || (oflags & oflag::trunc);
  // Through a read-only preopen nothing may be opened for writing (asked-for write rights
  // count even though the directory would not pass them on).
  if (dir->readonly && (write || (a[5] & kWriteRights))) return Errno::perm;
  if (oflags & oflag::directory) {
    if (oflags & (oflag::creat | oflag::trunc)) return Errno::inval;
    // A directory is never writable (the kernel says the same for O_WRONLY/O_RDWR).
    if (write) return Errno::isdir;
  }
  // witx's oflags and fdflags in wasi:filesystem's terms. EXCL only means something with
  // CREAT (the kernel ignores it otherwise), so it goes only with it.
  uint32_t open_flags = 0;
  if (oflags & oflag::creat) open_flags |= oflag2::create;
  if ((oflags & oflag::excl) && (oflags & oflag::creat)) open_flags |= oflag2::exclusive;
  if (oflags & oflag::trunc) open_flags |= oflag2::truncate;
  if (oflags & oflag::directory) open_flags |= oflag2::directory;
  uint32_t flags = (read ? dflag::read : 0) | (write ? dflag::write : 0);
  if (fdflags & fdflag::sync) flags |= dflag::file_integrity_sync;
  if (fdflags & fdflag::dsync) flags |= dflag::data_integrity_sync;
  if (fdflags & fdflag::rsync) flags |= dflag::requested_write_sync;
  OpenModes modes{(fdflags & fdflag::append) != 0, (fdflags & fdflag::nonblock) != 0};
  std::unique_ptr<Descriptor> opened;
  P1_TRY(open_at(*dir->descriptor, follows(a[1]), path, open_flags, flags, modes, &opened));

  FdEntry e;
  e.type = file_type_of(opened->type());
  e.readonly = dir->readonly;
  e.fdflags = static_cast<uint16_t>(fdflags & (fdflag::append | fdflag::nonblock));
  if (e.type == FileType::directory) {
    e.kind = FdKind::directory;
    e.base = base & right::directory;
    e.inheriting = inheriting;
  } else {
    // Regular files are read and written at the fd's position; FIFOs, devices and sockets
    // found by path are streams, as they were opened.
    e.kind = opened->type() == DescriptorType::regular_file ? FdKind::file : FdKind::stream;
    e.base = base & right::regular_file;
    e.inheriting = 0;
    if (!read) e.base &= ~right::fd_read;
    if (!write) e.base &= ~kWriteRights;
  }
  if (e.readonly) e.base &= ~right::mutating;
  if (e.kind == FdKind::stream) {
    e.input = fd_input(opened->shared_fd());
    e.output = fd_output(opened->shared_fd());
  }
  e.descriptor = std::move(opened);
  uint32_t n = c.state.fds.insert(std::move(e));
  c.mem.store<uint32_t>(u32(a[8]), n);
  return Errno::success;
}

P1_FUNC(path_create_directory) {
  FdEntry* dir;
  std::string path;
  P1_TRY(
      dir_and_path(c, u32(a[0]), right::path_create_directory, u32(a[1]), u32(a[2]), &dir, &path));
  return create_directory_at(*dir->descriptor, path);
}

P1_FUNC(path_remove_directory) {
  FdEntry* dir;
  std::string path;
  P1_TRY(
      dir_and_path(c, u32(a[0]), right::path_remove_directory, u32(a[1]), u32(a[2]), &dir, &path));
  return remove_directory_at(*dir->descriptor, path);
}

P1_FUNC(path_unlink_file) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_unlink_file, u32(a[1]), u32(a[2]), &dir, &path));
  return unlink_file_at(*dir->descriptor, path);
}

P1_FUNC(path_filestat_get) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_filestat_get, u32(a[2]), u32(a[3]), &dir, &path));
  if (!c.mem.ok(u32(a[4]), 64)) return Errno::fault;
  FileStat st;
  P1_TRY(stat_at(*dir->descriptor, follows(a[1]), path, &st));
  return store_filestat(c, u32(a[4]), st);
}

P1_FUNC(path_filestat_set_times) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_filestat_set_times, u32(a[2]), u32(a[3]), &dir,
                      &path));
  NewTimestamp at, mt;
  P1_TRY(times_from_flags(a[4], a[5], u32(a[6]), &at, &mt));
  return set_times_at(*dir->descriptor, follows(a[1]), path, at, mt);
}

P1_FUNC(path_link) {
  FdEntry *from, *to;
  std::string old_path, new_path;
  P1_TRY(
      dir_and_path(c, u32(a[0]), right::path_link_source, u32(a[2]), u32(a[3]), &from, &old_path));
  P1_TRY(dir_and_path(c, u32(a[4]), right::path_link_target, u32(a[5]), u32(a[6]), &to, &new_path));
  return link_at(*from->descriptor, follows(a[1]), old_path, *to->descriptor, new_path);
}

P1_FUNC(path_rename) {
  FdEntry *from, *to;
  std::string old_path, new_path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_rename_source, u32(a[1]), u32(a[2]), &from,
                      &old_path));
  P1_TRY(
      dir_and_path(c, u32(a[3]), right::path_rename_target, u32(a[4]), u32(a[5]), &to, &new_path));
  return rename_at(*from->descriptor, old_path, *to->descriptor, new_path);
}

P1_FUNC(path_symlink) {
  std::string target;
  if (!c.mem.string(u32(a[0]), u32(a[1]), &target)) return Errno::fault;
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[2]), right::path_symlink, u32(a[3]), u32(a[4]), &dir, &path));
  return symlink_at(*dir->descriptor, target, path);
}

P1_FUNC(path_readlink) {
  FdEntry* dir;
  std::string path;
  P1_TRY(dir_and_path(c, u32(a[0]), right::path_readlink, u32(a[1]), u32(a[2]), &dir, &path));
  uint32_t buf = u32(a[3]), buf_len = u32(a[4]);
  if (!c.mem.ok(buf, buf_len) || !c.mem.ok(u32(a[5]), 4)) return Errno::fault;
  std::string target;
  P1_TRY(readlink_at(*dir->descriptor, path, &target));
  // Truncated to the buffer, as readlink(2) does.
  uint32_t len = static_cast<uint32_t>(std::min<size_t>(target.size(), buf_len));
  std::memcpy(c.mem.span(buf, len), target.data(), len);
  c.mem.store<uint32_t>(u32(a[5]), len);
  return Errno::success;
}

}  // namespace hull::wasi::p1
