// The native tier against the interpreter on what it compiled last: memories other than memory
// 0 (lower_memory.cc: loads, stores, SIMD, size/grow/fill/copy/init, memory64 among them), with
// guard pages and with explicit checks; funcref and externref values and the table
// instructions (lower_table.cc); tail calls (return_call, return_call_indirect, return_call_ref),
// a million deep between functions of different signatures, and call_ref. Each module is checked to
// have compiled natively, then every export is called in both tiers on the same arguments: same
// results, same traps, and the same memory contents afterwards.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"
#include "hull/native.hh"
#include "instantiated.h"

namespace {

namespace api = hull::api;
using hull_native_test::Instantiated;
using hull_native_test::interpret_named_functions;

std::string show(const api::Val& v) {
  if (v.type() == api::ValType::FuncRef) return v.is_null_ref() ? "func:null" : "func";
  if (v.type() == api::ValType::ExternRef) return v.is_null_ref() ? "extern:null" : "extern";
  if (v.type() == api::ValType::V128) {
    std::string s = "v128:";
    char buf[4];
    for (uint8_t b : v.v128()) {
      std::snprintf(buf, sizeof buf, "%02x", b);
      s += buf;
    }
    return s;
  }
  return std::to_string(v.i64());
}

// What one call gave: the results, or the trap's message.
std::string outcome(const api::Result<std::vector<api::Val>>& r) {
  if (!r.ok()) return "trap: " + r.error().message;
  std::string s;
  for (const api::Val& v : *r) s += show(v) + " ";
  return s;
}

class NativeGaps : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hull::native::register_tier();
    interpret_named_functions("interp");
  }
  static void TearDownTestSuite() { interpret_named_functions(nullptr); }
};

// ---- multi-memory -----------------------------------------------------------------------------

