// Preview 1's file-descriptor table: guest fd numbers -> entries that refer to the core's
// objects (descriptors, streams) and carry what only preview 1 has: witx rights, a seek
// position, fdflags, the preopen name and the fd_readdir snapshot.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "wasi/core/descriptor.h"
#include "wasi/core/errno.h"
#include "wasi/core/streams.h"
#include "wasi/core/types.h"

namespace hull::wasi {

// How an fd moves bytes.
enum class FdKind : uint8_t {
  file,       // a regular file opened by path: positional I/O at `position`
  directory,  // a preopen or a directory opened by path: path operations, fd_readdir
  stream,     // stdio, FIFOs, devices: the core's streams, sharing the host's offset
  socket,     // a --tcplisten socket or one accepted from it: sock_* on its host descriptor
};

struct FdEntry {
  FdKind kind = FdKind::stream;
  // Every fd has a descriptor: the host descriptor and what may be done with it (for stream
  // and socket fds too, for stat, sync, times and flags).
  std::shared_ptr<Descriptor> descriptor;
  std::shared_ptr<InputStream> input;    // stream fds
  std::shared_ptr<OutputStream> output;  // stream fds
  FileType type = FileType::unknown;
  Rights base = 0;         // what this fd may do
  Rights inheriting = 0;   // what fds opened through it may get
  uint16_t fdflags = 0;    // append and nonblock as last set (the host descriptor agrees)
  uint64_t position = 0;   // file fds: where fd_read/fd_write go next
  bool readonly = false;   // opened through a read-only preopen: never write
  bool preopen = false;    // fd_prestat_get answers for it
  std::string guest_path;  // the preopen's guest name
  // fd_readdir: the directory's entries, snapshotted when a listing starts at cookie 0, so
  // that cookies (indexes into it) stay stable while the guest pages through it.
  std::vector<DirEntry> dir_snapshot;
  bool has_snapshot = false;

  // An embedder may describe an fd by a bare host descriptor instead (the C API hands the
  // guest descriptors of its own as stdio): the table wraps it as a stream fd on insertion,
  // closing it with the fd unless `owns_host_fd` is false.
  int host_fd = -1;
  bool owns_host_fd = true;
};

// A stream fd over host descriptor `fd` (stdio): streams for I/O, a descriptor for stat, sync
// and flags. A terminal gets no seek/tell rights, which is how wasi-libc's isatty() tells.
FdEntry host_stream_entry(int fd, bool owned);

class FdTable {
 public:
  // Inserts at the lowest free number; returns it.
  uint32_t insert(FdEntry e);
  // Inserts at exactly `fd`, replacing what was there; used for stdio.
  void insert_at(uint32_t fd, FdEntry e);
  // The entry, or nullptr when `fd` is not open.
  FdEntry* get(uint32_t fd) {
    auto it = entries_.find(fd);
    return it == entries_.end() ? nullptr : &it->second;
  }
  // Closes `fd` (its core objects go with the last fd referring to them). badf when not open.
  Errno close(uint32_t fd);
  // Moves `from` onto `to`, closing what `to` held. Both must be open (badf otherwise); the
  // number `from` becomes free.
  Errno renumber(uint32_t from, uint32_t to);
  size_t size() const { return entries_.size(); }
  // The open fd numbers in increasing order.
  std::vector<uint32_t> numbers() const;

 private:
  std::map<uint32_t, FdEntry> entries_;
};

}  // namespace hull::wasi
