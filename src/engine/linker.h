// Linker: resolves a module's imports by ("module", "name") against definitions.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/result.h"
#include "engine/module.h"
#include "runtime/store.h"

namespace hull {

class Linker {
 public:
  // Defines (or replaces) the item "module" "name". The Extern's object must outlive its uses
  // (normally it lives in the same Store as the instances linked against it).
  void define(std::string_view module, std::string_view name, Extern item);
  // Defines every export of `instance` under `module` (the wast `register` command).
  void define_instance(std::string_view module, const Instance& instance);
  void define_instance(std::string_view module, const Instance* instance) {
    define_instance(module, *instance);
  }
  // The definition of "module" "name", or nullptr.
  const Extern* get(std::string_view module, std::string_view name) const;
  // Resolves every import of `module` by name and instantiates it (see hull::instantiate).
  // A missing definition is an Unlinkable error whose message starts with "unknown import".
  Result<Instance*> instantiate(Store& store, std::shared_ptr<const CompiledModule> module) const;

 private:
  static std::string key(std::string_view module, std::string_view name);
  std::unordered_map<std::string, Extern> defs_;
};

}  // namespace hull
