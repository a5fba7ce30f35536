// Precompiled modules (.hullc) through the public API: Module::precompile, load_precompiled and
// from_file give a module whose functions run the image's machine code, and an image that does
// not fit this engine (options) or is damaged is refused with the reason, never loaded.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"
#include "hull/native.hh"

namespace {

namespace api = hull::api;

constexpr const char* kWat = R"(
(module
  (memory 1)
  (func $fib (export "fib") (param i32) (result i32)
    local.get 0 i32.const 2 i32.lt_u
    if (result i32) local.get 0
    else
      local.get 0 i32.const 1 i32.sub call $fib
      local.get 0 i32.const 2 i32.sub call $fib
      i32.add
    end)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  ;; stays interpreted (HULL_NATIVE_INTERPRET) and calls machine code
  (func $interp_boxed (export "boxed") (param i32) (result i32) (local i31ref)
    local.get 0 ref.i31 local.set 1 local.get 1 i31.get_s call $fib)
  (func (export "spin") (loop $l br $l)))
)";

class Aot : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hull::native::register_tier();
    setenv("HULL_NATIVE_INTERPRET", "interp", 1);
  }
  static void TearDownTestSuite() { unsetenv("HULL_NATIVE_INTERPRET"); }

  static std::vector<uint8_t> wasm(const api::Engine& e) {
    auto m = api::Module::from_wat(e, kWat);
    EXPECT_TRUE(m.ok());
    auto b = m->bytes();
    return {b.begin(), b.end()};
  }
  static api::Engine engine(api::Config c = {}) {
    auto e = api::Engine::create(c);
    EXPECT_TRUE(e.ok()) << e.error().to_string();
    return std::move(*e);
  }
};

TEST_F(Aot, RoundTripRunsMachineCode) {
  api::Engine e = engine();
  auto image = api::Module::precompile(e, wasm(e));
  ASSERT_TRUE(image.ok()) << image.error().to_string();
  EXPECT_TRUE(api::Module::is_precompiled(*image));
  EXPECT_FALSE(api::Module::is_precompiled(wasm(e)));
  auto mod = api::Module::load_precompiled(e, *image);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();

  // Which functions run machine code: the image's, without compiling here.
  const hull::CompiledModule& cm = *mod->compiled();
  const hull::NativeTier* tier = hull::native_tier();
  ASSERT_NE(tier, nullptr);
  EXPECT_EQ(tier->interpreted_because(cm, 0), "");
  EXPECT_EQ(tier->interpreted_because(cm, 1), "");
  EXPECT_EQ(tier->interpreted_because(cm, 2), "left to the interpreter by HULL_NATIVE_INTERPRET");
  EXPECT_EQ(tier->interpreted_because(cm, 3), "");

  api::Store store(e);
  api::Linker linker;
  auto inst = linker.instantiate(store, *mod);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto fib = inst->typed_func<int32_t(int32_t)>("fib");
  ASSERT_TRUE(fib.ok());
  EXPECT_EQ(*fib->call(25), 75025);
  auto boxed = inst->typed_func<int32_t(int32_t)>("boxed");
  ASSERT_TRUE(boxed.ok());
  EXPECT_EQ(*boxed->call(20), 6765);
  auto load = inst->typed_func<int32_t(int32_t)>("load");
  ASSERT_TRUE(load.ok());
  auto oob = load->call(65534);
  ASSERT_FALSE(oob.ok());
  EXPECT_NE(oob.error().message.find("out of bounds memory access"), std::string::npos)
      << oob.error().message;
}

TEST_F(Aot, FromFileReadsAnImage) {
  api::Engine e = engine();
  auto image = api::Module::precompile(e, wasm(e));
  ASSERT_TRUE(image.ok());
  const std::string path = ::testing::TempDir() + "/aot_test.hullc";
  {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(image->data()),
            static_cast<std::streamsize>(image->size()));
  }
  auto mod = api::Module::from_file(e, path);
  std::remove(path.c_str());
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  api::Store store(e);
  api::Linker linker;
  auto inst = linker.instantiate(store, *mod);
  ASSERT_TRUE(inst.ok());
  auto fib = inst->typed_func<int32_t(int32_t)>("fib");
  ASSERT_TRUE(fib.ok());
  EXPECT_EQ(*fib->call(20), 6765);
}

TEST_F(Aot, OptionsMustMatch) {
  api::Engine plain = engine();
  auto image = api::Module::precompile(plain, wasm(plain));
  ASSERT_TRUE(image.ok());
  api::Config fuel;
  fuel.consume_fuel = true;
  api::Engine metered = engine(fuel);
  auto refused = api::Module::load_precompiled(metered, *image);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, api::ErrorKind::Usage);
  EXPECT_NE(refused.error().message.find("precompiled with no fuel metering"), std::string::npos)
      << refused.error().message;

  // Made with fuel, it meters: the loop stops.
  auto metered_image = api::Module::precompile(metered, wasm(metered));
  ASSERT_TRUE(metered_image.ok());
  auto mod = api::Module::load_precompiled(metered, *metered_image);
  ASSERT_TRUE(mod.ok()) << mod.error().to_string();
  api::Store store(metered);
  ASSERT_TRUE(store.set_fuel(100000).ok());
  api::Linker linker;
  auto inst = linker.instantiate(store, *mod);
  ASSERT_TRUE(inst.ok());
  auto spin = inst->typed_func<void()>("spin");
  ASSERT_TRUE(spin.ok());
  auto r = spin->call();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("all fuel consumed"), std::string::npos) << r.error().message;
}

// Every cut and many single-byte changes are refused (Malformed), none loads or crashes.
TEST_F(Aot, DamagedImagesAreRefused) {
  api::Engine e = engine();
  auto image = api::Module::precompile(e, wasm(e));
  ASSERT_TRUE(image.ok());
  for (size_t n = 0; n < image->size(); n += 1 + n / 16) {
    std::vector<uint8_t> cut(image->begin(), image->begin() + static_cast<std::ptrdiff_t>(n));
    auto r = api::Module::load_precompiled(e, cut);
    ASSERT_FALSE(r.ok()) << "cut at " << n;
    EXPECT_EQ(r.error().kind, api::ErrorKind::Malformed) << "cut at " << n;
  }
  for (size_t i = 8; i < image->size(); i += 1 + i / 32) {
    std::vector<uint8_t> bad = *image;
    bad[i] ^= 0x40;
    auto r = api::Module::load_precompiled(e, bad);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    // The format field comes before the checksum is trusted: a changed format is Usage.
    if (i >= 12) {
      EXPECT_EQ(r.error().kind, api::ErrorKind::Malformed) << "byte " << i;
      EXPECT_NE(r.error().message.find("damaged or cut short"), std::string::npos)
          << r.error().message;
    }
  }
}

}  // namespace
