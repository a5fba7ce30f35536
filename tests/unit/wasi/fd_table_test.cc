// FdTable: lowest-free allocation, close, renumber.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include "wasi/core/fd_table.h"

namespace hull::wasi {
namespace {

FdEntry entry(int host_fd, bool owns = true) {
  FdEntry e;
  e.host_fd = host_fd;
  e.owns_host_fd = owns;
  e.type = FileType::regular_file;
  return e;
}

bool host_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

TEST(FdTable, InsertsAtLowestFree) {
  FdTable t;
  EXPECT_EQ(t.insert(entry(-1, false)), 0u);
  EXPECT_EQ(t.insert(entry(-1, false)), 1u);
  EXPECT_EQ(t.insert(entry(-1, false)), 2u);
  EXPECT_EQ(t.close(1), Errno::success);
  EXPECT_EQ(t.insert(entry(-1, false)), 1u);
  EXPECT_EQ(t.insert(entry(-1, false)), 3u);
}

TEST(FdTable, CloseReleasesOwnedHostFd) {
  FdTable t;
  int h = open("/dev/null", O_RDONLY);
  ASSERT_GE(h, 0);
  uint32_t fd = t.insert(entry(h));
  EXPECT_EQ(t.close(fd), Errno::success);
  EXPECT_FALSE(host_open(h));
  EXPECT_EQ(t.close(fd), Errno::badf);
  EXPECT_EQ(t.get(fd), nullptr);
}

TEST(FdTable, CloseKeepsBorrowedHostFd) {
  FdTable t;
  int h = open("/dev/null", O_RDONLY);
  uint32_t fd = t.insert(entry(h, false));
  EXPECT_EQ(t.close(fd), Errno::success);
  EXPECT_TRUE(host_open(h));
  ::close(h);
}

TEST(FdTable, RenumberMovesAndClosesTarget) {
  FdTable t;
  int a = open("/dev/null", O_RDONLY);
  int b = open("/dev/null", O_RDONLY);
  uint32_t fa = t.insert(entry(a));
  uint32_t fb = t.insert(entry(b));
  EXPECT_EQ(t.renumber(fa, fb), Errno::success);
  EXPECT_EQ(t.get(fa), nullptr);           // the source number is free
  ASSERT_NE(t.get(fb), nullptr);
  EXPECT_EQ(t.get(fb)->host_fd, a);        // the target now holds the source's file
  EXPECT_FALSE(host_open(b));              // and what it held was closed
  EXPECT_EQ(t.insert(entry(-1, false)), fa);
}

TEST(FdTable, RenumberNeedsBothOpen) {
  FdTable t;
  uint32_t f = t.insert(entry(-1, false));
  EXPECT_EQ(t.renumber(f, 7), Errno::badf);
  EXPECT_EQ(t.renumber(7, f), Errno::badf);
  EXPECT_EQ(t.renumber(f, f), Errno::success);
  EXPECT_NE(t.get(f), nullptr);
}

}  // namespace
}  // namespace hull::wasi
