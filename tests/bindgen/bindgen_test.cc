// A C++ host on bindings generated at build time by `hull bindgen cpp` from demo.wit: it
// implements the world's imports (an interface with a host resource, a freestanding function)
// and calls every export (records, variants, enums, flags, lists, option, result, the guest's
// resource) through the typed classes, asserting the values. Every test runs against three
// implementations of the world: demo.wat (component text), a component built from C
// (guests/demo_guest.c) and one built from JavaScript by componentize-js (guests/demo_guest.js,
// which imports WASI 0.2 for its engine). The two built guests come from guests/build.sh at test
// time, in $HULL_BINDGEN_GUESTS; without it their tests are skipped, unless
// $HULL_BINDGEN_REQUIRE_GUESTS is set (the bindgen.guest.* ctests).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <hull/component.hh>
#include <hull/wasi.hh>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "demo.hh"

namespace {

namespace cm = hull::api::component;
namespace host = demo::test::bindgen::host;
namespace api = demo::test::bindgen::api;

struct Tally : host::Tally {
  explicit Tally(uint64_t* total, int* destroyed) : total(total), destroyed(destroyed) {}
  ~Tally() override { ++*destroyed; }
  hull::api::Result<void> add(uint32_t n) override {
    *total += n;
    return {};
  }
  uint64_t* total;
  int* destroyed;
};

struct Host : host::Host {
  hull::api::Result<void> log(std::string_view msg) override {
    logged.emplace_back(msg);
    return {};
  }
  std::vector<std::string> logged;
};

struct WorldImports : demo::DemoImports {
  hull::api::Result<void> notify(uint32_t total) override {
    totals.push_back(total);
    return {};
  }
  std::vector<uint32_t> totals;
};

// One implementation of world `demo`: a component file and whether it needs WASI.
struct Guest {
  const char* name;
  const char* file;  // in $HULL_BINDGEN_GUESTS; nullptr: demo.wat from the source tree
  bool wasi;
};

// gtest prints the parameter in test names: the guest's name rather than its bytes.
void PrintTo(const Guest& g, std::ostream* os) { *os << g.name; }

std::string guest_path(const Guest& g) {
  if (!g.file) return HULL_BINDGEN_COMPONENT;
  const char* dir = std::getenv("HULL_BINDGEN_GUESTS");
  if (!dir || !*dir) return "";
  std::string path = std::string(dir) + "/" + g.file;
  return std::filesystem::exists(path) ? path : "";
}

class Bindgen : public ::testing::TestWithParam<Guest> {
 protected:
  void SetUp() override {
    std::string path = guest_path(GetParam());
    if (path.empty()) {
      if (std::getenv("HULL_BINDGEN_REQUIRE_GUESTS"))
        FAIL() << "guest " << GetParam().name << " not built (HULL_BINDGEN_GUESTS)";
      GTEST_SKIP() << "guest " << GetParam().name << " not built (guests/build.sh)";
    }
    auto component = cm::Component::from_file(engine, path);
    ASSERT_TRUE(component) << component.error().to_string();
    cm::Linker linker(engine);
    if (GetParam().wasi) {
      ASSERT_TRUE(hull::api::wasi::add_to_linker(linker));
      hull::api::wasi::Config config;
      config.inherit_stdin = false;
      config.stdout_capture = std::make_shared<std::string>();
      config.stderr_capture = std::make_shared<std::string>();
      ASSERT_TRUE(hull::api::wasi::attach(store, config));
    }
    // One table per host resource, shared by the interfaces that pass its handles (`tally` is
    // defined by test:bindgen/host and named at the world's root too).
    auto linked = host::add_to_linker(linker, host_impl, resources);
    ASSERT_TRUE(linked) << linked.error().to_string();
    linked = demo::add_to_linker(linker, world_impl, resources);
    ASSERT_TRUE(linked) << linked.error().to_string();
    auto instance = linker.instantiate(store, *component);
    ASSERT_TRUE(instance) << instance.error().to_string();
    auto exports = demo::Demo::create(*instance);
    ASSERT_TRUE(exports) << exports.error().to_string();
    demo_.emplace(std::move(*exports));
  }

  hull::api::Engine engine;
  hull::api::Store store{engine};
  demo::HostResources resources;
  Host host_impl;
  WorldImports world_impl;
  std::optional<demo::Demo> demo_;
};

INSTANTIATE_TEST_SUITE_P(Guests, Bindgen,
                         ::testing::Values(Guest{"wat", nullptr, false},
                                           Guest{"c", "demo_c.component.wasm", false},
                                           Guest{"js", "demo_js.component.wasm", true}),
                         [](const ::testing::TestParamInfo<Guest>& i) {
                           return std::string(i.param.name);
                         });

TEST_P(Bindgen, StringsAndTheHostInterface) {
  auto r = demo_->greet("bindgen");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "Hello, bindgen!");
  EXPECT_EQ(host_impl.logged, (std::vector<std::string>{"Hello, bindgen!"}));
}

TEST_P(Bindgen, ListsAndAFreestandingImport) {
  std::vector<uint32_t> values{3, 1, 4, 1, 5, 9, 2, 6};
  auto r = demo_->sum(values);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, 31u);
  EXPECT_EQ(world_impl.totals, (std::vector<uint32_t>{31}));
  auto empty = demo_->sum({});
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, 0u);
}

