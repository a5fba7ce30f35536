// The public component API (hull/component.hh): compile, link host functions, host resources
// and interfaces by semver, instantiate (also pre-linked), call with component values, and the
// errors each step reports.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hull/component.hh"
#include "hull/component_typed.hh"
#include "text/component.h"

struct Point {
  int32_t x = 0;
  int32_t y = 0;
  std::optional<std::string> label;
};
HULL_WIT_RECORD(Point, HULL_WIT_F(Point, x, "x"), HULL_WIT_F(Point, y, "y"),
                HULL_WIT_F(Point, label, "label"))

namespace {

namespace ac = hull::api::component;
using hull::api::Engine;
using hull::api::ErrorKind;
using hull::api::Store;

ac::Component compile(const Engine& engine, const std::string& text) {
  auto bytes = hull::text::component_to_binary(text);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().to_string());
  auto c = ac::Component::compile(engine, *bytes);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().to_string());
  return *c;
}

// add(u32, u32) -> u32 and echo(string) -> string (lifted with memory, realloc and
// post-return), plus trap() which hits `unreachable`.
const char* kBasics = R"((component
  (core module $m
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (func $realloc (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (local.set $r (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $r))
    ;; echo: copy the string to a fresh buffer, return (ptr, len) through a return area at 16.
    (func (export "echo") (param $p i32) (param $n i32) (result i32)
      (local $q i32)
      (local.set $q (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (local.get $n)))
      (memory.copy (local.get $q) (local.get $p) (local.get $n))
      (i32.store (i32.const 16) (local.get $q))
      (i32.store (i32.const 20) (local.get $n))
      (i32.const 16))
    (func (export "echo-post") (param i32))
    (func (export "trap") unreachable))
  (core instance $i (instantiate $m))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $i "add")))
  (func (export "echo") (param "s" string) (result string)
    (canon lift (core func $i "echo") (memory (core memory $i "mem"))
      (realloc (core func $i "realloc")) (post-return (core func $i "echo-post"))))
  (func (export "trap") (canon lift (core func $i "trap")))
))";

TEST(ComponentApi, CallsExportsWithComponentValues) {
  Engine engine;
  ac::Component c = compile(engine, kBasics);
  Store store(engine);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto add = inst->get_func("add");
  ASSERT_TRUE(add.has_value());
  EXPECT_EQ(ac::to_string(add->type()), "func(a: u32, b: u32) -> u32");
  auto r = add->call({ac::Val::u32(40), ac::Val::u32(2)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], ac::Val::u32(42));

  auto echo = inst->get_func("echo");
  ASSERT_TRUE(echo.has_value());
  for (std::string s : {std::string(""), std::string("héllo ☃"), std::string(5000, 'x')}) {
    auto e = echo->call({ac::Val::string(s)});
    ASSERT_TRUE(e.ok()) << e.error().to_string();
    EXPECT_EQ((*e)[0].as_string(), s);
  }
}

TEST(ComponentApi, ErrorsNameWhatWentWrong) {
  Engine engine;
  ac::Component c = compile(engine, kBasics);
  Store store(engine);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok());
  auto add = *inst->get_func("add");
  // Wrong count and wrong type are usage errors, not traps.
  auto few = add.call({ac::Val::u32(1)});
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.error().kind, ErrorKind::Usage);
  EXPECT_NE(few.error().message.find("expected 2 arguments"), std::string::npos);
  auto typed = add.call({ac::Val::string("1"), ac::Val::u32(2)});
  ASSERT_FALSE(typed.ok());
  EXPECT_EQ(typed.error().kind, ErrorKind::Usage);
  EXPECT_NE(typed.error().message.find("argument `a`"), std::string::npos);
  // A trap is a value with the core message.
  auto t = inst->get_func("trap")->call({});
  ASSERT_FALSE(t.ok());
  ASSERT_TRUE(t.error().trap.has_value());
  EXPECT_EQ(t.error().trap->message, "unreachable");
  EXPECT_FALSE(inst->get_func("nope").has_value());
}

