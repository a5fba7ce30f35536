// Interpreter tests on hand-assembled modules: arithmetic, control flow, calls, traps, memory,
// tail calls, stack exhaustion and SIMD.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "wasm_builder.h"

namespace hull::test {
namespace {

TEST(Interp, AddAndLocals) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  Code c;
  c.get(0).get(1).op(0x6a);  // i32.add
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {40, 2};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 42u);
}

TEST(Interp, LocalSetFoldingKeepsOldValues) {
  // (local.get 0) (local.get 0) (i32.const 1) (i32.add) (local.set 0) (local.get 0) i32.mul
  // => x * (x + 1): the first local.get must still see the old x.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  c.get(0).get(0).i32c(1).op(0x6a).set(0).get(0).op(0x6c);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {6};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 42u);
}

TEST(Interp, LocalTeeAndSwapReturn) {
  // Multi-value return of swapped params: (local.get 1) (local.get 0).
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32, I32});
  Code c;
  c.get(1).get(0);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {1, 2};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 2u);
  EXPECT_EQ(uint32_t(s[1]), 1u);
}

TEST(Interp, LoopSum) {
  // sum of 0..n-1 with a loop and br_if.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I64});
  Code c;
  // locals: 1 = i (i32), 2 = acc (i64)
  c.op(0x03).u8(0x40);                          // loop
  c.get(2).get(1).op(0xad).op(0x7c).set(2);     // acc += i64.extend_i32_u(i)
  c.get(1).i32c(1).op(0x6a).tee(1);             // i = i + 1
  c.get(0).op(0x49).br_if(0);                   // i < n -> continue
  c.op(0x0b);                                   // end
  c.get(2);
  mb.func(t, c, {{1, I32}, {1, I64}});
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {100000};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(s[0], uint64_t(100000) * 99999 / 2);
}

TEST(Interp, MultiValueBlockAndBranch) {
  // block (param i32 i32) (result i32 i32) with a br carrying both values, then i32.sub.
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  uint32_t bt = mb.type({I32, I32}, {I32, I32});
  Code c;
  c.get(0).get(1);
  c.op(0x02).s(bt);   // block (type bt)
  c.br(0);            // carries the two params
  c.op(0x0b);
  c.op(0x6b);         // i32.sub
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {50, 8};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 42u);
}

TEST(Interp, BranchValuesFromDeeperStack) {
  // block (result i32): i32.const 1, i32.const 2, i32.const 3, br 0 -> 3 (moved down).
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {I32});
  Code c;
  c.op(0x02).u8(I32).i32c(1).i32c(2).i32c(3).br(0).op(0x0b);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {0};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 3u);
}

TEST(Interp, BrTable) {
  // block block block (br_table 0 1 2 (local.get 0)) return 10 end return 20 end return 30 end 40
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  c.op(0x02).u8(0x40).op(0x02).u8(0x40).op(0x02).u8(0x40);
  c.get(0).op(0x0e).u(2).u(0).u(1).u(2);
  c.op(0x0b).i32c(10).op(0x0f);
  c.op(0x0b).i32c(20).op(0x0f);
  c.op(0x0b).i32c(30);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint32_t want[] = {10, 20, 30, 30, 30};
  for (uint32_t i = 0; i < 5; ++i) {
    uint64_t s[1] = {i == 4 ? 0xffffffffu : i};
    EXPECT_FALSE(ti.call(0, s));
    EXPECT_EQ(uint32_t(s[0]), want[i]) << i;
  }
}

TEST(Interp, BrTableWithValue) {
  // block (result i32) block (result i32) i32.const 7 local.get 0 br_table 0 1 end i32.const 1
  // i32.add end
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  c.op(0x02).u8(I32).op(0x02).u8(I32).op(0x01).i32c(1).i32c(7).get(0).op(0x0e).u(1).u(0).u(1);
  c.op(0x0b).i32c(100).op(0x6a).op(0x0b);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {0};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 107u);
  s[0] = 1;
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 7u);
}

uint32_t add_fib(ModuleBuilder& mb) {
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  uint32_t self = static_cast<uint32_t>(mb.func_imports.size() + mb.funcs.size());
  c.get(0).i32c(2).op(0x48);  // i32.lt_s
  c.op(0x04).u8(I32).get(0);
  c.op(0x05).get(0).i32c(1).op(0x6b).call(self).get(0).i32c(2).op(0x6b).call(self).op(0x6a);
  c.op(0x0b);
  return mb.func(t, c);
}

TEST(Interp, FibRecursion) {
  ModuleBuilder mb;
  uint32_t fib = add_fib(mb);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {20};
  EXPECT_FALSE(ti.call(fib, s));
  EXPECT_EQ(uint32_t(s[0]), 6765u);
}

