// The component runtime: component instances with their index spaces, handle tables and
// reentrance flags (CanonicalABI.md "Component Instances", "Table State", "Resource State"),
// lifted and lowered functions, and the items instantiation passes around.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "component/abi/canon_abi.h"
#include "component/valid/validator.h"
#include "hull/component.hh"
#include "hull/component_raw.hh"

namespace hull::component {

struct ComponentInstance;
struct CanonFuncEnv;
struct AsyncObject;  // async.h: waitable sets, subtasks, stream and future ends
struct AsyncTask;

// A runtime resource type: identity is the object's address. Defined by a component instance
// (impl, with an optional core destructor) or by the host (impl == nullptr).
struct RuntimeResource {
  ComponentInstance* impl = nullptr;
  std::optional<api::Func> dtor;
  // Host-defined resources: run when a handle is dropped, with the store of the instance that
  // dropped it (nullptr when the host drops a handle without naming its store).
  std::function<api::Result<void>(api::Store*, uint32_t)> host_dtor;
  std::string name;
};

// One element of a component instance's handle table: a resource handle, or (with `object`
// set and `rt` null) one of the async elements the spec keeps in the same table.
struct HandleEntry {
  const RuntimeResource* rt = nullptr;
  uint32_t rep = 0;
  bool own = true;
  struct CallTask* borrow_scope = nullptr;  // the call that lowered this borrow
  uint32_t num_lends = 0;
  std::shared_ptr<AsyncObject> object;
};

// The handle table (index 0 reserved; freed slots reused; at most 2^28 - 1 entries).
class HandleTable {
 public:
  HandleTable() : entries_(1) {}
  api::Result<uint32_t> add(const HandleEntry& e);
  api::Result<HandleEntry*> get(uint32_t index);
  api::Result<HandleEntry> remove(uint32_t index);
  bool empty() const { return free_.size() + 1 == entries_.size(); }
  // Back to a new table's state (the same indices come out in the same order again); storage
  // a use grew far is let go, as it would be with the instance.
  void clear() {
    if (entries_.capacity() > 1024) {
      std::vector<std::optional<HandleEntry>>(1).swap(entries_);
      std::vector<uint32_t>().swap(free_);
    } else {
      entries_.assign(1, std::nullopt);
      free_.clear();
    }
  }

 private:
  static constexpr size_t kInitialHandles = 16;
  std::vector<std::optional<HandleEntry>> entries_;
  std::vector<uint32_t> free_;
};

// The handle indices a call lent from its caller's table, in order: the first few inline (a
// host call lends one or two), the rest on the heap, so that a call allocates nothing for them.
class LendList {
 public:
  void push_back(uint32_t index) {
    if (n_ < kInline) {
      inline_[n_++] = index;
    } else {
      more_.push_back(index);
    }
  }
  template <class F>
  void for_each(F&& f) const {
    for (uint32_t i = 0; i < n_; ++i) f(inline_[i]);
    for (uint32_t index : more_) f(index);
  }
  void clear() {
    n_ = 0;
    more_.clear();
  }

 private:
  static constexpr uint32_t kInline = 4;
  uint32_t inline_[kInline] = {};
  uint32_t n_ = 0;
  std::vector<uint32_t> more_;
};

// One call into a component instance (the spec's Task): borrows lowered into the callee must
// be dropped before it returns; lends taken from the caller are released when the call ends.
// Async-lifted calls carry an AsyncTask (async.h) for task.return and the event loop.
struct CallTask {
  ComponentInstance* inst = nullptr;
  uint32_t num_borrows = 0;
  // Caller-side handles lent for this call, by index (the table may grow meanwhile: an async
  // caller keeps running while its subtask is pending).
  LendList lenders;
  AsyncTask* async = nullptr;    // set for async-lifted calls
  bool may_block = false;        // an async-typed function's task may wait; a sync one may not
  uint32_t context[2] = {0, 0};  // context.get/set slots
};
// Releases the lends `task` took from `inst`'s table.
void release_lends(ComponentInstance* inst, CallTask& task);

// canonopt values at runtime.
struct CanonOptions {
  StringEncoding encoding = StringEncoding::Utf8;
  std::optional<api::Memory> memory;
  std::optional<api::Func> realloc;
  std::optional<api::Func> post_return;
  bool async = false;
  std::optional<api::Func> callback;
  CallAbi abi() const {
    return !async ? CallAbi::Sync : callback ? CallAbi::AsyncCallback : CallAbi::Async;
  }
};

struct Item;
struct InstanceItems;

}  // namespace hull::component

