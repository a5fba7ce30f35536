// The native tier through the public API: Config::tier = Tier::Native compiles what it can to
// machine code, and programs give the interpreter's results, traps and fuel-free behaviour.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "epochs.h"
#include "hull/hull.hh"
#include "hull/native.hh"

namespace {

namespace api = hull::api;

constexpr const char* kWat = R"(
(module
  (memory 1)
  (global $counter (mut i64) (i64.const 0))
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  ;; stores n bytes then sums them back, counting calls in a global
  (func (export "bytes") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    global.get $counter i64.const 1 i64.add global.set $counter
    (block $done (loop $fill
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $i local.get $i i32.const 7 i32.mul i32.store8
      local.get $i i32.const 1 i32.add local.set $i
      br $fill))
    i32.const 0 local.set $i
    (block $done (loop $sum
      local.get $i local.get $n i32.ge_u br_if $done
      local.get $sum local.get $i i32.load8_u i64.extend_i32_u i64.add local.set $sum
      local.get $i i32.const 1 i32.add local.set $i
      br $sum))
    local.get $sum)
  (func (export "calls") (result i64) global.get $counter)
  (func (export "swap") (param f64 i64) (result i64 f64) local.get 1 local.get 0)
  (func (export "sqrt") (param f32) (result f32) local.get 0 f32.sqrt)
  (func (export "trunc") (param f64) (result i32) local.get 0 i32.trunc_f64_s))
)";

class NativeApi : public ::testing::TestWithParam<api::Tier> {
 protected:
  static void SetUpTestSuite() { hull::native::register_tier(); }
  // Background compilations end before the test (and the process) does.
  void TearDown() override { hull::native::wait_for_background_compiles(); }
};

// kWat's functions give their results and traps under engine config `c`.
void expect_kwat_results(const api::Config& c) {
  auto engine = api::Engine::create(c);
  ASSERT_TRUE(engine.ok()) << engine.error().to_string();
  auto mod = api::Module::from_wat(*engine, kWat);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  api::Store store(*engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, *mod);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();

  auto fib = inst->typed_func<int32_t(int32_t)>("fib");
  ASSERT_TRUE(fib.ok());
  EXPECT_EQ(*fib->call(25), 75025);
  auto bytes = inst->typed_func<int64_t(int32_t)>("bytes");
  ASSERT_TRUE(bytes.ok());
  int64_t want = 0;
  for (int i = 0; i < 1000; ++i) want += (i * 7) & 0xff;
  EXPECT_EQ(*bytes->call(1000), want);
  EXPECT_EQ(*bytes->call(1000), want);
  auto calls = inst->typed_func<int64_t()>("calls");
  ASSERT_TRUE(calls.ok());
  EXPECT_EQ(*calls->call(), 2);
  auto swap = inst->typed_func<std::tuple<int64_t, double>(double, int64_t)>("swap");
  ASSERT_TRUE(swap.ok());
  auto sw = swap->call(2.5, -7);
  ASSERT_TRUE(sw.ok());
  EXPECT_EQ(std::get<0>(*sw), -7);
  EXPECT_EQ(std::get<1>(*sw), 2.5);
  auto sqrt = inst->typed_func<float(float)>("sqrt");
  ASSERT_TRUE(sqrt.ok());
  EXPECT_EQ(*sqrt->call(6.25f), 2.5f);

  // Traps: the kind and the message, then the store runs on.
  auto trunc = inst->typed_func<int32_t(double)>("trunc");
  ASSERT_TRUE(trunc.ok());
  EXPECT_EQ(*trunc->call(-3.9), -3);
  auto big = trunc->call(3e9);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("integer overflow"), std::string::npos) << big.error().message;
  auto oob = bytes->call(70000);  // past the one page
  ASSERT_FALSE(oob.ok());
  EXPECT_NE(oob.error().message.find("out of bounds memory access"), std::string::npos)
      << oob.error().message;
  EXPECT_EQ(*fib->call(10), 55);
}

TEST_P(NativeApi, SameResultsInEveryTier) {
  api::Config c;
  c.tier = GetParam();
  expect_kwat_results(c);
}

// Fuel: every tier charges the same amounts at the same points (function entries and loop
// headers), so a program leaves the same fuel, and runs out at the same point.
struct FuelRun {
  std::vector<uint64_t> left;  // fuel remaining after each call
  std::string last_trap;
};

// `wat` compiled for `tier` (at `opt_level`) by an engine that counts fuel.
std::pair<api::Engine, api::Module> fuel_module(api::Tier tier, std::string_view wat,
                                                uint8_t opt_level = 2) {
  api::Config c;
  c.tier = tier;
  c.consume_fuel = true;
  c.native_opt_level = opt_level;
  auto engine = api::Engine::create(c);
  EXPECT_TRUE(engine.ok());
  auto mod = api::Module::from_wat(*engine, wat);
  EXPECT_TRUE(mod.ok()) << mod.error().to_string();
  return {std::move(*engine), std::move(*mod)};
}

