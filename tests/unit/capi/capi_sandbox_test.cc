// Tests of the sandbox through the C API (hull.h): fuel, deadlines and every store limit
// enforced on guest code, wasm_frame_instance, and v128 signatures failing cleanly.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "hull.h"
#include "wasm.h"

namespace {

wasm_module_t* compile(wasm_store_t* s, const std::string& wat) {
  wasm_byte_vec_t bin;
  wasm_message_t err;
  if (!hull_wat2wasm(wat.data(), wat.size(), &bin, &err)) {
    ADD_FAILURE() << err.data;
    wasm_byte_vec_delete(&err);
    return nullptr;
  }
  wasm_module_t* m = hull_module_new(s, &bin, &err);
  wasm_byte_vec_delete(&bin);
  if (!m) {
    ADD_FAILURE() << err.data;
    wasm_byte_vec_delete(&err);
  }
  return m;
}

std::string message(const wasm_trap_t* t) {
  wasm_message_t m;
  wasm_trap_message(t, &m);
  std::string s(m.data, m.size ? m.size - 1 : 0);
  wasm_byte_vec_delete(&m);
  return s;
}

// One engine + store with the given options, and the instance of one module without imports.
struct Sandbox {
  wasm_engine_t* engine = nullptr;
  wasm_store_t* store = nullptr;
  wasm_instance_t* inst = nullptr;
  wasm_extern_vec_t exports = WASM_EMPTY_VEC;
  Sandbox(bool fuel, bool epochs, const hull_limits_t* limits = nullptr) {
    wasm_config_t* c = wasm_config_new();
    EXPECT_TRUE(hull_config_consume_fuel(c, fuel));
    EXPECT_TRUE(hull_config_epoch_interruption(c, epochs));
    if (limits) hull_config_set_limits(c, limits);
    engine = wasm_engine_new_with_config(c);
    store = wasm_store_new(engine);
  }
  ~Sandbox() {
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(inst);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  // Instantiates `wat`; returns the trap message on failure ("" on success).
  std::string instantiate(const std::string& wat) {
    wasm_module_t* m = compile(store, wat);
    if (!m) return "compile error";
    wasm_trap_t* trap = nullptr;
    wasm_extern_vec_t none = WASM_EMPTY_VEC;
    wasm_instance_t* i = wasm_instance_new(store, m, &none, &trap);
    wasm_module_delete(m);
    if (!i) {
      std::string msg = trap ? message(trap) : "no trap";
      wasm_trap_delete(trap);
      return msg;
    }
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(inst);
    inst = i;
    wasm_instance_exports(inst, &exports);
    return "";
  }
  const wasm_func_t* func(size_t i) { return wasm_extern_as_func(exports.data[i]); }
  // Calls export `i` with i32 arguments; returns the trap message, or "" and the i32 result.
  std::string call(size_t i, std::initializer_list<int32_t> args, int32_t* result = nullptr) {
    wasm_val_t a[4], r[1] = {WASM_INIT_VAL};
    size_t n = 0;
    for (int32_t v : args) a[n++] = WASM_I32_VAL(v);
    wasm_val_vec_t av = {n, a};
    wasm_val_vec_t rv = {wasm_func_result_arity(func(i)), r};
    wasm_trap_t* t = wasm_func_call(func(i), &av, &rv);
    if (t) {
      std::string msg = message(t);
      wasm_trap_delete(t);
      return msg;
    }
    if (result) *result = r[0].of.i32;
    return "";
  }
};

constexpr const char* kLoops = R"((module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param i32) (result i32)
    (loop $l
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (local.get 0)))
    (local.get 0))))";

