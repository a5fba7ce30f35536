// Host stat -> the guest's 64-byte `filestat` record.
#pragma once

#include <sys/stat.h>

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

inline uint64_t ts_ns(const timespec& t) {
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

inline Errno store_filestat(Call& c, uint32_t p, const struct stat& st) {
  if (!c.mem.ok(p, 64)) return Errno::fault;
  uint8_t rec[64] = {};
  auto put64 = [&](int off, uint64_t v) { std::memcpy(rec + off, &v, 8); };
  put64(0, st.st_dev);
  put64(8, st.st_ino);
  rec[16] = static_cast<uint8_t>(file_type_of_mode(st.st_mode));
  put64(24, st.st_nlink);
  put64(32, static_cast<uint64_t>(st.st_size));
  put64(40, ts_ns(st.st_atim));
  put64(48, ts_ns(st.st_mtim));
  put64(56, ts_ns(st.st_ctim));
  std::memcpy(c.mem.span(p, 64), rec, 64);
  return Errno::success;
}

// Builds utimensat/futimens times from WASI fstflags; inval for contradictory flags.
inline Errno times_from_flags(uint64_t atim, uint64_t mtim, uint32_t fst, timespec ts[2]) {
  if (fst & ~0xfu) return Errno::inval;
  if ((fst & fstflag::atim) && (fst & fstflag::atim_now)) return Errno::inval;
  if ((fst & fstflag::mtim) && (fst & fstflag::mtim_now)) return Errno::inval;
  auto one = [](uint64_t v, bool set, bool now, timespec* t) {
    if (now) {
      t->tv_sec = 0;
      t->tv_nsec = UTIME_NOW;
    } else if (set) {
      t->tv_sec = static_cast<time_t>(v / 1000000000ull);
      t->tv_nsec = static_cast<long>(v % 1000000000ull);
    } else {
      t->tv_sec = 0;
      t->tv_nsec = UTIME_OMIT;
    }
  };
  one(atim, fst & fstflag::atim, fst & fstflag::atim_now, &ts[0]);
  one(mtim, fst & fstflag::mtim, fst & fstflag::mtim_now, &ts[1]);
  return Errno::success;
}

}  // namespace hull::wasi::p1
