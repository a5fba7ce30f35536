// Calls across the component boundary: lifted exports (canon lift), lowered imports
// (canon lower), host functions, the handle table and the resource built-ins, with the
// reentrance rules (may_enter / may_leave) of CanonicalABI.md.
#include "component/runtime/async.h"
#include "component/runtime/runtime.h"

namespace hull::component {

namespace {

api::Error trap_error(std::string msg) { return api::Error(abi_trap(std::move(msg))); }

std::string resource_desc(const RuntimeResource* rt) {
  if (!rt) return "unknown resource";
  return rt->impl ? "guest-defined resource" : "host-defined resource";
}

// Wasmtime's wording for a handle of another resource type than the one expected.
Trap wrong_type(uint32_t index, const RuntimeResource* want, const RuntimeResource* have) {
  return abi_trap("handle index " + std::to_string(index) + " used with the wrong type, expected " +
                  resource_desc(want) + " but found a different " + resource_desc(have));
}

}  // namespace

// ---- handle table ----

api::Result<uint32_t> HandleTable::add(const HandleEntry& e) {
  if (!free_.empty()) {
    uint32_t i = free_.back();
    free_.pop_back();
    entries_[i] = e;
    return i;
  }
  // Spec: at most 2^28 - 1 entries, so the top 4 bits of a handle are free for guests.
  if (entries_.size() > (size_t(1) << 28) - 1) return trap_error("handle table is full");
  // Room for a request's worth of handles at once (a wasi:http handler holds about ten): the
  // table would otherwise grow by reallocation 1, 2, 4, 8, 16 in every instance.
  if (entries_.capacity() < kInitialHandles) entries_.reserve(kInitialHandles);
  entries_.push_back(e);
  return static_cast<uint32_t>(entries_.size() - 1);
}

api::Result<HandleEntry*> HandleTable::get(uint32_t index) {
  if (index >= entries_.size() || !entries_[index]) {
    return trap_error("unknown handle index " + std::to_string(index));
  }
  return &*entries_[index];
}

api::Result<HandleEntry> HandleTable::remove(uint32_t index) {
  auto e = get(index);
  if (!e) return std::move(e).error();
  HandleEntry out = **e;
  entries_[index].reset();
  if (free_.capacity() < kInitialHandles) free_.reserve(kInitialHandles);
  free_.push_back(index);
  return out;
}

// ---- reentrance ----

namespace {
bool is_ancestor_or_self(const ComponentInstance* a, const ComponentInstance* of) {
  for (const ComponentInstance* x = of; x; x = x->parent) {
    if (x == a) return true;
  }
  return false;
}
}  // namespace

// Spec: entering_set(caller) = self_and_ancestors - caller.self_and_ancestors.
bool ComponentInstance::may_enter_from(const ComponentInstance* caller) const {
  for (const ComponentInstance* x = this; x; x = x->parent) {
    if (caller && is_ancestor_or_self(x, caller)) continue;
    if (!x->may_enter) return false;
  }
  return true;
}

void ComponentInstance::set_entered_from(const ComponentInstance* caller, bool entered) {
  for (ComponentInstance* x = this; x; x = x->parent) {
    if (caller && is_ancestor_or_self(x, caller)) continue;
    x->may_enter = !entered;
  }
}

// ---- lifting/lowering context ----

InstanceContext::InstanceContext(ComponentInstance* inst, const CanonOptions& opts, CallTask* task)
    : inst_(inst), opts_(opts), task_(task) {
  encoding = opts.encoding;
}

uint8_t* InstanceContext::memory_data() { return opts_.memory ? opts_.memory->data() : nullptr; }
uint64_t InstanceContext::memory_size() { return opts_.memory ? opts_.memory->size() : 0; }

api::Result<uint32_t> InstanceContext::realloc(uint32_t old_ptr, uint32_t old_size, uint32_t align,
                                               uint32_t new_size) {
  if (!opts_.realloc) return trap_error("no `realloc` canonical option to allocate guest memory");
  api::Val args[4] = {api::Val(old_ptr), api::Val(old_size), api::Val(align), api::Val(new_size)};
  api::Val result;
  // Spec: realloc runs with may_leave cleared: it may not call imports.
  bool saved = inst_->may_leave;
  inst_->may_leave = false;
  auto r = opts_.realloc->call(std::span<const api::Val>(args, 4), std::span<api::Val>(&result, 1));
  inst_->may_leave = saved;
  if (!r) return std::move(r).error();
  return static_cast<uint32_t>(result.i32());
}

api::Result<uint32_t> InstanceContext::lower_own(const ac::ResourceAny& r,
                                                 const ac::ResourceRef& type) {
  const RuntimeResource* rt = inst_->resource(type.id);
  if (!rt || r.type != rt)
    return trap_error("resource type mismatch: expected " + resource_desc(rt));
  return inst_->handles.add(HandleEntry{rt, r.rep, true, nullptr, 0, nullptr});
}

api::Result<uint32_t> InstanceContext::lower_borrow(const ac::ResourceAny& r,
                                                    const ac::ResourceRef& type) {
  const RuntimeResource* rt = inst_->resource(type.id);
  if (!rt || r.type != rt)
    return trap_error("resource type mismatch: expected " + resource_desc(rt));
  // Spec: a component receiving a borrow of its own resource gets the representation itself.
  if (rt->impl == inst_) return r.rep;
  if (task_) task_->num_borrows += 1;
  return inst_->handles.add(HandleEntry{rt, r.rep, false, task_, 0, nullptr});
}

api::Result<ac::ResourceAny> InstanceContext::lift_own(uint32_t index,
                                                       const ac::ResourceRef& type) {
  const RuntimeResource* rt = inst_->resource(type.id);
  auto h = inst_->handles.get(index);
  if (!h) return std::move(h).error();
  if ((*h)->rt != rt) return api::Error(wrong_type(index, rt, (*h)->rt));
  if (!(*h)->own)
    return trap_error("handle index " + std::to_string(index) + " is a borrow, not an own");
  if ((*h)->num_lends != 0) return trap_error("cannot remove owned resource while borrowed");
  auto e = inst_->handles.remove(index);
  if (!e) return std::move(e).error();
  return ac::ResourceAny{e->rt, e->rep, true, 0};
}

api::Result<ac::ResourceAny> InstanceContext::lift_borrow(uint32_t index,
                                                          const ac::ResourceRef& type) {
  const RuntimeResource* rt = inst_->resource(type.id);
  auto h = inst_->handles.get(index);
  if (!h) return std::move(h).error();
  if ((*h)->rt != rt) return api::Error(wrong_type(index, rt, (*h)->rt));
  // Spec: lending an owned handle counts until the call returns.
  if ((*h)->own && task_) {
    (*h)->num_lends += 1;
    task_->lenders.push_back(index);
  }
  return ac::ResourceAny{(*h)->rt, (*h)->rep, false, 0};
}

void release_lends(ComponentInstance* inst, CallTask& task) {
  task.lenders.for_each([&](uint32_t i) {
    // A lent handle cannot be removed while lent, so the index still names it.
    if (auto h = inst->handles.get(i)) (*h)->num_lends -= 1;
  });
  task.lenders.clear();
}

// ---- lifted functions ----

api::Result<std::vector<ac::Val>> LiftedFunc::call(ComponentInstance* caller,
                                                   std::span<const ac::Val> args) {
  if (opts.async) return call_async_lifted(*this, caller, args);
  if (!inst->may_enter_from(caller)) return trap_error("cannot enter component instance");
  if (args.size() != param_types.size()) {
    return api::Error(api::ErrorKind::Usage, "expected " + std::to_string(param_types.size()) +
                                                 " arguments, got " + std::to_string(args.size()));
  }
  CallTask task{inst, 0, {}};
  CallTask* saved_task = inst->current_task;
  inst->current_task = &task;
  InstanceContext cx(inst, opts, &task);
  cx.wording = caller ? TrapWording::Adapter : TrapWording::Host;
  inst->set_entered_from(caller, true);
  inst->exclusive_depth += 1;
  auto finish = [&]() {
    inst->exclusive_depth -= 1;
    inst->set_entered_from(caller, false);
    inst->current_task = saved_task;
  };
  auto flat = lower_flat_values(cx, kMaxFlatParams, args, param_types);
  if (!flat) {
    finish();
    return std::move(flat).error();
  }
  // A sync lift returns at most one core value (more spill through memory): no result vector.
  api::Val core_results[kMaxFlatResults];
  std::span<api::Val> results(core_results, core_result_count);
  if (auto r = core.call(*flat, results); !r) {
    finish();
    return std::move(r).error();
  }
  auto out = lift_flat_values(cx, kMaxFlatResults, results, result_types);
  if (!out) {
    finish();
    return std::move(out).error();
  }
  if (opts.post_return) {
    inst->may_leave = false;
    auto r = opts.post_return->call(std::span<const api::Val>(results.data(), results.size()));
    inst->may_leave = true;
    if (!r) {
      finish();
      return std::move(r).error();
    }
  }
  if (task.num_borrows != 0) {
    finish();
    return trap_error("borrow handles still remain at the end of the call");
  }
  finish();
  return out;
}

}  // namespace hull::component