// Memory 0 is small and never touched by most functions; 1 is a plain 32-bit memory (guarded
// when guard pages are on), 2 a memory64 (always explicitly checked), 3 a 32-bit one that
// starts empty.
constexpr const char* kMemories = R"(
(module
  (memory $m0 (export "m0") 1)
  (memory $m1 (export "m1") 1 3)
  (memory $m2 (export "m2") i64 1 4)
  (memory $m3 (export "m3") 0 2)
  (data (memory $m1) (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\11\12")
  (data (memory $m2) (i64.const 65530) "\a1\a2\a3\a4\a5\a6")
  (data $pass "\de\ad\be\ef\42")
  (func (export "ld1") (param i32) (result i64) local.get 0 i64.load $m1)
  (func (export "ld1_off") (param i32) (result i32) local.get 0 i32.load16_s $m1 offset=65530)
  (func (export "ld1_8u") (param i32) (result i32) local.get 0 i32.load8_u $m1 offset=3)
  (func (export "ld2") (param i64) (result i32) local.get 0 i32.load $m2)
  (func (export "ld2_f64") (param i64) (result f64) local.get 0 f64.load $m2 offset=8)
  (func (export "ld3") (param i32) (result i32) local.get 0 i32.load $m3)
  (func (export "st1") (param i32 i64) local.get 0 local.get 1 i64.store $m1)
  (func (export "st1_16") (param i32 i32) local.get 0 local.get 1 i32.store16 $m1 offset=2)
  (func (export "st2") (param i64 i32) local.get 0 local.get 1 i32.store8 $m2)
  (func (export "st3") (param i32 i32) local.get 0 local.get 1 i32.store $m3)
  ;; Loads whose value is unused trap all the same.
  (func (export "unused1") (param i32) local.get 0 i32.load $m1 drop)
  (func (export "unused2") (param i64) local.get 0 i64.load $m2 drop)
  ;; Both memories in one function, around a growth of the one read.
  (func (export "mixed") (param i32) (result i32)
    local.get 0 i32.load8_u $m1
    local.get 0 i64.extend_i32_u i32.load8_u $m2 i32.add
    (drop (memory.grow $m3 (i32.const 1)))
    local.get 0 i32.load8_u $m3 offset=1 i32.add)
  (func (export "v1") (param i32) (result v128) local.get 0 v128.load $m1)
  (func (export "v2") (param i64) (result v128) local.get 0 v128.load $m2 offset=3)
  (func (export "vs1") (param i32 v128) local.get 0 local.get 1 v128.store $m1)
  (func (export "vl2") (param i64 v128) (result v128) local.get 0 local.get 1 v128.load16_lane $m2 3)
  (func (export "vsl1") (param i32 v128) local.get 0 local.get 1 v128.store32_lane $m1 2)
  (func (export "splat2") (param i64) (result v128) local.get 0 v128.load32_splat $m2)
  (func (export "size") (result i32 i64 i32 i32)
    memory.size $m1 memory.size $m2 memory.size $m3 memory.size $m0)
  (func (export "grow1") (param i32) (result i32) local.get 0 memory.grow $m1)
  (func (export "grow2") (param i64) (result i64) local.get 0 memory.grow $m2)
  (func (export "grow3") (param i32) (result i32) local.get 0 memory.grow $m3)
  (func (export "fill1") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.fill $m1)
  (func (export "fill2") (param i64 i32 i64) local.get 0 local.get 1 local.get 2 memory.fill $m2)
  (func (export "copy11") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy $m1 $m1)
  (func (export "copy12") (param i32 i64 i32) local.get 0 local.get 1 local.get 2 memory.copy $m1 $m2)
  (func (export "copy21") (param i64 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy $m2 $m1)
  (func (export "copy22") (param i64 i64 i64) local.get 0 local.get 1 local.get 2 memory.copy $m2 $m2)
  (func (export "copy30") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy $m3 $m0)
  (func (export "init1") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $m1 $pass)
  (func (export "init2") (param i64 i32 i32) local.get 0 local.get 1 local.get 2 memory.init $m2 $pass)
  (func (export "drop") data.drop $pass))
)";

std::vector<uint64_t> edges32() {
  return {0,      1,      3,      7,      8,      15,         16,         65520,
          65528,  65529,  65531,  65532,  65534,  65535,      65536,      65537,
          131064, 131070, 131072, 196600, 196608, 0x7fffffff, 0xfffffff8, 0xffffffff};
}
std::vector<uint64_t> edges64() {
  std::vector<uint64_t> v = edges32();
  for (uint64_t x : {uint64_t{1} << 32, (uint64_t{1} << 32) + 1, uint64_t{262136}, uint64_t{262144},
                     ~uint64_t{0} - 7, ~uint64_t{0}})
    v.push_back(x);
  return v;
}

void memories_as_the_interpreter(api::BoundsChecks checks) {
  Instantiated a(api::Tier::Interpreter, kMemories, checks);
  Instantiated b(api::Tier::Native, kMemories, checks);
  EXPECT_EQ(b.interpreted(), std::vector<std::string>{});
  int calls = 0, traps = 0;
  auto both = [&](const std::string& f, std::vector<api::Val> args) {
    const std::string x = outcome(a.call(f, args));
    EXPECT_EQ(x, outcome(b.call(f, args))) << f << " " << (args.empty() ? "" : show(args[0]));
    ++calls;
    traps += x.starts_with("trap");
  };
  auto i32 = [](uint64_t x) { return api::Val(static_cast<uint32_t>(x)); };
  auto i64 = [](uint64_t x) { return api::Val(x); };
  std::array<uint8_t, 16> bytes{};
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(0x30 + i * 7);
  const api::Val v = api::Val::v128(bytes);
  // Three rounds: as instantiated, after growing every memory, after filling and copying.
  for (int round = 0; round < 3; ++round) {
    both("size", {});
    for (uint64_t x : edges32()) {
      for (const char* f : {"ld1", "ld1_off", "ld1_8u", "ld3", "unused1", "mixed", "v1"})
        both(f, {i32(x)});
      both("st1", {i32(x), i64(0x1122334455667788ull + x)});
      both("st1_16", {i32(x), i32(0xbeef + x)});
      both("st3", {i32(x), i32(x * 3)});
      both("vs1", {i32(x), v});
      both("vsl1", {i32(x), v});
    }
    for (uint64_t x : edges64()) {
      for (const char* f : {"ld2", "ld2_f64", "unused2", "v2", "splat2"}) both(f, {i64(x)});
      both("st2", {i64(x), i32(x + 5)});
      both("vl2", {i64(x), v});
    }
    if (round == 0) {
      both("grow1", {i32(1)});
      both("grow1", {i32(5)});  // past the maximum: -1
      both("grow2", {i64(2)});
      both("grow2", {i64(~uint64_t{0})});
      both("grow3", {i32(1)});
    }
    if (round == 1) {
      for (uint64_t d : {uint64_t{0}, uint64_t{100}, uint64_t{65530}, uint64_t{131072}}) {
        for (uint64_t n : {uint64_t{0}, uint64_t{6}, uint64_t{65536}, uint64_t{0xffffffff}}) {
          both("fill1", {i32(d), i32(0x5a + d), i32(n)});
          both("fill2", {i64(d), i32(0xa5 + n), i64(n)});
          both("copy11", {i32(d), i32(n), i32(n + 3)});
          both("copy12", {i32(d), i64(65528), i32(n)});
          both("copy21", {i64(d + 196600), i32(1), i32(n)});
          both("copy22", {i64(d), i64(d + 7), i64(n)});
          both("copy30", {i32(d), i32(n), i32(7)});
          both("init1", {i32(d), i32(n), i32(2)});
          both("init2", {i64(d + 65534), i32(1), i32(n)});
        }
      }
      both("drop", {});
      both("init1", {i32(0), i32(0), i32(0)});
      both("init2", {i64(0), i32(0), i32(1)});
    }
  }
  EXPECT_GT(calls, 1000);
  EXPECT_GT(traps, 200);
  for (const char* m : {"m0", "m1", "m2", "m3"}) {
    auto ma = a.inst->get_memory(m), mb = b.inst->get_memory(m);
    ASSERT_TRUE(ma && mb) << m;
    ASSERT_EQ(ma->size(), mb->size()) << m;
    EXPECT_EQ(std::memcmp(ma->data(), mb->data(), ma->size()), 0) << m;
  }
}

TEST_F(NativeGaps, MemoriesWithGuardPages) {
  if (!api::guard_pages_supported()) GTEST_SKIP() << "no guard pages here";
  memories_as_the_interpreter(api::BoundsChecks::Guard);
}

TEST_F(NativeGaps, MemoriesWithExplicitChecks) {
  memories_as_the_interpreter(api::BoundsChecks::Explicit);
}

// ---- references and tables --------------------------------------------------------------------

// Functions are told apart by what they return when called through $t (their identity is a
// pointer of the store). $e holds externrefs the host made.
constexpr const char* kTables = R"(
(module
  (type $f (func (result i32)))
  (table $t (export "t") 4 8 funcref)
  (table $e (export "e") 3 6 externref)
  (table $w i64 2 funcref)
  (elem $seg func $a $b $c)
  (elem $seg2 funcref (ref.func $c) (ref.null func) (ref.func $a))
  (elem declare func $d)
  (func $a (type $f) i32.const 11)
  (func $b (type $f) i32.const 22)
  (func $c (type $f) i32.const 33)
  (func $d (type $f) i32.const 44)
  (func (export "call") (param i32) (result i32) local.get 0 call_indirect $t (type $f))
  (func (export "get") (param i32) (result funcref) local.get 0 table.get $t)
  (func (export "set") (param i32 funcref) local.get 0 local.get 1 table.set $t)
  (func (export "set_d") (param i32) local.get 0 ref.func $d table.set $t)
  (func (export "size") (result i32 i32 i64) table.size $t table.size $e table.size $w)
  (func (export "grow") (param i32 i32) (result i32)
    (table.grow $t (select (result funcref) (ref.func $b) (ref.null func) (local.get 1))
                   (local.get 0)))
  (func (export "grow64") (param i64) (result i64) (table.grow $w (ref.func $c) (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (table.fill $t (local.get 0)
    (if (result funcref) (local.get 1) (then (ref.func $a)) (else (ref.null func))) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_w") (param i64 i32 i32) (table.copy $w $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_back") (param i32 i64 i32) (table.copy $t $w (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (table.init $t $seg (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init2") (param i32 i32 i32) (table.init $t $seg2 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") elem.drop $seg)
  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "non_null") (param i32) (result i32)
    (ref.is_null (ref.as_non_null (table.get $t (local.get 0)))))
  (func (export "as_non_null") (param i32) (result funcref)
    (ref.as_non_null (table.get $t (local.get 0))))
  (func (export "on_null") (param i32) (result i32)
    (block $null (result i32)
      (i32.const 7)
      (br_on_null $null (table.get $t (local.get 0)))
      drop drop i32.const 1))
  (func (export "on_non_null") (param i32) (result i32)
    (block $nn (result (ref func))
      (br_on_non_null $nn (table.get $t (local.get 0)))
      (return (i32.const -1)))
    ref.is_null)
  ;; Block and loop values, locals and params of reference types.
  (func $pick (param funcref funcref i32) (result funcref)
    (local funcref)
    (local.set 3 (select (result funcref) (local.get 0) (local.get 1) (local.get 2)))
    (loop $l (result funcref) (local.get 3)))
  (func (export "pick") (param i32 i32 i32) (result i32)
    (table.set $t (i32.const 0)
      (call $pick (table.get $t (local.get 0)) (table.get $t (local.get 1)) (local.get 2)))
    (call_indirect $t (type $f) (i32.const 0)))
  (func (export "eget") (param i32) (result externref) local.get 0 table.get $e)
  (func (export "eset") (param i32 externref) local.get 0 local.get 1 table.set $e)
  (func (export "efill") (param i32 externref i32) local.get 0 local.get 1 local.get 2 table.fill $e)
  (func (export "egrow") (param externref i32) (result i32) local.get 0 local.get 1 table.grow $e)
  (func (export "epass") (param externref externref i32) (result externref)
    (select (result externref) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "eis_null") (param externref) (result i32) local.get 0 ref.is_null)
  ;; Holds an externref across a call (its root frame shows it to collections).
  (func $held (export "held") (param externref) (result externref)
    (drop (call $a)) local.get 0))
)";

TEST_F(NativeGaps, ReferencesAndTables) {
  Instantiated a(api::Tier::Interpreter, kTables);
  Instantiated b(api::Tier::Native, kTables);
  // Every function runs as machine code, $held (an externref across a call) included.
  EXPECT_EQ(b.interpreted(), std::vector<std::string>{});
  int traps = 0, calls = 0;
  // The host's externrefs: one per store, told apart by their host values.
  auto ext = [](Instantiated& x, uint64_t v) { return x.store->new_externref(v); };
  auto shown = [](Instantiated& x, const api::Result<std::vector<api::Val>>& r) {
    std::string s = outcome(r);
    if (r.ok())
      for (const api::Val& v : *r)
        if (v.type() == api::ValType::ExternRef && !v.is_null_ref())
          s += "=" + std::to_string(x.store->externref_value(v).value_or(999));
    return s;
  };
  auto both = [&](const std::string& f,
                  const std::function<std::vector<api::Val>(Instantiated&)>& args) {
    const std::string x = shown(a, a.call(f, args(a)));
    EXPECT_EQ(x, shown(b, b.call(f, args(b)))) << f;
    ++calls;
    traps += x.starts_with("trap");
  };
  auto i32s = [](std::vector<uint32_t> v) {
    return [v](Instantiated&) {
      std::vector<api::Val> r;
      for (uint32_t x : v) r.push_back(api::Val(x));
      return r;
    };
  };
  auto state = [&] {
    both("size", i32s({}));
    for (uint32_t i = 0; i < 10; ++i) {
      for (const char* f :
           {"call", "get", "is_null", "non_null", "as_non_null", "on_null", "on_non_null", "eget"})
        both(f, i32s({i}));
    }
  };
  state();
  both("init", i32s({0, 0, 3}));
  both("init", i32s({2, 1, 2}));
  both("init", i32s({3, 0, 2}));  // out of bounds
  both("init", i32s({4, 3, 0}));  // empty at the end: fine
  both("init", i32s({5, 0, 0}));  // past the end: traps
  state();
  both("set_d", i32s({1}));
  both("set_d", i32s({4}));
  both("set", [](Instantiated&) {
    return std::vector<api::Val>{api::Val(2u), api::Val::null(api::ValType::FuncRef)};
  });
  for (uint32_t i = 0; i < 4; ++i)
    for (uint32_t j = 0; j < 4; ++j)
      for (uint32_t c = 0; c < 2; ++c) both("pick", i32s({i, j, c}));
  state();
  both("grow", i32s({2, 1}));
  both("grow", i32s({1, 0}));
  both("grow", i32s({5, 1}));  // past the maximum: -1
  both("grow64", [](Instantiated&) { return std::vector<api::Val>{api::Val(uint64_t{3})}; });
  both("grow64", [](Instantiated&) { return std::vector<api::Val>{api::Val(~uint64_t{0})}; });
  both("copy_w", [](Instantiated&) {
    return std::vector<api::Val>{api::Val(uint64_t{1}), api::Val(0u), api::Val(3u)};
  });
  both("copy_back", [](Instantiated&) {
    return std::vector<api::Val>{api::Val(4u), api::Val(uint64_t{2}), api::Val(3u)};
  });
  both("copy_back", [](Instantiated&) {
    return std::vector<api::Val>{api::Val(4u), api::Val(uint64_t{3}), api::Val(3u)};
  });
  state();
  both("fill", i32s({1, 1, 2}));
  both("fill", i32s({6, 0, 1}));
  both("fill", i32s({6, 0, 3}));
  both("copy", i32s({0, 2, 5}));
  both("copy", i32s({3, 0, 5}));
  both("copy", i32s({5, 0, 5}));
  state();
  both("drop", i32s({}));
  both("init", i32s({0, 0, 1}));
  both("init", i32s({0, 0, 0}));
  both("init2", i32s({5, 0, 3}));
  state();
  // Externrefs: through params, results, selects and the table.
  both("eset", [&](Instantiated& x) { return std::vector<api::Val>{api::Val(1u), ext(x, 41)}; });
  both("eset", [&](Instantiated& x) { return std::vector<api::Val>{api::Val(3u), ext(x, 42)}; });
  both("efill", [&](Instantiated& x) {
    return std::vector<api::Val>{api::Val(2u), ext(x, 43), api::Val(1u)};
  });
  both("egrow", [&](Instantiated& x) { return std::vector<api::Val>{ext(x, 44), api::Val(2u)}; });
  both("egrow", [&](Instantiated& x) { return std::vector<api::Val>{ext(x, 45), api::Val(2u)}; });
  for (uint32_t c = 0; c < 2; ++c) {
    both("epass", [&](Instantiated& x) {
      return std::vector<api::Val>{ext(x, 50), api::Val::null(api::ValType::ExternRef),
                                   api::Val(c)};
    });
  }
  both("eis_null", [&](Instantiated& x) { return std::vector<api::Val>{ext(x, 51)}; });
  both("eis_null", [&](Instantiated&) {
    return std::vector<api::Val>{api::Val::null(api::ValType::ExternRef)};
  });
  both("held", [&](Instantiated& x) { return std::vector<api::Val>{ext(x, 52)}; });
  state();
  EXPECT_GT(calls, 400);
  EXPECT_GT(traps, 60);
  // The trap texts are the interpreter's.
  EXPECT_EQ(outcome(b.call("get", {api::Val(100u)})).substr(0, 32),
            "trap: out of bounds table access");
}

// ---- tail calls -------------------------------------------------------------------------------

// Mutual tail recursion a million deep between functions of different signatures, directly and
// through the table; results of many values (more than the registers hold); tail calls of an
// import, of a function left interpreted, and of one of another instance's functions; traps.
constexpr const char* kTail = R"(
(module
  (import "host" "add" (func $host_add (param i64 i64) (result i64)))
  (type $even_t (func (param i64 i32) (result i64)))
  (type $odd_t (func (param f64 i64 i64) (result i64)))
  (type $many_t (func (param i64) (result i64 i32 i64 f64 i64 i32 i64 f32 i64)))
  (type $many2_t (func (param i32 i64) (result i64 i32 i64 f64 i64 i32 i64 f32 i64)))
  (type $ii (func (param i64 i64) (result i64)))
  (table $t 8 funcref)
  (elem (table $t) (i32.const 0) func $even $odd $many $many2 $host_add $interp $even $odd)
  (func $even (export "even") (type $even_t)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.extend_i32_u (local.get 1)))
      (else (return_call $odd (f64.const 1.5) (i64.sub (local.get 0) (i64.const 1))
                              (i64.extend_i32_u (local.get 1))))))
  (func $odd (type $odd_t)
    (if (result i64) (i64.eqz (local.get 1)) (then (i64.add (local.get 2) (i64.const 100)))
      (else (return_call $even (i64.sub (local.get 1) (i64.const 1))
                               (i32.add (i32.wrap_i64 (local.get 2)) (i32.const 1))))))
  (func $even_i (export "even_i") (param i64 i32) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.extend_i32_u (local.get 1)))
      (else (return_call_indirect $t (type $odd_t) (f64.const 1.5)
              (i64.sub (local.get 0) (i64.const 1)) (i64.extend_i32_u (local.get 1))
              (i32.const 7)))))
  (func $odd_i (param f64 i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 1)) (then (i64.add (local.get 2) (i64.const 100)))
      (else (return_call_indirect $t (type $even_t) (i64.sub (local.get 1) (i64.const 1))
              (i32.add (i32.wrap_i64 (local.get 2)) (i32.const 1)) (i32.const 6)))))
  (func $many (export "many") (type $many_t)
    (if (result i64 i32 i64 f64 i64 i32 i64 f32 i64) (i64.eqz (local.get 0))
      (then (i64.const 1) (i32.const 2) (i64.const 3) (f64.const 4.5) (i64.const 5)
            (i32.const 6) (i64.const 7) (f32.const 8.5) (i64.const 9))
      (else (return_call $many2 (i32.const 3) (i64.sub (local.get 0) (i64.const 1))))))
  (func $many2 (type $many2_t)
    (return_call_indirect $t (type $many_t) (local.get 1) (i32.const 2)))
  (func $interp (type $ii) (local i31ref) (i64.mul (local.get 0) (local.get 1)))
  (func (export "via") (param i64 i64 i32) (result i64)
    (return_call_indirect $t (type $ii) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "host") (param i64 i64) (result i64)
    (return_call $host_add (local.get 0) (local.get 1)))
  (func (export "interp") (param i64 i64) (result i64)
    (return_call $interp (local.get 0) (local.get 1)))
  (elem declare func $mul $count_ref $interp)
  (func $mul (type $ii) (i64.mul (local.get 0) (local.get 1)))
  (func (export "cref") (param i64 i32) (result i64)
    (call_ref $ii (local.get 0) (i64.const 3)
      (select (result (ref null $ii)) (ref.func $mul) (ref.null $ii) (local.get 1))))
  (func $count_ref (export "count_ref") (type $ii)
    (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
      (else (return_call_ref $ii (i64.sub (local.get 0) (i64.const 1))
              (i64.add (local.get 1) (i64.const 2)) (ref.func $count_ref)))))
  (func (export "rref_null") (result i64)
    (return_call_ref $ii (i64.const 1) (i64.const 2) (ref.null $ii)))
  (func (export "rref_interp") (result i64)
    (return_call_ref $ii (i64.const 6) (i64.const 7) (ref.func $interp)))
  (func (export "bad") (param i32) (result i64)
    (return_call_indirect $t (type $ii) (i64.const 1) (i64.const 2) (local.get 0))))
)";

