// wasi::thread-spawn: a new OS thread with a new Store and a new instance of the calling
// instance's module, sharing its memory and WASI context; and ending the whole program from any
// thread (see threads.h).
#include "wasi/preview1/threads.h"

#include <algorithm>
#include <future>
#include <system_error>
#include <thread>

#include "runtime/shared_memory.h"
#include "wasi/core/errno.h"

namespace hull::wasi {

namespace {

int32_t negated(Errno e) { return -static_cast<int32_t>(e); }

// The traps a thread reports outlive its store: drop what points into it (the frames'
// instances, an uncaught exception's object), keeping the text.
Trap detach(Trap t) {
  for (TrapFrame& f : t.backtrace) f.instance = nullptr;
  t.exception = nullptr;
  return t;
}

// The entry point export, if `inst` has one of the right type: (i32, i32) -> ().
Function* thread_start(const Instance& inst) {
  auto it = inst.exports.find(kThreadStartExport);
  if (it == inst.exports.end() || it->second.kind != ExternKind::Func) return nullptr;
  Function* f = it->second.func;
  const FuncType& t = *f->type;
  if (t.params.size() != 2 || !t.results.empty()) return nullptr;
  for (const ValType& p : t.params)
    if (p != ValType::i32()) return nullptr;
  return f;
}

}  // namespace

bool imports_thread_spawn(const CompiledModule& module) {
  for (const Import& imp : module.desc.imports) {
    if (imp.kind == ExternKind::Func && imp.module == kThreadsModule &&
        imp.name == kThreadSpawnName)
      return true;
  }
  return false;
}

// What a spawning thread hands the new one, and the new thread's answer (its id, or a negated
// errno when it could not instantiate).
struct ThreadGroup::Spawn {
  std::shared_ptr<const CompiledModule> module;
  // The parent instance's imported memories, in import order (null: not shared).
  std::vector<std::shared_ptr<Memory>> memories;
  StoreLimits limits;
  uint64_t fuel = 0;
  uint64_t deadline = UINT64_MAX;  // the parent store's (absolute) epoch deadline
  uint32_t id = 0;
  uint32_t start_arg = 0;
  std::promise<int32_t> started;
};

ThreadGroup::ThreadGroup(std::shared_ptr<Preview1Ctx> ctx, ThreadOptions options)
    : ctx_(std::move(ctx)), options_(options) {}

std::shared_ptr<ThreadGroup> ThreadGroup::create(std::shared_ptr<Preview1Ctx> ctx,
                                                 ThreadOptions options) {
  // Before any thread can be spawned (and never cleared), so that every call that could meet
  // another thread's sees it.
  ctx->threaded = true;
  std::shared_ptr<ThreadGroup> group(new ThreadGroup(ctx, options));
  // proc_exit in any thread, the main one included, ends the program at once, with its own code
  // (not one another thread's proc_exit wrote meanwhile). Weak: the group owns the context.
  std::weak_ptr<ThreadGroup> weak = group;
  ctx->on_exit = [weak](uint32_t code) {
    if (auto g = weak.lock()) g->end(ProgramExit{code, std::nullopt});
  };
  return group;
}

void ThreadGroup::define(Linker& linker, Store& store) {
  FuncType type;
  type.params.push_back(ValType::i32());
  type.results.push_back(ValType::i32());
  Function* f = create_host_function(store, type, spawn_host, this);
  linker.define(kThreadsModule, kThreadSpawnName, Extern::of(f));
  add_store(store);
}

void ThreadGroup::add_store(Store& store) {
  std::lock_guard<std::mutex> lock(mu_);
  stores_.push_back(&store);
  // A store joining a program that already ended stops at its first check point.
  if (end_) store.interrupt();
}

void ThreadGroup::remove_store(Store& store) {
  std::lock_guard<std::mutex> lock(mu_);
  stores_.erase(std::remove(stores_.begin(), stores_.end(), &store), stores_.end());
}

void ThreadGroup::add_memory(const std::shared_ptr<Memory>& m) {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::find(memories_.begin(), memories_.end(), m) != memories_.end()) return;
  memories_.push_back(m);
  if (end_) m->shared->parking.interrupt_all();
}

Status ThreadGroup::define_shared_memories(Linker& linker, Store& store,
                                           const CompiledModule& module) {
  for (const Import& imp : module.desc.imports) {
    if (imp.kind != ExternKind::Memory || !imp.memory.limits.shared) continue;
    auto m = new_shared_memory(imp.memory, store.limits.max_memory_bytes);
    if (!m) return m.error();
    adopt_shared_memory(store, *m);
    add_memory(*m);
    linker.define(imp.module, imp.name, Extern::of(m->get()));
  }
  return {};
}

ProgramExit ThreadGroup::end(ProgramExit why) {
  bool first = false;
  ProgramExit recorded;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!end_) {
      if (why.trap) why.trap = detach(std::move(*why.trap));
      end_ = std::move(why);
      stop_locked();
      first = true;
    }
    recorded = *end_;
  }
  if (first && options_.on_end) options_.on_end(recorded);  // unlocked: it may call ended()
  return recorded;
}