TEST(Interp, DivideTraps) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  Code c;
  c.get(0).get(1).op(0x6d);  // i32.div_s
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {7, 0};
  auto tr = ti.call(0, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "integer divide by zero");
  ASSERT_EQ(tr->backtrace.size(), 1u);
  EXPECT_EQ(tr->backtrace[0].func_index, 0u);
  s[0] = 0x80000000u;
  s[1] = 0xffffffffu;
  tr = ti.call(0, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "integer overflow");
  s[0] = uint32_t(-42);
  s[1] = 2;
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), uint32_t(-21));
}

TEST(Interp, UnreachableTrapHasBacktrace) {
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {});
  Code inner;
  inner.op(0x00);
  uint32_t f = mb.func(t, inner);
  Code outer;
  outer.call(f);
  uint32_t g = mb.func(t, outer);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {0};
  auto tr = ti.call(g, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "unreachable");
  ASSERT_EQ(tr->backtrace.size(), 2u);
  EXPECT_EQ(tr->backtrace[0].func_index, f);
  EXPECT_EQ(tr->backtrace[1].func_index, g);
  // Code offsets point at the trapping instruction and at the call in the caller.
  EXPECT_EQ(ti.desc.bytes[tr->backtrace[0].code_offset], 0x00);
  EXPECT_EQ(ti.desc.bytes[tr->backtrace[1].code_offset], 0x10);
  EXPECT_NE(tr->backtrace[1].code_offset, 0u);
  // The store stays usable after a trap.
  ModuleBuilder mb2;
  (void)mb2;
  EXPECT_TRUE(ti.call(g, s));
}

TEST(Interp, CallIndirectTraps) {
  ModuleBuilder mb;
  uint32_t t_ii = mb.type({I32}, {I32});
  uint32_t t_v = mb.type({}, {});
  uint32_t t_call = mb.type({I32, I32}, {I32});
  Code id;
  id.get(0).i32c(1).op(0x6a);
  uint32_t inc = mb.func(t_ii, id);
  Code nothing;
  uint32_t nop = mb.func(t_v, nothing);
  Code ci;
  ci.get(0).get(1).op(0x11).u(t_ii).u(0);  // call_indirect (type t_ii) table 0
  uint32_t caller = mb.func(t_call, ci);
  mb.has_table = true;
  mb.table_min = 3;
  mb.elem_funcs = {inc, nop};
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {41, 0};
  EXPECT_FALSE(ti.call(caller, s));
  EXPECT_EQ(uint32_t(s[0]), 42u);
  s[0] = 1;
  s[1] = 1;
  auto tr = ti.call(caller, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "indirect call type mismatch");
  s[1] = 2;
  tr = ti.call(caller, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "uninitialized element 2");
  s[1] = 3;
  tr = ti.call(caller, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "undefined element");
}

TEST(Interp, TailCallsDoNotGrowTheStack) {
  // (func $count (param i32 i64) (result i64)
  //   local.get 0 i32.eqz if (result i64) local.get 1 else
  //   local.get 0 i32.const 1 i32.sub local.get 1 i64.const 1 i64.add return_call $count end)
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I64}, {I64});
  Code c;
  c.get(0).op(0x45).op(0x04).u8(I64).get(1).op(0x05);
  c.get(0).i32c(1).op(0x6b).get(1).i64c(1).op(0x7c).op(0x12).u(0).op(0x0b);
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {1000000, 0};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(s[0], 1000000u);
}

TEST(Interp, InfiniteRecursionTrapsStackExhausted) {
  ModuleBuilder mb;
  uint32_t t = mb.type({}, {});
  Code c;
  c.call(0);
  mb.func(t, c);
  uint32_t t2 = mb.type({I64}, {I64});
  Code d;
  d.get(0).get(0).call(1).op(0x7c);  // keeps a value live below each call
  mb.func(t2, d);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {0};
  auto tr = ti.call(0, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->kind, TrapKind::StackExhausted);
  EXPECT_EQ(tr->message, "call stack exhausted");
  tr = ti.call(1, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "call stack exhausted");
}

