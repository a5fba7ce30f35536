// wasi-threads: the `wasi` module's `thread-spawn` (Wasmtime's -S threads). A program is the
// main store's instance plus one instance of the same module per spawned thread, each in its
// own Store on its own OS thread, all importing the same shared memory and sharing one
// Preview1Ctx (fds, args, environment) behind its lock. A ThreadGroup is that program: it
// spawns the threads and ends them all when any one of them traps or calls proc_exit.
//
// Ending is cooperative at the check points compiled code already has: every store of the
// program gets the deadline "now" (Store::epoch_deadline, read by each function entry and loop
// header of code compiled with CompileOptions::epochs, which threaded programs must be), and the
// parking lot of every shared memory involved is closed, so that present and future
// memory.atomic.wait calls trap with "interrupt" instead of sleeping. A thread inside a host
// call (a blocking read, a sleep) stops only when the call returns; `hull run` does not wait
// for it but exits the process.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"
#include "wasi/preview1/wasi_preview1.h"

namespace hull::wasi {

constexpr const char* kThreadsModule = "wasi";
constexpr const char* kThreadSpawnName = "thread-spawn";
constexpr const char* kThreadStartExport = "wasi_thread_start";  // (tid i32, start_arg i32)
constexpr uint32_t kMaxThreadId = 0x1FFFFFFF;  // the spec's range of ids is 1..2^29-1

// Whether `module` imports wasi::thread-spawn.
bool imports_thread_spawn(const CompiledModule& module);

// How a program ended: the first of its threads to end it says how.
struct ProgramExit {
  std::optional<uint32_t> code;  // proc_exit's code (0: the main thread returned)
  std::optional<Trap> trap;      // a trap (other than proc_exit's unwinding)
};

struct ThreadOptions {
  // Fuel of each spawned thread's store (code compiled with fuel); unset: the fuel its parent
  // store had left when it spawned it.
  std::optional<uint64_t> fuel;
  // Called once, on the thread that ended the program, right after end() recorded it (e.g.
  // for hull run to exit itself should the main thread stay blocked in a host call).
  std::function<void(const ProgramExit&)> on_end;
};

class ThreadGroup : public std::enable_shared_from_this<ThreadGroup> {
 public:
  // The program whose threads share `ctx`: from now on every preview 1 call holds its lock.
  static std::shared_ptr<ThreadGroup> create(std::shared_ptr<Preview1Ctx> ctx,
                                             ThreadOptions options = {});
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;

  // Defines wasi::thread-spawn for `store` in `linker` and makes `store` one of the program's
  // (stopped by end) until remove_store, which must come before the store is destroyed.
  void define(Linker& linker, Store& store);
  void remove_store(Store& store);

  // Creates each shared memory `module` imports (from the import's type, the maximum capped by
  // store.limits.max_memory_bytes as a definition would be) and defines it for `store`: the
  // program's memory, as Wasmtime's -S threads provides it. Limit error when it cannot be
  // reserved; an imported unshared memory is left undefined (an unknown import).
  Status define_shared_memories(Linker& linker, Store& store, const CompiledModule& module);

  // Ends the program: records `why` unless an end was recorded before, then stops every
  // thread (see the top of this file). Returns the recorded end: the first one. Thread-safe;
  // later calls only return it.
  ProgramExit end(ProgramExit why);
  // The recorded end, if the program has ended.
  std::optional<ProgramExit> ended() const;
  // Threads started so far (failed spawns not counted).
  uint32_t spawned() const { return spawned_.load(std::memory_order_relaxed); }

 private:
  ThreadGroup(std::shared_ptr<Preview1Ctx> ctx, ThreadOptions options);
  static std::optional<Trap> spawn_host(void* env, Store& store, uint64_t* slots);
  // thread-spawn: the new thread's id, or a negated WASI errno.
  int32_t spawn(Store& parent, uint32_t start_arg);
  struct Spawn;
  void run_thread(std::shared_ptr<Spawn> sp);
  void add_store(Store& store);
  void add_memory(const std::shared_ptr<Memory>& m);
  void stop_locked();  // mu_ held

  std::shared_ptr<Preview1Ctx> ctx_;
  ThreadOptions options_;
  std::atomic<uint32_t> next_id_{1};
  std::atomic<uint32_t> spawned_{0};
  mutable std::mutex mu_;
  std::vector<Store*> stores_;                     // the program's live stores
  std::vector<std::shared_ptr<Memory>> memories_;  // its shared memories (parking lots to close)
  std::optional<ProgramExit> end_;
};

}  // namespace hull::wasi
