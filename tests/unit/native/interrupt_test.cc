// Deadlines of loops that call nothing (runtime/interrupt.h): machine code compiled with epochs
// leaves their check out, and the epoch timer's signal ends them. A loop that calls something
// keeps its check; another store's deadline never ends this store's code.
#include "runtime/interrupt.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "epochs.h"
#include "hull/hull.hh"
#include "hull/native.hh"

namespace {

namespace api = hull::api;
using namespace std::chrono_literals;

constexpr const char* kLoops = R"(
  (module
    (import "host" "noop" (func $noop))
    (memory 1)
    ;; a counter in a register
    (func (export "count") (result i32) (local $i i32)
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l))
      (local.get $i))
    ;; stores into memory every iteration
    (func (export "store") (local $i i32)
      (loop $l
        (i32.store (i32.and (local.get $i) (i32.const 4092)) (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l)))
    ;; a loop inside a loop, each branching back with br_if
    (func (export "nested") (local $i i32) (local $j i32)
      (loop $outer
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (i32.const 1000))))
        (local.set $i (i32.add (local.get $i) (local.get $j)))
        (br_if $outer (i32.const 1))))
    ;; vectors, and a br_table back to the header
    (func (export "simd") (local $v v128) (local $i i32)
      (loop $l
        (local.set $v (i32x4.add (local.get $v) (v128.load (i32.const 16))))
        (v128.store (i32.const 32) (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_table $l $l (i32.and (local.get $i) (i32.const 1)))))
    ;; calls the host every iteration: keeps its check
    (func (export "calling") (loop $l (call $noop) (br $l)))
  )
)";

api::Result<api::Instance> instantiate(api::Store& store, const api::Module& mod) {
  api::Linker linker;
  linker.func("host", "noop", [] {});
  return linker.instantiate(store, mod);
}

// Calls `name` with a deadline 20 ms away; returns its trap (empty if it returned).
std::optional<api::Trap> run_until_deadline(api::Store& store, const api::Instance& inst,
                                            const char* name) {
  EXPECT_TRUE(store.set_deadline(20ms).ok());
  auto f = inst.get_func(name);
  EXPECT_TRUE(f.has_value()) << name;
  if (!f) return std::nullopt;
  std::vector<api::Val> results(f->type().results.size());
  auto r = f->call({}, results);
  if (r.ok()) return std::nullopt;
  EXPECT_TRUE(r.error().is_trap()) << name << ": " << r.error().to_string();
  return r.error().trap;
}

TEST(NativeInterrupt, LoopsThatCallNothingStopAtTheDeadline) {
  hull::native::register_tier();
  for (api::Tier tier : {api::Tier::Interpreter, api::Tier::Native}) {
    api::Engine engine = engine_with_epochs(tier);
    auto mod = api::Module::from_wat(engine, kLoops);
    ASSERT_TRUE(mod.ok()) << mod.error().to_string();
    api::Store store(engine);
    auto inst = instantiate(store, *mod);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    for (const char* name : {"count", "store", "nested", "simd"}) {
      const uint64_t taken_before = hull::interrupts_taken();
      auto trap = run_until_deadline(store, *inst, name);
      ASSERT_TRUE(trap.has_value()) << name << " returned";
      EXPECT_EQ(trap->code, api::TrapCode::Interrupted) << name << ": " << trap->to_string();
      if (tier == api::Tier::Native && hull::async_interrupts_supported()) {
        // The loop checked nothing: the signal ended it, somewhere the trap cannot name.
        EXPECT_EQ(hull::interrupts_taken(), taken_before + 1) << name;
        ASSERT_FALSE(trap->trace.empty()) << name;
        EXPECT_EQ(trap->trace[0].module_offset, 0u) << name;
      } else {
        // The interpreter's loop header checked: the trap names the loop.
        EXPECT_EQ(hull::interrupts_taken(), taken_before) << name;
        ASSERT_FALSE(trap->trace.empty()) << name;
        EXPECT_NE(trap->trace[0].module_offset, 0u) << name;
      }
    }
  }
}

