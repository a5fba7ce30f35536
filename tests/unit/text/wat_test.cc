// Unit tests for wat_to_binary: exact encodings, abbreviations (compared with their expanded
// forms), implicit types, and text-level errors.
#include "text/wat.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "text/lexer.h"

using hull::text::wat_to_binary;
using Bytes = std::vector<uint8_t>;

namespace {

// Exact encodings are compared without the name section (tested on its own below).
Bytes enc(std::string_view text) {
  auto r = wat_to_binary(text, {.name_section = false});
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().to_string());
  return r.ok() ? *r : Bytes{};
}

std::string fail(std::string_view text) {
  auto r = wat_to_binary(text);
  EXPECT_FALSE(r.ok()) << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().kind, hull::ErrorKind::Malformed);
  EXPECT_GT(r.error().line, 0u);
  return r.error().message;
}

Bytes header() { return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00}; }

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST(Wat, EmptyModule) {
  EXPECT_EQ(enc("(module)"), header());
  EXPECT_EQ(enc(""), header());
  EXPECT_EQ(enc("(module $m)"), header());
  EXPECT_EQ(enc(";; c\n(module (; nested (; block ;) comment ;) (@ann x (y)))"), header());
}

// The "name" section keeps $ids: module name, function names (imports included), local names
// (parameters and locals); byte for byte what the spec's appendix defines.
TEST(Wat, NameSection) {
  auto r = wat_to_binary(R"((module $demo
    (import "env" "log" (func $log (param i32)))
    (func $add (param $a i32) (param i32) (result i32) (local $tmp i64) (local.get $a))
    (func (nop))))");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const Bytes name_section = {
      0x00, 0x26, 0x04, 'n', 'a', 'm', 'e',                      // custom section "name"
      0x00, 0x05, 0x04, 'd', 'e', 'm', 'o',                      // module name
      0x01, 0x0b, 0x02, 0x00, 0x03, 'l', 'o', 'g',               // func 0 "log"
      0x01, 0x03, 'a', 'd', 'd',                                 // func 1 "add"
      0x02, 0x0b, 0x01, 0x01, 0x02, 0x00, 0x01, 'a',             // func 1: local 0 "a"
      0x02, 0x03, 't', 'm', 'p'};                                //         local 2 "tmp"
  ASSERT_GE(r->size(), name_section.size());
  EXPECT_EQ(Bytes(r->end() - name_section.size(), r->end()), name_section);
  // The same module without ids or with the section turned off has no name section.
  auto plain = wat_to_binary(R"((module $demo
    (import "env" "log" (func $log (param i32)))
    (func $add (param $a i32) (param i32) (result i32) (local $tmp i64) (local.get $a))
    (func (nop))))", {.name_section = false});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(Bytes(r->begin(), r->end() - name_section.size()), *plain);
  EXPECT_EQ(enc("(module $m)"), header());
  auto anonymous = wat_to_binary("(module (func (param i32)))");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(*anonymous, enc("(module (func (param i32)))"));
}

TEST(Wat, AddFunction) {
  Bytes expect = cat(header(), {
      0x01, 0x07, 0x01, 0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F,  // type
      0x03, 0x02, 0x01, 0x00,                                // func
      0x07, 0x07, 0x01, 0x03, 'a', 'd', 'd', 0x00, 0x00,     // export
      0x0A, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6A, 0x0B});
  EXPECT_EQ(enc("(module (func (export \"add\") (param i32 i32) (result i32)"
                " local.get 0 local.get 1 i32.add))"),
            expect);
  // Folded form, names, and explicit type all encode the same.
  EXPECT_EQ(enc("(module (type $t (func (param i32 i32) (result i32)))"
                " (func $f (type $t) (param $a i32) (param $b i32) (result i32)"
                "  (i32.add (local.get $a) (local.get $b)))"
                " (export \"add\" (func $f)))"),
            expect);
}

TEST(Wat, InlineTypeReusesExplicitTypeDefinedLater) {
  Bytes a = enc("(module (func (param i32)) (type (func (param i32))))");
  Bytes b = enc("(module (type (func (param i32))) (func (type 0)))");
  EXPECT_EQ(a, b);
}

TEST(Wat, ImplicitTypesAppendedInOrder) {
  // call_indirect's inline type is appended after the explicit type.
  Bytes a = enc("(module (type (func)) (table 1 funcref)"
                " (func (call_indirect (param i64) (i64.const 0) (i32.const 0))))");
  Bytes b = enc("(module (type (func)) (type (func (param i64))) (table 1 funcref)"
                " (func (type 0) (call_indirect (type 1) (i64.const 0) (i32.const 0))))");
  EXPECT_EQ(a, b);
}

