// Internal to the validator: the scope stack and the helpers shared by its files
// (definitions.cc, deftypes.cc, subtype.cc).
#pragma once

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "component/valid/names.h"
#include "component/valid/validator.h"

namespace hull::component {

// An error with the offset of the definition it concerns.
api::Error invalid_at(std::string message, size_t at);

// The canonopts of one canon definition after the checks every definition applies.
struct CanonOptsInfo {
  std::optional<CanonOpt::Kind> encoding;
  std::optional<uint32_t> memory, realloc, post_return, callback;
  bool async = false;
};
api::Result<CanonOptsInfo> check_canon_opts(const ComponentInfo& info,
                                            const std::vector<CanonOpt>& opts, size_t at);
// Helpers shared by definitions.cc and async_builtins.cc.
std::string index_oob(const char* what, uint32_t i, const char* space);
bool type_needs_memory(const ac::Type& t);  // contains a string or list
std::string core_signature_string(const std::vector<api::ValType>& v);

// One scope: a component definition, a component type or an instance type. Index spaces live
// in `info` for all three (types use only some of them).
struct Scope {
  enum class Kind : uint8_t { Component, ComponentType, InstanceType };
  Kind kind = Kind::Component;
  std::shared_ptr<ComponentInfo> info;
  std::vector<NamedEntity> imports, exports;
  NameSet import_names, export_names;
  std::vector<uint32_t> imported_resources;  // bound by instantiation (imports)
  std::vector<uint32_t> defined_resources;   // declared by (sub resource) exports of a type
  std::set<uint32_t> import_named;           // resources named by imports so far
  std::set<uint32_t> export_named;           // resources named by exports so far
  // Records, variants, enums and flags must be named by an import or export before an
  // import's or export's type may mention them (the types of WIT: every nominal type has a
  // name). A named type gets a node of its own, so the definition itself stays unnamed.
  std::set<const ac::TypeNode*> import_named_types, export_named_types;
  std::set<uint32_t> local_resources;           // resources defined by (type (resource ...)) here
  std::vector<bool> func_is_imported_reexport;  // parallel to info->funcs (see exports)
  std::set<uint32_t> imported_funcs;            // func indices that are imports
  std::optional<size_t> root_component_import;  // where the root imports a component
  std::optional<api::Error> root_reexport;      // a root export of a function import
  // Resources imported / exported under a plain name, for [constructor]/[method]/[static].
  std::map<std::string, uint32_t> import_resource_names, export_resource_names;
};

// [constructor], [method] and [static] names: the function's shape must fit the resource the
// name refers to (Binary.md "Import and Export Definitions"). nullopt when fine.
std::optional<std::string> check_annotated_func(const Scope& s, const ParsedName& name,
                                                const Entity& e, bool is_import);
std::optional<std::string> check_annotated_names(const std::map<std::string, uint32_t>& names,
                                                 const ParsedName& name, const Entity& e);

// Substitution of resource identities (`res`) and of type nodes (`nodes`: a component's
// imported value types replaced by what instantiation supplied).
using ResourceMap = std::map<uint32_t, uint32_t>;
struct Subst {
  ResourceMap res;
  std::map<const ac::TypeNode*, ac::Type> nodes;
  Subst() = default;
  Subst(const ResourceMap& r) : res(r) {}  // NOLINT: implicit by design
  bool empty() const { return res.empty() && nodes.empty(); }
};
ac::Type subst(const ac::Type& t, const Subst& m);
ac::FuncType subst(const ac::FuncType& t, const Subst& m);
Entity subst(const Entity& e, const Subst& m);
TypeEntry subst(const TypeEntry& e, const Subst& m);
std::shared_ptr<const InstanceType> subst(const std::shared_ptr<const InstanceType>& t,
                                          const Subst& m);
std::shared_ptr<const ComponentType> subst(const std::shared_ptr<const ComponentType>& t,
                                           const Subst& m);

// Resource ids a type mentions (own/borrow and resource type entries), transitively.
void collect_resources(const ac::Type& t, std::set<uint32_t>* out);
void collect_resources(const Entity& e, std::set<uint32_t>* out);

// Subtyping with resource unification: `actual` may be used where `expected` is wanted.
// Resources of `expected` listed in `bindable` that are not yet in `map` get bound to the
// actual ones; every other expected resource must equal the actual one (after `map`).
// On failure returns a message ("expected func found instance", "type mismatch in ...").
struct Matcher {
  ResourceMap map;
  std::set<uint32_t> bindable;
  const ResourceTable* table = nullptr;  // for export aliases of resources (ResourceInfo::alias_of)
  std::optional<std::string> entity(const Entity& actual, const Entity& expected);
  std::optional<std::string> func(const ac::FuncType& actual, const ac::FuncType& expected);
  // `top`: comparing two defined types (type imports), not two valtypes.
  std::optional<std::string> value(const ac::Type& actual, const ac::Type& expected,
                                   bool top = false);
  std::optional<std::string> type_entry(const TypeEntry& actual, const TypeEntry& expected);
  std::optional<std::string> instance(const InstanceType& actual, const InstanceType& expected);
  std::optional<std::string> component(const ComponentType& actual, const ComponentType& expected);
  std::optional<std::string> resource(uint32_t actual, uint32_t expected);
};
// `linking`: worded for the link-time check of a provided module (Wasmtime's wording).
std::optional<std::string> core_module_matches(const CoreModuleType& actual,
                                               const CoreModuleType& expected,
                                               bool linking = false);
std::optional<std::string> core_extern_matches(const api::ExternType& actual,
                                               const api::ExternType& expected,
                                               bool linking = false);
std::string describe(const api::ExternType& t);
const char* entity_kind_name(Entity::Kind k);

class Validator {
 public:
  explicit Validator(const api::Engine& engine) : engine_(engine) {
    resources_ = std::make_shared<ResourceTable>();
  }
  api::Result<std::shared_ptr<ComponentInfo>> component(std::shared_ptr<const ComponentDesc> desc);
  std::shared_ptr<ResourceTable> resources() const { return resources_; }

