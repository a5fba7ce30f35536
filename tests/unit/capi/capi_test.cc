// Tests of the C API (wasm.h + hull.h), one group at a time: vectors and names, engine/config/
// store, every type constructor, modules (reflection, validate, serialize), instances, host
// functions (with and without env, traps, finalizers), calls, globals, tables, memories,
// extern conversions, traps with message/origin/trace, foreign objects and references.
#include <gtest/gtest.h>

#include <string>

#include "hull.h"
#include "wasm.h"

namespace {

// Owned wasm bytes for a WAT text (via hull_wat2wasm).
struct Bin {
  wasm_byte_vec_t v;
  explicit Bin(const std::string& wat) {
    wasm_message_t err;
    bool ok = hull_wat2wasm(wat.data(), wat.size(), &v, &err);
    EXPECT_TRUE(ok) << (ok ? "" : err.data);
    if (!ok) {
      wasm_byte_vec_delete(&err);
      wasm_byte_vec_new_empty(&v);
    }
  }
  ~Bin() { wasm_byte_vec_delete(&v); }
};

struct Env {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  ~Env() {
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  wasm_module_t* module(const std::string& wat) {
    Bin b(wat);
    return wasm_module_new(store, &b.v);
  }
};

std::string str(const wasm_name_t* n) { return std::string(n->data, n->size); }

TEST(CapiVec, BytesNamesAndCopies) {
  wasm_byte_vec_t v;
  wasm_byte_vec_new_empty(&v);
  EXPECT_EQ(v.size, 0u);
  wasm_byte_vec_delete(&v);
  wasm_name_t n;
  wasm_name_new_from_string(&n, "hello");
  EXPECT_EQ(str(&n), "hello");
  wasm_name_t c;
  wasm_name_copy(&c, &n);
  EXPECT_EQ(str(&c), "hello");
  EXPECT_NE(c.data, n.data);
  wasm_name_delete(&n);
  wasm_name_delete(&c);
  wasm_name_new_from_string_nt(&n, "x");
  EXPECT_EQ(n.size, 2u);
  wasm_name_delete(&n);
  wasm_val_vec_t vals;
  wasm_val_vec_new_uninitialized(&vals, 3);
  EXPECT_EQ(vals.size, 3u);
  wasm_val_vec_delete(&vals);
  EXPECT_EQ(vals.data, nullptr);
}

TEST(CapiEngine, ConfigEngineStoreAndLimits) {
  wasm_config_t* cfg = wasm_config_new();
  hull_limits_t lim;
  hull_limits_default(&lim);
  EXPECT_EQ(lim.max_instances, UINT32_MAX);
  lim.max_memory_bytes = 65536;
  hull_config_set_limits(cfg, &lim);
  EXPECT_TRUE(hull_config_consume_fuel(cfg, false));  // supported (capi_sandbox_test.cc)
  wasm_engine_t* e = wasm_engine_new_with_config(cfg);
  wasm_store_t* s = wasm_store_new(e);
  hull_limits_t got;
  hull_store_get_limits(s, &got);
  EXPECT_EQ(got.max_memory_bytes, 65536u);
  wasm_limits_t ml{2, 4};
  wasm_memorytype_t* mt = wasm_memorytype_new(&ml);
  EXPECT_EQ(wasm_memory_new(s, mt), nullptr);  // 2 pages > 64 KiB limit
  ml.min = 1;
  wasm_memorytype_delete(mt);
  mt = wasm_memorytype_new(&ml);
  wasm_memory_t* m = wasm_memory_new(s, mt);
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(wasm_memory_grow(m, 1));
  wasm_memory_delete(m);
  wasm_memorytype_delete(mt);
  EXPECT_STREQ(hull_version(), "0.1.0");
  wasm_store_delete(s);
  wasm_engine_delete(e);
}

TEST(CapiTypes, ConstructorsAccessorsAndConversions) {
  wasm_valtype_t* i32 = wasm_valtype_new_i32();
  EXPECT_EQ(wasm_valtype_kind(i32), WASM_I32);
  EXPECT_TRUE(wasm_valtype_is_num(i32));
  wasm_valtype_t* fr = wasm_valtype_new_funcref();
  EXPECT_TRUE(wasm_valtype_is_ref(fr));
  wasm_valtype_t* c = wasm_valtype_copy(fr);
  EXPECT_EQ(wasm_valtype_kind(c), WASM_FUNCREF);
  wasm_valtype_delete(c);
  wasm_valtype_delete(fr);

  wasm_functype_t* ft = wasm_functype_new_2_1(i32, wasm_valtype_new_f64(), wasm_valtype_new_i64());
  EXPECT_EQ(wasm_functype_params(ft)->size, 2u);
  EXPECT_EQ(wasm_valtype_kind(wasm_functype_params(ft)->data[1]), WASM_F64);
  EXPECT_EQ(wasm_valtype_kind(wasm_functype_results(ft)->data[0]), WASM_I64);
  wasm_externtype_t* et = wasm_functype_as_externtype(ft);
  EXPECT_EQ(wasm_externtype_kind(et), WASM_EXTERN_FUNC);
  EXPECT_EQ(wasm_externtype_as_functype(et), ft);
  EXPECT_EQ(wasm_externtype_as_globaltype(et), nullptr);
  EXPECT_EQ(wasm_externtype_as_functype_const(wasm_functype_as_externtype_const(ft)), ft);
  wasm_externtype_t* etc = wasm_externtype_copy(et);
  EXPECT_EQ(wasm_functype_params(wasm_externtype_as_functype(etc))->size, 2u);
  wasm_externtype_delete(etc);

  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
  EXPECT_EQ(wasm_valtype_kind(wasm_globaltype_content(gt)), WASM_F32);
  EXPECT_EQ(wasm_globaltype_mutability(gt), WASM_VAR);
  EXPECT_EQ(wasm_externtype_kind(wasm_globaltype_as_externtype(gt)), WASM_EXTERN_GLOBAL);
  wasm_limits_t lim{1, wasm_limits_max_default};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_externref(), &lim);
  EXPECT_EQ(wasm_valtype_kind(wasm_tabletype_element(tt)), WASM_EXTERNREF);
  EXPECT_EQ(wasm_tabletype_limits(tt)->max, wasm_limits_max_default);
  wasm_memorytype_t* mt = wasm_memorytype_new(&lim);
  EXPECT_EQ(wasm_memorytype_limits(mt)->min, 1u);
  EXPECT_EQ(wasm_externtype_as_memorytype(wasm_memorytype_as_externtype(mt)), mt);
  EXPECT_EQ(wasm_externtype_as_tabletype_const(wasm_tabletype_as_externtype_const(tt)), tt);

