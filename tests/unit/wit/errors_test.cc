// WIT parser + resolver on bad inputs: each error names file:line:column and the reason.
#include <gtest/gtest.h>

#include "wit_test_util.h"

namespace hull::wit {
namespace {

using test::error_of;
using test::resolve_text;

struct BadCase {
  const char* name;
  const char* text;
  const char* where;   // "test.wit:L:C"
  const char* reason;  // a substring of the message
};

class WitErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(WitErrors, NamesPlaceAndReason) {
  const BadCase& c = GetParam();
  std::string msg = error_of(c.text);
  ASSERT_FALSE(msg.empty()) << c.name << " resolved";
  EXPECT_EQ(msg.rfind(std::string(c.where) + ": ", 0), 0u) << msg;
  EXPECT_NE(msg.find(c.reason), std::string::npos) << msg;
}

const BadCase kCases[] = {
    // lexical
    {"mixed_case", "package a:b;\ninterface fooBar {}", "test.wit:2:11", "not a valid identifier"},
    {"double_dash", "package a:b;\ninterface foo--bar {}", "test.wit:2:11",
     "not a valid identifier"},
    {"unterminated_comment", "package a:b;\n /* open", "test.wit:2:2",
     "unterminated block comment"},
    {"control_char", "package a:b;\ninterface i {\x01}", "test.wit:2:14", "control character"},
    {"bidi_override", "package a:b;\n// \xe2\x80\xae\n", "test.wit:2:4", "bidirectional"},
    {"bad_char", "package a:b;\ninterface i { $ }", "test.wit:2:15", "unexpected character"},
    {"leading_zero", "package a:b@01.0.0;", "test.wit:1:13", "leading zero"},
    {"short_version", "package a:b@1.0;", "test.wit:1:13", "three parts"},
    // syntax
    {"missing_semicolon", "package a:b;\ninterface i { f: func() }", "test.wit:2:25",
     "expected `;`, found `}`"},
    {"keyword_name", "package a:b;\ninterface i { record: func(); }", "test.wit:2:21",
     "expected a type name, found `:`"},
    {"keyword_param", "package a:b;\ninterface i { f: func(type: u32); }", "test.wit:2:23",
     "`type` is a keyword; write `%type`"},
    {"unknown_annotation", "package a:b@1.0.0;\n@sinse(version = 1.0.0)\ninterface i {}",
     "test.wit:2:2", "unknown annotation `@sinse`"},
    {"since_and_unstable",
     "package a:b@1.0.0;\n@since(version = 1.0.0) @unstable(feature = x)\ninterface i {}",
     "test.wit:2:1", "both `@since` and `@unstable`"},
    {"deprecated_alone", "package a:b@1.0.0;\n@deprecated(version = 1.0.0)\ninterface i {}",
     "test.wit:2:1", "`@deprecated` needs a `@since`"},
    {"late_package", "interface i {}\npackage a:b;", "test.wit:2:12", "must come first"},
    {"empty_record", "package a:b;\ninterface i { record r {} }", "test.wit:2:25",
     "at least one field"},
    {"empty_enum", "package a:b;\ninterface i { enum e {} }", "test.wit:2:23", "at least one case"},
    {"enum_payload", "package a:b;\ninterface i { enum e { a(u32) } }", "test.wit:2:25",
     "no payload"},
    {"result_underscore_only", "package a:b;\ninterface i { type t = result<_>; }", "test.wit:2:32",
     "needs an error type"},
    {"named_results", "package a:b;\ninterface i { f: func() -> (a: u32); }", "test.wit:2:28",
     "not supported"},
    {"nested_namespace", "package a:b:c;", "test.wit:1:12", "nested package namespaces"},
    {"import_package", "package a:b;\nworld w { import a:b; }", "test.wit:2:21", "expected `/`"},
    {"zero_length_list", "package a:b;\ninterface i { type t = list<u8, 0>; }", "test.wit:2:33",
     "at least 1"},
    {"unclosed_interface", "package a:b;\ninterface i {", "test.wit:2:14", "expected `}`"},
    {"type_keyword_misuse", "package a:b;\ninterface i { type t = func; }", "test.wit:2:24",
     "expected a type, found keyword `func`"},
    // resolution
    {"no_package", "interface i {}", "test.wit:1:11", "no `package` declaration"},
    {"unknown_type", "package a:b;\ninterface i {\n  f: func(x: nope);\n}", "test.wit:3:14",
     "type `nope` not found"},
    {"function_as_type", "package a:b;\ninterface i { f: func(); g: func(x: f); }", "test.wit:2:37",
     "`f` is a function, not a type"},
    {"duplicate_type", "package a:b;\ninterface i {\n  type t = u8;\n  record t { a: u8 }\n}",
     "test.wit:4:10", "`t` is defined twice in interface `i` (first at test.wit:3:8)"},
    {"duplicate_function", "package a:b;\ninterface i { f: func(); f: func(); }", "test.wit:2:26",
     "`f` is defined twice"},
    {"duplicate_field", "package a:b;\ninterface i { record r { a: u8, a: u16 } }", "test.wit:2:33",
     "field `a` is defined twice in `r`"},
    {"duplicate_case", "package a:b;\ninterface i { variant v { a, a(u8) } }", "test.wit:2:30",
     "case `a` is defined twice"},
    {"duplicate_flag", "package a:b;\ninterface i { flags f { x, x } }", "test.wit:2:28",
     "flag `x` is defined twice"},
    {"duplicate_param", "package a:b;\ninterface i { f: func(a: u8, a: u8); }", "test.wit:2:30",
     "parameter `a` is defined twice"},
    {"duplicate_interface", "package a:b;\ninterface i {}\ninterface i {}", "test.wit:3:11",
     "`i` is defined twice in package `a:b`"},
    {"world_interface_clash", "package a:b;\ninterface i {}\nworld i {}", "test.wit:3:7",
     "`i` is defined twice in package `a:b`"},
    {"recursive_alias", "package a:b;\ninterface i { type t = t; }", "test.wit:2:20",
     "type `t` refers to itself"},
    {"recursive_records",
     "package a:b;\ninterface i {\n  record a { b: b }\n  record b { a: list<a> }\n}",
     "test.wit:3:10", "refers to itself"},
    {"use_cycle",
     "package a:b;\ninterface x { use y.{t}; type u = u8; }\n"
     "interface y { use x.{u}; type t = u8; }",
     "test.wit:3:19", "interface `x` depends on itself"},
    {"unknown_interface", "package a:b;\ninterface i { use nope.{t}; }", "test.wit:2:19",
     "interface `nope` not found"},
    {"unknown_used_type", "package a:b;\ninterface x {}\ninterface i { use x.{t}; }",
     "test.wit:3:22", "type `t` not found in interface `a:b/x`"},
    {"use_function", "package a:b;\ninterface x { f: func(); }\ninterface i { use x.{f}; }",
     "test.wit:3:22", "`f` is a function"},
    {"unknown_package", "package a:b;\ninterface i { use c:d/x.{t}; }", "test.wit:2:19",
     "package `c:d` not found"},
    {"unknown_foreign_interface",
     "package a:b;\ninterface i { use c:d/nope.{t}; }\npackage c:d { interface x {} }",
     "test.wit:2:19", "interface `nope` not found in package `c:d`"},
    {"package_cycle",
     "package a:b;\npackage c:d { interface x { use e:f/y.{t}; type u = u8; } }\n"
     "package e:f { interface y { use c:d/x.{u}; type t = u8; } }",
     "test.wit:3:33", "package dependency cycle: c:d -> e:f -> c:d"},
    {"duplicate_package", "package a:b;\npackage c:d {}\npackage c:d {}", "test.wit:3:9",
     "package `c:d` is defined twice (first at test.wit:2:9)"},
    {"borrow_of_record", "package a:b;\ninterface i { record r { a: u8 } f: func(x: borrow<r>); }",
     "test.wit:2:45", "`borrow` needs a resource type"},
    {"two_constructors",
     "package a:b;\ninterface i { resource r { constructor(); constructor(); } }", "test.wit:2:43",
     "two constructors"},
    {"bad_constructor_result", "package a:b;\ninterface i { resource r { constructor() -> u32; } }",
     "test.wit:2:45", "a constructor returns nothing or `result<r, E>`"},
    {"duplicate_method", "package a:b;\ninterface i { resource r { m: func(); m: func(); } }",
     "test.wit:2:39", "`m` is defined twice in resource `r`"},
    {"world_include_self", "package a:b;\nworld w { include w; }", "test.wit:2:19",
     "world `w` includes itself"},
    {"include_unknown_with",
     "package a:b;\nworld v { import f: func(); }\n"
     "world w { include v with { g as h } }",
     "test.wit:3:28", "`g` is not a plain-named import or export of world `v`"},
    {"include_conflict",
     "package a:b;\nworld v { import f: func(); }\n"
     "world w { import f: func(); include v; }",
     "test.wit:3:29", "import `f` is defined twice in the world; rename it"},
    {"duplicate_export", "package a:b;\nworld w { export f: func(); export f: func(); }",
     "test.wit:2:36", "export `f` is defined twice"},
    {"import_world", "package a:b;\nworld v {}\nworld w { import v; }", "test.wit:3:18",
     "`v` is a world, not an interface"},
    {"include_interface", "package a:b;\ninterface v {}\nworld w { include v; }", "test.wit:3:19",
     "`v` is an interface, not a world"},
    {"gate_without_version", "package a:b;\n@since(version = 1.0.0)\ninterface i {}",
     "test.wit:2:1", "feature gates need a versioned package"},
    {"package_late", "package a:b;\ninterface i {}\npackage c:d;", "test.wit:3:12",
     "a `package` declaration must come first"},
    {"toplevel_use_clash",
     "package a:b;\nuse c:d/x as i;\ninterface i {}\npackage c:d { interface x {} }",
     "test.wit:2:1", "clashes with an item"},
};

INSTANTIATE_TEST_SUITE_P(Wit, WitErrors, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(WitErrorsMisc, ErrorsAreValuesWithKinds) {
  auto syntax = resolve_text("package a:b;\ninterface {}");
  ASSERT_FALSE(syntax);
  EXPECT_EQ(syntax.error().kind, ErrorKind::Malformed);
  auto semantic = resolve_text("package a:b;\ninterface i { f: func(x: t); }");
  ASSERT_FALSE(semantic);
  EXPECT_EQ(semantic.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(semantic.error().to_string(), semantic.error().message);
}

TEST(WitErrorsMisc, FilesOfOnePackageMustAgree) {
  SourceGroup root{{SourceFile{"a.wit", "package t:one;\ninterface a {}"},
                    SourceFile{"b.wit", "package t:two;\ninterface b {}"}}};
  auto r = resolve(root, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("b.wit:1:9: package `t:two` differs from `t:one`", 0), 0u)
      << r.error().message;
}

TEST(WitErrorsMisc, DeepNestingIsRefusedNotACrash) {
  std::string t = "package a:b;\ninterface i { type t = ";
  for (int i = 0; i < 5000; ++i) t += "list<";
  t += "u8";
  for (int i = 0; i < 5000; ++i) t += ">";
  t += "; }";
  std::string msg = error_of(t);
  EXPECT_NE(msg.find("nested too deeply"), std::string::npos) << msg;
}

}  // namespace
}  // namespace hull::wit
