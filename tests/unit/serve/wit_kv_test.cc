// The serve interfaces end to end: a hand-written component imports wasi:keyvalue (store and
// atomics at 0.2.0-draft2) and fermyon:spin/variables, opens a store, sets, gets and increments
// through the interface; a store the component does not list answers access-denied.
#include <gtest/gtest.h>

#include <filesystem>

#include "hull/component.hh"
#include "serve/wit.h"
#include "text/component.h"

namespace {

namespace ac = hull::api::component;
using namespace hull::serve;

// run(): opens "default", sets greeting = "hello", reads it back, increments "counter" by 7 and
// then by 35, and returns the counter; a failing step returns a negative code (-1000 - the
// error case of open, -2000 set, -3000.. get, -4000 increment).
// denied(): opens "secret" and returns the error case index (1 = access-denied), or 99.
// variable(): reads the Spin variable "greeting" and returns its length, or -(10 + error case).
const char* kKvComponent = R"((component
  (import "wasi:keyvalue/store@0.2.0-draft2" (instance $store
    (type $error (variant (case "no-such-store") (case "access-denied") (case "other" string)))
    (export "error" (type $err (eq $error)))
    (export "bucket" (type $bucket (sub resource)))
    (export "open" (func (param "identifier" string) (result (result (own $bucket) (error $err)))))
    (export "[method]bucket.get" (func (param "self" (borrow $bucket)) (param "key" string)
      (result (result (option (list u8)) (error $err)))))
    (export "[method]bucket.set" (func (param "self" (borrow $bucket)) (param "key" string)
      (param "value" (list u8)) (result (result (error $err)))))))
  (alias export $store "bucket" (type $bucket-t))
  (alias export $store "error" (type $error-t))
  (import "wasi:keyvalue/atomics@0.2.0-draft2" (instance $atomics
    (alias outer 1 $bucket-t (type $b))
    (export "bucket" (type $bb (eq $b)))
    (alias outer 1 $error-t (type $e))
    (export "error" (type $ee (eq $e)))
    (export "increment" (func (param "bucket" (borrow $bb)) (param "key" string)
      (param "delta" s64) (result (result s64 (error $ee)))))))
  (import "fermyon:spin/variables@2.0.0" (instance $vars
    (type $error (variant (case "invalid-name" string) (case "undefined" string)
      (case "provider" string) (case "other" string)))
    (export "error" (type $err (eq $error)))
    (export "get" (func (param "name" string) (result (result string (error $err)))))))

  (core module $Mem
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and (i32.add (global.get $next) (i32.sub (local.get 2) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get 2))))
      (global.set $next (i32.add (local.get $at) (local.get 3)))
      (local.get $at)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  (core func $open (canon lower (func $store "open") (memory $memory) (realloc $realloc)))
  (core func $get (canon lower (func $store "[method]bucket.get") (memory $memory)
    (realloc $realloc)))
  (core func $set (canon lower (func $store "[method]bucket.set") (memory $memory)
    (realloc $realloc)))
  (core func $increment (canon lower (func $atomics "increment") (memory $memory)
    (realloc $realloc)))
  (core func $var (canon lower (func $vars "get") (memory $memory) (realloc $realloc)))

  (core module $Main
    (import "host" "memory" (memory 1))
    (import "host" "open" (func $open (param i32 i32 i32)))
    (import "host" "get" (func $get (param i32 i32 i32 i32)))
    (import "host" "set" (func $set (param i32 i32 i32 i32 i32 i32)))
    (import "host" "increment" (func $increment (param i32 i32 i32 i64 i32)))
    (import "host" "var" (func $var (param i32 i32 i32)))
    (data (i32.const 100) "default")
    (data (i32.const 110) "greeting")
    (data (i32.const 120) "hello")
    (data (i32.const 130) "counter")
    (data (i32.const 140) "secret")
    (func (export "run") (result i64)
      (local $b i32)
      ;; result<own<bucket>, error> at 0: tag, payload at 4
      (call $open (i32.const 100) (i32.const 7) (i32.const 0))
      (if (i32.load8_u (i32.const 0))
        (then (return (i64.sub (i64.const -1000) (i64.load8_u (i32.const 4))))))
      (local.set $b (i32.load (i32.const 4)))
      (call $set (local.get $b) (i32.const 110) (i32.const 8) (i32.const 120) (i32.const 5)
        (i32.const 32))
      (if (i32.load8_u (i32.const 32)) (then (return (i64.const -2000))))
      ;; result<option<list<u8>>, error> at 48: tag, option tag at 52, list at 56 (ptr, len)
      (call $get (local.get $b) (i32.const 110) (i32.const 8) (i32.const 48))
      (if (i32.load8_u (i32.const 48)) (then (return (i64.const -3000))))
      (if (i32.eqz (i32.load8_u (i32.const 52))) (then (return (i64.const -3001))))
      (if (i32.ne (i32.load (i32.const 60)) (i32.const 5)) (then (return (i64.const -3002))))
      (if (i32.ne (i32.load (i32.load (i32.const 56))) (i32.load (i32.const 120)))
        (then (return (i64.const -3003))))
      ;; result<s64, error> at 64: tag, the s64 at 72
      (call $increment (local.get $b) (i32.const 130) (i32.const 7) (i64.const 7) (i32.const 64))
      (if (i32.load8_u (i32.const 64)) (then (return (i64.const -4000))))
      (call $increment (local.get $b) (i32.const 130) (i32.const 7) (i64.const 35) (i32.const 64))
      (if (i32.load8_u (i32.const 64)) (then (return (i64.const -4001))))
      (i64.load (i32.const 72)))
    (func (export "denied") (result i32)
      (call $open (i32.const 140) (i32.const 6) (i32.const 0))
      (if (result i32) (i32.load8_u (i32.const 0))
        (then (i32.load8_u (i32.const 4)))
        (else (i32.const 99))))
    ;; result<string, error> at 80: tag, the string (ptr, len) at 84, or the error case at 84
    (func (export "variable") (result i32)
      (call $var (i32.const 110) (i32.const 8) (i32.const 80))
      (if (result i32) (i32.load8_u (i32.const 80))
        (then (i32.sub (i32.const -10) (i32.load8_u (i32.const 84))))
        (else (i32.load (i32.const 88))))))
  (core instance $main (instantiate $Main (with "host" (instance
    (export "memory" (memory $memory))
    (export "open" (func $open))
    (export "get" (func $get))
    (export "set" (func $set))
    (export "increment" (func $increment))
    (export "var" (func $var))))))
  (func (export "run") (result s64) (canon lift (core func $main "run")))
  (func (export "denied") (result u32) (canon lift (core func $main "denied")))
  (func (export "variable") (result s32) (canon lift (core func $main "variable")))
))";

