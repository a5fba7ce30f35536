// The shared key-value backend: a Redis server reached with hiredis, so that several
// `hull serve` processes (or replicas) see one store. Increment is INCRBY and compare-and-swap
// a Lua script, both atomic in the server.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "serve/kv/store.h"

namespace hull::serve::kv {

struct RedisOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
};

// A parsed `redis://[:password@]host[:port][/db]` URL.
struct RedisUrl {
  std::string host;
  int port = 6379;
  std::string password;
  int db = 0;
};
Result<RedisUrl> parse_redis_url(std::string_view url);

// Connects to the server at `url` now: an unreachable server is an error here (naming the URL
// and saying to start redis-server or fix the url), not at the first request.
Result<std::unique_ptr<KeyValueStore>> open_redis_store(const std::string& url,
                                                        const RedisOptions& options = {});

}  // namespace hull::serve::kv
