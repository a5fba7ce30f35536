// FdTable: lowest-free allocation, close, renumber; fds over core objects.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <span>
#include <string>

#include "wasi/core/fd_table.h"

namespace hull::wasi {
namespace {

// A bare host descriptor, as the C API describes an fd it hands over (-1: an empty entry).
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
  EXPECT_EQ(t.get(fb)->descriptor->host_fd(), a);  // the target now holds the source's file
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

TEST(FdTable, BareHostFdBecomesStreamFd) {
  FdTable t;
  int h = open("/dev/null", O_RDWR);
  ASSERT_GE(h, 0);
  FdEntry e = entry(h);
  e.base = right::fd_read | right::fd_write;
  uint32_t fd = t.insert(std::move(e));
  FdEntry* got = t.get(fd);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->kind, FdKind::stream);
  ASSERT_NE(got->descriptor, nullptr);
  EXPECT_EQ(got->descriptor->host_fd(), h);
  EXPECT_NE(got->input, nullptr);
  EXPECT_NE(got->output, nullptr);
  EXPECT_EQ(got->type, FileType::regular_file);  // as the embedder said
  EXPECT_EQ(got->base, right::fd_read | right::fd_write);
  std::string s = "xyz";
  EXPECT_TRUE(got->output->write(std::span(reinterpret_cast<const uint8_t*>(s.data()), 3)).ok());
  EXPECT_EQ(t.close(fd), Errno::success);
  EXPECT_FALSE(host_open(h));
}

TEST(FdTable, HostStreamEntryOfPipe) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  FdEntry e = host_stream_entry(p[0], true);
  EXPECT_EQ(e.kind, FdKind::stream);
  EXPECT_EQ(e.type, FileType::unknown);  // FIFOs have no preview 1 type
  EXPECT_EQ(e.base, right::regular_file);
  ASSERT_EQ(write(p[1], "hi", 2), 2);
  std::string got;
  EXPECT_TRUE(e.input->read(10, &got).ok());
  EXPECT_EQ(got, "hi");
  ::close(p[1]);
}

// fds sharing one core descriptor: the host descriptor closes with the last of them.
TEST(FdTable, SharedDescriptorClosesWithLastFd) {
  FdTable t;
  int h = open("/dev/null", O_RDONLY);
  ASSERT_GE(h, 0);
  auto d = std::make_shared<Descriptor>(std::make_shared<HostFd>(h),
                                        DescriptorType::character_device, dflag::read);
  FdEntry a, b;
  a.descriptor = d;
  b.descriptor = d;
  d.reset();
  uint32_t fa = t.insert(std::move(a));
  uint32_t fb = t.insert(std::move(b));
  EXPECT_EQ(t.close(fa), Errno::success);
  EXPECT_TRUE(host_open(h));
  EXPECT_EQ(t.close(fb), Errno::success);
  EXPECT_FALSE(host_open(h));
}

}  // namespace
}  // namespace hull::wasi