class WitKv : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hull-wit-kv-XXXXXX";
    ASSERT_TRUE(mkdtemp(tmpl));
    dir_ = tmpl;
    registry_ = std::make_shared<KvRegistry>(RuntimeConfig{}, dir_ + "/.hull");
    auto bytes = hull::text::component_to_binary(kKvComponent);
    ASSERT_TRUE(bytes.ok()) << bytes.error().to_string();
    auto c = ac::Component::compile(engine_, *bytes);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    component_.emplace(std::move(*c));
    auto added = add_serve_to_linker(linker_);
    ASSERT_TRUE(added.ok()) << added.error().to_string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Calls `fn` in a fresh instance (as serve does per request) with `config`.
  int64_t call(const char* fn, ServeConfig config) {
    hull::api::Store store(engine_);
    EXPECT_TRUE(attach_serve(store, std::move(config)).ok());
    auto inst = linker_.instantiate(store, *component_);
    EXPECT_TRUE(inst.ok()) << (inst.ok() ? "" : inst.error().to_string());
    if (!inst) return INT64_MIN;
    auto f = inst->get_func(fn);
    EXPECT_TRUE(f.has_value());
    if (!f) return INT64_MIN;
    auto r = f->call({});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    if (!r || r->empty()) return INT64_MIN;
    return (*r)[0].as_s64();
  }

  ServeConfig config(std::vector<std::string> stores) {
    ServeConfig c;
    c.kv = registry_;
    c.key_value_stores = std::move(stores);
    c.variables = [](std::string_view name) -> VariableValue {
      if (name == "greeting") return {VariableValue::Status::ok, "hi there"};
      return {VariableValue::Status::undefined, "no " + std::string(name)};
    };
    return c;
  }

  hull::api::Engine engine_;
  ac::Linker linker_{engine_};
  std::optional<ac::Component> component_;
  std::shared_ptr<KvRegistry> registry_;
  std::string dir_;
};

TEST_F(WitKv, SetGetIncrementThroughTheInterface) {
  EXPECT_EQ(call("run", config({"default"})), 42);
  // A second instance (the next request) sees the same store.
  EXPECT_EQ(call("run", config({"default"})), 84);
  auto store = registry_->open("default");
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->get("greeting"), std::optional<std::string>("hello"));
  EXPECT_EQ(*(*store)->get("counter"), std::optional<std::string>("84"));
}

TEST_F(WitKv, UnlistedStoreIsAccessDenied) {
  EXPECT_EQ(call("denied", config({"default"})), 1);  // error case 1: access-denied
  EXPECT_EQ(call("run", config({})), -1001);          // "default" not listed either
}

TEST_F(WitKv, ListedButUndefinedStoreIsNoSuchStore) {
  EXPECT_EQ(call("denied", config({"secret"})), 0);  // error case 0: no-such-store
}

TEST_F(WitKv, SpinVariables) {
  EXPECT_EQ(call("variable", config({})), 8);  // "hi there"
  ServeConfig none = config({});
  none.variables = nullptr;
  EXPECT_EQ(call("variable", std::move(none)), -11);  // error case 1: undefined
}

}  // namespace
