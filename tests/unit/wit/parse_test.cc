// WIT parser + resolver on well-formed inputs: every construct of WIT.md, checked through the
// resolved model.
#include <gtest/gtest.h>

#include "wit/lexer.h"
#include "wit/parser.h"
#include "wit_test_util.h"

namespace hull::wit {
namespace {

using test::error_of;
using test::func_named;
using test::iface;
using test::keys;
using test::resolve_text;
using test::type_named;
using test::world;

TEST(WitLexer, IdentifierRules) {
  EXPECT_TRUE(is_valid_identifier("foo"));
  EXPECT_TRUE(is_valid_identifier("red-green-blue"));
  EXPECT_TRUE(is_valid_identifier("XML"));
  EXPECT_TRUE(is_valid_identifier("parse-XML-document"));
  EXPECT_TRUE(is_valid_identifier("ipv4-address"));
  EXPECT_FALSE(is_valid_identifier("fooBar"));
  EXPECT_FALSE(is_valid_identifier("foo--bar"));
  EXPECT_FALSE(is_valid_identifier("-foo"));
  EXPECT_FALSE(is_valid_identifier("foo-"));
  EXPECT_FALSE(is_valid_identifier("4ward"));
  EXPECT_FALSE(is_valid_identifier("a-1b"));
  EXPECT_TRUE(is_keyword("record"));
  EXPECT_FALSE(is_keyword("records"));
}

TEST(WitLexer, TokensVersionsAndDocs) {
  auto toks = lex("/// first\n/** second */ use a:b/c@1.2.3-rc.1+x.{d};", "f.wit");
  ASSERT_TRUE(toks) << toks.error().message;
  ASSERT_GE(toks->size(), 10u);
  EXPECT_EQ((*toks)[0].text, "use");
  EXPECT_TRUE((*toks)[0].keyword);
  EXPECT_EQ((*toks)[0].docs, "first\n second \n");
  EXPECT_EQ((*toks)[6].kind, TokenKind::At);
  EXPECT_EQ((*toks)[7].kind, TokenKind::Version);
  EXPECT_EQ((*toks)[7].text, "1.2.3-rc.1+x");
  EXPECT_EQ((*toks)[8].kind, TokenKind::Dot);
  EXPECT_EQ((*toks)[2].line, 2u);
}

TEST(WitLexer, NestedBlockCommentsAndEscapes) {
  auto toks = lex("/* a /* b */ c */ %record %foo", "f.wit");
  ASSERT_TRUE(toks);
  EXPECT_EQ((*toks)[0].text, "record");
  EXPECT_TRUE((*toks)[0].escaped);
  EXPECT_FALSE((*toks)[0].keyword);
  EXPECT_EQ((*toks)[1].text, "foo");
}

TEST(WitParse, TypesOfAnInterface) {
  auto r = resolve_text(R"(
package test:types@1.0.0;

interface shapes {
  type size = u32;
  record point { x: s32, y: s32, }
  variant shape { circle(size), rect(tuple<point, point>), none }
  enum color { red, green, blue }
  flags perms { read, write, exec }
  type pair = tuple<u8, string>;
  type maybe = option<list<point>>;
  type fixed = list<u8, 4>;
  type r1 = result;
  type r2 = result<u32>;
  type r3 = result<_, string>;
  type r4 = result<u32, color>;
  type f = future<u32>;
  type s = stream;
  type later = defined-after;
  record defined-after { c: char, b: bool, f: f64 }
}
)");
  ASSERT_TRUE(r) << r.error().message;
  const Model& m = r->model;
  const Interface& i = iface(*r, "shapes");
  ASSERT_EQ(i.types.size(), 16u);
  const TypeDef& point = type_named(*r, i, "point");
  EXPECT_EQ(point.kind, TypeDefKind::Record);
  ASSERT_EQ(point.fields.size(), 2u);
  EXPECT_EQ(point.fields[1].name, "y");
  EXPECT_EQ(point.fields[1].type, Type::of(Prim::S32));
  const TypeDef& shape = type_named(*r, i, "shape");
  ASSERT_EQ(shape.cases.size(), 3u);
  EXPECT_FALSE(shape.cases[2].type);
  EXPECT_EQ(m.types[shape.cases[0].type->def].name, "size");
  EXPECT_EQ(m.unalias(*shape.cases[0].type), Type::of(Prim::U32));
  const TypeDef& rect = m.types[shape.cases[1].type->def];
  EXPECT_EQ(rect.kind, TypeDefKind::Tuple);
  EXPECT_EQ(rect.elems.size(), 2u);
  EXPECT_EQ(type_named(*r, i, "color").cases.size(), 3u);
  EXPECT_EQ(type_named(*r, i, "perms").flags, (std::vector<std::string>{"read", "write", "exec"}));
  const TypeDef& fixed = m.types[type_named(*r, i, "fixed").target.def];
  EXPECT_EQ(fixed.kind, TypeDefKind::FixedList);
  EXPECT_EQ(fixed.length, 4u);
  const TypeDef& r1 = m.types[type_named(*r, i, "r1").target.def];
  EXPECT_FALSE(r1.ok || r1.err);
  const TypeDef& r3 = m.types[type_named(*r, i, "r3").target.def];
  EXPECT_FALSE(r3.ok);
  EXPECT_EQ(r3.err, Type::of(Prim::String));
  const TypeDef& r4 = m.types[type_named(*r, i, "r4").target.def];
  EXPECT_EQ(r4.ok, Type::of(Prim::U32));
  EXPECT_EQ(m.types[r4.err->def].name, "color");
  EXPECT_EQ(m.types[type_named(*r, i, "s").target.def].kind, TypeDefKind::Stream);
  EXPECT_EQ(m.types[type_named(*r, i, "s").target.def].elems.size(), 0u);
  EXPECT_EQ(m.unalias(type_named(*r, i, "later").target), Type::of(i.types.back().second));
}

TEST(WitParse, ResourcesDesugar) {
  auto r = resolve_text(R"(
package test:res;
interface blobs {
  resource blob {
    constructor(init: list<u8>);
    write: func(bytes: list<u8>);
    read: func(n: u32) -> list<u8>;
    merge: static func(lhs: borrow<blob>, rhs: own<blob>) -> blob;
  }
  resource blob2 { constructor(init: list<u8>) -> result<blob2>; }
  resource plain;
  take: func(b: blob, p: borrow<plain>);
}
)");
  ASSERT_TRUE(r) << r.error().message;
  const Model& m = r->model;
  const Interface& i = iface(*r, "blobs");
  std::vector<std::string> names;
  for (const Function& f : i.functions) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"[constructor]blob", "[method]blob.write",
                                             "[method]blob.read", "[static]blob.merge",
                                             "[constructor]blob2", "take"}));
  const Function* ctor = func_named(i, "[constructor]blob");
  ASSERT_TRUE(ctor);
  EXPECT_EQ(ctor->kind, FunctionKind::Constructor);
  EXPECT_EQ(m.types[ctor->result->def].name, "blob");
  const Function* write = func_named(i, "[method]blob.write");
  ASSERT_EQ(write->params.size(), 2u);
  EXPECT_EQ(write->params[0].name, "self");
  EXPECT_EQ(m.types[write->params[0].type.def].kind, TypeDefKind::Borrow);
  EXPECT_EQ(m.resource_of(write->params[0].type), ctor->result->def);
  EXPECT_EQ(write->item_name, "write");
  const Function* merge = func_named(i, "[static]blob.merge");
  EXPECT_EQ(merge->kind, FunctionKind::Static);
  EXPECT_EQ(merge->params.size(), 2u);
  EXPECT_EQ(m.types[merge->params[1].type.def].kind, TypeDefKind::Own);
  const Function* ctor2 = func_named(i, "[constructor]blob2");
  EXPECT_EQ(m.types[ctor2->result->def].kind, TypeDefKind::Result);
  EXPECT_EQ(type_named(*r, i, "plain").kind, TypeDefKind::Resource);
}

