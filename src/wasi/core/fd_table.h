// The WASI file-descriptor table: guest fd numbers -> host descriptors with rights and state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "wasi/core/errno.h"
#include "wasi/core/types.h"

namespace hull::wasi {

// One directory entry as fd_readdir reports it.
struct DirEntry {
  uint64_t ino = 0;
  FileType type = FileType::unknown;
  std::string name;
};

struct FdEntry {
  int host_fd = -1;
  bool owns_host_fd = true;   // false for the inherited stdio descriptors
  FileType type = FileType::unknown;
  Rights base = 0;            // what this fd may do
  Rights inheriting = 0;      // what fds opened through it may get
  bool readonly = false;      // opened through a read-only preopen: never write
  bool preopen = false;       // fd_prestat_get answers for it
  std::string guest_path;     // the preopen's guest name
  // fd_readdir: the directory's entries, snapshotted when a listing starts at cookie 0, so
  // that cookies (indexes into it) stay stable while the guest pages through it.
  std::vector<DirEntry> dir_snapshot;
  bool has_snapshot = false;
};

class FdTable {
 public:
  FdTable() = default;
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;
  ~FdTable();

  // Inserts at the lowest free number; returns it.
  uint32_t insert(FdEntry e);
  // Inserts at exactly `fd` (which must be free); used for stdio.
  void insert_at(uint32_t fd, FdEntry e);
  // The entry, or nullptr when `fd` is not open.
  FdEntry* get(uint32_t fd);
  // Closes `fd` (and its host descriptor when owned). badf when not open.
  Errno close(uint32_t fd);
  // Moves `from` onto `to`, closing what `to` held. Both must be open (badf otherwise); the
  // number `from` becomes free.
  Errno renumber(uint32_t from, uint32_t to);
  size_t size() const { return entries_.size(); }
  // The open fd numbers in increasing order.
  std::vector<uint32_t> numbers() const;

 private:
  static void release(FdEntry& e);
  std::map<uint32_t, FdEntry> entries_;
};

}  // namespace hull::wasi
