// The preview 1 bindings end to end through the engine: bounds checks (fault, never a crash),
// readdir cookies, proc_exit unwinding, rights and read-only preopens; fds over the core
// (file positions and append mode, stream fds, poll_oneoff on the reactor).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "text/wat.h"
#include "wasi/core/errno.h"
#include "wasi/preview1/wasi_preview1.h"

namespace hull::wasi {
namespace {

namespace fs = std::filesystem;

// Each export forwards to the WASI import of the same name.
constexpr const char* kModule = R"(
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $fd_renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "fd_read") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_read)
  (func (export "fd_pwrite") (param i32 i32 i32 i64 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 call $fd_pwrite)
  (func (export "fd_seek") (param i32 i64 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_seek)
  (func (export "fd_tell") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $fd_tell)
  (func (export "fd_fdstat_set_flags") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $fd_fdstat_set_flags)
  (func (export "poll_oneoff") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $poll_oneoff)
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 call $fd_write)
  (func (export "args_sizes_get") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $args_sizes_get)
  (func (export "args_get") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $args_get)
  (func (export "fd_readdir") (param i32 i32 i32 i64 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 call $fd_readdir)
  (func (export "random_get") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $random_get)
  (func (export "path_open") (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 local.get 3 local.get 4 local.get 5 local.get 6
    local.get 7 local.get 8 call $path_open)
  (func (export "mkdir") (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 local.get 2 call $mkdir)
  (func (export "fd_renumber") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $fd_renumber)
  (func (export "proc_exit") (param i32) local.get 0 call $proc_exit unreachable))
)";

class Preview1 : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hull-wasi-p1XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ / "rw");
    fs::create_directories(dir_ / "ro");
    for (const char* n : {"a", "bb", "ccc", "dddd", "eeeee"}) {
      FILE* f = fopen((dir_ / "rw" / n).c_str(), "w");
      fclose(f);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  void start() {
    WasiConfig cfg;
    cfg.args = {"prog", "one", "two"};
    cfg.preopens.push_back(PreopenSpec{(dir_ / "rw").string(), "/rw", false});  // fd 3
    cfg.preopens.push_back(PreopenSpec{(dir_ / "ro").string(), "/ro", true});   // fd 4
    ASSERT_TRUE(init_wasi_state(cfg, &ctx_.state).ok());
    auto bin = text::wat_to_binary(kModule);
    ASSERT_TRUE(bin.ok()) << bin.error().to_string();
    auto mod = compile(*bin);
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    define_preview1(linker_, store_, ctx_);
    auto inst = linker_.instantiate(store_, *mod);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    inst_ = *inst;
    ctx_.instance = inst_;
  }
  // Calls an export; returns its i32 result (the errno) or -1 on a trap.
  int64_t call(const char* name, std::vector<Val> args) {
    auto r = invoke(store_, inst_->exports.at(name).func, args);
    EXPECT_TRUE(r.ok());
    if (r->trapped()) {
      last_trap_ = r->trap;
      return -1;
    }
    return r->values.empty() ? 0 : r->values[0].i32;
  }
  uint8_t* mem() { return inst_->memories[0]->base; }
  uint32_t load32(uint32_t p) {
    uint32_t v;
    std::memcpy(&v, mem() + p, 4);
    return v;
  }
  void store32(uint32_t p, uint32_t v) { std::memcpy(mem() + p, &v, 4); }
  void store64(uint32_t p, uint64_t v) { std::memcpy(mem() + p, &v, 8); }
  uint64_t load64(uint32_t p) {
    uint64_t v;
    std::memcpy(&v, mem() + p, 8);
    return v;
  }
  // One iovec at 16 over [buf, buf+len).
  void iovec_at16(uint32_t buf, uint32_t len) {
    store32(16, buf);
    store32(20, len);
  }
  std::string host_file(const char* rel) {
    std::ifstream f(dir_ / rel);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  static Val i32(uint32_t v) { return Val::from_i32(v); }
  static Val i64(uint64_t v) { return Val::from_i64(v); }
  int errno_of(Errno e) { return static_cast<int>(e); }

  fs::path dir_;
  Preview1Ctx ctx_;
  Store store_;
  Linker linker_;
  Instance* inst_ = nullptr;
  std::optional<Trap> last_trap_;
};

TEST_F(Preview1, ArgsAndBoundsChecks) {
  start();
  EXPECT_EQ(call("args_sizes_get", {i32(0), i32(4)}), 0);
  EXPECT_EQ(load32(0), 3u);
  EXPECT_EQ(load32(4), 13u);  // "prog\0one\0two\0"
  EXPECT_EQ(call("args_get", {i32(100), i32(200)}), 0);
  EXPECT_STREQ(reinterpret_cast<char*>(mem() + load32(104)), "one");
  // Pointers at or past the end of the 64 KiB memory.
  EXPECT_EQ(call("args_sizes_get", {i32(65534), i32(4)}), errno_of(Errno::fault));
  EXPECT_EQ(call("args_sizes_get", {i32(0xffffffff), i32(4)}), errno_of(Errno::fault));
  EXPECT_EQ(call("args_get", {i32(65530), i32(200)}), errno_of(Errno::fault));
  EXPECT_EQ(call("random_get", {i32(65000), i32(1000)}), errno_of(Errno::fault));
  EXPECT_EQ(call("random_get", {i32(65000), i32(536)}), 0);
}

TEST_F(Preview1, FdWriteChecksIovecs) {
  start();
  // iovec array itself out of bounds.
  EXPECT_EQ(call("fd_write", {i32(1), i32(65532), i32(1), i32(0)}), errno_of(Errno::fault));
  // An iovec whose buffer runs past the end (buf 65530, len 100).
  store32(16, 65530);
  store32(20, 100);
  EXPECT_EQ(call("fd_write", {i32(1), i32(16), i32(1), i32(0)}), errno_of(Errno::fault));
  // A length that wraps a 32-bit address (buf 0xfffffff0, len 0x20).
  store32(16, 0xfffffff0u);
  store32(20, 0x20);
  EXPECT_EQ(call("fd_write", {i32(1), i32(16), i32(1), i32(0)}), errno_of(Errno::fault));
  // nwritten pointer out of bounds.
  store32(16, 0);
  store32(20, 0);
  EXPECT_EQ(call("fd_write", {i32(1), i32(16), i32(1), i32(70000)}), errno_of(Errno::fault));
  EXPECT_EQ(call("fd_write", {i32(99), i32(16), i32(1), i32(0)}), errno_of(Errno::badf));
}

// Parses the dirents in [buf, buf+used) and returns the names and the last d_next.
std::vector<std::string> parse_dirents(const uint8_t* p, uint32_t used, uint64_t* last_next) {
  std::vector<std::string> names;
  uint32_t at = 0;
  while (at + 24 <= used) {
    uint64_t next;
    uint32_t len;
    std::memcpy(&next, p + at, 8);
    std::memcpy(&len, p + at + 16, 4);
    if (at + 24 + len > used) break;  // cut short by the buffer end
    names.emplace_back(reinterpret_cast<const char*>(p + at + 24), len);
    *last_next = next;
    at += 24 + len;
  }
  return names;
}

TEST_F(Preview1, ReaddirCookiesResume) {
  start();
  // All at once.
  ASSERT_EQ(call("fd_readdir", {i32(3), i32(1024), i32(4096), i64(0), i32(0)}), 0);
  uint64_t next = 0;
  auto all = parse_dirents(mem() + 1024, load32(0), &next);
  std::set<std::string> want = {".", "..", "a", "bb", "ccc", "dddd", "eeeee"};
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), want);
  EXPECT_EQ(next, all.size());
  // Page through with a small buffer, resuming from the last complete entry's cookie.
  std::vector<std::string> paged;
  uint64_t cookie = 0;
  for (int guard = 0; guard < 100; ++guard) {
    ASSERT_EQ(call("fd_readdir", {i32(3), i32(1024), i32(60), i64(cookie), i32(0)}), 0);
    uint32_t used = load32(0);
    uint64_t last = cookie;
    auto got = parse_dirents(mem() + 1024, used, &last);
    paged.insert(paged.end(), got.begin(), got.end());
    if (used < 60) break;  // buffer not filled: end of directory
    ASSERT_FALSE(got.empty());
    cookie = last;
  }
  EXPECT_EQ(paged, all);
  // A cookie past the end reads nothing.
  ASSERT_EQ(call("fd_readdir", {i32(3), i32(1024), i32(4096), i64(1000), i32(0)}), 0);
  EXPECT_EQ(load32(0), 0u);
  // Not a directory / not open.
  EXPECT_EQ(call("fd_readdir", {i32(1), i32(1024), i32(64), i64(0), i32(0)}),
            errno_of(Errno::notcapable));
  EXPECT_EQ(call("fd_readdir", {i32(42), i32(1024), i32(64), i64(0), i32(0)}),
            errno_of(Errno::badf));
}