TEST(WitParse, DocsEscapesAndAsync) {
  auto r = resolve_text(R"(
/// The package.
package test:docs;

/// An interface
/// over two lines.
interface %interface {
  /// A record.
  record %record { /** a field */ %type: u32 }
  /// Does things.
  %func: async func(%enum: %record) -> u32;
}
)");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model.packages[r->root].docs, "The package.\n");
  const Interface& i = iface(*r, "interface");
  EXPECT_EQ(i.docs, "An interface\nover two lines.\n");
  EXPECT_EQ(type_named(*r, i, "record").docs, "A record.\n");
  EXPECT_EQ(type_named(*r, i, "record").fields[0].docs, " a field \n");
  ASSERT_EQ(i.functions.size(), 1u);
  EXPECT_EQ(i.functions[0].name, "func");
  EXPECT_TRUE(i.functions[0].async);
  EXPECT_EQ(i.functions[0].docs, "Does things.\n");
}

TEST(WitParse, GatesFilterUnstableItems) {
  std::string src = R"(
package test:gates@0.2.1;
@since(version = 0.2.0)
interface i {
  @since(version = 0.2.0)
  a: func();
  @unstable(feature = fancy)
  b: func();
  @since(version = 0.2.0)
  @deprecated(version = 0.2.1)
  c: func();
  @unstable(feature = fancy)
  type t = u32;
}
@unstable(feature = fancy)
interface only-fancy {}
world w {
  import i;
  @unstable(feature = fancy)
  import only-fancy;
}
)";
  auto plain = resolve_text(src);
  ASSERT_TRUE(plain) << plain.error().message;
  const Interface& i = iface(*plain, "i");
  ASSERT_EQ(i.functions.size(), 2u);
  EXPECT_EQ(i.functions[0].stability.since, "0.2.0");
  EXPECT_EQ(i.functions[1].name, "c");
  EXPECT_EQ(i.functions[1].stability.deprecated, "0.2.1");
  EXPECT_TRUE(i.types.empty());
  EXPECT_EQ(i.stability.since, "0.2.0");
  EXPECT_EQ(plain->model.packages[plain->root].interfaces.size(), 1u);
  EXPECT_EQ(keys(world(*plain, "w").imports), (std::vector<std::string>{"test:gates/i@0.2.1"}));

  ResolveOptions fancy;
  fancy.features = {"fancy"};
  auto all = resolve_text(src, fancy);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(iface(*all, "i").functions.size(), 3u);
  EXPECT_EQ(iface(*all, "i").functions[1].stability.feature, "fancy");
  EXPECT_EQ(iface(*all, "i").types.size(), 1u);
  EXPECT_EQ(world(*all, "w").imports.size(), 2u);
}

