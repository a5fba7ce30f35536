// examples/embed-cpp: a host that runs an untrusted plugin under a memory cap and exchanges
// JSON with it through the plugin's linear memory, using Hull's C++ API.
//
//   embed-cpp [plugin.wat|plugin.wasm] ['{"json": [1, 2]}']
//
// The plugin also runs under a fuel budget (Config::consume_fuel + Store::set_fuel): a plugin
// that loops forever traps with "all fuel consumed" instead of hanging the host.
#include <cstdio>
#include <string>

#include "hull/hull.hh"

namespace api = hull::api;

int main(int argc, char** argv) {
  const std::string plugin = argc > 1 ? argv[1] : "plugin.wat";
  const std::string input = argc > 2 ? argv[2] : R"({"a": 2, "b": [10, 30]})";

  api::Config config;
  config.limits.max_memory_bytes = 2 * 65536;  // the plugin may use at most 128 KiB
  config.consume_fuel = true;
  auto engine = api::Engine::create(config);
  if (!engine) {
    std::printf("fuel: unavailable (%s); running with the memory cap only\n",
                engine.error().message.c_str());
    config.consume_fuel = false;
    engine = api::Engine::create(config);
    if (!engine) return 1;
  }

  auto module = api::Module::from_file(*engine, plugin);
  if (!module) {
    std::printf("cannot load %s: %s\n", plugin.c_str(), module.error().to_string().c_str());
    return 1;
  }
  for (const auto& imp : module->imports()) {
    std::printf("plugin imports %s.%s %s\n", imp.module.c_str(), imp.name.c_str(),
                api::to_string(imp.type.func).c_str());
  }

  api::Store store(*engine);
  if (config.consume_fuel) (void)store.set_fuel(10'000'000);  // ~10M wasm instructions
  api::Linker linker;
  linker.func("host", "log", [](api::Caller& caller, int32_t ptr, int32_t len) -> api::Result<void> {
    // Untrusted pointers: every access is bounds-checked.
    auto mem = caller.memory();
    if (!mem) return api::Trap::host("plugin has no memory");
    auto text = mem->read_string(static_cast<uint32_t>(ptr), static_cast<uint32_t>(len));
    if (!text) return api::Trap::host("log: " + text.error().message);
    std::printf("[plugin] %s\n", text->c_str());
    return {};
  });
  auto instance = linker.instantiate(store, *module);
  if (!instance) {
    std::printf("instantiate: %s\n", instance.error().to_string().c_str());
    return 1;
  }

  auto alloc = instance->typed_func<int32_t(int32_t)>("alloc");
  auto process = instance->typed_func<int32_t(int32_t, int32_t)>("process");
  auto out_len = instance->typed_func<int32_t()>("out_len");
  auto hog = instance->typed_func<int32_t()>("hog");
  auto memory = instance->get_memory("memory");
  if (!alloc || !process || !out_len || !hog || !memory) {
    std::printf("plugin does not have the expected exports\n");
    return 1;
  }

  // Host -> plugin: copy the JSON request into plugin memory.
  auto in_ptr = alloc->call(static_cast<int32_t>(input.size()));
  if (!in_ptr) return 1;
  auto wrote = memory->write(static_cast<uint32_t>(*in_ptr),
                             std::span(reinterpret_cast<const uint8_t*>(input.data()), input.size()));
  if (!wrote) {
    std::printf("plugin gave a bad buffer: %s\n", wrote.error().message.c_str());
    return 1;
  }
  auto out_ptr = process->call(*in_ptr, static_cast<int32_t>(input.size()));
  if (!out_ptr) {
    std::printf("plugin failed: %s\n", out_ptr.error().to_string().c_str());
    return 1;
  }
  // Plugin -> host: read the JSON answer back, bounds-checked.
  auto answer = memory->read_string(static_cast<uint32_t>(*out_ptr),
                                    static_cast<uint32_t>(*out_len->call()));
  if (!answer) {
    std::printf("plugin answered out of bounds: %s\n", answer.error().message.c_str());
    return 1;
  }
  std::printf("request:  %s\nresponse: %s\n", input.c_str(), answer->c_str());

  // The memory cap holds against a greedy plugin.
  auto grown = hog->call();
  std::printf("memory cap: plugin's memory.grow(100) returned %d, memory is %llu bytes\n",
              grown ? *grown : -2, static_cast<unsigned long long>(memory->size()));
  return (grown && *grown == -1) ? 0 : 1;
}
