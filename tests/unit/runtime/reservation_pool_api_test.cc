// The reservation pool seen through the C++ API: a store's guarded memory goes back to the pool
// when the store is deleted, and the next instance gets it zeroed and still bounded; the API's
// cap and drain reach the runtime's pool.
#include <gtest/gtest.h>

#include "guarded_api.h"
#include "hull/hull.hh"
#include "runtime/reservation_pool.h"

namespace api = hull::api;

namespace {

using hull::test::load_store_module;

TEST(ReservationPoolApi, NextInstanceSeesAZeroedBoundedMemory) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::set_memory_reservation_pool_cap(64);
  api::drain_memory_reservation_pool();
  auto setup = load_store_module(api::BoundsChecks::Guard);
  ASSERT_TRUE(setup);
  api::Linker linker;
  {
    api::Store store(setup->engine);
    auto inst = linker.instantiate(store, setup->module);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    auto st = inst->typed_func<void(int32_t, int32_t)>("store");
    ASSERT_TRUE(st.ok());
    for (int32_t a = 0; a < 65536; a += 4) ASSERT_TRUE(st->call(a, -1).ok());
  }
  EXPECT_EQ(hull::reservation_pool_stats().pooled, 1u);
  const uint64_t reused = hull::reservation_pool_stats().reused;
  api::Store store(setup->engine);
  auto inst = linker.instantiate(store, setup->module);
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
  auto setup = load_store_module(api::BoundsChecks::Guard);
  ASSERT_TRUE(setup);
  api::Linker linker;
  {
    api::Store store(setup->engine);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(linker.instantiate(store, setup->module).ok());
  }
  EXPECT_EQ(hull::reservation_pool_stats().pooled, 2u);
  EXPECT_EQ(api::drain_memory_reservation_pool(), 2u);
  api::set_memory_reservation_pool_cap(0);
  {
    api::Store store(setup->engine);
    ASSERT_TRUE(linker.instantiate(store, setup->module).ok());
  }
  EXPECT_EQ(hull::reservation_pool_stats().pooled, 0u);
  api::set_memory_reservation_pool_cap(hull::kDefaultReservationPoolCap);
}

}  // namespace
