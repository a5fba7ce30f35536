// Config::features through the public C++ API: each switch off rejects a module that uses its
// feature with a message naming the feature and the switch, on accepts it, and off still
// accepts a module that does not use it. gc is not implemented: its
// instructions are rejected whatever the switch says.
#include <gtest/gtest.h>

#include <functional>
#include <tuple>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

// An engine with every feature on except those `off` clears.
api::Engine engine_with(const std::function<void(api::Features&)>& off) {
  api::Config c;
  off(c.features);
  auto e = api::Engine::create(c);
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().to_string());
  return *e;
}

// Every feature off.
void all_off(api::Features& f) {
  f = api::Features{};
  f.simd = f.relaxed_simd = f.multi_memory = f.memory64 = f.reference_types = false;
  f.bulk_memory = f.multi_value = f.tail_call = f.function_references = false;
  f.extended_const = f.gc = f.exceptions = f.threads = false;
  f.wide_arithmetic = f.custom_page_sizes = false;
}

api::Result<api::Module> compile(const api::Engine& e, std::string_view wat) {
  return api::Module::from_wat(e, wat);
}

// WAT fails to compile under `off` with an Invalid error whose message contains every part of
// `want`, and compiles with every feature on.
void expect_gated(std::string_view wat, const std::function<void(api::Features&)>& off,
                  std::initializer_list<std::string_view> want) {
  auto r = compile(engine_with(off), wat);
  ASSERT_FALSE(r.ok()) << wat;
  EXPECT_EQ(r.error().kind, api::ErrorKind::Invalid) << r.error().to_string();
  for (std::string_view w : want)
    EXPECT_NE(r.error().message.find(w), std::string::npos)
        << "missing \"" << w << "\" in: " << r.error().message;
  auto on = compile(api::Engine(), wat);
  EXPECT_TRUE(on.ok()) << (on.ok() ? "" : on.error().to_string());
}

// A Wasm 1.0 module: it must compile and run with every feature off.
constexpr std::string_view kMvp = R"((module
  (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u)
  (memory 1)
  (table 1 funcref)
  (global (mut i32) (i32.const 0))
  (data (i32.const 0) "hi")
  (elem (i32.const 0) $add)))";

TEST(ApiFeatures, DefaultsAreAllOn) {
  api::Features f;
  EXPECT_TRUE(f.simd && f.relaxed_simd && f.multi_memory && f.memory64 && f.reference_types &&
              f.bulk_memory && f.multi_value && f.tail_call && f.function_references &&
              f.extended_const && f.gc && f.exceptions && f.threads && f.wide_arithmetic &&
              f.custom_page_sizes);
}

TEST(ApiFeatures, Wasm1ModuleRunsWithEverythingOff) {
  api::Engine e = engine_with(all_off);
  auto m = compile(e, kMvp);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Store store(e);
  api::Linker linker;
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto add = inst->typed_func<int32_t(int32_t, int32_t)>("add");
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(*add->call(2, 40), 42);
  auto load = inst->typed_func<int32_t(int32_t)>("load");
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(*load->call(1), 'i');
}

TEST(ApiFeatures, Simd) {
  auto off = [](api::Features& f) { f.simd = false; };
  expect_gated("(module (func v128.const i64x2 0 0 drop))", off,
               {"SIMD instruction v128.const at offset 0x",
                "requires the simd feature, which is disabled (Config::features.simd, hull run "
                "-W simd=y)"});
  expect_gated("(module (func (param v128)))", off, {"value type v128 of type 0", "simd"});
  expect_gated("(module (func (local v128)))", off, {"value type v128 of a local", "simd"});
  // relaxed SIMD builds on SIMD: with SIMD off, SIMD is what the message names.
  expect_gated(
      "(module (func (param v128 v128) (result v128) local.get 0 local.get 1 "
      "i8x16.relaxed_swizzle))",
      off, {"value type v128", "Config::features.simd"});
}

TEST(ApiFeatures, RelaxedSimd) {
  auto off = [](api::Features& f) { f.relaxed_simd = false; };
  expect_gated(
      "(module (func (param v128 v128) (result v128) local.get 0 local.get 1 "
      "i8x16.relaxed_swizzle))",
      off,
      {"relaxed SIMD instruction i8x16.relaxed_swizzle",
       "(Config::features.relaxed_simd, hull run -W relaxed-simd=y)"});
  EXPECT_TRUE(compile(engine_with(off),
                      "(module (func (param v128 v128) (result v128) local.get 0 local.get 1 "
                      "i8x16.swizzle))")
                  .ok());
}

