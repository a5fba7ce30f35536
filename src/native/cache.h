// The native tier's on-disk cache of compiled code: a module compiled once is loaded from its
// file the next time (no lowering, optimization or code generation). A file holds what a
// .hullc's tier part holds (native/payload.h). Keyed by the
// module's bytes, the compile options, the CPU and its features, and the executable itself (a
// rebuilt Hull never loads an older Hull's code); capped in size, oldest files removed first.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/store.h"

namespace hull::native {

struct CacheConfig {
  std::string dir;  // "" : no cache
  uint64_t cap_bytes = 512ull << 20;
};
// Process-wide (hull::native::set_cache in include/hull/native.hh).
CacheConfig cache_config();

// The file name for one compilation: 32 hex digits.
std::string cache_key(std::span<const uint8_t> wasm, const CompileOptions& opts,
                      const std::string& cpu, const std::string& features);

class CodeFileCache {
 public:
  CodeFileCache(CacheConfig config, std::string key);
  // Whether the entry is on disk.
  bool has() const;
  // The entry's bytes (and marks it used), or false.
  bool read(std::vector<uint8_t>* out) const;
  // Stores the entry (whole or not at all, for concurrent readers), then trims the directory.
  void write(std::span<const uint8_t> bytes) const;
  // Removes the entry (one that failed to load).
  void remove() const;

 private:
  std::string path() const { return config_.dir + "/" + key_ + ".code"; }
  void trim() const;  // keeps the directory under the cap
  CacheConfig config_;
  std::string key_;
};

}  // namespace hull::native
