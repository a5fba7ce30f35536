// The C API and garbage collection: reference handles (wasm_ref_t, alone or in a wasm_val_t)
// root what they designate until deleted; references of wasm's own (structs, i31s) come back
// as handles that pass back to wasm; arguments are checked against the parameter's exact type;
// the wrappers of C objects passed as externrefs are collected once unreachable.
#include <gtest/gtest.h>

#include <string>

#include "hull.h"
#include "wasm.h"

namespace {

constexpr const char* kNodes = R"((module
  (type $node (struct (field $next (mut (ref null $node))) (field $v i32)))
  (global $ext (mut externref) (ref.null extern))
  (func (export "node") (param $v i32) (result (ref $node))
    (local $n (ref $node))
    (local.set $n (struct.new $node (ref.null $node) (local.get $v)))
    (struct.set $node $next (local.get $n) (local.get $n))
    (local.get $n))
  (func (export "value") (param (ref $node)) (result i32)
    (struct.get $node $v (ref.as_non_null (struct.get $node $next (local.get 0)))))
  (func (export "i31") (result anyref) (ref.i31 (i32.const 5)))
  (func (export "externalize") (param anyref) (result externref)
    (extern.convert_any (local.get 0)))
  (func (export "keep") (param externref) (global.set $ext (local.get 0)))
  (func (export "drop") (global.set $ext (ref.null extern)))
  (func (export "ext_id") (param externref) (result externref) (local.get 0))
  (export "g" (global $ext))
))";

struct Fixture : ::testing::Test {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = nullptr;
  wasm_instance_t* instance = nullptr;
  wasm_extern_vec_t exports{0, nullptr};

