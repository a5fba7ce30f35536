// The SQLite key-value backend (see sqlite_store.h).
#include "serve/kv/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

namespace hull::serve::kv {

std::optional<int64_t> parse_counter(std::string_view text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end) return std::nullopt;
  return v;
}

namespace {

// A prepared statement, finalized on scope exit (an RAII guard: every early return resets it).
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool prepared() const { return rc_ == SQLITE_OK; }
  void text(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void blob(int i, std::string_view v) {
    // A zero-length blob must still be a blob, not NULL (the column is NOT NULL).
    sqlite3_bind_blob(s_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
  }
  void int64(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); }
  int step() { return sqlite3_step(s_); }
  std::string column(int i) {
    const void* p = sqlite3_column_blob(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

class SqliteStore final : public KeyValueStore {
 public:
  SqliteStore(sqlite3* db, std::string path) : db_(db), describe_("sqlite:" + std::move(path)) {}
  ~SqliteStore() override { sqlite3_close_v2(db_); }

  const std::string& describe() const override { return describe_; }

  Result<std::optional<std::string>> get(std::string_view key) override {
    std::lock_guard lock(mu_);
    return get_locked(key);
  }

  Result<void> set(std::string_view key, std::string_view value) override {
    std::lock_guard lock(mu_);
    return set_locked(key, value);
  }

  Result<void> remove(std::string_view key) override {
    std::lock_guard lock(mu_);
    return remove_locked(key);
  }

  Result<bool> exists(std::string_view key) override {
    std::lock_guard lock(mu_);
    Stmt s(db_, "SELECT 1 FROM kv WHERE key = ?1");
    if (!s.prepared()) return fail("exists");
    s.text(1, key);
    int rc = s.step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return fail("exists");
  }

  Result<KeyPage> list_keys(std::optional<std::string_view> cursor, size_t limit) override {
    std::lock_guard lock(mu_);
    limit = std::max<size_t>(1, std::min<size_t>(limit, size_t{1} << 30));
    // The cursor is the last key of the previous page: keys are listed in order, so a page
    // continues after it even when keys were added or removed in between.
    Stmt s(db_, cursor ? "SELECT key FROM kv WHERE key > ?1 ORDER BY key LIMIT ?2"
                       : "SELECT key FROM kv ORDER BY key LIMIT ?2");
    if (!s.prepared()) return fail("list keys");
    if (cursor) s.text(1, *cursor);
    // One more than asked tells whether another page follows.
    s.int64(2, static_cast<int64_t>(limit) + 1);
    KeyPage page;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) page.keys.push_back(s.column(0));
    if (rc != SQLITE_DONE) return fail("list keys");
    if (page.keys.size() > limit) {
      page.keys.pop_back();
      page.cursor = page.keys.back();
    }
    return page;
  }

  Result<int64_t> increment(std::string_view key, int64_t delta) override {
    std::lock_guard lock(mu_);
    HULL_TRY(begin_immediate());
    auto done = [&](Result<int64_t> r) -> Result<int64_t> {
      if (!r) {
        rollback();
        return r;
      }
      if (auto c = commit(); !c) return std::move(c).error();
      return r;
    };
    auto current = get_locked(key);
    if (!current) return done(std::move(current).error());
    int64_t value = 0;
    if (*current) {
      auto parsed = parse_counter(**current);
      if (!parsed) {
        return done(error("increment: the value of key '" + std::string(key) +
                          "' is not a decimal integer, so it cannot be incremented"));
      }
      value = *parsed;
    }
    int64_t next = 0;
    if (__builtin_add_overflow(value, delta, &next)) {
      return done(error("increment: key '" + std::string(key) +
                        "' would overflow a signed "
                        "64-bit integer"));
    }
    if (auto s = set_locked(key, std::to_string(next)); !s) return done(std::move(s).error());
    return done(next);
  }

  Result<bool> compare_and_swap(std::string_view key, const std::optional<std::string>& expected,
                                std::string_view value) override {
    std::lock_guard lock(mu_);
    HULL_TRY(begin_immediate());
    auto current = get_locked(key);
    if (!current) {
      rollback();
      return std::move(current).error();
    }
    if (*current != expected) {
      rollback();
      return false;
    }
    if (auto s = set_locked(key, value); !s) {
      rollback();
      return std::move(s).error();
    }
    HULL_TRY(commit());
    return true;
  }

  Result<std::vector<std::optional<std::string>>> get_many(
      std::span<const std::string> keys) override {
    std::lock_guard lock(mu_);
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (const auto& k : keys) {
      HULL_ASSIGN_OR_RETURN(auto v, get_locked(k));
      out.push_back(std::move(v));
    }
    return out;
  }

  Result<void> set_many(std::span<const KeyValue> entries) override {
    std::lock_guard lock(mu_);
    // One transaction: one fsync for the batch instead of one per key.
    HULL_TRY(begin_immediate());
    for (const auto& [k, v] : entries) {
      if (auto s = set_locked(k, v); !s) {
        rollback();
        return s;
      }
    }
    return commit();
  }

  Result<void> delete_many(std::span<const std::string> keys) override {
    std::lock_guard lock(mu_);
    HULL_TRY(begin_immediate());
    for (const auto& k : keys) {
      if (auto s = remove_locked(k); !s) {
        rollback();
        return s;
      }
    }
    return commit();
  }

 private:
  Error error(std::string what) const {
    return Error::make(ErrorKind::Io, describe_ + ": " + std::move(what));
  }
  Error fail(const char* op) const {
    return error(std::string(op) + " failed: " + sqlite3_errmsg(db_) +
                 " (check that the file is writable and not corrupt)");
  }

  Result<std::optional<std::string>> get_locked(std::string_view key) {
    Stmt s(db_, "SELECT value FROM kv WHERE key = ?1");
    if (!s.prepared()) return fail("get");
    s.text(1, key);
    int rc = s.step();
    if (rc == SQLITE_ROW) return std::optional<std::string>(s.column(0));
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    return fail("get");
  }

  Result<void> set_locked(std::string_view key, std::string_view value) {
    Stmt s(db_,
           "INSERT INTO kv(key, value) VALUES(?1, ?2) "
           "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!s.prepared()) return fail("set");
    s.text(1, key);
    s.blob(2, value);
    if (s.step() != SQLITE_DONE) return fail("set");
    return {};
  }

  Result<void> remove_locked(std::string_view key) {
    Stmt s(db_, "DELETE FROM kv WHERE key = ?1");
    if (!s.prepared()) return fail("delete");
    s.text(1, key);
    if (s.step() != SQLITE_DONE) return fail("delete");
    return {};
  }

  // BEGIN IMMEDIATE takes the write lock up front, so the read-modify-write that follows cannot
  // interleave with another process's (a deferred transaction could read, then fail to upgrade).
  Result<void> begin_immediate() {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return fail("begin transaction");
    }
    return {};
  }
  Result<void> commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Error e = fail("commit");
      rollback();
      return e;
    }
    return {};
  }
  void rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

  std::mutex mu_;  // one connection per store, shared by the process's threads
  sqlite3* db_;
  std::string describe_;
};

}  // namespace

