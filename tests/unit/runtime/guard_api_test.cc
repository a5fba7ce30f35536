// The embedding knob for bounds checks: Config::bounds_checks reaches CompileOptions::guard_pages.
#include <gtest/gtest.h>

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

}  // namespace
