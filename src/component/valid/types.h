// The types a component's definitions have after validation: core module and instance types,
// component function, instance and component types, and resource identities. The validator
// builds them; instantiation reads them (ComponentInfo) to create and type runtime items.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "component/binary/ast.h"
#include "hull/component_types.hh"
#include "hull/hull.hh"

namespace hull::component {

namespace ac = hull::api::component;

// ---- core ----

struct CoreExtern {
  api::ExternType type;
};
struct CoreModuleType {
  std::vector<api::ImportType> imports;
  std::vector<api::ExportType> exports;
};
struct CoreInstanceType {
  std::vector<api::ExportType> exports;
  const api::ExportType* find(std::string_view name) const {
    for (const auto& e : exports) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
};
// An entry of the core type index space: a core function type or a module type.
struct CoreTypeEntry {
  bool is_module = false;
  api::FuncType func;
  std::shared_ptr<const CoreModuleType> module;
};

// ---- component ----

struct Entity;
struct InstanceType;
struct ComponentType;

// An entry of the component type index space.
struct TypeEntry {
  enum class Kind : uint8_t { Value, Func, Component, Instance, Resource };
  Kind kind = Kind::Value;
  ac::Type value;  // Value (a defined value type)
  ac::FuncType func;
  std::shared_ptr<const ComponentType> component;
  std::shared_ptr<const InstanceType> instance;
  ac::ResourceRef resource;  // Resource
};

// The type of an import, an export or an index-space item.
struct Entity {
  enum class Kind : uint8_t { Module, Func, Value, Type, Component, Instance };
  Kind kind = Kind::Func;
  std::shared_ptr<const CoreModuleType> module;  // Module
  ac::FuncType func;                             // Func
  ac::Type value;                                // Value
  TypeEntry type;                                // Type
  std::shared_ptr<const ComponentType> component;
  std::shared_ptr<const InstanceType> instance;
};

struct NamedEntity {
  std::string name;
  Entity type;
};

// An instance type: its exports in order. `defined_resources` are the resources its type
// declares with (sub resource): each entity of this type gets fresh ones (see fresh_instance).
struct InstanceType {
  std::vector<NamedEntity> exports;
  std::vector<uint32_t> defined_resources;
  const Entity* find(std::string_view name) const {
    for (const auto& e : exports) {
      if (e.name == name) return &e.type;
    }
    return nullptr;
  }
};

// A component type: imports (whose resources are bound by instantiation) and exports (whose
// `defined_resources` are fresh per instance).
struct ComponentType {
  std::vector<NamedEntity> imports;
  std::vector<NamedEntity> exports;
  std::vector<uint32_t> imported_resources;
  std::vector<uint32_t> defined_resources;
};

// A resource identity known to the validator: a defined resource (with its representation and
// destructor) or an abstract one (imported, or declared by a type).
struct ResourceInfo {
  std::string name;
  bool defined = false;
  std::optional<uint32_t> dtor;  // core func index, for defined resources
  // Set for the identity an export gives a resource (`(export "r" (type $R))`): the export's
  // index names a new identity that stands for the same resource.
  std::optional<uint32_t> alias_of;
};

// What validation learned about one component definition (the root or a nested one); index
// spaces are complete (imports, definitions, aliases and exports all appended in order).
// What instantiation needs to lower a component function synchronously (`canon lower`
// without `async`), worked out once by the validator: instantiating then creates each lowered
// import's core function from this plan without flattening types or registering a core type.
struct LowerPlan {
  api::FuncType core;               // the core function type (flattened, after the spill rules)
  uint32_t core_type_id = 0;        // its canonical id (api::detail::host_type_id)
  std::vector<ac::Type> params;     // the component-level parameter types, in order
  std::vector<ac::Type> results;    // the result type, if any
  size_t flat_param_count = 0;      // before spilling: more than kMaxFlatParams go through memory
  bool results_via_memory = false;  // the results spill: the last core argument points at them
};

struct ComponentInfo {
  std::shared_ptr<const ComponentDesc> desc;

  // core index spaces
  std::vector<api::FuncType> core_funcs;
  std::vector<api::TableType> core_tables;
  std::vector<api::MemoryType> core_memories;
  std::vector<api::GlobalType> core_globals;
  std::vector<api::FuncType> core_tags;
  std::vector<CoreTypeEntry> core_types;
  std::vector<std::shared_ptr<const CoreModuleType>> core_modules;
  std::vector<std::shared_ptr<const CoreInstanceType>> core_instances;

  // component index spaces
  std::vector<ac::FuncType> funcs;
  std::vector<TypeEntry> types;
  std::vector<std::shared_ptr<const ComponentType>> components;
  std::vector<std::shared_ptr<const InstanceType>> instances;
  std::vector<std::shared_ptr<const ComponentInfo>> nested;  // parallel to desc->components
  // Parallel to `instances`: the positions of the exports of each instance's type that bind
  // something when an instance is added (resources and nested instances), so that
  // instantiation does not walk every export of a big imported interface to find them.
  std::vector<std::vector<uint32_t>> instance_binds;

  // Compiled core modules, parallel to desc->core_modules (compiled once, shared by instances).
  std::vector<api::Module> modules;

  // Pre-resolved core linking, so that instantiation looks up no names: for each core
  // instance (parallel to core_instances) made by `instantiate`, each import of the module as
  // (core instance index, export position); for each alias of desc->aliases that is a core
  // export alias, the export's position in its core instance; for each export alias of a
  // component instance, the export's position in that instance's type (a hint: the runtime
  // instance's exports usually, not always, come in the type's order).
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> core_instance_args;
  std::vector<uint32_t> alias_positions;

  // Parallel to desc->canons: the value type an async built-in works on (task.return's result,
  // the stream or future type of stream.* / future.*), resolved for the runtime; empty otherwise.
  std::vector<ac::Type> canon_types;
  // Parallel to desc->canons: the plan of each synchronous `canon lower`; null otherwise.
  std::vector<std::shared_ptr<const LowerPlan>> lower_plans;

  // This component's own type: imports and exports.
  std::shared_ptr<const ComponentType> type;
  // The type of its instances: type->exports (shared by every instance).
  std::shared_ptr<const InstanceType> instance_type;
};

}  // namespace hull::component
