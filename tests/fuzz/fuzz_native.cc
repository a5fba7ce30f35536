// libFuzzer target, differential: the interpreter against the native tier. The input is a
// module; both tiers compile it with fuel metering and deadline checks (the deadline never
// passes: the checks must change nothing), instantiate it against the spectest host
// module in stores of their own, and call every export whose parameters can be zero (numbers,
// v128, nullable references: null) with zero arguments on the same fuel budget. Each call must
// give the same results (NaNs compare as NaN: their payloads may differ; a v128's lanes
// likewise, as either float shape; references by what they designate), the same trap kind
// (an uncaught exception: the same tag and payload), and leave the same fuel; afterwards the
// instances' memories and globals must be equal. A difference aborts, so the fuzzer keeps the
// input.
//
// A third instance runs with tier-up (CompileOptions::native_background) compiling on the spot
// (HULL_TIER_UP_SYNC) at a threshold of 2-6 calls or iterations: functions switch after their
// first calls and loops are entered through on-stack replacement mid-call; it must agree with
// the interpreter the same way.
//
// Campaigns with valid modules from binaryen (wasm-opt -ttf) replay a directory of them with
// hull_replay_native (tests/fuzz/native_campaign.sh).
#include <cstdlib>
#include <span>
#include <string>
#include <utility>

#include "hull/native.hh"
#include "tier_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool registered =
      (hull::native::register_tier(), setenv("HULL_TIER_UP_SYNC", "1", 1), true);
  (void)registered;
  hull::CompileOptions options;
  options.fuel = true;
  options.epochs = true;
  auto interp_mod = hull::compile(std::span<const uint8_t>(data, size), options);
  if (!interp_mod.ok()) return 0;
  options.native = true;
  auto native_mod = hull::compile(std::span<const uint8_t>(data, size), options);
  if (!native_mod.ok()) {
    // The same bytes compiled for the interpreter: the native tier must not refuse them.
    diverged("compile", "ok", native_mod.error().to_string());
  }
  options.native_background = true;
  options.hot_threshold = 2 + static_cast<uint32_t>(size % 5);
  auto auto_mod = hull::compile(std::span<const uint8_t>(data, size), options);
  if (!auto_mod.ok()) diverged("compile", "ok", auto_mod.error().to_string(), "tier-up");
  Run a(*interp_mod), b(*native_mod), c(*auto_mod);
  if (a.ok != b.ok) diverged("instantiate", a.ok ? "ok" : "failed", b.ok ? "ok" : "failed");
  if (a.ok != c.ok)
    diverged("instantiate", a.ok ? "ok" : "failed", c.ok ? "ok" : "failed", "tier-up");
  if (!a.ok) return 0;
  for (const auto& [name, ext] : a.inst->exports) {
    if (!callable_with_zeros(ext)) continue;
    Outcome x = a.call(ext.func);
    Outcome y = b.call(b.inst->exports.at(name).func);
    Outcome z = c.call(c.inst->exports.at(name).func);
    if (x.exhausted || y.exhausted || z.exhausted) return 0;  // depth limits differ by design
    if (x.text != y.text) diverged("export " + std::string(name), x.text, y.text);
    if (x.text != z.text) diverged("export " + std::string(name), x.text, z.text, "tier-up");
  }
  same_state(a, b, "native");
  same_state(a, c, "tier-up");
  return 0;
}
