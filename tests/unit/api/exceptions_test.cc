// Wasm exceptions through the public C++ API: an exception nothing catches is a trap with code
// Exception that carries its tag and payload; a host function throws one that wasm catches;
// tags are exported, imported and created by the host; exnrefs survive collections.
#include <gtest/gtest.h>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

api::Module wat(const api::Engine& e, std::string_view text) {
  auto m = api::Module::from_wat(e, text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
  return *m;
}

constexpr std::string_view kThrower = R"((module
  (tag $e (export "e") (param i32 i64))
  (tag $other (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0) (i64.const -5)))
  (func (export "throw_other") (throw $other (i32.const 1)))
  ;; catches $e thrown by the callee and returns its payload
  (func (export "catch") (param i32) (result i32 i64)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (call 0 (local.get 0)))
      (unreachable)))
  (func (export "catch_all") (result i32)
    (block $h (try_table (catch_all $h) (call 1)) (return (i32.const 0)))
    (i32.const 1))))";

TEST(ApiExceptions, UncaughtIsATrapWithTagAndPayload) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kThrower));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto r = inst->get_func("throw")->call({api::Val(int32_t{42})});
  ASSERT_FALSE(r.ok());
  const api::Error& e = r.error();
  EXPECT_EQ(e.kind, api::ErrorKind::Trap);
  ASSERT_TRUE(e.trap);
  EXPECT_EQ(e.trap->code, api::TrapCode::Exception);
  EXPECT_EQ(e.trap->message, "uncaught exception (i32 42, i64 -5)");
  ASSERT_NE(e.exception(), nullptr);
  EXPECT_EQ(e.exception()->tag, *inst->get_tag("e"));
  ASSERT_EQ(e.exception()->args.size(), 2u);
  EXPECT_EQ(e.exception()->args[0], api::Val(int32_t{42}));
  EXPECT_EQ(e.exception()->args[1], api::Val(int64_t{-5}));
  EXPECT_EQ(e.exception()->tag.type(), (api::FuncType{{api::ValType::I32, api::ValType::I64}, {}}));
  // The trace is the throw's.
  ASSERT_FALSE(e.trap->trace.empty());
  EXPECT_EQ(e.trap->trace[0].func_index, 0u);
  // Ordinary traps carry no exception.
  auto div = wat(engine, "(module (func (export \"f\") unreachable))");
  auto i2 = linker.instantiate(store, div);
  auto t = i2->get_func("f")->call({});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().exception(), nullptr);
  EXPECT_EQ(t.error().trap->code, api::TrapCode::Unreachable);
}

TEST(ApiExceptions, CaughtInWasmAcrossFrames) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kThrower));
  ASSERT_TRUE(inst.ok());
  auto r = inst->get_func("catch")->call({api::Val(int32_t{7})});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0], api::Val(int32_t{7}));
  EXPECT_EQ((*r)[1], api::Val(int64_t{-5}));
  auto all = inst->get_func("catch_all")->call({});
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  EXPECT_EQ((*all)[0], api::Val(int32_t{1}));
}

