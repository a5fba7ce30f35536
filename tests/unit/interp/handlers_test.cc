// Every mechanically typed instruction in opcodes.def has an interpreter handler.
#include <gtest/gtest.h>

#include "interp/handlers.h"

namespace hull::interp {
namespace {

TEST(InterpHandlers, EveryTypedOpHasAHandler) {
  for (unsigned i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    if (info.prefix == 0xFE) {  // atomics, stores and the fence included: exec_atomic.cc
      for (int is64 = 0; is64 < 2; ++is64)
        EXPECT_NE(atomic_handler(op, is64), nullptr) << info.name;
      continue;
    }
    if (info.sig == "*" || info.sig.back() == ':') continue;  // hand-lowered or no result
    if (info.imm == ImmKind::None || info.imm == ImmKind::Lane) {
      EXPECT_NE(sig_handler(op), nullptr) << info.name;
    } else if (info.imm == ImmKind::Mem || info.imm == ImmKind::MemLane) {
      for (int is64 = 0; is64 < 2; ++is64)
        for (int mem0 = 0; mem0 < 2; ++mem0)
          for (int guard = 0; guard < 2; ++guard)
            EXPECT_NE(mem_handler(op, is64, mem0, guard), nullptr) << info.name;
    }
  }
  for (Op op : {Op::i32_store, Op::v128_store, Op::v128_store8_lane, Op::v128_store64_lane})
    EXPECT_NE(mem_handler(op, false, true, false), nullptr);
}

// Plain scalar loads/stores and v128.load/store have every fused memory-0 form (stores of a
// constant only up to 8 bytes); lane and extending SIMD accesses have none.
TEST(InterpHandlers, FusedMemoryForms) {
  for (int guard = 0; guard < 2; ++guard) {
    for (Op op : {Op::i32_load, Op::i64_load8_s, Op::f64_load, Op::v128_load}) {
      EXPECT_NE(fused_mem_handler(op, MemForm::AddImm, guard), nullptr);
      EXPECT_NE(fused_mem_handler(op, MemForm::AddShl, guard), nullptr);
      EXPECT_EQ(fused_mem_handler(op, MemForm::ValImm, guard), nullptr);
    }
    for (Op op : {Op::i32_store8, Op::i64_store, Op::f32_store}) {
      EXPECT_NE(fused_mem_handler(op, MemForm::AddImm, guard), nullptr);
      EXPECT_NE(fused_mem_handler(op, MemForm::AddShl, guard), nullptr);
      EXPECT_NE(fused_mem_handler(op, MemForm::ValImm, guard), nullptr);
    }
    EXPECT_EQ(fused_mem_handler(Op::v128_store, MemForm::ValImm, guard), nullptr);
    EXPECT_EQ(fused_mem_handler(Op::v128_load8x8_s, MemForm::AddImm, guard), nullptr);
    EXPECT_EQ(fused_mem_handler(Op::v128_store8_lane, MemForm::AddShl, guard), nullptr);
  }
}

}  // namespace
}  // namespace hull::interp
