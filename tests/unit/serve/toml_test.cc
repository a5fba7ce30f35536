// Hull's TOML 1.0 parser (src/serve/toml.h): every value kind, keys and tables with their
// positions, every redefinition error with both positions, syntax errors with theirs, the
// limits, and cases reconstructed from the spec (toml.io/en/v1.0.0) and the toml-test suite.
#include "serve/toml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

using namespace hull::serve::toml;

Table parse_ok(std::string_view text) {
  auto r = parse(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : format_error("t.toml", r.error())) << "\nin:\n" << text;
  return r.ok() ? std::move(r).value() : Table();
}

// "line:col: reason" of the expected error.
std::string error_of(std::string_view text) {
  auto r = parse(text);
  EXPECT_FALSE(r.ok()) << "expected an error in:\n" << text;
  if (r.ok()) return "";
  return std::to_string(r.error().line) + ":" + std::to_string(r.error().column) + ": " +
         r.error().message;
}

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// EXPECT_PRED_FORMAT2(ErrorHas, text, needle): parsing `text` fails with an error containing
// `needle`; a mismatch shows the actual error.
testing::AssertionResult ErrorHas(const char*, const char*, std::string_view text,
                                  std::string_view needle) {
  auto r = parse(text);
  if (r.ok()) return testing::AssertionFailure() << "no error for:\n" << text;
  std::string e = std::to_string(r.error().line) + ":" + std::to_string(r.error().column) + ": " +
                  r.error().message;
  if (has(e, needle)) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "expected: " << needle << "\nactual:   " << e;
}

// The value at a path of plain keys ("a.b.c"), or nullptr.
const Value* at(const Table& root, std::string_view path) {
  const Table* t = &root;
  const Value* v = nullptr;
  while (true) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (!t) return nullptr;
    v = t->find(key);
    if (!v || dot == std::string_view::npos) return v;
    t = v->as_table();
    path.remove_prefix(dot + 1);
  }
}

std::string str(const Table& root, std::string_view path) {
  const Value* v = at(root, path);
  EXPECT_TRUE(v && v->is_string()) << path;
  return v && v->as_string() ? *v->as_string() : "";
}

int64_t integer(const Table& root, std::string_view path) {
  const Value* v = at(root, path);
  EXPECT_TRUE(v && v->is_integer()) << path;
  return v && v->as_integer() ? *v->as_integer() : -1;
}

double floating(const Table& root, std::string_view path) {
  const Value* v = at(root, path);
  EXPECT_TRUE(v && v->is_float()) << path;
  return v && v->as_float() ? *v->as_float() : -1;
}

// ---- Strings ----

TEST(TomlStrings, BasicWithEscapes) {
  Table t = parse_ok(
      R"(str = "I'm a string. \"You can quote me\". Name\tJos\u00E9\nLocation\tSF."
esc = "\b\t\n\f\r\"\\"
u4 = "\u00e9\u20AC"
u8 = "\U0001F600"
empty = ""
tab = "a	b"
)");
  EXPECT_EQ(str(t, "str"), "I'm a string. \"You can quote me\". Name\tJos\xC3\xA9\nLocation\tSF.");
  EXPECT_EQ(str(t, "esc"), "\b\t\n\f\r\"\\");
  EXPECT_EQ(str(t, "u4"), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(str(t, "u8"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(str(t, "empty"), "");
  EXPECT_EQ(str(t, "tab"), "a\tb");
}

TEST(TomlStrings, MultiLineBasic) {
  Table t = parse_ok(
      "str1 = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
      "str2 = \"\"\"\r\nOne\r\nTwo\"\"\"\n"
      "str3 = \"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"\n"
      "str4 = \"\"\"\\\n       The quick brown \\\n       fox jumps over \\\n       the lazy "
      "dog.\\\n       \"\"\"\n"
      "str5 = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"\n"
      "str6 = \"\"\"Here are three quotation marks: \"\"\\\".\"\"\"\n"
      "str7 = \"\"\"\"This,\" she said, \"she's a true pain.\"\"\"\"\n"
      "str8 = \"\"\"ends in two\"\"\"\"\"\n"
      "str9 = \"\"\"trailing ws backslash \\  \t\n  x\"\"\"\n");
  EXPECT_EQ(str(t, "str1"), "Roses are red\nViolets are blue");
  EXPECT_EQ(str(t, "str2"), "One\nTwo");
  EXPECT_EQ(str(t, "str3"), "The quick brown fox jumps over the lazy dog.");
  EXPECT_EQ(str(t, "str4"), "The quick brown fox jumps over the lazy dog.");
  EXPECT_EQ(str(t, "str5"), "Here are two quotation marks: \"\". Simple enough.");
  EXPECT_EQ(str(t, "str6"), "Here are three quotation marks: \"\"\".");
  EXPECT_EQ(str(t, "str7"), "\"This,\" she said, \"she's a true pain.\"");
  EXPECT_EQ(str(t, "str8"), "ends in two\"\"");
  EXPECT_EQ(str(t, "str9"), "trailing ws backslash x");
}

TEST(TomlStrings, Literal) {
  Table t = parse_ok(
      "winpath = 'C:\\Users\\nodejs\\templates'\n"
      "quoted = 'Tom \"Dubs\" Preston-Werner'\n"
      "regex = '<\\i\\c*\\s*>'\n"
      "regex2 = '''I [dw]on't need \\d{2} apples'''\n"
      "lines = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n"
      "   is preserved.\n'''\n"
      "quot15 = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\n"
      "str = ''''That,' she said, 'is still pointless.''''\n");
  EXPECT_EQ(str(t, "winpath"), "C:\\Users\\nodejs\\templates");
  EXPECT_EQ(str(t, "quoted"), "Tom \"Dubs\" Preston-Werner");
  EXPECT_EQ(str(t, "regex"), "<\\i\\c*\\s*>");
  EXPECT_EQ(str(t, "regex2"), "I [dw]on't need \\d{2} apples");
  EXPECT_EQ(str(t, "lines"),
            "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n"
            "   is preserved.\n");
  EXPECT_EQ(str(t, "quot15"), "Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"");
  EXPECT_EQ(str(t, "str"), "'That,' she said, 'is still pointless.'");
}

TEST(TomlStrings, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"abc\n"),
                      "1:9: unterminated string: it must end on its line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"abc"), "1:5: unterminated string");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 'abc\nb = 1"), "1:9: unterminated string");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\"\"abc\n"), "1:5: unterminated multi-line string");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = '''abc"), "1:5: unterminated multi-line string");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\\x41\""), "1:6: invalid escape sequence \\x");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\\e\""), "1:6: invalid escape sequence \\e");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\\ \""), "1:6: invalid escape sequence");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\\u12\""), "1:6: \\u needs exactly 4 hex digits");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\\uD800\""), "not a Unicode scalar value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\\U00110000\""), "not a Unicode scalar value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"x\x01y\""), "1:7: control character U+0001");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"x\x7Fy\""), "1:7: control character U+007F");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 'x\x1Fy'"), "1:7: control character U+001F");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\"\"x\x08\"\"\""), "1:9: control character U+0008");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\"\"x\ry\"\"\""),
                      "1:9: a carriage return must be followed");
  // A line-ending backslash must be the last thing on its line.
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\"\"x\\  y\"\"\""),
                      "1:9: a backslash followed by whitespace");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = '''15 ''''''''''''''''''"), "too many quotes");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \"\"\"x\"\"\"\"\"\"\n"), "too many quotes");
}

