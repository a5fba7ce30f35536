// Interpreter tests for control flow edge cases, globals, references, bulk memory and tables.
#include <gtest/gtest.h>

#include <cmath>

#include "wasm_builder.h"

namespace hull::test {
namespace {

uint32_t run1(TestInstance& ti, uint32_t f, uint64_t a) {
  uint64_t s[4] = {a, 0, 0, 0};
  auto t = ti.call(f, s);
  EXPECT_FALSE(t) << (t ? t->message : "");
  return uint32_t(s[0]);
}

TEST(InterpControl, IfElseMultiValue) {
  // if (param i32) (result i32 i32) on local 0: then (x, x+1) else (x*2, 5); then sub.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  uint32_t bt = mb.type({I32}, {I32, I32});
  Code c;
  c.get(0).get(0).op(0x04).s(bt);
  c.get(0).i32c(1).op(0x6a);          // then: (x) (x+1)
  c.op(0x05).i32c(2).op(0x6c).i32c(5);  // else: (x*2) (5)
  c.op(0x0b).op(0x6b);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, 0, 7), uint32_t(-1));
  EXPECT_EQ(run1(ti, 0, 0), uint32_t(-5));
}

TEST(InterpControl, BrIfWithValueAndDeadCode) {
  // block (result i32) local.get 0 local.get 0 br_if 0 drop i32.const 99 br 0
  //   (dead: i32.add block i32.const 1 end unreachable) end
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  c.op(0x02).u8(I32).get(0).get(0).br_if(0).op(0x1a).i32c(99).br(0);
  c.op(0x6a).op(0x02).u8(0x40).i32c(1).op(0x1a).op(0x0b).op(0x00);
  c.op(0x0b);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, 0, 5), 5u);
  EXPECT_EQ(run1(ti, 0, 0), 99u);
}

TEST(InterpControl, LoopWithParams) {
  // i32.const 0 (acc) local.get 0 (n) loop (param i32 i32) (result i32):
  //   acc+n, n-1, br_if while n != 0 ... expressed with locals for clarity.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  uint32_t lt = mb.type({I32, I32}, {I32});
  Code c;
  c.i32c(0).get(0);
  c.op(0x03).s(lt);
  // stack: acc n
  c.tee(1);                          // n -> local1 (stack: acc n)
  c.op(0x6a);                        // acc + n
  c.get(1).i32c(1).op(0x6b);         // n - 1
  c.tee(1);
  c.get(1).br_if(0);                 // loop with (acc', n-1) while n-1 != 0
  c.op(0x1a);
  c.op(0x0b);
  mb.func(t, c, {{1, I32}});
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, 0, 10), 55u);
}

TEST(InterpControl, SelectAndGlobals) {
  ModuleBuilder mb;
  mb.globals = {{I32, true}, {I64, true}};
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  // global0 += local0; return select(global0, 7, local0 > 3)
  c.op(0x23).u(0).get(0).op(0x6a).op(0x24).u(0);
  c.op(0x23).u(0).i32c(7).get(0).i32c(3).op(0x4a).op(0x1b);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, 0, 5), 5u);
  EXPECT_EQ(run1(ti, 0, 1), 7u);
  EXPECT_EQ(ti.inst->globals[0]->value[0] & 0xffffffff, 6u);
}

TEST(InterpControl, RefFuncCallRefAndBrOnNull) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  Code inc;
  inc.get(0).i32c(1).op(0x6a);
  uint32_t f_inc = mb.func(t, inc);
  // call_ref via ref.func
  Code c;
  c.get(0).op(0xd2).u(f_inc).op(0x14).u(t);
  uint32_t f_callref = mb.func(t, c);
  // null call_ref traps
  Code n;
  n.get(0).op(0xd0).s(t).op(0x14).u(t);
  uint32_t f_null = mb.func(t, n);
  // block (result i32) i32.const 5 (ref.null func) br_on_null 0 drop i32.const 6 end
  Code b;
  b.op(0x02).u8(I32).i32c(5).op(0xd0).u8(0x70).op(0xd5).u(0).op(0x1a).op(0x1a).i32c(6).op(0x0b);
  uint32_t f_bon = mb.func(t, b);
  // block (result funcref) ref.func inc br_on_non_null 0 ref.null func end ref.is_null
  Code bn;
  bn.op(0x02).u8(0x70).op(0xd2).u(f_inc).op(0xd6).u(0).op(0xd0).u8(0x70).op(0x0b).op(0xd1);
  uint32_t f_bonn = mb.func(t, bn);
  // ref.as_non_null on null traps with "null reference"
  Code an;
  an.op(0xd0).u8(0x70).op(0xd4).op(0x1a).get(0);
  uint32_t f_asnn = mb.func(t, an);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, f_callref, 41), 42u);
  uint64_t s[1] = {1};
  auto tr = ti.call(f_null, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "null function reference");
  EXPECT_EQ(run1(ti, f_bon, 0), 5u);
  EXPECT_EQ(run1(ti, f_bonn, 0), 0u);
  tr = ti.call(f_asnn, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "null reference");
}

