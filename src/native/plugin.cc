// libhull_native_tier.so's entry point (native/plugin.h).
#include "native/plugin.h"

#include "hull/native.hh"

namespace hull::native {
namespace {

void plugin_set_cache(const char* dir, uint64_t cap_bytes) {
  set_cache(dir ? std::string(dir) : default_cache_dir(), cap_bytes);
}

const PluginApi kApi{kPluginAbi, llvm_tier(), &plugin_set_cache, &background_compiles_in_flight};

}  // namespace
}  // namespace hull::native

extern "C" __attribute__((visibility("default"))) const hull::native::PluginApi*
hull_native_plugin() {
  return &hull::native::kApi;
}
