// Wasm GC through the public C++ API: structs and arrays round-trip through fields, casts trap
// with their own codes, and the collector keeps a churning program in bounded memory and frees
// cycles once nothing reaches them (Store::stats' gc_* counters tell) -- including what the host
// held (RootScope, OwnedRef) and externrefs; references from the host are type-checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <vector>

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
  // Every collection's pause is recorded.
  EXPECT_GT(st.gc_pause_max.count(), 0);
  EXPECT_LE(st.gc_pause_max, st.gc_pause_total);
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

// ---- references held by the host ----

constexpr std::string_view kHandles = R"((module
  (type $node (struct (field $next (mut (ref null $node))) (field $v i32)))
  (tag $oops (param (ref null $node)))
  (global $ext (mut externref) (ref.null extern))
  (global $any (export "any") (mut anyref) (ref.null any))
  (global $node_g (export "node_g") (mut (ref null $node)) (ref.null $node))
  ;; A node whose `next` is itself: a cycle the host alone keeps alive.
  (func (export "node") (param $v i32) (result (ref $node))
    (local $n (ref $node))
    (local.set $n (struct.new $node (ref.null $node) (local.get $v)))
    (struct.set $node $next (local.get $n) (local.get $n))
    (local.get $n))
  (func (export "value") (param (ref $node)) (result i32)
    (struct.get $node $v (ref.as_non_null (struct.get $node $next (local.get 0)))))
  (func (export "i31") (result anyref) (ref.i31 (i32.const 5)))
  (func (export "keep_ext") (param externref) (global.set $ext (local.get 0)))
  (func (export "drop_ext") (global.set $ext (ref.null extern)))
  (func (export "externalize") (param anyref) (result externref)
    (extern.convert_any (local.get 0)))
  (func (export "throw") (param $v i32)
    (throw $oops (call 0 (local.get $v))))
))";

struct HandlesFixture : ::testing::Test {
  api::Engine engine;
  api::Store store{engine};
  api::Instance inst;
  void SetUp() override {
    auto i = api::Linker().instantiate(store, wat(engine, kHandles));
    ASSERT_TRUE(i.ok()) << i.error().to_string();
    inst = *i;
  }
  api::Val node(int32_t v) {
    auto r = inst.get_func("node")->call({api::Val(v)});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? (*r)[0] : api::Val();
  }
  size_t live() {
    store.collect_garbage();
    return store.stats().gc_objects;
  }
};

using ApiGcHandles = HandlesFixture;

TEST_F(ApiGcHandles, ResultsLiveUntilTheirScopeEnds) {
  {
    api::RootScope scope(store);
    api::Val n = node(41);
    EXPECT_EQ(live(), 1u);  // only the host refers to it (and it to itself)
    EXPECT_EQ(store.stats().host_roots, 1u);
    EXPECT_EQ(call_i32(inst, "value", {n}), 41);
  }
  EXPECT_EQ(store.stats().host_roots, 0u);
  EXPECT_EQ(live(), 0u);  // the cycle went with the scope
  // Nested scopes release only their own.
  api::RootScope outer(store);
  api::Val a = node(1);
  {
    api::RootScope inner(store);
    node(2);
    EXPECT_EQ(live(), 2u);
  }
  EXPECT_EQ(live(), 1u);
  EXPECT_EQ(call_i32(inst, "value", {a}), 1);
}

TEST_F(ApiGcHandles, OwnedRefKeepsAReferencePastItsScope) {
  api::OwnedRef kept;
  {
    api::RootScope scope(store);
    kept = api::OwnedRef(store, node(7));
  }
  EXPECT_EQ(live(), 1u);
  EXPECT_EQ(call_i32(inst, "value", {kept.get()}), 7);
  api::OwnedRef copy = kept;  // copies root too
  kept.reset();
  EXPECT_EQ(live(), 1u);
  EXPECT_EQ(call_i32(inst, "value", {copy.get()}), 7);
  api::OwnedRef moved = std::move(copy);
  EXPECT_EQ(live(), 1u);
  moved.reset();
  EXPECT_EQ(live(), 0u);
  EXPECT_EQ(store.stats().host_roots, 0u);
}

TEST(ApiGcHandlesLifetime, OwnedRefMayOutliveItsStore) {
  api::Engine engine;
  api::OwnedRef kept;
  {
    api::Store store(engine);
    auto i = api::Linker().instantiate(store, wat(engine, kHandles));
    ASSERT_TRUE(i.ok()) << i.error().to_string();
    auto r = i->get_func("node")->call({api::Val(int32_t{3})});
    ASSERT_TRUE(r.ok());
    kept = api::OwnedRef(store, (*r)[0]);
  }
  kept.reset();  // the store is gone: nothing to unpin (ASan checks no freed memory is touched)
}

