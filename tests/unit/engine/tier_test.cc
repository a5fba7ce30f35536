// The tier interface (interp/interp.h): machine code installed for a function runs for every
// kind of call, reports traps with offsets and callers, calls back into interpreted and host
// code, and passes exceptions through. The "machine code" here is C++ with the entry
// signature, as a native tier's entry trampolines are.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "interp/interp.h"
#include "text/wat.h"

namespace hull::test {
namespace {

constexpr const char* kWat = R"(
(module
  (type $bin (func (param i32 i32) (result i32)))
  (import "host" "triple" (func $triple (param i32) (result i32)))
  (tag $e (param i32))
  (table 2 funcref)
  (elem (i32.const 0) $op $triple)
  (func $op (export "op") (type $bin) local.get 0 local.get 1 i32.add)
  (func (export "direct") (type $bin) local.get 0 local.get 1 call $op)
  (func (export "indirect") (type $bin)
    local.get 0 local.get 1 i32.const 0 call_indirect (type $bin))
  (func (export "tail") (type $bin) local.get 0 local.get 1 return_call $op)
  (func $helper (export "helper") (param i32) (result i32)
    local.get 0 i32.eqz if unreachable end
    local.get 0 i32.const 10 i32.mul)
  (func $thrower (export "thrower") (param i32) (result i32) local.get 0 throw $e)
  (func (export "catcher") (param i32 i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        local.get 0 local.get 1 call $op))
    i32.const 1000 i32.add))
)";

// The instance the entries below call back into (set by each test).
Instance* g_inst = nullptr;
uint32_t func_index(const char* name) { return g_inst->exports.at(name).func->index; }

bool mul_entry(Instance*, uint64_t* slots, interp::Ctx*) {
  slots[0] = static_cast<uint32_t>(slots[0]) * static_cast<uint32_t>(slots[1]);
  return true;
}
bool trap_entry(Instance*, uint64_t*, interp::Ctx* ctx) {
  interp::native_trap(ctx, TrapKind::IntegerDivideByZero, 77);
  return false;
}
// op(a, b) = helper(a) + triple(b): one interpreted callee, one host callee.
bool callback_entry(Instance* inst, uint64_t* slots, interp::Ctx* ctx) {
  uint64_t a[1] = {slots[0]}, b[1] = {slots[1]};
  if (!interp::native_call(ctx, inst->funcs[func_index("helper")], a)) return false;
  if (!interp::native_call(ctx, inst->funcs[0], b)) return false;
  slots[0] = static_cast<uint32_t>(a[0] + b[0]);
  return true;
}
// op(a, b) = thrower(a): the exception passes through this frame.
bool throwing_entry(Instance* inst, uint64_t* slots, interp::Ctx* ctx) {
  uint64_t a[1] = {slots[0]};
  if (!interp::native_call(ctx, inst->funcs[func_index("thrower")], a)) return false;
  ADD_FAILURE() << "thrower returned";
  return true;
}

std::optional<Trap> triple(void*, Store&, uint64_t* slots) {
  slots[0] = static_cast<uint32_t>(slots[0]) * 3;
  return std::nullopt;
}

class Tiers : public ::testing::Test {
 protected:
  void SetUp() override {
    auto bin = text::wat_to_binary(kWat);
    ASSERT_TRUE(bin.ok()) << bin.error().to_string();
    auto m = compile(*bin);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    module = *m;
    FuncType ft;
    ft.params = {ValType::i32()};
    ft.results = {ValType::i32()};
    Linker linker;
    linker.define("host", "triple", Extern::of(create_host_function(store, ft, &triple, nullptr)));
    auto in = linker.instantiate(store, module);
    ASSERT_TRUE(in.ok()) << in.error().to_string();
    inst = g_inst = *in;
    op_defined = func_index("op") - module->desc.num_imported_funcs;
  }
  void TearDown() override { g_inst = nullptr; }

  void install(interp::NativeEntry e) { interp::install_native(*module->code, op_defined, e); }

  InvokeResult run(const char* name, std::vector<Val> args) {
    auto r = invoke(store, inst->exports.at(name).func, args);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(*r) : InvokeResult{};
  }
  uint32_t run_i32(const char* name, std::vector<Val> args) {
    InvokeResult r = run(name, std::move(args));
    EXPECT_FALSE(r.trapped()) << r.trap->message;
    return r.trapped() || r.values.empty() ? 0xdeadbeef : r.values[0].i32;
  }

  std::shared_ptr<const CompiledModule> module;
  Store store;
  Instance* inst = nullptr;
  uint32_t op_defined = 0;
};

