// Memory superinstructions (fused address arithmetic, constant stores) and guard-page accesses:
// each test runs with explicit bounds checks and, where supported, with guard pages.
#include <gtest/gtest.h>

#include "runtime/signals.h"
#include "wasm_builder.h"

namespace hull::test {
namespace {

constexpr uint8_t kI32Load = 0x28, kI32Load8U = 0x2d, kI32Store = 0x36,
                  kI64Store = 0x37, kI32Store16 = 0x3b;
constexpr uint8_t kAdd = 0x6a, kSub = 0x6b, kShl = 0x74;

class Fusion : public ::testing::TestWithParam<bool> {
 protected:
  bool guard() const { return GetParam(); }
  void SetUp() override {
    if (guard() && !guard_pages_supported()) GTEST_SKIP() << "no guard pages here";
  }
  bool load(TestInstance& ti, const ModuleBuilder& mb, std::vector<HostCallback> hosts = {},
            void* env = nullptr) {
    CompileOptions o;
    o.guard_pages = guard();
    return ti.load(mb.build(), std::move(hosts), env, o);
  }
  static void expect_oob(const std::optional<Trap>& t) {
    ASSERT_TRUE(t);
    EXPECT_EQ(t->message, "out of bounds memory access");
    ASSERT_FALSE(t->backtrace.empty());
  }
};

ModuleBuilder one_page() {
  ModuleBuilder mb;
  mb.has_memory = true;
  mb.mem_min = 1;
  mb.mem_max = 2;
  return mb;
}

TEST_P(Fusion, AddShlArithmetic) {
  ModuleBuilder mb;
  uint32_t t = mb.type({I32, I32}, {I32});
  Code c1;
  c1.get(0).get(1).i32c(2).op(kShl).op(kAdd);  // a + (b << 2)
  uint32_t f1 = mb.func(t, c1);
  Code c2;
  c2.get(1).i32c(35).op(kShl).get(0).op(kAdd);  // (b << 35 & 31) + a, shl first
  uint32_t f2 = mb.func(t, c2);
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb)) << ti.error;
  uint64_t s[2] = {0xfffffff0u, 5};
  EXPECT_FALSE(ti.call(f1, s));
  EXPECT_EQ(uint32_t(s[0]), 4u);  // wraps at 32 bits
  s[0] = 1;
  s[1] = 3;
  EXPECT_FALSE(ti.call(f2, s));
  EXPECT_EQ(uint32_t(s[0]), 25u);
}

TEST_P(Fusion, LoadScaledIndex) {
  ModuleBuilder mb = one_page();
  uint32_t t2 = mb.type({I32, I32}, {});
  Code st;
  st.get(0).get(1).mem(kI32Store, 2, 0);
  uint32_t store = mb.func(t2, st);
  uint32_t t = mb.type({I32, I32}, {I32});
  Code ld;
  ld.get(0).get(1).i32c(2).op(kShl).op(kAdd).mem(kI32Load, 2, 4);  // load (a + b*4) offset=4
  uint32_t load_idx = mb.func(t, ld);
  Code ld2;
  ld2.get(0).get(1).op(kAdd).mem(kI32Load8U, 0, 0);  // load8_u (a + b)
  uint32_t load_add = mb.func(t, ld2);
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb)) << ti.error;
  uint64_t s[2] = {104, 0x11223344};
  EXPECT_FALSE(ti.call(store, s));
  s[0] = 60;
  s[1] = 10;
  EXPECT_FALSE(ti.call(load_idx, s));
  EXPECT_EQ(uint32_t(s[0]), 0x11223344u);
  s[0] = 0xfffffffcu;  // a + b*4 wraps to 100
  s[1] = 26;
  EXPECT_FALSE(ti.call(load_idx, s));
  EXPECT_EQ(uint32_t(s[0]), 0x11223344u);
  s[0] = 65532;  // 65532 + 0 + 4 + 4 > 65536
  s[1] = 0;
  expect_oob(ti.call(load_idx, s));
  s[0] = 0xffffffffu;
  s[1] = 106;  // wraps to 105: the byte 0x33
  EXPECT_FALSE(ti.call(load_add, s));
  EXPECT_EQ(uint32_t(s[0]), 0x33u);
  s[0] = 65535;
  s[1] = 1;
  expect_oob(ti.call(load_add, s));
}

TEST_P(Fusion, LoadAddImmediate) {
  ModuleBuilder mb = one_page();
  uint32_t t = mb.type({I32}, {I32});
  Code ld;
  ld.get(0).i32c(-8).op(kAdd).mem(kI32Load8U, 0, 2);  // load8_u (a - 8) offset=2
  uint32_t f = mb.func(t, ld);
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb)) << ti.error;
  ti.inst->memories[0]->base[3] = 0x7e;
  uint64_t s[1] = {9};
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 0x7eu);
  s[0] = 4;  // a - 8 wraps to 0xfffffffc: + 2 is far out of bounds, not address 0
  expect_oob(ti.call(f, s));
}

TEST_P(Fusion, SubImmediateIsAnAdd) {
  ModuleBuilder mb = one_page();
  uint32_t t = mb.type({I32}, {I32});
  Code ld;
  ld.get(0).i32c(8).op(kSub).mem(kI32Load8U, 0, 2);  // load8_u (a - 8) offset=2
  uint32_t f = mb.func(t, ld);
  Code ar;
  ar.get(0).i32c(-5).op(kSub);  // a - (-5)
  uint32_t g = mb.func(t, ar);
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb)) << ti.error;
  ti.inst->memories[0]->base[3] = 0x5a;
  uint64_t s[1] = {9};
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 0x5au);
  s[0] = 7;  // wraps to 0xffffffff
  expect_oob(ti.call(f, s));
  s[0] = 0xfffffffdu;
  EXPECT_FALSE(ti.call(g, s));
  EXPECT_EQ(uint32_t(s[0]), 2u);
}