TEST_P(Bindgen, RecordsAndVariants) {
  auto p = demo_->translate(demo::Point{2, -3}, 10, 20);
  ASSERT_TRUE(p) << p.error().to_string();
  EXPECT_EQ(*p, (demo::Point{12, 17}));
  auto circle = demo_->area(demo::Shape{demo::Shape::Circle{2}});
  ASSERT_TRUE(circle) << circle.error().to_string();
  EXPECT_EQ(*circle, 12u);
  auto rect = demo_->area(demo::Shape{demo::Shape::Rectangle{demo::Point{-4, 5}}});
  ASSERT_TRUE(rect);
  EXPECT_EQ(*rect, 20u);
  auto empty = demo_->area(demo::Shape{demo::Shape::Empty{}});
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, 0u);
}

TEST_P(Bindgen, EnumsAndFlags) {
  auto c = demo_->next_color(demo::Color::Blue);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(*c, demo::Color::Red);
  c = demo_->next_color(demo::Color::Red);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, demo::Color::Green);
  auto f = demo_->toggle_write(demo::Perms::Read | demo::Perms::Exec);
  ASSERT_TRUE(f) << f.error().to_string();
  EXPECT_EQ(*f, demo::Perms::Read | demo::Perms::Write | demo::Perms::Exec);
  f = demo_->toggle_write(*f);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, demo::Perms::Read | demo::Perms::Exec);
  EXPECT_FALSE(any(*f & demo::Perms::Write));
}

TEST_P(Bindgen, OptionAndResult) {
  std::vector<uint32_t> values{3, 1, 4, 1, 5, 9, 2, 6};
  auto found = demo_->find(values, 9);
  ASSERT_TRUE(found) << found.error().to_string();
  EXPECT_EQ(*found, std::optional<uint32_t>(5));
  auto missing = demo_->find(values, 7);
  ASSERT_TRUE(missing);
  EXPECT_EQ(*missing, std::nullopt);
  auto ok = demo_->parse("1234");
  ASSERT_TRUE(ok) << ok.error().to_string();
  ASSERT_TRUE(ok->is_ok());
  EXPECT_EQ(ok->value(), 1234u);
  auto bad = demo_->parse("12a");
  ASSERT_TRUE(bad);
  ASSERT_FALSE(bad->is_ok());
  EXPECT_EQ(bad->error(), "not a number");
}

TEST_P(Bindgen, HostResourceLentToTheGuest) {
  uint64_t total = 0;
  int destroyed = 0;
  ASSERT_TRUE(host_impl.tally_resource);
  cm::Val handle = host_impl.tally_resource->make(std::make_unique<Tally>(&total, &destroyed));
  std::vector<uint32_t> values{3, 1, 4, 1, 5, 9, 2, 6};
  auto r = demo_->tally_all(handle.as_resource(), values);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(total, 31u);
  EXPECT_EQ(destroyed, 0);
  ASSERT_TRUE(cm::resource_drop(handle.as_resource()));
  EXPECT_EQ(destroyed, 1);
  EXPECT_EQ(host_impl.tally_resource->live(), 0u);
}

TEST_P(Bindgen, GuestResourceThroughHandles) {
  const api::Api& a = demo_->api();
  auto counter = a.new_counter(40);
  ASSERT_TRUE(counter) << counter.error().to_string();
  EXPECT_TRUE(counter->valid());
  auto v = a.counter_increment(*counter, 1);
  ASSERT_TRUE(v) << v.error().to_string();
  EXPECT_EQ(*v, 41u);
  v = a.counter_increment(*counter, 1);
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 42u);
  auto final_count = a.counter_finish(std::move(*counter));
  ASSERT_TRUE(final_count) << final_count.error().to_string();
  EXPECT_EQ(*final_count, 42u);
  // A handle dropped by its destructor (the guest's destructor runs; nothing to observe but
  // that a later call on a fresh counter still works).
  {
    auto other = a.new_counter(1);
    ASSERT_TRUE(other);
  }
  auto again = a.new_counter(7);
  ASSERT_TRUE(again);
  auto seven = a.counter_increment(*again, 0);
  ASSERT_TRUE(seven);
  EXPECT_EQ(*seven, 7u);
}

TEST_P(Bindgen, ExportsAreTypeCheckedOnLookup) {
  // A world whose export has another type than the component's is refused by create().
  auto component = cm::Component::from_file(engine, HULL_BINDGEN_COMPONENT);
  ASSERT_TRUE(component);
  cm::Linker linker(engine);
  Host h;
  WorldImports w;
  demo::HostResources res;
  ASSERT_TRUE(host::add_to_linker(linker, h, res));
  ASSERT_TRUE(demo::add_to_linker(linker, w, res));
  hull::api::Store store2(engine);
  auto instance = linker.instantiate(store2, *component);
  ASSERT_TRUE(instance);
  auto wrong = cm::typed_func<uint32_t(std::string)>(*instance, "sum");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, hull::api::ErrorKind::Unlinkable);
}

}  // namespace
