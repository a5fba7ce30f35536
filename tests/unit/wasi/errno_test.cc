// Errno numbering (must match wasi_snapshot_preview1.witx) and the host errno mapping.
#include <gtest/gtest.h>

#include <cerrno>

#include "wasi/core/errno.h"

namespace hull::wasi {
namespace {

TEST(WasiErrno, ValuesMatchWitx) {
  EXPECT_EQ(static_cast<int>(Errno::success), 0);
  EXPECT_EQ(static_cast<int>(Errno::toobig), 1);
  EXPECT_EQ(static_cast<int>(Errno::badf), 8);
  EXPECT_EQ(static_cast<int>(Errno::exist), 20);
  EXPECT_EQ(static_cast<int>(Errno::fault), 21);
  EXPECT_EQ(static_cast<int>(Errno::inval), 28);
  EXPECT_EQ(static_cast<int>(Errno::loop), 32);
  EXPECT_EQ(static_cast<int>(Errno::noent), 44);
  EXPECT_EQ(static_cast<int>(Errno::notdir), 54);
  EXPECT_EQ(static_cast<int>(Errno::notempty), 55);
  EXPECT_EQ(static_cast<int>(Errno::perm), 63);
  EXPECT_EQ(static_cast<int>(Errno::xdev), 75);
  EXPECT_EQ(static_cast<int>(Errno::notcapable), 76);
}

TEST(WasiErrno, HostMapping) {
  EXPECT_EQ(errno_from_host(0), Errno::success);
  EXPECT_EQ(errno_from_host(ENOENT), Errno::noent);
  EXPECT_EQ(errno_from_host(EACCES), Errno::acces);
  EXPECT_EQ(errno_from_host(EPERM), Errno::perm);
  EXPECT_EQ(errno_from_host(ELOOP), Errno::loop);
  EXPECT_EQ(errno_from_host(ENOTEMPTY), Errno::notempty);
  EXPECT_EQ(errno_from_host(EISDIR), Errno::isdir);
  EXPECT_EQ(errno_from_host(ESPIPE), Errno::spipe);
  EXPECT_EQ(errno_from_host(EFAULT), Errno::fault);
  EXPECT_EQ(errno_from_host(ENOTSUP), Errno::notsup);
  EXPECT_EQ(errno_from_host(EWOULDBLOCK), Errno::again);
  // RESOLVE_BENEATH reports an escape as EXDEV: that is a capability violation.
  EXPECT_EQ(errno_from_host(EXDEV), Errno::notcapable);
  EXPECT_EQ(errno_from_host(99999), Errno::io);
}

TEST(WasiErrno, Names) {
  EXPECT_STREQ(errno_name(Errno::success), "success");
  EXPECT_STREQ(errno_name(Errno::toobig), "2big");
  EXPECT_STREQ(errno_name(Errno::notcapable), "notcapable");
  EXPECT_STREQ(errno_name(static_cast<Errno>(500)), "unknown");
}

}  // namespace
}  // namespace hull::wasi
