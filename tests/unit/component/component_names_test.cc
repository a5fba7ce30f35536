// Tests of component import/export names: the `externname` grammar and its error texts
// (matching the testsuite's wasmparser wording), strong uniqueness and semver tracks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "component/valid/names.h"

using namespace hull::component;

namespace {

ParsedName ok(std::string_view name, const NameOptions& opts = {},
              std::optional<std::string_view> suffix = std::nullopt) {
  auto r = parse_extern_name(name, opts, suffix);
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : ParsedName{};
}

std::string err(std::string_view name, const NameOptions& opts = {},
                std::optional<std::string_view> suffix = std::nullopt) {
  auto r = parse_extern_name(name, opts, suffix);
  EXPECT_FALSE(r.ok()) << name << " unexpectedly parsed";
  if (r.ok()) return "";
  EXPECT_EQ(r.error().kind, hull::ErrorKind::Invalid);
  return r.error().message;
}

SemVer ver(std::string_view s) {
  auto r = parse_semver(s);
  EXPECT_TRUE(r.ok()) << s;
  return r.ok() ? *r : SemVer{};
}

TEST(ComponentNames, Labels) {
  for (const char* s : {"a", "a1", "a-1", "a-1-b-2-c-3", "B", "B1", "B-1", "B-1-C-2-D-3",
                        "a11-B11-123-ABC-abc", "a-b-c", "a1-2-3", "A", "A-B-C", "A1-2-3",
                        "a11-w0rds", "A11-4CR0NYMS", "m1x3d-4CR0NYMS", "is-XML", "get-JSON"}) {
    ParsedName n = ok(s);
    EXPECT_EQ(n.kind, NameKind::Label) << s;
    EXPECT_EQ(n.label, s);
    EXPECT_EQ(n.text, s);
    EXPECT_FALSE(n.is_annotated());
  }
  EXPECT_EQ(err("1"), "`1` is not in kebab case");
  EXPECT_EQ(err("1-a"), "`1-a` is not in kebab case");
  EXPECT_EQ(err(""), "`` is not in kebab case");
  EXPECT_EQ(err("a-"), "`a-` is not in kebab case");
  EXPECT_EQ(err("a--"), "`a--` is not in kebab case");
  EXPECT_EQ(err("-a"), "`-a` is not in kebab case");
  EXPECT_EQ(err("aBc"), "`aBc` is not in kebab case");
  EXPECT_EQ(err("Foo"), "`Foo` is not in kebab case");
  EXPECT_EQ(err("a-Bc"), "`a-Bc` is not in kebab case");
  EXPECT_EQ(err("a-1bB"), "`a-1bB` is not in kebab case");
  EXPECT_EQ(err("a_b"), "`a_b` is not in kebab case");
  EXPECT_EQ(err("a b"), "`a b` is not in kebab case");
  EXPECT_EQ(err("\xc3\xa9"), "`\xc3\xa9` is not in kebab case");
  EXPECT_EQ(err("wasi/http"), "`wasi/http` is not in kebab case");
  // Later fragments may start with a digit and be a lowercase word or an acronym.
  EXPECT_TRUE(is_kebab_label("a-1b-2B"));
  EXPECT_TRUE(is_kebab_label("x-9-z"));
  EXPECT_FALSE(is_kebab_label("9-z"));
}

TEST(ComponentNames, AnnotatedNames) {
  ParsedName c = ok("[constructor]a-b");
  EXPECT_EQ(c.kind, NameKind::Constructor);
  EXPECT_EQ(c.resource, "a-b");
  EXPECT_TRUE(c.is_annotated());
  ParsedName m = ok("[method]my-resource.get-JSON");
  EXPECT_EQ(m.kind, NameKind::Method);
  EXPECT_EQ(m.resource, "my-resource");
  EXPECT_EQ(m.label, "get-JSON");
  ParsedName s = ok("[static]R.make");
  EXPECT_EQ(s.kind, NameKind::Static);
  EXPECT_EQ(s.resource, "R");
  EXPECT_EQ(s.label, "make");

  EXPECT_EQ(err("[constructor]"), "`` is not in kebab case");
  EXPECT_EQ(err("[constructor]a:b"), "`a:b` is not in kebab case");
  for (std::string p : {"[method]", "[static]"}) {
    EXPECT_EQ(err(p), "failed to find `.` character");
    EXPECT_EQ(err(p + "a"), "failed to find `.` character");
    EXPECT_EQ(err(p + "a:b"), "failed to find `.` character");
    EXPECT_EQ(err(p + "a."), "`` is not in kebab case");
    EXPECT_EQ(err(p + ".a"), "`` is not in kebab case");
    EXPECT_EQ(err(p + "a.b.c"), "`b.c` is not in kebab case");
    EXPECT_EQ(err(p + "aB.c"), "`aB` is not in kebab case");
  }
  // Annotations this version of the Explainer does not have are just non-kebab labels.
  EXPECT_EQ(err("[async]f"), "`[async]f` is not in kebab case");
  EXPECT_EQ(err("[async method]r.f"), "`[async method]r.f` is not in kebab case");
  EXPECT_EQ(err("[Method]r.f"), "`[Method]r.f` is not in kebab case");
}

TEST(ComponentNames, InterfaceNames) {
  ParsedName n = ok("wasi:http/types");
  EXPECT_EQ(n.kind, NameKind::Interface);
  EXPECT_EQ(n.ns, "wasi");
  EXPECT_EQ(n.package, "http");
  EXPECT_EQ(n.interface, "types");
  EXPECT_EQ(n.path, "types");
  EXPECT_FALSE(n.version);
  EXPECT_EQ(n.interface_id(), "wasi:http/types");
  EXPECT_TRUE(n.has_canonical_version());

  ParsedName k = ok("ns-1-a:b-1-c/D-2");
  EXPECT_EQ(k.ns, "ns-1-a");
  EXPECT_EQ(k.package, "b-1-c");
  EXPECT_EQ(k.interface, "D-2");

  ParsedName v = ok("a-b:c-d/e-f@123456.7890.488");
  ASSERT_TRUE(v.version);
  EXPECT_EQ(v.version->major, 123456u);
  EXPECT_EQ(v.version->minor, 7890u);
  EXPECT_EQ(v.version->patch, 488u);
  EXPECT_EQ(v.version_text, "123456.7890.488");
  EXPECT_FALSE(v.has_canonical_version());

  ParsedName p = ok("a:b/c@0.0.0-abcd.1.2+efg.4.ee.5");
  EXPECT_EQ(p.version->pre, "abcd.1.2");
  EXPECT_EQ(p.version->build, "efg.4.ee.5");
  EXPECT_EQ(p.version->to_string(), "0.0.0-abcd.1.2+efg.4.ee.5");
  for (const char* s : {"a:b/c@0.0.0+abcd", "a:b/c@0.0.0+abcd-efg", "a:b/c@0.0.0-abcd+efg",
                        "a:b/c@1.0.0+01", "a:b/c@1.0.0-x-y.0.a0", "wasi:http/types@2.0.0"})
    ok(s);
  EXPECT_TRUE(ok("a:b/c@0.0.1").has_canonical_version());

  EXPECT_EQ(err("1:a/b"), "`1` is not in kebab case");
  EXPECT_EQ(err("wasi:http/TyPeS"), "`TyPeS` is not in kebab case");
  EXPECT_EQ(err("WaSi:http/types"), "`WaSi` is not in kebab case");
  EXPECT_EQ(err("wasi:HtTp/types"), "`HtTp` is not in kebab case");
  EXPECT_EQ(err("wasi:"), "`` is not in kebab case");
  EXPECT_EQ(err("wasi:/"), "`` is not in kebab case");
  EXPECT_EQ(err(":/"), "`` is not in kebab case");
  EXPECT_EQ(err("a:b/"), "`` is not in kebab case");
  EXPECT_EQ(err("A:b/c"), "character `A` is not lowercase in package name/namespace");
  EXPECT_EQ(err("ns-A:b/c"), "character `A` is not lowercase in package name/namespace");
  EXPECT_EQ(err("ns:A/b"), "character `A` is not lowercase in package name/namespace");
  EXPECT_EQ(err("ns:pkg-A/b"), "character `A` is not lowercase in package name/namespace");
  EXPECT_EQ(err("ns:1/a"), "`1` is not in kebab case");
  EXPECT_EQ(err("a:b"), "expected `/` after package name");
  EXPECT_EQ(err("foo:bar:baz/qux"), "expected `/` after package name");
  EXPECT_EQ(err("foo:bar/baz/qux"), "trailing characters found: `/qux`");
  EXPECT_EQ(err("a:b/c#d"), "trailing characters found: `#d`");
  EXPECT_EQ(err("a b:c/d"), "expected `:` at ` b:c/d`");
  // depname/urlname/hashname are not part of this version of the grammar.
  EXPECT_EQ(err("unlocked-dep=<a:b/c>"), "expected `:` at `=<a:b/c>`");
  EXPECT_EQ(err("locked-dep=<a:b/c@1.0.0>"), "expected `:` at `=<a:b/c@1.0.0>`");
  EXPECT_EQ(err("url=<https://x>"), "expected `:` at `=<https://x>`");
  EXPECT_EQ(err("integrity=<sha256-x>"), "`integrity=<sha256-x>` is not in kebab case");
}

TEST(ComponentNames, NestedNamesGate) {
  NameOptions nested;
  nested.nested_names = true;
  ParsedName n = ok("a:b:c/d/E-F@1.2.3", nested);
  EXPECT_EQ(n.ns, "a:b");
  EXPECT_EQ(n.package, "c");
  EXPECT_EQ(n.interface, "d");
  EXPECT_EQ(n.path, "d/E-F");
  EXPECT_EQ(n.interface_id(), "a:b:c/d/E-F");
  EXPECT_EQ(err("a:b:C/d", nested), "character `C` is not lowercase in package name/namespace");
  EXPECT_EQ(err("a:b/c/", nested), "`` is not in kebab case");
  EXPECT_EQ(err("a:b:c", nested), "expected `/` after package name");
}

TEST(ComponentNames, InterfaceVersions) {
  const std::string e = "invalid interface version: ";
  EXPECT_EQ(err("a:b/c@"), e + "empty string, expected a semver version");
  EXPECT_EQ(err("a:b/c@."), e + "unexpected character '.' while parsing major version number");
  EXPECT_EQ(err("a:b/c@1."), e + "unexpected end of input while parsing minor version number");
  EXPECT_EQ(err("a:b/c@a.2"), e + "unexpected character 'a' while parsing major version number");
  EXPECT_EQ(err("a:b/c@2.b"), e + "unexpected character 'b' while parsing minor version number");
  EXPECT_EQ(err("a:b/c@2.0x0"), e + "unexpected character 'x' after minor version number");
  EXPECT_EQ(err("a:b/c@2.0.0+"), e + "empty identifier segment in build metadata");
  EXPECT_EQ(err("a:b/c@2.0.0-"), e + "empty identifier segment in pre-release identifier");
  EXPECT_EQ(err("a:b/c@2.0.0-a..b"), e + "empty identifier segment in pre-release identifier");
  EXPECT_EQ(err("a:b/c@2.0.0-a."), e + "empty identifier segment in pre-release identifier");
  EXPECT_EQ(err("a:b/c@01.0.0"), e + "invalid leading zero in major version number");
  EXPECT_EQ(err("a:b/c@1.0.0-01"), e + "invalid leading zero in pre-release identifier");
  EXPECT_EQ(err("a:b/c@1.0.0-a_b"), e + "unexpected character '_' after pre-release identifier");
  EXPECT_EQ(err("a:b/c@1.0.0+a'"), e + "unexpected character '\\'' after build metadata");
  EXPECT_EQ(err("a:b/c@1.0.0 "), e + "unexpected character ' ' after patch version number");
  EXPECT_EQ(err("a:b/c@1"), e + "unexpected end of input while parsing major version number");
  EXPECT_EQ(err("a:b/c@1.2"), e + "unexpected end of input while parsing minor version number");
  EXPECT_EQ(err("a:b/c@18446744073709551616.0.0"),
            e + "value of major version number exceeds u64::MAX");
  EXPECT_EQ(ok("a:b/c@18446744073709551615.0.0").version->major, UINT64_MAX);
  EXPECT_EQ(err("a:b/c@1.0.\xc3\xa9"),
            e + "unexpected character '\xc3\xa9' while parsing patch version number");
}

TEST(ComponentNames, CanonicalVersionsGate) {
  NameOptions canon;
  canon.canon_versions = true;
  ParsedName n = ok("a:b/c@0.2", canon);
  EXPECT_EQ(n.version_text, "0.2");
  EXPECT_EQ(n.version->to_string(), "0.2.0");
  EXPECT_TRUE(n.has_canonical_version());
  EXPECT_EQ(ok("a:b/c@1", canon).version->to_string(), "1.0.0");
  EXPECT_EQ(ok("a:b/c@0.0.3", canon).version->to_string(), "0.0.3");
  EXPECT_EQ(ok("a:b/c@0.0.0", canon).version->to_string(), "0.0.0");
  const std::string e = "invalid interface version: ";
  EXPECT_EQ(err("a:b/c@0", canon),
            e + "unexpected end of input while parsing major version number");
  EXPECT_EQ(err("a:b/c@0.0", canon),
            e + "unexpected end of input while parsing minor version number");
  EXPECT_EQ(err("a:b/c@01", canon), e + "invalid leading zero in major version number");
  EXPECT_EQ(err("a:b/c@1.2", canon),
            e + "unexpected end of input while parsing minor version number");

  for (const char* s : {"1", "12", "0.2", "0.10", "0.0.1", "0.0.0"})
    EXPECT_TRUE(is_canonversion(s)) << s;
  for (const char* s : {"", "0", "01", "0.0", "0.01", "1.2", "1.0.0", "0.1.0", "0.0.01", "0.0.1-a"})
    EXPECT_FALSE(is_canonversion(s)) << s;
}

TEST(ComponentNames, VersionSuffix) {
  ParsedName n = ok("a:b/c@1", {}, ".2.3");
  EXPECT_EQ(n.version_text, "1");
  EXPECT_EQ(n.version->to_string(), "1.2.3");
  EXPECT_EQ(ok("a:b/c@0.2", {}, ".6-rc.1").version->to_string(), "0.2.6-rc.1");
  EXPECT_EQ(ok("a:b/c@0.0.1", {}, "-alpha").version->to_string(), "0.0.1-alpha");
  EXPECT_EQ(ok("a:b/c@0.0.1", {}, "").version->to_string(), "0.0.1");
  EXPECT_EQ(ok("a:b/c@1", {}, ".0.0+build").version->build, "build");
  const std::string need = "` must have a canonical interface version to have a `versionsuffix`";
  EXPECT_EQ(err("a:b/c@1.2.3", {}, ""), "name `a:b/c@1.2.3" + need);
  EXPECT_EQ(err("a:b/c", {}, ".1.0"), "name `a:b/c" + need);
  EXPECT_EQ(err("a", {}, ".1.0"), "name `a" + need);
  EXPECT_EQ(err("a:b/c@0.2", {}, ""),
            "invalid interface version: unexpected end of input while parsing minor version "
            "number");
  EXPECT_EQ(err("a:b/c@0.2", {}, ".x"),
            "invalid interface version: unexpected character 'x' while parsing patch version "
            "number");
  EXPECT_EQ(err("a:b/c@1", {}, "0.0.0"),
            "invalid interface version: `10.0.0` does not have canonical version `1`");
  EXPECT_EQ(err("a:b/c@0.2", {}, "0.0"),
            "invalid interface version: `0.20.0` does not have canonical version `0.2`");
}

TEST(ComponentNames, ContextMessages) {
  auto r = validate_extern_name("Foo", "import");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "import name `Foo` is not a valid extern name: `Foo` is not in kebab case");
  auto x = validate_extern_name("A:b/c", "export");
  ASSERT_FALSE(x.ok());
  EXPECT_NE(x.error().message.find("is not a valid extern name"), std::string::npos);
  EXPECT_TRUE(validate_extern_name("[method]r.f", "export").ok());

