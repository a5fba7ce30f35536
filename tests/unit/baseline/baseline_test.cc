// The baseline tier (src/baseline): every function compiled, the same results, traps (with
// their offsets and callers), fuel and deadlines as the interpreter, whether an instruction
// runs its stencil or the interpreter's handler; code memory given back with its module.
#include "baseline/baseline.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "binary/decoder.h"
#include "engine/engine.h"
#include "interp/code.h"
#include "text/wat.h"

namespace hull::test {
namespace {

constexpr const char* kWat = R"(
(module
  (type $bin (func (param i32 i32) (result i32)))
  (memory 1)
  (memory $second 1)
  (table 4 funcref)
  (global $g (mut i64) (i64.const 5))
  (elem (i32.const 0) $add $sub)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\ff\fe")
  (tag $e (param i32))
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  ;; Arithmetic of every width, constants, compares fused with branches.
  (func (export "mix") (param i32 i32) (result i64) (local i64 f64)
    (local.set 2 (i64.extend_i32_s (local.get 0)))
    (local.set 2 (i64.mul (local.get 2) (i64.const -7)))
    (local.set 3 (f64.convert_i32_s (local.get 1)))
    (local.set 3 (f64.sqrt (f64.mul (local.get 3) (local.get 3))))
    (if (i32.lt_s (local.get 0) (local.get 1))
      (then (local.set 2 (i64.add (local.get 2) (i64.trunc_f64_s (local.get 3)))))
      (else (local.set 2 (i64.rotl (local.get 2) (i64.const 13)))))
    (if (i32.eqz (i32.and (local.get 0) (i32.const 0x80000001)))
      (then (local.set 2 (i64.xor (local.get 2) (i64.const 0x123456789abcdef0)))))
    (i64.add (local.get 2) (global.get $g)))
  ;; Loads and stores: plain, with constant offsets, scaled indices; a loop; select.
  (func (export "mem") (param i32) (result i32) (local i32 i32)
    (i32.store offset=100 (i32.const 0) (local.get 0))
    (i64.store offset=200 (i32.const 8) (i64.const -1))
    (local.set 1 (i32.const 0))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get 1) (i32.const 10)))
        (local.set 2 (i32.add (local.get 2)
          (i32.load8_u offset=16 (local.get 1))))
        (i32.store (i32.add (i32.const 400) (i32.shl (local.get 1) (i32.const 2))) (local.get 2))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br $l)))
    (select (i32.add (local.get 2) (i32.load offset=100 (i32.const 0)))
            (i32.load16_s (i32.const 24))
            (local.get 0)))
  ;; Calls of every kind (call_direct has stencils of its own), br_table and tail calls.
  (func (export "calls") (param i32 i32) (result i32)
    (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 (local.get 0)))
      (return (call $add (local.get 1) (i32.const 100))))
      (return (call_indirect (type $bin) (local.get 1) (i32.const 1) (i32.const 1))))
    (return_call $sub (local.get 1) (i32.const 3)))
  (func $thrower (param i32) (result i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $thrower (local.get 0))))
    (i32.const 1000) (i32.add))
  (func (export "sum") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  ;; Traps: in a stencil (division, a guarded load), in a handler (unreachable, call_indirect).
  (func $div (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $load (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "via") (param i32 i32) (result i32)
    (i32.add (call $div (local.get 0) (local.get 1)) (call $load (local.get 0))))
  ;; Memory 1: no stencil, its handler faults (with guard pages) with the lowered pc at hand.
  (func (export "load_second") (param i32) (result i32) (i32.load $second offset=4 (local.get 0)))
  (func (export "unreachable") (unreachable))
  (func (export "bad_indirect") (param i32) (result i32)
    (call_indirect (type $bin) (i32.const 1) (i32.const 2) (local.get 0)))
  (func (export "spin") (loop $l (br $l)))
)
)";

struct Loaded {
  std::shared_ptr<const CompiledModule> module;
  Store store;
  Instance* inst = nullptr;

  explicit Loaded(CompileOptions opts, const char* wat = kWat) {
    auto bin = text::wat_to_binary(wat);
    EXPECT_TRUE(bin.ok()) << bin.error().to_string();
    auto m = compile(*bin, opts);
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    if (!m.ok()) return;
    module = *m;
    Linker linker;
    auto in = linker.instantiate(store, module);
    EXPECT_TRUE(in.ok()) << in.error().to_string();
    if (in.ok()) inst = *in;
  }
  InvokeResult call(const char* name, std::vector<Val> args) {
    auto r = invoke(store, inst->exports.at(name).func, std::move(args));
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(*r) : InvokeResult{};
  }
};

