#include "native/vm.h"

#include <cstring>
#include <memory>
#include <string>

#include "engine/module.h"
#include "interp/code.h"
#include "runtime/interrupt.h"
#include "runtime/type_registry.h"
#include "valid/instr.h"

namespace hull::native {

uint64_t memory_base_offset() { return offsetof(Memory, base); }
uint64_t memory_size_offset() { return offsetof(Memory, size); }
uint64_t global_value_offset() { return offsetof(Global, value); }
uint64_t function_instance_offset() { return offsetof(Function, instance); }
uint64_t function_index_offset() { return offsetof(Function, index); }

extern "C" {

VmCtx* hull_rt_vm(Instance* inst, interp::Ctx* ctx, uint32_t epochs) {
  auto* vm = static_cast<VmCtx*>(inst->native_vm.get());
  if (!vm) [[unlikely]] {
    auto fresh = std::make_shared<VmCtx>();
    fresh->mem0 = inst->memories.empty() ? nullptr : inst->memories[0];
    fresh->memories = inst->memories.data();
    fresh->globals = inst->globals.data();
    fresh->funcs = inst->funcs.data();
    fresh->tables = inst->tables.data();
    fresh->ctx = ctx;
    fresh->inst = inst;
    fresh->fuel = interp::native_fuel(ctx);
    fresh->store = interp::native_store(ctx);
    fresh->limit = &fresh->store->native_limit;
    fresh->epoch_deadline = &fresh->store->epoch_deadline;
    fresh->type_ids = inst->module->type_ids.data();
    fresh->code = inst->module->code.get();
    fresh->roots_head = interp::native_roots_head(ctx);
    fresh->layouts.assign(inst->module->type_ids.size(), nullptr);
    vm = fresh.get();
    inst->native_vm = std::move(fresh);
  }
  Store& store = *vm->store;
  vm->stack_limit = interp::native_stack_limit();
  uintptr_t word = vm->stack_limit;
  if (epochs) {
    if (!store.deadline_watched) [[unlikely]]
      watch_deadline(store);
    // The thread the timer interrupts once the deadline has passed: loops that call nothing
    // check nothing (runtime/interrupt.h). interp::call clears it when the store's outermost
    // call returns.
    store.guest_tid.store(current_thread_id(), std::memory_order_relaxed);
    // Passed already: the first check point traps. (The timer sets it again at its next tick
    // should another thread's interrupt() land between this store and this load.)
    if (g_epoch.load(std::memory_order_relaxed) >=
        store.epoch_deadline.load(std::memory_order_relaxed))
      word = UINTPTR_MAX;
  }
  vm->limit->store(word, std::memory_order_relaxed);
  return vm;
}

void hull_rt_trap(VmCtx* vm, uint32_t kind, uint32_t offset) {
  vm->trapped = 1;
  interp::native_trap(vm->ctx, static_cast<TrapKind>(kind), offset);
}

namespace {

// A call from machine code failed: an exception the callee threw is in flight from this code
// now, at no offset of it (the callee's frames are gone).
bool call_failed(VmCtx* vm) {
  vm->trapped = 1;
  if (Exception* exn = interp::native_pending_exception(vm->ctx))
    interp::native_rethrow(vm->ctx, exn, interp::Ctx::kNoOffset);
  return false;
}

}  // namespace

bool hull_rt_call(VmCtx* vm, uint32_t index, uint64_t* slots) {
  if (interp::native_call(vm->ctx, vm->funcs[index], slots)) return true;
  return call_failed(vm);
}

Function* hull_rt_resolve_indirect(VmCtx* vm, uint32_t table, uint32_t type_id, uint64_t elem,
                                   uint32_t offset) {
  TrapKind why;
  Function* f = interp::resolve_indirect(vm->tables[table], elem, type_id, &why);
  if (!f) {
    vm->trapped = 1;
    // Worded as the interpreter words it (the reference interpreter's "uninitialized element N").
    interp::native_trap(vm->ctx, why, offset,
                        why == TrapKind::UninitializedElement
                            ? "uninitialized element " + std::to_string(elem)
                            : std::string());
  }
  return f;
}

void hull_rt_trap_null_function(VmCtx* vm, uint32_t offset) {
  vm->trapped = 1;
  // Worded as the interpreter's call_ref words it.
  interp::native_trap(vm->ctx, TrapKind::NullReference, offset, "null function reference");
}

bool hull_rt_call_function(VmCtx* vm, Function* f, uint64_t* slots) {
  if (interp::native_call(vm->ctx, f, slots)) return true;
  return call_failed(vm);
}

bool hull_rt_call_indirect(VmCtx* vm, uint32_t table, uint32_t type_id, uint64_t elem,
                           uint64_t* slots, uint32_t offset) {
  Function* f = hull_rt_resolve_indirect(vm, table, type_id, elem, offset);
  return f && hull_rt_call_function(vm, f, slots);
}

uint64_t hull_rt_memory_grow(VmCtx* vm, uint32_t mem, uint64_t delta) {
  return vm->memories[mem]->grow(delta);
}

bool hull_rt_memory_fill(VmCtx* vm, uint32_t mem, uint64_t dst, uint32_t value, uint64_t n,
                         uint32_t offset) {
  Memory* m = vm->memories[mem];
  if (dst > m->size || n > m->size - dst) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::MemoryOutOfBounds), offset);
    return false;
  }
  if (n) std::memset(m->base + dst, static_cast<uint8_t>(value), n);
  return true;
}

