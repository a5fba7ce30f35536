// Tests of the sandbox through the public C++ API: fuel metering (out-of-fuel traps,
// deterministic consumption, resuming after adding fuel), deadlines in calls and start
// functions, every store limit (memory, table elements, instances, wasm stack), and the
// store's cost accounting (Store::stats).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "hull/hull.hh"

namespace api = hull::api;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kLoops = R"((module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param i32) (result i32)
    (loop $l
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (local.get 0)))
    (local.get 0))))";

api::Engine engine_with(bool fuel, bool epochs) {
  api::Config c;
  c.consume_fuel = fuel;
  c.epoch_interruption = epochs;
  auto e = api::Engine::create(c);
  EXPECT_TRUE(e.ok());
  return *e;
}

api::Instance instantiate(api::Store& store, const api::Engine& e, std::string_view text) {
  auto m = api::Module::from_wat(e, text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
  auto inst = api::Linker().instantiate(store, *m);
  EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().to_string());
  return *inst;
}

TEST(Fuel, InfiniteLoopRunsOutOfFuel) {
  auto engine = engine_with(true, false);
  api::Store store(engine);
  auto inst = instantiate(store, engine, kLoops);
  ASSERT_TRUE(store.set_fuel(1000).ok());
  auto r = inst.get_func("spin")->call({});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::OutOfFuel);
  EXPECT_EQ(r.error().trap->message, "all fuel consumed");
  EXPECT_LE(*store.fuel_consumed(), 1000u);
  EXPECT_GT(*store.fuel_consumed(), 990u);  // every loop iteration costs 2 (loop, br)
}

TEST(Fuel, StraightLineConsumptionIsExact) {
  auto engine = engine_with(true, false);
  api::Store store(engine);
  auto inst = instantiate(store, engine, kLoops);
  ASSERT_TRUE(store.set_fuel(100).ok());
  auto add = inst.typed_func<int32_t(int32_t, int32_t)>("add");
  EXPECT_EQ(*add->call(2, 3), 5);
  // local.get, local.get, i32.add, end.
  EXPECT_EQ(*store.fuel_consumed(), 4u);
  EXPECT_EQ(*store.get_fuel(), 96u);
  EXPECT_EQ(*add->call(2, 3), 5);
  EXPECT_EQ(*store.fuel_consumed(), 8u);
}

TEST(Fuel, DeterministicAndResumable) {
  auto engine = engine_with(true, false);
  uint64_t used[2];
  for (int k = 0; k < 2; ++k) {
    api::Store store(engine);
    auto inst = instantiate(store, engine, kLoops);
    ASSERT_TRUE(store.set_fuel(1'000'000).ok());
    auto count = inst.typed_func<int32_t(int32_t)>("count");
    EXPECT_EQ(*count->call(1000), 0);
    used[k] = *store.fuel_consumed();
  }
  EXPECT_EQ(used[0], used[1]);
  EXPECT_GT(used[0], 1000u * 5);

  api::Store store(engine);
  auto inst = instantiate(store, engine, kLoops);
  auto count = inst.typed_func<int32_t(int32_t)>("count");
  ASSERT_TRUE(store.set_fuel(used[0] / 2).ok());
  auto r = count->call(1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::OutOfFuel);
  // Add fuel and call again: the store is usable and the call completes.
  ASSERT_TRUE(store.set_fuel(used[0]).ok());
  EXPECT_EQ(*count->call(1000), 0);
  EXPECT_GT(*store.fuel_consumed(), used[0]);  // the trapped attempt counts too
}

TEST(Fuel, DisabledEngineRejectsFuelCalls) {
  api::Engine engine;
  api::Store store(engine);
  EXPECT_FALSE(store.set_fuel(10).ok());
  EXPECT_FALSE(store.fuel_consumed().ok());
  EXPECT_FALSE(store.set_deadline(10ms).ok());
}

