// Every mechanically typed instruction in opcodes.def has an interpreter handler.
#include <gtest/gtest.h>

#include "interp/handlers.h"

namespace hull::interp {
namespace {

TEST(InterpHandlers, EveryTypedOpHasAHandler) {
  for (unsigned i = 0; i < kOpCount; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = op_info(op);
    if (info.sig == "*" || info.sig.back() == ':') continue;  // hand-lowered or no result
    if (info.imm == ImmKind::None || info.imm == ImmKind::Lane) {
      EXPECT_NE(sig_handler(op), nullptr) << info.name;
    } else if (info.imm == ImmKind::Mem || info.imm == ImmKind::MemLane) {
      for (int is64 = 0; is64 < 2; ++is64)
        for (int mem0 = 0; mem0 < 2; ++mem0)
          EXPECT_NE(mem_handler(op, is64, mem0), nullptr) << info.name;
    }
  }
  for (Op op : {Op::i32_store, Op::v128_store, Op::v128_store8_lane, Op::v128_store64_lane})
    EXPECT_NE(mem_handler(op, false, true), nullptr);
}

}  // namespace
}  // namespace hull::interp