TEST_P(Fusion, StoresFusedAndConstant) {
  ModuleBuilder mb = one_page();
  uint32_t t3 = mb.type({I32, I32, I64}, {});
  Code st;
  st.get(0).get(1).i32c(3).op(kShl).op(kAdd).get(2).mem(kI64Store, 3, 0);  // a + b*8 <- v
  uint32_t store_idx = mb.func(t3, st);
  uint32_t t1 = mb.type({I32}, {});
  Code sc;
  sc.get(0).i32c(0x12345).mem(kI32Store16, 1, 1);  // store16 a+1 <- const (truncated)
  uint32_t store_const = mb.func(t1, sc);
  Code sa;
  sa.get(0).i32c(16).op(kAdd).i32c(-1).mem(kI32Store, 2, 0);  // store (a + 16) <- -1
  uint32_t store_addimm = mb.func(t1, sa);
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb)) << ti.error;
  uint8_t* m = ti.inst->memories[0]->base;
  uint64_t s[3] = {8, 2, 0x0102030405060708ull};
  EXPECT_FALSE(ti.call(store_idx, s));
  uint64_t v;
  std::memcpy(&v, m + 24, 8);
  EXPECT_EQ(v, 0x0102030405060708ull);
  s[0] = 65528;  // 65528 + 8 + 8 > 65536: traps, writes nothing
  s[1] = 1;
  expect_oob(ti.call(store_idx, s));
  s[0] = 40;
  EXPECT_FALSE(ti.call(store_const, s));
  EXPECT_EQ(m[41], 0x45);
  EXPECT_EQ(m[42], 0x23);
  EXPECT_EQ(m[43], 0);
  s[0] = 65534;  // 65535..65536: one byte in bounds, nothing may be written
  expect_oob(ti.call(store_const, s));
  EXPECT_EQ(m[65535], 0);
  s[0] = 65504;
  EXPECT_FALSE(ti.call(store_addimm, s));
  EXPECT_EQ(m[65520], 0xff);
  s[0] = 65518;  // a + 16 = 65534: straddles the end
  expect_oob(ti.call(store_addimm, s));
  EXPECT_EQ(m[65534], 0);
  EXPECT_EQ(m[65535], 0);
}

TEST_P(Fusion, TeeKeepsTheLocal) {
  // (local.tee 1 (i32.add a 4)) feeds the load: not fusable, the local must be written.
  ModuleBuilder mb = one_page();
  uint32_t t = mb.type({I32}, {I32});
  Code c;
  c.get(0).i32c(4).op(kAdd).tee(1).mem(kI32Load, 2, 0).get(1).op(kAdd);
  uint32_t f = mb.func(t, c, {{1, I32}});
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb)) << ti.error;
  ti.inst->memories[0]->base[12] = 100;
  uint64_t s[1] = {8};
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 112u);
}

TEST_P(Fusion, FarOutOfBoundsAndBacktrace) {
  // The largest effective address, 2^33 - 2, and a trap in a callee after a host call.
  ModuleBuilder mb = one_page();
  uint32_t t = mb.type({I32}, {I32});
  uint32_t h = mb.import_func("id", t);
  Code callee;
  callee.get(0).call(h).mem(kI32Load, 2, 0xffffffffu);
  uint32_t inner = mb.func(t, callee);
  Code outer;
  outer.get(0).call(inner);
  uint32_t f = mb.func(t, outer);
  TestInstance ti;
  ASSERT_TRUE(load(ti, mb, {[](void*, Store&, uint64_t*) -> std::optional<Trap> {
                 return std::nullopt;
               }}))
      << ti.error;
  uint64_t s[1] = {0xffffffffu};
  auto tr = ti.call(f, s);
  expect_oob(tr);
  ASSERT_EQ(tr->backtrace.size(), 2u);
  EXPECT_EQ(tr->backtrace[0].func_index, inner);
  EXPECT_EQ(tr->backtrace[1].func_index, f);
  // The store is usable again afterwards: the offset alone is out of bounds for any address.
  s[0] = 0;
  expect_oob(ti.call(f, s));
}

// A host function that re-enters the guest, which traps: the inner trap comes back through the
// host as its result, and the outer call reports it.
struct Reenter {
  TestInstance* ti;
  uint32_t target;
};

TEST_P(Fusion, TrapInReentrantCall) {
  ModuleBuilder mb = one_page();
  uint32_t t = mb.type({I32}, {I32});
  uint32_t h = mb.import_func("reenter", t);
  Code ld;
  ld.get(0).mem(kI32Load, 2, 0);
  uint32_t loader = mb.func(t, ld);
  Code c;
  c.get(0).call(h).get(0).mem(kI32Load, 2, 0).op(kAdd);
  uint32_t f = mb.func(t, c);
  TestInstance ti;
  Reenter r{&ti, loader};
  ASSERT_TRUE(load(ti, mb,
                   {[](void* env, Store& store, uint64_t* slots) -> std::optional<Trap> {
                     auto* re = static_cast<Reenter*>(env);
                     return interp::call(store, re->ti->inst->funcs[re->target], slots);
                   }},
                   &r))
      << ti.error;
  ti.inst->memories[0]->base[0] = 3;
  uint64_t s[1] = {0};
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 6u);
  s[0] = 70000;
  expect_oob(ti.call(f, s));
  s[0] = 0;
  EXPECT_FALSE(ti.call(f, s));
  EXPECT_EQ(uint32_t(s[0]), 6u);
}

INSTANTIATE_TEST_SUITE_P(Interp, Fusion, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Guarded" : "Checked"; });

}  // namespace
}  // namespace hull::test
