// list_directory: getdents64 from offset 0 on the descriptor itself.
#include "wasi/core/dir_list.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hull::wasi {

namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

FileType type_of_dtype(unsigned char t) {
  switch (t) {
    case DT_REG: return FileType::regular_file;
    case DT_DIR: return FileType::directory;
    case DT_LNK: return FileType::symbolic_link;
    case DT_CHR: return FileType::character_device;
    case DT_BLK: return FileType::block_device;
    case DT_SOCK: return FileType::socket_stream;
    default: return FileType::unknown;
  }
}

}  // namespace

FileType file_type_of_mode(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return FileType::regular_file;
    case S_IFDIR: return FileType::directory;
    case S_IFCHR: return FileType::character_device;
    case S_IFBLK: return FileType::block_device;
    case S_IFLNK: return FileType::symbolic_link;
    case S_IFSOCK: return FileType::socket_stream;
    default: return FileType::unknown;  // FIFOs have no preview 1 type
  }
}

Errno list_directory(int dir_fd, std::vector<DirEntry>* out) {
  if (lseek(dir_fd, 0, SEEK_SET) < 0) return errno_from_host(errno);
  alignas(8) char buf[16384];
  for (;;) {
    long n = syscall(SYS_getdents64, dir_fd, buf, sizeof buf);
    if (n < 0) return errno_from_host(errno);
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
      DirEntry e;
      e.ino = d->d_ino;
      e.name = d->d_name;
      e.type = type_of_dtype(d->d_type);
      if (d->d_type == DT_UNKNOWN) {
        struct stat st;
        if (fstatat(dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          e.type = file_type_of_mode(st.st_mode);
        }
      }
      out->push_back(std::move(e));
      off += d->d_reclen;
    }
  }
  return Errno::success;
}

}  // namespace hull::wasi