TEST_F(NativeGaps, TailCalls) {
  auto host = [](api::Linker& l) {
    l.func_generic("host", "add",
                   api::FuncType{{api::ValType::I64, api::ValType::I64}, {api::ValType::I64}},
                   [](api::Caller&, std::span<const api::Val> args, std::span<api::Val> results) {
                     results[0] = api::Val(args[0].i64() + args[1].i64());
                   });
  };
  auto run = [&](api::Tier tier, bool fuel) {
    api::Config c;
    c.tier = tier;
    c.consume_fuel = fuel;
    auto e = api::Engine::create(c);
    EXPECT_TRUE(e.ok());
    auto m = api::Module::from_wat(*e, kTail);
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    api::Store store(*e);
    api::Linker linker;
    host(linker);
    auto inst = linker.instantiate(store, *m);
    EXPECT_TRUE(inst.ok()) << inst.error().to_string();
    if (tier == api::Tier::Native) {
      const hull::CompiledModule& cm = *m->compiled();
      for (uint32_t f = cm.desc.num_imported_funcs; f < cm.desc.num_funcs(); ++f) {
        auto name = cm.desc.func_names.find(f);
        const std::string why = hull::native_tier()->interpreted_because(cm, f);
        if (name != cm.desc.func_names.end() && name->second == "interp")
          EXPECT_EQ(why, hull_native_test::kLeftByRequest);
        else
          EXPECT_EQ(why, "") << f;
      }
    }
    std::vector<std::string> out;
    auto call = [&](const std::string& f, std::vector<api::Val> args) {
      auto fn = inst->get_func(f);
      EXPECT_TRUE(fn.has_value()) << f;
      if (fuel) EXPECT_TRUE(store.set_fuel(f == "even" ? 100'000'000 : 3'000'000).ok());
      out.push_back(f + ": " +
                    outcome(fn->call(std::span<const api::Val>(args.data(), args.size()))));
      // The same fuel in both tiers, tail calls included (a million-deep run of them uses up
      // 3,000,000 partway: the same trap at the same count).
      if (fuel) out.back() += " fuel " + std::to_string(*store.get_fuel());
    };
    call("even", {api::Val(int64_t{1'000'000}), api::Val(0u)});
    call("even", {api::Val(int64_t{1'000'001}), api::Val(5u)});
    call("even_i", {api::Val(int64_t{1'000'000}), api::Val(0u)});
    call("even_i", {api::Val(int64_t{999'999}), api::Val(1u)});
    call("many", {api::Val(int64_t{1'000'000})});
    for (uint32_t i = 0; i < 10; ++i)
      call("via", {api::Val(int64_t{6}), api::Val(int64_t{7}), api::Val(i)});
    call("host", {api::Val(int64_t{40}), api::Val(int64_t{2})});
    call("interp", {api::Val(int64_t{6}), api::Val(int64_t{7})});
    for (uint32_t i : {0u, 4u, 8u, 100u}) call("bad", {api::Val(i)});
    call("cref", {api::Val(int64_t{5}), api::Val(1u)});
    call("cref", {api::Val(int64_t{5}), api::Val(0u)});
    call("count_ref", {api::Val(int64_t{1'000'000}), api::Val(int64_t{1})});
    call("rref_null", {});
    call("rref_interp", {});
    return out;
  };
  EXPECT_EQ(run(api::Tier::Interpreter, true), run(api::Tier::Native, true));
  const std::vector<std::string> a = run(api::Tier::Interpreter, false);
  const std::vector<std::string> b = run(api::Tier::Native, false);
  EXPECT_EQ(a, b);
  ASSERT_GE(b.size(), 5u);
  EXPECT_EQ(b[0], "even: 500000 ");
  EXPECT_TRUE(b[4].starts_with("many: 1 2 3 ")) << b[4];
  ASSERT_EQ(b.size(), 26u);
  EXPECT_EQ(b[21], "cref: 15 ");
  EXPECT_EQ(b[22], "cref: trap: null function reference");
  EXPECT_EQ(b[23], "count_ref: 2000001 ");
  EXPECT_EQ(b[24], "rref_null: trap: null function reference");
  EXPECT_EQ(b[25], "rref_interp: 42 ");
}

}  // namespace
