// The preview 1 function table (name, wasm signature, implementation) and the host trampoline
// that finds the caller's memory and turns an implementation's errno into the i32 result.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>

#include "wasi/preview1/call.h"
#include "wasi/preview1/wasi_preview1.h"

namespace hull::wasi {

namespace {

using p1::Impl;

struct FuncDef {
  const char* name;
  const char* params;  // 'i' = i32, 'I' = i64
  bool returns_errno;  // false only for proc_exit
  Impl impl;
};

// Signatures as in wasi_snapshot_preview1.witx (pointers and sizes are i32; u64, filesize,
// timestamp, rights, dircookie and filedelta are i64).
const FuncDef kFuncs[] = {
    {"args_get", "ii", true, p1::args_get},
    {"args_sizes_get", "ii", true, p1::args_sizes_get},
    {"environ_get", "ii", true, p1::environ_get},
    {"environ_sizes_get", "ii", true, p1::environ_sizes_get},
    {"clock_res_get", "ii", true, p1::clock_res_get},
    {"clock_time_get", "iIi", true, p1::clock_time_get},
    {"fd_advise", "iIIi", true, p1::fd_advise},
    {"fd_allocate", "iII", true, p1::fd_allocate},
    {"fd_close", "i", true, p1::fd_close},
    {"fd_datasync", "i", true, p1::fd_datasync},
    {"fd_fdstat_get", "ii", true, p1::fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", true, p1::fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", true, p1::fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", true, p1::fd_filestat_get},
    {"fd_filestat_set_size", "iI", true, p1::fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", true, p1::fd_filestat_set_times},
    {"fd_pread", "iiiIi", true, p1::fd_pread},
    {"fd_prestat_get", "ii", true, p1::fd_prestat_get},
    {"fd_prestat_dir_name", "iii", true, p1::fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi", true, p1::fd_pwrite},
    {"fd_read", "iiii", true, p1::fd_read},
    {"fd_readdir", "iiiIi", true, p1::fd_readdir},
    {"fd_renumber", "ii", true, p1::fd_renumber},
    {"fd_seek", "iIii", true, p1::fd_seek},
    {"fd_sync", "i", true, p1::fd_sync},
    {"fd_tell", "ii", true, p1::fd_tell},
    {"fd_write", "iiii", true, p1::fd_write},
    {"path_create_directory", "iii", true, p1::path_create_directory},
    {"path_filestat_get", "iiiii", true, p1::path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", true, p1::path_filestat_set_times},
    {"path_link", "iiiiiii", true, p1::path_link},
    {"path_open", "iiiiiIIii", true, p1::path_open},
    {"path_readlink", "iiiiii", true, p1::path_readlink},
    {"path_remove_directory", "iii", true, p1::path_remove_directory},
    {"path_rename", "iiiiii", true, p1::path_rename},
    {"path_symlink", "iiiii", true, p1::path_symlink},
    {"path_unlink_file", "iii", true, p1::path_unlink_file},
    {"poll_oneoff", "iiii", true, p1::poll_oneoff},
    {"proc_exit", "i", false, p1::proc_exit},
    {"proc_raise", "i", true, p1::proc_raise},
    {"sched_yield", "", true, p1::sched_yield},
    {"random_get", "ii", true, p1::random_get},
    {"sock_accept", "iii", true, p1::sock_accept},
    {"sock_recv", "iiiiii", true, p1::sock_recv},
    {"sock_send", "iiiii", true, p1::sock_send},
    {"sock_shutdown", "ii", true, p1::sock_shutdown},
};

// Functions that neither read nor change the context's mutable state (arguments and the
// environment are fixed at creation): threads call them without taking the context's lock, so
// that a sleeping or blocked thread does not hold up another's clock or random reads.
bool touches_state(Impl impl) {
  return impl != p1::args_get && impl != p1::args_sizes_get && impl != p1::environ_get &&
         impl != p1::environ_sizes_get && impl != p1::clock_res_get && impl != p1::clock_time_get &&
         impl != p1::random_get && impl != p1::sched_yield && impl != p1::proc_raise;
}

Memory* guest_memory(Instance* inst) {
  if (!inst) return nullptr;
  auto it = inst->exports.find("memory");
  if (it != inst->exports.end() && it->second.kind == ExternKind::Memory) return it->second.memory;
  return inst->memories.empty() ? nullptr : inst->memories[0];
}

std::optional<Trap> trampoline(void* env, Store& store, uint64_t* slots) {
  auto* b = static_cast<Preview1Binding*>(env);
  const auto* def = static_cast<const FuncDef*>(b->def);
  Instance* inst = store.caller ? store.caller : b->ctx->instance;
  Memory* m = guest_memory(inst);
  // Memory can grow (and, rarely, move) between calls: read base/size each time; a shared
  // memory's size with acquire, as other threads grow it.
  const uint64_t size = !m ? 0 : m->shared ? m->size_acquire() : m->size;
  p1::Call call{b->ctx->state, m ? p1::GuestMemory(m->base, size) : p1::GuestMemory(), {}};
  std::unique_lock<std::mutex> lock;
  if (b->ctx->threaded && touches_state(def->impl)) lock = std::unique_lock(b->ctx->lock);
  call.lock = &lock;
  // HULL_WASI_TRACE=1 logs every call and its errno to stderr (debugging guests).
  static const bool trace = std::getenv("HULL_WASI_TRACE") != nullptr;
  uint64_t args[9] = {};
  if (trace) std::memcpy(args, slots, std::strlen(def->params) * 8);
  const uint32_t exit_code = static_cast<uint32_t>(slots[0]);  // proc_exit's, read before
  Errno e = def->impl(call, slots);
  if (call.trap && def->impl == p1::proc_exit && b->ctx->on_exit) {
    if (lock) lock.unlock();
    b->ctx->on_exit(exit_code);
  }
  if (trace) {
    std::fprintf(stderr, "[wasi] %s(", def->name);
    for (size_t i = 0; def->params[i]; ++i) {
      uint64_t v = def->params[i] == 'i' ? static_cast<uint32_t>(args[i]) : args[i];
      std::fprintf(stderr, "%s%llu", i ? ", " : "", static_cast<unsigned long long>(v));
    }
    std::fprintf(stderr, ") -> %s\n", errno_name(e));
  }
  if (call.trap) return std::move(call.trap);
  if (def->returns_errno) slots[0] = static_cast<uint32_t>(e);
  return std::nullopt;
}

}  // namespace

void define_preview1(Linker& linker, Store& store, Preview1Ctx& ctx) {
  std::unique_lock<std::mutex> lock;
  if (ctx.threaded) lock = std::unique_lock(ctx.lock);  // other threads' stores add bindings too
  for (const FuncDef& d : kFuncs) {
    FuncType type;
    for (const char* p = d.params; *p; ++p) {
      type.params.push_back(*p == 'I' ? ValType::i64() : ValType::i32());
    }
    if (d.returns_errno) type.results.push_back(ValType::i32());
    ctx.bindings.push_back(Preview1Binding{&ctx, &d});
    Function* f = create_host_function(store, std::move(type), trampoline, &ctx.bindings.back());
    linker.define(kPreview1Module, d.name, Extern::of(f));
  }
}

bool is_proc_exit(const Trap& trap) {
  return trap.kind == TrapKind::Host && trap.message == kProcExitMessage;
}

std::vector<const char*> preview1_function_names() {
  std::vector<const char*> out;
  for (const FuncDef& d : kFuncs) out.push_back(d.name);
  return out;
}

}  // namespace hull::wasi