// ---- Numbers, booleans, dates ----

TEST(TomlIntegers, AllForms) {
  Table t = parse_ok(
      "int1 = +99\nint2 = 42\nint3 = 0\nint4 = -17\nint5 = 1_000\nint6 = 5_349_221\n"
      "int7 = 53_49_221\nint8 = 1_2_3_4_5\nhex1 = 0xDEADBEEF\nhex2 = 0xdeadbeef\n"
      "hex3 = 0xdead_beef\noct1 = 0o01234567\noct2 = 0o755\nbin1 = 0b11010110\n"
      "max = 9223372036854775807\nmin = -9223372036854775808\nhexmax = 0x7FFFFFFFFFFFFFFF\n"
      "zero_pos = +0\nzero_neg = -0\nhex0 = 0x00\n");
  EXPECT_EQ(integer(t, "int1"), 99);
  EXPECT_EQ(integer(t, "int2"), 42);
  EXPECT_EQ(integer(t, "int3"), 0);
  EXPECT_EQ(integer(t, "int4"), -17);
  EXPECT_EQ(integer(t, "int5"), 1000);
  EXPECT_EQ(integer(t, "int6"), 5349221);
  EXPECT_EQ(integer(t, "int7"), 5349221);
  EXPECT_EQ(integer(t, "int8"), 12345);
  EXPECT_EQ(integer(t, "hex1"), 0xDEADBEEF);
  EXPECT_EQ(integer(t, "hex2"), 0xDEADBEEF);
  EXPECT_EQ(integer(t, "hex3"), 0xDEADBEEF);
  EXPECT_EQ(integer(t, "oct1"), 01234567);
  EXPECT_EQ(integer(t, "oct2"), 0755);
  EXPECT_EQ(integer(t, "bin1"), 0b11010110);
  EXPECT_EQ(integer(t, "max"), INT64_MAX);
  EXPECT_EQ(integer(t, "min"), INT64_MIN);
  EXPECT_EQ(integer(t, "hexmax"), INT64_MAX);
  EXPECT_EQ(integer(t, "zero_pos"), 0);
  EXPECT_EQ(integer(t, "zero_neg"), 0);
  EXPECT_EQ(integer(t, "hex0"), 0);
}

TEST(TomlIntegers, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 9223372036854775808"), "1:5: integer out of range");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = -9223372036854775809"), "1:5: integer out of range");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0x8000000000000000"), "1:5: integer out of range");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 99999999999999999999999999"), "integer out of range");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 012"), "1:5: leading zeros are not allowed");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = -012"), "1:6: leading zeros are not allowed");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1__2"), "1:7: an underscore in a number must be between");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = _1"), "1:5: expected a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1_"), "1:6: an underscore");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0x_1"), "1:7: an underscore");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = +0x1"),
                      "1:5: a hexadecimal, octal or binary integer cannot "
                      "have a sign");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0x"), "1:7: expected digits");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0xG"), "1:7: 'G' is not a hexadecimal digit");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0o8"), "'8' is not a octal digit");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0b2"), "'2' is not a binary digit");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 0X1"), "1:6: 'X' is not a decimal digit");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1 2"), "1:7: expected the end of the line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = +"), "1:5: expected a number after the sign");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1-2"), "1:6: expected the end of the line");
}