TEST(Interp, MemoryBoundsAndGrow) {
  ModuleBuilder mb;
  mb.has_memory = true;
  mb.mem_min = 1;
  mb.mem_max = 3;
  uint32_t t_load = mb.type({I32}, {I32});
  Code ld;
  ld.get(0).mem(0x28, 2, 4);  // i32.load offset=4
  uint32_t load = mb.func(t_load, ld);
  uint32_t t_store = mb.type({I32, I32}, {});
  Code st;
  st.get(0).get(1).mem(0x36, 2, 0);  // i32.store
  uint32_t store = mb.func(t_store, st);
  Code gr;
  gr.get(0).op(0x40).u8(0);  // memory.grow
  uint32_t grow = mb.func(t_load, gr);
  uint32_t t_size = mb.type({}, {I32});
  Code sz;
  sz.op(0x3f).u8(0);
  uint32_t size = mb.func(t_size, sz);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {100, 0xdeadbeef};
  EXPECT_FALSE(ti.call(store, s));
  s[0] = 96;
  EXPECT_FALSE(ti.call(load, s));
  EXPECT_EQ(uint32_t(s[0]), 0xdeadbeefu);
  s[0] = 65532;  // 65532 + 4 + 4 > 65536
  auto tr = ti.call(load, s);
  ASSERT_TRUE(tr);
  EXPECT_EQ(tr->message, "out of bounds memory access");
  s[0] = 0xfffffffc;
  tr = ti.call(load, s);
  ASSERT_TRUE(tr);
  s[0] = 1;
  EXPECT_FALSE(ti.call(grow, s));
  EXPECT_EQ(uint32_t(s[0]), 1u);
  s[0] = 65532;
  EXPECT_FALSE(ti.call(load, s));
  EXPECT_EQ(uint32_t(s[0]), 0u);
  EXPECT_FALSE(ti.call(size, s));
  EXPECT_EQ(uint32_t(s[0]), 2u);
  s[0] = 5;
  EXPECT_FALSE(ti.call(grow, s));
  EXPECT_EQ(uint32_t(s[0]), 0xffffffffu);
}

// Wide arithmetic (0xFC 19..22): each op leaves its (low, high) result in two slots.
TEST(Interp, WideArithmeticEdgeValues) {
  ModuleBuilder mb;
  uint32_t t2 = mb.type({I64, I64}, {I64, I64});
  uint32_t t4 = mb.type({I64, I64, I64, I64}, {I64, I64});
  Code ms, mu, add, sub;
  ms.get(0).get(1).u8(0xfc).u(21);                 // i64.mul_wide_s
  mu.get(0).get(1).u8(0xfc).u(22);                 // i64.mul_wide_u
  add.get(0).get(1).get(2).get(3).u8(0xfc).u(19);  // i64.add128
  sub.get(0).get(1).get(2).get(3).u8(0xfc).u(20);  // i64.sub128
  uint32_t mul_s = mb.func(t2, ms), mul_u = mb.func(t2, mu);
  uint32_t add128 = mb.func(t4, add), sub128 = mb.func(t4, sub);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  struct Case {
    uint32_t func;
    uint64_t in[4], lo, hi;
  };
  const uint64_t max = UINT64_MAX, min_s = uint64_t(1) << 63;
  const Case cases[] = {
      // signed: -2^63 * -2^63 = 2^126; -1 * 1 = -1 (all ones); -2^63 * (2^63-1) = -2^126 + 2^63
      {mul_s, {min_s, min_s}, 0, uint64_t(1) << 62},
      {mul_s, {max, 1}, max, max},
      {mul_s, {min_s, min_s - 1}, min_s, 0xC000000000000000u},
      // unsigned: (2^64-1)^2 = 2^128 - 2^65 + 1; (2^64-1) * 2 = 2^65 - 2
      {mul_u, {max, max}, 1, max - 1},
      {mul_u, {max, 2}, max - 1, 1},
      {mul_u, {0, max}, 0, 0},
      // carry out of the low half, and wrap-around at 2^128
      {add128, {max, 0, 1, 0}, 0, 1},
      {add128, {max, max, 1, 0}, 0, 0},
      // borrow from the high half, and wrap-around below 0
      {sub128, {0, 1, 1, 0}, max, 0},
      {sub128, {0, 0, 1, 0}, max, max},
  };
  for (const Case& c : cases) {
    uint64_t s[4] = {c.in[0], c.in[1], c.in[2], c.in[3]};
    EXPECT_FALSE(ti.call(c.func, s));
    EXPECT_EQ(s[0], c.lo) << "func " << c.func << " " << c.in[0] << " " << c.in[1];
    EXPECT_EQ(s[1], c.hi) << "func " << c.func << " " << c.in[0] << " " << c.in[1];
  }
}

// `drop` then `local.set` of a wide op's low half: the store goes to the local alone, the
// local after it keeps its value (the op's destination is not retargeted to the local).
TEST(Interp, WideArithmeticLowHalfIntoLocal) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I64, I64}, {I64, I64});
  Code c;
  c.i64c(77).set(3);                               // local 3 = 77
  c.get(0).get(1).u8(0xfc).u(22).op(0x1a).set(2);  // local 2 = low half of a * b
  c.get(2).get(3);
  uint32_t f = mb.func(t, c, {{2, I64}});
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[2] = {UINT64_MAX, 3};  // (2^64-1) * 3: low 2^64-3, high 2
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(s[0], UINT64_MAX - 2);
  EXPECT_EQ(s[1], 77u);
}

