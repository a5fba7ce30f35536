// A component's world in WIT: its imports and exports with full types, the records,
// variants, enums and flags it names spelled by those names, resources with their methods.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hull/component.hh"

namespace hull::cli {

namespace ac = hull::api::component;

using ComponentItems = std::vector<std::pair<std::string, ac::ExternInfo>>;

class WitPrinter {
 public:
  // Both lists must outlive the printer. `resources` names resources by identity (see
  // resource_names); names learned from `[constructor]R`/`[method]R.m` functions fill gaps.
  WitPrinter(const ComponentItems& imports, const ComponentItems& exports,
             std::map<uint32_t, std::string> resources = {});

  // `world root { ... }`, one item per line; instances as `NAME: interface { ... }`.
  std::string world() const;

  // WIT spellings. `scope` is the instance whose items the type or function belongs to (null
  // for the world itself): a type that has a name there is preferred to one named elsewhere.
  std::string type(const ac::Type& t, const ac::ExternInfo* scope) const;
  std::string func(const ac::FuncType& f, const ac::ExternInfo* scope) const;
  // The definition of a type item NAME: `record point { x: s32 }`, `resource blob`,
  // `type bytes = list<u8>`.
  std::string type_definition(const std::string& name, const ac::ExternInfo& x,
                              const ac::ExternInfo* scope) const;

 private:
  struct Named {
    std::string name;
    ac::Type type;
    const ac::ExternInfo* scope;
  };
  const std::string* name_of(const ac::Type& t, const ac::ExternInfo* scope) const;
  void learn_resource(const std::string& func_name, const ac::FuncType& f);
  std::string resource_name(const ac::ResourceRef& r) const;
  std::string structure(const ac::Type& t, const ac::ExternInfo* scope) const;
  // Items of the world or of one instance, by reference (scopes are compared by address).
  using Entries = std::vector<std::pair<const std::string*, const ac::ExternInfo*>>;
  static Entries entries_of(const ComponentItems& items);
  static Entries entries_of(const ac::ExternInfo& instance);
  // Records the named types and the resource names found among `entries`.
  void collect(const Entries& entries, const ac::ExternInfo* scope);
  void items(std::string* out, const char* dir, const Entries& entries, const ac::ExternInfo* scope,
             const std::string& indent) const;

  const ComponentItems& imports_;
  const ComponentItems& exports_;
  std::vector<Named> named_;
  // Resource names by identity: given, or learned from `[constructor]R` and `[method]R.m`
  // functions (handle types do not always carry the name of their resource).
  std::map<uint32_t, std::string> resource_names_;
};

// The names of a component's resources by identity (component_resources.cc).
std::map<uint32_t, std::string> resource_names(const ac::Component& component);

// A WIT identifier as written in WIT: with a `%` prefix when it is a keyword.
std::string wit_ident(const std::string& name);

}  // namespace hull::cli
