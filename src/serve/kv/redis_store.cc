// The Redis key-value backend (see redis_store.h).
#include "serve/kv/redis_store.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <vector>

namespace hull::serve::kv {

Result<RedisUrl> parse_redis_url(std::string_view url) {
  auto bad = [&](std::string why) {
    return Error::make(ErrorKind::Usage, "redis url '" + std::string(url) + "': " + why +
                                             " (expected redis://[:password@]host[:port][/db])");
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad("it does not start with redis://");
  std::string_view rest = url.substr(kScheme.size());
  RedisUrl out;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    // user:password or :password; Redis 6 ACL users are not supported yet.
    size_t colon = auth.find(':');
    out.password = std::string(colon == std::string_view::npos ? auth : auth.substr(colon + 1));
    rest = rest.substr(at + 1);
  }
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), out.db);
      if (ec != std::errc() || p != db.data() + db.size() || out.db < 0) {
        return bad("the database number is not a non-negative integer");
      }
    }
    rest = rest.substr(0, slash);
  }
  std::string_view host = rest;
  if (size_t colon = rest.rfind(':'); colon != std::string_view::npos && rest.front() != '[') {
    host = rest.substr(0, colon);
    std::string_view port = rest.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || p != port.data() + port.size() || out.port <= 0 || out.port > 65535) {
      return bad("the port is not a number from 1 to 65535");
    }
  }
  if (host.empty()) return bad("the host is missing");
  out.host = std::string(host);
  return out;
}

namespace {

using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// Compare-and-swap in one server-side step: ARGV[1] says whether a value is expected
// ("1") or absence ("0"), ARGV[2] is the expected value, ARGV[3] the new one.
constexpr const char* kCasScript = R"(
local v = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if v ~= ARGV[2] then return 0 end
elseif v then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1)";

class RedisStore final : public KeyValueStore {
 public:
  RedisStore(RedisUrl url, std::string text, RedisOptions options)
      : url_(std::move(url)), describe_(std::move(text)), options_(options) {}
  ~RedisStore() override {
    if (ctx_) redisFree(ctx_);
  }

  const std::string& describe() const override { return describe_; }

  Result<void> connect() {
    std::lock_guard lock(mu_);
    return connect_locked();
  }

  Result<std::optional<std::string>> get(std::string_view key) override {
    HULL_ASSIGN_OR_RETURN(Reply r, command({"GET", key}));
    if (r->type == REDIS_REPLY_NIL) return std::optional<std::string>();
    if (r->type != REDIS_REPLY_STRING) return unexpected("GET", r.get());
    return std::optional<std::string>(std::string(r->str, r->len));
  }

  Result<void> set(std::string_view key, std::string_view value) override {
    HULL_ASSIGN_OR_RETURN(Reply r, command({"SET", key, value}));
    if (r->type != REDIS_REPLY_STATUS) return unexpected("SET", r.get());
    return {};
  }

  Result<void> remove(std::string_view key) override {
    HULL_ASSIGN_OR_RETURN(Reply r, command({"DEL", key}));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("DEL", r.get());
    return {};
  }

  Result<bool> exists(std::string_view key) override {
    HULL_ASSIGN_OR_RETURN(Reply r, command({"EXISTS", key}));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("EXISTS", r.get());
    return r->integer != 0;
  }

