// Tier-up (Tier::Auto): the interpreter counts calls and loop iterations, the functions that
// run hot are compiled and switch at their next call, and a call running a hot loop leaves the
// interpreter for machine code at a branch back to the loop (on-stack replacement). Wherever
// the switch happens, the program computes the same results, traps the same way and uses the
// same fuel as in the interpreter alone. HULL_TIER_UP_SYNC makes the switch points
// deterministic: a report is compiled on the reporting thread before it goes on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"
#include "hull/native.hh"
#include "instantiated.h"
#include "interp/interp.h"

namespace {

namespace api = hull::api;

// Loops at several depths (with a local of every kind of value live across the switch), a
// loop whose header has a value below it on the operand stack (no replacement there: the
// function switches at its next call), calls into other functions from a loop, a trap in a
// loop after the switch, and mutual tail recursion a million deep.
constexpr const char* kWat = R"(
(module
  (memory 1)
  (func $mix (param $n i32) (result i64)
    (local $i i32) (local $acc i64) (local $f f64) (local $g f32) (local $v v128)
    (block $done (loop $outer
      local.get $i local.get $n i32.ge_u br_if $done
      (block $inner_done (loop $inner
        local.get $acc i64.const 3 i64.mul local.get $i i64.extend_i32_u i64.add
        local.set $acc
        local.get $f f64.const 0.5 f64.add local.set $f
        local.get $g f32.const 1.25 f32.mul f32.const 1 f32.add local.set $g
        local.get $v local.get $i i32x4.splat i32x4.add local.set $v
        local.get $i i32.const 1 i32.add local.tee $i
        i32.const 7 i32.rem_u br_if $inner))
      br $outer))
    local.get $acc
    local.get $f i64.trunc_f64_s i64.add
    local.get $g i64.trunc_sat_f32_s i64.add
    local.get $v i32x4.extract_lane 3 i64.extend_i32_u i64.add)
  (func $square (param i32) (result i32) local.get 0 local.get 0 i32.mul)
  (func $stacked (param $n i32) (result i32)
    (local $s i32)
    i32.const 1000
    (block $done (loop $l
      local.get $n i32.eqz br_if $done
      local.get $s local.get $n call $square i32.add local.set $s
      local.get $n i32.const 1 i32.sub local.set $n
      br $l))
    local.get $s i32.add)
  ;; stores below $limit, then traps on the store at $limit (out of bounds past 65536)
  (func $fill (param $limit i32) (result i32)
    (local $i i32)
    (loop $l
      local.get $i local.get $i i32.store8
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $limit i32.le_u br_if $l)
    local.get $i)
  (func $even (param i64) (result i32)
    local.get 0 i64.eqz if (result i32) i32.const 1
    else local.get 0 i64.const 1 i64.sub return_call $odd end)
  (func $odd (param i64) (result i32)
    local.get 0 i64.eqz if (result i32) i32.const 0
    else local.get 0 i64.const 1 i64.sub return_call $even end)
  (func (export "mix") (param i32) (result i64) local.get 0 call $mix)
  (func (export "stacked") (param i32) (result i32) local.get 0 call $stacked)
  (func (export "fill") (param i32) (result i32) local.get 0 call $fill)
  (func (export "even") (param i64) (result i32) local.get 0 call $even))
)";

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class TierUp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { hull::native::register_tier(); }
  void TearDown() override { hull::native::wait_for_background_compiles(); }
};

// A module compiled for a tier, instantiated by each test as it needs (a fresh store each time).
struct Program : hull_native_test::Compiled {
  static api::Config config_for(api::Tier tier, uint32_t threshold, bool fuel) {
    api::Config c;
    c.tier = tier;
    c.tier_up_threshold = threshold;
    c.consume_fuel = fuel;
    return c;
  }
  Program(api::Tier tier, uint32_t threshold, bool fuel, const char* wat = kWat)
      : Compiled(config_for(tier, threshold, fuel), wat) {}
  // Why function `name` (a name-section name) runs interpreted ("" when it runs machine code).
  std::string interpreted_because(const std::string& name) const {
    const hull::CompiledModule& cm = *module->compiled();
    for (const auto& [index, n] : cm.desc.func_names)
      if (n == name) return hull::native_tier()->interpreted_because(cm, index);
    ADD_FAILURE() << "no function " << name;
    return "?";
  }
};

