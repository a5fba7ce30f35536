// The SQLite backend: every operation, and increments from several processes on one file ending
// at the exact sum (BEGIN IMMEDIATE makes them atomic across processes).
#include <filesystem>

#include "kv_test_util.h"
#include "serve/kv/sqlite_store.h"
#include "serve/runtime_config.h"

namespace {

using namespace hull::serve;
using namespace hull::serve::kv::testing;

class SqliteKv : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hull-kv-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<kv::KeyValueStore> open(const std::string& name = "store.db") {
    auto s = kv::open_sqlite_store(dir_ + "/sub/" + name);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string dir_;
};

TEST_F(SqliteKv, BasicOperations) { check_basic_operations(*open()); }
TEST_F(SqliteKv, ListKeysInPages) { check_list_keys(*open()); }
TEST_F(SqliteKv, IncrementAndCompareAndSwap) { check_increment_and_cas(*open()); }
TEST_F(SqliteKv, Batch) { check_batch(*open()); }

TEST_F(SqliteKv, SurvivesReopening) {
  ASSERT_TRUE(open()->set("k", "kept").ok());
  EXPECT_EQ(*open()->get("k"), std::optional<std::string>("kept"));
}

TEST_F(SqliteKv, TwoProcessesIncrementToTheExactSum) {
  check_increments_across_processes([&] { return open(); }, 2, 500);
}

TEST_F(SqliteKv, UnopenableFileIsAClearError) {
  auto s = kv::open_sqlite_store("/proc/hull-no/such.db");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("sqlite:/proc/hull-no/such.db"), std::string::npos)
      << s.error().message;
}

TEST_F(SqliteKv, RegistryOpensOneFilePerStoreInTheStateDir) {
  KvRegistry registry(RuntimeConfig{}, dir_ + "/.hull");
  auto a = registry.open("default");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE((*a)->set("x", "1").ok());
  auto again = registry.open("default");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(a->get(), again->get());  // shared, not reopened
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/.hull/default.db"));
  auto undefined = registry.open("elsewhere");
  ASSERT_FALSE(undefined.ok());
  EXPECT_NE(undefined.error().message.find("[key_value_store.elsewhere]"), std::string::npos);
}

}  // namespace