std::optional<ProgramExit> ThreadGroup::ended() const {
  std::lock_guard<std::mutex> lock(mu_);
  return end_;
}

void ThreadGroup::stop_locked() {
  // Deadline 0 has passed whatever the epoch: each store's code traps ("interrupt") at its next
  // function entry or loop header, and a wait traps on entry.
  for (Store* s : stores_) s->interrupt();
  // Waiters parked now would not reach a check point: wake them into the same trap.
  for (const auto& m : memories_) m->shared->parking.interrupt_all();
}

std::optional<Trap> ThreadGroup::spawn_host(void* env, Store& store, uint64_t* slots) {
  auto* group = static_cast<ThreadGroup*>(env);
  slots[0] = static_cast<uint32_t>(group->spawn(store, static_cast<uint32_t>(slots[0])));
  return std::nullopt;
}

int32_t ThreadGroup::spawn(Store& parent, uint32_t start_arg) {
  const Instance* caller = parent.caller;
  if (!caller) return negated(Errno::inval);  // called from the host, not from an instance
  if (ended()) return negated(Errno::again);
  // Checked here, on the caller's instance of the same module, so that a module unfit for
  // threads gets an error rather than threads that trap at once.
  if (!thread_start(*caller)) return negated(Errno::inval);
  auto sp = std::make_shared<Spawn>();
  sp->module = caller->module;
  bool any_shared = false;
  size_t memory_index = 0;
  for (const Import& imp : sp->module->desc.imports) {
    if (imp.kind != ExternKind::Memory) continue;
    std::shared_ptr<Memory> m = shared_memory_of(parent, caller->memories[memory_index++]);
    if (m) {
      any_shared = true;
      add_memory(m);
    }
    sp->memories.push_back(std::move(m));
  }
  // Without an imported shared memory the new instance would get memories of its own, and the
  // threads could not communicate: not a wasi-threads module.
  if (!any_shared) return negated(Errno::inval);
  // Ids are never reused: 2^29 - 1 spawns in all.
  uint32_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  if (id > kMaxThreadId) {
    next_id_.store(kMaxThreadId + 1, std::memory_order_relaxed);  // no wrap-around
    return negated(Errno::again);
  }
  sp->limits = parent.limits;
  sp->fuel = options_.fuel ? *options_.fuel : parent.fuel_remaining();
  sp->deadline = parent.epoch_deadline.load(std::memory_order_relaxed);
  sp->id = id;
  sp->start_arg = start_arg;
  std::future<int32_t> started = sp->started.get_future();
  try {
    std::thread([self = shared_from_this(), sp] { self->run_thread(sp); }).detach();
  } catch (const std::system_error&) {  // no more OS threads
    return negated(Errno::again);
  }
  // The new thread instantiates in its own store; waiting for it lets an instantiation failure
  // (a store limit, an import only the main thread has) come back as this call's error.
  const int32_t result = started.get();
  if (result > 0) spawned_.fetch_add(1, std::memory_order_relaxed);
  return result;
}

void ThreadGroup::run_thread(std::shared_ptr<Spawn> sp) {
  Store store;
  store.limits = sp->limits;
  store.set_fuel(sp->fuel);
  Linker linker;
  // The program's deadline (hull run --timeout) holds for every thread. Set before the store
  // joins the program, so that it cannot overwrite the "now" of an end() that follows.
  store.epoch_deadline.store(sp->deadline, std::memory_order_relaxed);
  define_preview1(linker, store, *ctx_);
  define(linker, store);  // joins the program: stopped with it from now on
  struct Leave {          // before `store` goes away, on every path
    ThreadGroup* g;
    Store* s;
    ~Leave() { g->remove_store(*s); }
  } leave{this, &store};
  size_t memory_index = 0;
  for (const Import& imp : sp->module->desc.imports) {
    if (imp.kind != ExternKind::Memory) continue;
    const std::shared_ptr<Memory>& m = sp->memories[memory_index++];
    if (!m) continue;  // an unshared memory: left to fail as an unknown import
    adopt_shared_memory(store, m);
    linker.define(imp.module, imp.name, Extern::of(m.get()));
  }
  auto inst = linker.instantiate(store, sp->module);
  if (!inst) {
    // An import only the main thread has is the module's fault; anything else (a limit, a
    // trapping start function) a condition of the moment.
    sp->started.set_value(
        negated(inst.error().kind == ErrorKind::Unlinkable ? Errno::inval : Errno::again));
    return;
  }
  Function* start = thread_start(**inst);
  sp->started.set_value(static_cast<int32_t>(sp->id));
  const Val args[] = {Val::from_i32(sp->id), Val::from_i32(sp->start_arg)};
  auto r = invoke(store, start, args);
  if (!r || !r->trapped()) return;  // returned: this thread is done, the program goes on
  // proc_exit has ended the program already (Preview1Ctx::on_exit). An "interrupt" after the
  // program ended is its echo: end keeps the first reason.
  if (!is_proc_exit(*r->trap)) end(ProgramExit{std::nullopt, std::move(*r->trap)});
}

}  // namespace hull::wasi
