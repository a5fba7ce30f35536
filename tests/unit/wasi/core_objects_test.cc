// The ABI-independent WASI core that WASI 0.2 stands on: the resource table's parent/child
// rule, the reactor (descriptors, deadlines, refusal of waits that can never end), streams over
// pipes, files and memory, and the descriptor permission rules.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "wasi/core/descriptor.h"
#include "wasi/core/reactor.h"
#include "wasi/core/resource_table.h"
#include "wasi/core/streams.h"

namespace hull::wasi {
namespace {

namespace fs = std::filesystem;

struct Thing : HostObject {
  explicit Thing(int* live) : live_(live) { ++*live_; }
  ~Thing() override { --*live_; }
  int* live_;
};
struct Other : HostObject {};

TEST(ResourceTable, ParentsOutliveChildrenAndRepsAreReused) {
  ResourceTable t;
  int live = 0;
  auto parent = t.push(std::make_unique<Thing>(&live));
  ASSERT_TRUE(parent.has_value());
  EXPECT_NE(*parent, 0u) << "rep 0 is never handed out";
  auto child = t.push(std::make_unique<Thing>(&live), *parent);
  ASSERT_TRUE(child.has_value());
  EXPECT_EQ(t.get<Other>(*parent), nullptr) << "a get of another type finds nothing";
  EXPECT_NE(t.get<Thing>(*parent), nullptr);
  EXPECT_EQ(t.remove(*parent), ResourceTable::Removed::has_children);
  EXPECT_EQ(live, 2);
  EXPECT_EQ(t.remove(*child), ResourceTable::Removed::ok);
  EXPECT_EQ(t.remove(*child), ResourceTable::Removed::missing);
  EXPECT_EQ(t.remove(*parent), ResourceTable::Removed::ok);
  EXPECT_EQ(live, 0);
  EXPECT_EQ(t.size(), 0u);
  auto again = t.push(std::make_unique<Other>());
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(*again == *parent || *again == *child) << "freed reps are reused";
  EXPECT_FALSE(t.push(std::make_unique<Other>(), 999).has_value()) << "missing parent";
}

TEST(Reactor, WaitsForAPipeAndADeadline) {
  Reactor r;
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  std::vector<Readiness> items = {Readiness::readable(p[0]),
                                  Readiness::at(monotonic_now_ns() + 20'000'000)};
  std::vector<uint32_t> ready;
  uint64_t start = monotonic_now_ns();
  ASSERT_EQ(r.wait(items, &ready), Errno::success);
  EXPECT_EQ(ready, std::vector<uint32_t>{1}) << "only the deadline passed";
  EXPECT_GE(monotonic_now_ns() - start, 19'000'000u);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  ready.clear();
  ASSERT_EQ(r.wait(items, &ready), Errno::success);
  EXPECT_EQ(ready, (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(r.ready_now(items[0]));
  close(p[0]);
  close(p[1]);
}

TEST(Reactor, RefusesWaitsThatCanNeverEndAndHonoursTimeouts) {
  Reactor r;
  std::vector<uint32_t> ready;
  std::vector<Readiness> never = {Readiness::never()};
  EXPECT_EQ(r.wait(never, &ready), Errno::inval);
  EXPECT_EQ(r.wait({}, &ready), Errno::inval);
  EXPECT_EQ(r.wait(never, &ready, 5'000'000), Errno::success) << "a timeout makes it finite";
  EXPECT_TRUE(ready.empty());
  std::vector<Readiness> now = {Readiness::never(), Readiness::ready()};
  EXPECT_EQ(r.wait(now, &ready), Errno::success);
  EXPECT_EQ(ready, std::vector<uint32_t>{1});
}

TEST(Streams, PipeInputIsNonBlockingAndEndsAtEof) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  auto in = fd_input(std::make_shared<HostFd>(p[0]));
  std::string got;
  EXPECT_TRUE(in->read(10, &got).ok());
  EXPECT_TRUE(got.empty()) << "nothing written yet: no bytes, no blocking";
  ASSERT_EQ(write(p[1], "hello", 5), 5);
  EXPECT_TRUE(in->read(3, &got).ok());
  EXPECT_EQ(got, "hel");
  close(p[1]);
  EXPECT_TRUE(in->read(10, &got).ok());
  EXPECT_EQ(got, "hello");
  EXPECT_EQ(in->read(10, &got).kind, StreamStatus::Kind::closed);
}

TEST(Streams, MemoryOutputEnforcesThePermit) {
  auto sink = std::make_shared<std::string>();
  auto out = memory_output(sink);
  uint64_t permit = 0;
  ASSERT_TRUE(out->check_write(&permit).ok());
  EXPECT_EQ(permit, kWritePermit);
  std::string big(kWritePermit + 1, 'x');
  StreamStatus s = out->write(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(big.data()), big.size()));
  EXPECT_EQ(s.kind, StreamStatus::Kind::trap);
  const uint8_t hi[] = {'h', 'i'};
  EXPECT_TRUE(out->write(hi).ok());
  EXPECT_EQ(*sink, "hi");
}

class Descriptors : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hull-wasi-coreXXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "sub");
    std::ofstream(root_ / "file") << "0123456789";
  }
  void TearDown() override { fs::remove_all(root_); }
  std::unique_ptr<Descriptor> preopen(bool readonly) {
    std::unique_ptr<Descriptor> d;
    EXPECT_EQ(open_preopen(root_.string(), readonly, &d), Errno::success);
    return d;
  }
  fs::path root_;
};