  auto i = parse_implements("not-valid");
  ASSERT_FALSE(i.ok());
  EXPECT_EQ(i.error().message, "name `not-valid` must be an interface");
  auto e = parse_implements("");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "`` is not a valid name: `` is not in kebab case");
  auto g = parse_implements("a:b/c@1.0.0");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->interface_id(), "a:b/c");

  EXPECT_TRUE(check_implements_target(ok("my-label")).ok());
  auto t = check_implements_target(ok("a1:b/c"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().message, "name `a1:b/c` is not valid with `implements`");
  EXPECT_FALSE(check_implements_target(ok("[constructor]a")).ok());
}

TEST(ComponentNames, UniquenessKeys) {
  EXPECT_EQ(uniqueness_key(ok("foo-BAR")), "foo-bar");
  EXPECT_EQ(uniqueness_key(ok("[constructor]FOO")), "[constructor]foo");
  EXPECT_EQ(uniqueness_key(ok("[method]foo.BAR")), "foo.bar");
  EXPECT_EQ(uniqueness_key(ok("[static]foo.bar")), "foo.bar");
  EXPECT_EQ(uniqueness_key(ok("[method]foo.foo")), "foo");
  EXPECT_EQ(uniqueness_key(ok("[static]foo-BAR.FOO-bar")), "foo-bar");
  EXPECT_EQ(uniqueness_key(ok("foo:bar/BAZ")), "foo:bar/baz");
  EXPECT_EQ(uniqueness_key(ok("a:b/C@1.0.0-RC")), "a:b/c@1.0.0-RC");
  EXPECT_EQ(uniqueness_key(ok("a:b/c@1", {}, ".2.0")), "a:b/c@1");
}