TEST_F(Preview1, ReadOnlyPreopenRejectsWrites) {
  start();
  std::memcpy(mem() + 512, "newdir", 6);
  EXPECT_EQ(call("mkdir", {i32(4), i32(512), i32(6)}), errno_of(Errno::perm));
  EXPECT_FALSE(fs::exists(dir_ / "ro/newdir"));
  EXPECT_EQ(call("mkdir", {i32(3), i32(512), i32(6)}), 0);
  EXPECT_TRUE(fs::exists(dir_ / "rw/newdir"));
  // Creating a file through the read-only preopen.
  std::memcpy(mem() + 512, "f", 1);
  uint64_t write_rights = 1ull << 6;
  EXPECT_EQ(call("path_open", {i32(4), i32(0), i32(512), i32(1), i32(1), i64(write_rights),
                               i64(0), i32(0), i32(0)}),
            errno_of(Errno::perm));
  EXPECT_FALSE(fs::exists(dir_ / "ro/f"));
  // Escapes through path_open answer notcapable.
  std::memcpy(mem() + 512, "../ro", 5);
  EXPECT_EQ(call("path_open", {i32(3), i32(0), i32(512), i32(5), i32(0), i64(2), i64(0),
                               i32(0), i32(0)}),
            errno_of(Errno::notcapable));
}

