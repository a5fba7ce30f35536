// Canonical ABI layout: alignment, element sizes, flattening, and the type helpers of
// component_types.hh.
#include <gtest/gtest.h>

#include "abi_test_context.h"

namespace hull::component {
namespace {

using namespace testing;
using ac::TypeKind;
using api::ValType;

std::vector<ValType> flat(const ac::Type& t) {
  std::vector<ValType> out;
  flatten_type(t, &out);
  return out;
}

std::vector<std::string> labels(size_t n) {
  std::vector<std::string> v;
  for (size_t i = 0; i < n; ++i) v.push_back("f" + std::to_string(i));
  return v;
}

TEST(AbiLayout, Primitives) {
  struct Row {
    TypeKind k;
    uint32_t align, size;
    ValType flat;
  };
  for (Row r : {Row{TypeKind::Bool, 1, 1, ValType::I32}, Row{TypeKind::S8, 1, 1, ValType::I32},
                Row{TypeKind::U8, 1, 1, ValType::I32}, Row{TypeKind::S16, 2, 2, ValType::I32},
                Row{TypeKind::U16, 2, 2, ValType::I32}, Row{TypeKind::S32, 4, 4, ValType::I32},
                Row{TypeKind::U32, 4, 4, ValType::I32}, Row{TypeKind::S64, 8, 8, ValType::I64},
                Row{TypeKind::U64, 8, 8, ValType::I64}, Row{TypeKind::F32, 4, 4, ValType::F32},
                Row{TypeKind::F64, 8, 8, ValType::F64}, Row{TypeKind::Char, 4, 4, ValType::I32},
                Row{TypeKind::ErrorContext, 4, 4, ValType::I32}}) {
    SCOPED_TRACE(ac::to_string(r.k));
    EXPECT_EQ(alignment(prim(r.k)), r.align);
    EXPECT_EQ(elem_size(prim(r.k)), r.size);
    EXPECT_EQ(flat(prim(r.k)), std::vector<ValType>{r.flat});
  }
  EXPECT_EQ(alignment(prim(TypeKind::String)), 4u);
  EXPECT_EQ(elem_size(prim(TypeKind::String)), 8u);
  EXPECT_EQ(flat(prim(TypeKind::String)), (std::vector<ValType>{ValType::I32, ValType::I32}));
}

TEST(AbiLayout, ListsRecordsTuples) {
  ac::Type l = ac::list_type(prim(TypeKind::U64));
  EXPECT_EQ(alignment(l), 4u);
  EXPECT_EQ(elem_size(l), 8u);
  EXPECT_EQ(flat(l), (std::vector<ValType>{ValType::I32, ValType::I32}));

  ac::Type fl = ac::fixed_list_type(prim(TypeKind::U16), 3);
  EXPECT_EQ(alignment(fl), 2u);
  EXPECT_EQ(elem_size(fl), 6u);
  EXPECT_EQ(flat(fl), (std::vector<ValType>{ValType::I32, ValType::I32, ValType::I32}));

  // {u8, u32, u8}: padding after the first u8 and at the end.
  ac::Type r = ac::record_type(
      {{"a", prim(TypeKind::U8)}, {"b", prim(TypeKind::U32)}, {"c", prim(TypeKind::U8)}});
  EXPECT_EQ(alignment(r), 4u);
  EXPECT_EQ(elem_size(r), 12u);
  ac::Type t = ac::tuple_type({prim(TypeKind::U8), prim(TypeKind::U64), prim(TypeKind::U16)});
  EXPECT_EQ(alignment(t), 8u);
  EXPECT_EQ(elem_size(t), 24u);
  EXPECT_EQ(flat(t), (std::vector<ValType>{ValType::I32, ValType::I64, ValType::I32}));
  ac::Type nested = ac::tuple_type(
      {prim(TypeKind::U8), ac::tuple_type({prim(TypeKind::U16), prim(TypeKind::U8)})});
  EXPECT_EQ(elem_size(nested), 6u);
}

TEST(AbiLayout, VariantDiscriminantSizes) {
  auto variant_of = [](size_t n, ac::Type payload) {
    std::vector<ac::Field> cases;
    for (size_t i = 0; i < n; ++i)
      cases.push_back({"c" + std::to_string(i), i == 0 ? payload : ac::Type()});
    return ac::variant_type(std::move(cases));
  };
  EXPECT_EQ(elem_size(variant_of(1, {})), 1u);
  EXPECT_EQ(elem_size(variant_of(256, {})), 1u);
  EXPECT_EQ(elem_size(variant_of(257, {})), 2u);
  EXPECT_EQ(alignment(variant_of(257, {})), 2u);
  EXPECT_EQ(elem_size(variant_of(65536, {})), 2u);
  EXPECT_EQ(elem_size(variant_of(65537, {})), 4u);
  EXPECT_EQ(alignment(variant_of(65537, {})), 4u);
  // The payload starts at the payloads' alignment after the discriminant.
  EXPECT_EQ(elem_size(variant_of(2, prim(TypeKind::U8))), 2u);
  EXPECT_EQ(elem_size(variant_of(300, prim(TypeKind::U8))), 4u);  // 2 + 1, padded to 2
  EXPECT_EQ(elem_size(variant_of(2, prim(TypeKind::U64))), 16u);

  ac::Type e = ac::enum_type(labels(3));
  EXPECT_EQ(elem_size(e), 1u);
  EXPECT_EQ(flat(e), std::vector<ValType>{ValType::I32});
  ac::Type o = ac::option_type(prim(TypeKind::U64));
  EXPECT_EQ(alignment(o), 8u);
  EXPECT_EQ(elem_size(o), 16u);
  EXPECT_EQ(flat(o), (std::vector<ValType>{ValType::I32, ValType::I64}));
  ac::Type res = ac::result_type(prim(TypeKind::String), prim(TypeKind::U8));
  EXPECT_EQ(alignment(res), 4u);
  EXPECT_EQ(elem_size(res), 12u);
  EXPECT_EQ(elem_size(ac::result_type({}, {})), 1u);
  EXPECT_EQ(flat(ac::result_type({}, {})), std::vector<ValType>{ValType::I32});
}

TEST(AbiLayout, VariantJoin) {
  auto v2 = [](TypeKind a, TypeKind b) {
    return ac::variant_type({{"a", prim(a)}, {"b", prim(b)}});
  };
  EXPECT_EQ(flat(v2(TypeKind::F32, TypeKind::U32)),
            (std::vector<ValType>{ValType::I32, ValType::I32}));
  EXPECT_EQ(flat(v2(TypeKind::F32, TypeKind::U64)),
            (std::vector<ValType>{ValType::I32, ValType::I64}));
  EXPECT_EQ(flat(v2(TypeKind::F64, TypeKind::F32)),
            (std::vector<ValType>{ValType::I32, ValType::I64}));
  EXPECT_EQ(flat(v2(TypeKind::F32, TypeKind::F32)),
            (std::vector<ValType>{ValType::I32, ValType::F32}));
  EXPECT_EQ(flat(v2(TypeKind::F64, TypeKind::F64)),
            (std::vector<ValType>{ValType::I32, ValType::F64}));
  // Slots join position by position; longer payloads extend the list.
  ac::Type v = ac::variant_type(
      {{"a", ac::tuple_type({prim(TypeKind::F32), prim(TypeKind::U8)})},
       {"b", ac::tuple_type({prim(TypeKind::U32), prim(TypeKind::F64), prim(TypeKind::U8)})},
       {"c", {}}});
  EXPECT_EQ(flat(v),
            (std::vector<ValType>{ValType::I32, ValType::I32, ValType::I64, ValType::I32}));
}

TEST(AbiLayout, FlagsOfAnyWidth) {
  struct Row {
    size_t n;
    uint32_t size, align, flats;
  };
  for (Row r :
       {Row{1, 1, 1, 1}, Row{8, 1, 1, 1}, Row{9, 2, 2, 1}, Row{16, 2, 2, 1}, Row{17, 4, 4, 1},
        Row{32, 4, 4, 1}, Row{33, 8, 4, 2}, Row{64, 8, 4, 2}, Row{65, 12, 4, 3}}) {
    SCOPED_TRACE(r.n);
    ac::Type f = ac::flags_type(labels(r.n));
    EXPECT_EQ(elem_size(f), r.size);
    EXPECT_EQ(alignment(f), r.align);
    EXPECT_EQ(flat(f), std::vector<ValType>(r.flats, ValType::I32));
  }
}

TEST(AbiLayout, HandlesAndAsyncTypes) {
  ac::Type own = ac::own_type({1, "r"});
  ac::Type borrow = ac::borrow_type({1, "r"});
  EXPECT_EQ(elem_size(own), 4u);
  EXPECT_EQ(alignment(borrow), 4u);
  EXPECT_EQ(flat(borrow), std::vector<ValType>{ValType::I32});
  ac::TypeNode s;
  s.kind = TypeKind::Stream;
  s.elems.push_back(prim(TypeKind::U8));
  ac::Type stream(std::make_shared<const ac::TypeNode>(s));
  EXPECT_EQ(elem_size(stream), 4u);
  EXPECT_EQ(flat(stream), std::vector<ValType>{ValType::I32});
  EXPECT_EQ(ac::to_string(stream), "stream<u8>");
}

TEST(AbiLayout, FlattenFunctypeSpills) {
  ac::FuncType ft;
  for (int i = 0; i < 16; ++i) ft.params.push_back({"p" + std::to_string(i), prim(TypeKind::U32)});
  ft.result = prim(TypeKind::U32);
  CoreSignature lift = flatten_functype(ft, FlattenFor::Lift);
  EXPECT_EQ(lift.params.size(), 16u);
  EXPECT_EQ(lift.results, std::vector<ValType>{ValType::I32});

  ft.params.push_back({"p16", prim(TypeKind::U32)});  // 17 flat params: spill to one pointer
  ft.result = prim(TypeKind::String);                 // 2 flat results: spill
  lift = flatten_functype(ft, FlattenFor::Lift);
  EXPECT_EQ(lift.params, std::vector<ValType>{ValType::I32});
  EXPECT_EQ(lift.results, std::vector<ValType>{ValType::I32});
  CoreSignature lower = flatten_functype(ft, FlattenFor::Lower);
  EXPECT_EQ(lower.params, (std::vector<ValType>{ValType::I32, ValType::I32}));
  EXPECT_TRUE(lower.results.empty());

  ac::FuncType small;
  small.params = {{"s", prim(TypeKind::String)}, {"f", prim(TypeKind::F64)}};
  CoreSignature s = flatten_functype(small, FlattenFor::Lower);
  EXPECT_EQ(s.params, (std::vector<ValType>{ValType::I32, ValType::I32, ValType::F64}));
  EXPECT_TRUE(s.results.empty());

  // Async lowering: at most 4 flat params, results through an out pointer, an i32 status.
  small.async = true;
  small.result = prim(TypeKind::U8);
  s = flatten_functype(small, FlattenFor::Lower, CallAbi::Async);
  EXPECT_EQ(s.params,
            (std::vector<ValType>{ValType::I32, ValType::I32, ValType::F64, ValType::I32}));
  EXPECT_EQ(s.results, std::vector<ValType>{ValType::I32});
  small.params.push_back({"x", prim(TypeKind::U8)});
  small.params.push_back({"y", prim(TypeKind::U8)});
  s = flatten_functype(small, FlattenFor::Lower, CallAbi::Async);
  EXPECT_EQ(s.params, (std::vector<ValType>{ValType::I32, ValType::I32}));
}

TEST(AbiTypes, WitSpelling) {
  EXPECT_EQ(ac::to_string(prim(TypeKind::U32)), "u32");
  EXPECT_EQ(ac::to_string(ac::list_type(prim(TypeKind::String))), "list<string>");
  EXPECT_EQ(ac::to_string(ac::fixed_list_type(prim(TypeKind::U8), 4)), "list<u8, 4>");
  EXPECT_EQ(ac::to_string(ac::result_type(prim(TypeKind::U8), prim(TypeKind::String))),
            "result<u8, string>");
  EXPECT_EQ(ac::to_string(ac::result_type({}, prim(TypeKind::String))), "result<_, string>");
  EXPECT_EQ(ac::to_string(ac::result_type(prim(TypeKind::U8), {})), "result<u8>");
  EXPECT_EQ(ac::to_string(ac::result_type({}, {})), "result");
  EXPECT_EQ(ac::to_string(ac::record_type({{"a", prim(TypeKind::U32)}})), "record { a: u32 }");
  EXPECT_EQ(ac::to_string(ac::variant_type({{"a", prim(TypeKind::U32)}, {"b", {}}})),
            "variant { a(u32), b }");
  EXPECT_EQ(ac::to_string(ac::tuple_type({prim(TypeKind::U8), prim(TypeKind::Char)})),
            "tuple<u8, char>");
  EXPECT_EQ(ac::to_string(ac::flags_type({"read", "write"})), "flags { read, write }");
  EXPECT_EQ(ac::to_string(ac::own_type({3, "file"})), "own<file>");
  ac::FuncType ft;
  ft.params = {{"a", prim(TypeKind::U32)}, {"b", prim(TypeKind::String)}};
  ft.result = prim(TypeKind::String);
  EXPECT_EQ(ac::to_string(ft), "func(a: u32, b: string) -> string");
  EXPECT_EQ(ac::to_string(ac::FuncType{}), "func()");
}

TEST(AbiTypes, EqualityAndPrims) {
  EXPECT_EQ(ac::Type::prim(TypeKind::U8).ptr(), ac::Type::prim(TypeKind::U8).ptr());
  EXPECT_TRUE(ac::list_type(prim(TypeKind::U8)) == ac::list_type(prim(TypeKind::U8)));
  EXPECT_FALSE(ac::list_type(prim(TypeKind::U8)) == ac::list_type(prim(TypeKind::S8)));
  EXPECT_FALSE(ac::record_type({{"a", prim(TypeKind::U8)}}) ==
               ac::record_type({{"b", prim(TypeKind::U8)}}));
  EXPECT_TRUE(ac::own_type({1, "x"}) == ac::own_type({1, "y"}));
  EXPECT_FALSE(ac::own_type({1, "x"}) == ac::own_type({2, "x"}));
  EXPECT_FALSE(ac::own_type({1, "x"}) == ac::borrow_type({1, "x"}));
  EXPECT_FALSE(ac::fixed_list_type(prim(TypeKind::U8), 2) ==
               ac::fixed_list_type(prim(TypeKind::U8), 3));
  EXPECT_TRUE(ac::Type() == ac::Type());
  EXPECT_FALSE(ac::Type() == prim(TypeKind::U8));
}

TEST(AbiTypes, ValMatches) {
  std::string why;
  ac::Type r =
      ac::record_type({{"a", prim(TypeKind::U32)}, {"b", ac::list_type(prim(TypeKind::Char))}});
  ac::Val good =
      ac::Val::record({{"a", ac::Val::u32(1)}, {"b", ac::Val::list({ac::Val::character(U'x')})}});
  EXPECT_TRUE(ac::val_matches(good, r, &why)) << why;
  ac::Val bad =
      ac::Val::record({{"a", ac::Val::u32(1)}, {"b", ac::Val::list({ac::Val::character(0xD800)})}});
  EXPECT_FALSE(ac::val_matches(bad, r, &why));
  EXPECT_EQ(why, "value.b[0]: not a Unicode scalar value");
  EXPECT_FALSE(ac::val_matches(ac::Val::u8(1), r, &why));
  EXPECT_EQ(why, "value: expected record { a: u32, b: list<char> }, found a u8");
  ac::Type v = ac::variant_type({{"a", prim(TypeKind::U32)}, {"b", {}}});
  EXPECT_TRUE(ac::val_matches(ac::Val::variant("b"), v));
  EXPECT_FALSE(ac::val_matches(ac::Val::variant("a"), v, &why));
  EXPECT_EQ(why, "value.a: missing payload of type u32");
  EXPECT_FALSE(ac::val_matches(ac::Val::variant("c"), v, &why));
  EXPECT_FALSE(ac::val_matches(ac::Val::flags({"x"}), ac::flags_type({"a"}), &why));
  EXPECT_EQ(why, "value: no flag `x` in flags { a }");
  // An owned handle may be passed where a borrow is expected.
  EXPECT_TRUE(ac::val_matches(ac::Val::resource({nullptr, 1, true, 0}), ac::borrow_type({1, "r"})));
}

}  // namespace
}  // namespace hull::component
