// Copy-on-write memory images seen through the C++ API: from a module's second instance on, a
// big constant data segment is mapped from the module's image, and every instance still sees
// exactly what copying the segments gives (overlaps in segment order, per-instance offsets from
// imported globals, dropped active segments), with writes private to each instance; with
// Config::memory_images off, nothing is mapped and the results are the same.
#include <gtest/gtest.h>

#include <string>

#include "hull/hull.hh"
#include "runtime/reservation_pool.h"

namespace api = hull::api;

namespace {

// 70,000 bytes of 'a' at 0 (above the 64 KiB threshold), "bbbbb" at 10 over them, and 3 bytes
// of 'g' at the offset given by the imported global; `load8` reads a byte, `store8` writes one,
// `init` re-applies the (dropped) first segment: it traps unless the length is 0.
std::string image_wat() {
  return R"((module
    (import "env" "at" (global $at i32))
    (memory (export "m") 2)
    (data (i32.const 0) ")" +
         std::string(70000, 'a') + R"(")
    (data (i32.const 10) "bbbbb")
    (data (global.get $at) "ggg")
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "init") (param i32) (memory.init 0 (i32.const 0) (i32.const 0) (local.get 0)))))";
}

struct Loaded {
  api::Engine engine;
  api::Module module;
};

std::optional<Loaded> load(bool images) {
  api::Config config;
  config.memory_images = images;
  config.bounds_checks = api::BoundsChecks::Guard;
  auto engine = api::Engine::create(config);
  EXPECT_TRUE(engine.ok()) << engine.error().message;
  if (!engine.ok()) return std::nullopt;
  auto module = api::Module::from_wat(*engine, image_wat());
  EXPECT_TRUE(module.ok()) << module.error().message;
  if (!module.ok()) return std::nullopt;
  return Loaded{*engine, *module};
}

// Instantiates with the global at `at`, checks every byte the segments define and a byte past
// them, dirties the memory (which the next instance must not see), and checks the dropped
// segment.
void check_instance(const Loaded& l, int32_t at) {
  api::Store store(l.engine);
  auto g = api::Global::create(store, api::GlobalType{api::ValType::I32, false}, api::Val(at));
  ASSERT_TRUE(g.ok());
  api::Linker linker;
  linker.define("env", "at", *g);
  auto inst = linker.instantiate(store, l.module);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  auto load8 = inst->typed_func<int32_t(int32_t)>("load8");
  auto store8 = inst->typed_func<void(int32_t, int32_t)>("store8");
  auto init = inst->typed_func<void(int32_t)>("init");
  ASSERT_TRUE(load8.ok() && store8.ok() && init.ok());
  for (int32_t a = 0; a < 70010; ++a) {
    int32_t want = 'a';
    if (a >= 10 && a < 15) want = 'b';
    if (a >= at && a < at + 3) want = 'g';  // the last segment wins
    if (a >= 70000) want = 0;
    auto v = load8->call(a);
    ASSERT_TRUE(v.ok());
    ASSERT_EQ(*v, want) << "address " << a << " (global at " << at << ")";
  }
  for (int32_t a = 0; a < 2 * 65536; a += 97) ASSERT_TRUE(store8->call(a, 0x5A).ok());
  EXPECT_TRUE(init->call(0).ok());
  auto trapped = init->call(1);
  ASSERT_FALSE(trapped.ok());
  ASSERT_TRUE(trapped.error().trap.has_value());
  EXPECT_EQ(trapped.error().trap->code, api::TrapCode::MemoryOutOfBounds);
}

TEST(MemoryImageApi, EveryInstanceSeesTheSegmentsAndWritesStayPrivate) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::set_memory_reservation_pool_cap(64);
  api::drain_memory_reservation_pool();
  auto l = load(true);
  ASSERT_TRUE(l);
  const uint64_t image_reused = hull::reservation_pool_stats().image_reused;
  for (int32_t at : {100, 20, 69990, 100}) check_instance(*l, at);
  // Instances 2..4 used the image; 3 and 4 found it still mapped in the pooled reservation.
  EXPECT_EQ(hull::reservation_pool_stats().image_reused, image_reused + 2);
}

TEST(MemoryImageApi, OffCopiesAndGivesTheSameBytes) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::drain_memory_reservation_pool();
  auto l = load(false);
  ASSERT_TRUE(l);
  const uint64_t image_reused = hull::reservation_pool_stats().image_reused;
  for (int32_t at : {100, 20, 100}) check_instance(*l, at);
  EXPECT_EQ(hull::reservation_pool_stats().image_reused, image_reused);
}

TEST(MemoryImageApi, ModulesTakeTurnsOnPooledReservations) {
  // Two modules with different images alternate on the pool's reservations; each instance
  // sees only its own module's bytes.
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::drain_memory_reservation_pool();
  auto engine = api::Engine::create(api::Config{});
  ASSERT_TRUE(engine.ok());
  auto make = [&](char c) {
    return api::Module::from_wat(*engine, "(module (memory 2) (data (i32.const 4096) \"" +
                                              std::string(65536, c) +
                                              "\") (func (export \"load8\") (param i32) "
                                              "(result i32) (i32.load8_u (local.get 0))))");
  };
  auto x = make('x'), y = make('y');
  ASSERT_TRUE(x.ok() && y.ok());
  for (int round = 0; round < 6; ++round) {
    const api::Module& m = round % 2 ? *y : *x;
    const int32_t want = round % 2 ? 'y' : 'x';
    api::Store store(*engine);
    auto inst = api::Linker().instantiate(store, m);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    auto load8 = inst->typed_func<int32_t(int32_t)>("load8");
    ASSERT_TRUE(load8.ok());
    for (int32_t a : {0, 4095, 4096, 40000, 69631, 69632, 131071}) {
      auto v = load8->call(a);
      ASSERT_TRUE(v.ok());
      EXPECT_EQ(*v, a >= 4096 && a < 69632 ? want : 0) << "round " << round << " address " << a;
    }
  }
}

}  // namespace