TEST(ComponentApi, MalformedAndInvalidComponentsAreErrors) {
  Engine engine;
  std::vector<uint8_t> junk = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x05};
  auto bad = ac::Component::compile(engine, junk);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Malformed);
  auto bytes = hull::text::component_to_binary(R"((component (type (record))))");
  // An empty record is rejected either by the text layer or by validation, never accepted.
  if (bytes.ok()) {
    auto inv = ac::Component::compile(engine, *bytes);
    ASSERT_FALSE(inv.ok());
    EXPECT_EQ(inv.error().kind, ErrorKind::Invalid);
    EXPECT_NE(inv.error().message.find("record type must have at least one field"),
              std::string::npos);
  }
}

// A component importing an interface and calling it from its own export.
const char* kImporter = R"((component
  (import "test:math/ops@0.2.3" (instance $ops
    (export "double" (func (param "x" u32) (result u32)))))
  (alias export $ops "double" (func $double))
  (core func $d (canon lower (func $double)))
  (core module $m
    (import "host" "double" (func $d (param i32) (result i32)))
    (func (export "quad") (param i32) (result i32) (call $d (call $d (local.get 0)))))
  (core instance $i (instantiate $m (with "host" (instance (export "double" (func $d))))))
  (func (export "quad") (param "x" u32) (result u32) (canon lift (core func $i "quad")))
))";

TEST(ComponentApi, HostFunctionsBindBySemver) {
  Engine engine;
  ac::Component c = compile(engine, kImporter);
  ASSERT_EQ(c.imports().size(), 1u);
  EXPECT_EQ(c.imports()[0].first, "test:math/ops@0.2.3");

  int calls = 0;
  auto doubler = [&](std::span<const ac::Val> args,
                     std::vector<ac::Val>& results) -> hull::api::Result<void> {
    ++calls;
    results.push_back(ac::Val::u32(static_cast<uint32_t>(args[0].as_u64() * 2)));
    return {};
  };
  // 0.2.12 satisfies an import of 0.2.3 (same 0.2 track).
  ac::Linker linker(engine);
  ASSERT_TRUE(linker.func("test:math/ops@0.2.12#double", doubler).ok());
  Store store(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("quad")->call({ac::Val::u32(5)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0], ac::Val::u32(20));
  EXPECT_EQ(calls, 2);

  // 0.3.0 does not.
  ac::Linker other(engine);
  ASSERT_TRUE(other.func("test:math/ops@0.3.0#double", doubler).ok());
  Store store2(engine);
  auto missing = other.instantiate(store2, c);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::Unlinkable);
  EXPECT_NE(missing.error().message.find("test:math/ops@0.2.3"), std::string::npos);

  // A host function returning the wrong type traps with a message.
  ac::Linker liar(engine);
  ASSERT_TRUE(
      liar.func("test:math/ops@0.2.3#double",
                [](std::span<const ac::Val>, std::vector<ac::Val>& res) -> hull::api::Result<void> {
                  res.push_back(ac::Val::string("nope"));
                  return {};
                })
          .ok());
  Store store3(engine);
  auto inst3 = liar.instantiate(store3, c);
  ASSERT_TRUE(inst3.ok());
  auto bad = inst3->get_func("quad")->call({ac::Val::u32(1)});
  ASSERT_FALSE(bad.ok());
  ASSERT_TRUE(bad.error().trap.has_value());
  EXPECT_NE(bad.error().trap->message.find("wrong type"), std::string::npos);
}

