// Trap messages/formatting and the slot encoding of values.
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "runtime/store.h"

namespace hull {
namespace {

TEST(Trap, Messages) {
  EXPECT_STREQ(trap_kind_message(TrapKind::MemoryOutOfBounds), "out of bounds memory access");
  EXPECT_STREQ(trap_kind_message(TrapKind::UninitializedElement), "uninitialized element");
  EXPECT_STREQ(trap_kind_message(TrapKind::IndirectCallTypeMismatch),
               "indirect call type mismatch");
  EXPECT_STREQ(trap_kind_message(TrapKind::StackExhausted), "call stack exhausted");
  EXPECT_EQ(Trap::make(TrapKind::IntegerDivideByZero).message, "integer divide by zero");
}

TEST(Trap, ToStringWithBacktrace) {
  Trap t = Trap::make(TrapKind::Unreachable);
  t.backtrace.push_back(TrapFrame{3, "inner", "", 0x1c});
  t.backtrace.push_back(TrapFrame{7, "", "", 0x2a});
  EXPECT_EQ(t.to_string(), "wasm trap: unreachable\n  0: inner @ 0x1c\n  1: func[7] @ 0x2a");
  EXPECT_EQ(Trap::make(TrapKind::IntegerOverflow).to_string(), "wasm trap: integer overflow");
}

TEST(Val, SlotEncoding) {
  uint64_t s[2] = {~0ull, ~0ull};
  Val::from_i32(0x80000001u).store_slots(s);
  EXPECT_EQ(s[0], 0x80000001ull);
  Val::from_f32_bits(0xbf800000u).store_slots(s);
  EXPECT_EQ(s[0], 0xbf800000ull);
  Val::from_f64_bits(0x3ff0000000000000ull).store_slots(s);
  EXPECT_EQ(s[0], 0x3ff0000000000000ull);
  V128 v;
  for (int i = 0; i < 16; ++i) v.bytes[i] = uint8_t(i + 1);
  Val::from_v128(v).store_slots(s);
  EXPECT_EQ(s[0], 0x0807060504030201ull);
  EXPECT_EQ(s[1], 0x100f0e0d0c0b0a09ull);
  EXPECT_EQ(Val::load_slots(ValType::v128(), s).v128, v);
  Val::from_ref(ValType::funcref(), 0xdead0).store_slots(s);
  EXPECT_EQ(s[0], 0xdead0ull);
  Val r = Val::load_slots(ValType::externref(), s);
  EXPECT_TRUE(r.type == ValType::externref());
  EXPECT_EQ(r.ref, 0xdead0u);
  s[0] = 0xffffffff12345678ull;
  EXPECT_EQ(Val::load_slots(ValType::i32(), s).i32, 0x12345678u);
}

TEST(Global, GetSet) {
  Store st;
  Global* g = new_global(st, GlobalType{ValType::i64(), true}, Val::from_i64(5));
  EXPECT_EQ(g->get().i64, 5u);
  g->set(Val::from_i64(9));
  EXPECT_EQ(g->value[0], 9u);
}

}  // namespace
}  // namespace hull

namespace hull {
namespace {

TEST(Store, ExternRefsWrapHostValues) {
  Store st;
  RefBits a = new_extern_ref(st, 7);
  RefBits b = new_extern_ref(st, 7);
  EXPECT_NE(a, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(reinterpret_cast<const ExternObject*>(a)->host_value, 7u);
}

std::vector<uint64_t> g_finalized;

TEST(Store, UnreachableExternRefsAreFreedWithTheirFinalizer) {
  g_finalized.clear();
  {
    Store st;
    auto fin = [](uint64_t v) { g_finalized.push_back(v); };
    RefBits a = new_extern_ref(st, 1, fin);
    RefBits b = new_extern_ref(st, 2, fin);
    ASSERT_EQ(st.host_roots, (std::vector<RefBits>{a, b}));
    collect_garbage(st);  // both rooted for the host
    EXPECT_TRUE(g_finalized.empty());
    st.host_roots.resize(1);  // the host lets go of b
    collect_garbage(st);
    EXPECT_EQ(g_finalized, (std::vector<uint64_t>{2}));
    EXPECT_TRUE(st.gc.contains(reinterpret_cast<const void*>(a)));
    EXPECT_FALSE(st.gc.contains(reinterpret_cast<const void*>(b)));
    EXPECT_EQ(st.gc.live_host_objects(), 1u);
    // A pinned word is a root too (the API's OwnedRef, the C API's handles).
    st.gc.pin(a);
    st.host_roots.clear();
    collect_garbage(st);
    EXPECT_EQ(st.gc.live_host_objects(), 1u);
    st.gc.unpin(a);
    collect_garbage(st);
    EXPECT_EQ(g_finalized, (std::vector<uint64_t>{2, 1}));
    EXPECT_EQ(st.gc.live_host_objects(), 0u);
    new_extern_ref(st, 3, fin);
  }
  // The store's end finalizes what is left.
  EXPECT_EQ(g_finalized, (std::vector<uint64_t>{2, 1, 3}));
}

TEST(Store, AllocationsSweepLazilyAfterACollection) {
  if (std::getenv("HULL_GC_STRESS")) GTEST_SKIP() << "stress mode sweeps at once";
  Store st;
  for (uint64_t i = 0; i < 1000; ++i) new_extern_ref(st, i);
  st.host_roots.clear();  // all garbage now
  collect_garbage(st, nullptr, /*sweep_now=*/false);
  EXPECT_TRUE(st.gc.sweeping());
  EXPECT_EQ(st.gc.live_objects(), 1000u);      // marked, not swept yet
  const RefBits kept = new_extern_ref(st, 7);  // an allocation sweeps one slice
  EXPECT_TRUE(st.gc.sweeping());
  EXPECT_GT(st.gc.live_objects(), 1u);
  EXPECT_LT(st.gc.live_objects(), 1001u);
  st.gc.finish_sweep();
  EXPECT_FALSE(st.gc.sweeping());
  // What was allocated during the sweep survives it.
  EXPECT_EQ(st.gc.live_objects(), 1u);
  EXPECT_TRUE(st.gc.contains(reinterpret_cast<const void*>(kept)));
  st.host_roots.clear();
  collect_garbage(st);  // an explicit collection sweeps at once
  EXPECT_FALSE(st.gc.sweeping());
  EXPECT_EQ(st.gc.live_objects(), 0u);
}

}  // namespace
}  // namespace hull
