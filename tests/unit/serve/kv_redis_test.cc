// The Redis backend against a redis-server this test starts itself (Debian's redis-server, on a
// free loopback port, without persistence, in a temporary directory; stopped at the end). A
// missing redis-server is a failure that says to run scripts/setup.sh, never a skip.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "kv_test_util.h"
#include "serve/kv/redis_store.h"

namespace {

using namespace hull::serve;
using namespace hull::serve::kv::testing;

// An unused loopback port (the kernel's choice; released just before redis-server takes it).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(a.sin_port);
}

std::string find_redis_server() {
  for (const char* p : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

class RedisKv : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    binary_ = find_redis_server();
    if (binary_.empty()) return;
    char tmpl[] = "/tmp/hull-redis-XXXXXX";
    if (!mkdtemp(tmpl)) return;
    dir_ = tmpl;
    port_ = free_port();
    pid_ = fork();
    if (pid_ == 0) {
      std::string port = std::to_string(port_);
      std::string log = dir_ + "/redis.log";
      execl(binary_.c_str(), binary_.c_str(), "--port", port.c_str(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", dir_.c_str(), "--logfile", log.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    // Bounded wait until it accepts connections.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (kv::open_redis_store(url()).ok()) {
        ready_ = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    ASSERT_FALSE(binary_.empty()) << "redis-server is not installed: run scripts/setup.sh";
    ASSERT_TRUE(ready_) << "redis-server did not start on 127.0.0.1:" << port_ << " within 10 s";
    auto s = open();
    ASSERT_TRUE(s);
    // Each test starts from an empty database.
    std::optional<std::string> cursor;
    do {
      auto page = s->list_keys(cursor, 1000);
      ASSERT_TRUE(page.ok());
      ASSERT_TRUE(s->delete_many(page->keys).ok());
      cursor = page->cursor;
    } while (cursor);
  }
  static std::string url() { return "redis://127.0.0.1:" + std::to_string(port_); }
  static std::unique_ptr<kv::KeyValueStore> open() {
    auto s = kv::open_redis_store(url());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : nullptr;
  }

  static inline std::string binary_, dir_;
  static inline int port_ = 0;
  static inline pid_t pid_ = -1;
  static inline bool ready_ = false;
};

TEST_F(RedisKv, BasicOperations) { check_basic_operations(*open()); }
TEST_F(RedisKv, ListKeysInPages) { check_list_keys(*open()); }
TEST_F(RedisKv, IncrementAndCompareAndSwap) { check_increment_and_cas(*open()); }
TEST_F(RedisKv, Batch) { check_batch(*open()); }

TEST_F(RedisKv, TwoProcessesIncrementToTheExactSum) {
  check_increments_across_processes([] { return open(); }, 2, 1000);
}

TEST_F(RedisKv, UnreachableServerIsAClearError) {
  int port = free_port();  // nothing listens there
  auto s = kv::open_redis_store("redis://127.0.0.1:" + std::to_string(port));
  ASSERT_FALSE(s.ok());
  const std::string& m = s.error().message;
  EXPECT_NE(m.find("cannot connect to the Redis server"), std::string::npos) << m;
  EXPECT_NE(m.find("is redis-server running"), std::string::npos) << m;
}

TEST(RedisUrl, Parse) {
  auto u = kv::parse_redis_url("redis://:secret@cache.local:6380/2");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "cache.local");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->password, "secret");
  EXPECT_EQ(u->db, 2);
  EXPECT_EQ(kv::parse_redis_url("redis://h")->port, 6379);
  for (const char* bad : {"http://h", "redis://", "redis://h:0", "redis://h:x", "redis://h/x"}) {
    auto r = kv::parse_redis_url(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_NE(r.error().message.find("expected redis://"), std::string::npos);
  }
}

}  // namespace