// Every export on a fresh store with `fuel` (0: fuel off): results or traps, and the fuel left.
std::string run_all(const Program& p, uint64_t fuel) {
  api::Store store(*p.engine);
  if (fuel) EXPECT_TRUE(store.set_fuel(fuel).ok());
  api::Linker linker;
  auto inst = linker.instantiate(store, *p.module);
  EXPECT_TRUE(inst.ok()) << inst.error().to_string();
  std::string out;
  auto note = [&](const auto& r) {
    out += r.ok() ? std::to_string(*r) : r.error().message;
    if (fuel) out += " fuel " + std::to_string(*store.get_fuel());
    out += "; ";
  };
  auto mix = inst->typed_func<int64_t(int32_t)>("mix");
  auto stacked = inst->typed_func<int32_t(int32_t)>("stacked");
  auto fill = inst->typed_func<int32_t(int32_t)>("fill");
  auto even = inst->typed_func<int32_t(int64_t)>("even");
  EXPECT_TRUE(mix.ok() && stacked.ok() && fill.ok() && even.ok());
  for (int32_t n : {3, 5000, 20000}) note(mix->call(n));
  for (int32_t n : {10, 3000}) note(stacked->call(n));
  note(fill->call(1000));
  note(fill->call(70000));  // traps at 65536, after the switch
  note(even->call(1'000'001));
  return out;
}

