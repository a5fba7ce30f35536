// Unit tests for parse_script: commands, actions, argument values and expected results.
#include <gtest/gtest.h>

#include "text/script.h"

using namespace hull::text;

TEST(Script, Commands) {
  auto r = parse_script(R"W(
    (module $M (func (export "f") (param i32) (result i32) local.get 0))
    (register "m" $M)
    (assert_return (invoke $M "f" (i32.const -1)) (i32.const 0xffffffff))
    (assert_return (invoke "g" (f32.const 1.5) (f64.const -0x1p-1))
                   (f32.const nan:canonical) (f64.const nan:arithmetic))
    (assert_trap (invoke "f" (i64.const 1)) "unreachable")
    (assert_exhaustion (invoke "f") "call stack exhausted")
    (assert_malformed (module quote "(func i32.bogus)") "unknown operator")
    (assert_malformed (module (func i32.bogus)) "unknown operator")
    (assert_invalid (module binary "\00asm" "\01\00\00\00") "x")
    (assert_unlinkable (module (import "x" "y" (func))) "unknown import")
    (module definition $D (memory 1))
    (module instance $I $D)
    (get $I "g")
    (thread $T (invoke "f"))
  )W");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto& c = r->commands;
  ASSERT_EQ(c.size(), 14u);
  auto& m = std::get<ModuleCommand>(c[0].body).module;
  EXPECT_EQ(m.id, "M");
  EXPECT_EQ(m.kind, ScriptModule::Encoded);
  EXPECT_GT(m.bytes.size(), 8u);
  EXPECT_EQ(c[0].line, 2u);
  EXPECT_EQ(std::get<RegisterCommand>(c[1].body).name, "m");
  EXPECT_EQ(std::get<RegisterCommand>(c[1].body).module_id, "M");
  auto& ar = std::get<AssertReturn>(c[2].body);
  EXPECT_EQ(ar.action.module_id, "M");
  EXPECT_EQ(ar.action.args[0].bits, 0xFFFFFFFFu);
  EXPECT_EQ(ar.expected[0].kind, Expected::I32);
  auto& ar2 = std::get<AssertReturn>(c[3].body);
  EXPECT_EQ(ar2.action.args[0].bits, 0x3FC00000u);
  EXPECT_EQ(ar2.action.args[1].bits, 0xBFE0000000000000ull);
  EXPECT_EQ(ar2.expected[0].nan, NanKind::Canonical);
  EXPECT_EQ(ar2.expected[1].nan, NanKind::Arithmetic);
  EXPECT_EQ(std::get<AssertTrap>(c[4].body).message, "unreachable");
  EXPECT_TRUE(std::get<AssertExhaustion>(c[5].body).action.args.empty());
  auto& q = std::get<AssertModule>(c[6].body);
  EXPECT_EQ(q.module.kind, ScriptModule::Quote);
  EXPECT_NE(q.module.quote.find("i32.bogus"), std::string::npos);
  auto& bad = std::get<AssertModule>(c[7].body);
  ASSERT_TRUE(bad.module.encode_error.has_value());
  EXPECT_EQ(bad.module.encode_error->message, "unknown operator");
  auto& bin = std::get<AssertModule>(c[8].body);
  EXPECT_EQ(bin.kind, AssertModule::Invalid);
  EXPECT_EQ(bin.module.bytes.size(), 8u);
  EXPECT_EQ(std::get<AssertModule>(c[9].body).kind, AssertModule::Unlinkable);
  EXPECT_TRUE(std::get<ModuleCommand>(c[10].body).module.definition);
  EXPECT_EQ(std::get<ModuleInstanceCommand>(c[11].body).instance_id, "I");
  EXPECT_EQ(std::get<ModuleInstanceCommand>(c[11].body).module_id, "D");
  EXPECT_EQ(std::get<ActionCommand>(c[12].body).action.kind, Action::Get);
  EXPECT_EQ(std::get<SkippedCommand>(c[13].body).head, "thread");
}

TEST(Script, RefsV128AndEither) {
  auto r = parse_script(R"W(
    (assert_return (invoke "f" (ref.null extern) (ref.extern 7) (ref.host 2))
      (ref.null) (ref.null func) (ref.extern) (ref.extern 7) (ref.func) (ref.i31) (ref.any))
    (assert_return (invoke "v" (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1))
      (v128.const f32x4 nan:canonical 1.0 nan:arithmetic -0)
      (either (i32.const 1) (i32.const 2)))
  )W");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto& a = std::get<AssertReturn>(r->commands[0].body);
  EXPECT_EQ(a.action.args[0].kind, Value::RefNull);
  EXPECT_EQ(a.action.args[0].heap, hull::HeapKind::Extern);
  EXPECT_EQ(a.action.args[1].kind, Value::RefExtern);
  EXPECT_EQ(a.action.args[1].bits, 7u);
  EXPECT_EQ(a.action.args[2].kind, Value::RefHost);
  EXPECT_FALSE(a.expected[0].typed_null);
  EXPECT_TRUE(a.expected[1].typed_null);
  EXPECT_EQ(a.expected[1].heap, hull::HeapKind::Func);
  EXPECT_FALSE(a.expected[2].has_payload);
  EXPECT_TRUE(a.expected[3].has_payload);
  EXPECT_EQ(a.expected[4].kind, Expected::RefFunc);
  EXPECT_EQ(a.expected[5].kind, Expected::RefI31);
  EXPECT_EQ(a.expected[6].kind, Expected::RefAny);
  auto& v = std::get<AssertReturn>(r->commands[1].body);
  EXPECT_EQ(v.action.args[0].v128.bytes[15], 0xFF);
  EXPECT_EQ(v.action.args[0].v128.bytes[1], 1);
  const Expected& e = v.expected[0];
  EXPECT_EQ(e.shape, LaneShape::F32x4);
  EXPECT_EQ(e.lane_nan[0], NanKind::Canonical);
  EXPECT_EQ(e.lane_nan[1], NanKind::None);
  EXPECT_EQ(e.lane_nan[2], NanKind::Arithmetic);
  EXPECT_EQ(e.v128.lane<uint32_t>(1), 0x3F800000u);
  EXPECT_EQ(e.v128.lane<uint32_t>(3), 0x80000000u);
  EXPECT_EQ(v.expected[1].kind, Expected::Either);
  EXPECT_EQ(v.expected[1].alternatives.size(), 2u);
}

TEST(Script, ErrorsOutsideAssertionsFail) {
  auto r = parse_script("(module (func i32.bogus))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unknown operator");
  EXPECT_EQ(r.error().line, 1u);
  EXPECT_FALSE(parse_script("(assert_return (invoke \"f\") (i32.const 1)").ok());
  EXPECT_FALSE(parse_script("(assert_return (invoke \"f\" (i32.const 4294967296)))").ok());
}