TEST(Deadline, StopsAnInfiniteLoop) {
  auto engine = engine_with(false, true);
  api::Store store(engine);
  auto inst = instantiate(store, engine, kLoops);
  ASSERT_TRUE(store.set_deadline(50ms).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto r = inst.get_func("spin")->call({});
  auto dt = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::Interrupted);
  EXPECT_EQ(r.error().trap->message, "interrupt");
  EXPECT_LT(dt, 5s);
  // Without a deadline the store runs normally again.
  store.clear_deadline();
  EXPECT_EQ(*inst.typed_func<int32_t(int32_t)>("count")->call(10), 0);
}

TEST(Deadline, StopsAStartFunctionLoop) {
  auto engine = engine_with(true, true);
  api::Store store(engine);
  ASSERT_TRUE(store.set_fuel(UINT64_MAX).ok());
  ASSERT_TRUE(store.set_deadline(50ms).ok());
  auto m = api::Module::from_wat(engine, "(module (func $s (loop $l (br $l))) (start $s))");
  ASSERT_TRUE(m.ok());
  auto t0 = std::chrono::steady_clock::now();
  auto inst = api::Linker().instantiate(store, *m);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  ASSERT_FALSE(inst.ok());
  EXPECT_NE(inst.error().to_string().find("interrupt"), std::string::npos)
      << inst.error().to_string();
  // The error keeps the start function's trap, with its frame.
  ASSERT_TRUE(inst.error().trap.has_value());
  EXPECT_EQ(inst.error().trap->code, api::TrapCode::Interrupted);
  ASSERT_EQ(inst.error().trap->trace.size(), 1u);
  EXPECT_EQ(inst.error().trap->trace[0].func_index, 0u);
}

// ---- store limits ----

api::Engine engine_with_limits(const api::StoreLimits& limits) {
  api::Config c;
  c.limits = limits;
  auto e = api::Engine::create(c);
  EXPECT_TRUE(e.ok());
  return *e;
}

TEST(Limits, MemoryGrowReturnsMinusOnePastTheLimit) {
  api::StoreLimits l;
  l.max_memory_bytes = 4 * 65536;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  EXPECT_EQ(store.limits().max_memory_bytes, 4u * 65536);
  auto inst = instantiate(store, engine, R"((module (memory (export "mem") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))");
  auto grow = inst.typed_func<int32_t(int32_t)>("grow");
  EXPECT_EQ(*grow->call(4), -1);  // 5 pages > 4
  EXPECT_EQ(*grow->call(3), 1);   // exactly 4 pages
  EXPECT_EQ(*grow->call(1), -1);
  EXPECT_EQ(*grow->call(0), 4);
  auto mem = inst.get_memory("mem");
  ASSERT_TRUE(mem.has_value());
  auto r = mem->grow(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Limit);
  EXPECT_EQ(mem->pages(), 4u);
  // Host-created memories obey the limit too.
  EXPECT_FALSE(api::Memory::create(store, api::MemoryType{{5, std::nullopt}}).ok());
  EXPECT_TRUE(api::Memory::create(store, api::MemoryType{{4, std::nullopt}}).ok());
}

TEST(Limits, MemoryMinimumAboveTheLimitFailsToInstantiate) {
  api::StoreLimits l;
  l.max_memory_bytes = 4 * 65536;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  auto m = api::Module::from_wat(engine, "(module (memory 5))");
  ASSERT_TRUE(m.ok());
  auto inst = api::Linker().instantiate(store, *m);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, api::ErrorKind::Limit);
  EXPECT_NE(inst.error().message.find("max_memory_bytes"), std::string::npos)
      << inst.error().message;
  // A per-store override of the engine's limits.
  api::StoreLimits big;
  api::Store roomy(engine, big);
  EXPECT_TRUE(api::Linker().instantiate(roomy, *m).ok());
}

