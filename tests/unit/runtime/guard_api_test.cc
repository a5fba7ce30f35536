// The embedding knob for bounds checks: Config::bounds_checks reaches CompileOptions::guard_pages.
#include <gtest/gtest.h>

#include <string>

#include "engine/module.h"
#include "guarded_api.h"
#include "hull/hull.hh"

namespace api = hull::api;

namespace {

using hull::test::load_store_module;

bool compiled_with_guards(api::BoundsChecks mode) {
  auto setup = load_store_module(mode);
  return setup && setup->module.compiled()->options.guard_pages;
}

TEST(GuardApi, ConfigSelectsTheBoundsCheckMode) {
  EXPECT_FALSE(compiled_with_guards(api::BoundsChecks::Explicit));
  EXPECT_EQ(compiled_with_guards(api::BoundsChecks::Default), hull::CompileOptions{}.guard_pages);
  if (!api::guard_pages_supported()) {
    api::Config config;
    config.bounds_checks = api::BoundsChecks::Guard;
    auto engine = api::Engine::create(config);
    ASSERT_FALSE(engine.ok());
    EXPECT_EQ(engine.error().kind, api::ErrorKind::Usage);
    return;
  }
  EXPECT_TRUE(compiled_with_guards(api::BoundsChecks::Guard));
}

TEST(GuardApi, GuardCompiledModulesRunWithGuardedMemories) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  auto setup = load_store_module(api::BoundsChecks::Guard);
  ASSERT_TRUE(setup);
  api::Store store(setup->engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, setup->module);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  auto load = inst->typed_func<int32_t(int32_t)>("load");
  ASSERT_TRUE(load.ok());
  auto in = load->call(65532);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in, 0);
  auto out = load->call(65533);  // out of bounds: a trap, however it is detected
  EXPECT_FALSE(out.ok());
}

// A memory of 1-byte pages is never guarded: code compiled for guard pages checks its accesses
// against the exact byte size, which need not be a multiple of any page the OS has.
TEST(GuardApi, OneBytePageMemoriesAreCheckedToTheByte) {
  if (!api::guard_pages_supported()) GTEST_SKIP();
  api::Config config;
  config.bounds_checks = api::BoundsChecks::Guard;
  auto engine = api::Engine::create(config);
  ASSERT_TRUE(engine.ok()) << engine.error().message;
  auto module = api::Module::from_wat(*engine, R"((module
    (memory 3 (pagesize 1))
    (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))");
  ASSERT_TRUE(module.ok()) << module.error().message;
  ASSERT_TRUE(module->compiled()->options.guard_pages);
  api::Store store(*engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, *module);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  auto load8 = inst->typed_func<int32_t(int32_t)>("load8");
  auto load32 = inst->typed_func<int32_t(int32_t)>("load32");
  auto grow = inst->typed_func<int32_t(int32_t)>("grow");
  ASSERT_TRUE(load8.ok() && load32.ok() && grow.ok());
  auto expect_oob = [](const auto& r) {
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("out of bounds memory access"), std::string::npos)
        << r.error().message;
  };
  EXPECT_EQ(*load8->call(2), 0);
  expect_oob(load8->call(3));   // one past the last byte, inside the OS page
  expect_oob(load32->call(0));  // 4 bytes of a 3-byte memory
  EXPECT_EQ(*grow->call(1), 3);
  EXPECT_EQ(*load8->call(3), 0);
  EXPECT_EQ(*load32->call(0), 0);
  expect_oob(load32->call(1));
}

}  // namespace