TEST_F(Tiers, InstalledCodeRunsForEveryKindOfCall) {
  EXPECT_EQ(run_i32("direct", {Val::from_i32(6), Val::from_i32(7)}), 13u);
  EXPECT_EQ(interp::native_entry(*module->code, op_defined), nullptr);
  install(&mul_entry);
  EXPECT_EQ(interp::native_entry(*module->code, op_defined), &mul_entry);
  EXPECT_EQ(run_i32("op", {Val::from_i32(6), Val::from_i32(7)}), 42u);        // from the host
  EXPECT_EQ(run_i32("direct", {Val::from_i32(6), Val::from_i32(7)}), 42u);    // call (same module)
  EXPECT_EQ(run_i32("indirect", {Val::from_i32(6), Val::from_i32(7)}), 42u);  // call_indirect
  EXPECT_EQ(run_i32("tail", {Val::from_i32(6), Val::from_i32(7)}), 42u);      // return_call
  // Another instance of the module runs the same code: the entry is per module.
  Linker linker;
  FuncType ft;
  ft.params = {ValType::i32()};
  ft.results = {ValType::i32()};
  linker.define("host", "triple", Extern::of(create_host_function(store, ft, &triple, nullptr)));
  auto second = linker.instantiate(store, module);
  ASSERT_TRUE(second.ok());
  auto r = invoke(store, (*second)->exports.at("direct").func,
                  std::vector<Val>{Val::from_i32(5), Val::from_i32(5)});
  ASSERT_TRUE(r.ok() && !r->trapped());
  EXPECT_EQ(r->values[0].i32, 25u);
  // Uninstalled: interpreted again.
  install(nullptr);
  EXPECT_EQ(run_i32("direct", {Val::from_i32(6), Val::from_i32(7)}), 13u);
  EXPECT_EQ(run_i32("tail", {Val::from_i32(6), Val::from_i32(7)}), 13u);
}

TEST_F(Tiers, NativeTrapReportsItsOffsetAndTheCallers) {
  install(&trap_entry);
  InvokeResult r = run("direct", {Val::from_i32(1), Val::from_i32(2)});
  ASSERT_TRUE(r.trapped());
  EXPECT_EQ(r.trap->kind, TrapKind::IntegerDivideByZero);
  EXPECT_EQ(r.trap->message, "integer divide by zero");
  ASSERT_EQ(r.trap->backtrace.size(), 2u);
  EXPECT_EQ(r.trap->backtrace[0].func_index, func_index("op"));
  EXPECT_EQ(r.trap->backtrace[0].code_offset, 77u);
  EXPECT_EQ(r.trap->backtrace[1].func_index, func_index("direct"));
  EXPECT_NE(r.trap->backtrace[1].code_offset, 0u);  // the call instruction
  // From the host, and through a tail call (the native code took the caller's frame over).
  r = run("op", {Val::from_i32(1), Val::from_i32(2)});
  ASSERT_TRUE(r.trapped());
  EXPECT_EQ(r.trap->kind, TrapKind::IntegerDivideByZero);
  ASSERT_EQ(r.trap->backtrace.size(), 1u);
  r = run("tail", {Val::from_i32(1), Val::from_i32(2)});
  ASSERT_TRUE(r.trapped());
  ASSERT_EQ(r.trap->backtrace.size(), 1u);
  EXPECT_EQ(r.trap->backtrace[0].func_index, func_index("op"));
  // The store runs normally afterwards.
  install(nullptr);
  EXPECT_EQ(run_i32("direct", {Val::from_i32(1), Val::from_i32(2)}), 3u);
}

TEST_F(Tiers, NativeCodeCallsInterpretedAndHostFunctions) {
  install(&callback_entry);
  EXPECT_EQ(run_i32("direct", {Val::from_i32(4), Val::from_i32(5)}), 40u + 15u);
  EXPECT_EQ(run_i32("indirect", {Val::from_i32(1), Val::from_i32(1)}), 13u);
  // A trap in the interpreted callee: its frame, the native one, then the native one's caller.
  InvokeResult r = run("direct", {Val::from_i32(0), Val::from_i32(5)});
  ASSERT_TRUE(r.trapped());
  EXPECT_EQ(r.trap->kind, TrapKind::Unreachable);
  ASSERT_EQ(r.trap->backtrace.size(), 3u);
  EXPECT_EQ(r.trap->backtrace[0].func_index, func_index("helper"));
  EXPECT_NE(r.trap->backtrace[0].code_offset, 0u);
  EXPECT_EQ(r.trap->backtrace[1].func_index, func_index("op"));
  EXPECT_EQ(r.trap->backtrace[2].func_index, func_index("direct"));
}

TEST_F(Tiers, ExceptionsPassThroughNativeFrames) {
  install(&throwing_entry);
  // Caught by the interpreted caller's try_table: 7 + 1000.
  EXPECT_EQ(run_i32("catcher", {Val::from_i32(7), Val::from_i32(0)}), 1007u);
  // Uncaught: the host sees the exception.
  InvokeResult r = run("direct", {Val::from_i32(7), Val::from_i32(0)});
  ASSERT_TRUE(r.trapped());
  EXPECT_EQ(r.trap->kind, TrapKind::Exception);
  ASSERT_NE(r.trap->exception, nullptr);
  // And the store is usable after both.
  install(&mul_entry);
  EXPECT_EQ(run_i32("catcher", {Val::from_i32(3), Val::from_i32(4)}), 1012u);
}

TEST(TierLimits, NativeStackLimitLeavesRoomBelowTheCurrentFrame) {
  uintptr_t limit = interp::native_stack_limit();
  auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  EXPECT_LT(limit, here);
  EXPECT_GT(here - limit, 64u * 1024);
}

}  // namespace
}  // namespace hull::test