TEST(ApiFeatures, MultiMemory) {
  auto off = [](api::Features& f) { f.multi_memory = false; };
  expect_gated("(module (memory 1) (memory 1))", off,
               {"a second memory", "Config::features.multi_memory", "-W multi-memory=y"});
  EXPECT_TRUE(compile(engine_with(off), "(module (memory 1))").ok());
}

TEST(ApiFeatures, Memory64) {
  auto off = [](api::Features& f) { f.memory64 = false; };
  expect_gated("(module (memory i64 1))", off, {"64-bit memory 0", "memory64"});
  expect_gated("(module (table i64 1 funcref))", off, {"64-bit table 0", "memory64"});
}

TEST(ApiFeatures, ReferenceTypes) {
  auto off = [](api::Features& f) { f.reference_types = false; };
  expect_gated("(module (func (param externref)))", off,
               {"value type externref of type 0", "reference-types"});
  expect_gated("(module (table 1 funcref) (table 1 funcref))", off, {"a second table"});
  expect_gated("(module (func ref.null func drop))", off, {"reference-types instruction ref.null"});
  EXPECT_TRUE(compile(engine_with(off), "(module (table 1 funcref))").ok());
}

TEST(ApiFeatures, BulkMemory) {
  auto off = [](api::Features& f) { f.bulk_memory = false; };
  expect_gated(
      "(module (memory 1) (func (memory.fill (i32.const 0) (i32.const 0) "
      "(i32.const 0))))",
      off, {"bulk memory instruction memory.fill", "-W bulk-memory=y"});
  expect_gated("(module (memory 1) (data \"x\"))", off, {"passive data segment 0"});
}

TEST(ApiFeatures, MultiValue) {
  auto off = [](api::Features& f) { f.multi_value = false; };
  expect_gated("(module (func (result i32 i32) i32.const 1 i32.const 2))", off,
               {"multiple results of type 0", "multi-value"});
  expect_gated("(module (func (result i32) i32.const 1 (block (param i32) (result i32))))", off,
               {"block type", "multi-value"});
  EXPECT_TRUE(
      compile(engine_with(off), "(module (func (result i32) (block (result i32) i32.const 1)))")
          .ok());
}

TEST(ApiFeatures, TailCall) {
  auto off = [](api::Features& f) { f.tail_call = false; };
  expect_gated("(module (func $f return_call $f))", off,
               {"tail call instruction return_call", "Config::features.tail_call"});
  EXPECT_TRUE(compile(engine_with(off), "(module (func $f call $f))").ok());
}

TEST(ApiFeatures, FunctionReferences) {
  auto off = [](api::Features& f) { f.function_references = false; };
  expect_gated("(module (type $t (func)) (func (param (ref $t))))", off,
               {"value type (ref 0) of type 1", "function-references"});
  expect_gated("(module (type $t (func)) (func (param (ref null $t)) local.get 0 call_ref $t))",
               off, {"function-references"});
  // Turning reference types off turns off what builds on them: the message names the base.
  expect_gated("(module (type $t (func)) (func (param (ref $t))))",
               [](api::Features& f) { f.reference_types = false; }, {"reference-types"});
}

TEST(ApiFeatures, ExtendedConst) {
  auto off = [](api::Features& f) { f.extended_const = false; };
  expect_gated("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))", off,
               {"extended constant instruction i32.add", "extended-const"});
  EXPECT_TRUE(compile(engine_with(off), "(module (global i32 (i32.const 3)))").ok());
  // Outside constant expressions i32.add is plain Wasm 1.0.
  EXPECT_TRUE(compile(engine_with(off), kMvp).ok());
}

TEST(ApiFeatures, WideArithmetic) {
  auto off = [](api::Features& f) { f.wide_arithmetic = false; };
  constexpr std::string_view kMulWide =
      "(module (func (export \"f\") (param i64 i64) (result i64 i64) local.get 0 local.get 1 "
      "i64.mul_wide_u))";
  expect_gated(kMulWide, off,
               {"wide arithmetic instruction i64.mul_wide_u at offset 0x",
                "(Config::features.wide_arithmetic, hull run -W wide-arithmetic=y)"});
  expect_gated(
      "(module (func (param i64 i64 i64 i64) (result i64 i64) local.get 0 local.get 1 "
      "local.get 2 local.get 3 i64.add128))",
      off, {"wide arithmetic instruction i64.add128", "wide-arithmetic"});
  EXPECT_TRUE(compile(engine_with(off), kMvp).ok());
  // On: the full product of 2^64-1 and 2^64-1 is 2^128 - 2^65 + 1 (low 1, high 2^64-2).
  api::Engine e;
  auto m = compile(e, kMulWide);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Store store(e);
  api::Linker linker;
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto f = inst->typed_func<std::tuple<int64_t, int64_t>(int64_t, int64_t)>("f");
  ASSERT_TRUE(f.ok()) << f.error().to_string();
  auto r = f->call(-1, -1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<0>(*r), 1);
  EXPECT_EQ(std::get<1>(*r), -2);
}

