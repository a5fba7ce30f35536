// The runtime config (Spin's runtime-config.toml layout) that chooses a backend per key-value
// store, and the registry that opens those stores for an app:
//   [key_value_store.NAME]
//   type = "spin"            # SQLite; path = "file.db" (relative to the config's directory)
//   type = "redis"           # url = "redis://host:port"
// A store without an entry (in particular "default") is SQLite in the app's state directory:
// <state-dir>/<NAME>.db, where the state directory is `.hull/` beside the manifest unless given.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "serve/diagnostics.h"
#include "serve/kv/store.h"

namespace hull::serve {

struct KvStoreConfig {
  enum class Backend : uint8_t { sqlite, redis };
  Backend backend = Backend::sqlite;
  std::string path;  // sqlite: the database file (absolute, or relative to the process)
  std::string url;   // redis
  SourcePos at;
};

struct RuntimeConfig {
  std::map<std::string, KvStoreConfig> key_value_stores;
  std::vector<Diagnostic> warnings;
};

// Parses runtime-config text; `path` names it in messages and anchors relative paths.
Result<RuntimeConfig> parse_runtime_config(std::string_view text, std::string_view path);
Result<RuntimeConfig> load_runtime_config(const std::string& path);

// The state directory for an app whose manifest is at `manifest_path`: `.hull` beside it.
std::string default_state_dir(std::string_view manifest_path);

// Opens an app's stores on first use and shares them between requests (and threads).
class KvRegistry {
 public:
  KvRegistry(RuntimeConfig config, std::string state_dir);
  // Whether `label` names a store: "default", or one the runtime config defines.
  bool defines(std::string_view label) const;
  // The store for `label` (opened now if it was not yet); an error when it is not defined or
  // its backend cannot be reached.
  Result<std::shared_ptr<kv::KeyValueStore>> open(std::string_view label);
  // The configuration a label resolves to (the default one for an undefined "default").
  KvStoreConfig config_of(std::string_view label) const;

 private:
  RuntimeConfig config_;
  std::string state_dir_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<kv::KeyValueStore>, std::less<>> open_;
};

}  // namespace hull::serve
