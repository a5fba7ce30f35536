// Canonical ABI values: load/store and flat lift/lower of every type, the traps on bad guest
// data (discriminants, chars, pointers, realloc results) in both trap wordings.
#include <gtest/gtest.h>

#include <cmath>
#include <span>

#include "abi_test_context.h"

namespace hull::component {
namespace {

using namespace testing;
using ac::TypeKind;
using ac::Val;
using api::ValType;

// store(v) at an aligned scratch address, then load it back.
Val store_load(TestContext& cx, const Val& v, const ac::Type& t) {
  uint32_t at = cx.bump(alignment(t), elem_size(t));
  api::Result<void> s = store(cx, v, t, at);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  api::Result<Val> l = load(cx, at, t);
  EXPECT_TRUE(l.ok()) << (l.ok() ? "" : l.error().message);
  return l.ok() ? *l : Val();
}

// lower_flat_values then lift_flat_values with a generous max_flat.
Val lower_lift(TestContext& cx, const Val& v, const ac::Type& t,
               std::vector<api::Val>* core = nullptr) {
  api::Result<std::vector<api::Val>> flat =
      lower_flat_values(cx, 64, std::span(&v, 1), std::span(&t, 1));
  EXPECT_TRUE(flat.ok()) << (flat.ok() ? "" : flat.error().message);
  if (!flat.ok()) return Val();
  if (core) *core = *flat;
  api::Result<std::vector<Val>> back = lift_flat_values(cx, 64, *flat, std::span(&t, 1));
  EXPECT_TRUE(back.ok()) << (back.ok() ? "" : back.error().message);
  return back.ok() ? (*back)[0] : Val();
}

api::Result<std::vector<Val>> lift(TestContext& cx, std::vector<api::Val> core, const ac::Type& t) {
  return lift_flat_values(cx, 64, core, std::span(&t, 1));
}

// A value of every type, for round trips.
struct Sample {
  ac::Type type;
  Val val;
};

std::vector<Sample> samples() {
  ac::Type u8 = prim(TypeKind::U8), u32 = prim(TypeKind::U32), str = prim(TypeKind::String);
  std::vector<Sample> s = {
      {prim(TypeKind::Bool), Val::boolean(true)},
      {prim(TypeKind::S8), Val::s8(-128)},
      {prim(TypeKind::U8), Val::u8(255)},
      {prim(TypeKind::S16), Val::s16(-32768)},
      {prim(TypeKind::U16), Val::u16(65535)},
      {prim(TypeKind::S32), Val::s32(INT32_MIN)},
      {prim(TypeKind::U32), Val::u32(UINT32_MAX)},
      {prim(TypeKind::S64), Val::s64(INT64_MIN)},
      {prim(TypeKind::U64), Val::u64(UINT64_MAX)},
      {prim(TypeKind::F32), Val::f32(-1.5f)},
      {prim(TypeKind::F64), Val::f64(6.02214076e23)},
      {prim(TypeKind::Char), Val::character(U'\U0001F600')},
      {str, Val::string("héllo ☃ 🍰")},
      {ac::list_type(u32), Val::list({Val::u32(1), Val::u32(2), Val::u32(3)})},
      {ac::list_type(str), Val::list({Val::string("a"), Val::string(""), Val::string("ccc")})},
      {ac::list_type(u8), Val::list({})},
      {ac::fixed_list_type(prim(TypeKind::U16), 3),
       Val::fixed_list({Val::u16(1), Val::u16(2), Val::u16(3)})},
      {ac::record_type({{"a", u8}, {"b", prim(TypeKind::U64)}, {"c", str}}),
       Val::record({{"a", Val::u8(7)}, {"b", Val::u64(1ull << 40)}, {"c", Val::string("x")}})},
      {ac::tuple_type({prim(TypeKind::Char), prim(TypeKind::F64)}),
       Val::tuple({Val::character(U'é'), Val::f64(-0.0)})},
      {ac::variant_type({{"a", prim(TypeKind::F32)}, {"b", prim(TypeKind::U64)}, {"c", {}}}),
       Val::variant("a", Val::f32(3.25f))},
      {ac::variant_type({{"a", prim(TypeKind::F32)}, {"b", prim(TypeKind::U64)}, {"c", {}}}),
       Val::variant("b", Val::u64(0xdeadbeefcafef00d))},
      {ac::variant_type({{"a", prim(TypeKind::F32)}, {"b", prim(TypeKind::U64)}, {"c", {}}}),
       Val::variant("c")},
      {ac::enum_type({"x", "y", "z"}), Val::enumeration("z")},
      {ac::option_type(str), Val::some(Val::string("opt"))},
      {ac::option_type(str), Val::none()},
      {ac::option_type(ac::option_type(u8)), Val::some(Val::none())},
      {ac::result_type(u32, str), Val::ok(Val::u32(5))},
      {ac::result_type(u32, str), Val::err(Val::string("bad"))},
      {ac::result_type({}, {}), Val::err()},
      {ac::flags_type({"read", "write", "exec"}), Val::flags({"read", "exec"})},
      {ac::flags_type({"a", "b", "c", "d", "e", "f", "g", "h", "i"}), Val::flags({"a", "i"})},
      {ac::list_type(ac::variant_type({{"n", prim(TypeKind::S16)}, {"s", str}})),
       Val::list({Val::variant("s", Val::string("q")), Val::variant("n", Val::s16(-2))})},
  };
  std::vector<std::string> wide;
  for (int i = 0; i < 40; ++i) wide.push_back("w" + std::to_string(i));
  s.push_back({ac::flags_type(wide), Val::flags({"w0", "w31", "w32", "w39"})});
  return s;
}

TEST(AbiValues, StoreLoadRoundTripsEveryType) {
  TestContext cx;
  for (const Sample& s : samples()) {
    SCOPED_TRACE(ac::to_string(s.type));
    EXPECT_EQ(store_load(cx, s.val, s.type), s.val);
  }
}

TEST(AbiValues, LowerLiftRoundTripsEveryType) {
  TestContext cx;
  for (const Sample& s : samples()) {
    SCOPED_TRACE(ac::to_string(s.type));
    EXPECT_EQ(lower_lift(cx, s.val, s.type), s.val);
  }
}

TEST(AbiValues, RoundTripsThroughSpilledParamsAndResults) {
  TestContext cx;
  std::vector<ac::Type> types;
  std::vector<Val> vals;
  for (const Sample& s : samples()) {
    types.push_back(s.type);
    vals.push_back(s.val);
  }
  // Allocated by realloc (a host calling a guest with too many params).
  api::Result<std::vector<api::Val>> flat = lower_flat_values(cx, kMaxFlatParams, vals, types);
  ASSERT_TRUE(flat.ok()) << flat.error().message;
  ASSERT_EQ(flat->size(), 1u);
  ac::Type tuple = ac::tuple_type(types);
  EXPECT_EQ(cx.calls.front(), (ReallocCall{0, 0, alignment(tuple), elem_size(tuple)}));
  api::Result<std::vector<Val>> back = lift_flat_values(cx, kMaxFlatParams, *flat, types);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, vals);
  // Into a caller-supplied out pointer (results of a lowered import).
  uint32_t out = cx.bump(8, elem_size(tuple));
  flat = lower_flat_values(cx, kMaxFlatResults, vals, types, &out);
  ASSERT_TRUE(flat.ok()) << flat.error().message;
  EXPECT_TRUE(flat->empty());
  back = lift_flat_values(cx, kMaxFlatResults, std::vector<api::Val>{api::Val(out)}, types);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, vals);
}

