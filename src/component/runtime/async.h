// Component-model async at runtime (CanonicalABI.md "Waitable State" .. "Future State",
// "canon lift" / "canon lower" async, the 🔀 built-ins), for one single-threaded store.
//
// Hull has no fibers: a stackful async callee runs on the native stack of its caller, and a
// wait (waitable-set.wait, a synchronous stream copy, a sync call of a blocked callee) runs the
// store's event loop inline -- resuming suspended `callback` tasks -- until what it waits for is
// ready. When nothing can make progress the wait traps ("deadlock detected"), never hangs.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "component/runtime/runtime.h"

namespace hull::component {

// CanonicalABI.md EventCode, with the payload core wasm receives.
enum class EventCode : uint32_t {
  None = 0,
  Subtask = 1,
  StreamRead = 2,
  StreamWrite = 3,
  FutureRead = 4,
  FutureWrite = 5,
  TaskCancelled = 6,
};
struct Event {
  EventCode code = EventCode::None;
  uint32_t index = 0;
  uint32_t payload = 0;
};

inline constexpr uint32_t kBlocked = 0xffffffffu;

struct WaitableSet;

// An element of a handle table that is not a resource.
struct AsyncObject {
  enum class Kind : uint8_t { WaitableSet, Subtask, StreamEnd, FutureEnd };
  explicit AsyncObject(Kind k) : kind(k) {}
  virtual ~AsyncObject() = default;
  const Kind kind;
};

// Something a waitable set can wait on: an event becomes pending (a closure, run when the
// event is delivered, as in the spec, so that the latest state is reported).
struct Waitable : AsyncObject {
  using AsyncObject::AsyncObject;
  std::function<Event()> pending;
  WaitableSet* set = nullptr;  // kept alive by the table (a set with members cannot be dropped)
  bool has_sync_waiter = false;
  uint32_t handle = 0;  // the index core wasm knows it by
  bool has_event() const { return static_cast<bool>(pending); }
  Event take_event();
  void join(WaitableSet* s);
};

struct WaitableSet : AsyncObject {
  WaitableSet() : AsyncObject(Kind::WaitableSet) {}
  std::vector<Waitable*> elems;
  uint32_t num_waiting = 0;
  bool has_event() const;
  Event take_event();  // the first member with an event (deterministic order)
};

// The caller's view of an async-lowered call that did not finish at once.
struct Subtask : Waitable {
  enum class State : uint32_t {
    Starting = 0,
    Started = 1,
    Returned = 2,
    CancelledBeforeStarted = 3,
    CancelledBeforeReturned = 4,
  };
  Subtask() : Waitable(Kind::Subtask) {}
  State state = State::Started;  // Hull lifts the arguments before returning to the caller
  bool resolve_delivered = false;
  bool cancellation_requested = false;
  ComponentInstance* caller = nullptr;
  CallTask lends;                     // handles the caller lent for the call
  std::shared_ptr<AsyncTask> callee;  // null once resolved or for host callees
  bool resolved() const { return state >= State::Returned; }
};

// An async-lifted call (the spec's Task for `canon lift ... async`).
struct AsyncTask {
  enum class Suspend : uint8_t { None, Yield, Wait };
  ComponentInstance* inst = nullptr;
  LiftedFunc* func = nullptr;
  CallTask call;                       // borrows, context, current_task
  FuncRt::OnResolve on_resolve;        // hands the result to the caller
  std::function<void()> on_cancelled;  // task.cancel: the caller's subtask resolves empty
  bool resolved = false;               // task.return or task.cancel happened
  bool exited = false;                 // the core function (or callback loop) finished
  bool cancel_requested = false;
  bool cancel_delivered = false;
  Suspend suspend = Suspend::None;  // why a callback task is parked
  uint32_t wait_set = 0;            // Suspend::Wait: the waitable set's handle
};

// Per-store event loop state.
struct Scheduler {
  std::deque<std::shared_ptr<AsyncTask>> parked;  // callback tasks waiting (YIELD / WAIT)
  // Resumes one parked task that can run. false: nothing can.
  api::Result<bool> step();
  // Runs the loop until `ready()`; traps with a deadlock when nothing can make progress.
  api::Result<void> run_until(const std::function<bool()>& ready);
};
Scheduler& scheduler_of(api::Store& store);

// LiftedFunc::call for `canon lift ... async`: start, then run the event loop until resolved.
api::Result<std::vector<ac::Val>> call_async_lifted(LiftedFunc& f, ComponentInstance* caller,
                                                    std::span<const ac::Val> args);
// `canon lower ... async`: the core function an async caller imports.
api::Func lower_async_func(ComponentInstance* inst, std::shared_ptr<FuncRt> callee,
                           CanonOptions opts);
// Blocks the current task of `inst` until `ready()`: traps when that task may not block (a
// sync-typed function before it returned), else runs the event loop.
api::Result<void> block_until(ComponentInstance* inst, const std::function<bool()>& ready);
// Typed access to an async element of `inst`'s table (a trap if the index names anything else).
api::Result<AsyncObject*> async_object(ComponentInstance* inst, uint32_t index,
                                       AsyncObject::Kind kind, const char* what);
// stream.* and future.* (streams.cc).
api::Func stream_builtin_func(ComponentInstance* inst, const Canon& c, const ac::Type& type,
                              CanonOptions opts);

// The async built-ins (task.*, context.*, waitable-set.*, subtask.*, stream.*, future.*,
// thread.*): `value_type` is the task.return result or stream/future type; `memory` the
// waitable-set.wait/poll memory.
api::Func async_builtin_func(ComponentInstance* inst, const Canon& c, const ac::Type& value_type,
                             CanonOptions opts, std::optional<api::Memory> memory);

}  // namespace hull::component
