// Async calls (CanonicalABI.md "canon lift" and "canon lower" with `async`), the event loop
// that resumes `callback` tasks, and waitable sets (see async.h for the model).
#include "component/runtime/async.h"

namespace hull::component {

namespace {

api::Error trap_error(std::string msg) { return api::Error(abi_trap(std::move(msg))); }

std::optional<api::Trap> as_trap(const api::Error& e) {
  return e.trap ? *e.trap : api::Trap::host(e.message);
}

const int kSchedulerKey = 0;  // the address keys the store slot

// Makes `task` the instance's current task while in scope (restored after, also on error).
class CurrentTask {
 public:
  CurrentTask(ComponentInstance* inst, CallTask* task, bool exclusive)
      : inst_(inst), saved_(inst->current_task), exclusive_(exclusive) {
    inst_->current_task = task;
    if (exclusive_) inst_->exclusive_depth += 1;
  }
  ~CurrentTask() {
    inst_->current_task = saved_;
    if (exclusive_) inst_->exclusive_depth -= 1;
  }
  CurrentTask(const CurrentTask&) = delete;
  CurrentTask& operator=(const CurrentTask&) = delete;

 private:
  ComponentInstance* inst_;
  CallTask* saved_;
  bool exclusive_;
};

// The task's last word: it must have returned (or cancelled), and returned every borrow.
api::Result<void> exit_task(AsyncTask& t) {
  t.exited = true;
  if (!t.resolved) return trap_error("async-lifted export failed to produce a result");
  if (t.call.num_borrows != 0) {
    return trap_error("borrow handles still remain at the end of the call");
  }
  return {};
}

// Acts on a callback's packed result: EXIT ends the task, YIELD and WAIT park it.
api::Result<void> after_callback(const std::shared_ptr<AsyncTask>& t, uint32_t packed) {
  uint32_t code = packed & 0xf;
  switch (code) {
    case 0: return exit_task(*t);
    case 1: t->suspend = AsyncTask::Suspend::Yield; break;
    case 2: {
      t->suspend = AsyncTask::Suspend::Wait;
      t->wait_set = packed >> 4;
      auto h = t->inst->handles.get(t->wait_set);
      if (!h) return std::move(h).error();
      if (!(*h)->object || (*h)->object->kind != AsyncObject::Kind::WaitableSet) {
        return trap_error("handle index " + std::to_string(t->wait_set) + " is not a waitable set");
      }
      break;
    }
    default: return trap_error("unsupported callback code: " + std::to_string(code));
  }
  scheduler_of(*t->inst->store).parked.push_back(t);
  return {};
}

// The waitable set a parked task waits on (null if its handle went away: then it cannot run).
WaitableSet* wait_set_of(const AsyncTask& t) {
  auto h = t.inst->handles.get(t.wait_set);
  if (!h || !(*h)->object || (*h)->object->kind != AsyncObject::Kind::WaitableSet) return nullptr;
  return static_cast<WaitableSet*>((*h)->object.get());
}

}  // namespace

// ---- waitables ----

Event Waitable::take_event() {
  std::function<Event()> f = std::move(pending);
  pending = nullptr;
  return f();
}

void Waitable::join(WaitableSet* s) {
  if (set) std::erase(set->elems, this);
  set = s;
  if (s) s->elems.push_back(this);
}

bool WaitableSet::has_event() const {
  for (const Waitable* w : elems) {
    if (w->has_event()) return true;
  }
  return false;
}

Event WaitableSet::take_event() {
  for (Waitable* w : elems) {
    if (w->has_event()) return w->take_event();
  }
  return {};
}

// ---- the event loop ----

Scheduler& scheduler_of(api::Store& store) {
  if (void* p = store.slot(&kSchedulerKey)) return *static_cast<Scheduler*>(p);
  auto s = std::make_shared<Scheduler>();
  Scheduler* raw = s.get();
  store.set_slot(&kSchedulerKey, std::move(s));
  return *raw;
}

api::Result<bool> Scheduler::step() {
  for (size_t i = 0; i < parked.size(); ++i) {
    std::shared_ptr<AsyncTask> t = parked[i];
    // Spec: a callback runs only while no other core code of its instance holds it
    // (exclusive_thread), and only once what it waits for is there.
    if (t->inst->exclusive_depth != 0) continue;
    Event ev;
    if (t->cancel_requested && !t->cancel_delivered) {
      t->cancel_delivered = true;
      ev = {EventCode::TaskCancelled, 0, 0};
    } else if (t->suspend == AsyncTask::Suspend::Wait) {
      WaitableSet* ws = wait_set_of(*t);
      if (!ws || !ws->has_event()) continue;
      ev = ws->take_event();
    }
    parked.erase(parked.begin() + static_cast<ptrdiff_t>(i));
    t->suspend = AsyncTask::Suspend::None;
    api::Val args[3] = {api::Val(static_cast<uint32_t>(ev.code)), api::Val(ev.index),
                        api::Val(ev.payload)};
    api::Val packed;
    {
      CurrentTask scope(t->inst, &t->call, /*exclusive=*/true);
      auto r = t->func->opts.callback->call(args, std::span<api::Val>(&packed, 1));
      if (!r) return std::move(r).error();
    }
    if (auto r = after_callback(t, static_cast<uint32_t>(packed.i32())); !r) {
      return std::move(r).error();
    }
    return true;
  }
  return false;
}

api::Result<void> Scheduler::run_until(const std::function<bool()>& ready) {
  while (!ready()) {
    auto progressed = step();
    if (!progressed) return std::move(progressed).error();
    if (!*progressed)
      return trap_error("deadlock detected: event loop cannot make further progress");
  }
  return {};
}

// ---- async lift ----

api::Result<std::shared_ptr<AsyncTask>> LiftedFunc::start(ComponentInstance* caller,
                                                          std::span<const ac::Val> args,
                                                          OnResolve on_resolve) {
  if (!opts.async) return FuncRt::start(caller, args, std::move(on_resolve));
  if (!inst->may_enter_from(caller)) return trap_error("cannot enter component instance");
  if (args.size() != param_types.size()) {
    return api::Error(api::ErrorKind::Usage, "expected " + std::to_string(param_types.size()) +
                                                 " arguments, got " + std::to_string(args.size()));
  }
  auto t = std::make_shared<AsyncTask>();
  t->inst = inst;
  t->func = this;
  t->on_resolve = std::move(on_resolve);
  t->call.inst = inst;
  t->call.async = t.get();
  t->call.may_block = type.async;
  InstanceContext cx(inst, opts, &t->call);
  cx.wording = caller ? TrapWording::Adapter : TrapWording::Host;
  auto flat = lower_flat_values(cx, kMaxFlatParams, args, param_types);
  if (!flat) return std::move(flat).error();
  if (!opts.callback) {
    // Stackful: the core function runs to its end here; its waits run the event loop inline.
    {
      CurrentTask scope(inst, &t->call, /*exclusive=*/false);
      if (auto r = core.call(*flat, {}); !r) return std::move(r).error();
    }
    if (auto r = exit_task(*t); !r) return std::move(r).error();
    return std::shared_ptr<AsyncTask>();
  }
  api::Val packed;
  {
    CurrentTask scope(inst, &t->call, /*exclusive=*/true);
    if (auto r = core.call(*flat, std::span<api::Val>(&packed, 1)); !r) {
      return std::move(r).error();
    }
  }
  if (auto r = after_callback(t, static_cast<uint32_t>(packed.i32())); !r) {
    return std::move(r).error();
  }
  if (t->resolved) return std::shared_ptr<AsyncTask>();
  return t;
}

api::Result<std::vector<ac::Val>> call_async_lifted(LiftedFunc& f, ComponentInstance* caller,
                                                    std::span<const ac::Val> args) {
  std::optional<std::vector<ac::Val>> result;
  auto t = f.start(caller, args, [&result](std::vector<ac::Val>&& v) -> api::Result<void> {
    result = std::move(v);
    return {};
  });
  if (!t) return std::move(t).error();
  if (!result) {
    // A synchronous caller (the host, or a sync lower) waits for the value: run the loop.
    CallTask* waiter = caller ? caller->current_task : nullptr;
    if (waiter && !waiter->may_block) {
      return trap_error("cannot block a synchronous task before returning");
    }
    auto r = scheduler_of(*f.inst->store).run_until([&] { return result.has_value(); });
    // The caller's result dies with this frame: later task.return calls must not write it.
    if (*t) (*t)->on_resolve = nullptr;
    if (!r) return std::move(r).error();
  }
  return std::move(*result);
}

// ---- async lower ----

api::Func lower_async_func(ComponentInstance* inst, std::shared_ptr<FuncRt> callee,
                           CanonOptions opts) {
  CoreSignature sig = flatten_functype(callee->type, FlattenFor::Lower, CallAbi::Async);
  std::vector<ac::Type> params, results;
  for (const ac::Field& p : callee->type.params) params.push_back(p.type);
  if (!callee->type.result.empty()) results.push_back(callee->type.result);
  size_t flat_params = sig.params.size() - (results.empty() ? 0 : 1);
  auto fn = [inst, callee, opts = std::move(opts), params = std::move(params),
             results = std::move(results),
             flat_params](api::Caller&, std::span<const api::Val> core_args,
                          std::span<api::Val> core_results) -> std::optional<api::Trap> {
    if (!inst->may_leave) return abi_trap("cannot leave component instance");
    auto sub = std::make_shared<Subtask>();
    sub->caller = inst;
    sub->lends.inst = inst;
    InstanceContext cx(inst, opts, &sub->lends);
    cx.wording = callee->is_host() ? TrapWording::Host : TrapWording::Adapter;
    auto args = lift_flat_values(cx, kMaxFlatAsyncParams, core_args.first(flat_params), params);
    if (!args) {
      release_lends(inst, sub->lends);
      return as_trap(args.error());
    }
    uint32_t out_ptr = results.empty() ? 0 : static_cast<uint32_t>(core_args.back().i32());
    std::weak_ptr<Subtask> weak = sub;
    // Lowers the result into the caller's memory when the callee returns, now or later.
    auto on_resolve = [inst, opts, results, out_ptr, weak,
                       wording = cx.wording](std::vector<ac::Val>&& vals) -> api::Result<void> {
      auto s = weak.lock();
      if (!s) return {};  // the caller's subtask is gone (its instance trapped)
      if (!results.empty()) {
        InstanceContext rcx(inst, opts, nullptr);
        rcx.wording = wording;
        uint32_t ptr = out_ptr;
        auto r = lower_flat_values(rcx, 0, vals, results, &ptr);
        if (!r) return std::move(r).error();
      }
      s->state = Subtask::State::Returned;
      s->callee = nullptr;
      if (s->handle != 0) {
        Subtask* raw = s.get();
        s->pending = [raw]() {
          if (!raw->resolve_delivered) {
            release_lends(raw->caller, raw->lends);
            raw->resolve_delivered = true;
          }
          return Event{EventCode::Subtask, raw->handle, static_cast<uint32_t>(raw->state)};
        };
      }
      return {};
    };
    auto pending = callee->start(inst, *args, std::move(on_resolve));
    if (!pending) {
      release_lends(inst, sub->lends);
      return as_trap(pending.error());
    }
    if (sub->resolved()) {
      release_lends(inst, sub->lends);
      sub->resolve_delivered = true;
      core_results[0] = api::Val(static_cast<uint32_t>(Subtask::State::Returned));
      return std::nullopt;
    }
    sub->callee = *pending;
    // task.cancel in the callee resolves the subtask without a value.
    sub->callee->on_cancelled = [weak]() {
      auto s = weak.lock();
      if (!s) return;
      s->state = Subtask::State::CancelledBeforeReturned;
      s->callee = nullptr;
      Subtask* raw = s.get();
      s->pending = [raw]() {
        if (!raw->resolve_delivered) {
          release_lends(raw->caller, raw->lends);
          raw->resolve_delivered = true;
        }
        return Event{EventCode::Subtask, raw->handle, static_cast<uint32_t>(raw->state)};
      };
    };
    HandleEntry e;
    e.rt = nullptr;
    e.object = sub;
    auto h = inst->handles.add(e);
    if (!h) return as_trap(h.error());
    sub->handle = *h;
    core_results[0] = api::Val(static_cast<uint32_t>(sub->state) | (*h << 4));
    return std::nullopt;
  };
  return api::make_func_generic(*inst->store, api::FuncType{sig.params, sig.results},
                                std::move(fn));
}

}  // namespace hull::component