TEST(AbiValues, SpillPointerChecks) {
  TestContext cx(1024);
  std::vector<ac::Type> two = {prim(TypeKind::U64), prim(TypeKind::U64)};
  auto lift_at = [&](uint32_t p, size_t max_flat) {
    return trap_message(lift_flat_values(cx, max_flat, std::vector<api::Val>{api::Val(p)}, two));
  };
  EXPECT_EQ(lift_at(4, 1), "return pointer not aligned");
  EXPECT_EQ(lift_at(1024 - 8, 1), "pointer out of bounds of memory");
  EXPECT_EQ(lift_at(4, 1), "return pointer not aligned");
  EXPECT_EQ(lift_at(0xFFFFFFF8, 1), "pointer out of bounds of memory");
  EXPECT_EQ(lift_at(1024 - 16, 1), "<no error>");  // ends at the last byte
  EXPECT_EQ(lift_at(4, 0), "pointer not aligned");
  EXPECT_EQ(lift_at(1024 - 8, 0), "pointer out of bounds");
  std::vector<Val> vals = {Val::u64(1), Val::u64(2)};
  uint32_t bad = 12;
  EXPECT_EQ(trap_message(lower_flat_values(cx, 1, vals, two, &bad)), "pointer not aligned");
  bad = 1024 - 8;
  EXPECT_EQ(trap_message(lower_flat_values(cx, 1, vals, two, &bad)), "pointer out of bounds");
  cx.wording = TrapWording::Adapter;
  EXPECT_EQ(lift_at(4, 1), "unaligned pointer");
  EXPECT_EQ(lift_at(1024 - 8, 1), "out of bounds memory access");
  bad = 12;
  EXPECT_EQ(trap_message(lower_flat_values(cx, 1, vals, two, &bad)), "unaligned pointer");
}