TEST(ApiFeatures, CustomPageSizes) {
  auto off = [](api::Features& f) { f.custom_page_sizes = false; };
  expect_gated("(module (memory 1 (pagesize 1)))", off,
               {"custom page size of memory 0",
                "(Config::features.custom_page_sizes, hull run "
                "-W custom-page-sizes=y)"});
  expect_gated("(module (import \"m\" \"mem\" (memory 0 (pagesize 1))))", off,
               {"custom page size of memory 0", "custom-page-sizes"});
  // An explicit 64 KiB page size is the default page size: no custom page size at all.
  EXPECT_TRUE(compile(engine_with(off), "(module (memory 1 (pagesize 65536)))").ok());
  EXPECT_TRUE(compile(engine_with(off), kMvp).ok());
}

// Not implemented: off, validation names the switch and says Hull lacks the feature; on,
// declarations validate and instructions keep today's refusal.
TEST(ApiFeatures, GcGatesTypesAndInstructions) {
  auto off = [](api::Features& f) { f.gc = false; };
  expect_gated("(module (type (struct (field i32))))", off,
               {"struct type 0", "requires the gc feature, which is disabled"});
  auto r = compile(engine_with(off), "(module (func (result anyref) ref.null any))");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("gc feature"), std::string::npos) << r.error().message;
  // Implemented now: the message must not claim otherwise, and with the switch on it runs.
  EXPECT_EQ(r.error().message.find("does not support"), std::string::npos) << r.error().message;
  constexpr const char* kNew = "(module (type $s (struct (field i32)))"
                               " (func (export \"f\") (result i32)"
                               " (struct.get $s 0 (struct.new $s (i32.const 5)))))";
  auto gated = compile(engine_with(off), kNew);
  ASSERT_FALSE(gated.ok());
  EXPECT_NE(gated.error().message.find("gc"), std::string::npos) << gated.error().message;
  api::Engine engine;
  auto m = api::Module::from_wat(engine, kNew);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto res = inst->get_func("f")->call({});
  ASSERT_TRUE(res.ok()) << res.error().to_string();
  EXPECT_EQ((*res)[0].i32(), 5);
  EXPECT_TRUE(compile(engine_with(off), kMvp).ok());
}

TEST(ApiFeatures, ExceptionsGateTagsAndThrow) {
  auto off = [](api::Features& f) { f.exceptions = false; };
  expect_gated("(module (tag))", off, {"tag 0", "Config::features.exceptions"});
  auto m = compile(engine_with(off), "(module (tag))");
  ASSERT_FALSE(m.ok());
  // Implemented now: the message must not claim otherwise.
  EXPECT_EQ(m.error().message.find("does not support"), std::string::npos) << m.error().message;
  expect_gated("(module (tag $e) (func throw $e))", off, {"exceptions"});
  expect_gated("(module (func (try_table)))", off, {"try_table", "exceptions feature"});
  EXPECT_TRUE(compile(engine_with(off), kMvp).ok());
}

TEST(ApiFeatures, Threads) {
  auto off = [](api::Features& f) { f.threads = false; };
  expect_gated("(module (memory 1 1 shared))", off,
               {"shared memory 0", "(Config::features.threads, hull run -W threads=y)"});
  // An atomic instruction on an unshared memory needs the feature too.
  expect_gated("(module (memory 1) (func (result i32) i32.const 0 i32.const 1 i32.atomic.rmw.add))",
               off,
               {"atomic instruction i32.atomic.rmw.add", "requires the threads feature",
                "(Config::features.threads, hull run -W threads=y)"});
  expect_gated("(module (func atomic.fence))", off, {"atomic instruction atomic.fence"});
  // Implemented: on, no message says it is not supported.
  auto r = compile(engine_with(off), "(module (memory 1 1 shared))");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("does not support"), std::string::npos) << r.error().message;
  // And on (the default) the atomic code runs.
  api::Engine e;
  auto m = compile(e,
                   "(module (memory 1 1 shared) (func (export \"inc\") (result i32) "
                   "i32.const 8 i32.const 5 i32.atomic.rmw.add drop "
                   "i32.const 8 i32.const 2 i32.atomic.rmw.add))");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Store store(e);
  api::Linker linker;
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto inc = inst->typed_func<int32_t()>("inc");
  ASSERT_TRUE(inc.ok());
  EXPECT_EQ(*inc->call(), 5);
}

}  // namespace