TEST(Wat, InlineImportExportAbbreviations) {
  EXPECT_EQ(enc("(module (func $f (import \"m\" \"f\") (param i32))"
                " (memory (export \"mem\") (import \"m\" \"mem\") 1 2)"
                " (global $g (export \"g\") (mut i32) (i32.const 7)))"),
            enc("(module (type (func (param i32))) (import \"m\" \"f\" (func $f (type 0)))"
                " (import \"m\" \"mem\" (memory 1 2))"
                " (global $g (mut i32) (i32.const 7))"
                " (export \"mem\" (memory 0)) (export \"g\" (global $g)))"));
}

TEST(Wat, TableElemAndMemoryDataAbbreviations) {
  EXPECT_EQ(enc("(module (func $a) (func $b) (table funcref (elem $a $b)))"),
            enc("(module (func $a) (func $b) (table 2 2 funcref)"
                " (elem (table 0) (i32.const 0) func $a $b))"));
  EXPECT_EQ(enc("(module (memory (data \"hi\" \"!\")))"),
            enc("(module (memory 1 1) (data (memory 0) (offset (i32.const 0)) \"hi!\"))"));
  EXPECT_EQ(enc("(module (memory i64 (data \"x\")))"),
            enc("(module (memory i64 1 1) (data (i64.const 0) \"x\"))"));
}

TEST(Wat, BlocksLabelsAndIf) {
  EXPECT_EQ(enc("(module (func (result i32) (block $l (result i32) (br $l (i32.const 1)))))"),
            enc("(module (func (result i32) block $l (result i32) i32.const 1 br 0 end $l))"));
  EXPECT_EQ(enc("(module (func (param i32) (result i32)"
                " (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))"),
            enc("(module (func (param i32) (result i32)"
                " local.get 0 if (result i32) i32.const 1 else i32.const 2 end))"));
  // Multi-value block type uses a type index (appended implicitly).
  Bytes b = enc("(module (func (block (param) (result i32 i32) (i32.const 1) (i32.const 2))"
                " drop drop))");
  EXPECT_FALSE(b.empty());
}

TEST(Wat, MemargAndMultiMemory) {
  // i32.load offset=8 align=2 on memory 1: flags = 1 | 0x40, memidx 1, offset 8.
  Bytes b = enc("(module (memory 1) (memory $m 1)"
                " (func (drop (i32.load $m offset=8 align=2 (i32.const 0)))))");
  Bytes want = {0x41, 0x00, 0x28, 0x41, 0x01, 0x08, 0x1A, 0x0B};
  EXPECT_NE(std::search(b.begin(), b.end(), want.begin(), want.end()), b.end());
  EXPECT_EQ(fail("(module (memory 1) (func (drop (i32.load align=3 (i32.const 0)))))"),
            "alignment must be a power of two");
}

TEST(Wat, SimdConstAndShuffle) {
  Bytes b = enc("(module (func (result v128) (v128.const i16x8 1 2 3 4 5 6 7 -1)))");
  Bytes want = {0xFD, 0x0C, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0xFF, 0xFF, 0x0B};
  EXPECT_NE(std::search(b.begin(), b.end(), want.begin(), want.end()), b.end());
  EXPECT_EQ(fail("(module (func (result v128) (v128.const i32x4 1 2 3)))"),
            "wrong number of lane literals");
  EXPECT_EQ(fail("(module (func (result v128) (v128.const i8x16 256 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
                 "0)))"),
            "i8 constant out of range");
}

TEST(Wat, Errors) {
  EXPECT_EQ(fail("(module (func i32.frob))"), "unknown operator");
  EXPECT_EQ(fail("(module (func (i32.const 4294967296) drop))"), "i32 constant out of range");
  EXPECT_EQ(fail("(module (func (br $nope)))"), "unknown label");
  EXPECT_EQ(fail("(module (func block $a end $b))"), "mismatching label");
  EXPECT_EQ(fail("(module (func $f) (func $f))"), "duplicate func");
  EXPECT_EQ(fail("(module (func (param $x i32) (local $x i32)))"), "duplicate local");
  EXPECT_EQ(fail("(module (type (func)) (func (type 0) (param i32)))"), "inline function type");
  EXPECT_NE(fail("(module (func (type $undefined)))").find("unknown type"), std::string::npos);
  EXPECT_EQ(fail("(module (func) (import \"m\" \"f\" (func)))"), "import after function");
  EXPECT_EQ(fail("(module (func $f) (start $f) (start $f))"), "multiple start sections");
  EXPECT_EQ(fail("(module (func (f32.const 1e39) drop))"), "constant out of range");
  EXPECT_EQ(fail("(module \"unclosed)"), "unclosed string");
  EXPECT_EQ(fail("(module (func $))"), "empty identifier");
  EXPECT_EQ(fail("(module (@x (y)"), "unclosed annotation");
  EXPECT_EQ(fail("(module (func (nop)"), "unexpected token");
  EXPECT_EQ(fail("(module) (module)"), "unexpected token");
  EXPECT_EQ(fail("(module (export \"\\ff\" (func 0)) (func))"), "malformed UTF-8 encoding");
}