FuelRun run_with_fuel(api::Tier tier, uint64_t fuel, uint8_t opt_level = 2) {
  FuelRun out;
  auto [engine, mod] = fuel_module(tier, kWat, opt_level);
  api::Store store(engine);
  EXPECT_TRUE(store.set_fuel(fuel).ok());
  api::Linker linker;
  auto inst = linker.instantiate(store, mod);
  EXPECT_TRUE(inst.ok());
  auto fib = inst->typed_func<int32_t(int32_t)>("fib");
  auto bytes = inst->typed_func<int64_t(int32_t)>("bytes");
  auto trunc = inst->typed_func<int32_t(double)>("trunc");
  for (int n : {1, 2, 10, 15}) {
    auto r = fib->call(n);
    if (!r.ok()) out.last_trap = r.error().message;
    out.left.push_back(*store.get_fuel());
  }
  for (int n : {0, 1, 100, 999}) {
    auto r = bytes->call(n);
    if (!r.ok()) out.last_trap = r.error().message;
    out.left.push_back(*store.get_fuel());
  }
  auto t = trunc->call(1e10);  // traps after its check point charged
  if (!t.ok()) out.last_trap = t.error().message;
  out.left.push_back(*store.get_fuel());
  return out;
}

TEST(NativeFuel, SameFuelAsTheInterpreter) {
  hull::native::register_tier();
  FuelRun interp = run_with_fuel(api::Tier::Interpreter, 100'000'000);
  FuelRun native = run_with_fuel(api::Tier::Native, 100'000'000);
  EXPECT_EQ(interp.left, native.left);
  EXPECT_NE(interp.last_trap.find("integer overflow"), std::string::npos) << interp.last_trap;
  EXPECT_EQ(interp.last_trap, native.last_trap);
  // Running out part way: the same calls fail, the same fuel is left.
  for (uint64_t budget : {1ull, 50ull, 3000ull, 20000ull}) {
    FuelRun a = run_with_fuel(api::Tier::Interpreter, budget);
    FuelRun b = run_with_fuel(api::Tier::Native, budget);
    EXPECT_EQ(a.left, b.left) << "budget " << budget;
    EXPECT_EQ(a.last_trap, b.last_trap) << "budget " << budget;
  }
  FuelRun small = run_with_fuel(api::Tier::Native, 3000);
  EXPECT_NE(small.last_trap.find("all fuel consumed"), std::string::npos) << small.last_trap;
}

// Machine-code functions pass their fuel to each other in registers; the interpreter's counter
// is written only before what may read it. Each way a call can go (one result, two through
// memory, none, a tail call, call_indirect through the runtime) and a guard-page fault in a
// callee must leave the interpreter's fuel, wherever the budget runs out.
constexpr const char* kCallsWat = R"(
(module
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $sum)
  (type $to_i32 (func (param i32) (result i32)))
  (global $log (mut i32) (i32.const 0))
  (func $sum (param $n i32) (result i32)
    (local $s i32)
    (block $done (loop $l
      local.get $n i32.eqz br_if $done
      local.get $s local.get $n i32.add local.set $s
      local.get $n i32.const 1 i32.sub local.set $n
      br $l))
    local.get $s)
  (func $pair (param $n i32) (result i32 i64)
    local.get $n call $sum
    local.get $n i64.extend_i32_u)
  (func $note (param $n i32)
    global.get $log local.get $n call $sum i32.add global.set $log)
  (func $countdown (param $n i32) (param $acc i32) (result i32)
    local.get $n i32.eqz
    if (result i32)
      local.get $acc
    else
      local.get $n i32.const 1 i32.sub
      local.get $acc local.get $n call $sum i32.add
      return_call $countdown
    end)
  ;; reads the word at $addr $n times: a fault on the guard pages when $addr is out of bounds
  (func $read (param $addr i32) (param $n i32) (result i32)
    (local $s i32)
    (block $done (loop $l
      local.get $n i32.eqz br_if $done
      local.get $s local.get $addr i32.load i32.add local.set $s
      local.get $n i32.const 1 i32.sub local.set $n
      br $l))
    local.get $s)
  (func (export "run") (param $n i32) (param $addr i32) (result i32)
    (local $r i32)
    local.get $n call $pair
    drop local.set $r
    local.get $n call $note
    local.get $r local.get $n i32.const 0 call $countdown i32.add local.set $r
    local.get $r local.get $n i32.const 0 call_indirect (type $to_i32) i32.add local.set $r
    local.get $r local.get $addr local.get $n call $read i32.add
    global.get $log i32.add))
)";