TEST(AbiValues, CoreValueShapesAreChecked) {
  TestContext cx;
  api::Result<std::vector<Val>> r = lift(cx, {api::Val(uint64_t{1})}, prim(TypeKind::U32));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Usage);
  r = lift(cx, {api::Val(1), api::Val(2)}, prim(TypeKind::U32));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "canonical ABI: too many core values");
  r = lift(cx, {}, prim(TypeKind::U32));
  ASSERT_FALSE(r.ok());
}

TEST(AbiValues, IntegersIgnoreHighBitsAndBoolIsNonzero) {
  TestContext cx;
  auto one = [&](api::Val core, TypeKind k) {
    api::Result<std::vector<Val>> r = lift(cx, {core}, prim(k));
    EXPECT_TRUE(r.ok());
    return r.ok() ? (*r)[0] : Val();
  };
  EXPECT_EQ(one(api::Val(0x1ff), TypeKind::U8), Val::u8(0xff));
  EXPECT_EQ(one(api::Val(0x80), TypeKind::S8), Val::s8(-128));
  EXPECT_EQ(one(api::Val(-1), TypeKind::S8), Val::s8(-1));
  EXPECT_EQ(one(api::Val(0x12348000), TypeKind::S16), Val::s16(-32768));
  EXPECT_EQ(one(api::Val(0xffffffffu), TypeKind::U16), Val::u16(0xffff));
  EXPECT_EQ(one(api::Val(-5), TypeKind::S32), Val::s32(-5));
  EXPECT_EQ(one(api::Val(uint64_t{1} << 63), TypeKind::S64), Val::s64(INT64_MIN));
  EXPECT_EQ(one(api::Val(2), TypeKind::Bool), Val::boolean(true));
  EXPECT_EQ(one(api::Val(0), TypeKind::Bool), Val::boolean(false));
  // In memory too: any nonzero byte is true; narrow loads read only their bytes.
  cx.put(100, {0x02, 0xff, 0x80, 0xff});
  EXPECT_EQ(*load(cx, 100, prim(TypeKind::Bool)), Val::boolean(true));
  EXPECT_EQ(*load(cx, 101, prim(TypeKind::S8)), Val::s8(-1));
  EXPECT_EQ(*load(cx, 102, prim(TypeKind::S16)), Val::s16(-128));
  // Lowering signed values: two's complement in the core width.
  std::vector<api::Val> core;
  lower_lift(cx, Val::s8(-2), prim(TypeKind::S8), &core);
  EXPECT_EQ(core, std::vector<api::Val>{api::Val(-2)});
  lower_lift(cx, Val::s64(-2), prim(TypeKind::S64), &core);
  EXPECT_EQ(core, std::vector<api::Val>{api::Val(int64_t{-2})});
}