TEST(CapiFuel, RunsOutConsumesExactlyAndResumes) {
  Sandbox sb(true, false);
  ASSERT_EQ(sb.instantiate(kLoops), "");
  uint64_t fuel = 1;
  ASSERT_TRUE(hull_store_get_fuel(sb.store, &fuel));
  EXPECT_EQ(fuel, 0u);  // a new store has no fuel
  EXPECT_EQ(sb.call(0, {1, 2}), "all fuel consumed");

  ASSERT_TRUE(hull_store_set_fuel(sb.store, 1000));
  EXPECT_EQ(sb.call(1, {}), "all fuel consumed");
  uint64_t used = 0;
  ASSERT_TRUE(hull_store_fuel_consumed(sb.store, &used));
  EXPECT_GT(used, 990u);
  EXPECT_LE(used, 1000u);

  // The store stays usable: add fuel, call again. add = local.get x2, i32.add, end.
  ASSERT_TRUE(hull_store_set_fuel(sb.store, 100));
  int32_t r = 0;
  EXPECT_EQ(sb.call(0, {2, 40}, &r), "");
  EXPECT_EQ(r, 42);
  ASSERT_TRUE(hull_store_get_fuel(sb.store, &fuel));
  EXPECT_EQ(fuel, 96u);
  uint64_t used2 = 0;
  ASSERT_TRUE(hull_store_fuel_consumed(sb.store, &used2));
  EXPECT_EQ(used2, used + 4);
}

TEST(CapiFuel, StartFunctionRunsOutOfFuel) {
  Sandbox sb(true, false);
  ASSERT_TRUE(hull_store_set_fuel(sb.store, 500));
  std::string msg = sb.instantiate("(module (func $s (loop $l (br $l))) (start $s))");
  EXPECT_NE(msg.find("all fuel consumed"), std::string::npos) << msg;
}

TEST(CapiFuel, DisabledEngineRefuses) {
  Sandbox sb(false, false);
  ASSERT_EQ(sb.instantiate(kLoops), "");
  uint64_t v = 7;
  EXPECT_FALSE(hull_store_set_fuel(sb.store, 10));
  EXPECT_FALSE(hull_store_get_fuel(sb.store, &v));
  EXPECT_FALSE(hull_store_fuel_consumed(sb.store, &v));
  EXPECT_EQ(v, 7u);
  EXPECT_FALSE(hull_store_set_deadline_ms(sb.store, 10));
  int32_t r = 0;
  EXPECT_EQ(sb.call(0, {1, 2}, &r), "");  // no metering at all
  EXPECT_EQ(r, 3);
}

TEST(CapiDeadline, InterruptsALoopAndClears) {
  Sandbox sb(false, true);
  ASSERT_EQ(sb.instantiate(kLoops), "");
  ASSERT_TRUE(hull_store_set_deadline_ms(sb.store, 50));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(sb.call(1, {}), "interrupt");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  hull_store_clear_deadline(sb.store);
  int32_t r = 1;
  EXPECT_EQ(sb.call(2, {1000}, &r), "");
  EXPECT_EQ(r, 0);
}

TEST(CapiDeadline, InterruptsAStartFunction) {
  Sandbox sb(false, true);
  ASSERT_TRUE(hull_store_set_deadline_ms(sb.store, 50));
  std::string msg = sb.instantiate("(module (func $s (loop $l (br $l))) (start $s))");
  EXPECT_NE(msg.find("interrupt"), std::string::npos) << msg;
}

TEST(CapiLimits, MemoryGrowAndMinimum) {
  hull_limits_t l;
  hull_limits_default(&l);
  l.max_memory_bytes = 4 * 65536;
  Sandbox sb(false, false, &l);
  ASSERT_EQ(sb.instantiate(R"((module (memory (export "mem") 1)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))"), "");
  int32_t r = 0;
  EXPECT_EQ(sb.call(1, {4}, &r), "");
  EXPECT_EQ(r, -1);
  EXPECT_EQ(sb.call(1, {3}, &r), "");
  EXPECT_EQ(r, 1);
  EXPECT_FALSE(wasm_memory_grow(wasm_extern_as_memory(sb.exports.data[0]), 1));
  std::string msg = sb.instantiate("(module (memory 5))");
  EXPECT_NE(msg.find("max_memory_bytes"), std::string::npos) << msg;
}

TEST(CapiLimits, TableGrowAndMinimum) {
  hull_limits_t l;
  hull_limits_default(&l);
  l.max_table_elements = 10;
  Sandbox sb(false, false, &l);
  ASSERT_EQ(sb.instantiate(R"((module (table (export "t") 2 funcref)
    (func (export "grow") (param i32) (result i32)
      (table.grow (ref.null func) (local.get 0)))))"), "");
  int32_t r = 0;
  EXPECT_EQ(sb.call(1, {9}, &r), "");
  EXPECT_EQ(r, -1);
  EXPECT_EQ(sb.call(1, {8}, &r), "");
  EXPECT_EQ(r, 2);
  wasm_table_t* t = wasm_extern_as_table(sb.exports.data[0]);
  EXPECT_EQ(wasm_table_size(t), 10u);
  EXPECT_FALSE(wasm_table_grow(t, 1, nullptr));
  std::string msg = sb.instantiate("(module (table 11 funcref))");
  EXPECT_NE(msg.find("max_table_elements"), std::string::npos) << msg;
  EXPECT_EQ(sb.instantiate("(module (table 10 funcref))"), "");
}

