// The native tests' fixture: one module instantiated in one tier (the interpreter or the
// native tier), called by export name, and which of its functions the native tier left to the
// interpreter -- so that a test runs the same module in both tiers and compares.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"

namespace hull_native_test {

namespace api = hull::api;

// The functions whose names start with "interp" stay interpreted (native/support.h,
// HULL_NATIVE_INTERPRET) in the suites that call this in SetUpTestSuite, and the tiers mix on
// one stack; undone by TearDownTestSuite's interpret_named_functions(nullptr).
inline void interpret_named_functions(const char* prefixes) {
  if (prefixes)
    setenv("HULL_NATIVE_INTERPRET", prefixes, 1);
  else
    unsetenv("HULL_NATIVE_INTERPRET");
}
constexpr const char* kLeftByRequest = "left to the interpreter by HULL_NATIVE_INTERPRET";

// A module compiled by an engine of its own, made with `config`.
struct Compiled {
  std::optional<api::Engine> engine;
  std::optional<api::Module> module;

  Compiled(const api::Config& config, const std::string& wat) {
    auto e = api::Engine::create(config);
    EXPECT_TRUE(e.ok()) << e.error().to_string();
    engine.emplace(std::move(*e));
    auto m = api::Module::from_wat(*engine, wat);
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    module.emplace(std::move(*m));
  }
};

// A module instantiated in one tier.
struct Instantiated : Compiled {
  std::optional<api::Store> store;
  std::optional<api::Instance> inst;

  static api::Config config_for(api::Tier tier, api::BoundsChecks checks, bool fuel) {
    api::Config c;
    c.tier = tier;
    c.bounds_checks = checks;
    c.consume_fuel = fuel;
    return c;
  }
  Instantiated(api::Tier tier, const std::string& wat,
               api::BoundsChecks checks = api::BoundsChecks::Default, bool fuel = false,
               const std::function<void(api::Linker&)>& imports = {})
      : Compiled(config_for(tier, checks, fuel), wat) {
    store.emplace(*engine);
    if (fuel) EXPECT_TRUE(store->set_fuel(1'000'000'000).ok());
    api::Linker linker;
    if (imports) imports(linker);
    auto i = linker.instantiate(*store, *module);
    EXPECT_TRUE(i.ok()) << i.error().to_string();
    inst.emplace(std::move(*i));
  }
  api::Result<std::vector<api::Val>> call(const std::string& name, std::vector<api::Val> args) {
    auto f = inst->get_func(name);
    EXPECT_TRUE(f.has_value()) << name;
    return f->call(std::span<const api::Val>(args.data(), args.size()));
  }
  // The defined functions left interpreted, by name ("" when unnamed) and why.
  std::vector<std::string> interpreted() const {
    std::vector<std::string> out;
    const hull::CompiledModule& cm = *module->compiled();
    for (uint32_t f = cm.desc.num_imported_funcs; f < cm.desc.num_funcs(); ++f) {
      const std::string why = hull::native_tier()->interpreted_because(cm, f);
      if (why.empty()) continue;
      auto name = cm.desc.func_names.find(f);
      out.push_back((name == cm.desc.func_names.end() ? std::string("?") : name->second) + ": " +
                    why);
    }
    return out;
  }
};

}  // namespace hull_native_test