std::vector<uint64_t> g_finalized;

TEST_F(ApiGcHandles, UnreachableExternRefsAreFreed) {
  g_finalized.clear();
  auto fin = [](uint64_t v) { g_finalized.push_back(v); };
  {
    api::RootScope scope(store);
    for (uint64_t i = 0; i < 1000; ++i) {
      api::Val e = store.new_externref(i, fin);
      if (i == 500) ASSERT_TRUE(inst.get_func("keep_ext")->call({e}).ok());
    }
    EXPECT_EQ(store.stats().externrefs, 1000u);
  }
  store.collect_garbage();
  EXPECT_EQ(g_finalized.size(), 999u);  // all but the one wasm keeps in a global
  EXPECT_EQ(store.stats().externrefs, 1u);
  EXPECT_EQ(std::count(g_finalized.begin(), g_finalized.end(), 500u), 0);
  ASSERT_TRUE(inst.get_func("drop_ext")->call({}).ok());
  store.collect_garbage();
  EXPECT_EQ(g_finalized.size(), 1000u);
  EXPECT_EQ(store.stats().externrefs, 0u);
}

TEST_F(ApiGcHandles, AHostFunctionCallIsAScope) {
  // A host function that makes externrefs it does not return: they die with each call.
  api::Linker linker;
  linker.func("host", "make", [](api::Caller& c) {
    for (int i = 0; i < 100; ++i) c.store().new_externref(uint64_t(i));
  });
  auto caller = linker.instantiate(store, wat(engine, R"((module
    (import "host" "make" (func $make))
    (func (export "run") (param $n i32)
      (loop $l (call $make)
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))))"));
  ASSERT_TRUE(caller.ok()) << caller.error().to_string();
  ASSERT_TRUE(caller->get_func("run")->call({api::Val(int32_t{50})}).ok());
  EXPECT_EQ(store.stats().host_roots, 0u);
  store.collect_garbage();
  EXPECT_EQ(store.stats().externrefs, 0u);
}

TEST_F(ApiGcHandles, ExceptionsTheHostReceivedAreCollectedWithTheirScope) {
  {
    api::RootScope scope(store);
    auto r = inst.get_func("throw")->call({api::Val(int32_t{9})});
    ASSERT_FALSE(r.ok());
    ASSERT_NE(r.error().exception(), nullptr);
    ASSERT_EQ(r.error().exception()->args.size(), 1u);
    // The payload (a node) is alive while the exception is held.
    store.collect_garbage();
    EXPECT_EQ(store.stats().exceptions, 1u);
    EXPECT_EQ(store.stats().gc_objects, 1u);
    EXPECT_EQ(call_i32(inst, "value", {r.error().exception()->args[0]}), 9);
  }
  store.collect_garbage();
  EXPECT_EQ(store.stats().exceptions, 0u);
  EXPECT_EQ(store.stats().gc_objects, 0u);
}

TEST_F(ApiGcHandles, ReferencesFromTheHostAreTypeChecked) {
  api::RootScope scope(store);
  auto value = *inst.get_func("value");
  auto expect_usage = [](const hull::api::Result<std::vector<api::Val>>& r, std::string_view what) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, api::ErrorKind::Usage);
    EXPECT_NE(r.error().message.find(what), std::string::npos) << r.error().message;
  };
  // (ref $node) is not nullable.
  expect_usage(value.call({api::Val::null(api::ValType::AnyRef)}),
               "argument 0 is null, but the type is (ref ");
  // An i31 is an anyref, but not a $node: a struct.get on it would read through a bad pointer.
  auto i31 = inst.get_func("i31")->call({});
  ASSERT_TRUE(i31.ok());
  expect_usage(value.call({(*i31)[0]}), "argument 0 does not match type (ref ");
  // A node of another store.
  api::Store other(engine);
  auto oi = api::Linker().instantiate(other, wat(engine, kHandles));
  ASSERT_TRUE(oi.ok());
  auto foreign = oi->get_func("node")->call({api::Val(int32_t{1})});
  ASSERT_TRUE(foreign.ok());
  expect_usage(value.call({(*foreign)[0]}),
               "is not a live reference of this store's any hierarchy");
  // Globals check the same way.
  auto g = *inst.get_global("node_g");
  auto bad = g.set((*i31)[0]);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("does not match type"), std::string::npos)
      << bad.error().message;
  EXPECT_TRUE(g.set(node(4)).ok());
  EXPECT_TRUE(inst.get_global("any")->set((*i31)[0]).ok());  // anyref takes an i31
  // A well-typed call still works.
  EXPECT_EQ(call_i32(inst, "value", {node(12)}), 12);
}