TEST(TomlFloats, AllForms) {
  Table t = parse_ok(
      "flt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\nflt4 = 5e+22\nflt5 = 1e06\nflt6 = -2E-2\n"
      "flt7 = 6.626e-34\nflt8 = 224_617.445_991_228\nflt9 = -0.0\nflt10 = +0.0\n"
      "sf1 = inf\nsf2 = +inf\nsf3 = -inf\nsf4 = nan\nsf5 = +nan\nsf6 = -nan\n"
      "tiny = 1e-400\nexp_zeros = 1e0_1\nzero_exp = 0e0\n");
  EXPECT_EQ(floating(t, "flt1"), 1.0);
  EXPECT_EQ(floating(t, "flt2"), 3.1415);
  EXPECT_EQ(floating(t, "flt3"), -0.01);
  EXPECT_EQ(floating(t, "flt4"), 5e22);
  EXPECT_EQ(floating(t, "flt5"), 1e6);
  EXPECT_EQ(floating(t, "flt6"), -2e-2);
  EXPECT_EQ(floating(t, "flt7"), 6.626e-34);
  EXPECT_EQ(floating(t, "flt8"), 224617.445991228);
  EXPECT_TRUE(std::signbit(floating(t, "flt9")));
  EXPECT_FALSE(std::signbit(floating(t, "flt10")));
  EXPECT_EQ(floating(t, "sf1"), INFINITY);
  EXPECT_EQ(floating(t, "sf2"), INFINITY);
  EXPECT_EQ(floating(t, "sf3"), -INFINITY);
  EXPECT_TRUE(std::isnan(floating(t, "sf4")));
  EXPECT_TRUE(std::isnan(floating(t, "sf5")));
  EXPECT_TRUE(std::isnan(floating(t, "sf6")));
  EXPECT_EQ(floating(t, "tiny"), 0.0);
  EXPECT_EQ(floating(t, "exp_zeros"), 10.0);
  EXPECT_EQ(floating(t, "zero_exp"), 0.0);
}

TEST(TomlFloats, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = .7"), "1:5: expected a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 7."), "1:7: expected digits after the decimal point");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 3.e+20"), "1:7: expected digits after the decimal point");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1e"), "1:7: expected digits in the exponent");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1e+"), "1:8: expected digits in the exponent");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 01.5"), "1:5: leading zeros are not allowed in a float");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1.5e_3"), "1:9: an underscore");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1._5"), "1:7: an underscore");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1.2.3"), "1:8: '.' is not a decimal digit");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1e5.3"), "1:8: a decimal point cannot follow the exponent");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1e1000"), "1:5: float out of range");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = infinity"), "1:5: 'infinity' is not a valid number");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = NaN"), "'NaN' is not a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = inf_"), "1:5: 'inf_' is not a valid number");
}

TEST(TomlBooleans, TrueFalseAndNothingElse) {
  Table t = parse_ok("a = true\nb = false\n");
  EXPECT_EQ(at(t, "a")->as_boolean(), true);
  EXPECT_EQ(at(t, "b")->as_boolean(), false);
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = True"), "1:5: 'True' is not a value (a string needs quotes)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = truely"), "1:9: expected the end of the line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = yes"), "'yes' is not a value");
}

TEST(TomlDateTimes, AllForms) {
  Table t = parse_ok(
      "odt1 = 1979-05-27T07:32:00Z\nodt2 = 1979-05-27T00:32:00-07:00\n"
      "odt3 = 1979-05-27T00:32:00.999999-07:00\nodt4 = 1979-05-27 07:32:00Z\n"
      "odt5 = 1979-05-27t07:32:00z\nldt1 = 1979-05-27T07:32:00\n"
      "ldt2 = 1979-05-27T00:32:00.999999\nld1 = 1979-05-27\nlt1 = 07:32:00\n"
      "lt2 = 00:32:00.999999\nleap = 2000-02-29\nleap_second = 1990-12-31T23:59:60Z\n"
      "date_then_comment = 1979-05-27 # a date\n");
  EXPECT_EQ(at(t, "odt1")->kind(), Kind::OffsetDateTime);
  EXPECT_EQ(at(t, "odt2")->kind(), Kind::OffsetDateTime);
  EXPECT_EQ(at(t, "odt3")->as_date_time(), "1979-05-27T00:32:00.999999-07:00");
  EXPECT_EQ(at(t, "odt4")->as_date_time(), "1979-05-27 07:32:00Z");
  EXPECT_EQ(at(t, "odt5")->kind(), Kind::OffsetDateTime);
  EXPECT_EQ(at(t, "ldt1")->kind(), Kind::LocalDateTime);
  EXPECT_EQ(at(t, "ldt2")->kind(), Kind::LocalDateTime);
  EXPECT_EQ(at(t, "ld1")->kind(), Kind::LocalDate);
  EXPECT_EQ(at(t, "lt1")->kind(), Kind::LocalTime);
  EXPECT_EQ(at(t, "lt2")->as_date_time(), "00:32:00.999999");
  EXPECT_EQ(at(t, "leap")->kind(), Kind::LocalDate);
  EXPECT_EQ(at(t, "date_then_comment")->as_date_time(), "1979-05-27");
  EXPECT_STREQ(at(t, "ld1")->kind_name(), "a date");
}

TEST(TomlDateTimes, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-02-30"), "1:13: the day does not exist");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1900-02-29"), "the day does not exist");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-13-01"), "1:10: the month must be 01 to 12");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-00-01"), "the month must be 01 to 12");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-5-27"), "expected a date like 1979-05-27");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 24:00:00"), "1:5: the hour must be 00 to 23");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 07:60:00"), "the minute must be 00 to 59");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 07:00:61"), "the second must be 00 to 60");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 07:32"), "1:10: expected ':' and seconds");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-05-27T"), "1:16: expected a time");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-05-27T07:32:00."), "expected digits after the decimal");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-05-27T07:32:00+7:00"), "expected a time offset");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-05-27T07:32:00+24:00"), "the offset is out of range");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 07:32:00Z"), "1:13: expected the end of the line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1979-05-27 07:32"), "expected ':' and seconds");
}

// ---- Arrays ----

