// WAVE value syntax: round trips for every type, the accepted variants of each form, and
// errors that name the position and what was expected there.
#include <gtest/gtest.h>

#include <cmath>

#include "component/abi/wave.h"

namespace hull::component {
namespace {

using ac::TypeKind;
using ac::Val;

ac::Type prim(TypeKind k) { return ac::Type::prim(k); }

Val parse(std::string_view text, const ac::Type& t) {
  api::Result<Val> r = parse_wave(text, t);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : Val();
}

std::string parse_error(std::string_view text, const ac::Type& t) {
  api::Result<Val> r = parse_wave(text, t);
  if (r.ok()) return "<parsed: " + to_wave(*r, t) + ">";
  EXPECT_EQ(r.error().kind, api::ErrorKind::Usage);
  return r.error().message;
}

// text -> value -> text is stable, and the value is the expected one.
void round_trip(std::string_view text, const ac::Type& t, const Val& want) {
  SCOPED_TRACE(std::string(text));
  Val v = parse(text, t);
  EXPECT_EQ(v, want);
  EXPECT_EQ(to_wave(v, t), text);
}

TEST(Wave, Scalars) {
  round_trip("true", prim(TypeKind::Bool), Val::boolean(true));
  round_trip("false", prim(TypeKind::Bool), Val::boolean(false));
  round_trip("-128", prim(TypeKind::S8), Val::s8(-128));
  round_trip("255", prim(TypeKind::U8), Val::u8(255));
  round_trip("-32768", prim(TypeKind::S16), Val::s16(-32768));
  round_trip("65535", prim(TypeKind::U16), Val::u16(65535));
  round_trip("-2147483648", prim(TypeKind::S32), Val::s32(INT32_MIN));
  round_trip("4294967295", prim(TypeKind::U32), Val::u32(UINT32_MAX));
  round_trip("-9223372036854775808", prim(TypeKind::S64), Val::s64(INT64_MIN));
  round_trip("18446744073709551615", prim(TypeKind::U64), Val::u64(UINT64_MAX));
  round_trip("0", prim(TypeKind::U64), Val::u64(0));
}

TEST(Wave, Floats) {
  round_trip("1.5", prim(TypeKind::F32), Val::f32(1.5f));
  round_trip("-0.25", prim(TypeKind::F64), Val::f64(-0.25));
  round_trip("3", prim(TypeKind::F64), Val::f64(3.0));
  round_trip("0.1", prim(TypeKind::F32), Val::f32(0.1f));
  round_trip("0.1", prim(TypeKind::F64), Val::f64(0.1));
  round_trip("100000000000000000000", prim(TypeKind::F64), Val::f64(1e20));
  round_trip("0.000001", prim(TypeKind::F64), Val::f64(1e-6));
  round_trip("inf", prim(TypeKind::F32), Val::f32(INFINITY));
  round_trip("-inf", prim(TypeKind::F64), Val::f64(-INFINITY));
  round_trip("-0", prim(TypeKind::F64), Val::f64(-0.0));
  EXPECT_EQ(parse("6.022e+23", prim(TypeKind::F64)), Val::f64(6.022e23));
  EXPECT_EQ(parse("1E-3", prim(TypeKind::F64)), Val::f64(1e-3));
  EXPECT_EQ(parse("7", prim(TypeKind::F32)), Val::f32(7.0f));
  Val nan = parse("nan", prim(TypeKind::F32));
  EXPECT_TRUE(std::isnan(nan.as_f32()));
  EXPECT_EQ(to_wave(nan, prim(TypeKind::F32)), "nan");
  EXPECT_EQ(to_wave(Val::f64_bits(0xfff0000000000001), prim(TypeKind::F64)), "nan");
  // Shortest round-trip digits.
  EXPECT_EQ(to_wave(Val::f64(0.1 + 0.2), prim(TypeKind::F64)), "0.30000000000000004");
  EXPECT_EQ(to_wave(Val::f32(16777216.0f), prim(TypeKind::F32)), "16777216");
}

TEST(Wave, CharsAndStrings) {
  round_trip("'x'", prim(TypeKind::Char), Val::character(U'x'));
  round_trip("'☃'", prim(TypeKind::Char), Val::character(U'☃'));
  round_trip("'\\''", prim(TypeKind::Char), Val::character(U'\''));
  round_trip("'\\\\'", prim(TypeKind::Char), Val::character(U'\\'));
  round_trip("'\\n'", prim(TypeKind::Char), Val::character(U'\n'));
  round_trip("'\\u{0}'", prim(TypeKind::Char), Val::character(0));
  EXPECT_EQ(parse("'\"'", prim(TypeKind::Char)), Val::character(U'"'));
  EXPECT_EQ(to_wave(Val::character(U'"'), prim(TypeKind::Char)), "'\\\"'");  // wasm-wave escapes it
  EXPECT_EQ(parse("'\\u{1F600}'", prim(TypeKind::Char)), Val::character(0x1F600));
  EXPECT_EQ(parse("'\\\"'", prim(TypeKind::Char)), Val::character(U'"'));
  round_trip("\"abc\\t123\"", prim(TypeKind::String), Val::string("abc\t123"));
  round_trip("\"\"", prim(TypeKind::String), Val::string(""));
  round_trip("\"say \\\"hi\\\" \\\\ 👋\"", prim(TypeKind::String), Val::string("say \"hi\" \\ 👋"));
  round_trip("\"a\\nb\\r\"", prim(TypeKind::String), Val::string("a\nb\r"));
  round_trip("\"bell\\u{7}\"", prim(TypeKind::String), Val::string("bell\a"));
  EXPECT_EQ(parse("\"it's\"", prim(TypeKind::String)), Val::string("it's"));
  EXPECT_EQ(to_wave(Val::string("it's"), prim(TypeKind::String)), "\"it\\'s\"");
  EXPECT_EQ(parse("\"\\u{1F600}\\u{e9}\"", prim(TypeKind::String)), Val::string("😀é"));
}

TEST(Wave, MultilineStrings) {
  EXPECT_EQ(parse("\"\"\"\nA single line\n\"\"\"", prim(TypeKind::String)),
            Val::string("A single line"));
  EXPECT_EQ(parse("\"\"\"\n    Indentation determined\n      by ending delimiter\n  \"\"\"",
                  prim(TypeKind::String)),
            Val::string("  Indentation determined\n    by ending delimiter"));
  EXPECT_EQ(parse("\"\"\"\n  tab\\there\n  \"\"\"", prim(TypeKind::String)),
            Val::string("tab\there"));
  EXPECT_EQ(parse_error("\"\"\"no break\"\"\"", prim(TypeKind::String)),
            "invalid WAVE value at column 1: a line break after `\"\"\"`");
}

TEST(Wave, ListsTuplesRecords) {
  ac::Type lu = ac::list_type(prim(TypeKind::U32));
  round_trip("[1, 2, 3]", lu, Val::list({Val::u32(1), Val::u32(2), Val::u32(3)}));
  round_trip("[]", lu, Val::list({}));
  EXPECT_EQ(parse(" [ 1 ,2, ] ", lu), Val::list({Val::u32(1), Val::u32(2)}));
  round_trip("[1, 2]", ac::fixed_list_type(prim(TypeKind::U8), 2),
             Val::fixed_list({Val::u8(1), Val::u8(2)}));
  ac::Type tup = ac::tuple_type({prim(TypeKind::U8), prim(TypeKind::String)});
  round_trip("(1, \"a\")", tup, Val::tuple({Val::u8(1), Val::string("a")}));
  EXPECT_EQ(parse("(1, \"a\",)", tup), Val::tuple({Val::u8(1), Val::string("a")}));

  ac::Type rec = ac::record_type(
      {{"must-have", prim(TypeKind::U8)}, {"optional", ac::option_type(prim(TypeKind::U8))}});
  Val with_none = Val::record({{"must-have", Val::u8(123)}, {"optional", Val::none()}});
  round_trip("{must-have: 123}", rec, with_none);
  EXPECT_EQ(parse("{must-have: 123, optional: none,}", rec), with_none);
  EXPECT_EQ(parse("{optional: some(4), must-have: 1}", rec),
            Val::record({{"must-have", Val::u8(1)}, {"optional", Val::some(Val::u8(4))}}));
  round_trip("{must-have: 1, optional: some(4)}", rec,
             Val::record({{"must-have", Val::u8(1)}, {"optional", Val::some(Val::u8(4))}}));
  ac::Type all_opt = ac::record_type({{"a", ac::option_type(prim(TypeKind::U8))}});
  round_trip("{:}", all_opt, Val::record({{"a", Val::none()}}));
  EXPECT_EQ(parse("{ : }", all_opt), Val::record({{"a", Val::none()}}));
  EXPECT_EQ(parse("{%a: 1}", all_opt), Val::record({{"a", Val::some(Val::u8(1))}}));
}

TEST(Wave, VariantsEnumsOptionsResults) {
  ac::Type resp = ac::variant_type({{"empty", {}},
                                    {"body", ac::list_type(prim(TypeKind::U8))},
                                    {"err", prim(TypeKind::String)}});
  round_trip("empty", resp, Val::variant("empty"));
  round_trip("body([79, 75])", resp, Val::variant("body", Val::list({Val::u8(79), Val::u8(75)})));
  round_trip("%err(\"oops\")", resp, Val::variant("err", Val::string("oops")));
  ac::Type status = ac::enum_type({"ok", "not-found"});
  round_trip("%ok", status, Val::enumeration("ok"));
  round_trip("not-found", status, Val::enumeration("not-found"));

  ac::Type opt = ac::option_type(prim(TypeKind::U8));
  round_trip("some(123)", opt, Val::some(Val::u8(123)));
  round_trip("none", opt, Val::none());
  EXPECT_EQ(parse("123", opt), Val::some(Val::u8(123)));  // flat some
  ac::Type optopt = ac::option_type(opt);
  round_trip("some(none)", optopt, Val::some(Val::none()));
  round_trip("some(some(1))", optopt, Val::some(Val::some(Val::u8(1))));

  ac::Type res = ac::result_type(prim(TypeKind::U8), prim(TypeKind::String));
  round_trip("ok(5)", res, Val::ok(Val::u8(5)));
  round_trip("err(\"e\")", res, Val::err(Val::string("e")));
  EXPECT_EQ(parse("5", res), Val::ok(Val::u8(5)));  // flat ok
  ac::Type bare = ac::result_type({}, {});
  round_trip("ok", bare, Val::ok());
  round_trip("err", bare, Val::err());
  ac::Type err_only = ac::result_type({}, prim(TypeKind::String));
  round_trip("ok", err_only, Val::ok());
  round_trip("err(\"x\")", err_only, Val::err(Val::string("x")));
}

TEST(Wave, Flags) {
  ac::Type perms = ac::flags_type({"read", "write", "exec"});
  round_trip("{read, write}", perms, Val::flags({"read", "write"}));
  round_trip("{}", perms, Val::flags({}));
  EXPECT_EQ(parse("{exec, read,}", perms), Val::flags({"read", "exec"}));
  EXPECT_EQ(to_wave(Val::flags({"exec", "read"}), perms), "{read, exec}");
}

TEST(Wave, CommentsAndWhitespace) {
  ac::Type rec = ac::record_type(
      {{"required", prim(TypeKind::U8)}, {"optional", ac::option_type(prim(TypeKind::U8))}});
  EXPECT_EQ(parse("{ // comment\n  required: 1, // more\n  optional: some( // x\n 1 ),\n}", rec),
            Val::record({{"required", Val::u8(1)}, {"optional", Val::some(Val::u8(1))}}));
}

TEST(Wave, Args) {
  std::vector<ac::Type> types = {prim(TypeKind::U32), prim(TypeKind::String),
                                 ac::option_type(prim(TypeKind::U8)),
                                 ac::option_type(prim(TypeKind::U8))};
  api::Result<std::vector<Val>> a = parse_wave_args("1, \"two\", some(3), none", types);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(
      *a, (std::vector<Val>{Val::u32(1), Val::string("two"), Val::some(Val::u8(3)), Val::none()}));
  a = parse_wave_args("1, \"two\"", types);  // trailing options omitted
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(*a, (std::vector<Val>{Val::u32(1), Val::string("two"), Val::none(), Val::none()}));
  a = parse_wave_args("", std::vector<ac::Type>{});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->empty());
  a = parse_wave_args("1", types);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message,
            "invalid WAVE value at column 2: expected 4 arguments, found 1 (missing string)");
  a = parse_wave_args("1, \"a\", 1, 2, 3", types);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message,
            "invalid WAVE value at column 15: expected 4 arguments, found more: `3`");
  a = parse_wave_args("1 \"a\"", types);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().message,
            "invalid WAVE value at column 3: expected `,` between arguments, found `\"a\"`");
}

