// Listing a directory's entries (".", ".." included) with inode and WASI file type.
#pragma once

#include <vector>

#include "wasi/core/fd_table.h"

namespace hull::wasi {

// Reads every entry of the open directory `dir_fd` from the start.
Errno list_directory(int dir_fd, std::vector<DirEntry>* out);

}  // namespace hull::wasi
