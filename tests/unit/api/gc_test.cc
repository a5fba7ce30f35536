// Wasm GC through the public C++ API: structs and arrays round-trip through fields, casts trap
// with their own codes, and the collector keeps a churning program in bounded memory and frees
// cycles once nothing reaches them (Store::stats' gc_* counters tell).
#include <gtest/gtest.h>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

api::Module wat(const api::Engine& e, std::string_view text) {
  auto m = api::Module::from_wat(e, text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
  return *m;
}

int32_t call_i32(api::Instance& inst, const char* name, std::vector<api::Val> args = {}) {
  auto r = inst.get_func(name)->call(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  return r.ok() && !r->empty() ? (*r)[0].i32() : -1;
}

constexpr std::string_view kShapes = R"((module
  (type $point (struct (field $x (mut i32)) (field $y i8) (field $z f64)))
  (type $bytes (array (mut i8)))
  (type $node (struct (field $next (mut (ref null $node))) (field $v i32)))
  (global $keep (mut (ref null $node)) (ref.null $node))
  (table $t 4 (ref null any))
  (func (export "point") (result i32)
    (local $p (ref $point))
    (local.set $p (struct.new $point (i32.const 7) (i32.const 200) (f64.const 2.5)))
    (struct.set $point $x (local.get $p) (i32.add (struct.get $point $x (local.get $p)) (i32.const 1)))
    ;; 8 + (-56) + 2 = -46: the i8 field sign-extends
    (i32.add (i32.add (struct.get $point $x (local.get $p)) (struct.get_s $point $y (local.get $p)))
             (i32.trunc_f64_s (struct.get $point $z (local.get $p)))))
  (func (export "bytes") (param $n i32) (result i32)
    (local $a (ref $bytes))
    (local.set $a (array.new $bytes (i32.const 255) (local.get $n)))
    (array.set $bytes (local.get $a) (i32.const 0) (i32.const 1))
    (i32.add (array.get_u $bytes (local.get $a) (i32.const 0))
             (i32.add (array.get_u $bytes (local.get $a) (i32.sub (local.get $n) (i32.const 1)))
                      (array.len (local.get $a)))))
  (func (export "oob") (result i32)
    (array.get_u $bytes (array.new_default $bytes (i32.const 3)) (i32.const 3)))
  (func (export "bad_cast") (result i32)
    (struct.get $point $x (ref.cast (ref $point) (ref.i31 (i32.const 1)))))
  (func (export "i31") (param i32) (result i32)
    (i31.get_s (ref.cast (ref i31) (ref.i31 (local.get 0)))))
  ;; Allocates n arrays of 64 KiB that die at once: 10 GB in all for n = 163840.
  (func (export "churn") (param $n i32) (result i32)
    (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (array.len (array.new_default $bytes (i32.const 65536)))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; A two-node cycle, kept by the global (where = 0) or the table (where = 1).
  (func (export "make_cycle") (param $where i32)
    (local $a (ref $node)) (local $b (ref $node))
    (local.set $a (struct.new $node (ref.null $node) (i32.const 1)))
    (local.set $b (struct.new $node (local.get $a) (i32.const 2)))
    (struct.set $node $next (local.get $a) (local.get $b))
    (if (local.get $where)
      (then (table.set $t (i32.const 0) (local.get $a)))
      (else (global.set $keep (local.get $a)))))
  (func (export "drop_cycles")
    (global.set $keep (ref.null $node))
    (table.set $t (i32.const 0) (ref.null any)))
  (func (export "cycle_sum") (result i32)
    (local $a (ref $node))
    (local.set $a (ref.as_non_null (global.get $keep)))
    (i32.add (struct.get $node $v (local.get $a))
             (struct.get $node $v (ref.as_non_null (struct.get $node $next (local.get $a)))))))
)";

TEST(ApiGc, StructsArraysAndI31) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kShapes));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ(call_i32(*inst, "point"), -46);
  EXPECT_EQ(call_i32(*inst, "bytes", {api::Val(int32_t{10})}), 1 + 255 + 10);
  EXPECT_EQ(call_i32(*inst, "i31", {api::Val(int32_t{-5})}), -5);
  // i31 keeps 31 bits: 2^30 wraps to -2^30.
  EXPECT_EQ(call_i32(*inst, "i31", {api::Val(int32_t{1 << 30})}), -(1 << 30));
}

TEST(ApiGc, TrapsNameTheirCause) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kShapes));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto oob = inst->get_func("oob")->call({});
  ASSERT_FALSE(oob.ok());
  ASSERT_TRUE(oob.error().trap);
  EXPECT_EQ(oob.error().trap->code, api::TrapCode::ArrayOutOfBounds);
  EXPECT_EQ(oob.error().trap->message, "out of bounds array access");
  auto cast = inst->get_func("bad_cast")->call({});
  ASSERT_FALSE(cast.ok());
  ASSERT_TRUE(cast.error().trap);
  EXPECT_EQ(cast.error().trap->code, api::TrapCode::CastFailure);
  EXPECT_EQ(cast.error().trap->message, "cast failure");
}

TEST(ApiGc, ChurningTenGigabytesStaysBounded) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kShapes));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  constexpr int32_t kArrays = 163840;  // x 64 KiB = 10 GiB
  EXPECT_EQ(call_i32(*inst, "churn", {api::Val(kArrays)}), int32_t(uint32_t(kArrays) * 65536u));
  const api::Store::Stats st = store.stats();
  EXPECT_GE(st.gc_allocated_bytes, uint64_t(kArrays) * 65536);
  EXPECT_GT(st.gc_collections, 1000u);
  // Everything died young: what is left is at most the allocations since the last collection.
  EXPECT_LT(st.gc_bytes, uint64_t(16) << 20);
}

TEST(ApiGc, CyclesThroughGlobalsAndTablesAreCollected) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kShapes));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  ASSERT_TRUE(inst->get_func("make_cycle")->call({api::Val(int32_t{0})}).ok());
  ASSERT_TRUE(inst->get_func("make_cycle")->call({api::Val(int32_t{1})}).ok());
  store.collect_garbage();
  EXPECT_EQ(store.stats().gc_objects, 4u);  // both cycles are reachable
  EXPECT_EQ(call_i32(*inst, "cycle_sum"), 3);
  ASSERT_TRUE(inst->get_func("drop_cycles")->call({}).ok());
  store.collect_garbage();
  EXPECT_EQ(store.stats().gc_objects, 0u);
}

TEST(ApiGc, HeapCountsAgainstTheStoreMemoryLimit) {
  api::Engine engine;
  api::StoreLimits limits;
  limits.max_memory_bytes = 8 << 20;
  api::Store store(engine, limits);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kShapes));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  // 16 MiB in one array: refused with a trap, not allocated.
  auto r = inst->get_func("bytes")->call({api::Val(int32_t{16 << 20})});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().trap);
  EXPECT_EQ(r.error().trap->code, api::TrapCode::HeapExhausted);
  // Short-lived garbage under the limit keeps running: collections make room.
  EXPECT_EQ(call_i32(*inst, "churn", {api::Val(int32_t{1000})}), 1000 * 65536);
}

}  // namespace