TEST_F(ApiGcHandles, ExternrefValueTellsHostObjectsFromWasmValues) {
  api::RootScope scope(store);
  auto ext = *inst.get_func("externalize");
  auto from_node = ext.call({node(1)});
  ASSERT_TRUE(from_node.ok());
  EXPECT_FALSE(store.externref_value((*from_node)[0]));
  auto from_i31 = ext.call({(*inst.get_func("i31")->call({}))[0]});
  ASSERT_TRUE(from_i31.ok());
  EXPECT_FALSE(store.externref_value((*from_i31)[0]));
  EXPECT_EQ(store.externref_value(store.new_externref(33)), 33u);
}

// ---- inside GC objects, from the host ----

constexpr std::string_view kFields = R"((module
  (type $node (struct (field $next (mut (ref null $node))) (field $v i32)))
  (type $rec (struct (field $a (mut i32)) (field $b (mut i8)) (field $c f64)
                     (field $d (mut (ref null $node))) (field $e i64)))
  (type $shorts (array (mut i16)))
  (type $frozen (array i32))
  (func (export "rec") (result (ref $rec))
    (struct.new $rec (i32.const 7) (i32.const 200) (f64.const 2.5)
                     (struct.new $node (ref.null $node) (i32.const 9)) (i64.const -1)))
  (func (export "shorts") (param i32) (result (ref $shorts))
    (array.new $shorts (i32.const 65535) (local.get 0)))
  (func (export "frozen") (result (ref $frozen)) (array.new_fixed $frozen 2 (i32.const 1) (i32.const 2)))
  (func (export "sum_a_b") (param (ref $rec)) (result i32)
    (i32.add (struct.get $rec $a (local.get 0)) (struct.get_s $rec $b (local.get 0))))
  (func (export "short_at") (param (ref $shorts) i32) (result i32)
    (array.get_s $shorts (local.get 0) (local.get 1)))
  (func (export "i31_plus") (param i31ref i32) (result i32)
    (i32.add (i31.get_s (local.get 0)) (local.get 1)))
))";

struct FieldsFixture : ::testing::Test {
  api::Engine engine;
  api::Store store{engine};
  std::optional<api::Instance> inst;
  std::optional<api::RootScope> scope;
  void SetUp() override {
    auto i = api::Linker().instantiate(store, wat(engine, kFields));
    ASSERT_TRUE(i.ok()) << i.error().to_string();
    inst = *i;
    scope.emplace(store);
  }
  void TearDown() override { scope.reset(); }
  // The first result of export `name`.
  api::Val make(const char* name, std::vector<api::Val> args = {}) {
    auto r = inst->get_func(name)->call(args);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
    return r.ok() ? (*r)[0] : api::Val();
  }
};

using ApiGcFields = FieldsFixture;

TEST_F(ApiGcFields, TheHostReadsAndWritesStructsAndArrays) {
  api::Val rec = make("rec");
  EXPECT_EQ(store.ref_kind(rec), api::Store::RefKind::Struct);
  EXPECT_EQ(store.struct_get(rec, 0)->i32(), 7);
  EXPECT_EQ(store.struct_get(rec, 1)->i32(), 200);  // packed: zero-extended
  EXPECT_EQ(store.struct_get(rec, 2)->f64(), 2.5);
  EXPECT_EQ(store.struct_get(rec, 4)->i64(), -1);
  api::Val node = *store.struct_get(rec, 3);
  EXPECT_EQ(store.ref_kind(node), api::Store::RefKind::Struct);
  EXPECT_EQ(store.struct_get(node, 1)->i32(), 9);
  // Writes are seen by wasm: 100 + (int8)0x1FF = 100 - 1.
  ASSERT_TRUE(store.struct_set(rec, 0, api::Val(int32_t{100})).ok());
  ASSERT_TRUE(store.struct_set(rec, 1, api::Val(int32_t{0x1FF})).ok());
  EXPECT_EQ(call_i32(*inst, "sum_a_b", {rec}), 99);
  ASSERT_TRUE(store.struct_set(rec, 3, api::Val::null(api::ValType::AnyRef)).ok());
  EXPECT_EQ(store.ref_kind(*store.struct_get(rec, 3)), api::Store::RefKind::Null);

  api::Val shorts = make("shorts", {api::Val(int32_t{3})});
  EXPECT_EQ(store.ref_kind(shorts), api::Store::RefKind::Array);
  EXPECT_EQ(*store.array_len(shorts), 3u);
  EXPECT_EQ(store.array_get(shorts, 2)->i32(), 65535);
  ASSERT_TRUE(store.array_set(shorts, 1, api::Val(int32_t{-2})).ok());
  EXPECT_EQ(call_i32(*inst, "short_at", {shorts, api::Val(int32_t{1})}), -2);

  // i31 references made by the host.
  api::Val small = api::Val::i31ref(-5);
  EXPECT_EQ(small.i31(), -5);
  EXPECT_EQ(store.ref_kind(small), api::Store::RefKind::I31);
  EXPECT_EQ(call_i32(*inst, "i31_plus", {small, api::Val(int32_t{10})}), 5);
  EXPECT_FALSE(rec.i31());
}

