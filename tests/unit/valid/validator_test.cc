// Validator unit tests on hand-built modules: each rule, valid and invalid.
#include "valid/validator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_module.h"

namespace hull::test {
namespace {

void expect_ok(const TestModule& tm) {
  Status s = tm.validate();
  EXPECT_TRUE(s.ok()) << s.error().to_string();
}

void expect_error(const TestModule& tm, const std::string& prefix,
                  ErrorKind kind = ErrorKind::Invalid) {
  Status s = tm.validate();
  ASSERT_FALSE(s.ok()) << "expected error: " << prefix;
  EXPECT_EQ(s.error().kind, kind) << s.error().to_string();
  EXPECT_EQ(s.error().message.substr(0, prefix.size()), prefix) << s.error().to_string();
}

// A module with one function of type params -> results and the given body.
TestModule func_module(std::vector<ValType> params, std::vector<ValType> results, Bytes code,
                       std::vector<LocalDecl> locals = {}) {
  TestModule tm;
  uint32_t t = tm.add_type(std::move(params), std::move(results));
  tm.add_func(t, code, std::move(locals));
  return tm;
}

// ---- operand stack, numeric ops ----

TEST(Valid, EmptyFunction) { expect_ok(func_module({}, {}, {0x0B})); }

TEST(Valid, NumericOps) {
  expect_ok(func_module({I32, I32}, {I32}, {0x20, 0, 0x20, 1, 0x6A, 0x0B}));
  expect_error(func_module({I32, I64}, {I32}, {0x20, 0, 0x20, 1, 0x6A, 0x0B}), "type mismatch");
  expect_error(func_module({}, {I32}, {0x0B}), "type mismatch");
  expect_error(func_module({}, {}, {0x41, 1, 0x0B}), "type mismatch");  // leftover value
  expect_error(func_module({}, {}, {0x6A, 0x0B}), "type mismatch");     // empty stack
}

TEST(Valid, PolymorphicStackAfterUnreachable) {
  expect_ok(func_module({}, {I32}, {0x00, 0x6A, 0x0B}));
  expect_ok(func_module({}, {}, {0x00, 0x1A, 0x1B, 0x1A, 0x0B}));
  // Known operand types still count in dead code.
  expect_error(func_module({}, {}, {0x00, 0x42, 0, 0x6A, 0x1A, 0x0B}), "type mismatch");
  // br makes the rest of the block unreachable.
  expect_ok(func_module({}, {I32}, {0x02, 0x7F, 0x41, 1, 0x0C, 0, 0x6A, 0x0B, 0x0B}));
}

// ---- control ----

TEST(Valid, BlocksAndBranches) {
  // block (result i32) i32.const 1 end
  expect_ok(func_module({}, {I32}, {0x02, 0x7F, 0x41, 1, 0x0B, 0x0B}));
  // loop label takes params: loop with br 0 and empty type
  expect_ok(func_module({}, {}, {0x03, 0x40, 0x0C, 0, 0x0B, 0x0B}));
  expect_error(func_module({}, {}, {0x0C, 1, 0x0B}), "unknown label");
  // br_if keeps the label values
  expect_ok(func_module({I32}, {I32}, {0x02, 0x7F, 0x41, 7, 0x20, 0, 0x0D, 0, 0x0B, 0x0B}));
  // if without else must have matching params/results
  expect_error(func_module({I32}, {I32}, {0x20, 0, 0x04, 0x7F, 0x41, 1, 0x0B, 0x0B}),
               "type mismatch");
  expect_ok(func_module({I32}, {I32}, {0x20, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2, 0x0B, 0x0B}));
  // else branch checked separately
  expect_error(func_module({I32}, {I32}, {0x20, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x0B, 0x0B}),
               "type mismatch");
}

TEST(Valid, MultiValueBlockTypes) {
  TestModule tm;
  uint32_t bt = tm.add_type({I32, I32}, {I32});
  uint32_t ft = tm.add_type({}, {I32});
  // i32.const 1 i32.const 2 block (type bt) i32.add end
  tm.add_func(ft, {0x41, 1, 0x41, 2, 0x02, static_cast<uint8_t>(bt), 0x6A, 0x0B, 0x0B});
  expect_ok(tm);
  TestModule bad;
  bad.add_type({I32, I32}, {I32});
  uint32_t ft2 = bad.add_type({}, {I32});
  bad.add_func(ft2, {0x41, 1, 0x02, 0, 0x6A, 0x0B, 0x0B});  // one param short
  expect_error(bad, "type mismatch");
  TestModule unk = func_module({}, {}, {0x02, 9, 0x0B, 0x0B});
  expect_error(unk, "unknown type");
}

TEST(Valid, BrTable) {
  // block (result i32) block (result i32) i32.const 0 local.get 0 br_table 0 1 1 end end
  expect_ok(
      func_module({I32}, {I32},
                  {0x02, 0x7F, 0x02, 0x7F, 0x41, 0, 0x20, 0, 0x0E, 2, 0, 1, 1, 0x0B, 0x0B, 0x0B}));
  // arity mismatch between labels: block (result i32) block ... br_table 0 1 with inner empty
  expect_error(
      func_module({I32}, {I32},
                  {0x02, 0x7F, 0x02, 0x40, 0x20, 0, 0x0E, 1, 0, 1, 0x0B, 0x41, 0, 0x0B, 0x0B}),
      "type mismatch");
  // polymorphic stack: labels of different types but same arity are fine after unreachable
  expect_ok(func_module(
      {}, {}, {0x02, 0x7D, 0x02, 0x7F, 0x00, 0x0E, 1, 0, 1, 0x0B, 0x1A, 0x00, 0x0B, 0x1A, 0x0B}));
  expect_error(func_module({I32}, {}, {0x20, 0, 0x0E, 1, 5, 0, 0x0B}), "unknown label");
}

TEST(Valid, ReturnAndCalls) {
  TestModule tm;
  uint32_t t = tm.add_type({I32}, {I64});
  uint32_t v = tm.add_type({}, {I64});
  uint32_t callee = tm.add_func(t, {0x42, 0, 0x0B});
  tm.add_func(v, {0x41, 1, 0x10, static_cast<uint8_t>(callee), 0x0B});
  tm.add_func(v, {0x41, 1, 0x12, static_cast<uint8_t>(callee), 0x0B});  // return_call
  tm.add_func(v, {0x42, 5, 0x0F, 0x0B});                                // return
  expect_ok(tm);

  TestModule bad;
  uint32_t t1 = bad.add_type({}, {I32});
  uint32_t t2 = bad.add_type({}, {I64});
  uint32_t f = bad.add_func(t1, {0x41, 0, 0x0B});
  bad.add_func(t2, {0x12, static_cast<uint8_t>(f), 0x0B});  // return_call result mismatch
  expect_error(bad, "type mismatch");

  expect_error(func_module({}, {}, {0x10, 3, 0x0B}), "unknown function");
}

TEST(Valid, CallIndirect) {
  TestModule tm;
  uint32_t t = tm.add_type({}, {});
  tm.add_table(FUNCREF, 1);
  tm.add_func(t, {0x41, 0, 0x11, static_cast<uint8_t>(t), 0, 0x0B});
  expect_ok(tm);

  TestModule ext;
  uint32_t t2 = ext.add_type({}, {});
  ext.add_table(EXTERNREF, 1);
  ext.add_func(t2, {0x41, 0, 0x11, 0, 0, 0x0B});
  expect_error(ext, "type mismatch");

  TestModule none;
  none.add_type({}, {});
  none.add_func(0, {0x41, 0, 0x11, 0, 0, 0x0B});
  expect_error(none, "unknown table");

  TestModule t64;
  uint32_t t3 = t64.add_type({}, {});
  t64.add_table(FUNCREF, 1, std::nullopt, /*is64=*/true);
  t64.add_func(t3, {0x42, 0, 0x11, 0, 0, 0x0B});
  expect_ok(t64);
}

TEST(Valid, Select) {
  expect_ok(func_module({I32}, {I32}, {0x41, 1, 0x41, 2, 0x20, 0, 0x1B, 0x0B}));
  // untyped select on references: type mismatch
  expect_error(func_module({I32}, {}, {0xD0, 0x70, 0xD0, 0x70, 0x20, 0, 0x1B, 0x1A, 0x0B}),
               "type mismatch");
  // typed select on references
  expect_ok(func_module({I32}, {}, {0xD0, 0x70, 0xD0, 0x70, 0x20, 0, 0x1C, 1, 0x70, 0x1A, 0x0B}));
  expect_error(func_module({I32}, {}, {0x41, 0, 0x41, 0, 0x20, 0, 0x1C, 2, 0x7F, 0x7F, 0x1A, 0x0B}),
               "invalid result arity");
  expect_error(func_module({I32}, {}, {0x41, 0, 0x41, 0, 0x20, 0, 0x1C, 0, 0x1A, 0x0B}),
               "invalid result arity");
}

// ---- locals and globals ----

TEST(Valid, Locals) {
  expect_ok(func_module({I32}, {I64}, {0x42, 3, 0x21, 1, 0x20, 1, 0x0B}, {{1, I64}}));
  expect_error(func_module({}, {}, {0x20, 0, 0x1A, 0x0B}), "unknown local");
  expect_error(func_module({}, {}, {0x41, 0, 0x21, 0, 0x0B}), "unknown local");
  expect_error(func_module({}, {}, {0x42, 0, 0x21, 0, 0x0B}, {{1, I32}}), "type mismatch");
}

TEST(Valid, NonNullableLocals) {
  TestModule tm;
  uint32_t t = tm.add_type({}, {});
  ValType ref_t = ValType::ref(HeapKind::Concrete, false, t);
  uint32_t f = tm.add_func(t, {0x0B});
  tm.export_func("f", f);
  // local.get before set: uninitialized
  tm.add_func(t, {0x20, 0, 0x1A, 0x0B}, {{1, ref_t}});
  expect_error(tm, "uninitialized local");

  TestModule ok;
  uint32_t t2 = ok.add_type({}, {});
  ValType r2 = ValType::ref(HeapKind::Concrete, false, t2);
  uint32_t f2 = ok.add_func(t2, {0x0B});
  ok.export_func("f", f2);
  // ref.func 0 local.set 0 local.get 0 drop
  ok.add_func(t2, {0xD2, 0, 0x21, 0, 0x20, 0, 0x1A, 0x0B}, {{1, r2}});
  expect_ok(ok);

  // set inside a block does not survive the block's end
  TestModule blk;
  uint32_t t3 = blk.add_type({}, {});
  ValType r3 = ValType::ref(HeapKind::Concrete, false, t3);
  uint32_t f3 = blk.add_func(t3, {0x0B});
  blk.export_func("f", f3);
  blk.add_func(t3, {0x02, 0x40, 0xD2, 0, 0x21, 0, 0x0B, 0x20, 0, 0x1A, 0x0B}, {{1, r3}});
  expect_error(blk, "uninitialized local");
}

TEST(Valid, Globals) {
  TestModule tm;
  tm.add_type({}, {});
  tm.add_global(I32, false, {0x41, 0, 0x0B});
  tm.add_global(I32, true, {0x41, 0, 0x0B});
  tm.add_func(0, {0x41, 1, 0x24, 1, 0x23, 0, 0x1A, 0x0B});
  expect_ok(tm);
  TestModule imm;
  imm.add_type({}, {});
  imm.add_global(I32, false, {0x41, 0, 0x0B});
  imm.add_func(0, {0x41, 1, 0x24, 0, 0x0B});
  expect_error(imm, "immutable global");
  expect_error(func_module({}, {}, {0x23, 0, 0x1A, 0x0B}), "unknown global");
}

// ---- constant expressions ----

TEST(Valid, ConstantExpressions) {
  TestModule tm;
  uint32_t g0 = tm.import_global(I32, false);
  tm.add_global(I32, false, cat({{0x23}, uleb(g0), {0x41, 2, 0x6A, 0x41, 3, 0x6C, 0x0B}}));
  tm.add_global(I32, false, {0x23, 1, 0x0B});  // earlier defined immutable global (3.0)
  tm.add_global(I64, false, {0x42, 1, 0x42, 2, 0x7D, 0x0B});
  tm.add_global(V128, false, cat({{0xFD, 0x0C}, Bytes(16, 0), {0x0B}}));
  tm.add_global(FUNCREF, false, {0xD0, 0x70, 0x0B});
  expect_ok(tm);

  TestModule div;
  div.add_global(I32, false, {0x41, 1, 0x41, 1, 0x6D, 0x0B});
  expect_error(div, "constant expression required");

  TestModule mut;
  mut.import_global(I32, true);
  mut.add_global(I32, false, {0x23, 0, 0x0B});
  expect_error(mut, "constant expression required");

  TestModule later;
  later.add_global(I32, false, {0x23, 1, 0x0B});
  later.add_global(I32, false, {0x41, 0, 0x0B});
  expect_error(later, "unknown global");

  TestModule type;
  type.add_global(I32, false, {0x42, 0, 0x0B});
  expect_error(type, "type mismatch");

  TestModule empty;
  empty.add_global(I32, false, {0x0B});
  expect_error(empty, "type mismatch");
}

// ---- references ----

TEST(Valid, RefFuncDeclared) {
  TestModule tm;
  uint32_t t = tm.add_type({}, {});
  tm.add_func(t, {0xD2, 0, 0x1A, 0x0B});
  expect_error(tm, "undeclared function reference");
  tm.export_func("f", 0);
  expect_ok(tm);

  TestModule via_global;
  uint32_t t2 = via_global.add_type({}, {});
  via_global.add_global(FUNCREF, false, {0xD2, 0, 0x0B});
  via_global.add_func(t2, {0xD2, 0, 0x1A, 0x0B});
  expect_ok(via_global);

  TestModule via_elem;
  uint32_t t3 = via_elem.add_type({}, {});
  ElemDesc e;
  e.mode = SegmentMode::Declarative;
  e.func_indices = {0};
  via_elem.m.elems.push_back(e);
  via_elem.add_func(t3, {0xD2, 0, 0x1A, 0x0B});
  expect_ok(via_elem);
}

TEST(Valid, RefOps) {
  // ref.null func; ref.is_null
  expect_ok(func_module({}, {I32}, {0xD0, 0x70, 0xD1, 0x0B}));
  expect_error(func_module({}, {I32}, {0x41, 0, 0xD1, 0x0B}), "type mismatch");
  // ref.as_non_null gives (ref func)
  expect_ok(func_module({FUNCREF}, {ValType::ref(HeapKind::Func, false)}, {0x20, 0, 0xD4, 0x0B}));
  expect_error(func_module({FUNCREF}, {ValType::ref(HeapKind::Func, false)}, {0x20, 0, 0x0B}),
               "type mismatch");
  // br_on_null 0 with label []: leaves (ref func)
  expect_ok(func_module({FUNCREF}, {}, {0x02, 0x40, 0x20, 0, 0xD5, 0, 0x1A, 0x0B, 0x0B}));
  // br_on_non_null: label must end in a reference
  expect_ok(func_module({FUNCREF}, {ValType::ref(HeapKind::Func, false)},
                        {0x02, 0x64, 0x70, 0x20, 0, 0xD6, 0, 0x00, 0x0B, 0x0B}));
  expect_error(func_module({FUNCREF}, {}, {0x02, 0x40, 0x20, 0, 0xD6, 0, 0x0B, 0x0B}),
               "type mismatch");
}

TEST(Valid, CallRef) {
  TestModule tm;
  uint32_t t = tm.add_type({I32}, {I32});
  ValType rt = ValType::ref(HeapKind::Concrete, true, t);
  uint32_t caller = tm.add_type({rt}, {I32});
  tm.add_func(caller, {0x41, 1, 0x20, 0, 0x14, static_cast<uint8_t>(t), 0x0B});
  tm.add_func(caller, {0x41, 1, 0x20, 0, 0x15, static_cast<uint8_t>(t), 0x0B});
  expect_ok(tm);
  TestModule bad;
  uint32_t bt = bad.add_type({I32}, {I32});
  uint32_t other = bad.add_type({}, {});
  uint32_t bc = bad.add_type({ValType::ref(HeapKind::Concrete, true, other)}, {I32});
  bad.add_func(bc, {0x41, 1, 0x20, 0, 0x14, static_cast<uint8_t>(bt), 0x0B});
  expect_error(bad, "type mismatch");
}

// ---- memory ----

TEST(Valid, MemoryOps) {
  TestModule tm;
  tm.add_type({}, {I32});
  tm.add_memory(1);
  tm.add_func(0, {0x41, 0, 0x28, 2, 0, 0x0B});
  expect_ok(tm);

  TestModule nomem = func_module({}, {I32}, {0x41, 0, 0x28, 2, 0, 0x0B});
  expect_error(nomem, "unknown memory 0");

  TestModule align;
  align.add_type({}, {I32});
  align.add_memory(1);
  align.add_func(0, {0x41, 0, 0x28, 3, 0, 0x0B});
  expect_error(align, "alignment must not be larger than natural");

  TestModule flags;
  flags.add_type({}, {I32});
  flags.add_memory(1);
  flags.add_func(0, {0x41, 0, 0x28, 0x80, 0x01, 0, 0x0B});
  expect_error(flags, "malformed memop flags", ErrorKind::Malformed);

  TestModule off;
  off.add_type({}, {I32});
  off.add_memory(1);
  off.add_func(0, cat({{0x41, 0, 0x28, 2}, uleb(uint64_t(1) << 32), {0x0B}}));
  expect_error(off, "offset out of range");

  TestModule m64;
  m64.add_type({}, {I64});
  m64.add_memory(1, std::nullopt, true);
  // i64 address, offset beyond 4 GiB: fine for memory64; memory.size returns i64
  m64.add_func(0, cat({{0x42, 0, 0x29, 3}, uleb(uint64_t(1) << 33), {0x0B}}));
  m64.add_func(0, {0x3F, 0, 0x0B});
  expect_ok(m64);

  TestModule m64bad;
  m64bad.add_type({}, {I32});
  m64bad.add_memory(1, std::nullopt, true);
  m64bad.add_func(0, {0x41, 0, 0x28, 2, 0, 0x0B});
  expect_error(m64bad, "type mismatch");

  // multiple memories, memory index in the memarg (flag bit 6)
  TestModule multi;
  multi.add_type({}, {I32});
  multi.add_memory(1);
  multi.add_memory(1, std::nullopt, true);
  multi.add_func(0, {0x42, 0, 0x28, 0x42, 1, 0, 0x0B});
  multi.add_func(0, {0x41, 0, 0x28, 0x42, 2, 0, 0x0B});
  expect_error(multi, "unknown memory 2");
}

// Threads: atomic instructions (0xFE prefix) on shared and unshared memories.
TEST(Valid, AtomicOps) {
  // A function [] -> results over one shared memory (1, 1), 32- or 64-bit.
  auto one = [](std::vector<ValType> results, Bytes code, bool is64 = false) {
    TestModule tm;
    tm.add_type({}, std::move(results));
    uint32_t mem = tm.add_memory(1, 1, is64);
    tm.m.memories[mem].limits.shared = true;
    tm.add_func(0, std::move(code));
    return tm;
  };
  // i32.atomic.load (0xFE 0x10), align 2; i64.atomic.rmw16.add_u (0xFE 0x23), align 1.
  expect_ok(one({I32}, {0x41, 0, 0xFE, 0x10, 2, 0, 0x0B}));
  expect_ok(one({I64}, {0x41, 0, 0x42, 1, 0xFE, 0x23, 1, 0, 0x0B}));
  // Alignment must be exactly natural: smaller (fine for plain loads) and larger both fail.
  expect_error(one({I32}, {0x41, 0, 0xFE, 0x10, 1, 0, 0x0B}), "atomic alignment must be natural");
  expect_error(one({I32}, {0x41, 0, 0xFE, 0x10, 3, 0, 0x0B}), "atomic alignment must be natural");
  expect_error(one({I64}, {0x41, 0, 0x42, 1, 0xFE, 0x23, 3, 0, 0x0B}),
               "atomic alignment must be natural");
  // i64.atomic.rmw.cmpxchg (0xFE 0x49) takes an address and two i64s.
  expect_ok(one({I64}, {0x41, 0, 0x42, 1, 0x42, 2, 0xFE, 0x49, 3, 0, 0x0B}));
  expect_error(one({I64}, {0x41, 0, 0x41, 1, 0x42, 2, 0xFE, 0x49, 3, 0, 0x0B}), "type mismatch");
  // memory.atomic.wait64 (0xFE 0x02) on memory64: an i64 address.
  expect_ok(one({I32}, {0x42, 0, 0x42, 0, 0x42, 0, 0xFE, 0x02, 3, 0, 0x0B}, true));
  expect_error(one({I32}, {0x41, 0, 0x42, 0, 0x42, 0, 0xFE, 0x02, 3, 0, 0x0B}, true),
               "type mismatch");
  // atomic.fence (0xFE 0x03) and its reserved byte.
  expect_ok(one({}, {0xFE, 0x03, 0x00, 0x0B}));
  expect_error(one({}, {0xFE, 0x03, 0x01, 0x0B}), "malformed atomic.fence: reserved byte must be 0",
               ErrorKind::Malformed);
  // No memory; an unknown code after the prefix.
  expect_error(func_module({}, {I32}, {0x41, 0, 0xFE, 0x10, 2, 0, 0x0B}), "unknown memory 0");
  expect_error(one({}, {0xFE, 0x04, 0x0B}), "illegal opcode fe 4", ErrorKind::Malformed);
}

TEST(Valid, BulkMemory) {
  TestModule tm;
  tm.add_type({}, {});
  tm.add_memory(1);
  DataDesc d;
  d.mode = SegmentMode::Passive;
  tm.m.datas.push_back(d);
  tm.m.data_count = 1;
  tm.add_func(0, {0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 8, 0, 0, 0xFC, 9, 0, 0x0B});
  expect_ok(tm);
  tm.m.data_count.reset();
  expect_error(tm, "data count section required", ErrorKind::Malformed);

  TestModule unk;
  unk.add_type({}, {});
  unk.m.data_count = 0;
  unk.add_func(0, {0xFC, 9, 0, 0x0B});
  expect_error(unk, "unknown data segment");

  // memory.copy between 32- and 64-bit memories: n is i32
  TestModule copy;
  copy.add_type({}, {});
  copy.add_memory(1, std::nullopt, true);
  copy.add_memory(1);
  copy.add_func(0, {0x42, 0, 0x41, 0, 0x41, 0, 0xFC, 10, 0, 1, 0x0B});
  expect_ok(copy);
}

TEST(Valid, Tables) {
  TestModule tm;
  tm.add_type({}, {});
  tm.add_table(FUNCREF, 1);
  tm.add_table(EXTERNREF, 1);
  ElemDesc e;
  e.mode = SegmentMode::Passive;
  e.type = FUNCREF;
  tm.m.elems.push_back(e);
  // table.init 0 0 ; elem.drop 0 ; table.size 1 drop; table.get 1 drop
  tm.add_func(0, {0x41, 0,    0x41, 0, 0x41, 0,    0xFC, 12,   0, 0,    0xFC, 13,
                  0,    0xFC, 16,   1, 0x1A, 0x41, 0,    0x25, 1, 0x1A, 0x0B});
  expect_ok(tm);

  TestModule bad;
  bad.add_type({}, {});
  bad.add_table(EXTERNREF, 1);
  ElemDesc e2;
  e2.mode = SegmentMode::Passive;
  bad.m.elems.push_back(e2);
  bad.add_func(0, {0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 12, 0, 0, 0x0B});
  expect_error(bad, "type mismatch");

  TestModule copy;
  copy.add_type({}, {});
  copy.add_table(FUNCREF, 1);
  copy.add_table(EXTERNREF, 1);
  copy.add_func(0, {0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 14, 0, 1, 0x0B});
  expect_error(copy, "type mismatch");

  TestModule unk;
  unk.add_type({}, {});
  unk.add_func(0, {0xFC, 13, 0, 0x0B});
  expect_error(unk, "unknown elem segment 0");
}

// ---- SIMD ----

TEST(Valid, Simd) {
  Bytes vconst = cat({{0xFD, 0x0C}, Bytes(16, 0)});
  expect_ok(func_module({}, {I32}, cat({vconst, {0xFD, 0x15, 15, 0x0B}})));
  expect_error(func_module({}, {I32}, cat({vconst, {0xFD, 0x15, 16, 0x0B}})), "invalid lane index");
  Bytes shuffle = cat({vconst, vconst, {0xFD, 0x0D}, Bytes(16, 31), {0x0B}});
  expect_ok(func_module({}, {V128}, shuffle));
  Bytes bad_shuffle = cat({vconst, vconst, {0xFD, 0x0D}, Bytes(16, 32), {0x0B}});
  expect_error(func_module({}, {V128}, bad_shuffle), "invalid lane index");
  // relaxed madd: 3 x v128 -> v128 (LEB-encoded prefixed code 0x105)
  expect_ok(func_module({}, {V128}, cat({vconst, vconst, vconst, {0xFD, 0x85, 0x02, 0x0B}})));
  expect_error(func_module({}, {V128}, cat({vconst, {0x41, 0}, vconst, {0xFD, 0x85, 0x02, 0x0B}})),
               "type mismatch");
}

// ---- module-level rules ----

TEST(Valid, Limits) {
  TestModule mm;
  mm.add_memory(2, 1);
  expect_error(mm, "size minimum must not be greater than maximum");
  TestModule big;
  big.add_memory(65537);
  expect_error(big, "memory size must be at most 65536 pages");
  TestModule ok64;
  ok64.add_memory(65537, std::nullopt, true);
  expect_ok(ok64);
  TestModule big64;
  big64.add_memory((uint64_t(1) << 48) + 1, std::nullopt, true);
  expect_error(big64, "memory size");
  TestModule tab;
  tab.add_table(FUNCREF, uint64_t(1) << 32);
  expect_error(tab, "table size must be at most 2^32-1");
  TestModule tab64;
  tab64.add_table(FUNCREF, uint64_t(1) << 32, std::nullopt, true);
  expect_ok(tab64);
}

TEST(Valid, StartAndExports) {
  TestModule tm;
  uint32_t t = tm.add_type({}, {});
  uint32_t r = tm.add_type({}, {I32});
  tm.add_func(t, {0x0B});
  tm.add_func(r, {0x41, 0, 0x0B});
  tm.m.start = 0;
  expect_ok(tm);
  tm.m.start = 1;
  expect_error(tm, "start function");
  tm.m.start = 7;
  expect_error(tm, "unknown function");
  tm.m.start.reset();
  tm.export_func("a", 0);
  tm.export_func("a", 1);
  expect_error(tm, "duplicate export name");
  TestModule unk;
  unk.m.exports.push_back(Export{"m", ExternKind::Memory, 0});
  expect_error(unk, "unknown memory 0");
}

TEST(Valid, Segments) {
  TestModule tm;
  tm.add_type({}, {});
  tm.add_memory(1);
  tm.add_table(FUNCREF, 1);
  DataDesc d;
  d.offset = tm.append({0x41, 0, 0x0B});
  tm.m.datas.push_back(d);
  ElemDesc e;
  e.offset = tm.append({0x41, 0, 0x0B});
  e.func_indices = {0};
  tm.m.elems.push_back(e);
  tm.add_func(0, {0x0B});
  expect_ok(tm);
  tm.m.elems[0].func_indices = {5};
  expect_error(tm, "unknown function 5");
  tm.m.elems[0].func_indices = {0};
  tm.m.datas[0].memory = 1;
  expect_error(tm, "unknown memory 1");
  tm.m.datas[0].memory = 0;
  tm.m.datas[0].offset = tm.append({0x42, 0, 0x0B});
  expect_error(tm, "type mismatch");
}

TEST(Valid, Tags) {
  TestModule tm;
  uint32_t t = tm.add_type({I32}, {});
  tm.m.tags.push_back(t);
  tm.add_func(t, {0x20, 0, 0x08, 0, 0x0B});  // throw 0
  expect_ok(tm);
  TestModule bad;
  uint32_t r = bad.add_type({}, {I32});
  bad.m.tags.push_back(r);
  expect_error(bad, "non-empty tag result type");
  expect_error(func_module({}, {}, {0x08, 0, 0x0B}), "unknown tag 0");
}

TEST(Valid, TryTable) {
  TestModule tm;
  uint32_t t = tm.add_type({I32}, {});
  uint32_t f = tm.add_type({}, {I32});
  tm.m.tags.push_back(t);
  // block (result i32) try_table (catch 0 0) ... end unreachable end
  tm.add_func(f, {0x02, 0x7F, 0x1F, 0x40, 1, 0x00, 0, 0, 0x0B, 0x00, 0x0B, 0x0B});
  expect_ok(tm);
  TestModule bad;
  bad.add_type({}, {});
  bad.m.tags.push_back(0);
  // try_table (catch_ref 0 0) in a function without results: label [] cannot take exnref
  bad.add_func(0, {0x1F, 0x40, 1, 0x01, 0, 0, 0x0B, 0x0B});
  expect_error(bad, "type mismatch");
}

// ---- types and subtyping ----

SubType struct_type(std::vector<FieldType> fields, bool final = true,
                    std::vector<uint32_t> supers = {}) {
  SubType st;
  st.kind = CompositeKind::Struct;
  st.fields = std::move(fields);
  st.final = final;
  st.supers = std::move(supers);
  return st;
}

TEST(Valid, DeclaredSubtypes) {
  TestModule tm;
  uint32_t a = tm.add_subtype(struct_type({{I32, Packed::NotPacked, false}}, false));
  tm.add_subtype(struct_type({{I32, Packed::NotPacked, false}, {I64}}, true, {a}));
  expect_ok(tm);
  ModuleInfo info;
  ASSERT_TRUE(validate_types(tm.m, &info).ok());
  EXPECT_TRUE(is_subtype(tm.m, info, ValType::ref(HeapKind::Concrete, false, 1),
                         ValType::ref(HeapKind::Concrete, true, 0)));
  EXPECT_FALSE(is_subtype(tm.m, info, ValType::ref(HeapKind::Concrete, false, 0),
                          ValType::ref(HeapKind::Concrete, true, 1)));
  EXPECT_TRUE(is_subtype(tm.m, info, ValType::ref(HeapKind::Concrete, false, 1),
                         ValType::ref(HeapKind::Eq, true)));
  EXPECT_TRUE(is_subtype(tm.m, info, ValType::ref(HeapKind::None, true),
                         ValType::ref(HeapKind::Concrete, true, 1)));
  EXPECT_FALSE(is_subtype(tm.m, info, ValType::ref(HeapKind::NoFunc, true),
                          ValType::ref(HeapKind::Concrete, true, 1)));
  EXPECT_FALSE(is_subtype(tm.m, info, ValType::ref(HeapKind::Concrete, true, 1),
                          ValType::ref(HeapKind::Concrete, false, 1)));

  TestModule fin;
  uint32_t b = fin.add_subtype(struct_type({{I32}}, true));
  fin.add_subtype(struct_type({{I32}}, true, {b}));
  expect_error(fin, "sub type");

  TestModule shape;
  uint32_t c = shape.add_subtype(struct_type({{I32}}, false));
  shape.add_subtype(struct_type({{I64}}, true, {c}));
  expect_error(shape, "sub type");

  TestModule mut;  // mutable fields are invariant
  uint32_t d = mut.add_subtype(
      struct_type({{ValType::ref(HeapKind::Any, true), Packed::NotPacked, true}}, false));
  mut.add_subtype(
      struct_type({{ValType::ref(HeapKind::Eq, true), Packed::NotPacked, true}}, true, {d}));
  expect_error(mut, "sub type");

  TestModule fwd;  // supertype must be defined earlier
  fwd.add_subtype(struct_type({}, true, {1}));
  fwd.add_subtype(struct_type({}, false));
  expect_error(fwd, "unknown type");
}

TEST(Valid, IsoRecursiveEquivalence) {
  TestModule tm;
  // Two identical recursive groups {struct (field (ref null 0))} are the same type.
  SubType s = struct_type({{ValType::ref(HeapKind::Concrete, true, 0)}});
  tm.add_rec({s});
  SubType s2 = struct_type({{ValType::ref(HeapKind::Concrete, true, 1)}});
  tm.add_rec({s2});
  // A different group: two types.
  SubType p = struct_type({{ValType::ref(HeapKind::Concrete, true, 3)}});
  SubType q = struct_type({{ValType::ref(HeapKind::Concrete, true, 2)}});
  tm.add_rec({p, q});
  ModuleInfo info;
  ASSERT_TRUE(validate_types(tm.m, &info).ok());
  EXPECT_EQ(info.canon[0], info.canon[1]);
  EXPECT_NE(info.canon[0], info.canon[2]);
  EXPECT_NE(info.canon[2], info.canon[3]);
  // Forward reference out of the group is an unknown type.
  TestModule bad;
  bad.add_rec({struct_type({{ValType::ref(HeapKind::Concrete, true, 1)}})});
  bad.add_rec({struct_type({})});
  expect_error(bad, "unknown type");
}

TEST(Valid, FuncSubtypingInCalls) {
  // A function result (ref $sub) satisfies an expected (ref null $super) result.
  TestModule tm;
  uint32_t sup = tm.add_subtype(struct_type({}, false));
  uint32_t sub = tm.add_subtype(struct_type({}, true, {sup}));
  uint32_t t = tm.add_type({ValType::ref(HeapKind::Concrete, false, sub)},
                           {ValType::ref(HeapKind::Concrete, true, sup)});
  tm.add_func(t, {0x20, 0, 0x0B});
  expect_ok(tm);
}

TEST(Valid, Gc) {
  TestModule tm;
  uint32_t s = tm.add_subtype(struct_type({{I32, Packed::NotPacked, true}, {I64}}));
  SubType arr;
  arr.kind = CompositeKind::Array;
  arr.fields = {{I32, Packed::I8, false}};
  uint32_t a = tm.add_subtype(arr);
  uint32_t t = tm.add_type({}, {I64});
  uint32_t u = tm.add_type({}, {I32});
  // struct.new s (i32 1, i64 2); struct.get s 1
  tm.add_func(t, {0x41, 1, 0x42, 2, 0xFB, 0, static_cast<uint8_t>(s), 0xFB, 2,
                  static_cast<uint8_t>(s), 1, 0x0B});
  // array.new_fixed a 2; i32.const 0; array.get_u a
  tm.add_func(u, {0x41, 1, 0x41, 2, 0xFB, 8, static_cast<uint8_t>(a), 2, 0x41, 0, 0xFB, 0x0D,
                  static_cast<uint8_t>(a), 0x0B});
  expect_ok(tm);

  TestModule imm;
  uint32_t s2 = imm.add_subtype(struct_type({{I32}}));
  uint32_t t2 = imm.add_type({ValType::ref(HeapKind::Concrete, true, s2)}, {});
  imm.add_func(t2, {0x20, 0, 0x41, 0, 0xFB, 5, static_cast<uint8_t>(s2), 0, 0x0B});
  expect_error(imm, "immutable field");

  // ref.test / ref.cast / i31
  expect_ok(
      func_module({ValType::ref(HeapKind::Any, true)}, {I32}, {0x20, 0, 0xFB, 0x14, 0x6C, 0x0B}));
  expect_ok(func_module({}, {I32}, {0x41, 5, 0xFB, 0x1C, 0xFB, 0x1D, 0x0B}));
  expect_error(func_module({FUNCREF}, {I32}, {0x20, 0, 0xFB, 0x14, 0x6C, 0x0B}), "type mismatch");
}

TEST(Valid, MoreRules) {
  // return_call_indirect: callee results must match the caller's
  TestModule rci;
  uint32_t t = rci.add_type({}, {I32});
  uint32_t u = rci.add_type({}, {I64});
  rci.add_table(FUNCREF, 1);
  rci.add_func(t, {0x41, 0, 0x13, static_cast<uint8_t>(t), 0, 0x0B});
  expect_ok(rci);
  rci.add_func(u, {0x41, 0, 0x13, static_cast<uint8_t>(t), 0, 0x0B});
  expect_error(rci, "type mismatch");

  // table64: table.get takes an i64 index, table.size returns i64
  TestModule t64;
  uint32_t ft = t64.add_type({}, {I64});
  t64.add_table(FUNCREF, 1, std::nullopt, true);
  t64.add_func(ft, {0x42, 0, 0x25, 0, 0x1A, 0xFC, 16, 0, 0x0B});
  expect_ok(t64);
  t64.add_func(ft, {0x41, 0, 0x25, 0, 0x1A, 0xFC, 16, 0, 0x0B});
  expect_error(t64, "type mismatch");

  // non-nullable table element type needs an initializer expression
  TestModule nn;
  uint32_t ft2 = nn.add_type({}, {});
  nn.add_table(ValType::ref(HeapKind::Concrete, false, ft2), 1);
  expect_error(nn, "type mismatch");
  nn.m.defined_tables[0].init = nn.append({0xD2, 0, 0x0B});
  nn.add_func(ft2, {0x0B});
  expect_ok(nn);

  // element expressions must have the segment's type
  TestModule el;
  el.add_type({}, {});
  ElemDesc e;
  e.mode = SegmentMode::Passive;
  e.type = EXTERNREF;
  e.uses_exprs = true;
  e.exprs = {el.append({0xD0, 0x6F, 0x0B})};
  el.m.elems.push_back(e);
  expect_ok(el);
  el.m.elems[0].exprs = {el.append({0xD0, 0x70, 0x0B})};
  expect_error(el, "type mismatch");
}

TEST(Valid, GcMore) {
  TestModule tm;
  SubType a8;
  a8.kind = CompositeKind::Array;
  a8.fields = {{I32, Packed::I8, true}};
  uint32_t a = tm.add_subtype(a8);
  SubType a32;
  a32.kind = CompositeKind::Array;
  a32.fields = {{I32, Packed::NotPacked, true}};
  uint32_t b = tm.add_subtype(a32);
  uint32_t t = tm.add_type(
      {ValType::ref(HeapKind::Concrete, true, a), ValType::ref(HeapKind::Concrete, true, b)}, {});
  // array.copy a b: packed i8 vs i32 elements do not match
  tm.add_func(t, {0x20, 0, 0x41, 0, 0x20, 1, 0x41, 0, 0x41, 0, 0xFB, 0x11, static_cast<uint8_t>(a),
                  static_cast<uint8_t>(b), 0x0B});
  expect_error(tm, "array types do not match");

  // struct.new_default needs defaultable fields
  TestModule sd;
  uint32_t f = sd.add_type({}, {});
  SubType st;
  st.kind = CompositeKind::Struct;
  st.fields = {{ValType::ref(HeapKind::Concrete, false, f)}};
  uint32_t s = sd.add_subtype(st);
  sd.add_func(f, {0xFB, 1, static_cast<uint8_t>(s), 0x1A, 0x0B});
  expect_error(sd, "type mismatch");

  // br_on_cast: (ref null any) -> i31 to a label of (ref i31); fallthrough keeps anyref
  TestModule bc;
  uint32_t ft =
      bc.add_type({ValType::ref(HeapKind::Any, true)}, {ValType::ref(HeapKind::I31, false)});
  bc.add_func(ft, {0x20, 0, 0xFB, 0x18, 0x01, 0, 0x6E, 0x6C, 0x1A, 0x00, 0x0B});
  expect_ok(bc);
  // target not a subtype of the source
  TestModule bc2;
  uint32_t ft2 = bc2.add_type({FUNCREF}, {ValType::ref(HeapKind::I31, false)});
  bc2.add_func(ft2, {0x20, 0, 0xFB, 0x18, 0x01, 0, 0x70, 0x6C, 0x1A, 0x00, 0x0B});
  expect_error(bc2, "type mismatch");
}

TEST(Valid, ConstExprGc) {
  TestModule tm;
  SubType st;
  st.kind = CompositeKind::Struct;
  st.fields = {{I32}};
  uint32_t s = tm.add_subtype(st);
  tm.add_global(ValType::ref(HeapKind::Concrete, false, s), false,
                {0x41, 7, 0xFB, 0, static_cast<uint8_t>(s), 0x0B});
  tm.add_global(ValType::ref(HeapKind::I31, false), false, {0x41, 7, 0xFB, 0x1C, 0x0B});
  expect_ok(tm);
}

// ---- malformed body encodings ----

TEST(Valid, MalformedBodies) {
  expect_error(func_module({}, {}, {0xFF, 0x0B}), "illegal opcode ff", ErrorKind::Malformed);
  expect_error(func_module({}, {}, {0xFC, 0x7F, 0x0B}), "illegal opcode", ErrorKind::Malformed);
  expect_error(func_module({}, {I32}, {0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0B}),
               "integer representation too long", ErrorKind::Malformed);
  expect_error(func_module({}, {I32}, {0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0B}),
               "integer too large", ErrorKind::Malformed);
  expect_ok(func_module({}, {I32}, {0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x0B}));  // -1
  expect_error(func_module({}, {}, {0x01}), "unexpected end", ErrorKind::Malformed);
  expect_error(func_module({}, {}, {0x05, 0x0B}), "END opcode expected", ErrorKind::Malformed);
  expect_error(func_module({}, {}, {0x0B, 0x01}), "section size mismatch", ErrorKind::Malformed);
}

TEST(Valid, DeepNestingIsIterative) {
  Bytes code;
  const int depth = 200000;
  for (int i = 0; i < depth; ++i) code.insert(code.end(), {0x02, 0x40});
  for (int i = 0; i <= depth; ++i) code.push_back(0x0B);
  expect_ok(func_module({}, {}, code));
}

TEST(Valid, HostileBrTableCount) {
  // br_table claiming 2^32-1 targets in a tiny body fails fast.
  expect_error(func_module({}, {}, {0x41, 0, 0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x0B}),
               "unexpected end", ErrorKind::Malformed);
}

// ---- sink events ----

struct Event {
  Op op;
  bool reachable;
  std::vector<ValType> popped, pushed;
};

struct RecordingSink {
  std::vector<Event> events;
  std::vector<ValType> locals;
  bool ended = false;
  void begin_function(uint32_t, const FuncType&, std::span<const ValType> l) {
    locals.assign(l.begin(), l.end());
  }
  void instr(const Instr& in, bool reachable, std::span<const ValType> popped,
             std::span<const ValType> pushed) {
    events.push_back(
        {in.op, reachable, {popped.begin(), popped.end()}, {pushed.begin(), pushed.end()}});
  }
  Status end_function() {
    ended = true;
    return {};
  }
};

TEST(ValidSink, ControlEvents) {
  // (param i32 i64) (result i32): local i32;
  // local.get 0 if (result i32) i32.const 1 else i32.const 2 end br_if 0 ... end
  TestModule tm;
  uint32_t t = tm.add_type({I32, I64}, {I32});
  tm.add_func(t, {0x20, 0, 0x04, 0x7F, 0x41, 1, 0x05, 0x41, 2, 0x0B, 0x20, 0, 0x0D, 0, 0x0B},
              {{1, F32}});
  ModuleInfo info;
  ASSERT_TRUE(validate_module_level(tm.m, &info).ok());
  RecordingSink sink;
  Status s = validate_function(tm.m, info, 0, sink);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_TRUE(sink.ended);
  EXPECT_EQ(sink.locals, (std::vector<ValType>{I32, I64, F32}));
  ASSERT_EQ(sink.events.size(), 9u);
  EXPECT_EQ(sink.events[1].op, Op::if_);
  EXPECT_EQ(sink.events[1].popped, std::vector<ValType>{I32});
  EXPECT_TRUE(sink.events[1].pushed.empty());
  EXPECT_EQ(sink.events[3].op, Op::else_);
  EXPECT_EQ(sink.events[3].popped, std::vector<ValType>{I32});  // then-branch results
  EXPECT_EQ(sink.events[5].op, Op::end);
  EXPECT_EQ(sink.events[5].popped, std::vector<ValType>{I32});
  EXPECT_EQ(sink.events[5].pushed, std::vector<ValType>{I32});
  EXPECT_EQ(sink.events[7].op, Op::br_if);
  EXPECT_EQ(sink.events[7].popped, (std::vector<ValType>{I32, I32}));  // label value, cond
  EXPECT_EQ(sink.events[7].pushed, std::vector<ValType>{I32});
  EXPECT_EQ(sink.events[8].op, Op::end);  // the function's final end
  EXPECT_TRUE(sink.events[8].reachable);
}

TEST(ValidSink, UnreachableFlagAndCalls) {
  TestModule tm;
  uint32_t t = tm.add_type({I32, F64}, {I64});
  tm.add_func(t, {0x20, 0, 0x20, 1, 0x10, 0, 0x0F, 0x7C, 0x0B});
  ModuleInfo info;
  ASSERT_TRUE(validate_module_level(tm.m, &info).ok());
  RecordingSink sink;
  ASSERT_TRUE(validate_function(tm.m, info, 0, sink).ok());
  ASSERT_EQ(sink.events.size(), 6u);
  EXPECT_EQ(sink.events[2].op, Op::call);
  EXPECT_EQ(sink.events[2].popped, (std::vector<ValType>{I32, F64}));
  EXPECT_EQ(sink.events[2].pushed, std::vector<ValType>{I64});
  EXPECT_EQ(sink.events[3].op, Op::return_);
  EXPECT_TRUE(sink.events[3].reachable);
  EXPECT_EQ(sink.events[4].op, Op::i64_add);
  EXPECT_FALSE(sink.events[4].reachable);
  EXPECT_EQ(sink.events[4].popped[0].kind, ValKind::Bot);
  EXPECT_FALSE(sink.events[5].reachable);  // end of an unreachable function body
}

}  // namespace
}  // namespace hull::test
