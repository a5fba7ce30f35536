// Canonical type ids: structural equality for func types, iso-recursive equivalence for rec
// groups, declared subtyping.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/type_registry.h"

namespace hull {
namespace {

SubType func(std::vector<ValType> params, std::vector<ValType> results) {
  SubType s;
  s.kind = CompositeKind::Func;
  s.func.params = std::move(params);
  s.func.results = std::move(results);
  return s;
}

SubType strukt(std::vector<ValType> fields, bool final = true,
               std::vector<uint32_t> supers = {}) {
  SubType s;
  s.kind = CompositeKind::Struct;
  s.final = final;
  s.supers = std::move(supers);
  for (auto& t : fields) s.fields.push_back(FieldType{t, Packed::NotPacked, false});
  return s;
}

// Marks types[first, first+size) as one rec group.
void group(std::vector<SubType>& types, uint32_t first, uint32_t size) {
  for (uint32_t i = first; i < first + size; ++i) {
    types[i].rec_group = first;
    types[i].rec_size = size;
  }
}

ValType ref_to(uint32_t index, bool nullable = true) {
  return ValType::ref(HeapKind::Concrete, nullable, index);
}

TEST(TypeRegistry, PlainFuncTypesAreStructural) {
  std::vector<SubType> a = {func({ValType::i32()}, {ValType::i64()}), func({}, {}),
                            func({ValType::i32()}, {ValType::i64()})};
  std::vector<SubType> b = {func({}, {}), func({ValType::i32()}, {ValType::i64()}),
                            func({ValType::f32()}, {})};
  for (uint32_t i = 0; i < 3; ++i) a[i].rec_group = i, b[i].rec_group = i;
  auto ia = canonicalize_types(a);
  auto ib = canonicalize_types(b);
  EXPECT_EQ(ia[0], ia[2]);
  EXPECT_NE(ia[0], ia[1]);
  EXPECT_EQ(ia[1], ib[0]);
  EXPECT_EQ(ia[0], ib[1]);
  EXPECT_NE(ib[2], ia[0]);
  EXPECT_NE(ib[2], ia[1]);
  EXPECT_EQ(canonicalize_func_type(FuncType{{ValType::i32()}, {ValType::i64()}}), ia[0]);
  const SubType& t = type_by_id(ia[0]);
  EXPECT_EQ(t.func.params.size(), 1u);
  EXPECT_TRUE(t.func.results[0] == ValType::i64());
}

TEST(TypeRegistry, RefsToEquivalentTypesAreEqual) {
  // (type $a (func)) (type (func (param (ref $a)))) in two modules with different indices.
  std::vector<SubType> m1 = {func({}, {}), func({ref_to(0)}, {})};
  std::vector<SubType> m2 = {func({ValType::i32()}, {}), func({}, {}), func({ref_to(1)}, {})};
  for (uint32_t i = 0; i < m1.size(); ++i) m1[i].rec_group = i;
  for (uint32_t i = 0; i < m2.size(); ++i) m2[i].rec_group = i;
  auto i1 = canonicalize_types(m1);
  auto i2 = canonicalize_types(m2);
  EXPECT_EQ(i1[1], i2[2]);
  // Canonical form points at the canonical id of the referenced type.
  EXPECT_EQ(type_by_id(i1[1]).func.params[0].index, i1[0]);
  // A reference to a different type is a different type.
  std::vector<SubType> m3 = {func({ValType::i32()}, {}), func({ref_to(0)}, {})};
  m3[1].rec_group = 1;
  EXPECT_NE(canonicalize_types(m3)[1], i1[1]);
}

TEST(TypeRegistry, RecGroupsAreIsoRecursive) {
  // (rec (type $s (struct (field (ref null $t)))) (type $t (struct (field (ref null $s)))))
  std::vector<SubType> a = {strukt({ref_to(1)}), strukt({ref_to(0)})};
  group(a, 0, 2);
  // The same group after an unrelated type: indices shift, ids must not.
  std::vector<SubType> b = {func({}, {}), strukt({ref_to(2)}), strukt({ref_to(1)})};
  group(b, 1, 2);
  auto ia = canonicalize_types(a);
  auto ib = canonicalize_types(b);
  EXPECT_EQ(ia[0], ib[1]);
  EXPECT_EQ(ia[1], ib[2]);
  EXPECT_NE(ia[0], ia[1]);  // structurally alike but different positions in the group
  EXPECT_EQ(type_by_id(ia[0]).rec_group, ia[0]);
  EXPECT_EQ(type_by_id(ia[1]).rec_size, 2u);
  EXPECT_EQ(type_by_id(ia[0]).fields[0].type.index, ia[1]);

  // Same shapes in singleton groups (each referring to itself) differ from the pair.
  std::vector<SubType> c = {strukt({ref_to(0)})};
  auto ic = canonicalize_types(c);
  EXPECT_NE(ic[0], ia[0]);
  EXPECT_NE(ic[0], ia[1]);
  // A rec group of one func type is not the same as the plain func type unless identical.
  std::vector<SubType> d = {func({}, {}), func({}, {})};
  group(d, 0, 2);
  auto id = canonicalize_types(d);
  EXPECT_NE(id[0], canonicalize_func_type(FuncType{}));
  EXPECT_NE(id[0], id[1]);
}

TEST(TypeRegistry, GroupOrderMatters) {
  std::vector<SubType> a = {func({ValType::i32()}, {}), func({ValType::i64()}, {})};
  std::vector<SubType> b = {func({ValType::i64()}, {}), func({ValType::i32()}, {})};
  group(a, 0, 2);
  group(b, 0, 2);
  auto ia = canonicalize_types(a);
  auto ib = canonicalize_types(b);
  EXPECT_NE(ia[0], ib[1]);
  EXPECT_NE(ia[1], ib[0]);
}

TEST(TypeRegistry, DeclaredSubtyping) {
  // (type $a (sub (struct))) (type $b (sub $a (struct (field i32))))
  // (type $c (sub final $b (struct (field i32 i64)))) (type $d (sub (struct (field i32))))
  std::vector<SubType> t = {strukt({}, false), strukt({ValType::i32()}, false, {0}),
                            strukt({ValType::i32(), ValType::i64()}, true, {1}),
                            strukt({ValType::i32()}, false)};
  for (uint32_t i = 0; i < t.size(); ++i) t[i].rec_group = i;
  auto ids = canonicalize_types(t);
  EXPECT_TRUE(type_id_is_subtype(ids[1], ids[0]));
  EXPECT_TRUE(type_id_is_subtype(ids[2], ids[0]));
  EXPECT_TRUE(type_id_is_subtype(ids[2], ids[1]));
  EXPECT_TRUE(type_id_is_subtype(ids[2], ids[2]));
  EXPECT_FALSE(type_id_is_subtype(ids[0], ids[1]));
  EXPECT_FALSE(type_id_is_subtype(ids[2], ids[3]));
  // $d has the same structure as $b but no supertype: a different type.
  EXPECT_NE(ids[1], ids[3]);
  EXPECT_FALSE(type_id_is_subtype(ids[3], ids[0]));
  EXPECT_EQ(type_by_id(ids[2]).supers[0], ids[1]);
}

TEST(TypeRegistry, ValTypeSubtyping) {
  std::vector<SubType> t = {func({}, {}), strukt({}, false), strukt({}, true, {1})};
  for (uint32_t i = 0; i < t.size(); ++i) t[i].rec_group = i;
  auto ids = canonicalize_types(t);
  ValType f = canonical_val_type(ref_to(0, false), ids);
  ValType s1 = canonical_val_type(ref_to(1), ids);
  ValType s2 = canonical_val_type(ref_to(2, false), ids);
  EXPECT_EQ(f.index, ids[0]);
  EXPECT_TRUE(canonical_val_type_is_subtype(f, ValType::funcref()));
  EXPECT_FALSE(canonical_val_type_is_subtype(ValType::funcref(), f));
  EXPECT_TRUE(canonical_val_type_is_subtype(ValType::ref(HeapKind::NoFunc, false), f));
  EXPECT_FALSE(canonical_val_type_is_subtype(f, ValType::externref()));
  EXPECT_TRUE(canonical_val_type_is_subtype(s2, s1));
  EXPECT_FALSE(canonical_val_type_is_subtype(s1, s2));
  EXPECT_TRUE(canonical_val_type_is_subtype(s2, ValType::ref(HeapKind::Eq, true)));
  EXPECT_TRUE(canonical_val_type_is_subtype(s2, ValType::ref(HeapKind::Any, false)));
  EXPECT_FALSE(canonical_val_type_is_subtype(s1, ValType::ref(HeapKind::Any, false)));
  EXPECT_TRUE(canonical_val_type_is_subtype(ValType::ref(HeapKind::I31, false),
                                            ValType::ref(HeapKind::Eq, true)));
  EXPECT_FALSE(
      canonical_val_type_is_subtype(ValType::externref(), ValType::ref(HeapKind::Any, true)));
  EXPECT_TRUE(canonical_val_type_is_subtype(ValType::i32(), ValType::i32()));
  EXPECT_FALSE(canonical_val_type_is_subtype(ValType::i32(), ValType::i64()));
}

TEST(TypeRegistry, ConcurrentCanonicalizationAgrees) {
  constexpr int kThreads = 8;
  std::vector<std::vector<uint32_t>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, &results] {
      std::vector<SubType> t;
      for (int n = 0; n < 200; ++n) {
        std::vector<ValType> params(n % 7, ValType::f64());
        params.push_back(ValType::i32());
        t.push_back(func(params, {ValType::i64()}));
        t.back().rec_group = n;
      }
      results[i] = canonicalize_types(t);
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 1; i < kThreads; ++i) EXPECT_EQ(results[i], results[0]);
}

}  // namespace
}  // namespace hull