TEST(TomlArrays, KindsNestingAndLayout) {
  Table t = parse_ok(R"(integers = [ 1, 2, 3 ]
colors = [ "red", "yellow", "green" ]
nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]
nested_mixed_array = [ [ 1, 2 ], ["a", "b", "c"] ]
string_array = [ "all", 'strings', """are the same""", '''type''' ]
numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]
contributors = [
  "Foo Bar <foo@example.com>",
  { name = "Baz Qux", email = "bazqux@example.com", url = "https://example.com/bazqux" }
]
integers2 = [
  1, 2, 3
]
integers3 = [
  1,
  2, # this is ok
]
empty = [ ]
empty_with_comment = [ # nothing
]
)");
  const Array* ints = at(t, "integers")->as_array();
  ASSERT_TRUE(ints);
  ASSERT_EQ(ints->size(), 3u);
  EXPECT_EQ((*ints)[2].as_integer(), 3);
  EXPECT_EQ((*ints)[1].pos().column, 17u);
  EXPECT_EQ(at(t, "nested_arrays_of_ints")->as_array()->get(1)->as_array()->size(), 3u);
  EXPECT_EQ(*at(t, "string_array")->as_array()->get(2)->as_string(), "are the same");
  const Array* numbers = at(t, "numbers")->as_array();
  EXPECT_TRUE((*numbers)[0].is_float());
  EXPECT_TRUE((*numbers)[3].is_integer());
  const Array* contributors = at(t, "contributors")->as_array();
  ASSERT_EQ(contributors->size(), 2u);
  EXPECT_EQ(*(*contributors)[1].as_table()->find("name")->as_string(), "Baz Qux");
  EXPECT_EQ((*contributors)[1].pos().line, 9u);
  EXPECT_EQ((*contributors)[1].pos().column, 3u);
  EXPECT_EQ(at(t, "integers3")->as_array()->size(), 2u);
  EXPECT_TRUE(at(t, "empty")->as_array()->empty());
  EXPECT_TRUE(at(t, "empty_with_comment")->as_array()->empty());
  EXPECT_FALSE(at(t, "empty")->as_array()->is_array_of_tables());
}

TEST(TomlArrays, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [1,,2]"), "1:8: expected a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [,]"), "1:6: expected a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [1 2]"), "1:8: expected ',' or ']' in the array, found '2'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [1, 2"), "1:5: unterminated array");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [1, 2,\n\n"), "1:5: unterminated array");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [1]]"), "1:8: expected the end of the line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = [\n1 # c\x01\n]"),
                      "2:6: control character U+0001 is not "
                      "allowed in a comment");
}

// ---- Keys and tables ----

TEST(TomlKeys, BareQuotedDottedAndPositions) {
  Table t = parse_ok(R"(key = "value"
bare_key = "value"
bare-key = "value"
1234 = "value"
"127.0.0.1" = "value"
"character encoding" = "value"
"ʎǝʞ" = "value"
'key2' = "value"
'quoted "value"' = "value"
"" = "blank"
name = "Orange"
physical.color = "orange"
physical.shape = "round"
site."google.com" = true
fruit.name = "banana"     # this is best practice
fruit. color = "yellow"    # same as fruit.color
fruit . flavor = "banana"   # same as fruit.flavor
3.14159 = "pi"
)");
  EXPECT_EQ(str(t, "bare-key"), "value");
  EXPECT_EQ(str(t, "1234"), "value");
  ASSERT_TRUE(t.find("127.0.0.1"));
  ASSERT_TRUE(t.find("character encoding"));
  ASSERT_TRUE(t.find("\xCA\x8E\xC7\x9D\xCA\x9E"));
  ASSERT_TRUE(t.find("quoted \"value\""));
  EXPECT_EQ(*t.find("")->as_string(), "blank");
  EXPECT_EQ(str(t, "physical.shape"), "round");
  EXPECT_EQ(at(t, "physical")->as_table()->find("color")->pos().line, 12u);
  EXPECT_EQ(at(t, "site")->as_table()->find("google.com")->as_boolean(), true);
  EXPECT_EQ(str(t, "fruit.color"), "yellow");
  EXPECT_EQ(str(t, "fruit.flavor"), "banana");
  EXPECT_EQ(str(t, "3.14159"), "pi");
  // Keys iterate in document order, each with its position.
  std::vector<std::string> keys;
  for (const auto& [key, value] : t) keys.push_back(key.name);
  ASSERT_GE(keys.size(), 3u);
  EXPECT_EQ(keys[0], "key");
  EXPECT_EQ(keys[1], "bare_key");
  EXPECT_EQ(keys[2], "bare-key");
  const Entry* shape = at(t, "physical")->as_table()->find_entry("shape");
  EXPECT_EQ(shape->key.pos.line, 13u);
  EXPECT_EQ(shape->key.pos.column, 10u);
  EXPECT_EQ(shape->value.pos().column, 18u);
  // The dotted key's first part made the table: its position.
  EXPECT_EQ(at(t, "physical")->pos().line, 12u);
  EXPECT_EQ(at(t, "physical")->pos().column, 1u);
  // Columns count characters, not bytes.
  const Entry* after_unicode = t.find_entry("\xCA\x8E\xC7\x9D\xCA\x9E");
  EXPECT_EQ(after_unicode->value.pos().column, 9u);
}

TEST(TomlKeys, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("key = # INVALID"), "1:7: expected a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("first = \"Tom\" last = \"Preston-Werner\""),
                      "1:15: expected the end of the line after the value, found 'l'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("= \"no key name\""), "1:1: expected a key, found '='");
  EXPECT_PRED_FORMAT2(ErrorHas, ("\"\"\"key\"\"\" = 1"),
                      "1:1: a multi-line string cannot be a key");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a b = 1"), "1:3: expected '=' after the key a, found 'b'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a.b. = 1"), "1:6: expected a key, found '='");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1\nb"), "2:2: expected '=' after the key b, found the end");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a\n= 1"), "1:2: expected '=' after the key a, found a newline");
  EXPECT_PRED_FORMAT2(ErrorHas, ("ké = 1"), "1:2: expected '=' after the key k, found 'é'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = \n1"), "1:5: expected a value");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1 # c\x7F"), "1:10: control character U+007F");
}