TEST(Wat, ErrorPositions) {
  auto r = wat_to_binary("(module\n  (func\n    i32.bogus))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 3u);
  EXPECT_EQ(r.error().column, 5u);
}

TEST(Wat, DeepNestingIsACleanError) {
  std::string deep = "(module (func ";
  for (int i = 0; i < 100000; ++i) deep += "(block ";
  for (int i = 0; i < 100000; ++i) deep += ")";
  deep += "))";
  EXPECT_EQ(fail(deep), "nesting too deep");
  std::string flat = "(module (func ";
  for (int i = 0; i < 100000; ++i) flat += "block ";
  for (int i = 0; i < 100000; ++i) flat += "end ";
  flat += "))";
  EXPECT_EQ(fail(flat), "nesting too deep");
  // Deep but reasonable nesting works.
  std::string ok = "(module (func ";
  for (int i = 0; i < 200; ++i) ok += "(block ";
  for (int i = 0; i < 200; ++i) ok += ")";
  ok += "))";
  EXPECT_FALSE(enc(ok).empty());
  std::string ok_flat = "(module (func ";
  for (int i = 0; i < 200; ++i) ok_flat += "block (result i32) ";
  ok_flat += "i32.const 0 ";
  for (int i = 0; i < 200; ++i) ok_flat += "end ";
  ok_flat += "drop))";
  EXPECT_FALSE(enc(ok_flat).empty());
  std::string ok_if = "(module (func (param i32) ";
  for (int i = 0; i < 200; ++i) ok_if += "(if (local.get 0) (then ";
  for (int i = 0; i < 200; ++i) ok_if += "))";
  ok_if += "))";
  EXPECT_FALSE(enc(ok_if).empty());
  // At the paren limit: either encodes or fails cleanly, never overflows the stack.
  for (const char* open : {"(block ", "(if (i32.const 0) (then ", "(i32.add (i32.const 0) "}) {
    std::string s = "(module (func ";
    int n = hull::text::kMaxNesting / 2 - 4;
    for (int i = 0; i < n; ++i) s += open;
    for (int i = 0; i < n; ++i) s += std::string_view(open).substr(0, 4) == "(if " ? "))" : ")";
    s += "))";
    (void)wat_to_binary(s);
  }
}

TEST(Wat, GcTypes) {
  Bytes b = enc("(module (rec (type $a (struct (field $x i32) (field (mut i64))))"
                " (type $b (sub $a (struct (field i32) (field (mut i64)) (field i8)))))"
                " (type $arr (array (mut i16)))"
                " (func (param (ref null $a)) (result i32) (struct.get $a $x (local.get 0))))");
  Bytes want_rec = {0x4E, 0x02, 0x5F, 0x02, 0x7F, 0x00, 0x7E, 0x01,
                    0x50, 0x01, 0x00, 0x5F, 0x03, 0x7F, 0x00, 0x7E, 0x01, 0x78, 0x00};
  EXPECT_NE(std::search(b.begin(), b.end(), want_rec.begin(), want_rec.end()), b.end());
}

// @custom annotations become custom sections where their placement says, `(after last)` by
// default, with their strings' bytes concatenated.
TEST(Wat, CustomAnnotationsPlaceSections) {
  const Bytes type_section = {0x01, 0x04, 0x01, 0x60, 0x00, 0x00};
  auto custom = [](char name, Bytes contents) {
    Bytes s = {0x00, uint8_t(2 + contents.size()), 0x01, uint8_t(name)};
    return cat(s, contents);
  };
  EXPECT_EQ(enc("(module (@custom \"c\" \"3\" \"4\") (type (func))"
                " (@custom \"b\" (after type) \"2\") (@custom \"a\" (before first) \"1\"))"),
            cat(cat(cat(cat(header(), custom('a', {'1'})), type_section), custom('b', {'2'})),
                custom('c', {'3', '4'})));
  // `(before first)` precedes even a section placed `(before type)` earlier in the text.
  EXPECT_EQ(enc("(module (@custom \"t\" (before type)) (@custom \"f\" (before first)))"),
            cat(cat(header(), custom('f', {})), custom('t', {})));
  // Before a section that is absent: still in its place among the others.
  EXPECT_EQ(enc("(module (type (func)) (@custom \"x\" (before import)))"),
            cat(cat(header(), type_section), custom('x', {})));
  // A module of nothing but a custom section (an inline module's only field).
  EXPECT_EQ(enc("(@custom \"x\" \"\\00\")"), cat(header(), custom('x', {0x00})));
  // Other annotations are still dropped.
  EXPECT_EQ(enc("(module (@foo (bar \"x\")) (type (@baz) (func)))"), cat(header(), type_section));
}

// @name names the module, functions and tags in the name section, over their $ids.
TEST(Wat, NameAnnotations) {
  auto r = wat_to_binary(
      "(module $id (@name \"Mod\xC3\xBCl\") (func $f (@name \"\xCE\xBB\"))"
      " (tag (@name \"\xCE\xB8\")))");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const Bytes name_section = {0x00, 0x1C, 0x04, 'n',  'a',  'm',  'e',  // custom section "name"
                              0x00, 0x07, 0x06, 'M',  'o',  'd',  0xC3, 0xBC, 'l',  // module name
                              0x01, 0x05, 0x01, 0x00, 0x02, 0xCE, 0xBB,             // func 0 "λ"
                              0x0B, 0x05, 0x01, 0x00, 0x02, 0xCE, 0xB8};            // tag 0 "θ"
  ASSERT_GE(r->size(), name_section.size());
  EXPECT_EQ(Bytes(r->end() - name_section.size(), r->end()), name_section);
  // An imported function is named where a defined one is: after `func $id?`.
  auto imported = wat_to_binary("(module (import \"m\" \"f\" (func $f (@name \"g\"))))");
  ASSERT_TRUE(imported.ok()) << imported.error().to_string();
  const Bytes func_names = {0x01, 0x04, 0x01, 0x00, 0x01, 'g'};  // func 0 "g", not "f"
  ASSERT_GE(imported->size(), func_names.size());
  EXPECT_EQ(Bytes(imported->end() - func_names.size(), imported->end()), func_names);
}

// A branch hint before `if` / `br_if`, flat or folded, goes to "metadata.code.branch_hint"
// (before the code section): function 0, offset from the start of the body (its locals).
TEST(Wat, BranchHintSection) {
  const std::string section_name = "metadata.code.branch_hint";
  auto hints = [&](Bytes entries) {
    Bytes s = {0x00, uint8_t(1 + section_name.size() + entries.size()),
               uint8_t(section_name.size())};
    s.insert(s.end(), section_name.begin(), section_name.end());
    return cat(s, entries);
  };
  auto contains = [](const Bytes& hay, const Bytes& needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
  };
  // Body: 00 (no locals), 20 00 (local.get 0), 04 40 (if at offset 3), 0b, 0b.
  Bytes folded =
      enc("(module (func (param i32)"
          " (@metadata.code.branch_hint \"\\01\") (if (local.get 0) (then))))");
  EXPECT_TRUE(contains(folded, hints({0x01, 0x00, 0x01, 0x03, 0x01, 0x01})));
  EXPECT_TRUE(contains(folded, cat(hints({0x01, 0x00, 0x01, 0x03, 0x01, 0x01}), {0x0A})));
  // Flat: 00, 02 40 (block), 41 01, 1a (drop), 20 00, then 0d 00 (br_if) at offset 8.
  Bytes flat =
      enc("(module (func (param i32) block i32.const 1 drop local.get 0"
          " (@metadata.code.branch_hint \"\\00\") br_if 0 end))");
  EXPECT_TRUE(contains(flat, hints({0x01, 0x00, 0x01, 0x08, 0x01, 0x00})));
}

TEST(Wat, AnnotationErrors) {
  EXPECT_EQ(fail("(module (@custom))"), "@custom annotation: missing section name");
  EXPECT_EQ(fail("(module (@custom \"x\" (before types)))"),
            "@custom annotation: malformed section kind");
  EXPECT_EQ(fail("(module (@custom \"x\" (type)))"), "@custom annotation: malformed placement");
  EXPECT_EQ(fail("(module (func (@custom \"x\")))"), "misplaced @custom annotation");
  EXPECT_EQ(fail("(module (@name \"a\") (@name \"b\"))"), "@name annotation: multiple module");
  EXPECT_EQ(fail("(module (func) (@name \"M\"))"), "misplaced @name annotation");
  EXPECT_EQ(fail("(module (@metadata.code.branch_hint \"\\01\"))"),
            "@metadata.code.branch_hint annotation: not in a function");
  EXPECT_EQ(fail("(module (func (@metadata.code.branch_hint \"\\01\")"
                 " (@metadata.code.branch_hint \"\\01\") (if (i32.const 0) (then))))"),
            "@metadata.code.branch_hint annotation: duplicate annotation");
  // The error points at the annotation.
  auto r = wat_to_binary("(module\n  (func\n    (@custom \"x\")))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 3u);
  EXPECT_EQ(r.error().column, 5u);
}
