// Unit tests for the component text encoder (expected bytes checked against wasm-tools'
// `wast` crate via `jco parse`, name sections dropped), its errors, and component script forms.
#include "text/component.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/script.h"

using namespace hull::text;

namespace {

std::vector<uint8_t> from_hex(std::string_view h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(uint8_t(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

struct Case {
  const char* name;
  const char* text;
  const char* hex;
};

// One per concern: value types, hoisted inline types, embedded core modules with lift, lower
// with options and export aliases, instance types with implicit outer aliases, resources,
// async built-ins, nested components, bundles of exports, module types, component types,
// start.
const Case kCases[] = {
    {"record",
     R"wat((component (type $r (record (field "a" u32) (field "b" string))) (export "r" (type $r))))wat",
     "0061736d0d00010007090172020161790162730b0701000172030000"},
    {"hoist",
     R"wat((component (import "f" (func (param "x" (list u8)) (result (option string))))))wat",
     "0061736d0d000100070c03707d6b73400101780000010a06010001660102"},
    {"types",
     R"wat((component (type (variant (case "a") (case "b" s64))) (type (tuple u8 char)) (type (flags "x" "y")) (type (enum "p" "q")) (type (result u32 (error string))) (type (result)) (type (list u32 4)) (type (stream u8)) (type (future)) (type error-context)))wat",
     "0061736d0d000100072d0a71020161000001620178006f027d746e02017801796d020170"
     "01716a017901736a000067790466017d650064"},
    {"lift",
     R"wat((component (core module $m (func (export "f") (param i32) (result i32) local.get 0)) (core instance $i (instantiate $m)) (func (export "run") (param "x" u32) (result u32) (canon lift (core func $i "f")))))wat",
     "0061736d0d00010001230061736d0100000001060160017f017f03020100070501016600"
     "000a0601040020000b020401000000070801400101787900790607010000010001660806"
     "0100000000000b0901000372756e010000"},
    {"lower",
     R"wat((component (import "h" (func $h (param "s" string))) (core module $mem (memory (export "m") 1) (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 0)) (core instance $mi (instantiate $mem)) (core func (canon lower (func $h) string-encoding=utf16 (memory (core memory $mi "m")) (realloc (core func $mi "realloc"))))))wat",
     "0061736d0d000100070801400101737301000a0601000168010001350061736d01000000"
     "01090160047f7f7f7f017f030201000503010001070f02016d0200077265616c6c6f6300"
     "000a0601040041000b02040100000006130200020100016d00000100077265616c6c6f63"
     "080a01010000030103000400"},
    {"insttype",
     R"wat((component (type $t u32) (import "i" (instance $i (export "f" (func (param "x" $t))) (export "r" (type (sub resource))))) (alias export $i "f" (func $f)) (export "g" (func $f))))wat",
     "0061736d0d000100071d0279420402030201000140010178000100040001660101040001"
     "7203010a0601000169050106060101000001660b0701000167010000"},
    {"resource",
     R"wat((component (core module $m (func (export "dtor") (param i32))) (core instance $i (instantiate $m)) (type $r (resource (rep i32) (dtor (core func $i "dtor")))) (core func (canon resource.new $r)) (core func (canon resource.drop $r)) (core func (canon resource.rep $r))))wat",
     "0061736d0d00010001230061736d0100000001050160017f00030201000708010464746f"
     "7200000a040102000b020401000000060a01000001000464746f720705013f7f01000807"
     "03020003000400"},
    {"async",
     R"wat((component (type $s (stream u8)) (core func (canon backpressure.inc)) (core func (canon task.return (result u32))) (core func (canon context.get i32 0)) (core func (canon stream.new $s)) (core func (canon waitable-set.new)) (core func (canon subtask.cancel async)) (core func (canon thread.index)) (core func (canon error-context.drop))))wat",
     "0061736d0d00010007040166017d08100824090079000a7f000e001f0601261e"},
    {"nested",
     R"wat((component $outer (type $t string) (import "g" (func $g (param "a" string))) (component $inner (import "x" (func (param "a" $t)))) (instance $c (instantiate $inner (with "x" (func $g))))))wat",
     "0061736d0d00010007090273400101617301000a0601000167010104210061736d0d0001"
     "0006050103020100070801400101610001000a0601000178010105080100000101780100"},
    {"bundle",
     R"wat((component (core module $m (func (export "f"))) (core instance $a (instantiate $m)) (core module $n (import "x" "f" (func))) (core instance (instantiate $n (with "x" (instance (export "f" (func $a "f"))))))))wat",
     "0061736d0d000100011f0061736d0100000001040160000003020100070501016600000a"
     "040102000b02040100000001170061736d01000000010401600000020701017801660000"
     "060701000001000166020e0201010166000000010101781201"},
    {"moduletype",
     R"wat((component (core type $mt (module (type $f (func (param i32))) (import "a" "b" (func (type $f))) (export "c" (func (param i32))) (export "m" (memory 1)))) (import "m" (core module (type $mt)))))wat",
     "0061736d0d000100031a0150040160017f0000016101620000030163000003016d020001"
     "0a070100016d001100"},
    {"comptype",
     R"wat((component (type (component (import "a" (func)) (export "b" (func (param "x" u8))))) (import "c" (component (export "d" (func))))))wat",
     "0061736d0d0001000729024104014000010003000161010001400101787d010004000162"
     "0101410201400001000400016401000a06010001630401"},
    {"start", R"wat((component (import "f" (func $f)) (start $f)))wat",
     "0061736d0d000100070501400001000a060100016601000903000000"},
};

}  // namespace

TEST(Component, EncodesLikeWasmTools) {
  WatOptions opts;
  opts.name_section = false;
  for (const Case& c : kCases) {
    auto r = component_to_binary(c.text, opts);
    ASSERT_TRUE(r.ok()) << c.name << ": " << r.error().to_string();
    EXPECT_EQ(*r, from_hex(c.hex)) << c.name;
  }
}

TEST(Component, InlineExportsGoLast) {
  // `(export "x")` on a definition becomes an export after every other field (as wast does).
  auto r = component_to_binary(R"((component (type (export "t") u8) (type u16)))");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, from_hex("0061736d0d000100"
                         "0703027d7b"             // type section: u8, u16
                         "0b0701000174030000"));  // export "t" (type 0)
}

TEST(Component, Errors) {
  struct Bad {
    const char* text;
    uint32_t line, col;
    const char* msg;
  };
  const Bad bad[] = {
      {"(component\n  (export \"x\" (func $nope)))", 2, 21, "unknown func $nope"},
      {"(component (type (recrod)))", 1, 19, "unknown type constructor"},
      {"(component (bogus))", 1, 13, "unknown component field"},
      {"(component (type $t u8) (type $t u8))", 1, 31, "duplicate type"},
      {"(component (core func (canon no.such)))", 1, 30, "unknown canonical built-in"},
      {"(component (type (func (result u8) (result u8))))", 1, 36, "multiple results"},
      {"(component $c (import \"x\" (func $f))\n (component (export \"y\" (func $f))))", 2, 31,
       "not a module, type, or component"},
  };
  for (const Bad& b : bad) {
    auto r = component_to_binary(b.text);
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_EQ(r.error().kind, hull::ErrorKind::Malformed) << b.text;
    EXPECT_EQ(r.error().line, b.line) << b.text << ": " << r.error().to_string();
    EXPECT_EQ(r.error().column, b.col) << b.text << ": " << r.error().to_string();
    EXPECT_NE(r.error().message.find(b.msg), std::string::npos) << r.error().to_string();
  }
}

TEST(Component, DeepNestingIsAnError) {
  std::string text = "(component (type ";
  for (int i = 0; i < 1500; ++i) text += "(list ";
  text += "u8";
  for (int i = 0; i < 1500; ++i) text += ")";
  text += "))";
  auto r = component_to_binary(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nesting too deep"), std::string::npos);
}

TEST(ComponentScript, Forms) {
  auto r = parse_script(R"W(
    (component $C (core module (func (export "f"))) (export "x" (type 0)))
    (component binary "\00asm" "\0d\00\01\00")
    (assert_malformed (component quote "(type (recrod))") "unknown type")
    (assert_invalid (component (type (own 0))) "not a resource")
    (component definition $D (import "f" (func)))
    (component instance $I $D)
    (assert_trap (component instance $D) "boom")
    (assert_unlinkable (component (import "q" (func))) "missing")
    (module $M (func (export "g")))
    (assert_return (invoke $M "g"))
  )W");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto& c = r->commands;
  ASSERT_EQ(c.size(), 10u);
  auto& m = std::get<ModuleCommand>(c[0].body).module;
  EXPECT_TRUE(m.component);
  EXPECT_EQ(m.id, "C");
  EXPECT_EQ(std::vector<uint8_t>(m.bytes.begin(), m.bytes.begin() + 8),
            from_hex("0061736d0d000100"));
  auto& bin = std::get<ModuleCommand>(c[1].body).module;
  EXPECT_TRUE(bin.component);
  EXPECT_EQ(bin.kind, ScriptModule::Binary);
  EXPECT_EQ(bin.bytes.size(), 8u);
  auto& q = std::get<AssertModule>(c[2].body).module;
  EXPECT_TRUE(q.component);
  EXPECT_EQ(q.kind, ScriptModule::Quote);
  EXPECT_FALSE(component_to_binary(q.quote).ok());
  EXPECT_TRUE(std::get<AssertModule>(c[3].body).module.component);
  EXPECT_TRUE(std::get<ModuleCommand>(c[4].body).module.definition);
  auto& inst = std::get<ModuleInstanceCommand>(c[5].body);
  EXPECT_TRUE(inst.component);
  EXPECT_EQ(inst.instance_id, "I");
  EXPECT_EQ(inst.module_id, "D");
  auto& at = std::get<AssertTrap>(c[6].body);
  ASSERT_TRUE(at.instance.has_value());
  EXPECT_EQ(at.instance->module_id, "D");
  EXPECT_TRUE(at.instance->component);
  ASSERT_TRUE(at.module.has_value());  // placeholder that fails to compile for old runners
  EXPECT_TRUE(at.module->encode_error.has_value());
  EXPECT_EQ(at.message, "boom");
  EXPECT_EQ(std::get<AssertModule>(c[7].body).kind, AssertModule::Unlinkable);
  // A core module after components: its actions use core values again.
  EXPECT_FALSE(std::get<AssertReturn>(c[9].body).action.component);
}

TEST(ComponentScript, Values) {
  auto r = parse_script(R"W(
    (component (core module))
    (assert_return
      (invoke "f" (bool.const true) (u8.const 255) (s8.const -1) (u16.const 7) (s16.const -2)
                  (u32.const 0xffffffff) (s32.const -3) (u64.const 1) (s64.const -1)
                  (f32.const 1.5) (f64.const -0x1p-1) (char.const "\u{1F600}") (str.const "hi"))
      (f32.const nan:canonical))
    (assert_return
      (invoke "g" (list.const (u32.const 1) (u32.const 2))
                  (record.const (field "s" str.const "v") (field "n" (u32.const 7))
                                (field "l" list.const (u8.const 1)))
                  (tuple.const (enum.const "e1") (variant.const "a") (variant.const "b" (u8.const 3)))
                  (option.none) (option.some (u8.const 1)) (result.ok) (result.err (str.const "x"))
                  (flags.const "f1" "f5")))
  )W");
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  using K = ComponentValue::Kind;
  auto& a = std::get<AssertReturn>(r->commands[1].body);
  ASSERT_TRUE(a.action.component);
  EXPECT_TRUE(a.action.args.empty());
  auto& v = a.action.component_args;
  ASSERT_EQ(v.size(), 13u);
  EXPECT_EQ(v[0].kind, K::Bool);
  EXPECT_EQ(v[0].bits, 1u);
  EXPECT_EQ(v[1].bits, 255u);
  EXPECT_EQ(v[2].kind, K::S8);
  EXPECT_EQ(v[2].bits, 0xFFu);
  EXPECT_EQ(v[5].bits, 0xFFFFFFFFu);
  EXPECT_EQ(v[8].bits, ~uint64_t(0));
  EXPECT_EQ(v[9].kind, K::F32);
  EXPECT_EQ(v[9].bits, 0x3FC00000u);
  EXPECT_EQ(v[10].bits, 0xBFE0000000000000u);
  EXPECT_EQ(v[11].kind, K::Char);
  EXPECT_EQ(v[11].bits, 0x1F600u);
  EXPECT_EQ(v[12].text, "hi");
  ASSERT_EQ(a.component_expected.size(), 1u);
  EXPECT_EQ(a.component_expected[0].nan, NanKind::Canonical);

  auto& g = std::get<AssertReturn>(r->commands[2].body).action.component_args;
  ASSERT_EQ(g.size(), 8u);
  EXPECT_EQ(g[0].kind, K::List);
  EXPECT_EQ(g[0].items.size(), 2u);
  EXPECT_EQ(g[1].kind, K::Record);
  EXPECT_EQ(g[1].names, (std::vector<std::string>{"s", "n", "l"}));
  EXPECT_EQ(g[1].items[0].text, "v");
  EXPECT_EQ(g[1].items[1].bits, 7u);
  EXPECT_EQ(g[1].items[2].kind, K::List);
  EXPECT_EQ(g[2].kind, K::Tuple);
  EXPECT_EQ(g[2].items[0].kind, K::Enum);
  EXPECT_EQ(g[2].items[0].text, "e1");
  EXPECT_TRUE(g[2].items[1].items.empty());
  EXPECT_EQ(g[2].items[2].items[0].bits, 3u);
  EXPECT_TRUE(g[3].items.empty());
  EXPECT_EQ(g[4].items.size(), 1u);
  EXPECT_TRUE(g[5].ok);
  EXPECT_FALSE(g[6].ok);
  EXPECT_EQ(g[6].items[0].text, "x");
  EXPECT_EQ(g[7].names, (std::vector<std::string>{"f1", "f5"}));
}

TEST(ComponentScript, UnknownCommandFailsLoudly) {
  auto r = parse_script("(module)\n  (assert_bogus (module) \"x\")");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().line, 2u);
  EXPECT_EQ(r.error().column, 4u);
  EXPECT_NE(r.error().message.find("assert_bogus"), std::string::npos);
  // Known but unmodelled forms are still recorded.
  auto s = parse_script("(thread $T (invoke \"f\")) (wait $T) (func)");
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(std::get<SkippedCommand>(s->commands[0].body).head, "thread");
  EXPECT_EQ(std::get<SkippedCommand>(s->commands[2].body).head, "func");
}
