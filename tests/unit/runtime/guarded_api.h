// Test helpers for the API-level guard tests: an engine with a chosen bounds-check mode and a
// small module (one page of memory, load and store exports) compiled in it.
#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "hull/hull.hh"

namespace hull::test {

inline constexpr const char* kLoadStoreWat = R"((module (memory (export "m") 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))))";

struct EngineAndModule {
  api::Engine engine;
  api::Module module;
};

// Reports a test failure and returns nullopt when the engine or the module cannot be made.
inline std::optional<EngineAndModule> load_store_module(api::BoundsChecks mode) {
  api::Config config;
  config.bounds_checks = mode;
  auto engine = api::Engine::create(config);
  EXPECT_TRUE(engine.ok()) << engine.error().message;
  if (!engine.ok()) return std::nullopt;
  auto module = api::Module::from_wat(*engine, kLoadStoreWat);
  EXPECT_TRUE(module.ok()) << module.error().message;
  if (!module.ok()) return std::nullopt;
  return EngineAndModule{*engine, *module};
}

}  // namespace hull::test