namespace hull::api::component::detail {

// A component function at runtime: lifted from core code, or defined by the host.
struct FuncRt {
  virtual ~FuncRt() = default;
  FuncType type;
  // `caller`: the component instance whose lowered import made the call, or null (the host).
  virtual Result<std::vector<Val>> call(hull::component::ComponentInstance* caller,
                                        std::span<const Val> args) = 0;
  // Whether the host implements it (canonical ABI traps are worded per path, see canon_abi.h).
  virtual bool is_host() const { return false; }
  // Starts a call that may block (an async lower): `on_resolve` receives the results when the
  // callee returns them, which may be after start returns. Returns the pending callee task
  // (for subtask.cancel) or null once resolved. Synchronous callees resolve before returning.
  using OnResolve = std::function<Result<void>(std::vector<Val>&&)>;
  virtual Result<std::shared_ptr<hull::component::AsyncTask>> start(
      hull::component::ComponentInstance* caller, std::span<const Val> args, OnResolve on_resolve);
  // A typed host function (typed_host) behind this function, which a lowered import may call
  // directly with core values (raw_call.cc); null for everything else.
  virtual std::shared_ptr<raw::HostImpl> raw_host() const { return nullptr; }
};

// An instance's exports by name (a component instance, an inline instance, or a host one).
struct InstanceRt {
  std::vector<std::pair<std::string, std::shared_ptr<hull::component::Item>>> exports;
  // The type the validator gave this instance, and the resource table its ids index.
  std::shared_ptr<const hull::component::InstanceType> type;
  std::shared_ptr<const hull::component::ResourceTable> resource_table;
  // The component instance these are the exports of (null for an inline or a host instance).
  hull::component::ComponentInstance* component = nullptr;
  const hull::component::Item* find(std::string_view name) const;
  // The same, trying position `hint` first: the validator knows where a name stands in the
  // instance's type, and the exports usually come in that order (a host instance is built in
  // the importing type's order), so an alias or a resource binding costs one comparison
  // instead of a scan of every export before it.
  const hull::component::Item* find(std::string_view name, size_t hint) const {
    if (hint < exports.size() && exports[hint].first == name) return exports[hint].second.get();
    return find(name);
  }
};

struct ComponentImpl {
  api::Engine engine;
  hull::component::ValidatedComponent validated;
  std::shared_ptr<const hull::component::ComponentDesc> desc;
};

}  // namespace hull::api::component::detail