  Result<KeyPage> list_keys(std::optional<std::string_view> cursor, size_t limit) override {
    // SCAN's cursor is the server's; COUNT is a hint, so a page may hold more or fewer keys,
    // and a key may appear twice across pages (wasi:keyvalue allows both).
    std::string count = std::to_string(std::max<size_t>(1, std::min<size_t>(limit, 100000)));
    HULL_ASSIGN_OR_RETURN(Reply r, command({"SCAN", cursor ? *cursor : "0", "COUNT", count}));
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_ARRAY) {
      return unexpected("SCAN", r.get());
    }
    KeyPage page;
    std::string next(r->element[0]->str, r->element[0]->len);
    if (next != "0") page.cursor = std::move(next);
    const redisReply* keys = r->element[1];
    for (size_t i = 0; i < keys->elements; ++i) {
      page.keys.emplace_back(keys->element[i]->str, keys->element[i]->len);
    }
    return page;
  }

  Result<int64_t> increment(std::string_view key, int64_t delta) override {
    HULL_ASSIGN_OR_RETURN(Reply r, command({"INCRBY", key, std::to_string(delta)}));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("INCRBY", r.get());
    return static_cast<int64_t>(r->integer);
  }

  Result<bool> compare_and_swap(std::string_view key, const std::optional<std::string>& expected,
                                std::string_view value) override {
    HULL_ASSIGN_OR_RETURN(Reply r, command({"EVAL", kCasScript, "1", key, expected ? "1" : "0",
                                            expected ? std::string_view(*expected) : "", value}));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("EVAL (compare-and-swap)", r.get());
    return r->integer == 1;
  }

  Result<std::vector<std::optional<std::string>>> get_many(
      std::span<const std::string> keys) override {
    std::vector<std::optional<std::string>> out;
    if (keys.empty()) return out;
    std::vector<std::string_view> argv{"MGET"};
    for (const auto& k : keys) argv.push_back(k);
    HULL_ASSIGN_OR_RETURN(Reply r, command(argv));
    if (r->type != REDIS_REPLY_ARRAY || r->elements != keys.size()) {
      return unexpected("MGET", r.get());
    }
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* e = r->element[i];
      if (e->type == REDIS_REPLY_STRING) {
        out.emplace_back(std::string(e->str, e->len));
      } else {
        out.emplace_back();
      }
    }
    return out;
  }

  Result<void> set_many(std::span<const KeyValue> entries) override {
    if (entries.empty()) return {};
    std::vector<std::string_view> argv{"MSET"};
    for (const auto& [k, v] : entries) {
      argv.push_back(k);
      argv.push_back(v);
    }
    HULL_ASSIGN_OR_RETURN(Reply r, command(argv));
    if (r->type != REDIS_REPLY_STATUS) return unexpected("MSET", r.get());
    return {};
  }

  Result<void> delete_many(std::span<const std::string> keys) override {
    if (keys.empty()) return {};
    std::vector<std::string_view> argv{"DEL"};
    for (const auto& k : keys) argv.push_back(k);
    HULL_ASSIGN_OR_RETURN(Reply r, command(argv));
    if (r->type != REDIS_REPLY_INTEGER) return unexpected("DEL", r.get());
    return {};
  }

 private:
  Error error(std::string what) const {
    return Error::make(ErrorKind::Io, describe_ + ": " + std::move(what));
  }
  Error unexpected(const char* cmd, const redisReply* r) const {
    if (r->type == REDIS_REPLY_ERROR) {
      return error(std::string(cmd) + " failed: " + std::string(r->str, r->len));
    }
    return error(std::string(cmd) + ": unexpected reply type " + std::to_string(r->type));
  }

  Result<void> connect_locked() {
    if (ctx_) {
      redisFree(ctx_);
      ctx_ = nullptr;
    }
    timeval tv = to_timeval(options_.connect_timeout);
    redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, tv);
    if (!c || c->err) {
      std::string why = c ? c->errstr : "out of memory";
      if (c) redisFree(c);
      return error("cannot connect to the Redis server: " + why +
                   " (is redis-server running and reachable at " + url_.host + ":" +
                   std::to_string(url_.port) + "? check the url in the runtime config)");
    }
    timeval ctv = to_timeval(options_.command_timeout);
    redisSetTimeout(c, ctv);
    ctx_ = c;
    auto simple = [&](std::vector<std::string_view> argv, const char* what) -> Result<void> {
      HULL_ASSIGN_OR_RETURN(Reply r, send(argv));
      if (r->type == REDIS_REPLY_ERROR) {
        return error(std::string(what) + " failed: " + std::string(r->str, r->len));
      }
      return {};
    };
    if (!url_.password.empty()) HULL_TRY(simple({"AUTH", url_.password}, "AUTH"));
    if (url_.db != 0) HULL_TRY(simple({"SELECT", std::to_string(url_.db)}, "SELECT"));
    return {};
  }

  // One command on the current connection; a broken connection is dropped (ctx_ = null).
  Result<Reply> send(const std::vector<std::string_view>& argv) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (auto a : argv) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    if (!raw) {
      std::string why = ctx_->errstr;
      redisFree(ctx_);
      ctx_ = nullptr;
      return error("lost the connection to the Redis server: " + why +
                   " (is redis-server still running?)");
    }
    return Reply(raw, &freeReplyObject);
  }

  // A command, reconnecting first when an earlier one lost the connection (the server
  // restarted). A failed command is not resent: it may have run (INCRBY twice would be wrong).
  Result<Reply> command(const std::vector<std::string_view>& argv) {
    std::lock_guard lock(mu_);
    if (!ctx_) HULL_TRY(connect_locked());
    return send(argv);
  }

  std::mutex mu_;
  RedisUrl url_;
  std::string describe_;
  RedisOptions options_;
  redisContext* ctx_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<KeyValueStore>> open_redis_store(const std::string& url,
                                                        const RedisOptions& options) {
  HULL_ASSIGN_OR_RETURN(RedisUrl parsed, parse_redis_url(url));
  // Messages name the server without the password.
  std::string text = "redis://" + parsed.host + ":" + std::to_string(parsed.port) + "/" +
                     std::to_string(parsed.db);
  auto store = std::make_unique<RedisStore>(std::move(parsed), std::move(text), options);
  HULL_TRY(store->connect());
  return std::unique_ptr<KeyValueStore>(std::move(store));
}

}  // namespace hull::serve::kv
