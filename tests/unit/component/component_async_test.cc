// Component-model async at runtime (src/component/runtime/async.h): the feature switch, stream
// copy statuses, task.return checks, the callback event loop and the traps that replace
// blocking where nothing could ever wake the waiter.
#include <gtest/gtest.h>

#include <string>

#include "hull/component.hh"
#include "text/component.h"

namespace {

namespace ac = hull::api::component;
using hull::api::Config;
using hull::api::Engine;
using hull::api::Store;

Engine async_engine() {
  Config c;
  c.component_model_async = true;
  return *Engine::create(c);
}

hull::api::Result<ac::Component> compile(const Engine& engine, const std::string& text) {
  auto bytes = hull::text::component_to_binary(text);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().to_string());
  return ac::Component::compile(engine, *bytes);
}

// Instantiates `text` and calls its export `name` with no arguments.
hull::api::Result<std::vector<ac::Val>> run(const std::string& text, const char* name) {
  Engine engine = async_engine();
  auto c = compile(engine, text);
  if (!c) return std::move(c).error();
  Store store(engine);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, *c);
  if (!inst) return std::move(inst).error();
  auto f = inst->get_func(name);
  EXPECT_TRUE(f.has_value());
  return f->call({});
}

std::string trap_message(const hull::api::Result<std::vector<ac::Val>>& r) {
  if (r.ok()) return "(no trap)";
  return r.error().trap ? r.error().trap->message : r.error().to_string();
}

const char* kStreamStatuses = R"((component
  (core module $Memory (memory (export "mem") 1))
  (core instance $memory (instantiate $Memory))
  (type $ST (stream u32))
  (canon stream.new $ST (core func $new))
  (canon stream.read $ST async (memory (core memory $memory "mem")) (core func $read))
  (canon stream.write $ST async (memory (core memory $memory "mem")) (core func $write))
  (canon stream.cancel-write $ST (core func $cancel-write))
  (canon stream.drop-readable $ST (core func $drop-readable))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (result i64)))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "cancel-write" (func $cancel-write (param i32) (result i32)))
    (import "" "drop-readable" (func $drop-readable (param i32)))
    (func (export "run") (result i32)
      (local $ends i64) (local $r i32) (local $w i32)
      (local.set $ends (call $new))
      (local.set $r (i32.wrap_i64 (local.get $ends)))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))))
      (i32.store (i32.const 100) (i32.const 11))
      (i32.store (i32.const 104) (i32.const 22))
      (i32.store (i32.const 108) (i32.const 33))
      ;; nobody reads yet: the write blocks
      (if (i32.ne (call $write (local.get $w) (i32.const 100) (i32.const 3)) (i32.const -1))
        (then unreachable))
      ;; a 2-element read completes at once with 2 elements: COMPLETED | 2 << 4
      (if (i32.ne (call $read (local.get $r) (i32.const 200) (i32.const 2)) (i32.const 32))
        (then unreachable))
      (if (i32.ne (i32.load (i32.const 204)) (i32.const 22)) (then unreachable))
      ;; the writer's partial copy is reported by cancel-write: COMPLETED | 2 << 4
      (if (i32.ne (call $cancel-write (local.get $w)) (i32.const 32)) (then unreachable))
      ;; once the readable end is gone a write reports DROPPED with nothing copied
      (call $drop-readable (local.get $r))
      (if (i32.ne (call $write (local.get $w) (i32.const 100) (i32.const 1)) (i32.const 1))
        (then unreachable))
      (i32.const 42)))
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $memory "mem"))
    (export "new" (func $new)) (export "read" (func $read)) (export "write" (func $write))
    (export "cancel-write" (func $cancel-write)) (export "drop-readable" (func $drop-readable))))))
  (func (export "run") (result u32) (canon lift (core func $m "run")))
))";

TEST(ComponentAsync, OffByDefaultWithTheFeatureName) {
  Engine engine;  // Config::component_model_async is false
  auto c = compile(engine, kStreamStatuses);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("component-model-async"), std::string::npos)
      << c.error().message;
}

