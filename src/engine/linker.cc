// Name-based import resolution.
#include "engine/linker.h"

#include <vector>

#include "engine/instantiate.h"

namespace hull {

// Length-prefixed so that names containing any byte (even NUL) cannot collide.
std::string Linker::key(std::string_view module, std::string_view name) {
  std::string k = std::to_string(module.size());
  k += ':';
  k += module;
  k += name;
  return k;
}

void Linker::define(std::string_view module, std::string_view name, Extern item) {
  defs_[key(module, name)] = item;
}

void Linker::define_instance(std::string_view module, const Instance& instance) {
  for (const auto& [name, ext] : instance.exports) define(module, name, ext);
}

const Extern* Linker::get(std::string_view module, std::string_view name) const {
  auto it = defs_.find(key(module, name));
  return it == defs_.end() ? nullptr : &it->second;
}

Result<Instance*> Linker::instantiate(Store& store,
                                      std::shared_ptr<const CompiledModule> module) const {
  if (!module) return Error::make(ErrorKind::Usage, "instantiate: null module");
  std::vector<Extern> imports;
  imports.reserve(module->desc.imports.size());
  for (const Import& imp : module->desc.imports) {
    const Extern* e = get(imp.module, imp.name);
    if (!e) {
      return Error::make(ErrorKind::Unlinkable,
                         "unknown import \"" + imp.module + "\" \"" + imp.name + "\"");
    }
    imports.push_back(*e);
  }
  return hull::instantiate(store, std::move(module), imports);
}

}  // namespace hull
