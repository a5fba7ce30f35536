// Helpers shared by the WIT unit tests: resolve inline sources, find entities by name.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "wit/resolve.h"

namespace hull::wit::test {

// Resolves `text` as a single file "test.wit" (plus optional dependency files).
inline Result<Resolved> resolve_text(const std::string& text, const ResolveOptions& opts = {},
                                     const std::vector<SourceFile>& deps = {}) {
  SourceGroup root{{SourceFile{"test.wit", text}}};
  std::vector<SourceGroup> groups;
  for (const SourceFile& d : deps) groups.push_back(SourceGroup{{d}});
  return resolve(root, groups, opts);
}

// The error message of resolving `text` ("" if it resolved).
inline std::string error_of(const std::string& text, const ResolveOptions& opts = {}) {
  auto r = resolve_text(text, opts);
  return r ? std::string() : r.error().message;
}

inline const Interface& iface(const Resolved& r, const std::string& name) {
  for (const auto& [n, id] : r.model.packages[r.root].interfaces)
    if (n == name) return r.model.interfaces[id];
  ADD_FAILURE() << "no interface " << name;
  static Interface none;
  return none;
}

inline const World& world(const Resolved& r, const std::string& name) {
  auto id = r.model.find_world_in(r.root, name);
  if (!id) {
    ADD_FAILURE() << "no world " << name;
    static World none;
    return none;
  }
  return r.model.worlds[*id];
}

inline const TypeDef& type_named(const Resolved& r, const Interface& i, const std::string& name) {
  for (const auto& [n, id] : i.types)
    if (n == name) return r.model.types[id];
  ADD_FAILURE() << "no type " << name;
  static TypeDef none;
  return none;
}

inline const Function* func_named(const Interface& i, const std::string& name) {
  for (const Function& f : i.functions)
    if (f.name == name) return &f;
  return nullptr;
}

inline std::vector<std::string> keys(const std::vector<WorldItem>& items) {
  std::vector<std::string> out;
  for (const WorldItem& w : items) out.push_back(w.key);
  return out;
}

}  // namespace hull::wit::test
