// Instantiating code compiled with CompileOptions::guard_pages: every guardable memory it uses
// (defined or imported) must be guarded, otherwise instantiation fails cleanly.
#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/engine.h"
#include "fault_probe.h"
#include "runtime/signals.h"
#include "text/wat.h"

namespace hull {
namespace {

std::shared_ptr<const CompiledModule> compile_wat(const char* wat, bool guard_pages) {
  auto bin = text::wat_to_binary(wat);
  EXPECT_TRUE(bin.ok()) << bin.error().to_string();
  if (!bin.ok()) return nullptr;
  CompileOptions opts;
  opts.guard_pages = guard_pages;
  auto m = compile(*bin, opts);
  EXPECT_TRUE(m.ok()) << m.error().to_string();
  return m.ok() ? *m : nullptr;
}

constexpr const char* kDefines = R"((module
  (memory (export "m") 1)
  (memory (export "m64") i64 1)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))))";

constexpr const char* kImports = R"((module
  (import "env" "mem" (memory 1))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))))";

MemoryType one_page() {
  MemoryType t;
  t.limits.min = 1;
  return t;
}

TEST(GuardInstantiate, CompiledModuleRemembersItsOptions) {
  auto on = compile_wat(kDefines, true);
  auto off = compile_wat(kDefines, false);
  ASSERT_TRUE(on && off);
  EXPECT_TRUE(on->options.guard_pages);
  EXPECT_FALSE(off->options.guard_pages);
}

TEST(GuardInstantiate, DefinedMemoriesAreGuarded) {
  if (!guard_pages_supported()) GTEST_SKIP();
  auto mod = compile_wat(kDefines, true);
  ASSERT_TRUE(mod);
  Store store;
  auto inst = instantiate(store, mod, {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  ASSERT_EQ((*inst)->memories.size(), 2u);
  EXPECT_TRUE((*inst)->memories[0]->guarded);
  EXPECT_FALSE((*inst)->memories[1]->guarded);  // memory64: explicit checks
}

TEST(GuardInstantiate, GuardedImportIsAccepted) {
  if (!guard_pages_supported()) GTEST_SKIP();
  auto mod = compile_wat(kImports, true);
  ASSERT_TRUE(mod);
  Store store;
  auto mem = new_memory(store, one_page());
  ASSERT_TRUE(mem.ok());
  ASSERT_TRUE((*mem)->guarded);
  Extern imports[] = {Extern::of(*mem)};
  auto inst = instantiate(store, mod, imports);
  EXPECT_TRUE(inst.ok()) << inst.error().to_string();
}

TEST(GuardInstantiate, UnguardedImportIsRejected) {
  auto mod = compile_wat(kImports, true);
  ASSERT_TRUE(mod);
  Store store;
  Memory& mem = store.memories.emplace_back();
  ASSERT_TRUE(mem.init(one_page(), UINT64_MAX, /*allow_guard=*/false).ok());
  ASSERT_FALSE(mem.guarded);
  Extern imports[] = {Extern::of(&mem)};
  auto inst = instantiate(store, mod, imports);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Limit);
  EXPECT_NE(inst.error().message.find("memory 0 has no guard region"), std::string::npos)
      << inst.error().message;
  EXPECT_TRUE(store.instances.empty());  // rejected before anything was created

  // Code with explicit bounds checks takes the same memory.
  auto checked = compile_wat(kImports, false);
  ASSERT_TRUE(checked);
  auto ok = instantiate(store, checked, imports);
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
}

// The fault handler only knows the running store's memories: guard-page code must not use a
// memory of another store (explicit-check code may).
TEST(GuardInstantiate, MemoryOfAnotherStoreIsRejected) {
  if (!guard_pages_supported()) GTEST_SKIP();
  auto mod = compile_wat(kImports, true);
  ASSERT_TRUE(mod);
  Store owner;
  Store user;
  auto mem = new_memory(owner, one_page());
  ASSERT_TRUE(mem.ok());
  Extern imports[] = {Extern::of(*mem)};
  auto inst = instantiate(user, mod, imports);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().kind, ErrorKind::Unlinkable);
  EXPECT_NE(inst.error().message.find("belongs to another store"), std::string::npos)
      << inst.error().message;
  auto checked = compile_wat(kImports, false);
  ASSERT_TRUE(checked);
  EXPECT_TRUE(instantiate(user, checked, imports).ok());
}

// Under `ulimit -v`: memories fall back to compact reservations; guard-page code then fails to
// instantiate with a clear error while explicit-check code runs.
TEST(GuardInstantiateDeathTest, AddressSpaceExhaustion) {
  if (!guard_pages_supported()) GTEST_SKIP();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto guarded_code = compile_wat(kDefines, true);
        auto checked_code = compile_wat(kDefines, false);
        if (!guarded_code || !checked_code) _exit(3);
        if (!test::cap_address_space(uint64_t(512) << 20)) _exit(5);
        Store store;
        auto bad = instantiate(store, guarded_code, {});
        if (bad.ok() || bad.error().kind != ErrorKind::Limit ||
            bad.error().message.find("no guard region") == std::string::npos) {
          _exit(6);
        }
        auto good = instantiate(store, checked_code, {});
        if (!good.ok() || (*good)->memories[0]->guarded) _exit(7);
        _exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace hull
