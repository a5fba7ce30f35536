// wasi_snapshot_preview1 for the engine: defines every function in a Linker, backed by a
// WasiState. The entry point used by `hull run`.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "base/result.h"
#include "engine/engine.h"
#include "wasi/core/wasi_state.h"

namespace hull::wasi {

constexpr const char* kProcExitMessage = "wasi proc_exit";
constexpr const char* kPreview1Module = "wasi_snapshot_preview1";

// The state plus how to find the guest memory. Host functions use Store::caller when the tier
// sets it, else `instance` (set by the embedder once the command module is instantiated).
struct Preview1Ctx;
struct Preview1Binding {  // a host function's env: the context and its table entry
  Preview1Ctx* ctx;
  const void* def;
};
struct Preview1Ctx {
  WasiState state;
  Instance* instance = nullptr;
  std::deque<Preview1Binding> bindings;  // stable addresses for the host functions' env
  // Several threads' stores share this context (wasi-threads, threads.h): set before the second
  // thread starts, after which every call that reads or changes `state` holds `lock`, and so
  // does define_preview1's growth of `bindings`.
  bool threaded = false;
  std::mutex lock;
  // Called (without `lock`) after a guest's proc_exit has set state.exit_code: the ThreadGroup
  // ends the program there, whichever thread called it.
  std::function<void(uint32_t code)> on_exit;
};

// Defines all preview 1 functions under "wasi_snapshot_preview1" in `store`. `ctx` must outlive
// every call into them.
void define_preview1(Linker& linker, Store& store, Preview1Ctx& ctx);

// True when `trap` is the unwinding of proc_exit (the code is in ctx.state.exit_code).
bool is_proc_exit(const Trap& trap);

// Names of all functions defined (for tests and --help).
std::vector<const char*> preview1_function_names();

}  // namespace hull::wasi