// A loop that calls the host stays checked in machine code: its own check traps, at the loop.
TEST(NativeInterrupt, ALoopThatCallsTheHostKeepsItsCheck) {
  hull::native::register_tier();
  api::Engine engine = engine_with_epochs(api::Tier::Native);
  auto mod = api::Module::from_wat(engine, kLoops);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  api::Store store(engine);
  auto inst = instantiate(store, *mod);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto trap = run_until_deadline(store, *inst, "calling");
  ASSERT_TRUE(trap.has_value());
  EXPECT_EQ(trap->code, api::TrapCode::Interrupted) << trap->to_string();
  ASSERT_FALSE(trap->trace.empty());
  EXPECT_NE(trap->trace[0].module_offset, 0u) << trap->to_string();
}

// Store A's deadline passes while A's host function runs store B's loop (B has no deadline):
// the signals for A land in B's machine code and must leave it alone. B spins until another
// thread sets a flag in its memory 50 ms later (25 ticks); back in A, A's own loop (which calls
// nothing) is interrupted.
TEST(NativeInterrupt, AnotherStoresDeadlineLeavesThisStoreAlone) {
  hull::native::register_tier();
  api::Engine engine = engine_with_epochs(api::Tier::Native);
  auto spinner = api::Module::from_wat(engine, R"(
    (module
      (memory (export "mem") 1)
      (func (export "spin") (result i64) (local $i i64)
        (loop $l
          (local.set $i (i64.add (local.get $i) (i64.const 1)))
          (br_if $l (i32.eqz (i32.load (i32.const 0)))))
        (local.get $i)))
  )");
  ASSERT_TRUE(spinner.ok()) << spinner.error().to_string();
  api::Store store_b(engine);
  auto inst_b = api::Linker().instantiate(store_b, *spinner);
  ASSERT_TRUE(inst_b.ok());
  auto spin = inst_b->typed_func<int64_t()>("spin");
  ASSERT_TRUE(spin.ok());
  auto mem = inst_b->get_memory("mem");
  ASSERT_TRUE(mem.has_value());
  int64_t spun = -1;
  std::string b_error;

  auto outer = api::Module::from_wat(engine, R"(
    (module
      (import "host" "run_b" (func $run_b))
      (func (export "main") (call $run_b) (loop $l (br $l))))
  )");
  ASSERT_TRUE(outer.ok()) << outer.error().to_string();
  api::Store store_a(engine);
  api::Linker linker;
  linker.func("host", "run_b", [&] {
    // The flag's write races with the guest's loads on purpose: machine code reads guarded
    // memory with volatile loads, so the loop sees it.
    std::thread setter([&] {
      std::this_thread::sleep_for(50ms);
      reinterpret_cast<volatile uint32_t*>(mem->data())[0] = 1;
    });
    auto r = spin->call();
    setter.join();
    if (r.ok())
      spun = *r;
    else
      b_error = r.error().to_string();
  });
  auto inst_a = linker.instantiate(store_a, *outer);
  ASSERT_TRUE(inst_a.ok()) << inst_a.error().to_string();
  ASSERT_TRUE(store_a.set_deadline(1ms).ok());
  const uint64_t taken_before = hull::interrupts_taken();
  auto r = inst_a->get_func("main")->call({}, {});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap()) << r.error().to_string();
  EXPECT_EQ(r.error().trap->code, api::TrapCode::Interrupted);
  EXPECT_EQ(b_error, "");
  EXPECT_GT(spun, 0);
  if (hull::async_interrupts_supported()) EXPECT_EQ(hull::interrupts_taken(), taken_before + 1);
}

// Removing a JIT's code from the registry: a range added is found, removed is not.
TEST(NativeInterrupt, TheRegistryForgetsRemovedCode) {
  const uintptr_t a = 0x7000'0000'0000, b = 0x7000'0000'1000;
  EXPECT_FALSE(hull::in_interruptible_code(a + 8));
  hull::add_interruptible_code(a, b);
  EXPECT_TRUE(hull::in_interruptible_code(a));
  EXPECT_TRUE(hull::in_interruptible_code(b - 1));
  EXPECT_FALSE(hull::in_interruptible_code(b));
  hull::remove_interruptible_code(a, b);
  EXPECT_FALSE(hull::in_interruptible_code(a + 8));
}

}  // namespace
