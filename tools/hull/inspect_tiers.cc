// `hull inspect --tiers FILE`: which tier runs each function of a module, and for those the
// native tier leaves to the interpreter, why.
#include <cstdio>

#include "commands_inspect.h"
#include "engine/module.h"
#include "engine/precompiled.h"
#include "engine/tiers.h"

namespace hull::cli {

int inspect_tiers(const std::string& file, std::vector<uint8_t> bytes, const FeatureSet& features,
                  bool json) {
  const NativeTier* tier = native_tier();
  if (!tier) {
    std::fprintf(stderr,
                 "error: --tiers: this executable has no native tier (every function runs "
                 "interpreted); run hull-native inspect --tiers instead\n");
    return 2;
  }
  CompileOptions opts;
  opts.features = features;
  opts.native = true;
  Result<std::shared_ptr<const CompiledModule>> m = Error::make(ErrorKind::Usage, "");
  if (is_precompiled(bytes)) {
    // What the file's machine code covers: loaded with the options it was made with.
    auto info = precompiled_info(bytes);
    if (!info) {
      std::fprintf(stderr, "error: %s: %s\n", file.c_str(), info.error().to_string().c_str());
      return 1;
    }
    opts.fuel = info->fuel;
    opts.epochs = info->epochs;
    opts.guard_pages = info->guard_pages;
    m = load_precompiled(bytes, opts);
  } else {
    m = compile(bytes, opts);
  }
  if (!m) {
    std::fprintf(stderr, "error: %s: %s\n", file.c_str(), m.error().to_string().c_str());
    return 1;
  }
  const ModuleDesc& d = (*m)->desc;
  uint32_t native = 0, interpreted = 0;
  std::string j = "{\"file\": \"" + file + "\", \"tier\": \"" + tier->name + "\", \"functions\": [";
  for (uint32_t f = d.num_imported_funcs; f < d.num_funcs(); ++f) {
    const std::string why = tier->interpreted_because(**m, f);
    (why.empty() ? native : interpreted) += 1;
    auto name = d.func_names.find(f);
    const std::string label =
        "func " + std::to_string(f) + (name != d.func_names.end() ? " $" + name->second : "");
    if (json) {
      if (f > d.num_imported_funcs) j += ", ";
      j += "{\"index\": " + std::to_string(f) + ", \"tier\": \"" +
           (why.empty() ? "native" : "interpreter") + "\"";
      if (!why.empty()) {
        std::string esc;
        for (char c : why) esc += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
        j += ", \"why\": \"" + esc + "\"";
      }
      j += "}";
    } else if (why.empty()) {
      std::printf("%s: native (%s)\n", label.c_str(), tier->name);
    } else {
      std::printf("%s: interpreter: %s\n", label.c_str(), why.c_str());
    }
  }
  if (json) {
    j += "], \"native\": " + std::to_string(native) +
         ", \"interpreted\": " + std::to_string(interpreted) + "}";
    std::puts(j.c_str());
  } else {
    std::printf("%u native, %u interpreted\n", native, interpreted);
  }
  return 0;
}

}  // namespace hull::cli