TEST(Limits, TableGrowReturnsMinusOnePastTheLimit) {
  api::StoreLimits l;
  l.max_table_elements = 10;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  auto inst = instantiate(store, engine, R"((module (table (export "t") 2 funcref)
    (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))))");
  auto grow = inst.typed_func<int32_t(int32_t)>("grow");
  EXPECT_EQ(*grow->call(9), -1);  // 11 > 10
  EXPECT_EQ(*grow->call(8), 2);
  EXPECT_EQ(*grow->call(1), -1);
  auto t = inst.get_table("t");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->size(), 10u);
  auto r = t->grow(1, api::Val::null(api::ValType::FuncRef));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Limit);
}

TEST(Limits, TableMinimumAboveTheLimitFailsToInstantiate) {
  api::StoreLimits l;
  l.max_table_elements = 10;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  auto m = api::Module::from_wat(engine, "(module (table 11 funcref))");
  ASSERT_TRUE(m.ok());
  auto inst = api::Linker().instantiate(store, *m);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, api::ErrorKind::Limit);
  EXPECT_NE(inst.error().message.find("max_table_elements"), std::string::npos)
      << inst.error().message;
  auto ok = api::Module::from_wat(engine, "(module (table 10 funcref))");
  EXPECT_TRUE(api::Linker().instantiate(store, *ok).ok());
}

TEST(Limits, InstancesBeyondTheLimitFail) {
  api::StoreLimits l;
  l.max_instances = 2;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  auto m = api::Module::from_wat(engine, "(module (func (export \"f\")))");
  ASSERT_TRUE(m.ok());
  api::Linker linker;
  EXPECT_TRUE(linker.instantiate(store, *m).ok());
  EXPECT_TRUE(linker.instantiate(store, *m).ok());
  auto third = linker.instantiate(store, *m);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().kind, api::ErrorKind::Limit);
  EXPECT_NE(third.error().message.find("max_instances"), std::string::npos)
      << third.error().message;
  // The limit is per store.
  api::Store other(engine);
  EXPECT_TRUE(linker.instantiate(other, *m).ok());
}

constexpr std::string_view kRecursion = R"((module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))))))";

TEST(Limits, SmallWasmStackTrapsOnDeepRecursion) {
  api::StoreLimits l;
  l.max_wasm_stack_bytes = 16 << 10;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  auto inst = instantiate(store, engine, kRecursion);
  auto depth = inst.typed_func<int32_t(int32_t)>("depth");
  EXPECT_EQ(*depth->call(100), 100);
  auto r = depth->call(100000);
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::StackExhausted);
  EXPECT_EQ(r.error().trap->message, "call stack exhausted");
  EXPECT_EQ(*depth->call(100), 100);  // the store stays usable

  // The default (1 MiB) runs the same recursion.
  api::Engine plain;
  api::Store big(plain);
  auto inst2 = instantiate(big, plain, kRecursion);
  EXPECT_EQ(*inst2.typed_func<int32_t(int32_t)>("depth")->call(10000), 10000);
}

TEST(Limits, TooSmallWasmStackIsClampedTo8KiB) {
  api::StoreLimits l;
  l.max_wasm_stack_bytes = 0;
  auto engine = engine_with_limits(l);
  api::Store store(engine);
  auto inst = instantiate(store, engine, kRecursion);
  auto depth = inst.typed_func<int32_t(int32_t)>("depth");
  EXPECT_EQ(*depth->call(50), 50);
  auto r = depth->call(100000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::StackExhausted);
}