TEST(ComponentNames, StrongUniquenessExplainerExample) {
  NameSet set;
  for (const char* s :
       {"foo", "foo-bar", "[constructor]foo", "[method]foo.bar", "[static]foo.baz", "foo:bar/baz"})
    EXPECT_TRUE(set.add(ok(s), "import").ok()) << s;
  EXPECT_EQ(set.size(), 6u);
  struct Case {
    const char* name;
    const char* prev;
  };
  for (Case c : {Case{"foo", "foo"},
                 {"FOO", "foo"},
                 {"foo-BAR", "foo-bar"},
                 {"[constructor]FOO", "[constructor]foo"},
                 {"[method]foo.BAR", "[method]foo.bar"},
                 {"[static]foo.bar", "[method]foo.bar"},
                 {"[method]foo.baz", "[static]foo.baz"},
                 {"[method]foo.foo", "foo"},
                 {"[static]foo-BAR.FOO-bar", "foo-bar"},
                 {"foo:bar/BAZ", "foo:bar/baz"}}) {
    auto r = set.add(ok(c.name), "import");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().message, std::string("import name `") + c.name +
                                     "` conflicts with previous name `" + c.prev + "`");
    const std::string* prev = set.find(ok(c.name));
    ASSERT_NE(prev, nullptr);
    EXPECT_EQ(*prev, c.prev);
  }
  EXPECT_EQ(set.size(), 6u);
  EXPECT_EQ(set.find(ok("bar")), nullptr);
  set.clear();
  EXPECT_EQ(set.size(), 0u);
}