bool hull_rt_memory_copy(VmCtx* vm, uint32_t dst_mem, uint32_t src_mem, uint64_t dst, uint64_t src,
                         uint64_t n, uint32_t offset) {
  Memory* dm = vm->memories[dst_mem];
  Memory* sm = vm->memories[src_mem];
  if (dst > dm->size || n > dm->size - dst || src > sm->size || n > sm->size - src) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::MemoryOutOfBounds), offset);
    return false;
  }
  if (n) std::memmove(dm->base + dst, sm->base + src, n);
  return true;
}

bool hull_rt_memory_init(VmCtx* vm, uint32_t mem, uint32_t segment, uint64_t dst, uint32_t src,
                         uint32_t n, uint32_t offset) {
  if (mem == 0) {
    if (interp::native_memory_init(vm->ctx, *vm->code, vm->inst, segment, dst, src, n, offset))
      return true;
    vm->trapped = 1;
    return false;
  }
  // Any other memory: the interpreter's memory_init handler, which interp.h offers for memory 0
  // only (same bounds, same dropped-segment rule).
  Memory* m = vm->memories[mem];
  const std::vector<uint8_t>& seg = vm->code->datas[segment];
  const bool dropped = segment < vm->inst->data_dropped.size() && vm->inst->data_dropped[segment];
  const uint64_t seg_size = dropped ? 0 : seg.size();
  if (dst > m->size || n > m->size - dst || src > seg_size || n > seg_size - src) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::MemoryOutOfBounds), offset);
    return false;
  }
  if (n) std::memcpy(m->base + dst, seg.data() + src, n);
  return true;
}

void hull_rt_data_drop(VmCtx* vm, uint32_t segment) { interp::native_data_drop(vm->inst, segment); }

// The table instructions, as the interpreter's handlers (interp/exec.cc table_get ... elem_drop)
// do them; interp.h offers no entry points for these.

uint64_t hull_rt_table_get(VmCtx* vm, uint32_t table, uint64_t i, uint32_t offset) {
  Table* t = vm->tables[table];
  if (i >= t->elems.size()) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::TableOutOfBounds), offset);
    return 0;
  }
  return t->elems[i];
}

bool hull_rt_table_set(VmCtx* vm, uint32_t table, uint64_t i, uint64_t ref, uint32_t offset) {
  Table* t = vm->tables[table];
  if (i >= t->elems.size()) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::TableOutOfBounds), offset);
    return false;
  }
  t->elems[i] = static_cast<RefBits>(ref);
  return true;
}

uint64_t hull_rt_table_size(VmCtx* vm, uint32_t table) { return vm->tables[table]->elems.size(); }

uint64_t hull_rt_table_grow(VmCtx* vm, uint32_t table, uint64_t init, uint64_t delta) {
  return vm->tables[table]->grow(delta, static_cast<RefBits>(init));
}

bool hull_rt_table_fill(VmCtx* vm, uint32_t table, uint64_t i, uint64_t ref, uint64_t n,
                        uint32_t offset) {
  Table* t = vm->tables[table];
  const uint64_t size = t->elems.size();
  if (i > size || n > size - i) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::TableOutOfBounds), offset);
    return false;
  }
  for (uint64_t k = 0; k < n; ++k) t->elems[i + k] = static_cast<RefBits>(ref);
  return true;
}

bool hull_rt_table_copy(VmCtx* vm, uint32_t dst_table, uint32_t src_table, uint64_t dst,
                        uint64_t src, uint64_t n, uint32_t offset) {
  Table* dt = vm->tables[dst_table];
  Table* st = vm->tables[src_table];
  if (dst > dt->elems.size() || n > dt->elems.size() - dst || src > st->elems.size() ||
      n > st->elems.size() - src) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::TableOutOfBounds), offset);
    return false;
  }
  if (n) std::memmove(&dt->elems[dst], &st->elems[src], n * sizeof(RefBits));
  return true;
}

bool hull_rt_table_init(VmCtx* vm, uint32_t table, uint32_t segment, uint64_t dst, uint32_t src,
                        uint32_t n, uint32_t offset) {
  Table* t = vm->tables[table];
  const std::vector<RefBits>& seg = vm->inst->elems[segment];
  if (dst > t->elems.size() || n > t->elems.size() - dst || src > seg.size() ||
      n > seg.size() - src) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::TableOutOfBounds), offset);
    return false;
  }
  for (uint64_t k = 0; k < n; ++k) t->elems[dst + k] = seg[src + k];
  return true;
}