TEST(WitParse, UseWithinAndAcrossPackages) {
  SourceFile dep{"dep.wit", R"(
package dep:types@1.2.0;
interface base { record rec { a: u32 } type id = u64; }
)"};
  auto r = resolve_text(R"(
package test:uses;
use dep:types/base@1.2.0 as b;
interface local { use b.{rec as renamed, id}; f: func(r: renamed) -> id; }
interface second { use local.{renamed}; use dep:types/base.{id as other}; g: func(x: renamed); }
)",
                        {}, {dep});
  ASSERT_TRUE(r) << r.error().message;
  const Model& m = r->model;
  ASSERT_EQ(m.packages.size(), 2u);
  EXPECT_EQ(m.packages[0].name.to_string(), "dep:types@1.2.0");  // dependencies first
  const Interface& local = iface(*r, "local");
  const TypeDef& renamed = type_named(*r, local, "renamed");
  EXPECT_EQ(renamed.kind, TypeDefKind::Alias);
  EXPECT_EQ(m.types[m.unalias(renamed.target).def].name, "rec");
  ASSERT_EQ(local.uses.size(), 1u);
  EXPECT_EQ(m.interface_name(local.uses[0]), "dep:types/base@1.2.0");
  const Interface& second = iface(*r, "second");
  EXPECT_EQ(second.uses.size(), 2u);
  EXPECT_EQ(m.types[m.unalias(second.functions[0].params[0].type).def].name, "rec");
}

