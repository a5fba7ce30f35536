// One Engine, Module and Linker shared by many threads, each thread instantiating and calling
// in Stores of its own. HULL_CONCURRENCY_ITERS sets the cycles per thread (default 10,000);
// run under ASan/LSan it also proves that Stores release everything they allocate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>
#include <vector>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

int iterations() {
  const char* s = std::getenv("HULL_CONCURRENCY_ITERS");
  return s ? std::atoi(s) : 10000;
}

TEST(ApiConcurrency, EightThreadsInstantiateAndCall) {
  api::Engine engine;
  auto module = api::Module::from_wat(engine, R"((module
    (import "env" "add" (func $add (param i32 i32) (result i32)))
    (memory (export "memory") 1)
    (global $calls (mut i32) (i32.const 0))
    (func (export "run") (param i32) (result i32)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (i32.store (i32.const 0) (local.get 0))
      (call $add (i32.load (i32.const 0)) (global.get $calls)))))");
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  api::Linker linker;
  linker.func("env", "add", [](api::Caller& c, int32_t a, int32_t b) {
    // Touch the caller's memory to exercise Caller from many threads.
    return a + b + (*c.memory()->load<int32_t>(0) - a);
  });

  const int iters = iterations();
  constexpr int kThreads = 8;
  std::atomic<int> failures{0};
  std::atomic<int64_t> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      int64_t sum = 0;
      for (int i = 0; i < iters; ++i) {
        api::Store store(engine);  // a fresh tenant per cycle
        auto inst = linker.instantiate(store, *module);
        if (!inst) {
          ++failures;
          continue;
        }
        auto run = inst->typed_func<int32_t(int32_t)>("run");
        auto r = run ? run->call(t) : api::Result<int32_t>(api::Error(api::ErrorKind::Usage, "x"));
        if (!r || *r != t + 1) {
          ++failures;
          continue;
        }
        sum += *r;
      }
      total += sum;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t expected = 0;
  for (int t = 0; t < kThreads; ++t) expected += int64_t(t + 1) * iters;
  EXPECT_EQ(total.load(), expected);
}

TEST(ApiConcurrency, ManyInstancesInOneStorePerThread) {
  api::Engine engine;
  auto module = api::Module::from_wat(engine,
      "(module (func (export \"f\") (param i64) (result i64) (i64.mul (local.get 0) (i64.const 3))))");
  ASSERT_TRUE(module.ok());
  const int iters = std::max(1, iterations() / 10);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      api::Store store(engine);
      api::Linker linker;
      for (int i = 0; i < iters; ++i) {
        auto inst = linker.instantiate(store, *module);
        auto f = inst ? inst->typed_func<int64_t(int64_t)>("f") : api::Error();
        if (!f || *f->call(i) != 3 * int64_t(i)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