  // deftypes.cc
  api::Result<ac::Type> valtype(Scope& s, const ValTypeUse& t, size_t at);
  api::Result<ac::Type> defvaltype(Scope& s, const DefValType& t, size_t at);
  api::Result<ac::FuncType> functype(Scope& s, const FuncTypeDef& t, size_t at);
  api::Result<TypeEntry> deftype(Scope& s, const TypeDef& t);
  api::Result<CoreTypeEntry> core_deftype(Scope& s, const CoreTypeDef& t, size_t sub_index);
  api::Result<void> decls(Scope& s, const std::vector<Decl>& decls);
  api::Result<Entity> extern_desc(Scope& s, const ExternDesc& d, size_t at, bool is_import);
  api::Result<void> alias(Scope& s, const Alias& a);
  // Adds an import or export named `name` of type `e` to scope `s` after the checks every
  // scope applies: name uniqueness, resources in scope, annotated function shapes.
  api::Result<void> declare(Scope& s, const ExternName& name, const Entity& e, bool is_import,
                            size_t at);
  void add_entity(Scope& s, const Entity& e);

  uint32_t new_resource(std::string name, bool defined,
                        std::optional<uint32_t> dtor = std::nullopt);
  // A copy of `t` whose declared resources are fresh; the new ids are appended to `fresh`.
  std::shared_ptr<const InstanceType> fresh_instance(const std::shared_ptr<const InstanceType>& t,
                                                     std::vector<uint32_t>* fresh);

  std::vector<Scope*> scopes;  // innermost last
  std::pair<uint32_t, uint32_t> type_shape(const ac::Type& t);
  uint32_t type_depth(const ac::Type& t);
  uint32_t type_size(const ac::Type& t);
  static constexpr uint64_t kMaxTypeSize = 1000000;

 private:
  // definitions.cc
  api::Result<void> definition(Scope& s, const ComponentDesc& d, const Definition& def);
  api::Result<void> core_module(Scope& s, const ComponentDesc& d, const CoreModuleDef& m);
  api::Result<void> core_instance(Scope& s, const CoreInstanceDef& i);
  api::Result<void> instance(Scope& s, const InstanceDef& i);
  api::Result<void> canon(Scope& s, const Canon& c);
  // async_builtins.cc: the 🔀 and 🧵 built-ins (canon opcodes other than lift, lower and
  // resource.*), typed when Config::component_model_async is on.
  api::Result<void> async_builtin(Scope& s, const Canon& c);
  api::Result<void> import(Scope& s, const ImportDef& i);
  api::Result<void> export_(Scope& s, const ExportDef& e);
  api::Result<Entity> sort_entity(Scope& s, const SortIdx& si, size_t at);

  const api::Engine& engine_;
  std::shared_ptr<ResourceTable> resources_;
  // Nesting depth and effective size of the defined value types.
  std::map<const ac::TypeNode*, std::pair<uint32_t, uint32_t>> shapes_;
};

}  // namespace hull::component