// A threshold this small makes every function switch at its first calls and every loop at its
// first iterations: each threshold moves the switch points.
TEST_F(TierUp, SameResultsAndFuelWhereverTheSwitchHappens) {
  ScopedEnv sync("HULL_TIER_UP_SYNC", "1");
  for (bool fuel : {false, true}) {
    Program interp(api::Tier::Interpreter, 0, fuel);
    const std::string expected = run_all(interp, fuel ? 10'000'000'000 : 0);
    for (uint32_t threshold : {1u, 2u, 3u, 5u, 8u, 100u, 1000u, 5000u}) {
      SCOPED_TRACE("fuel " + std::to_string(fuel) + ", threshold " + std::to_string(threshold));
      Program auto_(api::Tier::Auto, threshold, fuel);
      const uint64_t osr_before = hull::interp::osr_entries_taken();
      EXPECT_EQ(run_all(auto_, fuel ? 10'000'000'000 : 0), expected);
      // A call whose count runs out in a loop leaves the interpreter at a branch back (with
      // threshold 1 every count runs out at a function's first entry, before any loop).
      if (threshold > 1) EXPECT_GT(hull::interp::osr_entries_taken(), osr_before);
      EXPECT_EQ(auto_.interpreted_because("mix"), "");
      EXPECT_EQ(auto_.interpreted_because("fill"), "");
    }
  }
}

// Running out of fuel at every point around the switch: the same trap after the same work.
TEST_F(TierUp, RunningOutOfFuelAroundTheSwitch) {
  ScopedEnv sync("HULL_TIER_UP_SYNC", "1");
  Program interp(api::Tier::Interpreter, 0, true);
  for (uint64_t budget = 1; budget < 200'000; budget = budget * 3 + 7) {
    SCOPED_TRACE("fuel " + std::to_string(budget));
    Program auto_(api::Tier::Auto, 16, true);
    EXPECT_EQ(run_all(auto_, budget), run_all(interp, budget));
  }
}

// Only what runs hot is compiled: a function called less than the threshold stays interpreted
// and says why.
TEST_F(TierUp, ColdFunctionsStayInterpreted) {
  ScopedEnv sync("HULL_TIER_UP_SYNC", "1");
  Program p(api::Tier::Auto, 1000, false);
  api::Store store(*p.engine);
  auto inst = api::Linker().instantiate(store, *p.module);
  ASSERT_TRUE(inst.ok());
  auto stacked = inst->typed_func<int32_t(int32_t)>("stacked");
  ASSERT_TRUE(stacked.ok());
  EXPECT_EQ(*stacked->call(10), 1385);  // 10 calls of square, 10 iterations: not hot
  EXPECT_NE(p.interpreted_because("square").find("not hot yet"), std::string::npos)
      << p.interpreted_because("square");
  EXPECT_EQ(*stacked->call(2000), int32_t(1000 + 2668667000u));  // wraps, as i32.add does
  EXPECT_EQ(p.interpreted_because("square"), "");
  EXPECT_EQ(p.interpreted_because("stacked"), "");
  EXPECT_NE(p.interpreted_because("mix").find("not hot yet"), std::string::npos);
  EXPECT_NE(p.interpreted_because("even").find("not hot yet"), std::string::npos);
}

// Every way code counts toward the threshold: each kind of call into a function (the counting
// variant of each call instruction, and calls from the host) and each kind of branch back to a
// loop (br, br_if on a value, br_if fused with the compare before it -- with a constant or not
// --, branches that move loop parameters, br_table). Each export below does its counting in one
// way only, in a function entered once from the host.
constexpr const char* kCountingWat = R"(
(module
  (type $rec (func (param i32) (result i32)))
  (table funcref (elem $rec_indirect $tail_indirect))
  (elem declare func $rec_ref $tail_ref)
  (func $leaf (export "leaf") (param i32) (result i32) local.get 0 i32.const 3 i32.mul)
  (func $rec_call (export "rec_call") (param $n i32) (result i32)
    local.get $n i32.eqz if (result i32) i32.const 0
    else local.get $n i32.const 1 i32.sub call $rec_call i32.const 2 i32.add end)
  (func $rec_indirect (export "rec_indirect") (param $n i32) (result i32)
    local.get $n i32.eqz if (result i32) i32.const 0
    else local.get $n i32.const 1 i32.sub i32.const 0 call_indirect (type $rec)
         i32.const 3 i32.add end)
  (func $rec_ref (export "rec_ref") (param $n i32) (result i32)
    local.get $n i32.eqz if (result i32) i32.const 0
    else local.get $n i32.const 1 i32.sub ref.func $rec_ref call_ref $rec
         i32.const 5 i32.add end)
  (func $tail (export "tail") (param $n i32) (result i32)
    local.get $n i32.eqz if (result i32) i32.const 7
    else local.get $n i32.const 1 i32.sub return_call $tail end)
  (func $tail_indirect (export "tail_indirect") (param $n i32) (result i32)
    local.get $n i32.eqz if (result i32) i32.const 11
    else local.get $n i32.const 1 i32.sub i32.const 1 return_call_indirect (type $rec) end)
  (func $tail_ref (export "tail_ref") (param $n i32) (result i32)
    local.get $n i32.eqz if (result i32) i32.const 13
    else local.get $n i32.const 1 i32.sub ref.func $tail_ref return_call_ref $rec end)
  (func $loop_br (export "loop_br") (param $n i32) (result i32)
    (local $s i32)
    (block $done (loop $l
      local.get $n i32.eqz br_if $done
      local.get $s local.get $n i32.xor local.set $s
      local.get $n i32.const 1 i32.sub local.set $n
      br $l))
    local.get $s)
  (func $loop_br_if (export "loop_br_if") (param $n i32) (result i32)
    (local $s i32) (local $more i32)
    (loop $l
      local.get $s local.get $n i32.add local.set $s
      local.get $n i32.const 1 i32.sub local.tee $n
      local.set $more
      local.get $s i32.const 1 i32.rotl local.set $s
      local.get $more br_if $l)
    local.get $s)
  (func $loop_cmp (export "loop_cmp") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      local.get $s local.get $i i32.const 3 i32.mul i32.add local.set $s
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l)
    local.get $s)
  (func $loop_cmp_const (export "loop_cmp_const") (param $n i32) (result i32)
    (local $s i32)
    (loop $l
      local.get $s local.get $n i32.const 5 i32.mul i32.xor local.set $s
      local.get $n i32.const 1 i32.sub local.tee $n
      i32.const 0 i32.gt_s br_if $l)
    local.get $s)
  (func $loop_param_br_if (export "loop_param_br_if") (param $n i32) (result i32)
    (local $i i32)
    i32.const 1
    (loop $l (param i32) (result i32)
      local.get $i i32.add i32.const 1 i32.rotl
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l))
  (func $loop_param_br (export "loop_param_br") (param $n i32) (result i32)
    (local $i i32)
    i32.const 1
    (block $done (param i32) (result i32) (loop $l (param i32) (result i32)
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $i i32.xor i32.const 7 i32.add
      local.get $i i32.const 1 i32.add local.set $i
      br $l)))
  (func $loop_br_table (export "loop_br_table") (param $n i32) (result i32)
    (local $s i32)
    (block $done (loop $l
      local.get $s local.get $n i32.add i32.const 3 i32.rotl local.set $s
      local.get $n i32.const 1 i32.sub local.tee $n
      i32.eqz br_table $l $done))
    local.get $s)
)
)";

TEST_F(TierUp, EveryCallAndBranchBackCounts) {
  ScopedEnv sync("HULL_TIER_UP_SYNC", "1");
  constexpr uint32_t kThreshold = 200;
  struct Case {
    const char* name;
    bool loop_entry;  // a loop without parameters: entered through on-stack replacement
  };
  const Case cases[] = {
      {"rec_call", false},      {"rec_indirect", false},     {"rec_ref", false},
      {"tail", false},          {"tail_indirect", false},    {"tail_ref", false},
      {"loop_br", true},        {"loop_br_if", true},        {"loop_cmp", true},
      {"loop_cmp_const", true}, {"loop_param_br_if", false}, {"loop_param_br", false},
      {"loop_br_table", true}};
  for (bool fuel : {false, true}) {
    Program interp(api::Tier::Interpreter, 0, fuel, kCountingWat);
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.name) + (fuel ? ", fuel" : ""));
      // A fresh module each time: its counts start at the threshold.
      Program auto_(api::Tier::Auto, kThreshold, fuel, kCountingWat);
      auto call = [&](const Program& p, int32_t n) {
        api::Store store(*p.engine);
        if (fuel) EXPECT_TRUE(store.set_fuel(1'000'000'000).ok());
        auto inst = api::Linker().instantiate(store, *p.module);
        EXPECT_TRUE(inst.ok()) << inst.error().to_string();
        auto f = inst->typed_func<int32_t(int32_t)>(c.name);
        EXPECT_TRUE(f.ok());
        auto r = f->call(n);
        std::string out = r.ok() ? std::to_string(*r) : r.error().message;
        if (fuel) out += " fuel " + std::to_string(*store.get_fuel());
        return out;
      };
      // A quarter of the threshold: not hot.
      EXPECT_EQ(call(auto_, kThreshold / 4), call(interp, kThreshold / 4));
      EXPECT_NE(auto_.interpreted_because(c.name).find("not hot yet"), std::string::npos)
          << auto_.interpreted_because(c.name);
      // Past it in one call: compiled, and a loop left for machine code where it can be.
      const uint64_t osr_before = hull::interp::osr_entries_taken();
      EXPECT_EQ(call(auto_, 2 * kThreshold), call(interp, 2 * kThreshold));
      EXPECT_EQ(auto_.interpreted_because(c.name), "");
      if (c.loop_entry) EXPECT_GT(hull::interp::osr_entries_taken(), osr_before);
    }
    // Calls from the host: a function without loops or calls of its own.
    Program auto_(api::Tier::Auto, kThreshold, fuel, kCountingWat);
    api::Store store(*auto_.engine);
    if (fuel) EXPECT_TRUE(store.set_fuel(1'000'000'000).ok());
    auto inst = api::Linker().instantiate(store, *auto_.module);
    ASSERT_TRUE(inst.ok());
    auto leaf = inst->typed_func<int32_t(int32_t)>("leaf");
    ASSERT_TRUE(leaf.ok());
    for (uint32_t i = 0; i < kThreshold / 4; ++i) EXPECT_EQ(*leaf->call(i), int32_t(3 * i));
    EXPECT_NE(auto_.interpreted_because("leaf").find("not hot yet"), std::string::npos);
    for (uint32_t i = 0; i < kThreshold; ++i) EXPECT_EQ(*leaf->call(i), int32_t(3 * i));
    EXPECT_EQ(auto_.interpreted_because("leaf"), "");
  }
}

// Without HULL_TIER_UP_SYNC, on the background thread: the results are right before, during
// and after, and everything hot is compiled once the thread caught up.
TEST_F(TierUp, InTheBackground) {
  Program interp(api::Tier::Interpreter, 0, false);
  const std::string expected = run_all(interp, 0);
  Program p(api::Tier::Auto, 50, false);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run_all(p, 0), expected);
  hull::native::wait_for_background_compiles();
  EXPECT_EQ(hull::native::background_compiles_in_flight(), 0);
  EXPECT_EQ(run_all(p, 0), expected);
  for (const char* f : {"mix", "square", "stacked", "fill", "even", "odd"})
    EXPECT_EQ(p.interpreted_because(f), "") << f;
}

}  // namespace
