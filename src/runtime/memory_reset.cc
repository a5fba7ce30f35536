// Memory reset in place: the pool's reset (runtime/reservation_pool.h) without giving the
// reservation back, then the accessible range trimmed to the size wanted.
#include "runtime/memory_reset.h"

#include <sys/mman.h>
#include <unistd.h>

#include "runtime/reservation_pool.h"

namespace hull {

Status reset_memory(Memory& m, uint64_t size_bytes) {
  if (m.shared) return Error::make(ErrorKind::Usage, "a shared memory cannot be reset");
  if (size_bytes > m.size) {
    return Error::make(ErrorKind::Usage,
                       "a memory cannot be reset to a size above its current one");
  }
  // Guarded memories reserved their maximum and never move; the others may have moved while
  // growing, and keep their (zeroed) committed pages: bytes past `size` are never reachable
  // there (explicit bounds checks) and read as zero when the memory grows again.
  if (!reset_committed_bytes(m.base, m.committed, m.image, kMemsetResetMaxBytes)) {
    return Error::make(ErrorKind::Limit, "resetting a memory failed (madvise)");
  }
  if (m.guarded) {
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    const uint64_t need = (size_bytes + page - 1) / page * page;
    if (m.committed > need) {
      if (mprotect(m.base + need, m.committed - need, PROT_NONE) != 0) {
        return Error::make(ErrorKind::Limit, "resetting a memory failed (mprotect)");
      }
      m.committed = need;
    }
  }
  m.size = size_bytes;
  m.type.limits.min = size_bytes >> m.type.page_size_log2;
  return {};
}

}  // namespace hull
