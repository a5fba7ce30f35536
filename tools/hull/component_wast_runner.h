// Runs .wast scripts of the component-model testsuite: components (text or binary), component
// definitions and instances, register, invoke with component values and every assertion kind,
// on the public component API (hull/component.hh).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "hull/component.hh"
#include "text/script.h"
#include "wast_runner.h"

namespace hull::cli {

class ComponentWastRunner {
 public:
  // CONFIG's features: `hull wast` turns component-model async on (and -W may switch Wasm
  // features off).
  explicit ComponentWastRunner(const api::Config& config);
  // Runs every command. Each assertion counts once as passed or failed; a top-level component
  // that fails to compile or instantiate, and an action that fails, count as failed too.
  WastFileResult run(const text::Script& script);

 private:
  struct Outcome {
    bool ran = false;  // false: could not be performed (error)
    std::string error;
    std::optional<api::Trap> trap;
    std::vector<api::component::Val> values;
    api::component::FuncType type;
  };
  api::Result<api::component::Component> compile(const text::ScriptModule& m);
  api::Result<api::component::Instance> instantiate(const api::component::Component& c);
  Outcome perform(const text::Action& a);
  void name_instance(const std::string& id, const api::component::Instance& inst);

  void pass() { ++result_.passed; }
  void fail(uint32_t line, std::string what) {
    ++result_.failed;
    result_.failures.push_back({line, std::move(what)});
  }

  api::Engine engine_;
  api::Store store_;
  api::component::Linker linker_;
  std::map<std::string, api::component::Instance> named_;
  std::map<std::string, api::component::Component> definitions_;
  std::optional<api::component::Instance> current_;
  WastFileResult result_;
};

// Whether a command is about a component (a component, a component instance or an action on
// one): the core runner fails such a command instead of misreading it.
bool is_component_command(const text::Command& c);
// Whether a script uses components (then ComponentWastRunner runs it).
bool script_uses_components(const text::Script& script);

}  // namespace hull::cli
