// The threads proposal through the public C++ API: one SharedMemory imported by instances in
// two stores, each store driven by its own std::thread. Atomic read-modify-writes from both
// threads lose no update, and memory.atomic.wait / notify hand a token back and forth between
// the threads. Also the traps and validation errors of atomic code, each with its exact text.
// Every wait in these modules has a timeout, so a lost wake-up fails a test instead of hanging.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

api::MemoryType shared_type(uint64_t min, uint64_t max) {
  api::MemoryType t;
  t.limits.min = min;
  t.limits.max = max;
  t.limits.shared = true;
  return t;
}

// Instantiates `module` in `store` with "env" "memory" = `mem`.
api::Result<api::Instance> instantiate(api::Store& store, const api::Module& module,
                                       const api::SharedMemory& mem) {
  api::Linker linker;
  linker.define("env", "memory", mem.in(store));
  return linker.instantiate(store, module);
}

// (a) Two threads each add 1 to one counter N times with i32.atomic.rmw.add: exactly 2N.
TEST(ApiThreads, AtomicCounterFromTwoThreads) {
  api::Engine engine;
  auto module = api::Module::from_wat(engine, R"((module
    (import "env" "memory" (memory 1 1 shared))
    (func (export "count") (param $n i32)
      (loop $again
        (drop (i32.atomic.rmw.add (i32.const 64) (i32.const 1)))
        (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))))");
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  auto mem = api::SharedMemory::create(engine, shared_type(1, 1));
  ASSERT_TRUE(mem.ok()) << mem.error().to_string();

  constexpr int32_t kN = 200000;
  std::atomic<int> ready{0};
  std::vector<std::string> errors(2);
  auto worker = [&](int id) {
    api::Store store(engine);
    auto inst = instantiate(store, *module, *mem);
    if (!inst) {
      errors[id] = inst.error().to_string();
      ready.fetch_add(1);
      return;
    }
    auto count = inst->typed_func<void(int32_t)>("count");
    // Start together, so that the two loops really overlap.
    ready.fetch_add(1);
    while (ready.load() < 2) std::this_thread::yield();
    auto r = count->call(kN);
    if (!r) errors[id] = r.error().to_string();
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  int32_t total;
  std::memcpy(&total, mem->data() + 64, 4);
  EXPECT_EQ(total, 2 * kN);
}

// (b) Ping-pong: the cell at 0 holds whose turn it is (0: ping, 1: pong). Each side waits
// while it is the other's turn, takes its turn, hands the turn over and notifies. Each wait
// times out after 5 s (the function then returns -1), so a lost wake-up fails instead of hangs.
TEST(ApiThreads, WaitNotifyPingPong) {
  api::Engine engine;
  auto module = api::Module::from_wat(engine, R"((module
    (import "env" "memory" (memory 1 1 shared))
    ;; Plays `rounds` turns as `me` (0 or 1); returns the number of turns played, or -1 when
    ;; a wait timed out.
    (func (export "play") (param $me i32) (param $rounds i32) (result i32)
      (local $played i32)
      (block $done
        (loop $turn
          (br_if $done (i32.eq (local.get $played) (local.get $rounds)))
          ;; Wait until it is my turn.
          (block $mine
            (loop $wait
              (br_if $mine (i32.eq (i32.atomic.load (i32.const 0)) (local.get $me)))
              ;; 1 (not-equal) means the turn already changed: look again.
              (if (i32.eq (memory.atomic.wait32 (i32.const 0) (i32.sub (i32.const 1) (local.get $me))
                                                (i64.const 5000000000))
                          (i32.const 2))
                (then (return (i32.const -1))))
              (br $wait)))
          ;; My turn: count it in my cell, hand the turn over, wake the other side.
          (drop (i32.atomic.rmw.add (i32.add (i32.const 8) (i32.shl (local.get $me) (i32.const 2)))
                                    (i32.const 1)))
          (i32.atomic.store (i32.const 0) (i32.sub (i32.const 1) (local.get $me)))
          (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
          (local.set $played (i32.add (local.get $played) (i32.const 1)))
          (br $turn)))
      (local.get $played))))");
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  auto mem = api::SharedMemory::create(engine, shared_type(1, 1));
  ASSERT_TRUE(mem.ok()) << mem.error().to_string();

  constexpr int32_t kRounds = 2000;
  int32_t played[2] = {0, 0};
  std::vector<std::string> errors(2);
  auto worker = [&](int id) {
    api::Store store(engine);
    auto inst = instantiate(store, *module, *mem);
    if (!inst) {
      errors[id] = inst.error().to_string();
      return;
    }
    auto play = inst->typed_func<int32_t(int32_t, int32_t)>("play");
    auto r = play->call(id, kRounds);
    if (!r) {
      errors[id] = r.error().to_string();
      return;
    }
    played[id] = *r;
  };
  std::thread ping(worker, 0), pong(worker, 1);
  ping.join();
  pong.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(played[0], kRounds);
  EXPECT_EQ(played[1], kRounds);
  int32_t cells[3];
  std::memcpy(cells, mem->data(), 4);
  std::memcpy(cells + 1, mem->data() + 8, 8);
  EXPECT_EQ(cells[0], 0);  // after 2 x kRounds hand-overs the turn is ping's again
  EXPECT_EQ(cells[1], kRounds);
  EXPECT_EQ(cells[2], kRounds);
}

// One thread grows the memory and then releases another, which is already running and then
// uses the new page with plain loads and stores: with guard pages and with explicit bounds
// checks (where the accesses must not rely on a size cached before the growth).
TEST(ApiThreads, GrowthOnOneThreadIsUsableOnAnother) {
  for (auto checks : {api::BoundsChecks::Default, api::BoundsChecks::Explicit}) {
    api::Config config;
    config.bounds_checks = checks;
    auto engine = api::Engine::create(config);
    ASSERT_TRUE(engine.ok()) << engine.error().to_string();
    auto module = api::Module::from_wat(*engine, R"((module
      (import "env" "memory" (memory 1 2 shared))
      ;; Waits (5 s at most) until the flag at 0 is set, then stores to and loads from page 2.
      (func (export "use_new_page") (result i32)
        (block $set
          (loop $wait
            (br_if $set (i32.atomic.load (i32.const 0)))
            (br_if $wait (i32.ne (memory.atomic.wait32 (i32.const 0) (i32.const 0)
                                                       (i64.const 5000000000))
                                 (i32.const 2)))
            (return (i32.const -1))))
        (i32.store (i32.const 65540) (i32.const 1234))
        (i32.load (i32.const 65540)))
      (func (export "grow_and_release") (result i32)
        (local $old i32)
        (local.set $old (memory.grow (i32.const 1)))
        (i32.atomic.store (i32.const 0) (i32.const 1))
        (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
        (local.get $old))))");
    ASSERT_TRUE(module.ok()) << module.error().to_string();
    auto mem = api::SharedMemory::create(*engine, shared_type(1, 2));
    ASSERT_TRUE(mem.ok()) << mem.error().to_string();
    int32_t used = 0;
    std::string error;
    std::thread user([&] {
      api::Store store(*engine);
      auto inst = instantiate(store, *module, *mem);
      if (!inst) {
        error = inst.error().to_string();
        return;
      }
      auto r = inst->typed_func<int32_t()>("use_new_page")->call();
      if (!r) {
        error = r.error().to_string();
        return;
      }
      used = *r;
    });
    api::Store store(*engine);
    auto inst = instantiate(store, *module, *mem);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the user start waiting
    EXPECT_EQ(*inst->typed_func<int32_t()>("grow_and_release")->call(), 1);
    user.join();
    EXPECT_EQ(error, "");
    EXPECT_EQ(used, 1234);
  }
}

// A memory exported by an instance in one store, imported in another: one set of bytes.
TEST(ApiThreads, ExportedSharedMemoryIntoAnotherStore) {
  api::Engine engine;
  auto owner_module = api::Module::from_wat(
      engine, "(module (memory (export \"memory\") 1 2 shared) (data (i32.const 4) \"\\2a\"))");
  ASSERT_TRUE(owner_module.ok()) << owner_module.error().to_string();
  auto user_module = api::Module::from_wat(engine, R"((module
    (import "env" "memory" (memory 1 2 shared))
    (func (export "get") (result i32) (i32.atomic.load8_u (i32.const 4)))
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    (func (export "size") (result i32) (memory.size))))");
  ASSERT_TRUE(user_module.ok()) << user_module.error().to_string();

  std::optional<api::SharedMemory> shared;
  {
    api::Store owner(engine);
    api::Linker linker;
    auto inst = linker.instantiate(owner, *owner_module);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    shared = api::SharedMemory::from(*inst->get_memory("memory"));
    ASSERT_TRUE(shared.has_value());
  }  // the owner store is gone; the memory lives on in `shared`

  api::Store user(engine);
  auto inst = instantiate(user, *user_module, *shared);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ(*inst->typed_func<int32_t()>("get")->call(), 42);
  uint8_t* before = shared->data();
  EXPECT_EQ(*inst->typed_func<int32_t()>("grow")->call(), 1);
  EXPECT_EQ(shared->pages(), 2u);
  EXPECT_EQ(shared->data(), before);  // never moves
  EXPECT_EQ(*inst->typed_func<int32_t()>("size")->call(), 2);
  EXPECT_EQ(*inst->typed_func<int32_t()>("grow")->call(), -1);  // past the maximum
  // An unshared memory has no SharedMemory.
  auto plain = api::Memory::create(user, api::MemoryType{{1, 1, false, false}});
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(api::SharedMemory::from(*plain).has_value());
}