TEST(Wave, Errors) {
  EXPECT_EQ(parse_error("256", prim(TypeKind::U8)),
            "invalid WAVE value at column 1: expected an integer (u8), found `256`");
  EXPECT_EQ(parse_error("-1", prim(TypeKind::U32)),
            "invalid WAVE value at column 1: expected an integer (u32), found `-1`");
  EXPECT_EQ(parse_error("1.5", prim(TypeKind::S32)),
            "invalid WAVE value at column 1: expected an integer (s32), found `1.5`");
  EXPECT_EQ(parse_error("  \"x\"", prim(TypeKind::U8)),
            "invalid WAVE value at column 3: expected an integer (u8), found `\"x\"`");
  EXPECT_EQ(parse_error("yes", prim(TypeKind::Bool)),
            "invalid WAVE value at column 1: expected `true` or `false`, found `yes`");
  EXPECT_EQ(parse_error("1e999", prim(TypeKind::F64)),
            "invalid WAVE value at column 1: expected a number (f64), found `1e999`");
  EXPECT_EQ(parse_error("01", prim(TypeKind::U8)),
            "invalid WAVE value at column 1: expected an integer (u8), found `01`");
  EXPECT_EQ(parse_error("'ab'", prim(TypeKind::Char)),
            "invalid WAVE value at column 1: expected exactly one character between `'`");
  EXPECT_EQ(parse_error("'\\u{D800}'", prim(TypeKind::Char)),
            "invalid WAVE value at column 2: `\\u{...}` is not a Unicode scalar value");
  EXPECT_EQ(parse_error("\"abc", prim(TypeKind::String)),
            "invalid WAVE value at column 1: unterminated string");
  EXPECT_EQ(parse_error("\"a\\qb\"", prim(TypeKind::String)),
            "invalid WAVE value at column 3: unknown escape `\\q`");
  EXPECT_EQ(parse_error("[1, 2", ac::list_type(prim(TypeKind::U8))),
            "invalid WAVE value at column 6: expected `,` or `]`, found end of input");
  EXPECT_EQ(parse_error("[1 2]", ac::list_type(prim(TypeKind::U8))),
            "invalid WAVE value at column 4: expected `,` or `]`, found `2`");
  EXPECT_EQ(parse_error("[1, 2, 3]", ac::fixed_list_type(prim(TypeKind::U8), 2)),
            "invalid WAVE value at column 9: expected 2 list elements, found 3");
  EXPECT_EQ(parse_error("(1)", ac::tuple_type({prim(TypeKind::U8), prim(TypeKind::U8)})),
            "invalid WAVE value at column 3: expected 2 tuple elements, found 1");
  ac::Type rec = ac::record_type({{"a", prim(TypeKind::U8)}, {"b", prim(TypeKind::U8)}});
  EXPECT_EQ(parse_error("{a: 1}", rec), "invalid WAVE value at column 6: missing field `b`");
  EXPECT_EQ(parse_error("{a: 1, c: 2}", rec),
            "invalid WAVE value at column 8: no field `c` in record { a: u8, b: u8 }");
  EXPECT_EQ(parse_error("{a: 1, a: 2}", rec),
            "invalid WAVE value at column 8: field `a` given twice");
  EXPECT_EQ(parse_error("{a 1}", rec),
            "invalid WAVE value at column 4: expected `:` after field `a`, found `1`");
  ac::Type v = ac::variant_type({{"a", prim(TypeKind::U8)}, {"b", {}}});
  EXPECT_EQ(parse_error("c", v),
            "invalid WAVE value at column 1: expected a case of variant { a(u8), b }, found `c`");
  EXPECT_EQ(parse_error("a", v),
            "invalid WAVE value at column 2: expected `(` and a payload for case `a`, found end of "
            "input");
  EXPECT_EQ(parse_error("b(1)", v),
            "invalid WAVE value at column 2: expected no payload for case `b`, found `(`");
  EXPECT_EQ(parse_error("some(1", ac::option_type(prim(TypeKind::U8))),
            "invalid WAVE value at column 7: expected `)` after the payload of `some`, found end "
            "of input");
  EXPECT_EQ(parse_error("1", ac::option_type(ac::option_type(prim(TypeKind::U8)))),
            "invalid WAVE value at column 1: expected `some(...)` or `none`, found `1`");
  EXPECT_EQ(parse_error("{read, nope}", ac::flags_type({"read"})),
            "invalid WAVE value at column 8: no flag `nope` in flags { read }");
  EXPECT_EQ(parse_error("1 2", prim(TypeKind::U8)),
            "invalid WAVE value at column 3: expected end of input, found `2`");
  EXPECT_EQ(parse_error("[\n  1,\n  x]", ac::list_type(prim(TypeKind::U8))),
            "invalid WAVE value at line 3 column 3: expected an integer (u8), found `x`");
  EXPECT_EQ(parse_error("1", ac::own_type({0, "r"})),
            "invalid WAVE value at column 1: own<r> values cannot be written in WAVE");
}

}  // namespace
}  // namespace hull::component