TEST(ComponentNames, StrongUniquenessTestsuiteCases) {
  auto conflict = [](std::vector<const char*> names, const char* what) -> std::string {
    NameSet set;
    for (const char* s : names) {
      auto r = set.add(ok(s), what);
      if (!r.ok()) return r.error().message;
    }
    return "";
  };
  EXPECT_EQ(conflict({"a", "a"}, "export"), "export name `a` conflicts with previous name `a`");
  EXPECT_EQ(conflict({"a", "A"}, "export"), "export name `A` conflicts with previous name `a`");
  EXPECT_EQ(conflict({"A", "a"}, "import"), "import name `a` conflicts with previous name `A`");
  EXPECT_EQ(conflict({"foo-BAR-baz", "FOO-bar-BAZ"}, "export"),
            "export name `FOO-bar-BAZ` conflicts with previous name `foo-BAR-baz`");
  EXPECT_EQ(conflict({"a", "[method]a.a"}, "import"),
            "import name `[method]a.a` conflicts with previous name `a`");
  EXPECT_EQ(conflict({"a", "[static]a.a"}, "import"),
            "import name `[static]a.a` conflicts with previous name `a`");
  EXPECT_EQ(conflict({"wasi:http/types@1.0.0", "wasi:http/types@1.0.0"}, "import"),
            "import name `wasi:http/types@1.0.0` conflicts with previous name "
            "`wasi:http/types@1.0.0`");
  // No conflicts: constructors, versions as written, different resources.
  EXPECT_EQ(conflict({"a", "[constructor]a", "[method]a.b", "[method]b.a", "a-b", "a:b/c", "b:a/c"},
                     "import"),
            "");
  EXPECT_EQ(conflict({"wasi:http/types", "wasi:http/types@1.0.0", "wasi:http/types@2.0.0",
                      "a:b/c@0.0.0+abcd", "a:b/c@0.0.0+abcd-efg", "a:b/c@0.0.0-abcd+efg",
                      "a:b/c@0.0.0-abcd.1.2+efg.4.ee.5"},
                     "import"),
            "");
}