TEST(CapiLimits, InstancesPerStore) {
  hull_limits_t l;
  hull_limits_default(&l);
  l.max_instances = 2;
  Sandbox sb(false, false, &l);
  EXPECT_EQ(sb.instantiate("(module)"), "");
  EXPECT_EQ(sb.instantiate("(module)"), "");
  std::string msg = sb.instantiate("(module)");
  EXPECT_NE(msg.find("max_instances"), std::string::npos) << msg;
  // hull_store_set_limits raises it for this store.
  l.max_instances = 3;
  hull_store_set_limits(sb.store, &l);
  EXPECT_EQ(sb.instantiate("(module)"), "");
}

constexpr const char* kRecursion = R"((module
  (func $depth (export "depth") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $depth (i32.sub (local.get 0) (i32.const 1)))))))))";

TEST(CapiLimits, WasmStack) {
  hull_limits_t l;
  hull_limits_default(&l);
  EXPECT_EQ(l.max_wasm_stack_bytes, 1u << 20);
  l.max_wasm_stack_bytes = 16 << 10;
  Sandbox sb(false, false, &l);
  ASSERT_EQ(sb.instantiate(kRecursion), "");
  int32_t r = 0;
  EXPECT_EQ(sb.call(0, {100}, &r), "");
  EXPECT_EQ(r, 100);
  EXPECT_EQ(sb.call(0, {100000}), "call stack exhausted");
  EXPECT_EQ(sb.call(0, {100}, &r), "");

  // Out-of-range values are clamped to [8 KiB, 1 GiB].
  l.max_wasm_stack_bytes = 0;
  hull_store_set_limits(sb.store, &l);
  hull_limits_t got;
  hull_store_get_limits(sb.store, &got);
  EXPECT_EQ(got.max_wasm_stack_bytes, 8u << 10);
  l.max_wasm_stack_bytes = UINT64_MAX;
  hull_store_set_limits(sb.store, &l);
  hull_store_get_limits(sb.store, &got);
  EXPECT_EQ(got.max_wasm_stack_bytes, 1u << 30);

  Sandbox plain(false, false);
  ASSERT_EQ(plain.instantiate(kRecursion), "");
  EXPECT_EQ(plain.call(0, {10000}, &r), "");
  EXPECT_EQ(r, 10000);
}

TEST(CapiFrames, InstanceOfEachFrame) {
  Sandbox sb(false, false);
  // Two instances: the trap happens in the second one's code, called from the first's.
  wasm_module_t* inner = compile(sb.store, R"((module
    (func (export "boom") nop unreachable)))");
  ASSERT_NE(inner, nullptr);
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_instance_t* i1 = wasm_instance_new(sb.store, inner, &none, nullptr);
  ASSERT_NE(i1, nullptr);
  wasm_extern_vec_t e1;
  wasm_instance_exports(i1, &e1);
  wasm_module_t* outer = compile(sb.store, R"((module
    (import "m" "boom" (func $boom))
    (func (export "run") call $boom)))");
  ASSERT_NE(outer, nullptr);
  wasm_instance_t* i2 = wasm_instance_new(sb.store, outer, &e1, nullptr);
  ASSERT_NE(i2, nullptr);
  wasm_extern_vec_t e2;
  wasm_instance_exports(i2, &e2);
  wasm_val_vec_t empty = WASM_EMPTY_VEC;
  wasm_trap_t* t = wasm_func_call(wasm_extern_as_func(e2.data[0]), &empty, &empty);
  ASSERT_NE(t, nullptr);
  wasm_frame_vec_t trace;
  wasm_trap_trace(t, &trace);
  ASSERT_EQ(trace.size, 2u);
  EXPECT_TRUE(wasm_instance_same(wasm_frame_instance(trace.data[0]), i1));
  EXPECT_TRUE(wasm_instance_same(wasm_frame_instance(trace.data[1]), i2));
  EXPECT_EQ(wasm_frame_func_index(trace.data[0]), 0u);
  EXPECT_EQ(wasm_frame_func_index(trace.data[1]), 1u);
  // `unreachable` follows one `nop` after the body's local declaration count byte.
  EXPECT_EQ(wasm_frame_func_offset(trace.data[0]), 2u);
  wasm_frame_t* origin = wasm_trap_origin(t);
  EXPECT_TRUE(wasm_instance_same(wasm_frame_instance(origin), i1));
  wasm_frame_delete(origin);
  wasm_frame_vec_delete(&trace);
  // A trap made by the host has no frames.
  wasm_message_t hm;
  wasm_name_new_from_string_nt(&hm, "host");
  wasm_trap_t* ht = wasm_trap_new(sb.store, &hm);
  wasm_byte_vec_delete(&hm);
  EXPECT_EQ(wasm_trap_origin(ht), nullptr);
  wasm_trap_delete(ht);
  wasm_trap_delete(t);
  wasm_extern_vec_delete(&e2);
  wasm_extern_vec_delete(&e1);
  wasm_instance_delete(i2);
  wasm_instance_delete(i1);
  wasm_module_delete(outer);
  wasm_module_delete(inner);
}