uint32_t bits32(const Val& v) { return static_cast<uint32_t>(v.raw_bits()); }

TEST(AbiValues, NansAreCanonicalized) {
  TestContext cx;
  uint32_t nan32 = 0xffc12345;  // negative NaN with a payload
  uint64_t nan64 = 0x7ff4000000000001;
  float f;
  std::memcpy(&f, &nan32, 4);
  double d;
  std::memcpy(&d, &nan64, 8);
  api::Result<std::vector<Val>> r = lift(cx, {api::Val(f)}, prim(TypeKind::F32));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bits32((*r)[0]), 0x7fc00000u);
  r = lift(cx, {api::Val(d)}, prim(TypeKind::F64));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].raw_bits(), 0x7ff8000000000000u);
  cx.put32(100, nan32);
  EXPECT_EQ(bits32(*load(cx, 100, prim(TypeKind::F32))), 0x7fc00000u);
  // Lowering: the host picks the canonical NaN.
  ASSERT_TRUE(store(cx, Val::f64_bits(nan64), prim(TypeKind::F64), 104).ok());
  EXPECT_EQ(cx.get32(104), 0u);
  EXPECT_EQ(cx.get32(108), 0x7ff80000u);
  std::vector<api::Val> core;
  lower_lift(cx, Val::f32_bits(nan32), prim(TypeKind::F32), &core);
  uint64_t slots[2];
  core[0].to_slots(slots);
  EXPECT_EQ(slots[0] & 0xffffffff, 0x7fc00000u);
  // Ordinary values and infinities keep their bits.
  EXPECT_EQ(bits32(lower_lift(cx, Val::f32(-INFINITY), prim(TypeKind::F32))), 0xff800000u);
  EXPECT_EQ(lower_lift(cx, Val::f64(-0.0), prim(TypeKind::F64)).raw_bits(), 0x8000000000000000u);
}

TEST(AbiValues, CharValidity) {
  TestContext cx;
  for (uint32_t bad : {0xD800u, 0xDFFFu, 0x110000u, 0xFFFFFFFFu}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(trap_message(lift(cx, {api::Val(bad)}, prim(TypeKind::Char))).substr(0, 26),
              "invalid `char` bit pattern");
    cx.put32(100, bad);
    EXPECT_EQ(trap_message(load(cx, 100, prim(TypeKind::Char))).substr(0, 26),
              "invalid `char` bit pattern");
  }
  EXPECT_EQ(trap_message(lift(cx, {api::Val(0xD800)}, prim(TypeKind::Char))),
            "invalid `char` bit pattern 0xd800");
  for (uint32_t good : {0u, 0xD7FFu, 0xE000u, 0x10FFFFu}) {
    api::Result<std::vector<Val>> r = lift(cx, {api::Val(good)}, prim(TypeKind::Char));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0], Val::character(good));
  }
  // The host may not lower a surrogate either.
  api::Result<void> s = store(cx, Val::character(0xD800), prim(TypeKind::Char), 100);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, api::ErrorKind::Usage);
}