TEST_F(ApiGcFields, MistakesAreUsageErrorsThatSayWhat) {
  api::Val rec = make("rec");
  api::Val shorts = make("shorts", {api::Val(int32_t{3})});
  api::Val frozen = make("frozen");
  auto says = [](const auto& r, std::string_view what) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, api::ErrorKind::Usage);
    EXPECT_EQ(r.error().message, what);
  };
  says(store.struct_get(rec, 5), "field 5 is out of range (5)");
  says(store.struct_set(rec, 2, api::Val(2.0)), "field 2 is immutable");
  says(store.struct_set(rec, 0, api::Val(int64_t{1})), "value is i64, the field is i32");
  says(store.struct_get(shorts, 0), "not a struct of this store");
  says(store.array_len(rec), "not an array of this store");
  says(store.struct_get(api::Val::null(api::ValType::AnyRef), 0), "null struct reference");
  says(store.struct_get(api::Val::i31ref(1), 0), "not a struct of this store");
  says(store.array_get(shorts, 3), "element 3 is out of range (3)");
  says(store.array_set(frozen, 0, api::Val(int32_t{1})), "the array's elements are immutable");
  // A reference field takes only its exact type: an i31 is not a $node.
  auto bad = store.struct_set(rec, 3, api::Val::i31ref(1));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("value does not match type"), std::string::npos)
      << bad.error().message;
  // Another store's struct is not this store's.
  api::Store other(engine);
  auto oi = api::Linker().instantiate(other, wat(engine, kFields));
  ASSERT_TRUE(oi.ok());
  api::Val foreign = (*oi->get_func("rec")->call({}))[0];
  says(store.struct_get(foreign, 0), "not a struct of this store");
  EXPECT_EQ(store.ref_kind(foreign), api::Store::RefKind::Unknown);
  EXPECT_EQ(store.ref_kind(store.new_externref(1)), api::Store::RefKind::Host);
}

// ---- what typed fields hold: the collector follows them by their type ----

constexpr std::string_view kTypedFields = R"((module
  (type $f (func (result i32)))
  (type $box (struct (field $fn (mut (ref null $f))) (field $exn (mut exnref))
                     (field $next (mut (ref null $box)))))
  (type $fns (array (mut funcref)))
  (tag $t (param i32))
  (global $keep (mut (ref null $box)) (ref.null $box))
  (global $fns (mut (ref null $fns)) (ref.null $fns))
  (func $seven (type $f) (i32.const 7))
  (elem declare func $seven)
  ;; A box holding a function, an exception (caught with catch_ref) and itself.
  (func (export "fill")
    (local $b (ref $box)) (local $e exnref)
    (local.set $b (struct.new $box (ref.func $seven) (ref.null exn) (ref.null $box)))
    (struct.set $box $next (local.get $b) (local.get $b))
    (block $h (result i32 exnref)
      (try_table (catch_ref $t $h) (throw $t (i32.const 42)))
      (unreachable))
    (local.set $e)
    (drop)  ;; the i32 payload
    (struct.set $box $exn (local.get $b) (local.get $e))
    (global.set $keep (local.get $b))
    (global.set $fns (array.new $fns (ref.func $seven) (i32.const 3))))
  (func (export "use") (result i32)
    (i32.add
      (call_ref $f (ref.as_non_null (struct.get $box $fn (global.get $keep))))
      (call_ref $f (ref.cast (ref $f) (array.get $fns (global.get $fns) (i32.const 2))))))
  (func (export "clear")
    (global.set $keep (ref.null $box))
    (global.set $fns (ref.null $fns)))
))";

TEST(ApiGcTypedFields, FunctionsAndExceptionsInFieldsAreFollowedByTheirType) {
  api::Engine engine;
  api::Store store(engine);
  auto inst = api::Linker().instantiate(store, wat(engine, kTypedFields));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  ASSERT_TRUE(inst->get_func("fill")->call({}).ok());
  store.collect_garbage();
  store.collect_garbage();
  // The exception lives through the box's exnref field; functions in fields are not heap
  // objects (marking one as such would write into the Function and break its type).
  EXPECT_EQ(store.stats().exceptions, 1u);
  EXPECT_EQ(store.stats().gc_objects, 2u);  // the box and the array
  EXPECT_EQ(call_i32(*inst, "use"), 14);
  ASSERT_TRUE(inst->get_func("clear")->call({}).ok());
  store.collect_garbage();
  EXPECT_EQ(store.stats().exceptions, 0u);
  EXPECT_EQ(store.stats().gc_objects, 0u);
}

}  // namespace
