// The async built-ins other than streams and futures (CanonicalABI.md 🔀/🧵 "canon ..."):
// backpressure, task.return/cancel, context.get/set, waitable sets, subtasks, thread.yield and
// thread.index. Every one first checks may_leave (so none runs inside post-return or realloc).
#include <cstring>

#include "component/runtime/async.h"

namespace hull::component {

namespace {

api::Error trap_error(std::string msg) { return api::Error(abi_trap(std::move(msg))); }
api::Trap to_trap(const api::Error& e) { return e.trap ? *e.trap : api::Trap::host(e.message); }

using Body = std::function<api::Result<void>(ComponentInstance*, std::span<const api::Val>,
                                             std::span<api::Val>)>;

// A core function for a built-in: the may_leave check (`guarded`) most built-ins start with,
// then `body`. context.* and backpressure.* only touch the instance's own state, so they work
// inside post-return too (values/post-return.wast).
api::Func builtin(ComponentInstance* inst, api::FuncType type, Body body, bool guarded = true) {
  return api::make_func_generic(
      *inst->store, std::move(type),
      [inst, body = std::move(body), guarded](api::Caller&, std::span<const api::Val> a,
                                              std::span<api::Val> r) -> std::optional<api::Trap> {
        if (guarded && !inst->may_leave) return abi_trap("cannot leave component instance");
        auto res = body(inst, a, r);
        if (!res) return to_trap(res.error());
        return std::nullopt;
      });
}

uint32_t u32_arg(std::span<const api::Val> a, size_t i) {
  return static_cast<uint32_t>(a[i].i32());
}

api::Result<CallTask*> current_task(ComponentInstance* inst) {
  if (!inst->current_task) return trap_error("this built-in needs a current task");
  return inst->current_task;
}

// The async task of the current call, for task.return and task.cancel.
api::Result<AsyncTask*> current_async_task(ComponentInstance* inst, const char* what) {
  CallTask* t = inst->current_task;
  if (!t || !t->async) {
    return trap_error(std::string("`") + what + "` called from a task that is not async-lifted");
  }
  return t->async;
}

// Writes an event's (index, payload) at `ptr` for waitable-set.wait/poll; returns the code.
api::Result<void> store_event(std::optional<api::Memory>& memory, uint32_t ptr, const Event& ev,
                              std::span<api::Val> r) {
  if (!memory) return trap_error("no memory to store the event in");
  if (ptr % 4 != 0) return trap_error("unaligned pointer");
  if (uint64_t{ptr} + 8 > memory->size()) return trap_error("pointer out of bounds of memory");
  uint8_t* p = memory->data() + ptr;
  uint32_t words[2] = {ev.index, ev.payload};
  std::memcpy(p, words, 8);  // little-endian hosts only, like the rest of the runtime
  r[0] = api::Val(static_cast<uint32_t>(ev.code));
  return {};
}

// A pending cancellation becomes an event at a cancellable wait of an async task.
bool take_cancel(CallTask* t, bool cancellable) {
  if (!cancellable || !t || !t->async) return false;
  AsyncTask* a = t->async;
  if (!a->cancel_requested || a->cancel_delivered) return false;
  a->cancel_delivered = true;
  return true;
}

bool same_memory(const std::optional<api::Memory>& a, const std::optional<api::Memory>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || a->data() == b->data();
}

}  // namespace

api::Result<AsyncObject*> async_object(ComponentInstance* inst, uint32_t index,
                                       AsyncObject::Kind kind, const char* what) {
  auto h = inst->handles.get(index);
  if (!h) return std::move(h).error();
  if (!(*h)->object || (*h)->object->kind != kind) {
    return trap_error("handle index " + std::to_string(index) + " is not a " + what);
  }
  return (*h)->object.get();
}

api::Result<void> block_until(ComponentInstance* inst, const std::function<bool()>& ready) {
  if (ready()) return {};
  CallTask* t = inst->current_task;
  if (!t || !t->may_block) return trap_error("cannot block a synchronous task before returning");
  return scheduler_of(*inst->store).run_until(ready);
}

api::Func async_builtin_func(ComponentInstance* inst, const Canon& c, const ac::Type& value_type,
                             CanonOptions opts, std::optional<api::Memory> memory) {
  using VT = api::ValType;
  switch (c.opcode) {
    case 0x24:  // backpressure.inc
    case 0x25:  // backpressure.dec
      return builtin(
          inst, {{}, {}},
          [inc = c.opcode == 0x24](ComponentInstance* i, auto, auto) {
            if (inc ? i->backpressure == 0xffff : i->backpressure == 0) {
              return api::Result<void>(trap_error("backpressure counter out of range"));
            }
            i->backpressure += inc ? 1 : -1;
            return api::Result<void>();
          },
          /*guarded=*/false);
    case 0x09: {  // task.return
      CoreSignature sig;
      std::vector<ac::Type> types;
      if (!value_type.empty()) {
        types.push_back(value_type);
        ac::FuncType ft;
        ft.params.push_back({"result", value_type});
        sig = flatten_functype(ft, FlattenFor::Lower, CallAbi::Sync);
      }
      return builtin(
          inst, {sig.params, {}},
          [opts, types](ComponentInstance* i, std::span<const api::Val> a,
                        std::span<api::Val>) -> api::Result<void> {
            auto t = current_async_task(i, "task.return");
            if (!t) return std::move(t).error();
            AsyncTask& task = **t;
            const LiftedFunc& f = *task.func;
            // Spec: the result type and the memory/encoding options must be the lift's own.
            if (types != f.result_types || opts.encoding != f.opts.encoding ||
                !same_memory(opts.memory, f.opts.memory)) {
              return trap_error("invalid `task.return` signature and/or options for current task");
            }
            if (task.resolved) {
              return trap_error(
                  "`task.return` or `task.cancel` called more than once for current task");
            }
            if (task.call.num_borrows != 0) {
              return trap_error("borrow handles still remain at the end of the call");
            }
            InstanceContext cx(i, opts, &task.call);
            cx.wording = TrapWording::Adapter;
            auto vals = lift_flat_values(cx, kMaxFlatParams, a, types);
            if (!vals) return std::move(vals).error();
            task.resolved = true;
            if (task.on_resolve) return task.on_resolve(std::move(*vals));
            return {};
          });
    }
    case 0x05:  // task.cancel
      return builtin(inst, {{}, {}}, [](ComponentInstance* i, auto, auto) -> api::Result<void> {
        auto t = current_async_task(i, "task.cancel");
        if (!t) return std::move(t).error();
        AsyncTask& task = **t;
        if (task.resolved) {
          return trap_error(
              "`task.return` or `task.cancel` called more than once for current task");
        }
        if (!task.cancel_delivered) {
          return trap_error("`task.cancel` called by a task that has not been cancelled");
        }
        if (task.call.num_borrows != 0) {
          return trap_error("borrow handles still remain at the end of the call");
        }
        task.resolved = true;
        if (task.on_cancelled) task.on_cancelled();
        return {};
      });
    case 0x0a:  // context.get
      return builtin(
          inst, {{}, {VT::I32}},
          [slot = c.index](ComponentInstance* i, auto, std::span<api::Val> r) {
            auto t = current_task(i);
            if (!t) return api::Result<void>(std::move(t).error());
            r[0] = api::Val((*t)->context[slot]);
            return api::Result<void>();
          },
          /*guarded=*/false);
    case 0x0b:  // context.set
      return builtin(
          inst, {{VT::I32}, {}},
          [slot = c.index](ComponentInstance* i, std::span<const api::Val> a, auto) {
            auto t = current_task(i);
            if (!t) return api::Result<void>(std::move(t).error());
            (*t)->context[slot] = u32_arg(a, 0);
            return api::Result<void>();
          },
          /*guarded=*/false);
    case 0x0c:  // thread.yield cancellable?
      return builtin(inst, {{}, {VT::I32}},
                     [cancellable = c.flag](ComponentInstance* i, auto,
                                            std::span<api::Val> r) -> api::Result<void> {
                       CallTask* t = i->current_task;
                       // Lets other tasks run once; a sync task just continues (it may not
                       // block, and yielding is not blocking).
                       if (t && t->may_block) {
                         auto s = scheduler_of(*i->store).step();
                         if (!s) return std::move(s).error();
                       }
                       r[0] = api::Val(take_cancel(t, cancellable) ? 1u : 0u);
                       return {};
                     });
    case 0x26:  // thread.index
      // Without cooperative threads every task runs on its implicit thread: index 1.
      return builtin(inst, {{}, {VT::I32}}, [](ComponentInstance*, auto, std::span<api::Val> r) {
        r[0] = api::Val(1u);
        return api::Result<void>();
      });
    case 0x1f:  // waitable-set.new
      return builtin(inst, {{}, {VT::I32}},
                     [](ComponentInstance* i, auto, std::span<api::Val> r) -> api::Result<void> {
                       HandleEntry e;
                       e.object = std::make_shared<WaitableSet>();
                       auto h = i->handles.add(e);
                       if (!h) return std::move(h).error();
                       r[0] = api::Val(*h);
                       return {};
                     });
    case 0x20:    // waitable-set.wait cancellable? memory
    case 0x21: {  // waitable-set.poll cancellable? memory
      bool wait = c.opcode == 0x20;
      return builtin(
          inst, {{VT::I32, VT::I32}, {VT::I32}},
          [wait, cancellable = c.flag, memory](ComponentInstance* i, std::span<const api::Val> a,
                                               std::span<api::Val> r) mutable -> api::Result<void> {
            auto o = async_object(i, u32_arg(a, 0), AsyncObject::Kind::WaitableSet, "waitable set");
            if (!o) return std::move(o).error();
            auto* set = static_cast<WaitableSet*>(*o);
            CallTask* t = i->current_task;
            if (take_cancel(t, cancellable)) {
              return store_event(memory, u32_arg(a, 1), {EventCode::TaskCancelled, 0, 0}, r);
            }
            if (wait) {
              auto cancel_pending = [t, cancellable] {
                return cancellable && t && t->async && t->async->cancel_requested &&
                       !t->async->cancel_delivered;
              };
              set->num_waiting += 1;
              auto b = block_until(i, [&] { return set->has_event() || cancel_pending(); });
              set->num_waiting -= 1;
              if (!b) return std::move(b).error();
              if (take_cancel(t, cancellable)) {
                return store_event(memory, u32_arg(a, 1), {EventCode::TaskCancelled, 0, 0}, r);
              }
            }
            Event ev = set->has_event() ? set->take_event() : Event{};
            return store_event(memory, u32_arg(a, 1), ev, r);
          });
    }
    case 0x22:  // waitable-set.drop
      return builtin(
          inst, {{VT::I32}, {}},
          [](ComponentInstance* i, std::span<const api::Val> a, auto) -> api::Result<void> {
            uint32_t index = u32_arg(a, 0);
            auto o = async_object(i, index, AsyncObject::Kind::WaitableSet, "waitable set");
            if (!o) return std::move(o).error();
            auto* set = static_cast<WaitableSet*>(*o);
            if (set->num_waiting > 0) {
              return trap_error("cannot drop waitable set with waiters");
            }
            if (!set->elems.empty()) {
              return trap_error("cannot drop waitable set which still has members");
            }
            auto h = i->handles.remove(index);
            if (!h) return std::move(h).error();
            return {};
          });
    case 0x23:  // waitable.join
      return builtin(
          inst, {{VT::I32, VT::I32}, {}},
          [](ComponentInstance* i, std::span<const api::Val> a, auto) -> api::Result<void> {
            uint32_t wi = u32_arg(a, 0), si = u32_arg(a, 1);
            auto h = i->handles.get(wi);
            if (!h) return std::move(h).error();
            AsyncObject* obj = (*h)->object.get();
            if (!obj || obj->kind == AsyncObject::Kind::WaitableSet) {
              return trap_error("handle index " + std::to_string(wi) + " is not a waitable");
            }
            auto* w = static_cast<Waitable*>(obj);
            if (w->has_sync_waiter) {
              return trap_error("waitable cannot be joined while a synchronous wait is on it");
            }
            WaitableSet* set = nullptr;
            if (si != 0) {
              auto o = async_object(i, si, AsyncObject::Kind::WaitableSet, "waitable set");
              if (!o) return std::move(o).error();
              set = static_cast<WaitableSet*>(*o);
            }
            w->join(set);
            return {};
          });
    case 0x06:  // subtask.cancel async?
      return builtin(
          inst, {{VT::I32}, {VT::I32}},
          [async = c.flag](ComponentInstance* i, std::span<const api::Val> a,
                           std::span<api::Val> r) -> api::Result<void> {
            uint32_t index = u32_arg(a, 0);
            auto o = async_object(i, index, AsyncObject::Kind::Subtask, "subtask");
            if (!o) return std::move(o).error();
            auto* s = static_cast<Subtask*>(*o);
            if (s->resolve_delivered) {
              return trap_error("cannot cancel a subtask whose result was already delivered");
            }
            if (s->cancellation_requested) {
              return trap_error("subtask cancellation already requested");
            }
            if (s->set && !async) {
              return trap_error(
                  "waitable cannot be used synchronously while added to a waitable set");
            }
            s->cancellation_requested = true;
            if (!s->resolved() && s->callee) {
              // Delivered at the callee's next cancellable wait (its event loop's is).
              s->callee->cancel_requested = true;
            }
            if (!s->resolved()) {
              if (async) {
                r[0] = api::Val(kBlocked);
                return {};
              }
              auto b = block_until(i, [s] { return s->resolved(); });
              if (!b) return std::move(b).error();
            }
            // The event (if any) is consumed: the caller learns the outcome here.
            if (s->has_event()) (void)s->take_event();
            if (!s->resolve_delivered) {
              release_lends(i, s->lends);
              s->resolve_delivered = true;
            }
            r[0] = api::Val(static_cast<uint32_t>(s->state));
            return {};
          });
    case 0x0d:  // subtask.drop
      return builtin(
          inst, {{VT::I32}, {}},
          [](ComponentInstance* i, std::span<const api::Val> a, auto) -> api::Result<void> {
            uint32_t index = u32_arg(a, 0);
            auto o = async_object(i, index, AsyncObject::Kind::Subtask, "subtask");
            if (!o) return std::move(o).error();
            auto* s = static_cast<Subtask*>(*o);
            if (!s->resolve_delivered) {
              return trap_error("cannot drop a subtask which has not yet resolved");
            }
            s->join(nullptr);
            auto h = i->handles.remove(index);
            if (!h) return std::move(h).error();
            return {};
          });
    default: break;
  }
  if ((c.opcode >= 0x0e && c.opcode <= 0x1b)) {
    return stream_builtin_func(inst, c, value_type, std::move(opts));
  }
  // thread.new-indirect, thread.resume-later, thread.suspend and the *-then-* family need
  // cooperative threads (separate stacks), which Hull does not have.
  api::FuncType type;
  switch (c.opcode) {
    case 0x27: type = {{VT::I32, VT::I32}, {VT::I32}}; break;
    case 0x28: type = {{VT::I32}, {}}; break;
    case 0x29: type = {{}, {VT::I32}}; break;
    default: type = {{VT::I32}, {VT::I32}}; break;
  }
  return builtin(inst, std::move(type), [](ComponentInstance*, auto, auto) {
    return api::Result<void>(
        trap_error("cooperative thread built-ins (thread.new-indirect, thread.suspend, ...) are "
                   "not supported by Hull yet"));
  });
}

}  // namespace hull::component