TEST(TomlTables, HeadersAndImplicitTables) {
  Table t = parse_ok(R"([table-1]
key1 = "some string"
key2 = 123

[table-2]
key1 = "another string"
key2 = 456

[dog."tater.man"]
type.name = "pug"

[a.b.c]            # this is best practice
[ d.e.f ]          # same as [d.e.f]
[ g .  h  . i ]    # same as [g.h.i]
[ j . "ʞ" . 'l' ]  # same as [j."ʞ".'l']

# [x] you
# [x.y] don't
# [x.y.z] need these
[x.y.z.w] # for this to work

[x] # defining a super-table afterward is ok
defined = true

[fruit]
apple.color = "red"
apple.taste.sweet = true
[fruit.apple.texture]  # you can add sub-tables
smooth = true
)");
  EXPECT_EQ(integer(t, "table-2.key2"), 456);
  EXPECT_EQ(*at(t, "dog")
                 ->as_table()
                 ->find("tater.man")
                 ->as_table()
                 ->find("type")
                 ->as_table()
                 ->find("name")
                 ->as_string(),
            "pug");
  EXPECT_TRUE(at(t, "a.b.c")->is_table());
  EXPECT_TRUE(at(t, "g.h.i")->is_table());
  EXPECT_TRUE(at(t, "j")->as_table()->find("\xCA\x9E")->as_table()->find("l"));
  EXPECT_TRUE(at(t, "x.y.z.w")->is_table());
  EXPECT_EQ(at(t, "x.defined")->as_boolean(), true);
  // [x] was implicit until its header: now it is positioned at that header.
  EXPECT_EQ(at(t, "x")->pos().line, 22u);
  EXPECT_EQ(at(t, "x")->pos().column, 1u);
  EXPECT_EQ(at(t, "x")->as_table()->origin(), Table::Origin::Header);
  EXPECT_EQ(at(t, "fruit.apple.texture.smooth")->as_boolean(), true);
  EXPECT_EQ(at(t, "fruit.apple.taste.sweet")->as_boolean(), true);
  // A header's table is at its '['; its key at the key.
  EXPECT_EQ(at(t, "table-2")->pos().line, 5u);
  const Entry* e = at(t, "d.e")->as_table()->find_entry("f");
  EXPECT_EQ(e->key.pos.line, 13u);
  EXPECT_EQ(e->key.pos.column, 7u);
}

TEST(TomlTables, Errors) {
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a"), "1:3: expected ']' to close the header");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a]]"),
                      "1:4: expected the end of the line after the table header");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[]"), "1:2: expected a key");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a.]"), "1:4: expected a key");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[[a]"), "1:4: expected ']]'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[[a] ]"), "1:4: expected ']]'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a] b = 1"), "1:5: expected the end of the line after the table");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a\n]"), "1:3: expected ']'");
}

TEST(TomlInlineTables, ValuesAndClosure) {
  Table t = parse_ok(R"(name = { first = "Tom", last = "Preston-Werner" }
point = { x = 1, y = 2 }
animal = { type.name = "pug" }
empty = {}
nested = { a = { b = [ { c = 1 } ] } }
)");
  EXPECT_EQ(str(t, "name.last"), "Preston-Werner");
  EXPECT_EQ(integer(t, "point.y"), 2);
  EXPECT_EQ(str(t, "animal.type.name"), "pug");
  EXPECT_TRUE(at(t, "empty")->as_table()->empty());
  EXPECT_EQ(at(t, "point")->pos().column, 9u);
  EXPECT_EQ(at(t, "point")->as_table()->origin(), Table::Origin::Inline);
  EXPECT_EQ(at(t, "nested.a")->as_table()->find("b")->as_array()->size(), 1u);

  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { b = 1,\n c = 2 }"), "1:13: an inline table must be on one");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = {\n}"), "1:6: an inline table must be on one line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { b = 1, }"), "1:14: a trailing comma is not allowed");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { b = 1 c = 2 }"), "1:13: expected ',' or '}'");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { b = 1"), "1:5: unterminated inline table");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { , }"), "1:7: expected a key");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { b = 1, b = 2 }"),
                      "1:14: 'b' is defined twice (first at "
                      "line 1, column 7)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = { b = {}, b.c = 2 }"), "1:15: 'b' is an inline table");
}

TEST(TomlArraysOfTables, ProductsAndNestedFruits) {
  Table t = parse_ok(R"([[products]]
name = "Hammer"
sku = 738594937

[[products]]  # empty table within the array

[[products]]
name = "Nail"
sku = 284758393

color = "gray"

[[fruits]]
name = "apple"

[fruits.physical]  # subtable
color = "red"
shape = "round"

[[fruits.varieties]]  # nested array of tables
name = "red delicious"

[[fruits.varieties]]
name = "granny smith"


[[fruits]]
name = "banana"

[[fruits.varieties]]
name = "plantain"
points = [ { x = 1, y = 2, z = 3 },
           { x = 7, y = 8, z = 9 },
           { x = 2, y = 4, z = 8 } ]
)");
  const Array* products = at(t, "products")->as_array();
  ASSERT_TRUE(products);
  EXPECT_TRUE(products->is_array_of_tables());
  ASSERT_EQ(products->size(), 3u);
  EXPECT_TRUE((*products)[1].as_table()->empty());
  EXPECT_EQ(*(*products)[2].as_table()->find("color")->as_string(), "gray");
  EXPECT_EQ((*products)[2].pos().line, 7u);  // each table at its own [[header]]
  EXPECT_EQ((*products)[2].pos().column, 1u);
  const Array* fruits = at(t, "fruits")->as_array();
  ASSERT_EQ(fruits->size(), 2u);
  const Table& apple = *(*fruits)[0].as_table();
  EXPECT_EQ(*apple.find("physical")->as_table()->find("shape")->as_string(), "round");
  EXPECT_EQ(apple.find("varieties")->as_array()->size(), 2u);
  const Table& banana = *(*fruits)[1].as_table();
  EXPECT_EQ(*banana.find("varieties")->as_array()->get(0)->as_table()->find("name")->as_string(),
            "plantain");
  // `points` follows [[fruits.varieties]], so it belongs to banana's plantain.
  EXPECT_FALSE(t.contains("points"));
  const Value* points = banana.find("varieties")->as_array()->get(0)->as_table()->find("points");
  ASSERT_TRUE(points);
  EXPECT_EQ(points->as_array()->size(), 3u);
}