TEST(CapiV128, SignaturesWithV128TrapInsteadOfCrashing) {
  Sandbox sb(false, false);
  ASSERT_EQ(sb.instantiate(R"((module
    (global (export "g") (mut v128) (v128.const i64x2 1 2))
    (func (export "take") (param v128))
    (func (export "give") (result v128) (v128.const i64x2 3 4))
    (func (export "fine") (result i32) (i32.const 5))))"), "");
  wasm_val_t a[1] = {WASM_REF_VAL(nullptr)};
  a[0].kind = WASM_EXTERNREF;
  wasm_val_vec_t av = WASM_ARRAY_VEC(a), empty = WASM_EMPTY_VEC;
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t rv = WASM_ARRAY_VEC(r);
  wasm_trap_t* t = wasm_func_call(sb.func(1), &av, &empty);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(message(t), "v128 parameters are not supported by wasm.h");
  wasm_trap_delete(t);
  t = wasm_func_call(sb.func(2), &empty, &rv);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(message(t), "v128 results are not supported by wasm.h");
  wasm_trap_delete(t);
  // A v128 global reads as a null externref and ignores writes.
  wasm_global_t* g = wasm_extern_as_global(sb.exports.data[0]);
  wasm_val_t gv = WASM_I32_VAL(9);
  wasm_global_get(g, &gv);
  EXPECT_EQ(gv.kind, WASM_EXTERNREF);
  EXPECT_EQ(gv.of.ref, nullptr);
  wasm_global_set(g, &a[0]);
  int32_t out = 0;
  EXPECT_EQ(sb.call(3, {}, &out), "");
  EXPECT_EQ(out, 5);
}

// hull_config_wasm_feature: a module using a feature that is off does not compile, with the
// feature named; the same module compiles with it on; an unknown name is refused.
TEST(CapiFeatures, SwitchedOffFeatureRejectsItsModules) {
  const std::string simd =
      "(module (func (result i32) (i32x4.extract_lane 0 (v128.const i32x4 1 0 0 0))))";
  wasm_byte_vec_t bin;
  wasm_message_t err;
  ASSERT_TRUE(hull_wat2wasm(simd.data(), simd.size(), &bin, &err));
  for (bool on : {false, true}) {
    wasm_config_t* c = wasm_config_new();
    EXPECT_FALSE(hull_config_wasm_feature(c, "bogus", false));
    EXPECT_TRUE(hull_config_wasm_feature(c, "simd", on));
    wasm_engine_t* engine = wasm_engine_new_with_config(c);
    wasm_store_t* store = wasm_store_new(engine);
    wasm_module_t* m = hull_module_new(store, &bin, &err);
    if (on) {
      EXPECT_NE(m, nullptr);
    } else {
      ASSERT_EQ(m, nullptr);
      EXPECT_NE(std::string(err.data).find("requires the simd feature"), std::string::npos)
          << err.data;
      wasm_byte_vec_delete(&err);
    }
    wasm_module_delete(m);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
  }
  wasm_byte_vec_delete(&bin);
}

