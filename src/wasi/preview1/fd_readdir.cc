// fd_readdir: entries of a snapshot of the directory (the core's listing, "." and ".."
// included), addressed by cookie = index.
#include <algorithm>
#include <cstring>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

P1_FUNC(fd_readdir) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_readdir, &e));
  if (e->kind != FdKind::directory) return Errno::notdir;
  uint32_t buf = u32(a[1]), buf_len = u32(a[2]), p_used = u32(a[4]);
  uint64_t cookie = a[3];
  if (!c.mem.ok(buf, buf_len) || !c.mem.ok(p_used, 4)) return Errno::fault;
  if (cookie == 0 || !e->has_snapshot) {
    e->dir_snapshot.clear();
    P1_TRY(read_directory_all(*e->descriptor, &e->dir_snapshot));
    e->has_snapshot = true;
  }
  uint8_t* out = c.mem.span(buf, buf_len);
  uint32_t used = 0;
  for (uint64_t i = cookie; i < e->dir_snapshot.size() && used < buf_len; ++i) {
    const DirEntry& d = e->dir_snapshot[i];
    uint8_t rec[24] = {};
    uint64_t next = i + 1;
    uint32_t namlen = static_cast<uint32_t>(d.name.size());
    std::memcpy(rec, &next, 8);
    std::memcpy(rec + 8, &d.ino, 8);
    std::memcpy(rec + 16, &namlen, 4);
    rec[20] = static_cast<uint8_t>(d.type);
    // Entries are cut at the end of the buffer: the guest sees bufused == buf_len and retries
    // with a larger buffer from the same cookie.
    uint32_t n = std::min<uint32_t>(24, buf_len - used);
    std::memcpy(out + used, rec, n);
    used += n;
    n = std::min<uint32_t>(namlen, buf_len - used);
    std::memcpy(out + used, d.name.data(), n);
    used += n;
  }
  c.mem.store<uint32_t>(p_used, used);
  return Errno::success;
}

}  // namespace hull::wasi::p1