TEST(ComponentNames, Semver) {
  EXPECT_EQ(err("a:b/c@x"),
            "invalid interface version: unexpected character 'x' while parsing major version "
            "number");
  SemVer v = ver("1.2.3-rc.1+b.7");
  EXPECT_EQ(v.major, 1u);
  EXPECT_EQ(v.minor, 2u);
  EXPECT_EQ(v.patch, 3u);
  EXPECT_EQ(v.pre, "rc.1");
  EXPECT_EQ(v.build, "b.7");
  // SemVer 2.0 section 11's precedence example.
  std::vector<const char*> order = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
                                    "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
                                    "1.0.0-rc.1",  "1.0.0",         "1.0.1",
                                    "1.1.0",       "2.0.0"};
  for (size_t i = 0; i < order.size(); ++i)
    for (size_t j = 0; j < order.size(); ++j)
      EXPECT_EQ(compare_semver(ver(order[i]), ver(order[j])), i < j   ? -1
                                                              : i > j ? 1
                                                                      : 0)
          << order[i] << " vs " << order[j];
  EXPECT_EQ(compare_semver(ver("1.0.0+a"), ver("1.0.0+b")), 0);
  EXPECT_EQ(compare_semver(ver("0.2.12"), ver("0.2.3")), 1);
  EXPECT_EQ(compare_semver(ver("1.0.0-99999999999999999999"), ver("1.0.0-100")), 1);

  EXPECT_EQ(canonical_version(ver("1.2.3")), "1");
  EXPECT_EQ(canonical_version(ver("0.2.6-rc.1")), "0.2");
  EXPECT_EQ(canonical_version(ver("0.0.1-alpha")), "0.0.1");
  EXPECT_EQ(canonical_version(ver("0.0.0")), "0.0.0");
  EXPECT_EQ(version_track(ver("1.2.3+abc")), "1");
  EXPECT_EQ(version_track(ver("0.2.6")), "0.2");
  EXPECT_EQ(version_track(ver("0.0.1+abc")), "0.0.1");
  EXPECT_EQ(version_track(ver("0.1.0-rc.2+abc")), "0.1.0-rc.2");
}

