// The key-value storage behind wasi:keyvalue and fermyon:spin/key-value: one abstract store
// per label, backed by SQLite (embedded, the default) or Redis (shared by several processes).
// Every operation that must be atomic across processes (increment, compare-and-swap) is atomic
// in the backend itself, never by a lock in this process alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace hull::serve::kv {

// One page of keys; `cursor` (opaque) continues the listing, nullopt when it is complete.
struct KeyPage {
  std::vector<std::string> keys;
  std::optional<std::string> cursor;
};

using KeyValue = std::pair<std::string, std::string>;

// A store of byte values by string key. Errors are ErrorKind::Io with a message that names the
// store and backend and says what to check. Safe to call from several threads.
class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;

  // "sqlite:/path/to/file.db", "redis://host:port": for messages and logs.
  virtual const std::string& describe() const = 0;

  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  virtual Result<void> set(std::string_view key, std::string_view value) = 0;
  // Deleting a key that is absent succeeds.
  virtual Result<void> remove(std::string_view key) = 0;
  virtual Result<bool> exists(std::string_view key) = 0;
  // Up to `limit` keys after `cursor` (a cursor from an earlier page, or nullopt to start).
  virtual Result<KeyPage> list_keys(std::optional<std::string_view> cursor, size_t limit) = 0;
  // Adds `delta` to the integer stored at `key` (absent counts as 0) and returns the new value.
  // Counters are stored as decimal ASCII (as Redis INCRBY stores them), so `get` reads them as
  // text on every backend. A value that is not an integer, or overflow, is an error.
  virtual Result<int64_t> increment(std::string_view key, int64_t delta) = 0;
  // Sets `key` to `value` only when its current value equals `expected` (nullopt: absent).
  // Returns whether it swapped.
  virtual Result<bool> compare_and_swap(std::string_view key,
                                        const std::optional<std::string>& expected,
                                        std::string_view value) = 0;
  // Batches: one value (or nullopt) per key, in order. Not atomic as a whole, as
  // wasi:keyvalue/batch allows.
  virtual Result<std::vector<std::optional<std::string>>> get_many(
      std::span<const std::string> keys) = 0;
  virtual Result<void> set_many(std::span<const KeyValue> entries) = 0;
  virtual Result<void> delete_many(std::span<const std::string> keys) = 0;
};

// Parses a counter as stored by increment(); nullopt when `text` is not a decimal int64.
std::optional<int64_t> parse_counter(std::string_view text);

}  // namespace hull::serve::kv