  wasm_name_t mod, name, name2;
  wasm_name_new_from_string(&mod, "env");
  wasm_name_new_from_string(&name, "g");
  wasm_name_new_from_string(&name2, "m");
  wasm_importtype_t* it = wasm_importtype_new(&mod, &name, wasm_globaltype_as_externtype(gt));
  EXPECT_EQ(str(wasm_importtype_module(it)), "env");
  EXPECT_EQ(str(wasm_importtype_name(it)), "g");
  EXPECT_EQ(wasm_externtype_kind(wasm_importtype_type(it)), WASM_EXTERN_GLOBAL);
  wasm_importtype_t* it2 = wasm_importtype_copy(it);
  wasm_exporttype_t* xt = wasm_exporttype_new(&name2, wasm_memorytype_as_externtype(mt));
  EXPECT_EQ(str(wasm_exporttype_name(xt)), "m");
  wasm_exporttype_t* xt2 = wasm_exporttype_copy(xt);
  EXPECT_EQ(wasm_externtype_kind(wasm_exporttype_type(xt2)), WASM_EXTERN_MEMORY);

  // Vectors of types own their elements.
  wasm_importtype_t* its[2] = {it, it2};
  wasm_importtype_vec_t iv;
  wasm_importtype_vec_new(&iv, 2, its);
  wasm_importtype_vec_t ivc;
  wasm_importtype_vec_copy(&ivc, &iv);
  EXPECT_EQ(str(wasm_importtype_name(ivc.data[1])), "g");
  wasm_importtype_vec_delete(&iv);
  wasm_importtype_vec_delete(&ivc);
  wasm_exporttype_t* xts[2] = {xt, xt2};
  wasm_exporttype_vec_t xv;
  wasm_exporttype_vec_new(&xv, 2, xts);
  wasm_exporttype_vec_delete(&xv);
  wasm_tabletype_delete(tt);
  wasm_functype_delete(ft);