// Runs kCallsWat's "run" three times on a fresh store with `fuel`: each result (or trap) and
// the fuel left after it.
std::string run_calls_with_fuel(const api::Engine& engine, const api::Module& mod, uint64_t fuel) {
  api::Store store(engine);
  EXPECT_TRUE(store.set_fuel(fuel).ok());
  api::Linker linker;
  auto inst = linker.instantiate(store, mod);
  EXPECT_TRUE(inst.ok());
  auto run = inst->typed_func<int32_t(int32_t, int32_t)>("run");
  EXPECT_TRUE(run.ok());
  std::string out;
  // In bounds, then a fault in $read (past the one page), then in bounds again.
  for (int32_t addr : {16, 70000, 32}) {
    auto r = run->call(5, addr);
    out += (r.ok() ? std::to_string(*r) : r.error().message) + " fuel " +
           std::to_string(*store.get_fuel()) + "; ";
  }
  return out;
}

// Optimization levels (Config::native_opt_level): other machine code, the same results, traps
// and fuel.
TEST(NativeOptLevels, SameResultsAndFuelAtEveryLevel) {
  hull::native::register_tier();
  for (uint8_t level : {0, 1, 2}) {
    SCOPED_TRACE("opt level " + std::to_string(level));
    api::Config c;
    c.tier = api::Tier::Native;
    c.native_opt_level = level;
    expect_kwat_results(c);
    for (uint64_t fuel : {uint64_t{50}, uint64_t{5000}, uint64_t{1000000}}) {
      FuelRun interp = run_with_fuel(api::Tier::Interpreter, fuel);
      FuelRun native = run_with_fuel(api::Tier::Native, fuel, level);
      EXPECT_EQ(native.left, interp.left) << "fuel " << fuel;
      EXPECT_EQ(native.last_trap, interp.last_trap) << "fuel " << fuel;
    }
  }
}

TEST(NativeOptLevels, AnUnknownLevelIsRefused) {
  api::Config c;
  c.native_opt_level = 3;
  auto engine = api::Engine::create(c);
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.error().kind, api::ErrorKind::Usage);
  EXPECT_NE(engine.error().message.find("3 is not an optimization level (0, 1 or 2)"),
            std::string::npos)
      << engine.error().message;
}

TEST(NativeFuel, SameFuelAcrossCallsOfMachineCode) {
  hull::native::register_tier();
  auto [interp_engine, interp_mod] = fuel_module(api::Tier::Interpreter, kCallsWat);
  auto [native_engine, native_mod] = fuel_module(api::Tier::Native, kCallsWat);
  const std::string full = run_calls_with_fuel(interp_engine, interp_mod, 1'000'000);
  EXPECT_NE(full.find("out of bounds memory access"), std::string::npos) << full;
  EXPECT_EQ(run_calls_with_fuel(native_engine, native_mod, 1'000'000), full);
  // Running out at every check point on the way.
  const uint64_t used = 1'000'000 - std::stoull(full.substr(full.rfind("fuel ") + 5));
  int ran_out = 0;
  for (uint64_t budget = 0; budget <= used; ++budget) {
    const std::string want = run_calls_with_fuel(interp_engine, interp_mod, budget);
    ran_out += want.find("all fuel consumed") != std::string::npos;
    EXPECT_EQ(run_calls_with_fuel(native_engine, native_mod, budget), want) << "budget " << budget;
  }
  EXPECT_GT(ran_out, 0);
}

// Deadlines: machine code checks them through its stack check (function entries) and one
// word at loop headers, which the epoch timer sets once the deadline passed.
TEST(NativeEpochs, StopRecursionWithoutLoops) {
  hull::native::register_tier();
  using namespace std::chrono_literals;
  for (api::Tier tier : {api::Tier::Interpreter, api::Tier::Native}) {
    api::Engine engine = engine_with_epochs(tier);
    auto mod = api::Module::from_wat(engine, kWat);
    ASSERT_TRUE(mod.ok());
    api::Store store(engine);
    auto inst = api::Linker().instantiate(store, *mod);
    ASSERT_TRUE(inst.ok());
    auto fib = inst->typed_func<int32_t(int32_t)>("fib");
    // Deep enough to run for minutes; only function entries check.
    ASSERT_TRUE(store.set_deadline(30ms).ok());
    auto t0 = std::chrono::steady_clock::now();
    auto r = fib->call(60);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
    ASSERT_FALSE(r.ok());
    ASSERT_TRUE(r.error().is_trap()) << r.error().to_string();
    EXPECT_EQ(r.error().trap->code, api::TrapCode::Interrupted);
    // A new deadline: the store runs again, in the same code.
    ASSERT_TRUE(store.set_deadline(3600s).ok());
    EXPECT_EQ(*fib->call(20), 6765);
  }
}

