#include "native/vm.h"

#include <cstring>
#include <memory>
#include <string>

#include "engine/module.h"
#include "runtime/type_registry.h"

namespace hull::native {

uint64_t memory_base_offset() { return offsetof(Memory, base); }
uint64_t memory_size_offset() { return offsetof(Memory, size); }
uint64_t global_value_offset() { return offsetof(Global, value); }

extern "C" {

VmCtx* hull_rt_vm(Instance* inst, interp::Ctx* ctx) {
  auto* vm = static_cast<VmCtx*>(inst->native_vm.get());
  if (!vm) [[unlikely]] {
    auto fresh = std::make_shared<VmCtx>();
    fresh->mem0 = inst->memories.empty() ? nullptr : inst->memories[0];
    fresh->globals = inst->globals.data();
    fresh->funcs = inst->funcs.data();
    fresh->tables = inst->tables.data();
    fresh->ctx = ctx;
    fresh->inst = inst;
    fresh->fuel = interp::native_fuel(ctx);
    fresh->epoch_deadline = interp::native_epoch_deadline(ctx);
    fresh->type_ids = inst->module->type_ids.data();
    fresh->code = inst->module->code.get();
    vm = fresh.get();
    inst->native_vm = std::move(fresh);
  }
  vm->stack_limit = interp::native_stack_limit();
  return vm;
}

void hull_rt_trap(VmCtx* vm, uint32_t kind, uint32_t offset) {
  vm->trapped = 1;
  interp::native_trap(vm->ctx, static_cast<TrapKind>(kind), offset);
}

bool hull_rt_call(VmCtx* vm, uint32_t index, uint64_t* slots) {
  if (interp::native_call(vm->ctx, vm->funcs[index], slots)) return true;
  vm->trapped = 1;
  return false;
}

bool hull_rt_call_indirect(VmCtx* vm, uint32_t table, uint32_t type_id, uint64_t elem,
                           uint64_t* slots, uint32_t offset) {
  TrapKind why;
  Function* f = interp::resolve_indirect(vm->tables[table], elem, type_id, &why);
  if (!f) {
    vm->trapped = 1;
    // Worded as the interpreter words it (the reference interpreter's "uninitialized element N").
    interp::native_trap(vm->ctx, why, offset,
                        why == TrapKind::UninitializedElement
                            ? "uninitialized element " + std::to_string(elem)
                            : std::string());
    return false;
  }
  if (interp::native_call(vm->ctx, f, slots)) return true;
  vm->trapped = 1;
  return false;
}

uint64_t hull_rt_memory_grow(VmCtx* vm, uint64_t delta) { return vm->mem0->grow(delta); }

bool hull_rt_memory_fill(VmCtx* vm, uint64_t dst, uint32_t value, uint64_t n, uint32_t offset) {
  Memory* m = vm->mem0;
  if (dst > m->size || n > m->size - dst) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::MemoryOutOfBounds), offset);
    return false;
  }
  if (n) std::memset(m->base + dst, static_cast<uint8_t>(value), n);
  return true;
}

bool hull_rt_memory_copy(VmCtx* vm, uint64_t dst, uint64_t src, uint64_t n, uint32_t offset) {
  Memory* m = vm->mem0;
  if (dst > m->size || n > m->size - dst || src > m->size || n > m->size - src) {
    hull_rt_trap(vm, static_cast<uint32_t>(TrapKind::MemoryOutOfBounds), offset);
    return false;
  }
  if (n) std::memmove(m->base + dst, m->base + src, n);
  return true;
}

bool hull_rt_memory_init(VmCtx* vm, uint32_t segment, uint64_t dst, uint32_t src, uint32_t n,
                         uint32_t offset) {
  if (interp::native_memory_init(vm->ctx, *vm->code, vm->inst, segment, dst, src, n, offset))
    return true;
  vm->trapped = 1;
  return false;
}

void hull_rt_data_drop(VmCtx* vm, uint32_t segment) { interp::native_data_drop(vm->inst, segment); }

}  // extern "C"

}  // namespace hull::native
