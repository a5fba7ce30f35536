// libFuzzer target: the app manifest and runtime-config readers (src/serve) on arbitrary text
// must never crash or hang; every failure is an error whose message names the file; an
// accepted manifest's routes and variables can be walked safely.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "serve/manifest.h"
#include "serve/runtime_config.h"
#include "serve/variables.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = hull::serve::parse_manifest(text, "fuzz/spin.toml");
  if (!m.ok()) {
    if (m.error().message.find("fuzz/spin.toml") == std::string::npos) std::abort();
  } else {
    hull::serve::Router router = m->router();
    for (std::string_view path : {"/", "/api", "/api/x/y", "/a/b/c/"}) (void)router.match(path);
    hull::serve::VariableResolver vars(
        *m, [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
    for (const auto& c : m->components) {
      for (const auto& [name, tmpl] : c.variables) (void)vars.component_variable(c, name);
      if (!m->component(c.id)) std::abort();
    }
    for (const auto& t : m->http_triggers) {
      if (!t.component.empty() && !m->component(t.component)) std::abort();
    }
  }
  auto rc = hull::serve::parse_runtime_config(text, "fuzz/runtime-config.toml");
  if (!rc.ok() && rc.error().message.find("fuzz/runtime-config.toml") == std::string::npos) {
    std::abort();
  }
  return 0;
}