// A loop whose every iteration calls a function of the module leaves the deadline to the
// callee's entry check; loops that may go around without a call keep their own. Each spins
// until interrupted, in both tiers.
TEST(NativeEpochs, EveryEndlessLoopStops) {
  hull::native::register_tier();
  using namespace std::chrono_literals;
  constexpr const char* kSpin = R"(
    (module
      (tag $again)
      (global $g (mut i32) (i32.const 0))
      (func $tick global.get $g i32.const 1 i32.add global.set $g)
      ;; calls in every iteration
      (func (export "calling") (loop $l call $tick br $l))
      ;; a branch back before the call: the iterations that take it call nothing
      (func (export "skipping") (param $n i32)
        (loop $l
          local.get $n br_if $l
          call $tick
          br $l))
      ;; caught back to the header: no call at all
      (func (export "throwing")
        (loop $l (try_table (catch $again $l) (throw $again)))))
  )";
  for (api::Tier tier : {api::Tier::Interpreter, api::Tier::Native}) {
    api::Engine engine = engine_with_epochs(tier);
    auto mod = api::Module::from_wat(engine, kSpin);
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    api::Store store(engine);
    auto inst = api::Linker().instantiate(store, *mod);
    ASSERT_TRUE(inst.ok());
    for (const char* name : {"calling", "skipping", "throwing"}) {
      ASSERT_TRUE(store.set_deadline(20ms).ok());
      std::vector<api::Val> args;
      if (std::string(name) == "skipping") args.push_back(api::Val(int32_t{1}));
      auto r = inst->get_func(name)->call(std::span<const api::Val>(args));
      ASSERT_FALSE(r.ok()) << name;
      ASSERT_TRUE(r.error().is_trap()) << name << ": " << r.error().to_string();
      EXPECT_EQ(r.error().trap->code, api::TrapCode::Interrupted) << name;
    }
  }
}

// The timer marks a store whose deadline passed while a host function ran; the host then
// moves the deadline. The guest's next check finds the mark stale and goes on.
TEST(NativeEpochs, ADeadlineMovedLaterLetsTheCodeGoOn) {
  hull::native::register_tier();
  using namespace std::chrono_literals;
  for (api::Tier tier : {api::Tier::Interpreter, api::Tier::Native}) {
    api::Engine engine = engine_with_epochs(tier);
    auto mod = api::Module::from_wat(engine, R"(
      (module
        (import "host" "pause" (func $pause))
        (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32)
          call $pause
          (block $done (loop $l
            local.get $i local.get $n i32.ge_u br_if $done
            local.get $s local.get $i i32.add local.set $s
            local.get $i i32.const 1 i32.add local.set $i
            br $l))
          local.get $s))
    )");
    ASSERT_TRUE(mod.ok());
    api::Store store(engine);
    api::Linker linker;
    linker.func("host", "pause", [&store] {
      EXPECT_TRUE(store.set_deadline(1ns).ok());
      std::this_thread::sleep_for(20ms);  // ten ticks: the timer has seen it pass
      EXPECT_TRUE(store.set_deadline(3600s).ok());
    });
    auto inst = linker.instantiate(store, *mod);
    ASSERT_TRUE(inst.ok());
    ASSERT_TRUE(store.set_deadline(3600s).ok());
    auto r = inst->typed_func<int32_t(int32_t)>("sum")->call(1000);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(*r, 499500);
  }
}

INSTANTIATE_TEST_SUITE_P(Tiers, NativeApi,
                         ::testing::Values(api::Tier::Interpreter, api::Tier::Native,
                                           api::Tier::Auto),
                         [](const auto& info) {
                           return info.param == api::Tier::Native ? "Native"
                                  : info.param == api::Tier::Auto ? "Auto"
                                                                  : "Interpreter";
                         });

// Auto: the module answers at once (interpreted), keeps answering the same while its
// machine code arrives, and runs it afterwards.
TEST(NativeAuto, SameResultsBeforeAndAfterTheSwitch) {
  hull::native::register_tier();
  api::Config c;
  c.tier = api::Tier::Auto;
  auto engine = api::Engine::create(c);
  ASSERT_TRUE(engine.ok());
  auto mod = api::Module::from_wat(*engine, kWat);
  ASSERT_TRUE(mod.ok());
  api::Store store(*engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, *mod);
  ASSERT_TRUE(inst.ok());
  auto fib = inst->typed_func<int32_t(int32_t)>("fib");
  ASSERT_TRUE(fib.ok());
  for (int i = 0; i < 200; ++i) ASSERT_EQ(*fib->call(15), 610);
  hull::native::wait_for_background_compiles();
  EXPECT_EQ(hull::native::background_compiles_in_flight(), 0);
  EXPECT_EQ(*fib->call(25), 75025);
  auto trunc = inst->typed_func<int32_t(double)>("trunc");
  auto big = trunc->call(3e9);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.error().message.find("integer overflow"), std::string::npos);
}

}  // namespace
