// The native tier's on-disk cache of compiled object code: a module compiled once is loaded
// from its object file the next time (no optimization, no code generation). Keyed by the
// module's bytes, the compile options, the CPU and its features, and the executable itself (a
// rebuilt Hull never loads an older Hull's code); capped in size, oldest files removed first.
#pragma once

#include <llvm/ExecutionEngine/ObjectCache.h>

#include <cstdint>
#include <span>
#include <string>

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

class ObjectFileCache : public llvm::ObjectCache {
 public:
  ObjectFileCache(CacheConfig config, std::string key);
  // Whether the object is on disk (then compilation can skip optimizing).
  bool has() const;
  // Removes the entry (one that failed to load).
  void remove() const;
  void notifyObjectCompiled(const llvm::Module* m, llvm::MemoryBufferRef obj) override;
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module* m) override;

 private:
  std::string path() const { return config_.dir + "/" + key_ + ".o"; }
  void trim() const;  // keeps the directory under the cap
  CacheConfig config_;
  std::string key_;
};

}  // namespace hull::native