TEST(ComponentApi, PreLinkedInstantiationInManyStores) {
  Engine engine;
  ac::Component c = compile(engine, kImporter);
  ac::Linker linker(engine);
  ASSERT_TRUE(
      linker
          .func("test:math/ops@0.2.3#double",
                [](std::span<const ac::Val> a, std::vector<ac::Val>& r) -> hull::api::Result<void> {
                  r.push_back(ac::Val::u32(static_cast<uint32_t>(a[0].as_u64() * 2)));
                  return {};
                })
          .ok());
  auto pre = linker.instantiate_pre(c);
  ASSERT_TRUE(pre.ok()) << pre.error().to_string();
  for (uint32_t i = 0; i < 5; ++i) {
    Store store(engine);
    auto inst = pre->instantiate(store);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    auto r = inst->get_func("quad")->call({ac::Val::u32(i)});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)[0], ac::Val::u32(i * 4));
  }
}

// A host-defined resource: the guest gets handles from the host, keeps one in its table and
// drops it; the host's destructor sees the representation.
const char* kResources = R"((component
  (import "test:res/api" (instance $api
    (export "thing" (type (sub resource)))
    (export "make" (func (param "v" u32) (result (own 0))))
    (export "peek" (func (param "t" (borrow 0)) (result u32)))))
  (alias export $api "thing" (type $thing))
  (alias export $api "make" (func $make))
  (alias export $api "peek" (func $peek))
  (core func $make (canon lower (func $make)))
  (core func $peek (canon lower (func $peek)))
  (core func $drop (canon resource.drop $thing))
  (core module $m
    (import "api" "make" (func $make (param i32) (result i32)))
    (import "api" "peek" (func $peek (param i32) (result i32)))
    (import "api" "drop" (func $drop (param i32)))
    ;; make a thing, read it back through a borrow, drop it, return what was read
    (func (export "roundtrip") (param i32) (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $make (local.get 0)))
      (local.set $v (call $peek (local.get $h)))
      (call $drop (local.get $h))
      (local.get $v))
    (func (export "bad-drop") (call $drop (i32.const 77))))
  (core instance $i (instantiate $m (with "api" (instance
    (export "make" (func $make)) (export "peek" (func $peek)) (export "drop" (func $drop))))))
  (func (export "roundtrip") (param "v" u32) (result u32) (canon lift (core func $i "roundtrip")))
  (func (export "bad-drop") (canon lift (core func $i "bad-drop")))
))";

// test:res/api's make and peek on the host resource `id` (Val forms): make's handle has the
// host's own key as its rep (the value plus 1000), peek checks that it got a borrow of `id`.
bool define_thing_functions(ac::Linker& linker, const void* id) {
  auto make = [id](std::span<const ac::Val> a, std::vector<ac::Val>& r) -> hull::api::Result<void> {
    r.push_back(ac::Val::resource(
        ac::ResourceAny{id, static_cast<uint32_t>(a[0].as_u64() + 1000), true, 0}));
    return {};
  };
  auto peek = [id](std::span<const ac::Val> a, std::vector<ac::Val>& r) -> hull::api::Result<void> {
    const ac::ResourceAny& h = a[0].as_resource();
    if (h.type != id || h.own) return hull::api::Error(ErrorKind::Usage, "not a borrowed thing");
    r.push_back(ac::Val::u32(h.rep - 1000));
    return {};
  };
  return linker.func("test:res/api#make", make).ok() && linker.func("test:res/api#peek", peek).ok();
}

TEST(ComponentApi, HostResources) {
  Engine engine;
  ac::Component c = compile(engine, kResources);
  ac::Linker linker(engine);
  std::vector<uint32_t> dropped;
  auto rt = linker.resource("test:res/api#thing", [&](uint32_t rep) { dropped.push_back(rep); });
  ASSERT_TRUE(rt.ok());
  const void* id = rt->id;
  ASSERT_TRUE(define_thing_functions(linker, id));
  Store store(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("roundtrip")->call({ac::Val::u32(7)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0], ac::Val::u32(7));
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0], 1007u);
  // Dropping a handle the guest does not have traps with the index.
  auto bad = inst->get_func("bad-drop")->call({});
  ASSERT_FALSE(bad.ok());
  ASSERT_TRUE(bad.error().trap.has_value());
  EXPECT_NE(bad.error().trap->message.find("unknown handle index 77"), std::string::npos);

  // A linker without the resource cannot satisfy the import.
  ac::Linker empty(engine);
  Store store2(engine);
  auto missing = empty.instantiate(store2, c);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::Unlinkable);
}