  void SetUp() override {
    wasm_byte_vec_t bin;
    wasm_message_t err;
    ASSERT_TRUE(hull_wat2wasm(kNodes, std::string(kNodes).size(), &bin, &err)) << err.data;
    module = wasm_module_new(store, &bin);
    wasm_byte_vec_delete(&bin);
    ASSERT_NE(module, nullptr);
    instance = wasm_instance_new(store, module, nullptr, nullptr);
    ASSERT_NE(instance, nullptr);
    wasm_instance_exports(instance, &exports);
    ASSERT_EQ(exports.size, 8u);
  }
  void TearDown() override {
    wasm_extern_vec_delete(&exports);
    if (instance) wasm_instance_delete(instance);
    if (module) wasm_module_delete(module);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  const wasm_func_t* fn(size_t i) { return wasm_extern_as_func(exports.data[i]); }
  // Calls export `i` with up to one argument; returns the trap message ("" for none).
  std::string call(size_t i, wasm_val_t* arg, wasm_val_t* result) {
    wasm_val_vec_t args{arg ? 1u : 0u, arg};
    wasm_val_vec_t results{result ? 1u : 0u, result};
    wasm_trap_t* trap = wasm_func_call(fn(i), &args, &results);
    if (!trap) return "";
    wasm_message_t msg;
    wasm_trap_message(trap, &msg);
    std::string m(msg.data);
    wasm_byte_vec_delete(&msg);
    wasm_trap_delete(trap);
    return m;
  }
  wasm_ref_t* node(int32_t v) {
    wasm_val_t a = WASM_I32_VAL(v);
    wasm_val_t r = WASM_INIT_VAL;
    EXPECT_EQ(call(0, &a, &r), "");
    return r.of.ref;
  }
  int32_t value(wasm_ref_t* n, std::string* trap = nullptr) {
    wasm_val_t a = WASM_REF_VAL(n);
    wasm_val_t r = WASM_I32_VAL(-1);
    std::string t = call(1, &a, &r);
    if (trap) *trap = t;
    return r.of.i32;
  }
  size_t live() {
    hull_store_gc(store);
    return hull_store_gc_objects(store);
  }
};

using CapiGc = Fixture;

TEST_F(CapiGc, HandlesRootWhatTheyDesignateUntilDeleted) {
  wasm_ref_t* n = node(41);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(live(), 1u);  // a self-cycle only the handle keeps
  EXPECT_EQ(value(n), 41);
  EXPECT_EQ(wasm_ref_as_func(n), nullptr);  // not a function: the downcast says so
  EXPECT_EQ(wasm_ref_as_foreign(n), nullptr);
  wasm_ref_t* copy = wasm_ref_copy(n);
  EXPECT_TRUE(wasm_ref_same(copy, n));
  wasm_ref_delete(n);
  EXPECT_EQ(live(), 1u);
  EXPECT_EQ(value(copy), 41);
  wasm_ref_delete(copy);
  EXPECT_EQ(live(), 0u);
}

TEST_F(CapiGc, ArgumentsAreCheckedAgainstTheExactParameterType) {
  std::string trap;
  value(nullptr, &trap);
  EXPECT_NE(trap.find("argument 0 is null, but the type is (ref "), std::string::npos) << trap;
  wasm_val_t r = WASM_INIT_VAL;
  ASSERT_EQ(call(2, nullptr, &r), "");
  ASSERT_NE(r.of.ref, nullptr);
  value(r.of.ref, &trap);
  EXPECT_NE(trap.find("argument 0 does not match type (ref "), std::string::npos) << trap;
  wasm_val_delete(&r);
  // A C object is not a struct either.
  wasm_foreign_t* fo = wasm_foreign_new(store);
  value(wasm_foreign_as_ref(fo), &trap);
  EXPECT_NE(trap.find("argument 0 does not match type (ref "), std::string::npos) << trap;
  wasm_foreign_delete(fo);
}

TEST_F(CapiGc, WasmValuesAsExternrefsComeBackAsHandles) {
  // extern.convert_any of a struct and of an i31: not C objects; the handles pass back in.
  wasm_ref_t* n = node(3);
  wasm_val_t a = WASM_REF_VAL(n);
  wasm_val_t r = WASM_INIT_VAL;
  ASSERT_EQ(call(3, &a, &r), "");
  ASSERT_NE(r.of.ref, nullptr);
  EXPECT_TRUE(wasm_ref_same(r.of.ref, n));  // the conversion is the identity
  EXPECT_EQ(value(r.of.ref), 3);
  wasm_val_delete(&r);
  wasm_ref_delete(n);
  wasm_val_t i = WASM_INIT_VAL;
  ASSERT_EQ(call(2, nullptr, &i), "");
  ASSERT_EQ(call(3, &i, &r), "");
  ASSERT_NE(r.of.ref, nullptr);
  EXPECT_TRUE(wasm_ref_same(r.of.ref, i.of.ref));
  wasm_val_delete(&r);
  wasm_val_delete(&i);
  EXPECT_EQ(live(), 0u);
}

TEST_F(CapiGc, ExternrefWrappersOfCObjectsAreCollected) {
  wasm_foreign_t* fo = wasm_foreign_new(store);
  wasm_val_t a = WASM_REF_VAL(wasm_foreign_as_ref(fo));
  ASSERT_EQ(call(4, &a, nullptr), "");  // keep: wasm holds the wrapper in a global
  EXPECT_EQ(live(), 1u);
  ASSERT_EQ(call(5, nullptr, nullptr), "");  // drop
  EXPECT_EQ(live(), 0u);
  // Passed again: a new wrapper, the same object on the way back.
  ASSERT_EQ(call(4, &a, nullptr), "");
  EXPECT_EQ(live(), 1u);
  wasm_val_t r = WASM_INIT_VAL;
  ASSERT_EQ(call(6, &a, &r), "");
  EXPECT_TRUE(wasm_ref_same(r.of.ref, wasm_foreign_as_ref(fo)));
  EXPECT_NE(wasm_ref_as_foreign(r.of.ref), nullptr);
  wasm_val_delete(&r);
  for (int k = 0; k < 1000; ++k) {  // many calls with the same object: still one wrapper
    ASSERT_EQ(call(4, &a, nullptr), "");
  }
  EXPECT_EQ(live(), 1u);
  wasm_foreign_delete(fo);
}

TEST_F(CapiGc, WrappersStoredThroughGlobalsAndTablesAreCollectedToo) {
  // Writing a global is a root scope of its own: the wrapper made for the write lives on only
  // through the global, so once the global is cleared it is garbage.
  wasm_global_t* g = wasm_extern_as_global(exports.data[7]);
  ASSERT_NE(g, nullptr);
  wasm_foreign_t* objects[100];
  for (auto*& fo : objects) {
    fo = wasm_foreign_new(store);
    wasm_val_t v = WASM_REF_VAL(wasm_foreign_as_ref(fo));
    wasm_global_set(g, &v);
  }
  EXPECT_EQ(live(), 1u);  // the last one, in the global
  wasm_val_t out;
  wasm_global_get(g, &out);
  EXPECT_TRUE(wasm_ref_same(out.of.ref, wasm_foreign_as_ref(objects[99])));
  wasm_val_delete(&out);
  wasm_val_t null = WASM_REF_VAL(nullptr);
  wasm_global_set(g, &null);
  EXPECT_EQ(live(), 0u);
  // A table of externrefs, the same way.
  wasm_limits_t lim{2, 2};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
  wasm_table_t* t = wasm_table_new(store, tt, nullptr);
  wasm_tabletype_delete(tt);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(wasm_table_set(t, 0, wasm_foreign_as_ref(objects[0])));
  EXPECT_TRUE(wasm_table_set(t, 1, wasm_foreign_as_ref(objects[0])));  // the same wrapper
  EXPECT_EQ(live(), 1u);
  EXPECT_TRUE(wasm_table_set(t, 0, nullptr));
  EXPECT_TRUE(wasm_table_set(t, 1, nullptr));
  EXPECT_EQ(live(), 0u);
  wasm_table_delete(t);
  for (auto* fo : objects) wasm_foreign_delete(fo);
}

}  // namespace
