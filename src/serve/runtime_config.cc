// Runtime-config parsing and the key-value store registry (see runtime_config.h).
#include "serve/runtime_config.h"

#include <fstream>
#include <sstream>

#include "serve/kv/redis_store.h"
#include "serve/kv/sqlite_store.h"
#include "serve/toml_reader.h"

namespace hull::serve {

namespace {

std::string dir_of(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string join(const std::string& dir, const std::string& p) {
  if (!p.empty() && p.front() == '/') return p;
  return dir + "/" + p;
}

void read_store(TomlReader& toml, const std::string& name, const toml::Table& t,
                const std::string& config_dir, RuntimeConfig& out) {
  std::string where = "[key_value_store." + name + "]";
  KvStoreConfig c;
  c.at = toml.pos(t);
  std::optional<std::string> type, path, url;
  const toml::Value* type_node = nullptr;
  for (auto&& [k, v] : t) {
    std::string_view key = k.name;
    if (key == "type") {
      type = toml.string(v, where + " type");
      type_node = &v;
    } else if (key == "path") {
      path = toml.string(v, where + " path");
    } else if (key == "url") {
      url = toml.string(v, where + " url");
    } else {
      toml.unknown_key(k, where, "type, path (spin), url (redis)");
    }
  }
  if (!type) {
    if (!type_node) {
      toml.diags().error(c.at, where +
                                   " has no type (add type = \"spin\" for SQLite or "
                                   "type = \"redis\")");
    }
    return;
  }
  if (*type == "spin" || *type == "sqlite") {
    c.backend = KvStoreConfig::Backend::sqlite;
    if (url) toml.diags().warn(c.at, where + ": url is ignored for a SQLite store");
    // Spin's default file for a store without a path; resolved against the state dir later.
    c.path = path ? join(config_dir, *path) : std::string();
  } else if (*type == "redis") {
    c.backend = KvStoreConfig::Backend::redis;
    if (!url) {
      toml.diags().error(c.at, where + ": a redis store needs url = \"redis://host:port\"");
      return;
    }
    if (path) toml.diags().warn(c.at, where + ": path is ignored for a Redis store");
    c.url = *url;
  } else {
    toml.diags().error(toml.pos(*type_node), where + ": type '" + *type +
                                                 "' is not supported "
                                                 "(use \"spin\" for SQLite or \"redis\")");
    return;
  }
  out.key_value_stores[name] = std::move(c);
}

}  // namespace

Result<RuntimeConfig> parse_runtime_config(std::string_view text, std::string_view path) {
  Diagnostics diags;
  TomlReader toml(std::string(path), diags);
  RuntimeConfig out;
  std::string config_dir = dir_of(path);
  if (std::optional<toml::Table> root = toml.parse(text)) {
    for (auto&& [k, v] : *root) {
      if (k.name != "key_value_store") {
        toml.unknown_key(k, "the runtime config", "key_value_store");
        continue;
      }
      const toml::Table* stores = toml.table(v, "[key_value_store]");
      if (!stores) continue;
      for (auto&& [name, sv] : *stores) {
        std::string label(name.name);
        if (const toml::Table* st = toml.table(sv, "[key_value_store." + label + "]")) {
          read_store(toml, label, *st, config_dir, out);
        }
      }
    }
  }
  if (diags.failed()) return diags.to_error();
  out.warnings = diags.take_warnings();
  return out;
}

Result<RuntimeConfig> load_runtime_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::make(ErrorKind::Io, path +
                                          ": cannot read the runtime config (check the path "
                                          "given with --runtime-config-file)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_runtime_config(text.str(), path);
}

std::string default_state_dir(std::string_view manifest_path) {
  return dir_of(manifest_path) + "/.hull";
}

KvRegistry::KvRegistry(RuntimeConfig config, std::string state_dir)
    : config_(std::move(config)), state_dir_(std::move(state_dir)) {}

bool KvRegistry::defines(std::string_view label) const {
  return label == "default" || config_.key_value_stores.count(std::string(label)) != 0;
}

KvStoreConfig KvRegistry::config_of(std::string_view label) const {
  auto it = config_.key_value_stores.find(std::string(label));
  KvStoreConfig c = it != config_.key_value_stores.end() ? it->second : KvStoreConfig{};
  if (c.backend == KvStoreConfig::Backend::sqlite && c.path.empty()) {
    // One file per store, so stores never share a lock and can be removed separately.
    c.path = state_dir_ + "/" + std::string(label) + ".db";
  }
  return c;
}

Result<std::shared_ptr<kv::KeyValueStore>> KvRegistry::open(std::string_view label) {
  if (!defines(label)) {
    return Error::make(ErrorKind::Usage, "no key-value store '" + std::string(label) +
                                             "' (define [key_value_store." + std::string(label) +
                                             "] in the runtime config)");
  }
  std::lock_guard lock(mu_);
  if (auto it = open_.find(label); it != open_.end()) return it->second;
  KvStoreConfig c = config_of(label);
  if (c.backend == KvStoreConfig::Backend::sqlite &&
      !config_.key_value_stores.count(std::string(label))) {
    // The label becomes a file name in the state directory: it must stay inside it.
    bool safe = !label.empty() && label.front() != '.';
    for (char ch : label) {
      safe = safe && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.');
    }
    if (!safe) {
      return Error::make(ErrorKind::Usage, "key-value store '" + std::string(label) +
                                               "' cannot be a file name (use letters, digits, "
                                               "'-', '_' and '.', or give it a path in the "
                                               "runtime config)");
    }
  }
  auto store = c.backend == KvStoreConfig::Backend::redis ? kv::open_redis_store(c.url)
                                                          : kv::open_sqlite_store(c.path);
  if (!store) return std::move(store).error();
  std::shared_ptr<kv::KeyValueStore> shared = std::move(*store);
  open_.emplace(std::string(label), shared);
  return shared;
}

}  // namespace hull::serve