// The same imports with nothing aliased out of the instance: only the import itself binds the
// resource that `make` and `peek` name.
const char* kResourcesUnaliased = R"((component
  (import "test:res/api" (instance $api
    (export "thing" (type (sub resource)))
    (export "make" (func (param "v" u32) (result (own 0))))
    (export "peek" (func (param "t" (borrow 0)) (result u32)))))
  (alias export $api "make" (func $make))
  (alias export $api "peek" (func $peek))
  (core func $make (canon lower (func $make)))
  (core func $peek (canon lower (func $peek)))
  (core module $m
    (import "api" "make" (func $make (param i32) (result i32)))
    (import "api" "peek" (func $peek (param i32) (result i32)))
    (func (export "peek-new") (param i32) (result i32) (call $peek (call $make (local.get 0)))))
  (core instance $i (instantiate $m (with "api" (instance
    (export "make" (func $make)) (export "peek" (func $peek))))))
  (func (export "peek-new") (param "v" u32) (result u32) (canon lift (core func $i "peek-new")))
))";

// An InstancePre learns from its first instantiation what every instance of it shares (the
// resources its imports bind, the typed host functions its lowered imports call directly) and
// reuses it: every later instance, in a store of its own, must behave as the first did.
TEST(ComponentApi, PreLinkedInstancesReuseWhatTheFirstLearnt) {
  Engine engine;
  {
    // A typed host function: the lowered import takes the core values directly.
    ac::Component c = compile(engine, kImporter);
    ac::Linker linker(engine);
    int calls = 0;
    ASSERT_TRUE(linker
                    .func("test:math/ops@0.2.3#double", ac::typed_host([&calls](uint32_t x) {
                            ++calls;
                            return x * 2;
                          }))
                    .ok());
    auto pre = linker.instantiate_pre(c);
    ASSERT_TRUE(pre.ok()) << pre.error().to_string();
    for (uint32_t i = 1; i <= 4; ++i) {
      Store store(engine);
      auto inst = pre->instantiate(store);
      ASSERT_TRUE(inst.ok()) << inst.error().to_string();
      auto r = inst->get_func("quad")->call({ac::Val::u32(i)});
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      EXPECT_EQ((*r)[0], ac::Val::u32(i * 4));
    }
    EXPECT_EQ(calls, 8);
  }
  {
    // A host resource: its handles and the guest's resource.drop need the import's binding in
    // every instance.
    for (const char* text : {kResources, kResourcesUnaliased}) {
      const bool drops = text == kResources;
      ac::Component c = compile(engine, text);
      ac::Linker linker(engine);
      std::vector<uint32_t> dropped;
      auto rt =
          linker.resource("test:res/api#thing", [&](uint32_t rep) { dropped.push_back(rep); });
      ASSERT_TRUE(rt.ok());
      const void* id = rt->id;
      ASSERT_TRUE(define_thing_functions(linker, id));
      auto pre = linker.instantiate_pre(c);
      ASSERT_TRUE(pre.ok()) << pre.error().to_string();
      for (uint32_t i = 0; i < 4; ++i) {
        Store store(engine);
        auto inst = pre->instantiate(store);
        ASSERT_TRUE(inst.ok()) << inst.error().to_string();
        auto r = inst->get_func(drops ? "roundtrip" : "peek-new")->call({ac::Val::u32(i)});
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        EXPECT_EQ((*r)[0], ac::Val::u32(i));
        if (!drops) continue;
        ASSERT_EQ(dropped.size(), i + 1);
        EXPECT_EQ(dropped[i], 1000 + i);
        auto bad = inst->get_func("bad-drop")->call({});
        ASSERT_FALSE(bad.ok());
        ASSERT_TRUE(bad.error().trap.has_value());
        EXPECT_NE(bad.error().trap->message.find("unknown handle index 77"), std::string::npos);
      }
    }
  }
}

