// Seed-corpus extractor for the fuzz targets: reads .wast scripts and writes every module they
// contain (as a binary, or the quoted text) to OUTDIR/<script>-<n>.wasm / .wat. With
// --components, only the component binaries (of the component-model scripts) are written.
//   hull_fuzz_seeds [--components] OUTDIR FILE.wast...
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>

#include "text/script.h"

namespace {

void write(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace

int main(int argc, char** argv) {
  bool components = argc > 1 && std::string(argv[1]) == "--components";
  int first = components ? 2 : 1;
  if (argc < first + 2) {
    std::fprintf(stderr, "usage: hull_fuzz_seeds [--components] OUTDIR FILE.wast...\n");
    return 2;
  }
  std::string out = argv[first];
  size_t total = 0;
  for (int i = first + 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    std::string base = argv[i];
    base = base.substr(base.find_last_of('/') + 1);
    auto script = hull::text::parse_script(text);
    if (!script.ok()) continue;  // a script we cannot parse gives no seeds
    int n = 0;
    auto emit = [&](const hull::text::ScriptModule& m) {
      if (m.component != components) return;
      std::string stem = out + "/" + base + "-" + std::to_string(n++);
      if (m.kind == hull::text::ScriptModule::Quote) {
        write(stem + ".wat", m.quote.data(), m.quote.size());
      } else if (!m.bytes.empty()) {
        write(stem + ".wasm", m.bytes.data(), m.bytes.size());
      } else {
        return;
      }
      ++total;
    };
    for (const auto& c : script->commands) {
      if (auto* mc = std::get_if<hull::text::ModuleCommand>(&c.body)) emit(mc->module);
      if (auto* am = std::get_if<hull::text::AssertModule>(&c.body)) emit(am->module);
      if (auto* at = std::get_if<hull::text::AssertTrap>(&c.body)) {
        if (at->module) emit(*at->module);
      }
    }
  }
  std::printf("%zu seeds written to %s\n", total, out.c_str());
  return 0;
}