TEST(Interp, GrowInsideLoopIsVisible) {
  // memory.grow 1 then store at the new page's end, within one function.
  ModuleBuilder mb;
  mb.has_memory = true;
  mb.mem_min = 0;
  mb.mem_max = 2;
  uint32_t t = mb.type({}, {I32});
  Code c;
  c.i32c(1).op(0x40).u8(0).op(0x1a);             // memory.grow 1; drop
  c.i32c(65532).i32c(77).mem(0x36, 2, 0);         // i32.store
  c.i32c(65532).mem(0x28, 2, 0);                  // i32.load
  mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {0};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 77u);
}

TEST(Interp, SimdSpotChecks) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  // i32x4.splat(x) + v128.const(1,2,3,4) ; extract lane 2
  c.get(0).simd(0x11);
  c.simd(0x0c);
  for (uint32_t v : {1u, 2u, 3u, 4u})
    for (int k = 0; k < 4; ++k) c.u8(uint8_t(v >> (8 * k)));
  c.simd(0xae);                 // i32x4.add
  c.simd(0x1b).u8(2);           // i32x4.extract_lane 2
  mb.func(t, c);
  uint32_t t2 = mb.type({V128T, V128T}, {V128T});
  Code sw;
  sw.get(0).get(1).simd(0x0d);  // i8x16.shuffle: reverse the bytes of the first operand
  for (int i = 0; i < 16; ++i) sw.u8(uint8_t(15 - i));
  mb.func(t2, sw);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {10};
  EXPECT_FALSE(ti.call(0, s));
  EXPECT_EQ(uint32_t(s[0]), 13u);
  uint64_t v[4] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull, 0, 0};
  EXPECT_FALSE(ti.call(1, v));
  EXPECT_EQ(v[0], 0x08090a0b0c0d0e0full);
  EXPECT_EQ(v[1], 0x0001020304050607ull);
}

std::optional<Trap> host_double(void* env, Store& store, uint64_t* slots) {
  slots[0] = uint32_t(slots[0]) * 2;
  return std::nullopt;
}

TEST(Interp, HostCalls) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  uint32_t dbl = mb.import_func("double", t);
  Code c;
  c.get(0).call(dbl).i32c(1).op(0x6a);
  uint32_t f = mb.func(t, c);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build(), {&host_double})) << ti.error;
  uint64_t s[1] = {20};
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 41u);
}

// A host function that re-enters wasm: calls function index `*(uint32_t*)env`.
struct Reenter {
  TestInstance* ti;
  uint32_t target;
};
std::optional<Trap> host_reenter(void* env, Store& store, uint64_t* slots) {
  auto* r = static_cast<Reenter*>(env);
  return interp::call(store, r->ti->inst->funcs[r->target], slots);
}

TEST(Interp, HostReentry) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I32});
  uint32_t h = mb.import_func("reenter", t);
  Code c;
  c.i32c(100).get(0).call(h).op(0x6a);  // 100 + fib(n) via the host, keeping 100 live below
  uint32_t f = mb.func(t, c);
  uint32_t fib = add_fib(mb);
  TestInstance ti;
  Reenter r{&ti, fib};
  ASSERT_TRUE(ti.load(mb.build(), {&host_reenter}, &r)) << ti.error;
  uint64_t s[1] = {10};
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 155u);
}

TEST(Interp, FibSpeed) {
  ModuleBuilder mb;
  uint32_t fib = add_fib(mb);
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
  uint64_t s[1] = {30};
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(ti.call(fib, s));
  auto t1 = std::chrono::steady_clock::now();
  EXPECT_EQ(uint32_t(s[0]), 832040u);
  std::printf("fib(30): %.1f ms\n",
              std::chrono::duration<double, std::milli>(t1 - t0).count());
}

TEST(Interp, LoopSpeed) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32}, {I64});
  Code c;
  c.op(0x03).u8(0x40);
  c.get(2).get(1).op(0xad).op(0x7c).set(2);
  c.get(1).i32c(1).op(0x6a).tee(1);
  c.get(0).op(0x49).br_if(0);
  c.op(0x0b);
  c.get(2);
  mb.func(t, c, {{1, I32}, {1, I64}});
  TestInstance ti;
  ASSERT_TRUE(ti.load(mb.build())) << ti.error;
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HULL_INTERP_TEST_SLOW 1
#endif
#endif
#ifdef HULL_INTERP_TEST_SLOW
  const uint64_t n = 1000000;
#else
  const uint64_t n = 50000000;
#endif
  uint64_t s[1] = {n};
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(ti.call(0, s));
  auto t1 = std::chrono::steady_clock::now();
  EXPECT_EQ(s[0], n * (n - 1) / 2);
  std::printf("loop of %llu iterations: %.1f ms\n", static_cast<unsigned long long>(n),
              std::chrono::duration<double, std::milli>(t1 - t0).count());
}

}  // namespace
}  // namespace hull::test