void hull_rt_elem_drop(VmCtx* vm, uint32_t segment) {
  std::vector<RefBits>& seg = vm->inst->elems[segment];
  seg.clear();
  seg.shrink_to_fit();
}

uint32_t hull_rt_atomic_wait(VmCtx* vm, uint32_t mem, uint64_t ea, uint32_t bytes,
                             uint64_t expected, int64_t timeout_ns, uint32_t offset) {
  TrapKind why = TrapKind::Unreachable;
  const int32_t r =
      interp::atomic_wait(vm->ctx, vm->memories[mem], ea, bytes, expected, timeout_ns, &why);
  if (r >= 0) return static_cast<uint32_t>(r);
  hull_rt_trap(vm, static_cast<uint32_t>(why), offset);
  return 0;
}

uint32_t hull_rt_atomic_notify(VmCtx* vm, uint32_t mem, uint64_t ea, uint32_t count) {
  return interp::atomic_notify(vm->memories[mem], ea, count);
}

void hull_rt_throw(VmCtx* vm, uint32_t tag, const uint64_t* payload, uint32_t nslots,
                   uint32_t offset) {
  interp::native_throw(vm->ctx, vm->inst->tags[tag], payload, nslots, offset);
  vm->trapped = 1;
}

void hull_rt_throw_ref(VmCtx* vm, uint64_t exn, uint32_t offset) {
  vm->trapped = 1;
  if (!exn) {
    // Worded as the interpreter's throw_ref words it.
    interp::native_trap(vm->ctx, TrapKind::NullReference, offset, "null exception reference");
    return;
  }
  interp::native_rethrow(vm->ctx, reinterpret_cast<Exception*>(static_cast<uintptr_t>(exn)),
                         offset);
}

uint64_t hull_rt_pending_exception(VmCtx* vm) {
  return reinterpret_cast<uintptr_t>(interp::native_pending_exception(vm->ctx));
}

bool hull_rt_exception_is(VmCtx* vm, uint64_t exn, uint32_t tag) {
  return interp::catch_matches(vm->inst, static_cast<uint8_t>(Catch::Kind::Catch), tag,
                               reinterpret_cast<const Exception*>(static_cast<uintptr_t>(exn)));
}

void hull_rt_catch(VmCtx* vm, uint64_t exn, uint32_t mode, uint64_t* payload, const uint64_t* roots,
                   uint32_t nroots) {
  vm->trapped = 0;
  interp::native_catch(vm->ctx, reinterpret_cast<Exception*>(static_cast<uintptr_t>(exn)),
                       static_cast<uint8_t>(mode & 3), (mode & kCatchKeep) != 0, payload, roots,
                       nroots);
}

}  // extern "C"

std::span<const RuntimeSymbol> runtime_symbols() {
  static const RuntimeSymbol symbols[] = {
#define HULL_RT(name) {#name, reinterpret_cast<const void*>(&name)}
      HULL_RT(hull_rt_vm),
      HULL_RT(hull_rt_trap),
      HULL_RT(hull_rt_call),
      HULL_RT(hull_rt_call_indirect),
      HULL_RT(hull_rt_resolve_indirect),
      HULL_RT(hull_rt_call_function),
      HULL_RT(hull_rt_trap_null_function),
      HULL_RT(hull_rt_memory_grow),
      HULL_RT(hull_rt_memory_fill),
      HULL_RT(hull_rt_memory_copy),
      HULL_RT(hull_rt_memory_init),
      HULL_RT(hull_rt_data_drop),
      HULL_RT(hull_rt_table_get),
      HULL_RT(hull_rt_table_set),
      HULL_RT(hull_rt_table_size),
      HULL_RT(hull_rt_table_grow),
      HULL_RT(hull_rt_table_fill),
      HULL_RT(hull_rt_table_copy),
      HULL_RT(hull_rt_table_init),
      HULL_RT(hull_rt_elem_drop),
      HULL_RT(hull_rt_atomic_wait),
      HULL_RT(hull_rt_atomic_notify),
      HULL_RT(hull_rt_throw),
      HULL_RT(hull_rt_throw_ref),
      HULL_RT(hull_rt_pending_exception),
      HULL_RT(hull_rt_exception_is),
      HULL_RT(hull_rt_catch),
      HULL_RT(hull_rt_gc_new),
      HULL_RT(hull_rt_array_new_data),
      HULL_RT(hull_rt_array_new_elem),
      HULL_RT(hull_rt_array_fill),
      HULL_RT(hull_rt_array_copy),
      HULL_RT(hull_rt_array_init_data),
      HULL_RT(hull_rt_array_init_elem),
      HULL_RT(hull_rt_ref_matches),
      HULL_RT(hull_rt_trap_null),
#undef HULL_RT
      {"hull_g_epoch", &g_epoch},
  };
  return symbols;
}

}  // namespace hull::native