TEST(AbiValues, VariantDiscriminantOutOfRange) {
  TestContext cx;
  ac::Type v = ac::variant_type({{"a", prim(TypeKind::U32)}, {"b", {}}});
  EXPECT_EQ(trap_message(lift(cx, {api::Val(2), api::Val(0)}, v)),
            "discriminant 2 out of range [0..2)");
  cx.put(100, {2, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(trap_message(load(cx, 100, v)), "discriminant 2 out of range [0..2)");
  ac::Type e = ac::enum_type({"a", "b", "c"});
  EXPECT_EQ(trap_message(lift(cx, {api::Val(3)}, e)), "discriminant 3 out of range [0..3)");
  EXPECT_EQ(trap_message(lift(cx, {api::Val(2), api::Val(0)}, ac::option_type(prim(TypeKind::U8)))),
            "discriminant 2 out of range [0..2)");
  cx.wording = TrapWording::Adapter;
  EXPECT_EQ(trap_message(lift(cx, {api::Val(2), api::Val(0)}, v)), "invalid variant discriminant");
  EXPECT_EQ(trap_message(load(cx, 100, v)), "invalid variant discriminant");
  EXPECT_EQ(trap_message(lift(cx, {api::Val(0xffffffffu)}, e)), "invalid variant discriminant");
  // A 2-byte discriminant reads both bytes.
  std::vector<std::string> many;
  for (int i = 0; i < 300; ++i) many.push_back("c" + std::to_string(i));
  ac::Type big = ac::enum_type(many);
  cx.put(120, {0x2b, 0x01});
  EXPECT_EQ(*load(cx, 120, big), Val::enumeration("c299"));
  cx.put(120, {0x2c, 0x01});
  EXPECT_EQ(trap_message(load(cx, 120, big)), "invalid variant discriminant");
}

TEST(AbiValues, FlatVariantPayloadCoercion) {
  TestContext cx;
  // variant { a(f32), b(u64) } flattens to (i32, i64): a's f32 bits ride in the low half.
  ac::Type v = ac::variant_type({{"a", prim(TypeKind::F32)}, {"b", prim(TypeKind::U64)}});
  api::Result<std::vector<Val>> r =
      lift(cx, {api::Val(0), api::Val(uint64_t{0xffffffff40490fdb})}, v);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)[0], Val::variant("a", Val::f32_bits(0x40490fdb)));
  // variant { a(u32), b(u64) }: i64 -> i32 wraps (the high bits are dropped, not a trap).
  ac::Type w = ac::variant_type({{"a", prim(TypeKind::U32)}, {"b", prim(TypeKind::U64)}});
  r = lift(cx, {api::Val(0), api::Val(uint64_t{0x1234567800000009})}, w);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], Val::variant("a", Val::u32(9)));
  // variant { a(f32), b(u32) } flattens to (i32, i32): the f32 travels as its bits.
  ac::Type x = ac::variant_type({{"a", prim(TypeKind::F32)}, {"b", prim(TypeKind::U32)}});
  std::vector<api::Val> core;
  EXPECT_EQ(lower_lift(cx, Val::variant("a", Val::f32(1.0f)), x, &core),
            Val::variant("a", Val::f32(1.0f)));
  EXPECT_EQ(core, (std::vector<api::Val>{api::Val(0), api::Val(0x3f800000)}));
  // f64 in an i64 slot; unused slots are zero and still consumed.
  ac::Type y = ac::variant_type({{"a", prim(TypeKind::F64)},
                                 {"b", ac::tuple_type({prim(TypeKind::U8), prim(TypeKind::U8)})},
                                 {"c", {}}});
  lower_lift(cx, Val::variant("a", Val::f64(2.0)), y, &core);
  EXPECT_EQ(core, (std::vector<api::Val>{api::Val(0), api::Val(uint64_t{0x4000000000000000}),
                                         api::Val(0)}));
  lower_lift(cx, Val::variant("c"), y, &core);
  EXPECT_EQ(core, (std::vector<api::Val>{api::Val(2), api::Val(uint64_t{0}), api::Val(0)}));
  // Nested variants coerce twice: option<variant{a(f32), b(u64)}> inside a record.
  ac::Type nested = ac::record_type({{"o", ac::option_type(v)}, {"z", prim(TypeKind::U8)}});
  Val nv = Val::record({{"o", Val::some(Val::variant("a", Val::f32(-2.5f)))}, {"z", Val::u8(9)}});
  EXPECT_EQ(lower_lift(cx, nv, nested, &core), nv);
  EXPECT_EQ(core.size(), 4u);
}