namespace hull::component {

namespace ac = hull::api::component;
using FuncRt = ac::detail::FuncRt;
using InstanceRt = ac::detail::InstanceRt;

// A component definition at runtime: its validated info and the instance whose index spaces
// its outer aliases reach.
struct ComponentDef {
  std::shared_ptr<const ComponentInfo> info;
  ComponentInstance* enclosing = nullptr;
};

// Anything in a component-level index space.
struct Item {
  enum class Kind : uint8_t { Module, Func, Type, Component, Instance };
  Kind kind = Kind::Func;
  std::optional<api::Module> module;
  std::shared_ptr<FuncRt> func;
  const RuntimeResource* resource = nullptr;  // Type: the resource, or null for other types
  std::shared_ptr<ComponentDef> component;
  std::shared_ptr<InstanceRt> instance;
};

// A core instance: an instantiated module or a bag of inline exports. Exports are
// positional (the order of the validator's CoreInstanceType); tags are empty slots.
struct CoreInstance {
  std::vector<std::optional<api::Extern>> exports;
};

// A component instance (CanonicalABI.md's ComponentInstance) with its index spaces.
struct ComponentInstance {
  api::Store* store = nullptr;
  ComponentInstance* parent = nullptr;       // the instance that instantiated this one
  ComponentInstance* enclosing = nullptr;    // where this component was defined (outer aliases)
  std::vector<ComponentInstance*> children;  // the instances this one instantiated
  std::shared_ptr<const ComponentInfo> info;
  std::shared_ptr<const ResourceTable> resource_table;
  std::vector<const RuntimeResource*> resources;          // by validator resource id
  std::vector<std::unique_ptr<RuntimeResource>> defined;  // resources this instance defines
  HandleTable handles;
  bool may_enter = true;
  bool may_leave = true;
  CallTask* current_task = nullptr;
  // Core code of a sync task or of a callback running in this instance (the spec's
  // exclusive_thread): the event loop resumes no other callback of the instance meanwhile.
  uint32_t exclusive_depth = 0;
  int32_t backpressure = 0;  // backpressure.inc/dec (counted; Hull starts calls regardless)

  // index spaces
  std::vector<api::Module> core_modules;
  std::vector<CoreInstance> core_instances;  // reserved to its final size: never moves
  std::vector<api::Func> core_funcs;
  std::vector<api::Table> core_tables;
  std::vector<api::Memory> core_memories;
  std::vector<api::Global> core_globals;
  std::vector<std::shared_ptr<FuncRt>> funcs;
  std::vector<const RuntimeResource*> types;
  std::vector<std::shared_ptr<ComponentDef>> components;
  std::vector<std::shared_ptr<InstanceRt>> instances;

  std::shared_ptr<InstanceRt> exports;  // what instantiation produced
  // Parallel to info->desc->canons: the state of the core functions made for them.
  std::unique_ptr<CanonFuncEnv[]> canon_envs;

  const RuntimeResource* resource(uint32_t id) const {
    return id < resources.size() ? resources[id] : nullptr;
  }
  // Whether `this` (and its ancestors not shared with `caller`) may be entered.
  bool may_enter_from(const ComponentInstance* caller) const;
  void set_entered_from(const ComponentInstance* caller, bool entered);
};

// Lifting and lowering against one component instance's memory and handle table.
class InstanceContext : public LiftLowerContext {
 public:
  InstanceContext(ComponentInstance* inst, const CanonOptions& opts, CallTask* task);
  uint8_t* memory_data() override;
  uint64_t memory_size() override;
  api::Result<uint32_t> realloc(uint32_t old_ptr, uint32_t old_size, uint32_t align,
                                uint32_t new_size) override;
  api::Result<uint32_t> lower_own(const ac::ResourceAny& r, const ac::ResourceRef& type) override;
  api::Result<uint32_t> lower_borrow(const ac::ResourceAny& r,
                                     const ac::ResourceRef& type) override;
  api::Result<ac::ResourceAny> lift_own(uint32_t index, const ac::ResourceRef& type) override;
  api::Result<ac::ResourceAny> lift_borrow(uint32_t index, const ac::ResourceRef& type) override;

