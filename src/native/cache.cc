#include "native/cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <vector>

#include "engine/precompiled.h"
#include "hull/native.hh"
#include "native/support.h"

namespace hull::native {

namespace {

std::mutex g_config_mu;
CacheConfig g_config;

// Two 64-bit FNV-1a streams with different offsets: a 128-bit key.
struct Hash128 {
  uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  void add(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) {
      a = (a ^ c[i]) * 0x100000001b3ull;
      b = (b ^ c[i] ^ 0x5a) * 0x100000001b3ull;
    }
  }
  void add(const std::string& s) {
    add(s.data(), s.size());
    add("\0", 1);
  }
  template <class T>
  void add_value(T v) {
    add(&v, sizeof v);
  }
};

// Bumped when the tier's output for the same input changes in a way the identity of the
// executable and of the tier's code would not show (it always does today).
constexpr uint32_t kFormat = 3;

}  // namespace

void set_cache(const std::string& dir, uint64_t cap_bytes) {
  std::lock_guard<std::mutex> lock(g_config_mu);
  g_config.dir = dir;
  g_config.cap_bytes = cap_bytes;
}

std::string default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::string(x) + "/hull/native";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/hull/native";
  return "";
}

CacheConfig cache_config() {
  std::lock_guard<std::mutex> lock(g_config_mu);
  return g_config;
}

std::string cache_key(std::span<const uint8_t> wasm, const CompileOptions& opts,
                      const std::string& cpu, const std::string& features) {
  Hash128 h;
  h.add_value(kFormat);
  h.add_value(static_cast<uint64_t>(wasm.size()));
  h.add(wasm.data(), wasm.size());
  h.add_value(opts.fuel);
  h.add_value(opts.epochs);
  h.add_value(opts.guard_pages);
  h.add_value(opts.native_opt_level);
  h.add(cpu);
  h.add(features);
  const char* interpret = std::getenv(kInterpretEnv);  // which functions stay interpreted
  h.add(interpret ? interpret : "");
  // The executable: a rebuilt Hull compiles afresh.
  struct stat st {};
  if (stat("/proc/self/exe", &st) == 0) {
    h.add_value(static_cast<uint64_t>(st.st_size));
    h.add_value(static_cast<uint64_t>(st.st_ino));
    h.add_value(static_cast<int64_t>(st.st_mtim.tv_sec));
    h.add_value(static_cast<int64_t>(st.st_mtim.tv_nsec));
  }
  // The tier's code: in hull-native it is a plugin, which may be rebuilt while the executable
  // stays the same (engine/precompiled.h, native_code_build_id).
  if (auto id = native_code_build_id()) h.add(*id);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.a),
                static_cast<unsigned long long>(h.b));
  return buf;
}

CodeFileCache::CodeFileCache(CacheConfig config, std::string key)
    : config_(std::move(config)), key_(std::move(key)) {}

bool CodeFileCache::has() const {
  struct stat st {};
  return stat(path().c_str(), &st) == 0 && st.st_size > 0;
}

void CodeFileCache::remove() const {
  std::error_code ec;
  std::filesystem::remove(path(), ec);
}

void CodeFileCache::write(std::span<const uint8_t> bytes) const {
  std::error_code ec;
  std::filesystem::create_directories(config_.dir, ec);
  if (ec) return;  // no cache this time; the code is compiled all the same
  // Written beside, then renamed: a concurrent reader sees the whole file or none.
  const std::string tmp = path() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path(), ec);
  if (ec) std::filesystem::remove(tmp, ec);
  trim();
}

bool CodeFileCache::read(std::vector<uint8_t>* out) const {
  std::ifstream in(path(), std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad() || out->empty()) return false;
  // Touched: the size cap removes the least recently used first.
  std::error_code ec;
  std::filesystem::last_write_time(path(), std::filesystem::file_time_type::clock::now(), ec);
  return true;
}

void CodeFileCache::trim() const {
  struct Entry {
    std::filesystem::path path;
    std::filesystem::file_time_type time;
    uint64_t size;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(config_.dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    if (e.path().extension() == ".o") {  // an object file of an earlier Hull's cache
      std::filesystem::remove(e.path(), ec);
      continue;
    }
    if (e.path().extension() != ".code") continue;
    Entry x{e.path(), e.last_write_time(ec), static_cast<uint64_t>(e.file_size(ec))};
    total += x.size;
    entries.push_back(std::move(x));
  }
  if (total <= config_.cap_bytes) return;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& x, const Entry& y) { return x.time < y.time; });
  for (const Entry& x : entries) {
    if (total <= config_.cap_bytes) break;
    if (std::filesystem::remove(x.path, ec)) total -= x.size;
  }
}

}  // namespace hull::native