TEST(ApiThreads, SharedMemoryCreateErrors) {
  api::Engine engine;
  auto unshared = api::SharedMemory::create(engine, api::MemoryType{{1, 2, false, false}});
  ASSERT_FALSE(unshared.ok());
  EXPECT_EQ(unshared.error().kind, api::ErrorKind::Usage);
  EXPECT_EQ(unshared.error().message, "SharedMemory::create needs a shared memory type");
  api::MemoryType no_max;
  no_max.limits.min = 1;
  no_max.limits.shared = true;
  auto r = api::SharedMemory::create(engine, no_max);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "shared memory must have maximum");
}

// Import matching: sharedness must be equal.
TEST(ApiThreads, ImportSharednessMustMatch) {
  api::Engine engine;
  auto wants_shared =
      api::Module::from_wat(engine, "(module (import \"env\" \"memory\" (memory 1 1 shared)))");
  ASSERT_TRUE(wants_shared.ok());
  api::Store store(engine);
  auto plain = api::Memory::create(store, api::MemoryType{{1, 1, false, false}});
  ASSERT_TRUE(plain.ok());
  std::vector<api::Extern> imports{*plain};
  auto r = api::Instance::create(store, *wants_shared, imports);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Unlinkable);
  EXPECT_EQ(r.error().message.rfind("incompatible import type", 0), 0u) << r.error().message;
}

