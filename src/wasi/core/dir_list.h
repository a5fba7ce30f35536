// Listing a directory's entries (".", ".." included) with inode and WASI file type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wasi/core/errno.h"
#include "wasi/core/types.h"

namespace hull::wasi {

// One directory entry (the type in preview 1's numbering; WASI 0.2 maps it to its own).
struct DirEntry {
  uint64_t ino = 0;
  FileType type = FileType::unknown;
  std::string name;
};

// Reads every entry of the open directory `dir_fd` from the start (moves its position).
Errno list_directory(int dir_fd, std::vector<DirEntry>* out);

// The WASI file type of a host st_mode (FIFOs have none in preview 1: unknown).
FileType file_type_of_mode(unsigned mode);

}  // namespace hull::wasi