TEST(ComponentAsync, StreamCopyStatuses) {
  auto r = run(kStreamStatuses, "run");
  ASSERT_TRUE(r.ok()) << trap_message(r);
  EXPECT_EQ((*r)[0], ac::Val::u32(42));
}

// An async (callback) export: yields once, then returns its value from the callback.
const char* kCallbackLoop = R"((component
  (canon task.return (result u32) (core func $task.return))
  (core module $M
    (import "" "task.return" (func $task.return (param i32)))
    (global $calls (mut i32) (i32.const 0))
    (func (export "run") (result i32) (i32.const 1 (; YIELD ;)))
    (func (export "cb") (param i32 i32 i32) (result i32)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (call $task.return (i32.add (i32.const 100) (global.get $calls)))
      (i32.const 0 (; EXIT ;))))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
  (func (export "run") async (result u32)
    (canon lift (core func $m "run") async (callback (core func $m "cb"))))
))";

TEST(ComponentAsync, CallbackLoopDeliversTheResult) {
  auto r = run(kCallbackLoop, "run");
  ASSERT_TRUE(r.ok()) << trap_message(r);
  EXPECT_EQ((*r)[0], ac::Val::u32(101));
}

TEST(ComponentAsync, TaskReturnTypeMismatchTraps) {
  // The export returns nothing; task.return hands over a u32.
  std::string text = kCallbackLoop;
  text.replace(text.find("async (result u32)"), 18, "async");
  auto r = run(text, "run");
  EXPECT_NE(trap_message(r).find("invalid `task.return` signature"), std::string::npos)
      << trap_message(r);
}

const char* kStackful = R"((component
  (core module $Memory (memory (export "mem") 1))
  (core instance $memory (instantiate $Memory))
  (canon task.return (core func $task.return))
  (canon waitable-set.new (core func $ws.new))
  (canon waitable-set.wait (memory (core memory $memory "mem")) (core func $ws.wait))
  (core module $M
    (import "" "task.return" (func $task.return))
    (import "" "ws.new" (func $ws.new (result i32)))
    (import "" "ws.wait" (func $ws.wait (param i32 i32) (result i32)))
    (func (export "no-return"))
    (func (export "twice") (call $task.return) (call $task.return))
    (func (export "wait-forever") (drop (call $ws.wait (call $ws.new) (i32.const 0))))
    (func (export "sync-wait") (drop (call $ws.wait (call $ws.new) (i32.const 0)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "task.return" (func $task.return))
    (export "ws.new" (func $ws.new)) (export "ws.wait" (func $ws.wait))))))
  (func (export "no-return") async (canon lift (core func $m "no-return") async))
  (func (export "twice") async (canon lift (core func $m "twice") async))
  (func (export "wait-forever") async (canon lift (core func $m "wait-forever") async))
  (func (export "sync-wait") (canon lift (core func $m "sync-wait")))
))";

TEST(ComponentAsync, MissingTaskReturnTraps) {
  auto r = run(kStackful, "no-return");
  EXPECT_NE(trap_message(r).find("failed to produce a result"), std::string::npos)
      << trap_message(r);
}

TEST(ComponentAsync, SecondTaskReturnTraps) {
  auto r = run(kStackful, "twice");
  EXPECT_NE(trap_message(r).find("called more than once"), std::string::npos) << trap_message(r);
}

TEST(ComponentAsync, WaitWithNothingPendingIsADeadlock) {
  auto r = run(kStackful, "wait-forever");
  EXPECT_NE(trap_message(r).find("deadlock detected"), std::string::npos) << trap_message(r);
}

TEST(ComponentAsync, SyncTaskMayNotBlock) {
  auto r = run(kStackful, "sync-wait");
  EXPECT_NE(trap_message(r).find("cannot block a synchronous task"), std::string::npos)
      << trap_message(r);
}

}  // namespace
