// Resolving guest paths strictly beneath a directory descriptor (a preopen or a directory
// opened through one): no `..` above it, no absolute paths, no symlink leaving it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "wasi/core/errno.h"

namespace hull::wasi {

// Errno for a guest path that is absolute or would leave its base directory.
constexpr Errno kEscapeErrno = Errno::notcapable;
// Symlinks followed in one resolution before giving up with `loop` (Linux's limit).
constexpr int kMaxSymlinks = 40;

// A directory descriptor plus the final component to apply an *at() call to.
struct ParentDir {
  int fd = -1;
  bool owned = false;
  std::string leaf;  // last component; keeps a trailing '/' when the guest path had one
  ParentDir() = default;
  ParentDir(const ParentDir&) = delete;
  ParentDir& operator=(const ParentDir&) = delete;
  ~ParentDir();
};

// Opens `path` relative to `base` with open(2) `flags`/`mode`, never leaving `base`. When
// `follow_final` is false a final symlink is not followed (open fails with loop unless O_PATH).
// Uses openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) when the kernel has it, else a
// component-by-component walk.
Errno open_beneath(int base, std::string_view path, int flags, mode_t mode, bool follow_final,
                   int* out_fd);

// Resolves every component of `path` but the last beneath `base` (and, with `follow_final`,
// a final symlink too, so that `leaf` names a non-symlink or a missing entry).
Errno resolve_parent(int base, std::string_view path, bool follow_final, ParentDir* out);

// Tests force the portable walk (as on kernels without openat2).
void set_openat2_enabled(bool enabled);
bool openat2_available();

}  // namespace hull::wasi