CompileOptions interp_options() { return {}; }
CompileOptions baseline_options() {
  CompileOptions o;
  o.baseline = true;
  return o;
}

std::string describe(const InvokeResult& r) {
  std::string s;
  if (r.trapped()) {
    s = "trap " + std::string(trap_kind_message(r.trap->kind)) + ":";
    for (const TrapFrame& f : r.trap->backtrace)
      s += " " + std::to_string(f.func_index) + "@" + std::to_string(f.code_offset);
    return s;
  }
  for (const Val& v : r.values) s += std::to_string(v.i64) + " ";
  return s;
}

class Baseline : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!baseline::available()) GTEST_SKIP() << "no baseline tier in this build";
  }
};

TEST_F(Baseline, CompilesEveryFunctionMostlyFromStencils) {
  Loaded b(baseline_options());
  ASSERT_TRUE(b.inst);
  size_t instructions = 0, faulting = 0;
  for (const interp::FuncCode& fc : b.module->code->funcs) {
    ASSERT_NE(fc.baseline, nullptr) << "function " << fc.func_index;
    EXPECT_LT(fc.baseline->begin, fc.baseline->end);
    instructions += fc.baseline->instructions;
    faulting += fc.baseline->faulting.size();
    // A call enters through the first handler word, which points at the machine code now.
    const auto entry = reinterpret_cast<uintptr_t>(fc.code[0].h);
    EXPECT_GE(entry, fc.baseline->begin);
    EXPECT_LT(entry, fc.baseline->end);
    EXPECT_TRUE(fc.starts.empty());  // freed once compiled
  }
  EXPECT_GT(instructions, 50u);
  // The guarded loads and stores are known, for faults (with guard pages).
  if (guard_pages_supported()) {
    EXPECT_GT(faulting, 5u);
  }
  // Most instructions have a stencil: a handler map gone wrong would leave every one to its
  // handler (right results, interpreter speed), so the tier's own count is checked too.
  auto bin = text::wat_to_binary(kWat);
  ASSERT_TRUE(bin.ok());
  auto desc = decode_module(*bin);
  ASSERT_TRUE(desc.ok());
  auto lowered = interp::compile_module(*desc, canonicalize_types(desc->types), baseline_options());
  ASSERT_TRUE(lowered.ok()) << lowered.error().to_string();
  auto stats = baseline::compile_module(const_cast<interp::ModuleCode&>(**lowered));
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(stats->instructions, instructions);
  EXPECT_GT(stats->stencilled * 10, stats->instructions * 6);  // over 60 %
  EXPECT_GT(stats->code_bytes, 0u);
  // Lowered for the interpreter alone, nothing is compiled.
  Loaded i(interp_options());
  ASSERT_TRUE(i.inst);
  for (const interp::FuncCode& fc : i.module->code->funcs) EXPECT_EQ(fc.baseline, nullptr);
}

TEST_F(Baseline, SameResultsAsTheInterpreter) {
  Loaded i(interp_options()), b(baseline_options());
  ASSERT_TRUE(i.inst && b.inst);
  const std::vector<std::pair<const char*, std::vector<Val>>> calls = {
      {"mix", {Val::from_i32(3), Val::from_i32(9)}},
      {"mix", {Val::from_i32(-40), Val::from_i32(-2)}},
      {"mix", {Val::from_i32(10), Val::from_i32(2)}},
      {"mix", {Val::from_i32(0x7ffffffe), Val::from_i32(1)}},
      {"mem", {Val::from_i32(0)}},
      {"mem", {Val::from_i32(77)}},
      {"calls", {Val::from_i32(0), Val::from_i32(5)}},
      {"calls", {Val::from_i32(1), Val::from_i32(5)}},
      {"calls", {Val::from_i32(2), Val::from_i32(5)}},
      {"calls", {Val::from_i32(99), Val::from_i32(5)}},
      {"catch", {Val::from_i32(5)}},
      {"sum", {Val::from_i32(1000)}},
  };
  for (const auto& [name, args] : calls) {
    const std::string want = describe(i.call(name, args));
    const std::string got = describe(b.call(name, args));
    EXPECT_EQ(got, want) << name;
    EXPECT_EQ(want.rfind("trap", 0), std::string::npos) << name << ": " << want;
  }
  // The memory the two wrote is the same too.
  EXPECT_EQ(0, std::memcmp(i.inst->memories[0]->base, b.inst->memories[0]->base, 1024));
  EXPECT_EQ(describe(b.call("sum", {Val::from_i32(1000)})), std::to_string(500500) + " ");
}