Result<std::unique_ptr<KeyValueStore>> open_sqlite_store(const std::string& path,
                                                         const SqliteOptions& options) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return Error::make(ErrorKind::Io, "sqlite:" + path + ": cannot create directory " +
                                            p.parent_path().string() + ": " + ec.message());
    }
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto failed = [&](const char* what) -> Error {
    std::string msg = "sqlite:" + path + ": " + what + ": " +
                      (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)) +
                      " (check the path in the runtime config and its permissions)";
    sqlite3_close_v2(db);
    return Error::make(ErrorKind::Io, std::move(msg));
  };
  if (rc != SQLITE_OK) return failed("cannot open the database");
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  // WAL: readers do not block the writer; synchronous=NORMAL is durable across process crashes
  // in WAL mode (only a power loss may drop the last transactions).
  const char* setup =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;";
  // Two processes opening a new database at once can get SQLITE_BUSY here without the busy
  // handler being consulted (SQLite refuses to wait while upgrading a lock, which could
  // deadlock): retry for as long as the busy timeout allows.
  for (int waited_ms = 0;; waited_ms += 10) {
    int setup_rc = sqlite3_exec(db, setup, nullptr, nullptr, nullptr);
    if (setup_rc == SQLITE_OK) break;
    bool busy = (setup_rc & 0xff) == SQLITE_BUSY || (setup_rc & 0xff) == SQLITE_LOCKED;
    if (!busy || waited_ms >= options.busy_timeout_ms) {
      return failed("cannot set up the key-value table");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::unique_ptr<KeyValueStore>(std::make_unique<SqliteStore>(db, path));
}

}  // namespace hull::serve::kv
