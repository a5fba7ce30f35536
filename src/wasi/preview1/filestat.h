// The guest's 64-byte `filestat` record and fstflags -> the core's new timestamps.
#pragma once

#include "wasi/preview1/call.h"

namespace hull::wasi::p1 {

inline Errno store_filestat(Call& c, uint32_t p, const FileStat& st) {
  if (!c.mem.ok(p, 64)) return Errno::fault;
  uint8_t rec[64] = {};
  auto put64 = [&](int off, uint64_t v) { std::memcpy(rec + off, &v, 8); };
  put64(0, st.dev);
  put64(8, st.ino);
  rec[16] = static_cast<uint8_t>(st.type);
  put64(24, st.nlink);
  put64(32, st.size);
  put64(40, st.atim);
  put64(48, st.mtim);
  put64(56, st.ctim);
  std::memcpy(c.mem.span(p, 64), rec, 64);
  return Errno::success;
}

// The access and modification times fstflags ask for; inval for unknown or contradictory flags.
inline Errno times_from_flags(uint64_t atim, uint64_t mtim, uint32_t fst, NewTimestamp* at,
                              NewTimestamp* mt) {
  if (fst & ~0xfu) return Errno::inval;
  if ((fst & fstflag::atim) && (fst & fstflag::atim_now)) return Errno::inval;
  if ((fst & fstflag::mtim) && (fst & fstflag::mtim_now)) return Errno::inval;
  auto one = [](uint64_t ns, bool set, bool now) {
    NewTimestamp t;
    if (now) {
      t.kind = NewTimestamp::Kind::now;
    } else if (set) {
      t.kind = NewTimestamp::Kind::timestamp;
      t.at = {ns / 1000000000ull, static_cast<uint32_t>(ns % 1000000000ull)};
    }
    return t;
  };
  *at = one(atim, fst & fstflag::atim, fst & fstflag::atim_now);
  *mt = one(mtim, fst & fstflag::mtim, fst & fstflag::mtim_now);
  return Errno::success;
}

}  // namespace hull::wasi::p1
