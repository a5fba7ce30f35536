// libFuzzer target: the WIT parser and resolver (src/wit) on arbitrary text must never crash,
// hang or overflow the stack; every error carries a file:line:column message. The input is
// split at NUL bytes into a root file and dependency files, so the resolver's cross-package
// paths (use, include, topological order, cycles) are reached too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "wit/resolve.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t nul = text.find('\0', start);
    parts.emplace_back(text.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos || parts.size() == 8) break;
    start = nul + 1;
  }
  hull::wit::SourceGroup root{{hull::wit::SourceFile{"root.wit", parts[0]}}};
  std::vector<hull::wit::SourceGroup> deps;
  for (size_t i = 1; i < parts.size(); ++i)
    deps.push_back({{hull::wit::SourceFile{"dep" + std::to_string(i) + ".wit", parts[i]}}});
  for (bool all : {false, true}) {
    hull::wit::ResolveOptions opts;
    opts.all_features = all;
    auto r = hull::wit::resolve(root, deps, opts);
    if (!r.ok() && r.error().message.empty()) std::abort();
    if (r.ok()) {
      // Walking the model must stay in bounds.
      for (const auto& w : r->model.worlds) {
        for (const auto& item : w.imports)
          if (item.kind == hull::wit::WorldItem::Kind::Interface &&
              item.interface >= r->model.interfaces.size())
            std::abort();
      }
      (void)hull::wit::select_world(*r, "");
    }
  }
  return 0;
}
