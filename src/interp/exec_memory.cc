// Load and store handlers: plain accesses (any memory, bounds-checked or relying on guard pages)
// and memory-0 superinstructions that fuse the address arithmetic (or a constant stored value).
//
// Guarded variants (CompileOptions::guard_pages, 32-bit memories with 64 KiB pages) compute
// base + u32 address + u32 offset without a check: the reservation behind a guarded memory
// (runtime/signals.h) makes every such access either land in the memory or fault, and the fault
// becomes a trap in interp::call. Each access is a single fixed-size memcpy, i.e. one machine
// load/store (16-byte v128 included), so a store straddling the end faults before writing.
#include <cstring>
#include <type_traits>

#include "interp/code.h"
#include "interp/exec_util.h"
#include "interp/gen.h"
#include "interp/handlers.h"
#include "interp/mem_ops.h"

namespace hull::interp {
namespace {

using namespace memops;

struct MemEntry {
  Op op;
  Handler h[2][2];        // [is64][mem0], bounds-checked
  Handler guarded[2];     // [mem0], 32-bit guarded memory
  Handler fused[2][3];    // [guard][MemForm], memory 0 (32-bit); nullptr where none
};

#define MEM_VARIANTS(K, Raw, Val, Conv)                           \
  {{&mem_op<PcOperands, K, Raw, Val, Conv, false, false, false>,  \
    &mem_op<PcOperands, K, Raw, Val, Conv, false, true, false>},  \
   {&mem_op<PcOperands, K, Raw, Val, Conv, true, false, false>,   \
    &mem_op<PcOperands, K, Raw, Val, Conv, true, true, false>}},  \
  {                                                               \
    &mem_op<PcOperands, K, Raw, Val, Conv, false, false, true>,   \
        &mem_op<PcOperands, K, Raw, Val, Conv, false, true, true> \
  }

#define FUSED_LOADS(Raw, Conv)                                               \
  {                                                                          \
    {&fused_load<PcOperands, Raw, Conv, false, MemForm::AddImm>,             \
     &fused_load<PcOperands, Raw, Conv, false, MemForm::AddShl>, nullptr},   \
    {                                                                        \
      &fused_load<PcOperands, Raw, Conv, true, MemForm::AddImm>,             \
          &fused_load<PcOperands, Raw, Conv, true, MemForm::AddShl>, nullptr \
    }                                                                        \
  }
#define NO_FUSED {{nullptr, nullptr, nullptr}, {nullptr, nullptr, nullptr}}

const MemEntry kMemHandlers[] = {
#define LOAD(op, Raw, Res) \
  {Op::op, MEM_VARIANTS(MK::Load, Raw, Res, Ext<Res>), FUSED_LOADS(Raw, Ext<Res>)},
#define STORE(op, Val, Raw)                                                 \
  {Op::op,                                                                  \
   MEM_VARIANTS(MK::Store, Raw, Val, Ext<Raw>),                             \
   {{&fused_store<PcOperands, Raw, Val, Ext<Raw>, false, MemForm::AddImm>,  \
     &fused_store<PcOperands, Raw, Val, Ext<Raw>, false, MemForm::AddShl>,  \
     &fused_store<PcOperands, Raw, Val, Ext<Raw>, false, MemForm::ValImm>}, \
    {&fused_store<PcOperands, Raw, Val, Ext<Raw>, true, MemForm::AddImm>,   \
     &fused_store<PcOperands, Raw, Val, Ext<Raw>, true, MemForm::AddShl>,   \
     &fused_store<PcOperands, Raw, Val, Ext<Raw>, true, MemForm::ValImm>}}},
#define STORE_V128(op)                                                                  \
  {Op::op,                                                                              \
   MEM_VARIANTS(MK::Store, V128, V128, Ext<V128>),                                      \
   {{&fused_store<PcOperands, V128, V128, Ext<V128>, false, MemForm::AddImm>,           \
     &fused_store<PcOperands, V128, V128, Ext<V128>, false, MemForm::AddShl>, nullptr}, \
    {&fused_store<PcOperands, V128, V128, Ext<V128>, true, MemForm::AddImm>,            \
     &fused_store<PcOperands, V128, V128, Ext<V128>, true, MemForm::AddShl>, nullptr}}},
#define VLOAD(op, Raw) \
  {Op::op, MEM_VARIANTS(MK::Load, Raw, V128, Widened<num::interp_gen::Call_##op>), NO_FUSED},
#define VLOADLANE(op, Raw) \
  {Op::op, MEM_VARIANTS(MK::LoadLane, Raw, V128, Widened<num::interp_gen::Call_##op>), NO_FUSED},
#define VSTORELANE(op, Raw) \
  {Op::op, MEM_VARIANTS(MK::StoreLane, Raw, V128, num::interp_gen::Call_##op), NO_FUSED},
    HULL_MEM_OPS(LOAD, STORE, STORE_V128, VLOAD, VLOADLANE, VSTORELANE)
#undef LOAD
#undef STORE
#undef STORE_V128
#undef VLOAD
#undef VLOADLANE
#undef VSTORELANE
};

const MemEntry* mem_entry(Op op) {
  for (const MemEntry& e : kMemHandlers)
    if (e.op == op) return &e;
  return nullptr;
}

}  // namespace

Handler mem_handler(Op op, bool is64, bool mem0, bool guard) {
  const MemEntry* e = mem_entry(op);
  if (!e) return nullptr;
  return guard && !is64 ? e->guarded[mem0] : e->h[is64][mem0];
}

Handler fused_mem_handler(Op op, MemForm form, bool guard) {
  const MemEntry* e = mem_entry(op);
  return e ? e->fused[guard][static_cast<unsigned>(form)] : nullptr;
}

bool is_guarded_mem_handler(Handler h) {
  if (!h) return false;
  for (const MemEntry& e : kMemHandlers) {
    if (h == e.guarded[0] || h == e.guarded[1]) return true;
    for (Handler f : e.fused[1])
      if (h == f) return true;
  }
  return false;
}

}  // namespace hull::interp