api::Result<std::vector<api::Val>> run(const char* wat, std::string_view export_name,
                                       std::vector<api::Val> args) {
  api::Engine engine;
  auto m = api::Module::from_wat(engine, wat);
  if (!m) return std::move(m).error();
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, *m);
  if (!inst) return std::move(inst).error();
  return inst->get_func(export_name)->call(args);
}

TEST(ApiThreads, TrapUnalignedAtomic) {
  const char* wat = R"((module (memory 1 1 shared)
    (func (export "load") (param i32) (result i64) (i64.atomic.load (local.get 0)))
    (func (export "rmw16") (param i32) (result i32)
      (i32.atomic.rmw16.cmpxchg_u offset=1 (local.get 0) (i32.const 0) (i32.const 1)))))";
  auto r = run(wat, "load", {api::Val(int32_t(4))});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().trap.has_value());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::UnalignedAtomic);
  EXPECT_EQ(r.error().trap->message, "unaligned atomic");
  EXPECT_TRUE(run(wat, "load", {api::Val(int32_t(8))}).ok());
  // The offset counts: 1 + 1 is aligned for a 16-bit access, 1 + 2 is not.
  EXPECT_TRUE(run(wat, "rmw16", {api::Val(int32_t(1))}).ok());
  r = run(wat, "rmw16", {api::Val(int32_t(2))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap->message, "unaligned atomic");
  // Aligned but out of bounds: the usual trap. Both: unaligned (checked first, as the
  // reference interpreter does).
  r = run(wat, "load", {api::Val(int32_t(65536))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::MemoryOutOfBounds);
  EXPECT_EQ(r.error().trap->message, "out of bounds memory access");
  r = run(wat, "load", {api::Val(int32_t(65535))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap->message, "unaligned atomic");
}

TEST(ApiThreads, WaitOnUnsharedMemoryTraps) {
  const char* wat = R"((module (memory 1 1)
    (func (export "wait") (result i32)
      (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
    (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1)))))";
  auto r = run(wat, "wait", {});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().trap.has_value());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::ExpectedSharedMemory);
  EXPECT_EQ(r.error().trap->message, "expected shared memory");
  auto n = run(wat, "notify", {});
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ((*n)[0].i32(), 0);  // nobody can wait there
}