// ---- Redefinitions: each error names where it is and where the first definition is ----

TEST(TomlRedefinition, KeyTwice) {
  EXPECT_EQ(error_of("name = \"Tom\"\nname = \"Pradyun\""),
            "2:1: 'name' is defined twice (first at line 1, column 1)");
  EXPECT_EQ(error_of("spelling = \"favorite\"\n\"spelling\" = \"favourite\""),
            "2:1: 'spelling' is defined twice (first at line 1, column 1)");
  EXPECT_EQ(error_of("[t]\na = 1\n a.b = 2"),
            "3:2: 'a' is already an integer (defined at line 2, column 1), so it cannot have "
            "keys");
  EXPECT_EQ(error_of("fruit.apple = 1\nfruit.apple.smooth = true"),
            "2:7: 'fruit.apple' is already an integer (defined at line 1, column 7), so it "
            "cannot have keys");
  EXPECT_EQ(error_of("a.b = 1\na.b = 2"),
            "2:3: 'a.b' is defined twice (first at line 1, "
            "column 3)");
  // A table defined by a header is a key of its parent like any other.
  EXPECT_EQ(error_of("[a.b]\nx = 1\n[a]\nb = 2"),
            "4:1: 'b' is defined twice (first at line 1, column 4)");
}

TEST(TomlRedefinition, TableTwice) {
  EXPECT_EQ(error_of("[fruit]\napple = \"red\"\n\n[fruit]\norange = \"orange\""),
            "4:1: table [fruit] is defined twice (first at line 1, column 1)");
  EXPECT_EQ(error_of("[a.b]\n[a]\n[a]"),
            "3:1: table [a] is defined twice (first at line 2, "
            "column 1)");
  EXPECT_EQ(error_of("[fruit]\napple = \"red\"\n\n[fruit.apple]\ntexture = \"smooth\""),
            "4:1: [fruit.apple] cannot be a table: the key is already a string (defined at "
            "line 2, column 1)");
  EXPECT_EQ(error_of("[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple]"),
            "4:1: table [fruit.apple] is already defined by dotted keys (at line 2, column 1); "
            "a table cannot be defined twice");
  EXPECT_EQ(error_of("[fruit]\napple.taste.sweet = true\n[fruit.apple.taste]"),
            "3:1: table [fruit.apple.taste] is already defined by dotted keys (at line 2, "
            "column 7); a table cannot be defined twice");
  EXPECT_EQ(error_of("a = 1\n[a.b]"),
            "2:2: 'a' is already an integer (defined at line 1, column 1), not a table");
}

TEST(TomlRedefinition, DottedKeysIntoHeaderTables) {
  EXPECT_EQ(error_of("[a.b.c]\nz = 9\n[a]\nb.c.t = 1"),
            "4:1: 'b' is a table with a [header] (at line 1, column 4): dotted keys cannot add "
            "to it (write the key under that header)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a.b.c.d]\nz = 9\n[a]\nb.c.d.k.t = 1"),
                      "4:1: 'b' is a table "
                      "with a [header]");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[a.b]\n[a]\nb.c = 1"),
                      "3:1: 'b' is a table with a [header] (at "
                      "line 1, column 1)");
}

TEST(TomlRedefinition, InlineTablesAreClosed) {
  EXPECT_EQ(error_of("[product]\ntype = { name = \"Nail\" }\ntype.edible = false"),
            "3:1: 'type' is an inline table (defined at line 2, column 8): nothing can be "
            "added to it outside its braces");
  EXPECT_EQ(error_of("[product]\ntype.name = \"Nail\"\ntype = { edible = false }"),
            "3:1: 'type' is defined twice (first at line 2, column 1)");
  EXPECT_EQ(error_of("a = { b = 1 }\n[a]"),
            "2:1: table [a] is already defined as an inline table (at line 1, column 5)");
  EXPECT_EQ(error_of("a = { b = 1 }\n[a.c]"),
            "2:2: 'a' is an inline table (defined at line 1, column 5): nothing can be added "
            "to it outside its braces");
  EXPECT_EQ(error_of("a = { b = { c = 1 } }\n[a.b.d]"),
            "2:2: 'a' is an inline table (defined at line 1, column 5): nothing can be added "
            "to it outside its braces");
}