// The proposals' switches by Wasmtime's names: wide-arithmetic, custom-page-sizes.
TEST(CapiFeatures, WideArithmeticAndCustomPageSizes) {
  const std::pair<const char*, std::string> cases[] = {
      {"wide-arithmetic",
       "(module (func (param i64 i64) (result i64 i64) local.get 0 local.get 1 "
       "i64.mul_wide_s))"},
      {"custom-page-sizes", "(module (memory 1 (pagesize 1)))"},
  };
  for (const auto& [name, wat] : cases) {
    wasm_byte_vec_t bin;
    wasm_message_t err;
    ASSERT_TRUE(hull_wat2wasm(wat.data(), wat.size(), &bin, &err)) << name;
    for (bool on : {false, true}) {
      wasm_config_t* c = wasm_config_new();
      EXPECT_TRUE(hull_config_wasm_feature(c, name, on));
      wasm_engine_t* engine = wasm_engine_new_with_config(c);
      wasm_store_t* store = wasm_store_new(engine);
      wasm_module_t* m = hull_module_new(store, &bin, &err);
      if (on) {
        EXPECT_NE(m, nullptr) << name;
      } else {
        ASSERT_EQ(m, nullptr) << name;
        EXPECT_NE(std::string(err.data).find(std::string("requires the ") + name + " feature"),
                  std::string::npos)
            << err.data;
        wasm_byte_vec_delete(&err);
      }
      wasm_module_delete(m);
      wasm_store_delete(store);
      wasm_engine_delete(engine);
    }
    wasm_byte_vec_delete(&bin);
  }
}

// Reuse: a store put back to its state right after instantiation sees what a fresh instance
// would (memory, globals); a store whose instantiation ran code has no snapshot, and a snapshot
// restores only its own store.
constexpr const char* kCounter = R"((module
  (memory (export "memory") 1)
  (global $n (mut i32) (i32.const 0))
  (data (i32.const 64) "\07")
  (func (export "bump") (result i32)
    (global.set $n (i32.add (global.get $n) (i32.load8_u (i32.const 64))))
    (i32.store8 (i32.const 64) (i32.add (i32.load8_u (i32.const 64)) (i32.const 1)))
    (global.get $n))))";

TEST(CapiSnapshot, RestoresMemoryAndGlobals) {
  Sandbox sb(false, false);
  ASSERT_EQ(sb.instantiate(kCounter), "");
  wasm_message_t err;
  hull_store_snapshot_t* snap = hull_store_snapshot_take(sb.store, &err);
  ASSERT_NE(snap, nullptr) << err.data;
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    int32_t r = 0;
    EXPECT_EQ(sb.call(1, {}, &r), "");
    EXPECT_EQ(r, 7);  // 0 + 7
    EXPECT_EQ(sb.call(1, {}, &r), "");
    EXPECT_EQ(r, 15);  // 7 + 8: the memory and the global moved on
    ASSERT_TRUE(hull_store_snapshot_restore(snap, sb.store, &err)) << err.data;
  }
  // Another store is refused, with the reason.
  Sandbox other(false, false);
  ASSERT_EQ(other.instantiate(kCounter), "");
  EXPECT_FALSE(hull_store_snapshot_restore(snap, other.store, &err));
  EXPECT_NE(std::string(err.data).find("another store"), std::string::npos) << err.data;
  wasm_byte_vec_delete(&err);
  hull_store_snapshot_delete(snap);
}

TEST(CapiSnapshot, RefusedAfterAStartFunction) {
  Sandbox sb(false, false);
  ASSERT_EQ(sb.instantiate("(module (global $g (mut i32) (i32.const 0)) "
                           "(func $s (global.set $g (i32.const 1))) (start $s))"),
            "");
  wasm_message_t err;
  EXPECT_EQ(hull_store_snapshot_take(sb.store, &err), nullptr);
  EXPECT_NE(std::string(err.data).find("start function"), std::string::npos) << err.data;
  wasm_byte_vec_delete(&err);
  EXPECT_EQ(hull_store_snapshot_take(nullptr, nullptr), nullptr);  // no store, no error out
}

}  // namespace
