// compile(): the pipeline from bytes to a CompiledModule.
#include "engine/module.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string_view>

#include "baseline/baseline.h"
#include "binary/decoder.h"
#include "engine/tiers.h"
#include "interp/interp.h"
#include "runtime/type_registry.h"
#include "valid/validator.h"

namespace hull {

Result<std::shared_ptr<const CompiledModule>> compile(std::span<const uint8_t> bytes,
                                                      CompileOptions opts) {
  HULL_ASSIGN_OR_RETURN(ModuleDesc desc, decode_module(bytes));
  return compile(std::move(desc), opts);
}

namespace {

// What a module compiled for tier-up counts to before a function is compiled:
// $HULL_TIER_UP_THRESHOLD (a positive number; for measurements and tests), else the default.
uint32_t default_hot_threshold() {
  if (const char* v = std::getenv("HULL_TIER_UP_THRESHOLD"); v && *v) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(v, &end, 10);
    if (*end == 0 && n > 0 && n <= INT32_MAX) return static_cast<uint32_t>(n);
  }
  return kDefaultHotThreshold;
}

bool tier_up_from_baseline() {
  static const bool on = [] {
    const char* v = std::getenv("HULL_TIER_UP_BASELINE");
    return !(v && std::string_view(v) == "0") && baseline::available();
  }();
  return on;
}

}  // namespace

Result<std::shared_ptr<const CompiledModule>> compile(ModuleDesc desc, CompileOptions opts) {
  if (opts.native && opts.native_background && opts.hot_threshold == 0)
    opts.hot_threshold = default_hot_threshold();
  if (!opts.native_background) opts.hot_threshold = 0;
  // Tier-up starts from the baseline tier's machine code where there is one: about 2x the
  // interpreter's speed for half a millisecond of compiling a 100 KB module, so a run that ends
  // before LLVM's code arrives is faster than interpreted instead of paying for the counting
  // and LLVM's loading (docs/PERFORMANCE.md, "Tier-up from the baseline tier").
  // HULL_TIER_UP_BASELINE=0 starts interpreted (for measurements).
  const bool baseline_asked = opts.baseline;
  if (opts.native && opts.native_background && tier_up_from_baseline()) opts.baseline = true;
  // Module-level rules only: interp::compile_module validates each body while lowering it (one
  // pass). Checking the type section first keeps invalid types out of the engine-wide registry.
  {
    ModuleInfo info;
    HULL_TRY(validate_module_level(desc, &info, opts.features));
  }
  auto cm = std::make_shared<CompiledModule>();
  // Lower from the desc's final home: lowered code may point into its bytes.
  cm->desc = std::move(desc);
  cm->type_ids = canonicalize_types(cm->desc.types);
  cm->options = opts;
  const std::vector<Export>& exports = cm->desc.exports;
  cm->export_order.resize(exports.size());
  for (uint32_t i = 0; i < exports.size(); ++i) cm->export_order[i] = i;
  std::sort(cm->export_order.begin(), cm->export_order.end(),
            [&](uint32_t a, uint32_t b) { return exports[a].name < exports[b].name; });
  HULL_ASSIGN_OR_RETURN(cm->code, interp::compile_module(cm->desc, cm->type_ids, opts));
  if (opts.baseline) {
    // The lowered code is not shared yet: the baseline tier may point its handler words at
    // the machine code it makes.
    auto compiled = baseline::compile_module(const_cast<interp::ModuleCode&>(*cm->code));
    // Tier-up only starts from the baseline's code: without it (no code space left) the
    // module starts interpreted, as it would without the tier.
    if (!compiled.ok() && baseline_asked) return std::move(compiled).error();
  }
  if (opts.native) {
    const NativeTier* tier = native_tier();
    if (!tier)
      return Error(ErrorKind::Usage,
                   "this build has no native tier: use hull-native, or link hull_native and "
                   "call hull::native::register_tier()");
    if (!opts.native_background) {
      HULL_ASSIGN_OR_RETURN(auto code, tier->compile(*cm));
      cm->set_native_code(std::move(code));
    } else {
      std::shared_ptr<const CompiledModule> m(std::move(cm));
      tier->compile_in_background(m);
      return m;
    }
  }
  return std::shared_ptr<const CompiledModule>(std::move(cm));
}

}  // namespace hull