  wasm_functype_t* f00 = wasm_functype_new_0_0();
  EXPECT_EQ(wasm_functype_params(f00)->size, 0u);
  wasm_functype_t* f02 = wasm_functype_new_0_2(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_functype_t* fts[2] = {f00, f02};
  wasm_functype_vec_t fv;
  wasm_functype_vec_new(&fv, 2, fts);
  wasm_functype_vec_delete(&fv);
  wasm_valtype_vec_t vv;
  wasm_valtype_vec_new_empty(&vv);
  wasm_valtype_vec_delete(&vv);
  wasm_globaltype_vec_t gv;
  wasm_globaltype_vec_new_empty(&gv);
  wasm_globaltype_vec_delete(&gv);
  wasm_tabletype_vec_t tv;
  wasm_tabletype_vec_new_uninitialized(&tv, 0);
  wasm_tabletype_vec_delete(&tv);
  wasm_memorytype_vec_t mv;
  wasm_memorytype_vec_new_empty(&mv);
  wasm_memorytype_vec_delete(&mv);
  wasm_externtype_vec_t ev;
  wasm_externtype_vec_new_empty(&ev);
  wasm_externtype_vec_delete(&ev);
}

constexpr const char* kMod = R"((module
  (import "env" "add1" (func $add1 (param i32) (result i32)))
  (import "env" "g" (global $g (mut i32)))
  (func (export "call_add1") (param i32) (result i32) (call $add1 (local.get 0)))
  (func (export "swap") (param i64 f32) (result f32 i64) local.get 1 local.get 0)
  (func $boom (export "boom") unreachable)
  (func (export "nested") call $boom)
  (func (export "get_g") (result i32) global.get $g)
  (memory (export "mem") 1 2)
  (table (export "tab") 2 funcref)
  (global (export "h") f64 (f64.const 1.5))
  (elem (i32.const 0) $boom)
  (data (i32.const 4) "\01\02"))
)";

wasm_trap_t* add1_cb(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  ++*static_cast<int*>(env);
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return nullptr;
}

int g_finalized = 0;
void finalize(void* env) { g_finalized += *static_cast<int*>(env) > 0 ? 1 : 100; }

TEST(CapiModule, ReflectValidateSerialize) {
  Env env;
  Bin b(kMod);
  EXPECT_TRUE(wasm_module_validate(env.store, &b.v));
  wasm_byte_vec_t junk;
  wasm_byte_vec_new(&junk, 4, "\0as");
  EXPECT_FALSE(wasm_module_validate(env.store, &junk));
  EXPECT_EQ(wasm_module_new(env.store, &junk), nullptr);
  wasm_message_t err;
  EXPECT_EQ(hull_module_new(env.store, &junk, &err), nullptr);
  EXPECT_GT(err.size, 1u);
  wasm_byte_vec_delete(&err);
  wasm_byte_vec_delete(&junk);

  wasm_module_t* m = wasm_module_new(env.store, &b.v);
  ASSERT_NE(m, nullptr);
  wasm_importtype_vec_t imps;
  wasm_module_imports(m, &imps);
  ASSERT_EQ(imps.size, 2u);
  EXPECT_EQ(str(wasm_importtype_name(imps.data[0])), "add1");
  EXPECT_EQ(wasm_externtype_kind(wasm_importtype_type(imps.data[1])), WASM_EXTERN_GLOBAL);
  wasm_importtype_vec_delete(&imps);
  wasm_exporttype_vec_t exps;
  wasm_module_exports(m, &exps);
  ASSERT_EQ(exps.size, 8u);
  EXPECT_EQ(str(wasm_exporttype_name(exps.data[1])), "swap");
  const wasm_functype_t* st = wasm_externtype_as_functype_const(wasm_exporttype_type(exps.data[1]));
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(wasm_valtype_kind(wasm_functype_results(st)->data[0]), WASM_F32);
  EXPECT_EQ(wasm_externtype_kind(wasm_exporttype_type(exps.data[5])), WASM_EXTERN_MEMORY);
  EXPECT_EQ(wasm_memorytype_limits(wasm_externtype_as_memorytype_const(
                wasm_exporttype_type(exps.data[5])))->max, 2u);
  wasm_exporttype_vec_delete(&exps);

  wasm_byte_vec_t ser;
  wasm_module_serialize(m, &ser);
  wasm_module_t* m2 = wasm_module_deserialize(env.store, &ser);
  ASSERT_NE(m2, nullptr);
  wasm_byte_vec_delete(&ser);
  wasm_shared_module_t* sh = wasm_module_share(m);
  wasm_module_t* m3 = wasm_module_obtain(env.store, sh);
  ASSERT_NE(m3, nullptr);
  EXPECT_TRUE(wasm_module_same(m, m3));
  wasm_shared_module_delete(sh);
  wasm_module_delete(m3);
  wasm_module_delete(m2);
  wasm_module_delete(m);
}