 private:
  ComponentInstance* inst_;
  const CanonOptions& opts_;
  CallTask* task_;
};

// A function lifted from core code by `canon lift`.
struct LiftedFunc : FuncRt {
  ComponentInstance* inst = nullptr;
  api::Func core;
  CanonOptions opts;
  std::vector<ac::Type> param_types;  // cached from `type`
  std::vector<ac::Type> result_types;
  size_t core_result_count = 0;           // the core function's results (0 or 1)
  std::vector<api::ValType> core_params;  // the core function's params (the typed path)
  api::Result<std::vector<ac::Val>> call(ComponentInstance* caller,
                                         std::span<const ac::Val> args) override;
  api::Result<std::shared_ptr<AsyncTask>> start(ComponentInstance* caller,
                                                std::span<const ac::Val> args,
                                                OnResolve on_resolve) override;
};

// A host function from a component Linker.
struct HostFunc : FuncRt {
  ac::HostFunc fn;
  ac::StoreHostFunc store_fn;  // instead of `fn` when set
  bool is_host() const override { return true; }
  api::Result<std::vector<ac::Val>> call(ComponentInstance* caller,
                                         std::span<const ac::Val> args) override;
  std::shared_ptr<ac::raw::HostImpl> raw_host() const override;
};

// What the core function of a synchronous `canon lower` or of `canon resource.new|rep|drop`
// works with. Instantiation keeps them in ComponentInstance::canon_envs, one array per
// instance, so creating these functions allocates nothing per function.
struct CanonFuncEnv {
  ComponentInstance* inst = nullptr;
  // lower: the callee (owned by inst->funcs), its type as this component sees it (resource
  // ids index inst->resources), the validator's plan and the options
  FuncRt* callee = nullptr;
  const ac::FuncType* type = nullptr;
  const LowerPlan* plan = nullptr;
  CanonOptions opts;
  // Set when the callee is a typed host function accepting `type`: owned by the callee, which
  // inst->funcs keeps alive.
  ac::raw::HostImpl* raw_host = nullptr;
  const RuntimeResource* rt = nullptr;  // resource.new|rep|drop: the resource
};

// The typed host function behind env.callee if it accepts env.type (the callee's C++
// signature matches the import's type), else null.
ac::raw::HostImpl* accepting_raw_host(const CanonFuncEnv& env);
// `canon lower` (synchronous) of env.callee: a core function in env.inst, calling env.raw_host
// directly when it is set, else through Vals.
api::Func lower_func(CanonFuncEnv& env);
// The typed path (raw_call.cc): a sync call of a lifted export with typed code laying out the
// values, and the core function of a sync `canon lower` whose callee is a typed host function
// accepting the type (env.raw_host set).
api::Result<void> call_export_raw(LiftedFunc& f, const ac::raw::ExportCall& call);
api::Func lower_raw_host_func(CanonFuncEnv& env);
// `canon resource.new|rep|drop` for resource env.rt in env.inst.
api::Func resource_new_func(CanonFuncEnv& env);
api::Func resource_rep_func(CanonFuncEnv& env);
api::Func resource_drop_func(CanonFuncEnv& env);

// What every instance made from the same arguments shares, learnt by an InstancePre's first
// successful instantiation (and immutable from then on) so that later ones skip the work:
// - the resource identities each import binds (validator resource id -> runtime resource),
//   replayed in the same order at the same import instead of looked up in the imported
//   instances (tens per wasi:http import);
// - for each synchronous `canon lower` whose callee is a typed host function accepting the
//   lowered type (parallel to the root's canons), that callee and its host. The callee is held
//   here, so its address names it as long as the cache lives; a lower whose callee is another
//   object decides again.
struct InstancePreCache {
  struct Lower {
    std::shared_ptr<FuncRt> callee;
    ac::raw::HostImpl* host = nullptr;  // owned by callee
  };
  std::atomic<bool> ready{false};
  std::mutex mu;  // guards the one write of what follows
  std::vector<std::pair<uint32_t, const RuntimeResource*>> binds;
  std::vector<uint32_t> bind_ends;  // parallel to the import definitions: end of each one's binds
  std::vector<Lower> lowers;
};

// Instantiates `def` with `args`, what satisfies each of its imports in the order of its
// import definitions (resolved by name once, by the caller: an InstancePre, or the enclosing
// instance for a nested one), as a child of `parent` (null for a root instance made by the
// host). The instance is attached to the store. `cache`, when given, belongs to these exact
// `args` (it is filled by the first instantiation that succeeds, then used).
api::Result<std::shared_ptr<InstanceRt>> instantiate(api::Store& store, const ComponentDef& def,
                                                     std::shared_ptr<const ResourceTable> resources,
                                                     std::span<const Item* const> args,
                                                     ComponentInstance* parent,
                                                     InstancePreCache* cache = nullptr);

}  // namespace hull::component