// A thread keeps the interpreter stacks of a destroyed store for its next store: stores made
// one after another, alternating between a small and the default stack limit, each get their
// own limit (a reused stack of the other size would let the small store recurse deeper, or
// make the big one trap early), and a reused stack holds no trace of its last use.
TEST(Limits, StoresOneAfterAnotherKeepTheirOwnStackLimits) {
  api::StoreLimits small_limits;
  small_limits.max_wasm_stack_bytes = 16 << 10;
  api::Engine small_engine = engine_with_limits(small_limits);
  api::Engine plain;
  for (int round = 0; round < 4; ++round) {
    {
      api::Store store(small_engine);
      auto depth =
          instantiate(store, small_engine, kRecursion).typed_func<int32_t(int32_t)>("depth");
      EXPECT_EQ(*depth->call(100), 100);
      auto r = depth->call(10000);
      ASSERT_FALSE(r.ok()) << "round " << round;
      EXPECT_EQ(r.error().trap->code, api::TrapCode::StackExhausted);
    }
    {
      api::Store store(plain);
      auto depth = instantiate(store, plain, kRecursion).typed_func<int32_t(int32_t)>("depth");
      EXPECT_EQ(*depth->call(10000), 10000) << "round " << round;
    }
  }
  // Two stores alive at once on one thread, then a third after both are gone.
  auto a = std::make_unique<api::Store>(plain);
  auto b = std::make_unique<api::Store>(plain);
  auto fa = instantiate(*a, plain, kRecursion).typed_func<int32_t(int32_t)>("depth");
  auto fb = instantiate(*b, plain, kRecursion).typed_func<int32_t(int32_t)>("depth");
  EXPECT_EQ(*fa->call(5000), 5000);
  EXPECT_EQ(*fb->call(6000), 6000);
  a.reset();
  b.reset();
  api::Store c(plain);
  EXPECT_EQ(*instantiate(c, plain, kRecursion).typed_func<int32_t(int32_t)>("depth")->call(7000),
            7000);
}

}  // namespace

namespace {

// Store::stats: host calls are counted (nested ones too), their time is measured only when
// asked for and only for the outermost call, fuel and memory are the store's.
TEST(StoreStats, CountsHostCallsFuelInstancesAndMemory) {
  api::Engine e = engine_with(true, false);
  api::Store store(e);
  ASSERT_TRUE(store.set_fuel(1'000'000).ok());
  auto m = api::Module::from_wat(e, R"((module
    (import "host" "sleep" (func $sleep))
    (import "host" "reenter" (func $reenter))
    (memory 3)
    (func (export "leaf"))
    (func (export "run") (call $sleep) (call $reenter) (call $sleep))))");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Linker linker;
  std::optional<api::Func> leaf;
  linker.func("host", "sleep", [] { std::this_thread::sleep_for(2ms); });
  linker.func("host", "reenter", [&]() -> api::Result<void> {
    // A host function calling back into wasm, which calls no host function: still one level.
    auto r = leaf->call({});
    if (!r) return std::move(r).error();
    return {};
  });
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  leaf = inst->get_func("leaf");
  ASSERT_TRUE(leaf.has_value());
  auto run = inst->get_func("run");
  ASSERT_TRUE(run.has_value());

  api::Store::Stats before = store.stats();
  EXPECT_EQ(before.host_calls, 0u);
  EXPECT_EQ(before.instances, 1u);
  EXPECT_EQ(before.memory_bytes, 3u * 65536);
  ASSERT_TRUE(run->call({}).ok());
  api::Store::Stats untimed = store.stats();
  EXPECT_EQ(untimed.host_calls, 3u);
  EXPECT_EQ(untimed.host_call_time.count(), 0);  // not asked for
  EXPECT_GT(untimed.fuel_consumed, 0u);
  EXPECT_EQ(untimed.fuel_consumed, *store.fuel_consumed());

  store.time_host_calls(true);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(run->call({}).ok());
  const auto wall = std::chrono::steady_clock::now() - started;
  api::Store::Stats timed = store.stats();
  EXPECT_EQ(timed.host_calls, 6u);
  EXPECT_GE(timed.host_call_time, 4ms);  // two 2 ms sleeps, at least
  // Timed with the CPU's tick counter, converted at its measured rate: never more than the
  // whole call took.
  EXPECT_LE(timed.host_call_time, wall);
  EXPECT_GT(timed.fuel_consumed, untimed.fuel_consumed);
}

TEST(StoreStats, FuelIsZeroWithoutMetering) {
  api::Engine e = engine_with(false, false);
  api::Store store(e);
  instantiate(store, e, kLoops);
  EXPECT_EQ(store.stats().fuel_consumed, 0u);
  EXPECT_EQ(store.stats().instances, 1u);
}

}  // namespace