TEST(TomlRedefinition, ArraysOfTablesAndStaticArrays) {
  EXPECT_EQ(error_of("fruits = []\n[[fruits]]"),
            "2:1: [[fruits]] cannot add to the static array defined at line 1, column 1 "
            "(write all its elements there)");
  EXPECT_EQ(error_of("a = [{ b = 1 }]\n[a.c]"),
            "2:2: 'a' is a static array (defined at line 1, column 1): a [header] cannot "
            "extend it");
  EXPECT_EQ(error_of("[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red\"\n"
                     "[fruits.varieties]\nname = \"granny smith\""),
            "5:1: [fruits.varieties] is an array of tables (first [[fruits.varieties]] at line "
            "3, column 1): write [[fruits.varieties]] to add a table to it");
  EXPECT_EQ(error_of("[fruit.physical]\ncolor = \"red\"\n[[fruit]]"),
            "3:1: [[fruit]] cannot be an array of tables: the key is already a table (defined "
            "at line 1, column 2)");
  EXPECT_EQ(error_of("a = 1\n[[a]]"),
            "2:1: [[a]] cannot be an array of tables: the key is already an integer (defined "
            "at line 1, column 1)");
  EXPECT_EQ(error_of("[[a]]\n[a]"),
            "2:1: [a] is an array of tables (first [[a]] at line 1, column 1): write [[a]] to "
            "add a table to it");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[[a]]\nb = 1\n[[a]]\nb = 1\nb = 2"),
                      "5:1: 'b' is defined twice "
                      "(first at line 4, column 1)");
}

// ---- Documents: whitespace, comments, line endings, encoding, limits ----

TEST(TomlDocuments, CommentsLineEndingsAndBom) {
  Table t = parse_ok("\xEF\xBB\xBF# comment\r\na = 1 # trailing\r\n\r\n  b = 'x'\t\n[t] # c\r\n");
  EXPECT_EQ(integer(t, "a"), 1);
  EXPECT_EQ(at(t, "a")->pos().column, 5u);  // the byte order mark takes no column
  EXPECT_EQ(at(t, "b")->pos().line, 4u);
  EXPECT_TRUE(at(t, "t")->is_table());
  EXPECT_TRUE(parse_ok("").empty());
  EXPECT_TRUE(parse_ok("# only a comment").empty());
  EXPECT_TRUE(parse_ok("\n\n   \t\n").empty());
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1\rb = 2"), "1:6: expected the end of the line");
  EXPECT_PRED_FORMAT2(ErrorHas, ("\r"), "1:1: a carriage return must be followed by a newline");
  EXPECT_PRED_FORMAT2(ErrorHas, ("# c\r"), "1:4: a carriage return is not allowed in a comment");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 1\n\x01"),
                      "2:1: expected a key, found control character "
                      "U+0001");
  EXPECT_PRED_FORMAT2(ErrorHas, (std::string_view("a = 1\n\0", 7)), "2:1: expected a key");
}

TEST(TomlDocuments, InvalidUtf8) {
  EXPECT_EQ(error_of("a = 1\nb = \"x\xC3\x28\""),
            "2:7: invalid UTF-8 (byte 0xC3); a TOML document must be UTF-8 text");
  EXPECT_PRED_FORMAT2(ErrorHas, ("# \xC0\xAF overlong"), "1:3: invalid UTF-8 (byte 0xC0)");
  // A surrogate, past U+10FFFF, truncated, a lone continuation byte, an overlong 4-byte form.
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = '\xED\xA0\x80'"), "1:6: invalid UTF-8 (byte 0xED)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = '\xF4\x90\x80\x80'"), "invalid UTF-8 (byte 0xF4)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = '\xE2\x82'"), "invalid UTF-8 (byte 0xE2)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("\x80"), "1:1: invalid UTF-8 (byte 0x80)");
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = '\xF0\x8F\xBF\xBF'"), "invalid UTF-8");
  // Valid multi-byte text counts one column per character before the bad byte.
  EXPECT_PRED_FORMAT2(ErrorHas, ("a = 'é€😀\xFF'"), "1:9: invalid UTF-8 (byte 0xFF)");
}

TEST(TomlDocuments, NestingBombsAreCleanErrors) {
  std::string arrays = "a = " + std::string(100000, '[') + std::string(100000, ']');
  auto r = parse(arrays);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, hull::ErrorKind::Limit);
  EXPECT_TRUE(has(r.error().message, "too deeply nested")) << r.error().message;
  EXPECT_EQ(r.error().line, 1u);

  std::string tables = "a = ";
  for (int i = 0; i < 10000; ++i) tables += "{a = ";
  EXPECT_PRED_FORMAT2(ErrorHas, (tables), "too deeply nested");

  std::string dotted = "a";
  for (int i = 0; i < 10000; ++i) dotted += ".a";
  EXPECT_PRED_FORMAT2(ErrorHas, (dotted + " = 1"), "too deeply nested");
  EXPECT_PRED_FORMAT2(ErrorHas, ("[" + dotted + "]"), "too deeply nested");
  // Many levels built up one header at a time.
  std::string headers, path = "a";
  for (int i = 0; i < 200; ++i) {
    headers += "[" + path + "]\n";
    path += ".a";
  }
  EXPECT_PRED_FORMAT2(ErrorHas, (headers), "too deeply nested");
  std::string aot;
  path = "a";
  for (int i = 0; i < 200; ++i) {
    aot += "[[" + path + "]]\n";
    path += ".a";
  }
  EXPECT_PRED_FORMAT2(ErrorHas, (aot), "too deeply nested");

  // Up to the limit is fine.
  std::string ok = "a = " + std::string(60, '[') + std::string(60, ']');
  EXPECT_TRUE(parse(ok).ok());
  Limits tight;
  tight.max_depth = 3;
  EXPECT_FALSE(parse("a = [[[[1]]]]", tight).ok());
  EXPECT_TRUE(parse("a = [[[1]]]", tight).ok());
}