TEST(ComponentApi, TypedCallsAndTypedHostFunctions) {
  Engine engine;
  ac::Component c = compile(engine, kBasics);
  Store store(engine);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok());
  auto add = ac::typed_func<uint32_t(uint32_t, uint32_t)>(*inst, "add");
  ASSERT_TRUE(add.ok()) << add.error().to_string();
  auto sum = add->call(40, 2);
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 42u);
  auto echo = ac::typed_func<std::string(std::string)>(*inst, "echo");
  ASSERT_TRUE(echo.ok());
  EXPECT_EQ(*echo->call("typed"), "typed");
  // A signature that does not match names the parameter.
  auto wrong = ac::typed_func<uint32_t(std::string, uint32_t)>(*inst, "add");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, ErrorKind::Unlinkable);
  EXPECT_NE(wrong.error().message.find("parameter `a` is u32"), std::string::npos);

  // Typed host functions convert both ways, records included.
  auto host =
      ac::typed_host([](Point p, std::vector<uint32_t> xs) -> ac::WitResult<Point, std::string> {
        if (xs.empty()) return ac::WitResult<Point, std::string>::err("empty");
        p.x += static_cast<int32_t>(xs.size());
        p.label = "moved";
        return ac::WitResult<Point, std::string>::ok(p);
      });
  std::vector<ac::Val> results;
  Point in{1, 2, std::nullopt};
  std::vector<ac::Val> args{ac::Wit<Point>::to_val(in),
                            ac::Wit<std::vector<uint32_t>>::to_val({7, 8, 9})};
  ASSERT_TRUE(host(args, results).ok());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(ac::val_matches(results[0], ac::Wit<ac::WitResult<Point, std::string>>::type()));
  auto back = ac::Wit<ac::WitResult<Point, std::string>>::from_val(results[0]);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->is_ok());
  EXPECT_EQ(back->value().x, 4);
  EXPECT_EQ(back->value().label, std::optional<std::string>("moved"));
  EXPECT_EQ(ac::to_string(ac::Wit<Point>::type()),
            "record { x: s32, y: s32, label: option<string> }");
  // A mistyped argument is an error naming it.
  std::vector<ac::Val> bad{ac::Val::u32(1), ac::Val::list({})};
  std::vector<ac::Val> none;
  auto r = host(bad, none);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("argument 0"), std::string::npos);
}

// Hostile components: a few bytes of types that would expand to 2^40 nodes if walked as trees,
// and types nested past the limit, are refused by validation (not by exhausting time or memory).
TEST(ComponentApi, TypeBombsAreRefused) {
  Engine engine;
  std::string bomb = "(component (type $t0 (tuple u8 u8))";
  for (int i = 1; i <= 40; ++i) {
    bomb += " (type $t" + std::to_string(i) + " (tuple $t" + std::to_string(i - 1) + " $t" +
            std::to_string(i - 1) + "))";
  }
  bomb += ")";
  auto bytes = hull::text::component_to_binary(bomb);
  ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
  auto c = ac::Component::compile(engine, *bytes);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::Invalid);
  EXPECT_NE(c.error().message.find("effective type size exceeds the limit of 1000000"),
            std::string::npos)
      << c.error().message;

  // The same doubling through exported (named) copies of each level.
  std::string named =
      "(component (type $t0 (record (field \"a\" u8) (field \"b\" u8))) (export $e0 \"e0\" (type "
      "$t0))";
  for (int i = 1; i <= 40; ++i) {
    std::string p = "$e" + std::to_string(i - 1);
    named += " (type $t" + std::to_string(i) + " (record (field \"a\" " + p + ") (field \"b\" " +
             p + ")))";
    named += " (export $e" + std::to_string(i) + " \"e" + std::to_string(i) + "\" (type $t" +
             std::to_string(i) + "))";
  }
  named += ")";
  auto nb = hull::text::component_to_binary(named);
  ASSERT_TRUE(nb.ok()) << nb.error().to_string();
  auto nc = ac::Component::compile(engine, *nb);
  ASSERT_FALSE(nc.ok());
  EXPECT_NE(nc.error().message.find("effective type size"), std::string::npos)
      << nc.error().message;

  std::string deep = "(component (type $t0 u8)";
  for (int i = 1; i <= 101; ++i) {
    deep += " (type $t" + std::to_string(i) + " (list $t" + std::to_string(i - 1) + "))";
  }
  deep += ")";
  auto db = hull::text::component_to_binary(deep);
  ASSERT_TRUE(db.ok());
  auto dc = ac::Component::compile(engine, *db);
  ASSERT_FALSE(dc.ok());
  EXPECT_NE(dc.error().message.find("type nesting is too deep"), std::string::npos);
}

