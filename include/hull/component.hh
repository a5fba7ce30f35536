// Hull's component-model embedding API (beside hull::api): compile components, link their
// imports to host functions and other components' instances, instantiate them in a Store and
// call their exports with component values. See docs/EMBEDDING.md.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hull/component_types.hh"
#include "hull/hull.hh"

namespace hull::api::component {

namespace detail {
struct ComponentImpl;
struct InstanceRt;
struct FuncRt;
struct LinkerImpl;
struct InstancePreImpl;
}  // namespace detail

// What an import or export of a component is.
struct ExternInfo {
  enum class Kind : uint8_t { Module, Func, Value, Type, Component, Instance };
  Kind kind = Kind::Func;
  FuncType func;  // Func
  // Instance: its exports (names and types in parallel).
  std::vector<std::string> export_names;
  std::vector<ExternInfo> export_types;
  bool resource = false;     // Type: a resource type
  ResourceRef resource_ref;  // Type, resource: its identity (own/borrow types name it too)
  Type value;                // Type: a defined value type
};

// A compiled, validated component: immutable and shareable across stores and threads. Its core
// modules are compiled once, when the component is.
class Component {
 public:
  static Result<Component> compile(const Engine& engine, std::span<const uint8_t> bytes);
  // A component binary, or component text (.wat) when the file does not start with the magic.
  static Result<Component> from_file(const Engine& engine, const std::string& path);
  // Whether `bytes` start with the component preamble (not a core module).
  static bool is_component(std::span<const uint8_t> bytes);

  std::vector<std::pair<std::string, ExternInfo>> imports() const;
  std::vector<std::pair<std::string, ExternInfo>> exports() const;
  // The component's world in WIT syntax: `world root { import ...; export ...; }`.
  std::string wit() const;

  const std::shared_ptr<const detail::ComponentImpl>& impl() const { return impl_; }

 private:
  explicit Component(std::shared_ptr<const detail::ComponentImpl> i) : impl_(std::move(i)) {}
  std::shared_ptr<const detail::ComponentImpl> impl_;
};

// A component function (an export of an instance).
class Func {
 public:
  Func() = default;
  explicit Func(std::shared_ptr<detail::FuncRt> f) : f_(std::move(f)) {}
  const FuncType& type() const;
  // Calls with arguments matching type().params; returns 0 or 1 values. A trap inside (or a
  // canonical ABI violation) is an Error of kind Trap; ill-typed arguments are a Usage error.
  Result<std::vector<Val>> call(std::span<const Val> args) const;
  Result<std::vector<Val>> call(std::initializer_list<Val> args) const {
    return call(std::span<const Val>(args.begin(), args.size()));
  }
  bool valid() const { return f_ != nullptr; }
  const std::shared_ptr<detail::FuncRt>& raw() const { return f_; }

 private:
  std::shared_ptr<detail::FuncRt> f_;
};

// An instance of a component (or an instance exported by one).
class Instance {
 public:
  Instance() = default;
  explicit Instance(std::shared_ptr<detail::InstanceRt> i) : i_(std::move(i)) {}
  // A function export by name; `iface#name` looks inside an exported instance
  // (e.g. "local:demo/api#greet").
  std::optional<Func> get_func(std::string_view name) const;
  std::optional<Instance> get_instance(std::string_view name) const;
  std::vector<std::string> export_names() const;
  bool valid() const { return i_ != nullptr; }
  const std::shared_ptr<detail::InstanceRt>& raw() const { return i_; }

 private:
  std::shared_ptr<detail::InstanceRt> i_;
};

// A component whose imports a Linker has resolved once: instantiating it again looks up no
// name (the path `hull serve` takes per request). Cheap to copy; usable from any thread, each
// instantiation in its own Store (host functions are store-independent; instances the Linker
// was given belong to their store).
class InstancePre {
 public:
  Result<Instance> instantiate(Store& store) const;
  const Component& component() const;

 private:
  friend class Linker;
  explicit InstancePre(std::shared_ptr<const detail::InstancePreImpl> i) : impl_(std::move(i)) {}
  std::shared_ptr<const detail::InstancePreImpl> impl_;
};

// A resource type's identity (host-defined, or a guest's as seen in a ResourceAny).
struct ResourceType {
  const void* id = nullptr;
  friend bool operator==(const ResourceType&, const ResourceType&) = default;
};

// Drops an owned handle the host holds: runs the resource's destructor (the guest's core
// destructor for a guest-defined resource, which may trap; the host's for a host one). A host
// resource whose destructor takes the store needs the second form.
Result<void> resource_drop(const ResourceAny& handle);
Result<void> resource_drop(Store& store, const ResourceAny& handle);

// A dynamic host function: receives arguments typed by the import it satisfies and appends
// its results (0 or 1 values of the import's result type).
using HostFunc = std::function<Result<void>(std::span<const Val> args, std::vector<Val>& results)>;
// The same, told the store of the instance that called: host functions are store-independent
// (one Linker serves many stores), so per-store host state is found through it
// (Store::slot). A call straight from the host (Func::call of a host function) has no
// calling instance and is refused.
using StoreHostFunc =
    std::function<Result<void>(Store& store, std::span<const Val> args, std::vector<Val>& results)>;

// Satisfies a component's imports by name: host functions, host instances (nested names) and
// other components' instances. Interface names match by semver compatibility as Wasmtime does:
// an import of `wasi:cli/environment@0.2.3` binds to a definition of `@0.2.12`.
class Linker {
 public:
  explicit Linker(const Engine& engine);
  ~Linker();
  Linker(const Linker&);
  Linker& operator=(const Linker&);

  // A host function at `path`: "name", or "instance-name#name" for a function inside an
  // imported instance (nested instances: "a#b#name").
  Result<void> func(std::string_view path, HostFunc fn);
  Result<void> func(std::string_view path, StoreHostFunc fn);
  // Every export of `instance` under `name` (e.g. a registered component instance); replaces
  // an earlier definition of `name` (as a .wast `register` of a name again does).
  Result<void> instance(std::string_view name, const Instance& instance);
  // A host-defined resource type at `path` (as for func). Components import it as
  // `(type (sub resource))`; host functions create handles with
  // Val::resource(ResourceAny{type, rep, true}) and receive the guest's handles as ResourceAny.
  // `destructor` runs when a guest drops an owned handle (resource.drop), with the handle's rep.
  Result<ResourceType> resource(std::string_view path,
                                std::function<void(uint32_t rep)> destructor = {});
  // The same with a destructor told the store of the instance that dropped the handle.
  // It may fail (an error becomes a trap in the guest that dropped the handle).
  Result<ResourceType> resource(std::string_view path,
                                std::function<Result<void>(Store& store, uint32_t rep)> destructor);
  // `type` (defined earlier in this linker) again at `path`: an interface that `use`s another's
  // resource (wasi:cli/stdin's input-stream is wasi:io/streams') must see the same identity.
  Result<void> resource(std::string_view path, ResourceType type);

  // Instantiates `component` in `store`. A missing or mistyped import is an Unlinkable error
  // naming it; a trap while instantiating is an Uninstantiable error holding the trap.
  Result<Instance> instantiate(Store& store, const Component& component) const;
  // Resolves every import of `component` now (Unlinkable errors as above), for repeated
  // instantiation without name resolution.
  Result<InstancePre> instantiate_pre(const Component& component) const;

 private:
  std::shared_ptr<detail::LinkerImpl> impl_;
};

}  // namespace hull::api::component
