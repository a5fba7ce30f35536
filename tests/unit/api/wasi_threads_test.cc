// wasi-threads through the public C++ API (WasiConfig::threads): the guest spawns threads with
// wasi::thread-spawn, each running `wasi_thread_start` in its own store on its own OS thread
// over the embedder's SharedMemory. A counter program gets the exact total; a trap or
// proc_exit in a spawned thread ends the main thread's call, and the store says how; spawn
// failures are negated errnos; destroying the store stops threads still running.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

// The guest. Mode word at 8 picks what spawned threads do: 0 add 1 to the counter at 0
// kIterations times, then count themselves done at 4 and notify; 1 trap; 2 proc_exit(7);
// 3 spin until stopped.
constexpr const char* kProgram = R"((module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (func $spawn_n (param $n i32) (result i32) (local $tid i32)
    (loop $more
      (local.set $tid (call $spawn (local.get $n)))
      (if (i32.le_s (local.get $tid) (i32.const 0)) (then (return (local.get $tid))))
      (br_if $more (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $tid))
  (func $wait_forever
    (loop $again
      (drop (memory.atomic.wait32 (i32.const 12) (i32.const 0) (i64.const -1)))
      (br $again)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32) (local $i i32)
    (block $count
      (block $spin
        (block $exit
          (block $trap
            (br_table $count $trap $exit $spin (i32.atomic.load (i32.const 8))))
          unreachable)
        (call $proc_exit (i32.const 7)))
      (loop $forever (br $forever)))
    (loop $add
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (br_if $add (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                            (i32.const 50000))))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))
  ;; Spawns `n` threads in `mode`; returns the counter once all are done (mode 0), else waits
  ;; for ever. A failed spawn's result is returned as is.
  (func (export "run") (param $mode i32) (param $n i32) (result i32) (local $r i32) (local $done i32)
    (i32.atomic.store (i32.const 8) (local.get $mode))
    (local.set $r (call $spawn_n (local.get $n)))
    (if (i32.le_s (local.get $r) (i32.const 0)) (then (return (local.get $r))))
    (if (local.get $mode) (then (call $wait_forever)))
    (loop $wait
      (local.set $done (i32.atomic.load (i32.const 4)))
      (if (i32.lt_u (local.get $done) (local.get $n))
        (then
          (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1)))
          (br $wait))))
    (i32.atomic.load (i32.const 0))))
)";

api::MemoryType shared_type() {
  api::MemoryType t;
  t.limits.min = 1;
  t.limits.max = 1;
  t.limits.shared = true;
  return t;
}

api::Engine threads_engine() {
  api::Config config;
  config.epoch_interruption = true;
  return *api::Engine::create(config);
}

// One program: its store, with WASI (threads on) and the shared memory defined.
struct Program {
  api::Engine engine = threads_engine();
  api::Store store{engine};
  api::Instance instance;
  std::string error;

  explicit Program(const char* wat = kProgram) {
    if (!api::wasi_available()) return;
    auto module = api::Module::from_wat(engine, wat);
    if (!module) {
      error = module.error().to_string();
      return;
    }
    auto mem = api::SharedMemory::create(engine, shared_type());
    api::Linker linker;
    api::WasiConfig wasi;
    wasi.args = {"threads"};
    wasi.threads = true;
    if (auto r = linker.define_wasi(store, wasi); !r) {
      error = r.error().to_string();
      return;
    }
    linker.define("env", "memory", mem->in(store));
    auto inst = linker.instantiate(store, *module);
    if (!inst) {
      error = inst.error().to_string();
      return;
    }
    instance = *inst;
  }
  api::Result<int32_t> run(int32_t mode, int32_t n) {
    auto f = instance.typed_func<int32_t(int32_t, int32_t)>("run");
    if (!f) return f.error();
    return (*f)(mode, n);
  }
};

// The i32 a `() -> i32` export returns, or `fallback` when the call fails.
template <class F>
int32_t result_or(F& f, int32_t fallback) {
  auto r = (*f)();
  return r.ok() ? *r : fallback;
}

#define REQUIRE_WASI() \
  if (!api::wasi_available()) GTEST_SKIP() << "libhull built without WASI"

TEST(ApiWasiThreads, CounterFromEightThreads) {
  REQUIRE_WASI();
  Program p;
  ASSERT_TRUE(p.error.empty()) << p.error;
  auto r = p.run(0, 8);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, 8 * 50000);
  EXPECT_FALSE(p.store.wasi_thread_trap().has_value());
  EXPECT_FALSE(p.store.wasi_exit_code().has_value());
}

