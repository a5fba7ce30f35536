// fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times on the core descriptor.
#include "wasi/preview1/filestat.h"

namespace hull::wasi::p1 {

P1_FUNC(fd_filestat_get) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_filestat_get, &e));
  FileStat st;
  P1_TRY(stat(*e->descriptor, &st));
  return store_filestat(c, u32(a[1]), st);
}

P1_FUNC(fd_filestat_set_size) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_filestat_set_size, &e));
  if (static_cast<int64_t>(a[1]) < 0) return Errno::inval;
  return set_size(*e->descriptor, a[1]);
}

P1_FUNC(fd_filestat_set_times) {
  FdEntry* e;
  P1_TRY(get_fd(c, u32(a[0]), right::fd_filestat_set_times, &e));
  NewTimestamp at, mt;
  P1_TRY(times_from_flags(a[1], a[2], u32(a[3]), &at, &mt));
  return set_times(*e->descriptor, at, mt);
}

}  // namespace hull::wasi::p1
