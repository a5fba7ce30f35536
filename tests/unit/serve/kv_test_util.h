// Shared checks for the key-value backends: every backend must pass the same behaviour tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <set>

#include "serve/kv/store.h"

namespace hull::serve::kv::testing {

inline void check_basic_operations(KeyValueStore& s) {
  ASSERT_TRUE(s.set("a", "1").ok());
  ASSERT_TRUE(s.set("empty", "").ok());
  ASSERT_TRUE(s.set(std::string("bin\0key", 7), std::string("\0\xff", 2)).ok());
  EXPECT_EQ(*s.get("a"), std::optional<std::string>("1"));
  EXPECT_EQ(*s.get("empty"), std::optional<std::string>(""));
  EXPECT_EQ(*s.get(std::string("bin\0key", 7)),
            std::optional<std::string>(std::string("\0\xff", 2)));
  EXPECT_EQ(*s.get("missing"), std::nullopt);
  EXPECT_TRUE(*s.exists("a"));
  EXPECT_FALSE(*s.exists("missing"));
  ASSERT_TRUE(s.set("a", "2").ok());
  EXPECT_EQ(*s.get("a"), std::optional<std::string>("2"));
  ASSERT_TRUE(s.remove("a").ok());
  ASSERT_TRUE(s.remove("a").ok());  // absent: still fine
  EXPECT_FALSE(*s.exists("a"));
}

inline void check_list_keys(KeyValueStore& s) {
  std::set<std::string> want;
  for (int i = 0; i < 25; ++i) {
    std::string k = "list-" + std::to_string(i);
    ASSERT_TRUE(s.set(k, "v").ok());
    want.insert(k);
  }
  std::set<std::string> got;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = s.list_keys(cursor, 10);
    ASSERT_TRUE(page.ok()) << page.error().message;
    for (auto& k : page->keys) {
      if (k.starts_with("list-")) got.insert(k);
    }
    cursor = page->cursor;
    ASSERT_LT(++pages, 100);
  } while (cursor);
  EXPECT_EQ(got, want);
}

inline void check_increment_and_cas(KeyValueStore& s) {
  EXPECT_EQ(*s.increment("n", 5), 5);
  EXPECT_EQ(*s.increment("n", -2), 3);
  EXPECT_EQ(*s.get("n"), std::optional<std::string>("3"));
  ASSERT_TRUE(s.set("text", "abc").ok());
  auto bad = s.increment("text", 1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find(s.describe()), std::string::npos) << bad.error().message;

  EXPECT_TRUE(*s.compare_and_swap("cas", std::nullopt, "first"));    // absent as expected
  EXPECT_FALSE(*s.compare_and_swap("cas", std::nullopt, "second"));  // no longer absent
  EXPECT_FALSE(*s.compare_and_swap("cas", std::string("wrong"), "second"));
  EXPECT_TRUE(*s.compare_and_swap("cas", std::string("first"), "second"));
  EXPECT_EQ(*s.get("cas"), std::optional<std::string>("second"));
}

inline void check_batch(KeyValueStore& s) {
  std::vector<KeyValue> entries{{"b1", "x"}, {"b2", "y"}};
  ASSERT_TRUE(s.set_many(entries).ok());
  std::vector<std::string> keys{"b1", "none", "b2"};
  auto got = s.get_many(keys);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0], std::optional<std::string>("x"));
  EXPECT_EQ((*got)[1], std::nullopt);
  EXPECT_EQ((*got)[2], std::optional<std::string>("y"));
  std::vector<std::string> del{"b1", "b2"};
  ASSERT_TRUE(s.delete_many(del).ok());
  EXPECT_FALSE(*s.exists("b1"));
  EXPECT_FALSE(*s.exists("b2"));
}

// `processes` children each open their own store (as separate `hull serve` processes would)
// and increment `key` `per_process` times; the final value must be the exact sum.
inline void check_increments_across_processes(
    const std::function<std::unique_ptr<KeyValueStore>()>& open, int processes, int per_process) {
  std::vector<pid_t> children;
  for (int p = 0; p < processes; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto s = open();
      int status = s ? 0 : 2;
      for (int i = 0; s && i < per_process; ++i) {
        if (!s->increment("shared-counter", 1).ok()) {
          status = 1;
          break;
        }
      }
      _exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child failed: " << status;
  }
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(*s->get("shared-counter"),
            std::optional<std::string>(std::to_string(processes * per_process)));
}

}  // namespace hull::serve::kv::testing
