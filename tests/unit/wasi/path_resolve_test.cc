// Beneath-the-base resolution: every escape kind is refused, with openat2 and with the
// component-by-component walk.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "wasi/core/path_resolve.h"

namespace hull::wasi {
namespace {

namespace fs = std::filesystem;

// tmp/outside/secret, tmp/base/{file, sub/inner, links...}; `base` is the preopen.
class PathResolve : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    set_openat2_enabled(GetParam());
    if (GetParam() && !openat2_available()) GTEST_SKIP() << "kernel without openat2";
    char tmpl[] = "/tmp/hull-wasi-pathXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "outside");
    fs::create_directories(root_ / "base/sub/deeper");
    write(root_ / "outside/secret", "secret");
    write(root_ / "base/file", "inside");
    write(root_ / "base/sub/inner", "inner");
    fs::path b = root_ / "base";
    fs::create_symlink(root_ / "outside", b / "abs");           // absolute, pointing out
    fs::create_symlink("/etc", b / "etc");                      // absolute, system dir
    fs::create_symlink("../outside", b / "rel");                // relative, pointing out
    fs::create_symlink("chain2", b / "chain1");                 // chained ...
    fs::create_symlink("sub/up", b / "chain2");                 // ... through a subdir ...
    fs::create_symlink("../../outside", b / "sub/up");          // ... to outside
    fs::create_symlink("../outside/secret", b / "leaf_out");    // final component out
    fs::create_symlink("loop2", b / "loop1");                   // a loop
    fs::create_symlink("loop1", b / "loop2");
    fs::create_symlink("sub", b / "in_dir");                    // fine: stays inside
    fs::create_symlink("../file", b / "sub/in_file");           // fine: stays inside
    fs::create_symlink("deeper/../..", b / "sub/to_base");      // fine: lands on base
    base_ = open(b.c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(base_, 0);
  }
  void TearDown() override {
    if (base_ >= 0) close(base_);
    if (!root_.empty()) fs::remove_all(root_);
    set_openat2_enabled(true);
  }
  static void write(const fs::path& p, const char* s) {
    FILE* f = fopen(p.c_str(), "w");
    fputs(s, f);
    fclose(f);
  }
  Errno open_rd(const char* path, bool follow = true) {
    int fd = -1;
    Errno e = open_beneath(base_, path, O_RDONLY, 0, follow, &fd);
    if (fd >= 0) close(fd);
    return e;
  }
  std::string read_via(const char* path) {
    int fd = -1;
    if (open_beneath(base_, path, O_RDONLY, 0, true, &fd) != Errno::success) return "<error>";
    char buf[64] = {};
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n >= 0 ? std::string(buf, n) : "<read error>";
  }
  fs::path root_;
  int base_ = -1;
};

TEST_P(PathResolve, PlainPathsInside) {
  EXPECT_EQ(read_via("file"), "inside");
  EXPECT_EQ(read_via("sub/inner"), "inner");
  EXPECT_EQ(read_via("sub/../file"), "inside");
  EXPECT_EQ(read_via("./sub//inner"), "inner");
  EXPECT_EQ(read_via("in_dir/inner"), "inner");
  EXPECT_EQ(read_via("sub/in_file"), "inside");
  EXPECT_EQ(read_via("sub/to_base/file"), "inside");
  EXPECT_EQ(open_rd("missing"), Errno::noent);
  EXPECT_EQ(open_rd(""), Errno::noent);
  EXPECT_EQ(open_rd("file/"), Errno::notdir);
}

TEST_P(PathResolve, DotDotEscape) {
  EXPECT_EQ(open_rd(".."), kEscapeErrno);
  EXPECT_EQ(open_rd("../outside/secret"), kEscapeErrno);
  EXPECT_EQ(open_rd("sub/../../outside/secret"), kEscapeErrno);
  EXPECT_EQ(open_rd("sub/deeper/../../../base/file"), kEscapeErrno);
}

TEST_P(PathResolve, AbsolutePath) {
  EXPECT_EQ(open_rd("/etc/passwd"), kEscapeErrno);
  std::string p = (root_ / "outside/secret").string();
  EXPECT_EQ(open_rd(p.c_str()), kEscapeErrno);
}

TEST_P(PathResolve, AbsoluteSymlink) {
  EXPECT_EQ(open_rd("abs/secret"), kEscapeErrno);
  EXPECT_EQ(open_rd("etc/passwd"), kEscapeErrno);
}

TEST_P(PathResolve, RelativeSymlinkOut) {
  EXPECT_EQ(open_rd("rel/secret"), kEscapeErrno);
}

TEST_P(PathResolve, ChainedSymlinksOut) {
  EXPECT_EQ(open_rd("chain1/secret"), kEscapeErrno);
}

TEST_P(PathResolve, SymlinkMidPath) {
  EXPECT_EQ(open_rd("sub/up/secret"), kEscapeErrno);
  EXPECT_EQ(open_rd("in_dir/up/secret"), kEscapeErrno);
}

TEST_P(PathResolve, FinalSymlinkOut) {
  EXPECT_EQ(open_rd("leaf_out"), kEscapeErrno);
  // Not following: the link itself may be opened with O_PATH, never its target.
  int fd = -1;
  EXPECT_EQ(open_beneath(base_, "leaf_out", O_PATH, 0, false, &fd), Errno::success);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  close(fd);
  EXPECT_EQ(open_rd("leaf_out", false), Errno::loop);
}

TEST_P(PathResolve, SymlinkLoop) {
  EXPECT_EQ(open_rd("loop1"), Errno::loop);
  EXPECT_EQ(open_rd("loop1/x"), Errno::loop);
}

TEST_P(PathResolve, ParentResolution) {
  ParentDir p;
  ASSERT_EQ(resolve_parent(base_, "sub/inner", false, &p), Errno::success);
  EXPECT_EQ(p.leaf, "inner");
  struct stat st;
  EXPECT_EQ(fstatat(p.fd, p.leaf.c_str(), &st, 0), 0);

  ParentDir q;
  ASSERT_EQ(resolve_parent(base_, "sub/new/", false, &q), Errno::success);
  EXPECT_EQ(q.leaf, "new/");  // the trailing slash stays for the *at() call to judge

  ParentDir e1, e2, e3, e4, e5;
  EXPECT_EQ(resolve_parent(base_, "../x", false, &e1), kEscapeErrno);
  EXPECT_EQ(resolve_parent(base_, "rel/x", false, &e2), kEscapeErrno);
  EXPECT_EQ(resolve_parent(base_, "/x", false, &e3), kEscapeErrno);
  EXPECT_EQ(resolve_parent(base_, "..", false, &e4), kEscapeErrno);
  // Following the final link: a link pointing out cannot be used as a hard-link source.
  EXPECT_EQ(resolve_parent(base_, "leaf_out", true, &e5), kEscapeErrno);

  ParentDir f;
  ASSERT_EQ(resolve_parent(base_, "sub/in_file", true, &f), Errno::success);
  EXPECT_EQ(f.leaf, "file");
}

INSTANTIATE_TEST_SUITE_P(Modes, PathResolve, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "openat2" : "walk"; });

}  // namespace
}  // namespace hull::wasi

namespace hull::wasi {
namespace {

// A trailing slash on a symlink to outside must not hand the *at() call a leaf the kernel
// would follow out of the base.
TEST(PathResolveTrailingSlash, SymlinkToOutsideWithSlash) {
  for (bool use2 : {true, false}) {
    set_openat2_enabled(use2);
    char tmpl[] = "/tmp/hull-wasi-tsXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::filesystem::path root = tmpl;
    std::filesystem::create_directories(root / "base");
    std::filesystem::create_directories(root / "outside");
    std::filesystem::create_symlink("../outside", root / "base/out");
    int base = open((root / "base").c_str(), O_RDONLY | O_DIRECTORY);
    ParentDir p;
    EXPECT_EQ(resolve_parent(base, "out/", false, &p), kEscapeErrno);
    close(base);
    std::filesystem::remove_all(root);
  }
  set_openat2_enabled(true);
}

}  // namespace
}  // namespace hull::wasi