namespace hull::api::component::detail {

Result<std::shared_ptr<hull::component::AsyncTask>> FuncRt::start(
    hull::component::ComponentInstance* caller, std::span<const Val> args, OnResolve on_resolve) {
  auto out = call(caller, args);
  if (!out) return std::move(out).error();
  if (auto r = on_resolve(std::move(*out)); !r) return std::move(r).error();
  return std::shared_ptr<hull::component::AsyncTask>();
}

}  // namespace hull::api::component::detail

namespace hull::component {

api::Result<std::vector<ac::Val>> HostFunc::call(ComponentInstance* caller,
                                                 std::span<const ac::Val> args) {
  std::vector<ac::Val> results;
  api::Result<void> r;
  if (store_fn) {
    if (!caller || !caller->store) {
      return api::Error(api::ErrorKind::Usage,
                        "this host function needs the store of a calling instance");
    }
    r = store_fn(*caller->store, args, results);
  } else {
    r = fn(args, results);
  }
  if (!r) {
    api::Error e = std::move(r).error();
    if (e.trap) return e;
    return api::Error(api::Trap::host(e.message));
  }
  size_t want = type.result.empty() ? 0 : 1;
  if (results.size() != want) {
    return api::Error(api::Trap::host("host function returned " + std::to_string(results.size()) +
                                      " values where " + std::to_string(want) + " was expected"));
  }
  std::string why;
  if (want && !ac::val_matches(results[0], type.result, &why)) {
    return api::Error(api::Trap::host("host function returned a value of the wrong type: " + why));
  }
  return results;
}

namespace {

// Reads a host function's core arguments from its slots (core_args must hold types.size()).
void read_slots(const std::vector<api::ValType>& types, const uint64_t* slots, api::Val* out) {
  for (size_t i = 0; i < types.size(); ++i) out[i] = api::Val::from_slots(types[i], slots + i);
}

std::optional<api::Trap> as_trap(const api::Error& e) {
  return e.trap ? *e.trap : api::Trap::host(e.message);
}

// The body of a lowered import: lift the core arguments, call the callee, lower its results.
std::optional<api::Trap> call_lowered(CanonFuncEnv& e, uint64_t* slots) {
  ComponentInstance* inst = e.inst;
  const LowerPlan& plan = *e.plan;
  if (!inst->may_leave) return abi_trap("cannot leave component instance");
  // A sync lower has at most kMaxFlatParams core parameters, plus the results pointer.
  api::Val core_args[kMaxFlatParams + 1];
  read_slots(plan.core.params, slots, core_args);
  CallTask lend_scope{inst, 0, {}};
  InstanceContext cx(inst, e.opts, &lend_scope);
  cx.wording = e.callee->is_host() ? TrapWording::Host : TrapWording::Adapter;
  size_t n_args = plan.flat_param_count > kMaxFlatParams ? 1 : plan.flat_param_count;
  auto args = lift_flat_values(cx, kMaxFlatParams, std::span<const api::Val>(core_args, n_args),
                               plan.params);
  if (!args) {
    release_lends(inst, lend_scope);
    return as_trap(args.error());
  }
  auto out = e.callee->call(inst, *args);
  release_lends(inst, lend_scope);
  if (!out) return as_trap(out.error());
  uint32_t out_ptr = 0;
  if (plan.results_via_memory)
    out_ptr = static_cast<uint32_t>(core_args[plan.core.params.size() - 1].i32());
  auto flat = lower_flat_values(cx, kMaxFlatResults, *out, plan.results,
                                plan.results_via_memory ? &out_ptr : nullptr);
  if (!flat) return as_trap(flat.error());
  for (size_t i = 0; i < flat->size() && i < plan.core.results.size(); ++i)
    (*flat)[i].to_slots(slots + i);
  return std::nullopt;
}

// Host code may throw (a component Linker's host functions are user code): the exception
// becomes a trap of the call, as in api::make_func_generic.
template <class Body>
std::optional<api::Trap> guarded(Body&& body) {
#if defined(__cpp_exceptions)
  try {
    return body();
  } catch (const std::exception& x) {
    return api::Trap::host(std::string("host exception: ") + x.what());
  } catch (...) {
    return api::Trap::host("host exception");
  }
#else
  return body();
#endif
}

std::optional<api::Trap> lowered_entry(void* state, api::Caller&, uint64_t* slots) {
  return guarded([&] { return call_lowered(*static_cast<CanonFuncEnv*>(state), slots); });
}

std::optional<api::Trap> resource_new_entry(void* state, api::Caller&, uint64_t* slots) {
  CanonFuncEnv& e = *static_cast<CanonFuncEnv*>(state);
  if (!e.inst->may_leave) return abi_trap("cannot leave component instance");
  auto h = e.inst->handles.add(
      HandleEntry{e.rt, static_cast<uint32_t>(slots[0]), true, nullptr, 0, nullptr});
  if (!h) return *h.error().trap;
  slots[0] = *h;
  return std::nullopt;
}

std::optional<api::Trap> resource_rep_entry(void* state, api::Caller&, uint64_t* slots) {
  CanonFuncEnv& e = *static_cast<CanonFuncEnv*>(state);
  uint32_t i = static_cast<uint32_t>(slots[0]);
  auto h = e.inst->handles.get(i);
  if (!h) return *h.error().trap;
  if ((*h)->rt != e.rt) return wrong_type(i, e.rt, (*h)->rt);
  slots[0] = (*h)->rep;
  return std::nullopt;
}

std::optional<api::Trap> resource_drop(CanonFuncEnv& e, uint32_t i) {
  ComponentInstance* inst = e.inst;
  const RuntimeResource* rt = e.rt;
  if (!inst->may_leave) return abi_trap("cannot leave component instance");
  auto g = inst->handles.get(i);
  if (!g) return *g.error().trap;
  if ((*g)->rt != rt) return wrong_type(i, rt, (*g)->rt);
  if ((*g)->own && (*g)->num_lends != 0)
    return abi_trap("cannot remove owned resource while borrowed");
  auto h = inst->handles.remove(i);
  if (!h) return *h.error().trap;
  if (!h->own) {
    if (h->borrow_scope) h->borrow_scope->num_borrows -= 1;
    return std::nullopt;
  }
  if (rt->host_dtor) {
    auto r = rt->host_dtor(inst->store, h->rep);
    if (!r) return as_trap(r.error());
  } else if (rt->dtor) {
    // Spec: a destructor in another instance runs only if that instance may be entered.
    if (rt->impl && rt->impl != inst && !rt->impl->may_enter) {
      return abi_trap("cannot enter component instance");
    }
    api::Val arg(h->rep);
    auto r = rt->dtor->call(std::span<const api::Val>(&arg, 1));
    if (!r) return as_trap(r.error());
  }
  return std::nullopt;
}

std::optional<api::Trap> resource_drop_entry(void* state, api::Caller&, uint64_t* slots) {
  return guarded([&] {
    return resource_drop(*static_cast<CanonFuncEnv*>(state), static_cast<uint32_t>(slots[0]));
  });
}

// The core types of the resource built-ins, registered once per process.
uint32_t i32_to_i32_type_id() {
  static const uint32_t id =
      api::detail::host_type_id(api::FuncType{{api::ValType::I32}, {api::ValType::I32}});
  return id;
}
uint32_t i32_to_none_type_id() {
  static const uint32_t id = api::detail::host_type_id(api::FuncType{{api::ValType::I32}, {}});
  return id;
}

}  // namespace

// ---- lowered functions ----

std::shared_ptr<ac::raw::HostImpl> HostFunc::raw_host() const {
  if (store_fn) {
    const auto* thunk = store_fn.target<ac::raw::StoreHostThunk>();
    return thunk ? thunk->impl : nullptr;
  }
  const auto* thunk = fn.target<ac::raw::HostThunk>();
  return thunk ? thunk->impl : nullptr;
}

ac::raw::HostImpl* accepting_raw_host(const CanonFuncEnv& env) {
  // The callee keeps its host alive: the pointer stays valid after the shared one goes.
  auto host = env.callee->raw_host();
  return host && host->accepts(*env.type) ? host.get() : nullptr;
}

api::Func lower_func(CanonFuncEnv& env) {
  // A typed host function whose C++ signature matches takes the core values directly.
  if (env.raw_host) return lower_raw_host_func(env);
  return api::detail::make_func_unowned(*env.inst->store, env.plan->core_type_id, lowered_entry,
                                        &env);
}

// ---- resource built-ins ----

api::Func resource_new_func(CanonFuncEnv& env) {
  return api::detail::make_func_unowned(*env.inst->store, i32_to_i32_type_id(), resource_new_entry,
                                        &env);
}

api::Func resource_rep_func(CanonFuncEnv& env) {
  return api::detail::make_func_unowned(*env.inst->store, i32_to_i32_type_id(), resource_rep_entry,
                                        &env);
}

api::Func resource_drop_func(CanonFuncEnv& env) {
  return api::detail::make_func_unowned(*env.inst->store, i32_to_none_type_id(),
                                        resource_drop_entry, &env);
}

}  // namespace hull::component