// A guest returning a list of 2^20 lists that all alias one 1 KiB range (2^30 elements from
// 8 MiB of memory) traps instead of making the host allocate a billion values.
TEST(ComponentApi, AliasedListBombTraps) {
  Engine engine;
  ac::Component c = compile(engine, R"((component
    (core module $m
      (memory (export "mem") 200)
      (func (export "bomb") (result i32)
        (local $i i32)
        ;; entries at 65536 + 8 i: (ptr 0, len 1024)
        (loop $l
          (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 3))) (i32.const 0))
          (i32.store (i32.add (i32.const 65540) (i32.shl (local.get $i) (i32.const 3))) (i32.const 1024))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 1048576))))
        (i32.store (i32.const 16) (i32.const 65536))
        (i32.store (i32.const 20) (i32.const 1048576))
        (i32.const 16)))
    (core instance $i (instantiate $m))
    (func (export "bomb") (result (list (list u8)))
      (canon lift (core func $i "bomb") (memory (core memory $i "mem"))))
  ))");
  Store store(engine);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("bomb")->call({});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().trap.has_value());
  EXPECT_NE(
      r.error().trap->message.find("MiB of host memory (the limit of what Hull lifts per call)"),
      std::string::npos)
      << r.error().trap->message;
}

// Resource<T>: host objects behind handles, destroyed when the guest drops its handle.
TEST(ComponentApi, TypedHostResources) {
  Engine engine;
  ac::Component c = compile(engine, kResources);
  ac::Linker linker(engine);
  struct Thing {
    uint32_t value;
  };
  auto things = ac::Resource<Thing>::define(linker, "test:res/api#thing");
  ASSERT_TRUE(things.ok()) << things.error().to_string();
  ASSERT_TRUE(linker
                  .func("test:res/api#make",
                        [&](std::span<const ac::Val> a,
                            std::vector<ac::Val>& r) -> hull::api::Result<void> {
                          r.push_back(things->make(Thing{static_cast<uint32_t>(a[0].as_u64())}));
                          return {};
                        })
                  .ok());
  ASSERT_TRUE(linker
                  .func("test:res/api#peek",
                        ac::typed_host([&](ac::ResourceAny h) -> hull::api::Result<uint32_t> {
                          auto t = things->get(h);
                          if (!t) return std::move(t).error();
                          return (*t)->value * 10;
                        }))
                  .ok());
  Store store(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("roundtrip")->call({ac::Val::u32(4)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0], ac::Val::u32(40));
  EXPECT_EQ(things->live(), 0u);  // the guest dropped it: the object is gone
  auto foreign = things->get(ac::ResourceAny{nullptr, 1, true, 0});
  ASSERT_FALSE(foreign.ok());
}

// A typed host function whose first parameter is Store& receives the calling instance's store
// (per-store host state, as WASI keeps it) on the direct path, and on the Val path when called
// as the StoreHostFunc typed_host gives.
TEST(ComponentApi, TypedHostTakingTheStore) {
  Engine engine;
  ac::Component c = compile(engine, kResources);
  ac::Linker linker(engine);
  struct Thing {
    uint32_t value;
  };
  auto things = ac::Resource<Thing>::define(linker, "test:res/api#thing");
  ASSERT_TRUE(things.ok()) << things.error().to_string();
  std::vector<const Store*> seen;
  ASSERT_TRUE(
      linker
          .func("test:res/api#make", ac::typed_host([&](Store& s, uint32_t v) -> ac::ResourceAny {
                  seen.push_back(&s);
                  return things->make_handle(std::make_unique<Thing>(Thing{v}));
                }))
          .ok());
  ac::StoreHostFunc peek =
      ac::typed_host([&](Store& s, ac::ResourceAny h) -> hull::api::Result<uint32_t> {
        seen.push_back(&s);
        auto t = things->get(h);
        if (!t) return std::move(t).error();
        return (*t)->value + 1;
      });
  ASSERT_TRUE(linker.func("test:res/api#peek", peek).ok());
  Store store(engine);
  auto inst = linker.instantiate(store, c);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("roundtrip")->call({ac::Val::u32(6)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0], ac::Val::u32(7));
  EXPECT_EQ(seen, (std::vector<const Store*>{&store, &store}));
  // The Val path: the same function told another store.
  Store other(engine);
  ac::Val made = things->make(Thing{41});
  std::vector<ac::Val> results;
  ASSERT_TRUE(peek(other, std::vector<ac::Val>{made}, results).ok());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0], ac::Val::u32(42));
  EXPECT_EQ(seen.back(), &other);
}

