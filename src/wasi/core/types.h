// WASI flag and enum values shared by every ABI (numbering of wasi_snapshot_preview1's witx).
#pragma once

#include <cstdint>

namespace hull::wasi {

using Rights = uint64_t;

namespace right {
constexpr Rights fd_datasync = 1ull << 0, fd_read = 1ull << 1, fd_seek = 1ull << 2,
                 fd_fdstat_set_flags = 1ull << 3, fd_sync = 1ull << 4, fd_tell = 1ull << 5,
                 fd_write = 1ull << 6, fd_advise = 1ull << 7, fd_allocate = 1ull << 8,
                 path_create_directory = 1ull << 9, path_create_file = 1ull << 10,
                 path_link_source = 1ull << 11, path_link_target = 1ull << 12,
                 path_open = 1ull << 13, fd_readdir = 1ull << 14, path_readlink = 1ull << 15,
                 path_rename_source = 1ull << 16, path_rename_target = 1ull << 17,
                 path_filestat_get = 1ull << 18, path_filestat_set_size = 1ull << 19,
                 path_filestat_set_times = 1ull << 20, fd_filestat_get = 1ull << 21,
                 fd_filestat_set_size = 1ull << 22, fd_filestat_set_times = 1ull << 23,
                 path_symlink = 1ull << 24, path_remove_directory = 1ull << 25,
                 path_unlink_file = 1ull << 26, poll_fd_readwrite = 1ull << 27,
                 sock_shutdown = 1ull << 28, sock_accept = 1ull << 29;
constexpr Rights all = (1ull << 30) - 1;
// Rights that only make sense on a regular file / on a directory.
constexpr Rights regular_file = fd_datasync | fd_read | fd_seek | fd_fdstat_set_flags |
                                fd_sync | fd_tell | fd_write | fd_advise | fd_allocate |
                                fd_filestat_get | fd_filestat_set_size | fd_filestat_set_times |
                                poll_fd_readwrite;
constexpr Rights directory =
    fd_fdstat_set_flags | fd_sync | fd_advise | path_create_directory | path_create_file |
    path_link_source | path_link_target | path_open | fd_readdir | path_readlink |
    path_rename_source | path_rename_target | path_filestat_get | path_filestat_set_size |
    path_filestat_set_times | fd_filestat_get | fd_filestat_set_times | path_symlink |
    path_remove_directory | path_unlink_file;
constexpr Rights socket = fd_read | fd_write | fd_fdstat_set_flags | fd_filestat_get |
                          poll_fd_readwrite | sock_shutdown | sock_accept;
// Rights that modify the file system; a read-only preopen never grants them.
constexpr Rights mutating = fd_datasync | fd_write | fd_allocate | path_create_directory |
                            path_create_file | path_link_source | path_link_target |
                            path_rename_source | path_rename_target | path_filestat_set_size |
                            path_filestat_set_times | fd_filestat_set_size |
                            fd_filestat_set_times | path_symlink | path_remove_directory |
                            path_unlink_file;
}  // namespace right

enum class FileType : uint8_t {
  unknown = 0, block_device = 1, character_device = 2, directory = 3, regular_file = 4,
  socket_dgram = 5, socket_stream = 6, symbolic_link = 7,
};

namespace fdflag {
constexpr uint16_t append = 1, dsync = 2, nonblock = 4, rsync = 8, sync = 16;
}
namespace oflag {
constexpr uint16_t creat = 1, directory = 2, excl = 4, trunc = 8;
}
namespace fstflag {
constexpr uint16_t atim = 1, atim_now = 2, mtim = 4, mtim_now = 8;
}
constexpr uint32_t kLookupSymlinkFollow = 1;

enum class ClockId : uint32_t { realtime = 0, monotonic = 1, process_cputime = 2, thread_cputime = 3 };

// A file's metadata in WASI terms.
struct FileStat {
  uint64_t dev = 0, ino = 0;
  FileType type = FileType::unknown;
  uint64_t nlink = 0, size = 0, atim = 0, mtim = 0, ctim = 0;
};

}  // namespace hull::wasi
