// A guard-page trap names the faulting instruction: its innermost frame has the same module
// offset as the explicit bounds check reports, for every form of access the interpreter runs
// without a check (plain, fused address arithmetic, constant stores, SIMD, lanes, memory 1).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

// Each export performs one out-of-bounds access after some in-bounds work, so a wrong pick
// (an earlier access, the function start) shows up as a different offset.
constexpr const char* kWat = R"((module
  (memory 1) (memory $m1 1)
  (func (export "i32_load") (param i32) (result i32)
    (drop (i32.load (i32.const 0)))
    (i32.load offset=4 (local.get 0)))
  (func (export "i64_load8_s") (param i32) (result i64)
    (i64.load8_s (local.get 0)))
  (func (export "i32_store") (param i32)
    (i32.store (i32.const 8) (i32.const 1))
    (i32.store (local.get 0) (i32.const 7)))
  (func (export "store_const") (param i32)
    (i64.store (local.get 0) (i64.const 3)))
  (func (export "fused_add_imm") (param i32) (result i32)
    (i32.load (i32.add (local.get 0) (i32.const 16))))
  (func (export "fused_add_shl") (param i32) (result f64)
    (f64.load (i32.add (i32.const 0) (i32.shl (local.get 0) (i32.const 3)))))
  (func (export "fused_store") (param i32)
    (f32.store (i32.add (local.get 0) (i32.const 4)) (f32.const 1)))
  (func (export "v128_load") (param i32)
    (drop (v128.load (local.get 0))))
  (func (export "v128_store") (param i32)
    (v128.store (local.get 0) (v128.const i64x2 1 2)))
  (func (export "load_lane") (param i32)
    (drop (v128.load32_lane 1 (local.get 0) (v128.const i64x2 0 0))))
  (func (export "store_lane") (param i32)
    (v128.store16_lane 3 (local.get 0) (v128.const i64x2 0 0)))
  (func (export "splat") (param i32)
    (drop (v128.load64_splat (local.get 0))))
  (func (export "mem1_load") (param i32) (result i32)
    (i32.load $m1 (local.get 0)))
  (func (export "mem1_store") (param i32)
    (i64.store32 $m1 (local.get 0) (i64.const 5)))
  (func $inner (param i32) (result i32) (i32.load16_u (local.get 0)))
  (func (export "nested") (param i32) (result i32)
    (i32.add (i32.const 1) (call $inner (local.get 0)))))
)";

const std::vector<std::string> kExports = {
    "i32_load",      "i64_load8_s", "i32_store", "store_const", "fused_add_imm",
    "fused_add_shl", "fused_store", "v128_load", "v128_store",  "load_lane",
    "store_lane",    "splat",       "mem1_load", "mem1_store",  "nested"};

// The innermost frame of the trap that calling `name` with an out-of-bounds address raises.
struct Fault {
  uint32_t func_index = 0;
  uint32_t offset = 0;
  size_t frames = 0;
};

Fault fault_of(api::BoundsChecks mode, const std::string& name, int32_t address) {
  api::Config config;
  config.bounds_checks = mode;
  auto engine = api::Engine::create(config);
  EXPECT_TRUE(engine.ok());
  auto module = api::Module::from_wat(*engine, kWat);
  EXPECT_TRUE(module.ok()) << module.error().message;
  api::Store store(*engine);
  auto inst = api::Linker().instantiate(store, *module);
  EXPECT_TRUE(inst.ok());
  std::optional<api::Func> f = inst->get_func(name);
  Fault out;
  EXPECT_TRUE(f.has_value()) << name;
  if (!f) return out;
  auto r = f->call({api::Val(address)});
  EXPECT_FALSE(r.ok()) << name << " did not trap";
  if (r.ok()) return out;
  EXPECT_TRUE(r.error().trap.has_value()) << r.error().message;
  if (!r.error().trap) return out;
  const api::Trap& t = *r.error().trap;
  EXPECT_EQ(t.code, api::TrapCode::MemoryOutOfBounds) << name << ": " << t.to_string();
  out.frames = t.trace.size();
  if (!t.trace.empty()) {
    out.func_index = t.trace[0].func_index;
    out.offset = t.trace[0].module_offset;
  }
  return out;
}

TEST(GuardTrapOffset, MatchesTheExplicitCheck) {
  if (!api::guard_pages_supported()) GTEST_SKIP() << "no guard pages on this platform";
  for (int32_t address : {65536, -20, 0x7ffffff0}) {
    for (const std::string& name : kExports) {
      SCOPED_TRACE(name + " at " + std::to_string(address));
      Fault expected = fault_of(api::BoundsChecks::Explicit, name, address);
      Fault guarded = fault_of(api::BoundsChecks::Guard, name, address);
      EXPECT_NE(expected.offset, 0u);
      EXPECT_EQ(guarded.offset, expected.offset);
      EXPECT_EQ(guarded.func_index, expected.func_index);
      EXPECT_EQ(guarded.frames, expected.frames);
    }
  }
}

}  // namespace