namespace hull::component {
namespace {

// Truncated and corrupted inputs are errors, never crashes.
TEST(Wave, GarbageNeverCrashes) {
  ac::Type t = ac::record_type(
      {{"a", ac::list_type(ac::option_type(ac::Type::prim(ac::TypeKind::String)))},
       {"b", ac::variant_type({{"x", ac::tuple_type({ac::Type::prim(ac::TypeKind::Char),
                                                     ac::Type::prim(ac::TypeKind::F64)})},
                               {"y", {}}})},
       {"c", ac::flags_type({"p", "q"})},
       {"d", ac::result_type(ac::Type::prim(ac::TypeKind::S16), {})}});
  std::string good =
      "{a: [some(\"x\\u{41}\"), none, \"\"\"\n  m\n  \"\"\"], b: x(('\\n', -1.5e3)), "
      "c: {p}, d: ok(-3)}";
  ASSERT_TRUE(parse_wave(good, t).ok()) << parse_wave(good, t).error().message;
  const char junk[] = "{}[](),:'\"\\%-.e0u\n/ ";
  for (size_t i = 0; i <= good.size(); ++i) {
    (void)parse_wave(std::string_view(good).substr(0, i), t);
    for (char j : std::string_view(junk)) {
      std::string s = good;
      s.insert(s.begin() + static_cast<std::ptrdiff_t>(i), j);
      (void)parse_wave(s, t);
      if (i < s.size()) {
        s = good;
        if (i < s.size()) s[i] = j;
        (void)parse_wave(s, t);
      }
    }
  }
}

}  // namespace
}  // namespace hull::component