TEST(ApiWasiThreads, TrapInThreadEndsTheMainCall) {
  REQUIRE_WASI();
  Program p;
  ASSERT_TRUE(p.error.empty()) << p.error;
  auto r = p.run(1, 1);
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap()) << r.error().to_string();
  EXPECT_EQ(r.error().trap->code, api::TrapCode::Interrupted);
  auto trap = p.store.wasi_thread_trap();
  ASSERT_TRUE(trap.has_value());
  EXPECT_EQ(trap->code, api::TrapCode::Unreachable);
  EXPECT_FALSE(p.store.wasi_exit_code().has_value());
}

TEST(ApiWasiThreads, ProcExitInThreadEndsTheMainCall) {
  REQUIRE_WASI();
  Program p;
  ASSERT_TRUE(p.error.empty()) << p.error;
  auto r = p.run(2, 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(p.store.wasi_exit_code(), 7u);
  EXPECT_FALSE(p.store.wasi_thread_trap().has_value());
}

TEST(ApiWasiThreads, DestroyingTheStoreStopsRunningThreads) {
  REQUIRE_WASI();
  for (int i = 0; i < 5; ++i) {
    auto p = std::make_unique<Program>(R"((module
      (import "env" "memory" (memory 1 1 shared))
      (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
      (func (export "wasi_thread_start") (param i32 i32) (loop $forever (br $forever)))
      (func (export "spawn") (result i32) (call $spawn (i32.const 0)))))");
    ASSERT_TRUE(p->error.empty()) << p->error;
    auto spawn = p->instance.typed_func<int32_t()>("spawn");
    ASSERT_TRUE(spawn.ok());
    EXPECT_EQ(result_or(spawn, -1), 1);
    EXPECT_EQ(result_or(spawn, -1), 2);
    p.reset();  // the spinning threads trap ("interrupt") at their next loop header
  }
  // Give the threads time to notice; under ASan a use of the destroyed store would show.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

TEST(ApiWasiThreads, SpawnFailuresAreNegatedErrnos) {
  REQUIRE_WASI();
  // No wasi_thread_start export.
  Program no_entry(R"((module
    (import "env" "memory" (memory 1 1 shared))
    (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
    (func (export "spawn") (result i32) (call $spawn (i32.const 0)))))");
  ASSERT_TRUE(no_entry.error.empty()) << no_entry.error;
  auto f = no_entry.instance.typed_func<int32_t()>("spawn");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(result_or(f, 0), -28);
  // An entry point of the wrong type.
  Program wrong_type(R"((module
    (import "env" "memory" (memory 1 1 shared))
    (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
    (func (export "wasi_thread_start") (param i32))
    (func (export "spawn") (result i32) (call $spawn (i32.const 0)))))");
  ASSERT_TRUE(wrong_type.error.empty()) << wrong_type.error;
  f = wrong_type.instance.typed_func<int32_t()>("spawn");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(result_or(f, 0), -28);
  // An import a spawned thread cannot get (only WASI and the shared memory are passed on).
  api::Engine engine = threads_engine();
  api::Store store(engine);
  auto module = api::Module::from_wat(engine, R"((module
    (import "env" "memory" (memory 1 1 shared))
    (import "env" "host" (func $host))
    (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
    (func (export "wasi_thread_start") (param i32 i32) (call $host))
    (func (export "spawn") (result i32) (call $spawn (i32.const 0)))))");
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  auto mem = api::SharedMemory::create(engine, shared_type());
  api::Linker linker;
  api::WasiConfig wasi;
  wasi.threads = true;
  ASSERT_TRUE(linker.define_wasi(store, wasi).ok());
  linker.define("env", "memory", mem->in(store));
  linker.func("env", "host", [] {});
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  f = inst->typed_func<int32_t()>("spawn");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(result_or(f, 0), -28);
}

TEST(ApiWasiThreads, NeedsEpochInterruption) {
  REQUIRE_WASI();
  api::Engine engine;  // no epoch_interruption
  api::Store store(engine);
  api::Linker linker;
  api::WasiConfig wasi;
  wasi.threads = true;
  auto r = linker.define_wasi(store, wasi);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Usage);
  EXPECT_NE(r.error().message.find("Config::epoch_interruption"), std::string::npos)
      << r.error().message;
}

}  // namespace