TEST(AbiValues, FlagsIgnoreUndefinedBits) {
  TestContext cx;
  std::vector<std::string> nine = {"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"};
  api::Result<std::vector<Val>> r = lift(cx, {api::Val(0xffffff11u)}, ac::flags_type(nine));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], Val::flags({"f1", "f5", "f9"}));
  cx.put(100, {0x11, 0xff});
  EXPECT_EQ(*load(cx, 100, ac::flags_type(nine)), Val::flags({"f1", "f5", "f9"}));
  std::vector<api::Val> core;
  lower_lift(cx, Val::flags({"f9", "f1"}), ac::flags_type(nine), &core);
  EXPECT_EQ(core, std::vector<api::Val>{api::Val(0x101)});
  // Storing a 1-byte flags value writes one byte only.
  cx.put(110, {0xaa, 0xbb});
  ASSERT_TRUE(store(cx, Val::flags({"a"}), ac::flags_type({"a", "b"}), 110).ok());
  EXPECT_EQ(cx.bytes(110, 2), (std::vector<uint8_t>{0x01, 0xbb}));
  api::Result<void> bad = store(cx, Val::flags({"zz"}), ac::flags_type({"a"}), 110);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "canonical ABI: value: no flag `zz` in flags { a }");
}

TEST(AbiValues, ListBoundsAndAlignment) {
  TestContext cx(1024);
  ac::Type l32 = ac::list_type(prim(TypeKind::U32));
  auto lift_list = [&](uint32_t ptr, uint32_t len) {
    return lift(cx, {api::Val(ptr), api::Val(len)}, l32);
  };
  EXPECT_TRUE(lift_list(1024 - 8, 2).ok());  // ends at the last byte
  EXPECT_EQ(trap_message(lift_list(1024 - 8, 3)), "list pointer/length out of bounds of memory");
  EXPECT_EQ(trap_message(lift_list(2, 1)), "list pointer is not aligned");
  EXPECT_EQ(trap_message(lift_list(0xFFFFFFFC, 1)), "list pointer/length out of bounds of memory");
  EXPECT_EQ(trap_message(lift_list(0xdeadbeec, 0)), "list pointer/length out of bounds of memory");
  EXPECT_TRUE(lift_list(1024, 0).ok());
  // length * size is computed in 64 bits: 0x40000001 * 4 would wrap to 4 in 32.
  EXPECT_EQ(trap_message(lift_list(0, 0x40000001)), "list pointer/length out of bounds of memory");
  cx.wording = TrapWording::Adapter;
  EXPECT_EQ(trap_message(lift_list(1024 - 8, 3)), "list content out-of-bounds");
  EXPECT_EQ(trap_message(lift_list(2, 1)), "unaligned pointer");
  // A list of strings in memory whose element is out of bounds traps on the string.
  cx.wording = TrapWording::Host;
  ac::Type ls = ac::list_type(prim(TypeKind::String));
  cx.put32(200, 1000);
  cx.put32(204, 100);
  EXPECT_EQ(trap_message(lift(cx, {api::Val(200), api::Val(1)}, ls)),
            "string pointer/length out of bounds of memory");
}