TEST_F(Baseline, TrapsReportTheInstructionAndTheCallers) {
  // The reference: the interpreter with explicit bounds checks, which always knows the
  // trapping instruction (a guard-page fault in a handler is found from the registers, which
  // sanitizer builds may not hold it in).
  CompileOptions io = interp_options();
  io.guard_pages = false;
  Loaded i(io);
  ASSERT_TRUE(i.inst);
  for (bool guard : {true, false}) {
    CompileOptions bo = baseline_options();
    bo.guard_pages = guard && guard_pages_supported();
    Loaded b(bo);
    ASSERT_TRUE(b.inst);
    const std::vector<std::pair<const char*, std::vector<Val>>> calls = {
        {"div", {Val::from_i32(1), Val::from_i32(0)}},           // a stencil's trap
        {"div", {Val::from_i32(INT32_MIN), Val::from_i32(-1)}},  // the other one
        {"load", {Val::from_i32(65534)}},                        // a fault or a check
        {"via", {Val::from_i32(65534), Val::from_i32(1)}},       // with a caller
        {"via", {Val::from_i32(5), Val::from_i32(0)}},
        {"load_second", {Val::from_i32(65534)}},  // a handler's fault
        {"unreachable", {}},                      // a handler's trap
        {"bad_indirect", {Val::from_i32(3)}},     // uninitialized element
        {"bad_indirect", {Val::from_i32(9)}},     // undefined element
    };
    for (const auto& [name, args] : calls) {
      const InvokeResult want = i.call(name, args);
      const InvokeResult got = b.call(name, args);
      ASSERT_TRUE(want.trapped()) << name;
      ASSERT_TRUE(got.trapped()) << name;
      EXPECT_EQ(got.trap->kind, want.trap->kind) << name;
      EXPECT_EQ(got.trap->message, want.trap->message) << name;
      EXPECT_EQ(describe(got), describe(want)) << name << (guard ? " (guard pages)" : "");
      for (const TrapFrame& f : got.trap->backtrace) EXPECT_NE(f.code_offset, 0u) << name;
    }
    // The store runs on after a trap.
    EXPECT_EQ(describe(b.call("sum", {Val::from_i32(10)})), "55 ");
  }
}

// `name(args)` of `wat`, compiled with fuel for both tiers, on every budget below `budgets`:
// the same fuel left, or the same trap; some budgets run out and some complete.
void same_fuel_at_every_budget(const char* wat, const char* name, const std::vector<Val>& args,
                               uint64_t budgets) {
  CompileOptions io = interp_options(), bo = baseline_options();
  io.fuel = bo.fuel = true;
  Loaded i(io, wat), b(bo, wat);
  ASSERT_TRUE(i.inst && b.inst);
  bool ran_out = false, completed = false;
  for (uint64_t budget = 0; budget < budgets; ++budget) {
    i.store.set_fuel(budget);
    b.store.set_fuel(budget);
    const std::string want = describe(i.call(name, args));
    const std::string got = describe(b.call(name, args));
    ASSERT_EQ(got, want) << "budget " << budget;
    ASSERT_EQ(b.store.fuel_left, i.store.fuel_left) << "budget " << budget;
    (want.rfind("trap", 0) == 0 ? ran_out : completed) = true;
  }
  EXPECT_TRUE(ran_out);
  EXPECT_TRUE(completed);
}

TEST_F(Baseline, ConsumesTheInterpretersFuel) {
  // Every budget up to what the call uses.
  same_fuel_at_every_budget(kWat, "mem", {Val::from_i32(3)}, 400);
}

TEST_F(Baseline, DeadlineEndsALoop) {
  CompileOptions bo = baseline_options();
  bo.epochs = true;
  Loaded b(bo);
  ASSERT_TRUE(b.inst);
  b.store.set_deadline_ns(20'000'000);
  const InvokeResult r = b.call("spin", {});
  ASSERT_TRUE(r.trapped());
  EXPECT_EQ(r.trap->kind, TrapKind::Interrupted);
}