TEST_F(Preview1, RenumberAndProcExit) {
  start();
  EXPECT_EQ(call("fd_renumber", {i32(3), i32(9)}), errno_of(Errno::badf));
  EXPECT_EQ(call("fd_renumber", {i32(4), i32(3)}), 0);
  EXPECT_EQ(call("fd_readdir", {i32(4), i32(1024), i32(64), i64(0), i32(0)}),
            errno_of(Errno::badf));
  EXPECT_EQ(call("proc_exit", {i32(7)}), -1);
  ASSERT_TRUE(last_trap_.has_value());
  EXPECT_TRUE(is_proc_exit(*last_trap_));
  EXPECT_EQ(ctx_.state.exit_code.value_or(0), 7u);
}

// A file fd reads and writes at its own position; fd_pwrite leaves it alone; append mode
// writes at the end and moves the position there.
TEST_F(Preview1, FilePositionAndAppend) {
  start();
  std::memcpy(mem() + 512, "f", 1);
  uint64_t rights = (1ull << 1) | (1ull << 2) | (1ull << 3) | (1ull << 5) | (1ull << 6);
  ASSERT_EQ(call("path_open", {i32(3), i32(0), i32(512), i32(1), i32(1), i64(rights), i64(0),
                               i32(0), i32(600)}),
            0);
  uint32_t fd = load32(600);
  std::memcpy(mem() + 1024, "hello", 5);
  iovec_at16(1024, 5);
  ASSERT_EQ(call("fd_write", {i32(fd), i32(16), i32(1), i32(0)}), 0);
  EXPECT_EQ(load32(0), 5u);
  ASSERT_EQ(call("fd_tell", {i32(fd), i32(8)}), 0);
  EXPECT_EQ(load64(8), 5u);
  // pwrite at 0 does not move the position.
  std::memcpy(mem() + 1024, "J", 1);
  iovec_at16(1024, 1);
  ASSERT_EQ(call("fd_pwrite", {i32(fd), i32(16), i32(1), i64(0), i32(0)}), 0);
  ASSERT_EQ(call("fd_tell", {i32(fd), i32(8)}), 0);
  EXPECT_EQ(load64(8), 5u);
  // Seek back and read it all.
  ASSERT_EQ(call("fd_seek", {i32(fd), i64(-4), i32(1), i32(8)}), 0);
  EXPECT_EQ(load64(8), 1u);
  EXPECT_EQ(call("fd_seek", {i32(fd), i64(-2), i32(0), i32(8)}), errno_of(Errno::inval));
  iovec_at16(2048, 100);
  ASSERT_EQ(call("fd_read", {i32(fd), i32(16), i32(1), i32(0)}), 0);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem() + 2048), load32(0)), "ello");
  // Append mode: a write at position 0 lands at the end, and the position follows it.
  ASSERT_EQ(call("fd_fdstat_set_flags", {i32(fd), i32(1)}), 0);
  ASSERT_EQ(call("fd_seek", {i32(fd), i64(0), i32(0), i32(8)}), 0);
  std::memcpy(mem() + 1024, "!!", 2);
  iovec_at16(1024, 2);
  ASSERT_EQ(call("fd_write", {i32(fd), i32(16), i32(1), i32(0)}), 0);
  ASSERT_EQ(call("fd_tell", {i32(fd), i32(8)}), 0);
  EXPECT_EQ(load64(8), 7u);
  EXPECT_EQ(host_file("rw/f"), "Jello!!");
}