TEST(ComponentNames, SemverCompatibleLinking) {
  auto binds = [](const char* provided, const char* wanted) {
    return provides(ok(provided), ok(wanted));
  };
  EXPECT_TRUE(binds("wasi:cli/environment@0.2.12", "wasi:cli/environment@0.2.3"));
  EXPECT_TRUE(binds("wasi:cli/environment@0.2.3", "wasi:cli/environment@0.2.12"));
  EXPECT_TRUE(binds("wasi:cli/environment@0.2.3", "wasi:cli/environment@0.2.3"));
  EXPECT_FALSE(binds("wasi:cli/environment@0.3.0", "wasi:cli/environment@0.2.3"));
  EXPECT_FALSE(binds("wasi:cli/environment@0.2.3", "wasi:cli/environment@0.3.0"));
  EXPECT_TRUE(binds("a:b/c@1.9.0", "a:b/c@1.2.0"));
  EXPECT_TRUE(binds("a:b/c@1.2.0+x", "a:b/c@1.9.4"));
  EXPECT_FALSE(binds("a:b/c@2.0.0", "a:b/c@1.2.0"));
  EXPECT_FALSE(binds("a:b/c@0.0.2", "a:b/c@0.0.1"));
  EXPECT_TRUE(binds("a:b/c@0.0.1+abc", "a:b/c@0.0.1"));
  EXPECT_TRUE(binds("a:b/c@1.0.0-rc.1", "a:b/c@1.0.0-rc.1"));
  EXPECT_FALSE(binds("a:b/c@1.0.0-rc.2", "a:b/c@1.0.0-rc.1"));
  EXPECT_FALSE(binds("a:b/c@1.0.0", "a:b/c@1.0.0-rc.1"));
  EXPECT_FALSE(binds("a:b/c@1.0.0-rc.1", "a:b/c@1.0.0"));
  EXPECT_FALSE(binds("a:b/d@1.0.0", "a:b/c@1.0.0"));
  EXPECT_FALSE(binds("a:x/c@1.0.0", "a:b/c@1.0.0"));
  EXPECT_FALSE(binds("a:b/c", "a:b/c@1.0.0"));
  EXPECT_FALSE(binds("a:b/c@1.0.0", "a:b/c"));
  EXPECT_TRUE(binds("a:b/c", "a:b/c"));
  EXPECT_TRUE(binds("f", "f"));
  EXPECT_FALSE(binds("f", "g"));

  EXPECT_TRUE(versions_compatible(ver("0.2.12"), ver("0.2.3")));
  EXPECT_FALSE(versions_compatible(ver("0.3.0"), ver("0.2.0")));
  EXPECT_TRUE(versions_compatible(ver("1.9.0"), ver("1.2.0")));
  EXPECT_FALSE(versions_compatible(ver("0.0.2"), ver("0.0.1")));
  EXPECT_TRUE(versions_compatible(ver("1.0.0-rc.1+a"), ver("1.0.0-rc.1+b")));
  EXPECT_FALSE(versions_compatible(ver("1.0.0-rc.1"), ver("1.0.0-rc.2")));

  EXPECT_EQ(version_key(ok("wasi:cli/environment@0.2.3")), "wasi:cli/environment@0.2");
  EXPECT_EQ(version_key(ok("wasi:cli/environment@1.2.3+b")), "wasi:cli/environment@1");
  EXPECT_EQ(version_key(ok("a:b/c@0.0.1+abc")), "a:b/c@0.0.1");
  EXPECT_EQ(version_key(ok("a:b/c@1.0.0-pre+abc")), "a:b/c@1.0.0-pre");
  EXPECT_EQ(version_key(ok("a:b/c")), "a:b/c");
  EXPECT_EQ(version_key(ok("[method]r.f")), "[method]r.f");
  NameOptions canon;
  canon.canon_versions = true;
  EXPECT_EQ(version_key(ok("a:b/c@0.2", canon)), "a:b/c@0.2");
  EXPECT_TRUE(provides(ok("a:b/c@0.2.5"), ok("a:b/c@0.2", canon)));
  EXPECT_EQ(version_key(ok("a:b/c@0.2", {}, ".9")), "a:b/c@0.2");
  EXPECT_TRUE(provides(ok("a:b/c@0.2", {}, ".9"), ok("a:b/c@0.2.1")));
}

}  // namespace