TEST(CapiInstance, FuncsGlobalsTablesMemoriesAndTraps) {
  g_finalized = 0;
  int calls = 0;
  {
    Env env;
    wasm_module_t* m = env.module(kMod);
    ASSERT_NE(m, nullptr);
    wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
    wasm_func_t* add1 = wasm_func_new_with_env(env.store, ft, add1_cb, &calls, finalize);
    wasm_functype_delete(ft);
    EXPECT_EQ(wasm_func_param_arity(add1), 1u);
    EXPECT_EQ(wasm_func_result_arity(add1), 1u);
    wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
    wasm_val_t init = WASM_I32_VAL(7);
    wasm_global_t* g = wasm_global_new(env.store, gt, &init);
    wasm_globaltype_delete(gt);
    ASSERT_NE(g, nullptr);

    // Missing imports are reported through the trap out-parameter.
    wasm_trap_t* trap = nullptr;
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    EXPECT_EQ(wasm_instance_new(env.store, m, &none, &trap), nullptr);
    ASSERT_NE(trap, nullptr);
    wasm_trap_delete(trap);

    wasm_extern_t* ext[] = {wasm_func_as_extern(add1), wasm_global_as_extern(g)};
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(ext);
    wasm_instance_t* inst = wasm_instance_new(env.store, m, &imports, &trap);
    ASSERT_NE(inst, nullptr);
    EXPECT_EQ(trap, nullptr);
    wasm_extern_vec_t exps;
    wasm_instance_exports(inst, &exps);
    ASSERT_EQ(exps.size, 8u);
    wasm_instance_delete(inst);  // exports stay valid: the store owns the objects
    wasm_module_delete(m);

    // Call through a host import.
    const wasm_func_t* call_add1 = wasm_extern_as_func_const(exps.data[0]);
    ASSERT_NE(call_add1, nullptr);
    wasm_val_t a[1] = {WASM_I32_VAL(41)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
    EXPECT_EQ(wasm_func_call(call_add1, &args, &res), nullptr);
    EXPECT_EQ(r[0].kind, WASM_I32);
    EXPECT_EQ(r[0].of.i32, 42);
    EXPECT_EQ(calls, 1);

    // Multi-value.
    wasm_val_t a2[2] = {WASM_I64_VAL(-3), WASM_F32_VAL(2.5f)};
    wasm_val_t r2[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
    wasm_val_vec_t args2 = WASM_ARRAY_VEC(a2), res2 = WASM_ARRAY_VEC(r2);
    EXPECT_EQ(wasm_func_call(wasm_extern_as_func(exps.data[1]), &args2, &res2), nullptr);
    EXPECT_EQ(r2[0].of.f32, 2.5f);
    EXPECT_EQ(r2[1].of.i64, -3);
    // Wrong argument types trap instead of crashing.
    wasm_trap_t* bad = wasm_func_call(wasm_extern_as_func(exps.data[1]), &args, &res2);
    ASSERT_NE(bad, nullptr);
    wasm_trap_delete(bad);

    // Traps: message, origin, trace.
    wasm_val_vec_t empty = WASM_EMPTY_VEC;
    wasm_trap_t* t = wasm_func_call(wasm_extern_as_func(exps.data[3]), &empty, &empty);
    ASSERT_NE(t, nullptr);
    wasm_message_t msg;
    wasm_trap_message(t, &msg);
    EXPECT_STREQ(msg.data, "unreachable");
    wasm_byte_vec_delete(&msg);
    wasm_frame_t* origin = wasm_trap_origin(t);
    ASSERT_NE(origin, nullptr);
    EXPECT_EQ(wasm_frame_func_index(origin), 3u);  // $boom (after one imported func)
    wasm_frame_t* oc = wasm_frame_copy(origin);
    EXPECT_EQ(wasm_frame_func_index(oc), 3u);
    (void)wasm_frame_module_offset(oc);
    (void)wasm_frame_func_offset(oc);
    // The frame's instance (owned by the frame): the handle was deleted, the instance lives.
    const wasm_instance_t* fi = wasm_frame_instance(oc);
    ASSERT_NE(fi, nullptr);
    wasm_extern_vec_t fexps;
    wasm_instance_exports(fi, &fexps);
    EXPECT_EQ(fexps.size, 8u);
    EXPECT_TRUE(wasm_func_same(wasm_extern_as_func(fexps.data[3]),
                               wasm_extern_as_func(exps.data[3])));
    wasm_extern_vec_delete(&fexps);
    EXPECT_GT(wasm_frame_func_offset(oc), 0u);
    EXPECT_LT(wasm_frame_func_offset(oc), wasm_frame_module_offset(oc));
    wasm_frame_delete(oc);
    wasm_frame_delete(origin);
    wasm_frame_vec_t trace;
    wasm_trap_trace(t, &trace);
    EXPECT_EQ(trace.size, 2u);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(t);

    // Globals.
    const wasm_func_t* get_g = wasm_extern_as_func(exps.data[4]);
    wasm_val_t nv = WASM_I32_VAL(99);
    wasm_global_set(g, &nv);
    wasm_val_t gr[1] = {WASM_INIT_VAL};
    wasm_val_vec_t gres = WASM_ARRAY_VEC(gr);
    EXPECT_EQ(wasm_func_call(get_g, &empty, &gres), nullptr);
    EXPECT_EQ(gr[0].of.i32, 99);
    wasm_global_t* h = wasm_extern_as_global(exps.data[7]);
    ASSERT_NE(h, nullptr);
    wasm_val_t hv;
    wasm_global_get(h, &hv);
    EXPECT_EQ(hv.kind, WASM_F64);
    EXPECT_EQ(hv.of.f64, 1.5);
    wasm_val_t try_set = WASM_F64_VAL(2.0);
    wasm_global_set(h, &try_set);  // immutable: ignored
    wasm_global_get(h, &hv);
    EXPECT_EQ(hv.of.f64, 1.5);
    wasm_globaltype_t* hgt = wasm_global_type(h);
    EXPECT_EQ(wasm_globaltype_mutability(hgt), WASM_CONST);
    wasm_globaltype_delete(hgt);

    // Memory.
    wasm_memory_t* mem = wasm_extern_as_memory(exps.data[5]);
    ASSERT_NE(mem, nullptr);
    EXPECT_EQ(wasm_memory_size(mem), 1u);
    EXPECT_EQ(wasm_memory_data_size(mem), 65536u);
    EXPECT_EQ(wasm_memory_data(mem)[5], 2);
    EXPECT_TRUE(wasm_memory_grow(mem, 1));
    EXPECT_FALSE(wasm_memory_grow(mem, 1));
    wasm_memorytype_t* mty = wasm_memory_type(mem);
    EXPECT_EQ(wasm_memorytype_limits(mty)->min, 2u);
    wasm_memorytype_delete(mty);

    // Table: element 0 is $boom.
    wasm_table_t* tab = wasm_extern_as_table(exps.data[6]);
    ASSERT_NE(tab, nullptr);
    EXPECT_EQ(wasm_table_size(tab), 2u);
    wasm_ref_t* e0 = wasm_table_get(tab, 0);
    ASSERT_NE(e0, nullptr);
    EXPECT_EQ(wasm_table_get(tab, 1), nullptr);
    EXPECT_EQ(wasm_table_get(tab, 5), nullptr);
    wasm_func_t* f0 = wasm_ref_as_func(e0);
    EXPECT_EQ(wasm_func_param_arity(f0), 0u);
    EXPECT_TRUE(wasm_func_same(f0, wasm_extern_as_func(exps.data[2])));
    EXPECT_TRUE(wasm_table_set(tab, 1, wasm_func_as_ref(add1)));
    EXPECT_FALSE(wasm_table_set(tab, 9, nullptr));
    EXPECT_TRUE(wasm_table_grow(tab, 3, nullptr));
    EXPECT_EQ(wasm_table_size(tab), 5u);
    wasm_tabletype_t* tty = wasm_table_type(tab);
    EXPECT_EQ(wasm_valtype_kind(wasm_tabletype_element(tty)), WASM_FUNCREF);
    wasm_tabletype_delete(tty);
    wasm_ref_delete(e0);

    // Extern kinds/types and aliasing conversions.
    EXPECT_EQ(wasm_extern_kind(exps.data[6]), WASM_EXTERN_TABLE);
    wasm_externtype_t* ety = wasm_extern_type(exps.data[1]);
    EXPECT_EQ(wasm_externtype_kind(ety), WASM_EXTERN_FUNC);
    wasm_externtype_delete(ety);
    EXPECT_EQ(wasm_extern_as_memory(exps.data[0]), nullptr);
    EXPECT_EQ(wasm_memory_as_extern(mem), exps.data[5]);
    EXPECT_EQ(wasm_extern_as_table_const(wasm_table_as_extern_const(tab)), tab);
    EXPECT_EQ(wasm_global_as_extern_const(h), exps.data[7]);
    EXPECT_EQ(wasm_func_as_extern_const(f0) != nullptr, true);

    wasm_extern_vec_delete(&exps);
    wasm_func_delete(add1);
    wasm_global_delete(g);
    EXPECT_EQ(g_finalized, 0);
  }
  EXPECT_EQ(g_finalized, 1);  // the env finalizer ran when the store was deleted
}

wasm_trap_t* fail_cb(void* env, const wasm_val_vec_t*, wasm_val_vec_t*) {
  wasm_message_t m;
  wasm_name_new_from_string_nt(&m, "host says no");
  wasm_trap_t* t = wasm_trap_new(static_cast<wasm_store_t*>(env), &m);
  wasm_name_delete(&m);
  return t;
}

TEST(CapiFunc, HostTrapsPropagate) {
  Env env;
  wasm_module_t* m = env.module(R"((module (import "" "fail" (func $f))
    (func (export "run") call $f)))");
  ASSERT_NE(m, nullptr);
  wasm_functype_t* ft = wasm_functype_new_0_0();
  wasm_func_t* f = wasm_func_new_with_env(env.store, ft, fail_cb, env.store, nullptr);
  wasm_functype_t* fty = wasm_func_type(f);
  EXPECT_EQ(wasm_functype_params(fty)->size, 0u);
  wasm_functype_delete(fty);
  wasm_functype_delete(ft);
  wasm_extern_t* ext[] = {wasm_func_as_extern(f)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(ext);
  wasm_instance_t* inst = wasm_instance_new(env.store, m, &imports, nullptr);
  ASSERT_NE(inst, nullptr);
  wasm_extern_vec_t exps;
  wasm_instance_exports(inst, &exps);
  wasm_val_vec_t empty = WASM_EMPTY_VEC;
  wasm_trap_t* t = wasm_func_call(wasm_extern_as_func(exps.data[0]), &empty, &empty);
  ASSERT_NE(t, nullptr);
  wasm_message_t msg;
  wasm_trap_message(t, &msg);
  EXPECT_STREQ(msg.data, "host says no");
  wasm_byte_vec_delete(&msg);
  wasm_trap_t* tc = wasm_trap_copy(t);
  EXPECT_TRUE(wasm_trap_same(t, tc));
  wasm_trap_delete(tc);
  wasm_trap_delete(t);
  wasm_extern_vec_delete(&exps);
  wasm_instance_delete(inst);
  wasm_func_delete(f);
  wasm_module_delete(m);
}

wasm_trap_t* id_cb(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_val_copy(&results->data[0], &args->data[0]);
  return nullptr;
}

TEST(CapiRef, ForeignHostInfoAndExternrefRoundTrip) {
  Env env;
  wasm_module_t* m = env.module(R"((module
    (import "" "id" (func $id (param externref) (result externref)))
    (global (export "g") (mut externref) (ref.null extern))
    (table (export "t") 2 externref)
    (func (export "call") (param externref) (result externref) (call $id (local.get 0)))))");
  ASSERT_NE(m, nullptr);
  wasm_functype_t* ft = wasm_functype_new_1_1(wasm_valtype_new_externref(),
                                              wasm_valtype_new_externref());
  wasm_func_t* id = wasm_func_new(env.store, ft, id_cb);
  wasm_functype_delete(ft);
  wasm_extern_t* ext[] = {wasm_func_as_extern(id)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(ext);
  wasm_instance_t* inst = wasm_instance_new(env.store, m, &imports, nullptr);
  ASSERT_NE(inst, nullptr);
  wasm_extern_vec_t exps;
  wasm_instance_exports(inst, &exps);

  wasm_foreign_t* fo = wasm_foreign_new(env.store);
  int info = 5;
  wasm_foreign_set_host_info(fo, &info);
  EXPECT_EQ(wasm_foreign_get_host_info(fo), &info);
  wasm_foreign_t* fo2 = wasm_foreign_copy(fo);
  EXPECT_TRUE(wasm_foreign_same(fo, fo2));
  EXPECT_EQ(wasm_foreign_get_host_info(fo2), &info);  // host info belongs to the object
  wasm_foreign_t* other = wasm_foreign_new(env.store);
  EXPECT_FALSE(wasm_foreign_same(fo, other));

  // Through a wasm function and a host function and back: same object.
  wasm_val_t a[1] = {WASM_REF_VAL(wasm_foreign_as_ref(fo))};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  EXPECT_EQ(wasm_func_call(wasm_extern_as_func(exps.data[2]), &args, &res), nullptr);
  ASSERT_NE(r[0].of.ref, nullptr);
  EXPECT_TRUE(wasm_ref_same(r[0].of.ref, wasm_foreign_as_ref(fo)));
  EXPECT_EQ(wasm_ref_get_host_info(r[0].of.ref), &info);
  EXPECT_NE(wasm_ref_as_foreign_const(r[0].of.ref), nullptr);
  wasm_val_delete(&r[0]);

  // Globals and tables of externref.
  wasm_global_t* g = wasm_extern_as_global(exps.data[0]);
  wasm_val_t gv = WASM_REF_VAL(wasm_foreign_as_ref(other));
  wasm_global_set(g, &gv);
  wasm_val_t out;
  wasm_global_get(g, &out);
  EXPECT_TRUE(wasm_ref_same(out.of.ref, wasm_foreign_as_ref(other)));
  wasm_val_t out2;
  wasm_val_copy(&out2, &out);
  EXPECT_TRUE(wasm_ref_same(out2.of.ref, out.of.ref));
  wasm_val_delete(&out);
  wasm_val_delete(&out2);
  wasm_table_t* t = wasm_extern_as_table(exps.data[1]);
  EXPECT_TRUE(wasm_table_set(t, 1, wasm_foreign_as_ref(fo)));
  wasm_ref_t* e1 = wasm_table_get(t, 1);
  EXPECT_TRUE(wasm_ref_same(e1, wasm_foreign_as_ref(fo)));
  wasm_ref_t* e1c = wasm_ref_copy(e1);
  wasm_ref_delete(e1c);
  wasm_ref_delete(e1);

  // Standalone tables and host info with a finalizer on other reference kinds.
  wasm_limits_t lim{1, 3};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &lim);
  wasm_table_t* nt = wasm_table_new(env.store, tt, wasm_func_as_ref(id));
  wasm_tabletype_delete(tt);
  ASSERT_NE(nt, nullptr);
  wasm_ref_t* first = wasm_table_get(nt, 0);
  EXPECT_TRUE(wasm_func_same(wasm_ref_as_func(first), id));
  wasm_ref_delete(first);
  wasm_table_set_host_info_with_finalizer(nt, nullptr, nullptr);
  EXPECT_EQ(wasm_table_get_host_info(nt), nullptr);
  wasm_table_delete(nt);

  wasm_foreign_delete(other);
  wasm_foreign_delete(fo2);
  wasm_foreign_delete(fo);
  wasm_extern_vec_delete(&exps);
  wasm_instance_delete(inst);
  wasm_func_delete(id);
  wasm_module_delete(m);
}

TEST(CapiInstance, StartTrapReportsThroughOutParam) {
  Env env;
  wasm_module_t* m = env.module("(module (func $s unreachable) (start $s))");
  ASSERT_NE(m, nullptr);
  wasm_trap_t* trap = nullptr;
  EXPECT_EQ(wasm_instance_new(env.store, m, nullptr, &trap), nullptr);
  ASSERT_NE(trap, nullptr);
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  EXPECT_NE(std::string(msg.data).find("unreachable"), std::string::npos);
  wasm_byte_vec_delete(&msg);
  // The trap keeps the start function's frame.
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  ASSERT_EQ(trace.size, 1u);
  EXPECT_EQ(wasm_frame_func_index(trace.data[0]), 0u);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);
  wasm_module_delete(m);
}

}  // namespace