TEST(TomlDocuments, SizeLimit) {
  Limits small;
  small.max_bytes = 16;
  auto r = parse("a = \"0123456789abcdef\"", small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, hull::ErrorKind::Limit);
  EXPECT_EQ(r.error().message, "the document is 22 bytes; the limit is 16");
  std::string big(Limits{}.max_bytes + 1, '#');
  EXPECT_FALSE(parse(big).ok());
  // Large documents parse in linear time: many keys, many tables, a long array.
  std::string many;
  for (int i = 0; i < 20000; ++i)
    many += "k" + std::to_string(i) + " = " + std::to_string(i) + "\n";
  for (int i = 0; i < 5000; ++i) many += "[[t]]\nx = 1\n";
  Table t = parse_ok(many);
  EXPECT_EQ(t.size(), 20001u);
  EXPECT_EQ(integer(t, "k19999"), 19999);
  EXPECT_EQ(at(t, "t")->as_array()->size(), 5000u);
}

TEST(TomlDocuments, FormatError) {
  auto r = parse("a = 1\nb = ");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(format_error("app/spin.toml", r.error()),
            "app/spin.toml:2:5: expected a value (a string, number, boolean, date, array or "
            "inline table), found the end of the document");
}

// ---- toml-test style cases: each valid one parses, each invalid one is an error ----

TEST(TomlTestSuite, Valid) {
  const char* cases[] = {
      "a = 1 # comment\n",
      "# comment\n[table] # comment\nkey = \"value\" # comment\n",
      "a = [\n  1, # one\n  2, # two\n]\n",
      "\"a b\" = 1\n'c d' = 2\n",
      "a.\"b.c\".d = 1\n",
      "[a]\n[a.b]\n[a.b.c]\n",
      "[a.b.c]\n[a.b]\n[a]\n",
      "[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n",
      "[[a.b]]\n[[a.b]]\n[a]\n",
      "a = [[1, 2], [\"a\", 'b'], [1.1, true], []]\n",
      "a = [{}, {b = 1}, {c = {d = 2}}]\n",
      "a = { b.c.d = 1, b.e = 2 }\n",
      "t = {a=1,b=2}\n",
      "a = \"\\u0000\"\n",
      "a = '''\n'''\n",
      "a = \"\"\"\"\"\"\n",
      "a = \"\"\"\"\"\"\"\n",    // one quote
      "a = \"\"\"\"\"\"\"\"\n",  // two quotes
      "a = 1979-05-27T07:32:00.123456789Z\n",
      "a = 2000-01-01 # date, then comment\n",
      "a = 0.0\nb = -0.0\nc = +0.0\nd = 0e0\ne = 1E+5\n",
      "a = 0b0\nb = 0o0\nc = 0x0\nd = 0b0000_0001\n",
      "key = \"value\"\n\n\n",
      "\t a \t = \t 1 \t\n",
      "[ a ]\n[[ b ]]\n",
      "[a.'b c'.\"d\"]\n",
      "_ = 1\n- = 2\n0 = 3\n",
      "true = 1\nfalse = 2\ninf = 3\nnan = 4\n",
      "a = true\nb = [true, false]\n",
      "a = [\n]\n",
      "x.y.z = 1\nx.y.w = 2\n[x.v]\n",
      "[a]\nb.c = 1\nb.d = 2\n[a.b.e]\n",
  };
  for (const char* c : cases) {
    auto r = parse(c);
    EXPECT_TRUE(r.ok()) << c << "\n" << (r.ok() ? "" : format_error("t", r.error()));
  }
}

TEST(TomlTestSuite, Invalid) {
  const char* cases[] = {
      "a = 1 b = 2\n",
      "a = [1 2]\n",
      "a = {b = 1\n",
      "a = \"\\q\"\n",
      "a = 0_\n",
      "a = 0__1\n",
      "a = 1.\n",
      "a = .1\n",
      "a = 1e\n",
      "a = +_1\n",
      "a = 00\n",
      "a = 0o\n",
      "a = 0b102\n",
      "a = --1\n",
      "a = 1979-05-27T07:32:00+\n",
      "a = 1979-05-27T7:32:00\n",
      "a = 1979-05-27 7:32:00\n",
      "a = 1979-05-27T07:32:00 Z\n",
      "a = 2021-02-29\n",
      "a = 12:34:56Z\n",
      "a = 12:34\n",
      "[a\nb = 1\n",
      "[a.b.]\n",
      "[.a]\n",
      "[a..b]\n",
      "[]\n",
      "[[]]\n",
      "[a] x\n",
      "a = 1\na = 2\n",
      "[a]\n[a]\n",
      "[a]\nb = 1\n[a.b]\n",
      "a = {}\na.b = 1\n",
      "a = []\n[[a]]\n",
      "[[a]]\n[a]\n",
      "a = { b = 1, }\n",
      "a = {\n b = 1 }\n",
      "a = \"line\nbreak\"\n",
      "a = 'line\nbreak'\n",
      "a = \"\"\"\"\"\"\"\"\"\n",
      "a = \"\\UFFFFFFFF\"\n",
      "\"\"\"a\"\"\" = 1\n",
      "'''a''' = 1\n",
      "a. = 1\n",
      ".a = 1\n",
      "a = \n",
      "=1\n",
      "a = [,1]\n",
      "a = [1,,]\n",
      "a = tru\n",
      "a = falsey\n",
      "a = 'x' 'y'\n",
      "# \x7F\n",
      "a = \"\x1B\"\n",
      "a = \"\"\"\x1B\"\"\"\n",
      "a = '''\x00'''\n",
      "\xEF\xBB\xBF\xEF\xBB\xBF a = 1\n",
      "a = 1\r\n\rb = 2\n",
      "a = 0x-1\n",
      "a = 1_000_\n",
      "a = -inf_\n",
      "a = +nan1\n",
      "a = 9_223_372_036_854_775_808\n",
  };
  for (const char* c : cases) EXPECT_FALSE(parse(c).ok()) << "accepted:\n" << c;
}

}  // namespace
