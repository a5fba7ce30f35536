// The embedded key-value backend: one SQLite database file per store, in WAL mode with a busy
// timeout so that several processes (several `hull serve` workers or replicas on one machine)
// can share the file; increment and compare-and-swap run in BEGIN IMMEDIATE transactions, so
// they are atomic across processes.
#pragma once

#include <memory>
#include <string>

#include "serve/kv/store.h"

namespace hull::serve::kv {

struct SqliteOptions {
  // How long a statement waits for another process's write lock before failing.
  int busy_timeout_ms = 10'000;
};

// Opens (creating when missing, with its parent directories) the database at `path`.
Result<std::unique_ptr<KeyValueStore>> open_sqlite_store(const std::string& path,
                                                         const SqliteOptions& options = {});

}  // namespace hull::serve::kv
