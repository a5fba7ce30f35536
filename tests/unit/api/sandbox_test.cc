// Tests of fuel metering and deadlines through the public C++ API: out-of-fuel traps,
// deterministic consumption, resuming after adding fuel, and deadlines in calls and start
// functions.
#include <gtest/gtest.h>

#include <chrono>

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
}

}  // namespace
