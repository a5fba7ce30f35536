#include "native_loader.h"

#include <dlfcn.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "engine/module.h"
#include "engine/precompiled.h"
#include "engine/tiers.h"
#include "interp/interp.h"
#include "native/plugin.h"

namespace hull::cli::native_plugin {

namespace {

constexpr const char* kPluginFile = "libhull_native_tier.so";
// How long --tier auto interprets before loading the plugin (lazy_compile_in_background).
constexpr std::chrono::milliseconds kLoadAfter{20};

// Beside the executable (its real path: a symlink to hull-native still finds it), as the build
// directory and an installation (bin/) lay them out.
std::string plugin_path() {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return kPluginFile;
  std::string dir(self, static_cast<size_t>(n));
  return dir.substr(0, dir.rfind('/') + 1) + kPluginFile;
}

std::once_flag g_once;
const native::PluginApi* g_api = nullptr;  // set inside g_once: read after call_once
std::string g_error;
std::atomic<bool> g_loaded{false};  // for readers that must not load it
// The cache wanted before the plugin was there (set_cache), applied when it loads.
bool g_cache_wanted = false;
std::string g_cache_dir;
bool g_cache_default = false;
std::atomic<int> g_waiting{0};  // background compiles still loading the plugin
// Tier-up's first report of a function turning hot, before the plugin is there (the
// interpreter's hot listener until the plugin installs its own). Never destroyed: waited on by
// detached threads.
std::mutex& g_hot_mu = *new std::mutex;
std::condition_variable& g_hot_cv = *new std::condition_variable;
bool g_hot = false;

void on_first_hot() {
  {
    std::lock_guard<std::mutex> lock(g_hot_mu);
    g_hot = true;
  }
  g_hot_cv.notify_all();
}

std::string what_to_do() {
  return ": hull-native loads the native tier (LLVM) from this file when a module is compiled "
         "to machine code; install or build it beside hull-native (ninja hull_native_tier), or "
         "run with --tier interp";
}

void load() {
  const std::string path = plugin_path();
  // RTLD_LOCAL: LLVM's symbols stay out of the executable's namespace. RTLD_NOW: a plugin of
  // another build (an engine symbol it needs is missing) fails here, not at a later call.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    struct stat st {};
    const char* why = dlerror();
    g_error = "cannot load the native tier's plugin " + path + " (" +
              (stat(path.c_str(), &st) != 0 ? "no such file"
               : why                        ? why
                                            : "unknown reason") +
              ")" + what_to_do();
    return;
  }
  using Entry = const native::PluginApi* (*)();
  auto entry = reinterpret_cast<Entry>(dlsym(handle, "hull_native_plugin"));
  const native::PluginApi* api = entry ? entry() : nullptr;
  if (!api || api->abi != native::kPluginAbi || !api->tier || !api->set_cache ||
      !api->background_compiles_in_flight) {
    // Left mapped: unloading a library whose initializers ran is riskier than keeping it.
    g_error =
        path + " is not the native tier plugin of this hull-native (another build?)" + what_to_do();
    return;
  }
  if (g_cache_wanted) api->set_cache(g_cache_default ? nullptr : g_cache_dir.c_str(), 512ull << 20);
  g_api = api;
  g_loaded.store(true, std::memory_order_release);
}

Result<const native::PluginApi*> plugin() {
  std::call_once(g_once, load);
  if (!g_api) return Error::make(ErrorKind::Usage, g_error);
  return g_api;
}

// The machine code is the plugin's: its build id keys .hullc files and cache entries.
Result<std::string> plugin_build_id() {
  HULL_ASSIGN_OR_RETURN(const native::PluginApi* api, plugin());
  return build_id_of_object_at(api);
}

Result<std::shared_ptr<const void>> lazy_compile(const CompiledModule& m) {
  HULL_ASSIGN_OR_RETURN(const native::PluginApi* api, plugin());
  return api->tier->compile(m);
}

void lazy_compile_in_background(std::shared_ptr<const CompiledModule> m) {
  if (g_loaded.load(std::memory_order_acquire)) {
    g_api->tier->compile_in_background(std::move(m));
    return;
  }
  // A missing plugin is said before the program runs (a stat, no loading), so that the message
  // does not depend on how long the program takes; the module runs interpreted.
  struct stat st {};
  if (stat(plugin_path().c_str(), &st) != 0) {
    std::fprintf(stderr,
                 "warning: --tier auto: no %s beside hull-native, so everything runs "
                 "interpreted%s\n",
                 plugin_path().c_str(), what_to_do().c_str());
    return;
  }
  if (const char* sync = std::getenv("HULL_TIER_UP_SYNC");
      sync && *sync && std::string_view(sync) != "0") {
    // Tests: tier-up compiles on the interpreting thread, from the first report on.
    auto api = plugin();
    if (api) return (*api)->tier->compile_in_background(std::move(m));
    std::fprintf(stderr, "warning: --tier auto: %s; running interpreted\n",
                 api.error().message.c_str());
    return;
  }
  g_waiting.fetch_add(1);
  // Tier-up: nothing is compiled before the interpreter reports a function hot, so the plugin
  // is not loaded before either (a run that never gets hot never touches LLVM). The plugin's
  // tier installs its own listener when it loads; reports made before wait in the module.
  if (m->options.hot_threshold) interp::set_hot_listener(&on_first_hot);
  std::thread([weak = std::weak_ptr<const CompiledModule>(m)]() mutable {
    // Loading LLVM costs ~20 ms, and a program that ends while it is under way pays for it
    // anyway (hyperfine on a hello-world: up to +22 ms at the tail when loading started at
    // once, none with this wait). So the module first runs interpreted for as long as loading
    // takes: a run shorter than that never touches LLVM, a longer one pays at most about twice
    // what it would have (the ski-rental bound), and the compile that follows takes 10-100
    // times longer than the wait anyway.
    std::this_thread::sleep_for(kLoadAfter);
    std::shared_ptr<const CompiledModule> m = weak.lock();
    if (m && m->options.hot_threshold) {
      m.reset();  // not kept alive while waiting
      std::unique_lock<std::mutex> lock(g_hot_mu);
      while (!g_hot && !g_loaded.load(std::memory_order_acquire) && !weak.expired())
        g_hot_cv.wait_for(lock, std::chrono::milliseconds(100));
      lock.unlock();
      m = weak.lock();
    }
    if (!m) {
      g_waiting.fetch_sub(1);
      return;
    }
    // At normal priority, unlike the compile (the plugin's own thread, nice 19): the loading
    // and a cached module's code, which the plugin loads on this thread, are a few ms of work
    // that used to run on the interpreter's thread itself; at nice 19 on a busy machine they
    // came ~0.5 s late (a warm-cache run of a loop calling fib: 1.0 s, against 0.5 s).
    auto api = plugin();
    if (api)
      // Its own path from here: a cached module's code loads on this thread, any other is
      // compiled on a thread of the plugin's, counted by it before this one stops counting.
      (*api)->tier->compile_in_background(std::move(m));
    else
      std::fprintf(stderr, "warning: --tier auto: %s; running interpreted\n",
                   api.error().message.c_str());
    g_waiting.fetch_sub(1);
  }).detach();
}

std::string lazy_interpreted_because(const CompiledModule& m, uint32_t func_index) {
  auto api = plugin();
  if (!api) return api.error().message;
  return (*api)->tier->interpreted_because(m, func_index);
}

Result<std::vector<uint8_t>> lazy_precompile(const CompiledModule& m) {
  HULL_ASSIGN_OR_RETURN(const native::PluginApi* api, plugin());
  return api->tier->precompile(m);
}

Result<std::shared_ptr<const void>> lazy_load(const CompiledModule& m,
                                              std::span<const uint8_t> code) {
  HULL_ASSIGN_OR_RETURN(const native::PluginApi* api, plugin());
  return api->tier->load(m, code);
}

// Named as the plugin's tier is ("llvm"): .hullc files record the tier's name, and the name
// must be known before the plugin is.
const NativeTier kLazyTier{
    "llvm",           &lazy_compile, &lazy_compile_in_background, &lazy_interpreted_because,
    &lazy_precompile, &lazy_load};

}  // namespace

void register_lazy_tier() {
  set_native_code_build_id_source(&plugin_build_id);
  register_native_tier(&kLazyTier);
}

void set_cache(const char* dir) {
  // Called before any module is compiled (so before the plugin can load), as native_main does.
  g_cache_wanted = true;
  g_cache_default = dir == nullptr;
  g_cache_dir = dir ? dir : "";
}

int background_compiles_in_flight() {
  // g_waiting first: a thread stops counting only after the plugin counts its compile.
  const int waiting = g_waiting.load();
  if (waiting > 0) return waiting;
  return g_loaded.load(std::memory_order_acquire) ? g_api->background_compiles_in_flight() : 0;
}

}  // namespace hull::cli::native_plugin
