// libFuzzer target, differential: the interpreter against the baseline tier. The input is a
// module; it is compiled three ways with fuel metering and deadline checks (the deadline never
// passes: the checks must change nothing) -- interpreted, by the baseline tier, and by the
// baseline tier with explicit bounds checks instead of guard pages -- instantiated against the
// spectest host module in stores of their own, and every export whose parameters can be zero
// is called with zero arguments on the same fuel budget (tier_diff.h). Each call must give the
// same results, the same trap kind and leave the same fuel; afterwards the instances' memories
// and globals must be equal. A difference aborts, so the fuzzer keeps the input.
#include <span>
#include <string>
#include <utility>

#include "baseline/baseline.h"
#include "tier_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!hull::baseline::available()) return 0;
  hull::CompileOptions options;
  options.fuel = true;
  options.epochs = true;
  auto interp_mod = hull::compile(std::span<const uint8_t>(data, size), options);
  if (!interp_mod.ok()) return 0;
  options.baseline = true;
  auto baseline_mod = hull::compile(std::span<const uint8_t>(data, size), options);
  // The same bytes compiled for the interpreter: the baseline tier must not refuse them.
  if (!baseline_mod.ok()) diverged("compile", "ok", baseline_mod.error().to_string(), "baseline");
  options.guard_pages = false;
  auto checked_mod = hull::compile(std::span<const uint8_t>(data, size), options);
  if (!checked_mod.ok())
    diverged("compile", "ok", checked_mod.error().to_string(), "baseline (explicit checks)");
  Run a(*interp_mod), b(*baseline_mod), c(*checked_mod);
  if (a.ok != b.ok)
    diverged("instantiate", a.ok ? "ok" : "failed", b.ok ? "ok" : "failed", "baseline");
  if (a.ok != c.ok)
    diverged("instantiate", a.ok ? "ok" : "failed", c.ok ? "ok" : "failed",
             "baseline (explicit checks)");
  if (!a.ok) return 0;
  for (const auto& [name, ext] : a.inst->exports) {
    if (!callable_with_zeros(ext)) continue;
    Outcome x = a.call(ext.func);
    Outcome y = b.call(b.inst->exports.at(name).func);
    Outcome z = c.call(c.inst->exports.at(name).func);
    // The baseline tier's frames are the interpreter's: the same depth, so exhaustion too must
    // agree.
    if (x.text != y.text) diverged("export " + std::string(name), x.text, y.text, "baseline");
    if (x.text != z.text)
      diverged("export " + std::string(name), x.text, z.text, "baseline (explicit checks)");
  }
  same_state(a, b, "baseline");
  same_state(a, c, "baseline (explicit checks)");
  return 0;
}