// A handle in C++ (ResourceAny) stands for any own or borrow handle, also as a payload: a
// result<own<r>> matches WitResult<ResourceAny, void> (so a lowered import takes the direct
// path) and not WitResult<void, void>, whose flat form differs.
TEST(ComponentApi, HandlePayloadsMatchOnlyHandles) {
  using ac::detail::wit_matches;
  const ac::Type own = ac::own_type(ac::ResourceRef{3, "thing"});
  const ac::Type result_own = ac::result_type(own, ac::Type());
  const ac::Type result_none = ac::result_type(ac::Type(), ac::Type());
  EXPECT_TRUE(wit_matches(ac::Wit<ac::WitResult<ac::ResourceAny, void>>::type(), result_own));
  EXPECT_FALSE(wit_matches(ac::Wit<ac::WitResult<void, void>>::type(), result_own));
  EXPECT_FALSE(wit_matches(ac::Wit<ac::WitResult<ac::ResourceAny, void>>::type(), result_none));
  EXPECT_TRUE(wit_matches(ac::Wit<std::optional<ac::ResourceAny>>::type(), ac::option_type(own)));
  EXPECT_FALSE(wit_matches(ac::Wit<ac::ResourceAny>::type(), ac::Type::prim(ac::TypeKind::U32)));
  EXPECT_TRUE(
      wit_matches(ac::Wit<ac::ResourceAny>::type(), ac::borrow_type(ac::ResourceRef{3, "thing"})));
}

// An instance given to the linker cannot satisfy an import of another kind: Unlinkable, with
// what was expected.
TEST(ComponentApi, InstanceForAnotherKindOfImport) {
  Engine engine;
  ac::Component provider = compile(engine, kBasics);
  Store store(engine);
  ac::Linker linker(engine);
  auto inst = linker.instantiate(store, provider);
  ASSERT_TRUE(inst.ok());
  ASSERT_TRUE(linker.instance("a", *inst).ok());
  for (const char* text : {R"((component (type $u u32) (import "a" (type (eq $u)))))",
                           R"((component (import "a" (func))))"}) {
    ac::Component c = compile(engine, text);
    auto r = linker.instantiate(store, c);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::Unlinkable);
    EXPECT_NE(r.error().message.find("found instance"), std::string::npos) << r.error().message;
  }
}

}  // namespace
