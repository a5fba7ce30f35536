// The runtime functions of Wasm GC's instructions in machine code (lower_gc.cc): allocations,
// whose collections find the native code's references in its root frames, and the bulk array
// instructions, with the interpreter's checks, traps and wording (interp/exec_gc.cc).
#include <cstring>

#include "interp/code.h"
#include "native/vm.h"
#include "runtime/gc_heap.h"

namespace hull::native {

namespace {

GcObject* object(uint64_t ref) { return reinterpret_cast<GcObject*>(static_cast<uintptr_t>(ref)); }

uint64_t word(const GcObject* o) { return reinterpret_cast<uintptr_t>(o); }

bool trap(VmCtx* vm, TrapKind kind, uint32_t offset) {
  hull_rt_trap(vm, static_cast<uint32_t>(kind), offset);
  return false;
}

// The bytes of data segment `segment` the instance may still read (none once dropped).
std::span<const uint8_t> data_segment(VmCtx* vm, uint32_t segment) {
  const std::vector<uint8_t>& seg = vm->code->datas[segment];
  const bool dropped = segment < vm->inst->data_dropped.size() && vm->inst->data_dropped[segment];
  return dropped ? std::span<const uint8_t>() : std::span<const uint8_t>(seg);
}

// The array `ref` designates, or nullptr after the null trap.
GcObject* array_or_trap(VmCtx* vm, uint64_t ref, uint32_t offset) {
  GcObject* o = object(ref);
  if (!o) hull_rt_trap_null(vm, 1, offset);
  return o;
}

// The layout of the module's type `index` (a struct or array type).
const GcLayout& layout_of(VmCtx* vm, uint32_t index) {
  const GcLayout*& l = vm->layouts[index];
  if (!l) l = &gc_layout(vm->type_ids[index]);
  return *l;
}

GcObject* allocate_array(VmCtx* vm, uint32_t index, uint32_t length, uint32_t offset) {
  GcObject* o = interp::native_gc_allocate(vm->ctx, layout_of(vm, index), true, length, offset);
  if (!o) vm->trapped = 1;
  return o;
}

}  // namespace

extern "C" {

uint64_t hull_rt_gc_new(VmCtx* vm, uint32_t type_index, uint32_t array, uint32_t length,
                        uint32_t offset) {
  GcObject* o =
      interp::native_gc_allocate(vm->ctx, layout_of(vm, type_index), array != 0, length, offset);
  if (!o) vm->trapped = 1;
  return word(o);
}

uint64_t hull_rt_array_new_data(VmCtx* vm, uint32_t type_index, uint32_t segment, uint32_t s,
                                uint32_t n, uint32_t offset) {
  const std::span<const uint8_t> seg = data_segment(vm, segment);
  const uint64_t bytes = uint64_t(n) * layout_of(vm, type_index).payload_size;
  if (s > seg.size() || bytes > seg.size() - s) {
    trap(vm, TrapKind::MemoryOutOfBounds, offset);
    return 0;
  }
  GcObject* o = allocate_array(vm, type_index, n, offset);
  if (o && bytes) std::memcpy(o->payload(), seg.data() + s, bytes);
  return word(o);
}

uint64_t hull_rt_array_new_elem(VmCtx* vm, uint32_t type_index, uint32_t segment, uint32_t s,
                                uint32_t n, uint32_t offset) {
  const std::vector<RefBits>& seg = vm->inst->elems[segment];
  if (s > seg.size() || n > seg.size() - s) {
    trap(vm, TrapKind::TableOutOfBounds, offset);
    return 0;
  }
  GcObject* o = allocate_array(vm, type_index, n, offset);
  if (o && n) std::memcpy(o->payload(), seg.data() + s, n * sizeof(RefBits));
  return word(o);
}

bool hull_rt_array_fill(VmCtx* vm, uint64_t array, uint32_t d, const uint64_t* value, uint32_t n,
                        uint32_t offset) {
  GcObject* o = array_or_trap(vm, array, offset);
  if (!o) return false;
  if (d > o->length || n > o->length - d) return trap(vm, TrapKind::ArrayOutOfBounds, offset);
  const size_t size = o->layout->payload_size;
  uint8_t* p = o->payload() + size_t(d) * size;
  // Slot encoding is little-endian: the element is the low `size` bytes of its slot(s).
  for (uint32_t k = 0; k < n; ++k) std::memcpy(p + size_t(k) * size, value, size);
  return true;
}

bool hull_rt_array_copy(VmCtx* vm, uint64_t dst, uint32_t d, uint64_t src, uint32_t s, uint32_t n,
                        uint32_t offset) {
  GcObject* to = object(dst);
  GcObject* from = object(src);
  if (!to || !from) {
    hull_rt_trap_null(vm, 1, offset);
    return false;
  }
  if (d > to->length || n > to->length - d || s > from->length || n > from->length - s)
    return trap(vm, TrapKind::ArrayOutOfBounds, offset);
  const size_t size = to->layout->payload_size;
  if (n)
    std::memmove(to->payload() + size_t(d) * size, from->payload() + size_t(s) * size, n * size);
  return true;
}

bool hull_rt_array_init_data(VmCtx* vm, uint64_t array, uint32_t d, uint32_t segment, uint32_t s,
                             uint32_t n, uint32_t offset) {
  GcObject* o = array_or_trap(vm, array, offset);
  if (!o) return false;
  const std::span<const uint8_t> seg = data_segment(vm, segment);
  const uint64_t size = o->layout->payload_size;
  if (d > o->length || n > o->length - d) return trap(vm, TrapKind::ArrayOutOfBounds, offset);
  if (s > seg.size() || n * size > seg.size() - s)
    return trap(vm, TrapKind::MemoryOutOfBounds, offset);
  if (n) std::memcpy(o->payload() + d * size, seg.data() + s, n * size);
  return true;
}

bool hull_rt_array_init_elem(VmCtx* vm, uint64_t array, uint32_t d, uint32_t segment, uint32_t s,
                             uint32_t n, uint32_t offset) {
  GcObject* o = array_or_trap(vm, array, offset);
  if (!o) return false;
  const std::vector<RefBits>& seg = vm->inst->elems[segment];
  if (d > o->length || n > o->length - d) return trap(vm, TrapKind::ArrayOutOfBounds, offset);
  if (s > seg.size() || n > seg.size() - s) return trap(vm, TrapKind::TableOutOfBounds, offset);
  if (n)
    std::memcpy(o->payload() + size_t(d) * sizeof(RefBits), seg.data() + s, n * sizeof(RefBits));
  return true;
}

bool hull_rt_ref_matches(uint64_t ref, uint32_t top, uint32_t target, uint32_t type_id) {
  return ref_matches_heap_type(static_cast<RefBits>(ref), static_cast<HeapKind>(top),
                               static_cast<HeapKind>(target), type_id);
}

void hull_rt_trap_null(VmCtx* vm, uint32_t what, uint32_t offset) {
  static constexpr const char* kWording[] = {"null structure reference", "null array reference",
                                             "null i31 reference"};
  vm->trapped = 1;
  interp::native_trap(vm->ctx, TrapKind::NullReference, offset, kWording[what < 3 ? what : 0]);
}

}  // extern "C"

}  // namespace hull::native
