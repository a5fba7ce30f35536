// The direct lift/lower of component_typed.hh (Wit<T> over component_raw.hh) on the corner
// cases of the canonical ABI, each compared with the dynamic Val path on the same component
// (abi.wat): spilled parameters, a host function whose result goes through a result pointer,
// UTF-16 strings, and traps, which must carry the same message on both paths.
#include <gtest/gtest.h>

#include <hull/component.hh>
#include <hull/component_typed.hh>
#include <string>
#include <tuple>

namespace {

namespace cm = hull::api::component;

class TypedAbi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto component = cm::Component::from_file(engine, HULL_ABI_COMPONENT);
    ASSERT_TRUE(component) << component.error().to_string();
    cm::Linker linker(engine);
    ASSERT_TRUE(linker.func("pair", cm::typed_host([this](std::string_view s, uint32_t n) {
                              ++pair_calls;
                              return std::tuple<std::string, uint32_t>(std::string(s) + "!", n + 1);
                            })));
    auto i = linker.instantiate(store, *component);
    ASSERT_TRUE(i) << i.error().to_string();
    instance = *i;
  }

  hull::api::Engine engine;
  hull::api::Store store{engine};
  cm::Instance instance;
  int pair_calls = 0;
};

TEST_F(TypedAbi, SpilledParameters) {
  using Many = uint32_t(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t,
                        uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t,
                        uint32_t, uint32_t, uint32_t);
  auto many = cm::typed_func<Many>(instance, "many");
  ASSERT_TRUE(many) << many.error().to_string();
  auto r = many->call(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, 153u);
}

TEST_F(TypedAbi, HostResultThroughAPointer) {
  auto relay = cm::typed_func<std::tuple<std::string, uint32_t>(std::string_view, uint32_t)>(
      instance, "relay");
  ASSERT_TRUE(relay) << relay.error().to_string();
  auto r = relay->call("abc", 41);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, std::make_tuple(std::string("abc!"), 42u));
  // The dynamic path calls the same typed host function through the same lowered import.
  auto f = instance.get_func("relay");
  ASSERT_TRUE(f);
  auto v = f->call({cm::Val::string("xyz"), cm::Val::u32(1)});
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ((*v)[0], cm::Val::tuple({cm::Val::string("xyz!"), cm::Val::u32(2)}));
  EXPECT_EQ(pair_calls, 2);
}

TEST_F(TypedAbi, Utf16Strings) {
  auto echo = cm::typed_func<std::string(std::string_view)>(instance, "echo16");
  ASSERT_TRUE(echo) << echo.error().to_string();
  const std::string text = "h\xC3\xA9llo \xF0\x9F\x8C\x8D";  // é and a code point past U+FFFF
  auto r = echo->call(text);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, text);
  auto bad = echo->call("\xFF");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, hull::api::ErrorKind::Usage);
}

// The same trap, with the same message, on both paths.
void expect_same_trap(const cm::Instance& instance, hull::api::Result<void> typed,
                      const char* name) {
  auto f = instance.get_func(name);
  ASSERT_TRUE(f);
  auto dynamic = f->call(std::span<const cm::Val>());
  ASSERT_FALSE(dynamic);
  ASSERT_FALSE(typed);
  ASSERT_TRUE(dynamic.error().trap);
  ASSERT_TRUE(typed.error().trap);
  EXPECT_EQ(typed.error().trap->message, dynamic.error().trap->message);
  EXPECT_EQ(typed.error().trap->code, dynamic.error().trap->code);
}

TEST_F(TypedAbi, TrapsAsOnTheValPath) {
  auto bad_string = cm::typed_func<std::string()>(instance, "bad-string");
  ASSERT_TRUE(bad_string);
  auto s = bad_string->call();
  expect_same_trap(instance, s ? hull::api::Result<void>() : s.error(), "bad-string");
  EXPECT_EQ(s.error().trap->message, "string pointer/length out of bounds of memory");
  auto bad_case = cm::typed_func<std::optional<uint32_t>()>(instance, "bad-case");
  ASSERT_TRUE(bad_case);
  auto c = bad_case->call();
  expect_same_trap(instance, c ? hull::api::Result<void>() : c.error(), "bad-case");
  EXPECT_EQ(c.error().trap->message, "discriminant 7 out of range [0..2)");
}

}  // namespace