TEST(AbiValues, ReallocResultsAreChecked) {
  ac::Type l32 = ac::list_type(prim(TypeKind::U32));
  Val two = Val::list({Val::u32(1), Val::u32(2)});
  for (TrapWording w : {TrapWording::Host, TrapWording::Adapter}) {
    bool host = w == TrapWording::Host;
    TestContext cx(1024);
    cx.wording = w;
    cx.mode = TestContext::Realloc::OutOfBounds;
    EXPECT_EQ(trap_message(lower_flat_values(cx, 16, std::span(&two, 1), std::span(&l32, 1))),
              host ? "realloc return: beyond end of memory" : "list content out-of-bounds");
    // Even a zero-size allocation's pointer is bounds-checked.
    cx.custom = [](const ReallocCall&) -> api::Result<uint32_t> { return 0xFFFFFFFCu; };
    Val empty = Val::list({});
    EXPECT_EQ(trap_message(lower_flat_values(cx, 16, std::span(&empty, 1), std::span(&l32, 1))),
              host ? "realloc return: beyond end of memory" : "list content out-of-bounds");
    EXPECT_EQ(cx.calls.back(), (ReallocCall{0, 0, 4, 0}));
    // Alignment is checked before bounds.
    cx.custom = [](const ReallocCall&) -> api::Result<uint32_t> { return 0xFFFFFFFFu; };
    EXPECT_EQ(trap_message(lower_flat_values(cx, 16, std::span(&two, 1), std::span(&l32, 1))),
              host ? "realloc return: result not aligned" : "unaligned pointer");
    cx.custom = nullptr;
    cx.mode = TestContext::Realloc::Misaligned;
    EXPECT_EQ(trap_message(lower_flat_values(cx, 16, std::span(&two, 1), std::span(&l32, 1))),
              host ? "realloc return: result not aligned" : "unaligned pointer");
    // A trap inside realloc propagates unchanged.
    cx.mode = TestContext::Realloc::Trap;
    EXPECT_EQ(trap_message(lower_flat_values(cx, 16, std::span(&two, 1), std::span(&l32, 1))),
              "unreachable");
  }
  // The allocation exactly reaching the end of memory is fine.
  TestContext cx(1024);
  cx.custom = [](const ReallocCall&) -> api::Result<uint32_t> { return 1024 - 8; };
  api::Result<std::vector<api::Val>> ok =
      lower_flat_values(cx, 16, std::span(&two, 1), std::span(&l32, 1));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, (std::vector<api::Val>{api::Val(1016), api::Val(2)}));
  EXPECT_EQ(cx.get32(1020), 2u);
}

TEST(AbiValues, SpilledParamsAllocateThroughRealloc) {
  std::vector<ac::Type> types(17, prim(TypeKind::U32));
  std::vector<Val> vals(17, Val::u32(7));
  TestContext cx(1024);
  api::Result<std::vector<api::Val>> flat = lower_flat_values(cx, kMaxFlatParams, vals, types);
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(cx.calls, (std::vector<ReallocCall>{{0, 0, 4, 68}}));
  cx.mode = TestContext::Realloc::Misaligned;
  EXPECT_EQ(trap_message(lower_flat_values(cx, kMaxFlatParams, vals, types)),
            "realloc return: result not aligned");
  cx.wording = TrapWording::Adapter;
  EXPECT_EQ(trap_message(lower_flat_values(cx, kMaxFlatParams, vals, types)), "unaligned pointer");
  cx.mode = TestContext::Realloc::OutOfBounds;
  EXPECT_EQ(trap_message(lower_flat_values(cx, kMaxFlatParams, vals, types)),
            "out of bounds memory access");
}

TEST(AbiValues, LoadAndStoreCheckTheirPointer) {
  TestContext cx(64);
  EXPECT_EQ(trap_message(load(cx, 2, prim(TypeKind::U32))), "pointer not aligned");
  EXPECT_EQ(trap_message(load(cx, 64, prim(TypeKind::U8))), "pointer out of bounds of memory");
  EXPECT_EQ(trap_message(load(cx, 0xFFFFFFF8, prim(TypeKind::U64))),
            "pointer out of bounds of memory");
  EXPECT_EQ(trap_message(store(cx, Val::u64(1), prim(TypeKind::U64), 64)),
            "pointer out of bounds of memory");
  EXPECT_TRUE(store(cx, Val::u64(1), prim(TypeKind::U64), 56).ok());
  // No memory at all: every access traps.
  TestContext none(0);
  EXPECT_EQ(trap_message(load(none, 0, prim(TypeKind::U8))), "pointer out of bounds of memory");
  Val s = Val::string("");
  ac::Type st = prim(TypeKind::String);
  EXPECT_EQ(trap_message(lower_flat_values(none, 16, std::span(&s, 1), std::span(&st, 1))),
            "realloc return: beyond end of memory");
}