// Direct calls have stencils of their own (a call site and the callee's entry): the frames, the
// locals' zeroing, the entry check (stack exhaustion) and fuel across calls as the interpreter's.
constexpr const char* kCallsWat = R"(
(module
  ;; Recursion: each frame reads a local before writing it (zero on entry) and leaves garbage.
  (func $down (export "down") (param i32) (result i64) (local i64 i64 f64)
    (local.set 2 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
    (local.set 1 (i64.const -1))
    (if (result i64) (i32.eqz (local.get 0))
      (then (local.get 2))
      (else (i64.add (local.get 2) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  ;; Many locals (zeroed with memset), called after $dirty left values in the same slots.
  (func $dirty (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
      i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 20 (i64.const 77)) (local.set 5 (i64.const 9)) (local.get 0))
  (func $clean (param i32) (result i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
      i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add (local.get 20) (i64.add (local.get 5) (i64.extend_i32_u (local.get 0)))))
  (func (export "zeroed") (param i32) (result i64)
    (call $clean (call $dirty (local.get 0))))
  (func $forever (export "forever") (param i32) (result i32)
    (call $forever (i32.add (local.get 0) (i32.const 1))))
)
)";

TEST_F(Baseline, DirectCallsAsTheInterpreter) {
  for (bool fuel : {false, true}) {
    CompileOptions io = interp_options(), bo = baseline_options();
    io.fuel = bo.fuel = fuel;
    Loaded i(io, kCallsWat), b(bo, kCallsWat);
    ASSERT_TRUE(i.inst && b.inst);
    for (int32_t n : {0, 1, 2, 50, 3000}) {
      if (fuel) i.store.set_fuel(1'000'000), b.store.set_fuel(1'000'000);
      EXPECT_EQ(describe(b.call("down", {Val::from_i32(n)})),
                describe(i.call("down", {Val::from_i32(n)})))
          << n;
      if (fuel) EXPECT_EQ(b.store.fuel_left, i.store.fuel_left) << n;
    }
    // 3 + 2 + 1 + 0: each frame's local 1 is zero on entry, whatever the last frame left there.
    EXPECT_EQ(describe(b.call("down", {Val::from_i32(3)})), "6 ");
    if (fuel) i.store.set_fuel(1'000'000), b.store.set_fuel(1'000'000);
    EXPECT_EQ(describe(b.call("zeroed", {Val::from_i32(4)})), "4 ");
    // Recursion without end: the entry check's stack exhaustion, at the same call.
    if (fuel) i.store.set_fuel(UINT64_MAX), b.store.set_fuel(UINT64_MAX);
    const InvokeResult want = i.call("forever", {Val::from_i32(0)});
    const InvokeResult got = b.call("forever", {Val::from_i32(0)});
    ASSERT_TRUE(want.trapped() && got.trapped());
    EXPECT_EQ(got.trap->kind, TrapKind::StackExhausted);
    EXPECT_EQ(got.trap->kind, want.trap->kind);
    EXPECT_EQ(got.trap->backtrace.size(), want.trap->backtrace.size());
    ASSERT_FALSE(got.trap->backtrace.empty());
    EXPECT_EQ(got.trap->backtrace[0].code_offset, want.trap->backtrace[0].code_offset);
    // And the store runs on.
    if (fuel) b.store.set_fuel(1'000'000);
    EXPECT_EQ(describe(b.call("down", {Val::from_i32(2)})), "3 ");
  }
  // Fuel running out at every point of a few calls.
  same_fuel_at_every_budget(kCallsWat, "down", {Val::from_i32(4)}, 200);
}

TEST_F(Baseline, CodeMemoryComesBackWithItsModule) {
  // More modules than the code space holds at a page each, one after the other.
  auto bin = text::wat_to_binary("(module (func (export \"f\") (result i32) (i32.const 7)))");
  ASSERT_TRUE(bin.ok());
  const size_t modules = baseline::code_space() / 4096 + 1000;
  for (size_t n = 0; n < modules; ++n) {
    auto m = compile(*bin, baseline_options());
    ASSERT_TRUE(m.ok()) << "module " << n << ": " << m.error().to_string();
  }
}

}  // namespace
}  // namespace hull::test