// A host function throws an exception of an imported tag; the wasm caller catches it, and an
// exception thrown past the host's own call into wasm reaches the outer wasm handler.
TEST(ApiExceptions, HostFunctionThrowsAndWasmCatches) {
  api::Engine engine;
  api::Store store(engine);
  auto tag = api::Tag::create(store, {api::ValType::I32});
  ASSERT_TRUE(tag.ok());
  api::Linker linker;
  linker.define("host", "tag", *tag);
  api::Tag t = *tag;
  linker.func("host", "fail", [t](int32_t x) -> std::optional<api::Trap> {
    if (x < 0) return api::throw_exception(t, {api::Val(x * 10)});
    return std::nullopt;
  });
  linker.func("host", "bad_payload", [t]() -> std::optional<api::Trap> {
    return api::throw_exception(t, {api::Val(int64_t{1})});  // i64 where the tag has i32
  });
  auto m = wat(engine, R"((module
    (import "host" "tag" (tag $t (param i32)))
    (import "host" "fail" (func $fail (param i32)))
    (import "host" "bad_payload" (func $bad))
    (func (export "run") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $t $h) (call $fail (local.get 0)))
        (i32.const -1)))
    (func (export "bad") (call $bad))
    (func (export "uncaught") (call $fail (i32.const -2)))))");
  auto inst = linker.instantiate(store, m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto run = inst->get_func("run");
  auto caught = run->call({api::Val(int32_t{-4})});
  ASSERT_TRUE(caught.ok()) << caught.error().to_string();
  EXPECT_EQ((*caught)[0], api::Val(int32_t{-40}));
  auto normal = run->call({api::Val(int32_t{3})});
  ASSERT_TRUE(normal.ok());
  EXPECT_EQ((*normal)[0], api::Val(int32_t{-1}));
  // Thrown by the host, caught by nobody: back at the embedder with the host's tag.
  auto up = inst->get_func("uncaught")->call({});
  ASSERT_FALSE(up.ok());
  ASSERT_NE(up.error().exception(), nullptr);
  EXPECT_EQ(up.error().exception()->tag, t);
  EXPECT_EQ(up.error().exception()->args[0], api::Val(int32_t{-20}));
  // A payload that does not fit the tag is a host trap that says so, not an exception.
  auto bad = inst->get_func("bad")->call({});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().exception(), nullptr);
  EXPECT_EQ(bad.error().trap->code, api::TrapCode::Host);
  EXPECT_NE(bad.error().trap->message.find("do not match its tag's type"), std::string::npos)
      << bad.error().trap->message;
}

// wasm -> host -> wasm: the inner wasm throws, the host passes the error on unchanged, and the
// outer wasm catches the very exception.
TEST(ApiExceptions, ExceptionCrossesHostFrame) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto thrower = linker.instantiate(store, wat(engine, kThrower));
  ASSERT_TRUE(thrower.ok());
  linker.define_instance("m", *thrower);
  api::Func inner = *thrower->get_func("throw");
  linker.func("host", "relay", [inner](int32_t x) -> std::optional<api::Trap> {
    auto r = inner.call({api::Val(x)});
    if (!r.ok()) return *r.error().trap;
    return std::nullopt;
  });
  auto outer = linker.instantiate(store, wat(engine, R"((module
    (import "m" "e" (tag $e (param i32 i64)))
    (import "host" "relay" (func $relay (param i32)))
    (func (export "run") (result i32 i64)
      (block $h (result i32 i64)
        (try_table (catch $e $h) (call $relay (i32.const 9)))
        (unreachable)))))"));
  ASSERT_TRUE(outer.ok()) << outer.error().to_string();
  auto r = outer->get_func("run")->call({});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0], api::Val(int32_t{9}));
  EXPECT_EQ((*r)[1], api::Val(int64_t{-5}));
}

// Exceptions caught with catch_ref and dropped, many thousands of times: the heap collects
// them (the loop would otherwise keep every one), and an exnref kept in a global survives.
TEST(ApiExceptions, ExposedExceptionsAreCollected) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, R"((module
    (tag $e (param i32))
    (global $kept (mut exnref) (ref.null exn))
    (func $catch_ref (param i32) (result exnref)
      (block $h (result i32 exnref)
        (try_table (catch_ref $e $h) (throw $e (local.get 0)))
        (unreachable))
      (return))
    (func (export "churn") (param i32)
      (global.set $kept (call $catch_ref (i32.const 12345)))
      (loop $l
        (drop (call $catch_ref (local.get 0)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
    (func (export "rethrow_kept") (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (throw_ref (global.get $kept)))
        (unreachable)))))"));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto churn = inst->get_func("churn")->call({api::Val(int32_t{20000})});
  ASSERT_TRUE(churn.ok()) << churn.error().to_string();
  auto kept = inst->get_func("rethrow_kept")->call({});
  ASSERT_TRUE(kept.ok()) << kept.error().to_string();
  EXPECT_EQ((*kept)[0], api::Val(int32_t{12345}));
  EXPECT_LT(store.stats().exceptions, 4096u);
}

}  // namespace
