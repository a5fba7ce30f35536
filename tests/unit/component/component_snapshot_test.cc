// InstanceSnapshot (include/hull/component_snapshot.hh): a component instance reset to its
// snapshot behaves as a fresh one -- its memory, globals and handle table, and those of the
// components it instantiated -- and what cannot be reset is refused with the reason.
#include "hull/component_snapshot.hh"

#include <gtest/gtest.h>

#include <string>

#include "hull/component.hh"
#include "text/component.h"

namespace {

namespace ac = hull::api::component;
using hull::api::Config;
using hull::api::Engine;
using hull::api::ErrorKind;
using hull::api::Store;

hull::api::Result<ac::Component> compile(const Engine& engine, const std::string& text) {
  auto bytes = hull::text::component_to_binary(text);
  if (!bytes) return hull::api::Error(ErrorKind::Malformed, bytes.error().to_string());
  return ac::Component::compile(engine, *bytes);
}

// keep() makes a handle of the component's own resource and keeps it (its index comes back) and
// counts its calls in memory (count() reads it); the nested component's bump() counts in a
// global and ikeep() keeps a handle of the nested component's resource.
const char* kStateful = R"((component
  (component $inner
    (type $ir (resource (rep i32)))
    (core func $inew (canon resource.new $ir))
    (core module $im
      (import "c" "new" (func $new (param i32) (result i32)))
      (global $n (mut i32) (i32.const 0))
      (func (export "bump") (result i32)
        (global.set $n (i32.add (global.get $n) (i32.const 1)))
        (global.get $n))
      (func (export "ikeep") (result i32) (call $new (i32.const 5))))
    (core instance $ii (instantiate $im (with "c" (instance (export "new" (func $inew))))))
    (func (export "bump") (result u32) (canon lift (core func $ii "bump")))
    (func (export "ikeep") (result u32) (canon lift (core func $ii "ikeep"))))
  (instance $in (instantiate $inner))
  (type $r (resource (rep i32)))
  (core func $new (canon resource.new $r))
  (core module $m
    (import "c" "new" (func $new (param i32) (result i32)))
    (memory (export "mem") 1)
    (func (export "keep") (result i32)
      (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (i32.const 1)))
      (call $new (i32.const 42)))
    (func (export "count") (result i32) (i32.load (i32.const 0))))
  (core instance $i (instantiate $m (with "c" (instance (export "new" (func $new))))))
  (func (export "keep") (result u32) (canon lift (core func $i "keep")))
  (func (export "count") (result u32) (canon lift (core func $i "count")))
  (alias export $in "bump" (func $bump))
  (alias export $in "ikeep" (func $ikeep))
  (export "bump" (func $bump))
  (export "ikeep" (func $ikeep))
))";

uint32_t call_u32(const ac::Instance& inst, const char* name) {
  auto r = inst.get_func(name)->call({});
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().to_string());
  return r.ok() && !r->empty() ? static_cast<uint32_t>((*r)[0].as_u64()) : UINT32_MAX;
}

TEST(InstanceSnapshot, ResetsMemoryGlobalsAndHandleTables) {
  Engine engine;
  auto c = compile(engine, kStateful);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ac::Linker linker(engine);
  auto pre = linker.instantiate_pre(*c);
  ASSERT_TRUE(pre.ok()) << pre.error().to_string();
  Store store(engine);
  auto inst = pre->instantiate(store);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto snap = ac::InstanceSnapshot::take(store, *inst);
  ASSERT_TRUE(snap.ok()) << snap.error().to_string();
  // What a fresh instance answers, and what a used one answers without a reset.
  const uint32_t first_handle = call_u32(*inst, "keep");
  EXPECT_EQ(call_u32(*inst, "count"), 1u);
  const uint32_t first_inner_handle = call_u32(*inst, "ikeep");
  EXPECT_EQ(call_u32(*inst, "bump"), 1u);
  EXPECT_NE(call_u32(*inst, "keep"), first_handle);
  EXPECT_EQ(call_u32(*inst, "count"), 2u);
  EXPECT_NE(call_u32(*inst, "ikeep"), first_inner_handle);
  EXPECT_EQ(call_u32(*inst, "bump"), 2u);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto r = snap->restore(store);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(call_u32(*inst, "count"), 0u);
    EXPECT_EQ(call_u32(*inst, "keep"), first_handle);  // the table is empty again
    EXPECT_EQ(call_u32(*inst, "count"), 1u);
    EXPECT_EQ(call_u32(*inst, "ikeep"), first_inner_handle);  // the nested one's too
    EXPECT_EQ(call_u32(*inst, "bump"), 1u);
    EXPECT_EQ(call_u32(*inst, "bump"), 2u);
  }
}

TEST(InstanceSnapshot, RefusesWhatItCannotReset) {
  Engine engine;
  auto c = compile(engine, kStateful);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ac::Linker linker(engine);
  Store store(engine), other(engine);
  auto inst = linker.instantiate(store, *c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  // Only a component's root instance.
  auto none = ac::InstanceSnapshot::take(store, ac::Instance{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().kind, ErrorKind::Usage);
  EXPECT_NE(none.error().message.find("root instance"), std::string::npos) << none.error().message;
  // Of the store it lives in.
  auto wrong = ac::InstanceSnapshot::take(other, *inst);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("another store"), std::string::npos)
      << wrong.error().message;
  // Before its handle table has anything in it.
  call_u32(*inst, "keep");
  auto used = ac::InstanceSnapshot::take(store, *inst);
  ASSERT_FALSE(used.ok());
  EXPECT_NE(used.error().message.find("handle table"), std::string::npos) << used.error().message;
}

TEST(InstanceSnapshot, RefusesTheAsyncBuiltins) {
  Config config;
  config.component_model_async = true;
  Engine engine = *Engine::create(config);
  auto c = compile(engine, R"((component
    (type $ST (stream u32))
    (canon stream.new $ST (core func $new))
    (core module $m (import "" "new" (func (result i64))) (func (export "f")))
    (core instance $i (instantiate $m (with "" (instance (export "new" (func $new))))))
    (func (export "f") (canon lift (core func $i "f")))))");
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  ac::Linker linker(engine);
  Store store(engine);
  auto inst = linker.instantiate(store, *c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto snap = ac::InstanceSnapshot::take(store, *inst);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().kind, ErrorKind::Usage);
  EXPECT_NE(snap.error().message.find("async"), std::string::npos) << snap.error().message;
}

}  // namespace