TEST(WitParse, NestedPackagesInOneFile) {
  auto r = resolve_text(R"(
package root:app;
world app { import other:lib/api@0.1.0; export run: func(); }
package other:lib@0.1.0 {
  interface api { ping: func() -> u8; }
}
)");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model.packages.size(), 2u);
  EXPECT_EQ(r->model.packages[r->root].name.to_string(), "root:app");
  const World& w = world(*r, "app");
  EXPECT_EQ(keys(w.imports), (std::vector<std::string>{"other:lib/api@0.1.0"}));
  EXPECT_EQ(keys(w.exports), (std::vector<std::string>{"run"}));
}

TEST(WitParse, WorldItemsAndElaboration) {
  auto r = resolve_text(R"(
package test:worlds@1.0.0;
interface types { record req { id: u32 } }
interface handler { use types.{req}; handle: func(r: req) -> string; }
interface clock { now: func() -> u64; }
world base {
  import clock;
  import log: func(msg: string);
  export handler;
}
world full {
  use types.{req};
  type alias = req;
  enum level { low, high }
  resource conn { constructor(); send: func(b: list<u8>); }
  include base with { log as write-log }
  import inline: interface { ping: func(); }
  import second-clock: clock;
  import f: async func(l: level) -> alias;
  export run: func();
}
)");
  ASSERT_TRUE(r) << r.error().message;
  const World& base = world(*r, "base");
  // handler is exported and uses `types`, which must then be imported.
  EXPECT_EQ(keys(base.imports), (std::vector<std::string>{"test:worlds/clock@1.0.0", "log",
                                                          "test:worlds/types@1.0.0"}));
  const World& full = world(*r, "full");
  EXPECT_EQ(
      keys(full.imports),
      (std::vector<std::string>{"test:worlds/types@1.0.0", "req", "alias", "level", "conn",
                                "[constructor]conn", "[method]conn.send", "test:worlds/clock@1.0.0",
                                "write-log", "inline", "second-clock", "f"}));
  EXPECT_EQ(keys(full.exports), (std::vector<std::string>{"test:worlds/handler@1.0.0", "run"}));
  const WorldItem& inline_item = full.imports[9];
  EXPECT_FALSE(r->model.interfaces[inline_item.interface].name);
  EXPECT_EQ(r->model.interfaces[inline_item.interface].functions[0].name, "ping");
  EXPECT_EQ(full.imports[10].interface, full.imports[7].interface);
  EXPECT_TRUE(full.imports[11].function.async);
}

TEST(WitParse, IncludeOfAForeignWorldAndDeduplication) {
  SourceFile dep{"dep.wit", R"(
package dep:w@0.1.0;
interface a { f: func(); }
world imports { import a; import g: func(); }
)"};
  auto r = resolve_text(R"(
package test:inc;
world mine {
  import dep:w/a@0.1.0;
  include dep:w/imports@0.1.0;
}
)",
                        {}, {dep});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(keys(world(*r, "mine").imports), (std::vector<std::string>{"dep:w/a@0.1.0", "g"}));
}

TEST(WitParse, MultipleFilesFormOnePackage) {
  SourceGroup root{{SourceFile{"a.wit", "package t:multi;\ninterface a { use b.{x}; }"},
                    SourceFile{"b.wit", "interface b { type x = u8; }"},
                    SourceFile{"c.wit", "package t:multi;\nworld w { import a; }"}}};
  auto r = resolve(root, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->model.packages[r->root].interfaces.size(), 2u);
  EXPECT_EQ(keys(r->model.worlds[0].imports), (std::vector<std::string>{"t:multi/b", "t:multi/a"}));
}

TEST(WitParse, SelectWorld) {
  auto r = resolve_text(
      "package t:s;\nworld one {}\nworld two {}\n"
      "package o:p@1.0.0 { world three {} }");
  ASSERT_TRUE(r) << r.error().message;
  auto two = select_world(*r, "two");
  ASSERT_TRUE(two);
  EXPECT_EQ(r->model.worlds[*two].name, "two");
  auto three = select_world(*r, "o:p/three@1.0.0");
  ASSERT_TRUE(three);
  EXPECT_EQ(r->model.worlds[*three].name, "three");
  auto none = select_world(*r, "");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("has 2 worlds"), std::string::npos);
  auto missing = select_world(*r, "nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("worlds: one, two"), std::string::npos);
}

}  // namespace
}  // namespace hull::wit