TEST(AbiValues, HandlesGoThroughTheContext) {
  TestContext cx;
  int type_tag = 0;
  ac::ResourceAny r{&type_tag, 42, true, 0};
  ac::Type own = ac::own_type({0, "r"});
  ac::Type borrow = ac::borrow_type({0, "r"});
  std::vector<api::Val> core;
  Val back = lower_lift(cx, Val::resource(r), own, &core);
  EXPECT_EQ(core, std::vector<api::Val>{api::Val(1)});
  EXPECT_EQ(back.as_resource().rep, 42u);
  EXPECT_TRUE(back.as_resource().own);
  // The own handle moved out: lifting index 1 again traps.
  EXPECT_EQ(trap_message(lift(cx, {api::Val(1)}, own)), "unknown handle index 1");
  back = lower_lift(cx, Val::resource(r), borrow, &core);
  EXPECT_EQ(back.kind(), TypeKind::Borrow);
  EXPECT_FALSE(back.as_resource().own);
  // In memory.
  ASSERT_TRUE(store(cx, Val::resource(r), own, 100).ok());
  EXPECT_EQ(cx.get32(100), 3u);
  api::Result<Val> l = load(cx, 100, own);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->as_resource().rep, 42u);
}

TEST(AbiValues, MistypedHostValuesAreUsageErrors) {
  TestContext cx;
  ac::Type r = ac::record_type({{"a", prim(TypeKind::U8)}});
  Val wrong = Val::record({{"b", Val::u8(1)}});
  api::Result<void> s = store(cx, wrong, r, 100);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, api::ErrorKind::Usage);
  EXPECT_EQ(s.error().message, "canonical ABI: value: expected field `a`, found `b`");
  ac::Type v = ac::variant_type({{"a", prim(TypeKind::U8)}});
  api::Result<std::vector<api::Val>> f =
      lower_flat_values(cx, 16, std::vector<Val>{Val::variant("a")}, std::vector<ac::Type>{v});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "canonical ABI: value.a: missing payload of type u8");
  f = lower_flat_values(cx, 16, std::vector<Val>{Val::u8(1)}, std::vector<ac::Type>{});
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "canonical ABI: expected 0 values, got 1");
  ac::TypeNode fut;
  fut.kind = TypeKind::Future;
  ac::Type future(std::make_shared<const ac::TypeNode>(fut));
  api::Result<std::vector<Val>> l = lift(cx, {api::Val(1)}, future);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().message, "canonical ABI: future values are not supported yet");
}

}  // namespace
}  // namespace hull::component

namespace hull::component {
namespace {

using namespace testing;

// Hostile guest memory: whatever the bytes and core values, lifting either succeeds or traps,
// and never reads outside the memory (ASan/UBSan builds check the second part).
TEST(AbiValues, RandomGuestDataNeverEscapes) {
  uint64_t seed = 0x9e3779b97f4a7c15;
  auto rnd = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  std::vector<ac::Type> types;
  for (const Sample& s : samples()) types.push_back(s.type);
  types.push_back(ac::list_type(ac::list_type(prim(ac::TypeKind::String))));
  for (StringEncoding e :
       {StringEncoding::Utf8, StringEncoding::Utf16, StringEncoding::Latin1Utf16}) {
    TestContext cx(512, e);
    for (int round = 0; round < 200; ++round) {
      for (uint8_t& b : cx.mem) b = static_cast<uint8_t>(rnd());
      // Small pointers and lengths now and then, so some lifts get deep before failing.
      for (size_t i = 0; i + 4 <= cx.mem.size(); i += 4)
        if (rnd() % 3 == 0) cx.put32(static_cast<uint32_t>(i), static_cast<uint32_t>(rnd() % 520));
      for (const ac::Type& t : types) {
        uint32_t at = static_cast<uint32_t>(rnd() % 520) & ~(alignment(t) - 1);
        (void)load(cx, at, t);
        std::vector<api::ValType> flat;
        flatten_type(t, &flat);
        std::vector<api::Val> core;
        for (api::ValType vt : flat) {
          uint64_t bits[2] = {rnd() % 4 == 0 ? rnd() % 600 : rnd(), 0};
          if (vt == api::ValType::I32 || vt == api::ValType::F32) bits[0] &= 0xffffffff;
          core.push_back(api::Val::from_slots(vt, bits));
        }
        (void)lift_flat_values(cx, 64, core, std::span(&t, 1));
      }
    }
  }
}

}  // namespace
}  // namespace hull::component