TEST_F(Descriptors, ReadOnlyPreopensRefuseEveryChange) {
  auto dir = preopen(true);
  std::unique_ptr<Descriptor> f;
  EXPECT_EQ(open_at(*dir, false, "new", oflag2::create, dflag::read | dflag::write, &f),
            Errno::perm);
  EXPECT_EQ(open_at(*dir, false, "file", 0, dflag::write, &f), Errno::perm);
  EXPECT_EQ(create_directory_at(*dir, "d"), Errno::perm);
  EXPECT_EQ(unlink_file_at(*dir, "file"), Errno::perm);
  EXPECT_EQ(rename_at(*dir, "file", *dir, "moved"), Errno::perm);
  EXPECT_TRUE(fs::exists(root_ / "file"));
  // Reading is fine, and a directory opened through it is read-only too.
  ASSERT_EQ(open_at(*dir, false, "file", 0, dflag::read, &f), Errno::success);
  std::string bytes;
  bool end = false;
  ASSERT_EQ(read_at(*f, 4, 3, &bytes, &end), Errno::success);
  EXPECT_EQ(bytes, "3456");
  EXPECT_FALSE(end);
  std::unique_ptr<Descriptor> sub;
  ASSERT_EQ(
      open_at(*dir, false, "sub", oflag2::directory, dflag::read | dflag::mutate_directory, &sub),
      Errno::success);
  EXPECT_FALSE(sub->can(dflag::mutate_directory));
  EXPECT_EQ(create_directory_at(*sub, "d"), Errno::perm);
}

TEST_F(Descriptors, FilesKeepTheFlagsTheyWereOpenedWith) {
  auto dir = preopen(false);
  EXPECT_TRUE(dir->can(dflag::mutate_directory));
  std::unique_ptr<Descriptor> f;
  ASSERT_EQ(open_at(*dir, false, "file", 0, dflag::read, &f), Errno::success);
  uint64_t n = 0;
  EXPECT_EQ(write_at(*f, "x", 0, &n), Errno::badf) << "opened without write";
  EXPECT_EQ(set_size(*f, 0), Errno::badf);
  ASSERT_EQ(open_at(*dir, false, "out", oflag2::create | oflag2::exclusive,
                    dflag::read | dflag::write, &f),
            Errno::success);
  ASSERT_EQ(write_at(*f, "abc", 2, &n), Errno::success);
  EXPECT_EQ(n, 3u);
  DescriptorStat st;
  ASSERT_EQ(stat(*f, &st), Errno::success);
  EXPECT_EQ(st.size, 5u);
  EXPECT_EQ(st.type, DescriptorType::regular_file);
  EXPECT_EQ(open_at(*dir, false, "out", oflag2::create | oflag2::exclusive, dflag::read, &f),
            Errno::exist);
  EXPECT_EQ(open_at(*dir, false, "sub", oflag2::directory | oflag2::truncate, dflag::read, &f),
            Errno::inval);
  EXPECT_EQ(open_at(*dir, false, "../escape", 0, dflag::read, &f), Errno::notcapable);
}

TEST_F(Descriptors, StreamsAppendAndDirectoryListingsSkipDots) {
  auto dir = preopen(false);
  std::unique_ptr<Descriptor> f;
  ASSERT_EQ(open_at(*dir, false, "file", 0, dflag::read | dflag::write, &f), Errno::success);
  std::unique_ptr<OutputStream> out;
  ASSERT_EQ(write_via_stream(*f, 0, true, &out), Errno::success);
  const uint8_t tail[] = {'!', '!'};
  ASSERT_TRUE(out->write(tail).ok());
  std::unique_ptr<InputStream> in;
  ASSERT_EQ(read_via_stream(*f, 8, &in), Errno::success);
  std::string got;
  ASSERT_TRUE(in->read(100, &got).ok());
  EXPECT_EQ(got, "89!!");
  EXPECT_EQ(in->read(100, &got).kind, StreamStatus::Kind::closed);

  std::unique_ptr<DirectoryEntries> entries;
  ASSERT_EQ(read_directory(*dir, &entries), Errno::success);
  std::vector<std::string> names;
  while (const DirEntry* e = entries->next()) names.push_back(e->name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"file", "sub"}));
  MetadataHash a, b;
  ASSERT_EQ(metadata_hash(*f, &a), Errno::success);
  ASSERT_EQ(metadata_hash_at(*dir, false, "file", &b), Errno::success);
  EXPECT_EQ(a.lower, b.lower);
  EXPECT_EQ(a.upper, b.upper);
  ASSERT_EQ(metadata_hash_at(*dir, false, "sub", &b), Errno::success);
  EXPECT_NE(a.lower, b.lower);
}

}  // namespace
}  // namespace hull::wasi
