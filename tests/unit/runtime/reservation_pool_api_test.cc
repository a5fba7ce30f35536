// The reservation pool seen through the C++ API: a store's guarded memory goes back to the pool
// when the store is deleted, and the next instance gets it zeroed and still bounded; the API's
// cap and drain reach the runtime's pool.
#include <gtest/gtest.h>

#include "hull/hull.hh"
#include "runtime/reservation_pool.h"

namespace api = hull::api;

namespace {

constexpr const char* kWat = R"((module (memory (export "m") 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))))";

TEST(ReservationPoolApi, NextInstanceSeesAZeroedBoundedMemory) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::set_memory_reservation_pool_cap(64);
  api::drain_memory_reservation_pool();
  api::Config config;
  config.bounds_checks = api::BoundsChecks::Guard;
  auto engine = api::Engine::create(config);
  ASSERT_TRUE(engine.ok());
  auto module = api::Module::from_wat(*engine, kWat);
  ASSERT_TRUE(module.ok());
  api::Linker linker;
  {
    api::Store store(*engine);
    auto inst = linker.instantiate(store, *module);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    auto st = inst->typed_func<void(int32_t, int32_t)>("store");
    ASSERT_TRUE(st.ok());
    for (int32_t a = 0; a < 65536; a += 4) ASSERT_TRUE(st->call(a, -1).ok());
  }
  EXPECT_EQ(hull::reservation_pool_stats().pooled, 1u);
  const uint64_t reused = hull::reservation_pool_stats().reused;
  api::Store store(*engine);
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ(hull::reservation_pool_stats().reused, reused + 1);
  auto load = inst->typed_func<int32_t(int32_t)>("load");
  ASSERT_TRUE(load.ok());
  for (int32_t a = 0; a < 65536; a += 4) {
    auto v = load->call(a);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(*v, 0) << a;
  }
  EXPECT_FALSE(load->call(65533).ok());  // past the size: a trap
  EXPECT_FALSE(load->call(65536 * 2).ok());
}

TEST(ReservationPoolApi, CapAndDrain) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::set_memory_reservation_pool_cap(2);
  api::drain_memory_reservation_pool();
  api::Config config;
  config.bounds_checks = api::BoundsChecks::Guard;
  auto engine = api::Engine::create(config);
  ASSERT_TRUE(engine.ok());
  auto module = api::Module::from_wat(*engine, kWat);
  ASSERT_TRUE(module.ok());
  api::Linker linker;
  {
    api::Store store(*engine);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(linker.instantiate(store, *module).ok());
  }
  EXPECT_EQ(hull::reservation_pool_stats().pooled, 2u);
  EXPECT_EQ(api::drain_memory_reservation_pool(), 2u);
  api::set_memory_reservation_pool_cap(0);
  {
    api::Store store(*engine);
    ASSERT_TRUE(linker.instantiate(store, *module).ok());
  }
  EXPECT_EQ(hull::reservation_pool_stats().pooled, 0u);
  api::set_memory_reservation_pool_cap(hull::kDefaultReservationPoolCap);
}

}  // namespace
