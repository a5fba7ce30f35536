// The interpreter's side of the tier interface (interp.h): installing machine code for a
// function, and the services native code calls back into -- calls, traps, fuel, stack limit.
#include <pthread.h>

#include <cstring>

#include "interp/code.h"
#include "interp/interp.h"

namespace hull::interp {

void install_native(const ModuleCode& code, uint32_t defined_index, NativeEntry entry) {
  const FuncCode& fc = code.funcs.at(defined_index);
  // Entry first, then the divert: a call that sees the divert finds the entry (or, uninstalled,
  // finds none and runs the lowered code after a real stack check).
  __atomic_store_n(&fc.native, entry, __ATOMIC_RELEASE);
  const uint64_t bytes = entry ? FuncCode::kDivert : uint64_t{fc.frame_slots} * 8;
  __atomic_store_n(&fc.enter_bytes, bytes, __ATOMIC_RELEASE);
}

void install_osr(const ModuleCode& code, uint32_t defined_index, uint32_t loop, NativeEntry entry) {
  const FuncCode& fc = code.funcs.at(defined_index);
  if (loop < fc.osr.size()) __atomic_store_n(&fc.osr[loop], entry, __ATOMIC_RELEASE);
}

NativeEntry native_entry(const ModuleCode& code, uint32_t defined_index) {
  return native_of(&code.funcs.at(defined_index));
}

uint32_t num_defined_functions(const ModuleCode& code) {
  return static_cast<uint32_t>(code.funcs.size());
}

namespace {

// Records `t`, the failure of a call native code made, for the native caller to pass on.
bool pass_on(Ctx* ctx, std::optional<Trap> t) {
  if (t->kind == TrapKind::Exception && t->exception) {
    // Thrown on at the interpreter frame below the native ones (or out of call()), as an
    // exception a host function passes on is.
    ctx->rethrow = t->exception;
    return false;
  }
  // The callee's trap, backtrace included; the frames below add themselves (make_trap).
  ctx->host_trap = std::move(t);
  ctx->trapped = true;
  ctx->trap_kind = TrapKind::Host;
  ctx->trap_message = nullptr;
  ctx->trap_pc = nullptr;
  ctx->trap_offset = Ctx::kNoOffset;
  return false;
}

}  // namespace

bool native_call(Ctx* ctx, Function* f, uint64_t* slots) {
  Store& store = *ctx->store;
  store.fuel_left = ctx->fuel;  // the callee (interpreter, host) takes the fuel from the store
  std::optional<Trap> t;
  if (f->host) {
    // As call_host does for the interpreter: the host sees its caller's instance, and a fault
    // in host code is not a guest trap.
    Instance* saved_caller = store.caller;
    store.caller = ctx->fp->inst;
    ctx->entry->in_guest = false;
    t = f->host(f->host_env, store, slots);
    ctx->entry->in_guest = true;
    store.caller = saved_caller;
  } else if (const NativeEntry ne = native_of(static_cast<const FuncCode*>(f->code))) {
    // Native to native: no nested run of the interpreter (whose depth is bounded far below
    // what machine code recursing through call_indirect needs: the callee checks the machine
    // stack). A frame says whose code runs, for the callee's own calls out and backtraces.
    Frame* caller = ctx->fp;
    Frame* nf = caller + 1;
    if (nf >= ctx->frames_end) {
      native_trap(ctx, TrapKind::StackExhausted, Ctx::kNoOffset);
      return false;
    }
    nf->code = static_cast<const FuncCode*>(f->code);
    nf->inst = f->instance;
    nf->mem0 = f->instance->memories.empty() ? nullptr : f->instance->memories[0];
    nf->sp = caller->sp + caller->code->frame_slots;
    nf->ret_pc = nullptr;
    ctx->fp = nf;
    const bool ok = ne(f->instance, slots, ctx);
    // On a trap the frame stays: it is the innermost of the backtrace.
    if (ok || ctx->rethrow) ctx->fp = caller;
    return ok;
  } else {
    // A nested run above the native frame (ctx->fp): its frames start past the native
    // function's slots.
    t = call(store, f, slots);
  }
  ctx->fuel = store.fuel_left;
  if (t) return pass_on(ctx, std::move(t));
  return true;
}

void native_trap(Ctx* ctx, TrapKind kind, uint32_t offset, std::string message) {
  ctx->trapped = true;
  ctx->trap_kind = kind;
  ctx->trap_message = nullptr;
  if (!message.empty()) {
    ctx->trap_text = std::move(message);
    ctx->trap_message = ctx->trap_text.c_str();
  }
  ctx->trap_pc = nullptr;
  ctx->trap_offset = offset;
}

bool native_memory_init(Ctx* ctx, const ModuleCode& code, Instance* inst, uint32_t segment,
                        uint64_t dst, uint32_t src, uint32_t n, uint32_t offset) {
  Memory* m = inst->memories[0];
  const std::vector<uint8_t>& seg = code.datas[segment];
  const bool dropped = segment < inst->data_dropped.size() && inst->data_dropped[segment];
  const uint64_t seg_size = dropped ? 0 : seg.size();
  if (dst > m->size || n > m->size - dst || src > seg_size || n > seg_size - src) {
    native_trap(ctx, TrapKind::MemoryOutOfBounds, offset);
    return false;
  }
  if (n) std::memcpy(m->base + dst, seg.data() + src, n);
  return true;
}

void native_data_drop(Instance* inst, uint32_t segment) {
  if (inst->data_dropped.size() <= segment) inst->data_dropped.resize(segment + 1);
  inst->data_dropped[segment] = true;
}

int64_t* native_fuel(Ctx* ctx) { return &ctx->fuel; }

Store* native_store(Ctx* ctx) { return ctx->store; }

uintptr_t native_stack_limit() {
  // Room below the limit for what native code calls out to: host functions, the interpreter's
  // call() and the signal handler's frame.
  constexpr uintptr_t kHeadroom = 256 * 1024;
  thread_local uintptr_t limit = [] {
    pthread_attr_t attr;
    void* low = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      pthread_attr_getstack(&attr, &low, &size);
      pthread_attr_destroy(&attr);
    }
    if (!low || size <= 2 * kHeadroom) {
      // Unknown bounds: allow 1 MiB below the current frame.
      return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) - (1u << 20);
    }
    return reinterpret_cast<uintptr_t>(low) + kHeadroom;
  }();
  return limit;
}

}  // namespace hull::interp