TEST(InterpControl, BulkMemory) {
  ModuleBuilder mb;
  mb.has_memory = true;
  mb.mem_min = 1;
  mb.mem_max = 1;
  mb.passive_datas = {{1, 2, 3, 4, 5}};
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  // memory.init data0 at 100 from 1 len 4; memory.fill 200 <- 9 x 3; memory.copy 300 <- 100 x 4
  c.i32c(100).i32c(1).i32c(4).op(0xfc).u(8).u(0).u8(0);
  c.i32c(200).i32c(9).i32c(3).op(0xfc).u(11).u8(0);
  c.i32c(300).i32c(100).i32c(4).op(0xfc).u(10).u8(0).u8(0);
  c.get(0).mem(0x28, 2, 0);
  mb.func(t, c);
  Code drop;
  drop.op(0xfc).u(9).u(0).i32c(0).i32c(0).i32c(1).op(0xfc).u(8).u(0).u8(0).get(0);
  uint32_t f_drop = mb.func(t, drop);
  Code oob;
  oob.i32c(65535).i32c(0).i32c(2).op(0xfc).u(11).u8(0).get(0);
  uint32_t f_oob = mb.func(t, oob);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, 0, 100), 0x05040302u);
  EXPECT_EQ(run1(ti, 0, 200), 0x00090909u);
  EXPECT_EQ(run1(ti, 0, 300), 0x05040302u);
  uint64_t s[1] = {0};
  auto tr = ti.call(f_drop, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "out of bounds memory access");
  tr = ti.call(f_oob, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "out of bounds memory access");
}

TEST(InterpControl, TableOps) {
  ModuleBuilder mb;
  mb.has_table = true;
  mb.table_min = 2;
  uint32_t t = mb.type({I32}, {I32});
  Code id;
  id.get(0);
  uint32_t f_id = mb.func(t, id);
  mb.elem_funcs = {f_id};
  Code c;
  // table.grow (ref.func id) 3 -> old size; table.size; table.get k is_null
  c.op(0xd2).u(f_id).i32c(3).op(0xfc).u(15).u(0).op(0x1a);
  c.get(0).op(0x25).u(0).op(0xd1);
  c.op(0xfc).u(16).u(0).i32c(100).op(0x6c).op(0x6a);  // is_null + size*100
  uint32_t f = mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, f, 0), 500u);   // slot 0 set, size 5 after first grow
  EXPECT_EQ(run1(ti, f, 1), 801u);   // slot 1 null, size 8
  uint64_t s[1] = {100};
  auto tr = ti.call(f, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "out of bounds table access");
}

TEST(InterpControl, ReturnFromNestedBlocksAndBrIfToFunction) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32, I64});
  Code c;
  c.op(0x02).u8(0x40).op(0x03).u8(0x40);
  c.get(0).i64c(77).get(0).br_if(2);  // conditional return of (x, 77)
  c.op(0x1a).op(0x1a);
  c.i32c(1).i64c(2).op(0x0f);          // return (1, 2)
  c.op(0x0b).op(0x0b).op(0x00);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {9, 0};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 9u);
  EXPECT_EQ(s[1], 77u);
  s[0] = 0;
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 1u);
  EXPECT_EQ(s[1], 2u);
}

TEST(InterpControl, ReturnCallIndirectAndMutualTailRecursion) {
  ModuleBuilder mb;
  mb.has_table = true;
  mb.table_min = 2;
  uint32_t t = mb.type({I32}, {I32});
  // even(n) = n == 0 ? 1 : return_call_indirect odd(n-1); odd(n) = n == 0 ? 0 : even(n-1)
  Code even;
  even.get(0).op(0x45).op(0x04).u8(I32).i32c(1).op(0x05).get(0).i32c(1).op(0x6b).i32c(1);
  even.op(0x13).u(t).u(0).op(0x0b);
  uint32_t f_even = mb.func(t, even);
  Code odd;
  odd.get(0).op(0x45).op(0x04).u8(I32).i32c(0).op(0x05).get(0).i32c(1).op(0x6b).i32c(0);
  odd.op(0x13).u(t).u(0).op(0x0b);
  uint32_t f_odd = mb.func(t, odd);
  mb.elem_funcs = {f_even, f_odd};
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  EXPECT_EQ(run1(ti, f_even, 1000001), 0u);
  EXPECT_EQ(run1(ti, f_even, 1000000), 1u);
}

TEST(InterpControl, FloatAndConversionTraps) {
  ModuleBuilder mb;
  uint32_t t = mb.type({F64}, {I32});
  Code c;
  c.get(0).op(0xaa);  // i32.trunc_f64_s
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  double d = -7.9;
  uint64_t s[1];
  std::memcpy(s, &d, 8);
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(int32_t(s[0]), -7);
  d = 3e10;
  std::memcpy(s, &d, 8);
  auto tr = ti.call(0, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "integer overflow");
  d = std::nan("");
  std::memcpy(s, &d, 8);
  tr = ti.call(0, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "invalid conversion to integer");
}

}  // namespace
}  // namespace hull::test