TEST(ApiThreads, WaitResults) {
  const char* wat = R"((module (memory 1 1 shared)
    (func (export "wait32") (param i32 i64) (result i32)
      (memory.atomic.wait32 (i32.const 0) (local.get 0) (local.get 1)))
    (func (export "wait64") (param i64 i64) (result i32)
      (memory.atomic.wait64 (i32.const 8) (local.get 0) (local.get 1)))))";
  // The cells hold 0: another expected value is "not-equal" (1), a match times out (2).
  auto r = run(wat, "wait32", {api::Val(int32_t(7)), api::Val(int64_t(-1))});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32(), 1);
  r = run(wat, "wait32", {api::Val(int32_t(0)), api::Val(int64_t(1000000))});  // 1 ms
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32(), 2);
  r = run(wat, "wait64", {api::Val(int64_t(0)), api::Val(int64_t(0))});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32(), 2);
  r = run(wat, "wait64", {api::Val(int64_t(1) << 40), api::Val(int64_t(0))});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32(), 1);
}

// A wait without a timeout in a store with a deadline ends at the deadline with "interrupt",
// like any other guest code past it, instead of blocking the thread for ever.
TEST(ApiThreads, WaitEndsAtTheStoreDeadline) {
  api::Config config;
  config.epoch_interruption = true;
  auto engine = api::Engine::create(config);
  ASSERT_TRUE(engine.ok()) << engine.error().to_string();
  auto m = api::Module::from_wat(*engine, R"((module (memory 1 1 shared)
    (func (export "wait_forever") (result i32)
      (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Store store(*engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  ASSERT_TRUE(store.set_deadline(std::chrono::milliseconds(50)).ok());
  const auto start = std::chrono::steady_clock::now();
  auto r = inst->typed_func<int32_t()>("wait_forever")->call();
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().trap.has_value());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::Interrupted);
  EXPECT_EQ(r.error().trap->message, "interrupt");
  EXPECT_GE(waited, std::chrono::milliseconds(40));
  EXPECT_LT(waited, std::chrono::seconds(5));
}

// Validation errors of the proposal, each with its exact message.
TEST(ApiThreads, ValidationMessages) {
  api::Engine engine;
  auto invalid = [&](const char* wat) {
    auto m = api::Module::from_wat(engine, wat);
    EXPECT_FALSE(m.ok()) << wat;
    if (m.ok()) return std::string();
    EXPECT_EQ(m.error().kind, api::ErrorKind::Invalid) << m.error().to_string();
    return m.error().message;
  };
  EXPECT_EQ(invalid("(module (memory 1 shared))").rfind("shared memory must have maximum", 0), 0u);
  EXPECT_EQ(invalid("(module (memory 1 1 shared) (func (result i32) "
                    "(i32.atomic.load align=2 (i32.const 0))))")
                .rfind("atomic alignment must be natural", 0),
            0u);
  // Smaller than natural is fine for plain loads, not for atomics.
  EXPECT_EQ(invalid("(module (memory 1 1 shared) (func (result i64) "
                    "(i64.atomic.rmw32.add_u align=2 (i32.const 0) (i64.const 1)) drop "
                    "(i64.atomic.load align=4 (i32.const 0))))")
                .rfind("atomic alignment must be natural", 0),
            0u);
  EXPECT_EQ(invalid("(module (func (drop (memory.atomic.notify (i32.const 0) (i32.const 0)))))")
                .rfind("unknown memory", 0),
            0u);
  EXPECT_EQ(invalid("(module (memory 1 1 shared) (func (result i32) "
                    "(i32.atomic.rmw.add (i32.const 0) (i64.const 1))))")
                .rfind("type mismatch", 0),
            0u);
}

}  // namespace