// Stream fds (here a pipe as stdin): fd_read waits on the reactor until data arrives, and
// poll_oneoff reports a readable pipe before a later clock.
TEST_F(Preview1, StreamFdReadWaitsAndPollSeesIt) {
  start();
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ctx_.state.fds.insert_at(0, host_stream_entry(p[0], true));
  std::thread writer([w = p[1]] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_EQ(write(w, "abc", 3), 3);
  });
  iovec_at16(2048, 100);
  ASSERT_EQ(call("fd_read", {i32(0), i32(16), i32(1), i32(0)}), 0);
  writer.join();
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mem() + 2048), load32(0)), "abc");
  // Subscriptions at 4096: a 10 s relative clock (userdata 1), then fd_read on fd 0
  // (userdata 2). Nothing is readable yet: with a 1 ms clock instead, the clock fires.
  std::memset(mem() + 4096, 0, 96);
  store64(4096, 1);
  mem()[4096 + 8] = 0;  // clock
  store32(4096 + 16, 1);  // monotonic
  store64(4096 + 24, 1000000);
  store64(4096 + 48, 2);
  mem()[4096 + 48 + 8] = 1;  // fd_read
  store32(4096 + 48 + 16, 0);
  ASSERT_EQ(call("poll_oneoff", {i32(4096), i32(8192), i32(2), i32(0)}), 0);
  ASSERT_EQ(load32(0), 1u);
  EXPECT_EQ(load64(8192), 1u);
  ASSERT_EQ(write(p[1], "xy", 2), 2);
  store64(4096 + 24, 10000000000ull);
  ASSERT_EQ(call("poll_oneoff", {i32(4096), i32(8192), i32(2), i32(0)}), 0);
  ASSERT_EQ(load32(0), 1u);
  EXPECT_EQ(load64(8192), 2u);                // userdata of the fd subscription
  EXPECT_EQ(mem()[8192 + 10], 1);             // type fd_read
  EXPECT_EQ(load64(8192 + 16), 2u);           // nbytes
  // The writer goes away: the read sees the rest, then the end (0 bytes).
  ::close(p[1]);
  ASSERT_EQ(call("fd_read", {i32(0), i32(16), i32(1), i32(0)}), 0);
  EXPECT_EQ(load32(0), 2u);
  ASSERT_EQ(call("fd_read", {i32(0), i32(16), i32(1), i32(0)}), 0);
  EXPECT_EQ(load32(0), 0u);
}

}  // namespace
}  // namespace hull::wasi

namespace hull::wasi {
namespace {

// WASI called from the start function, before the embedder knows the instance: the memory is
// found through Store::caller.
TEST(Preview1Caller, StartFunctionReachesItsMemory) {
  constexpr const char* kStart = R"(
    (module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (global (export "err") (mut i32) (i32.const -1))
      (func $s (global.set 0 (call $asg (i32.const 8) (i32.const 12))))
      (start $s))
  )";
  Preview1Ctx ctx;
  WasiConfig cfg;
  cfg.args = {"x", "yz"};
  ASSERT_TRUE(init_wasi_state(cfg, &ctx.state).ok());
  Store store;
  Linker linker;
  define_preview1(linker, store, ctx);
  auto bin = text::wat_to_binary(kStart);
  ASSERT_TRUE(bin.ok());
  auto mod = compile(*bin);
  ASSERT_TRUE(mod.ok());
  auto inst = linker.instantiate(store, *mod);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ((*inst)->exports.at("err").global->get().i32, 0u);
  uint32_t argc;
  std::memcpy(&argc, (*inst)->memories[0]->base + 8, 4);
  EXPECT_EQ(argc, 2u);
}

}  // namespace
}  // namespace hull::wasi
