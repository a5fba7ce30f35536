// The native tier's exception handling (lower_exceptions.cc) against the interpreter's: throw
// and catch inside one machine-code function; across native -> interpreted -> native frames on
// one stack, both ways (functions named interp* stay interpreted); catch_ref and
// throw_ref; the legacy try/catch/rethrow/delegate; an uncaught exception leaving the guest
// (the same trap, tag and payload); traps inside a try_table (never caught); the same fuel in
// both tiers; and the collection that exposing many exceptions starts from machine code.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"
#include "hull/native.hh"
#include "instantiated.h"

namespace {

namespace api = hull::api;
using hull_native_test::Instantiated;
using hull_native_test::interpret_named_functions;

std::string show(const api::Val& v) {
  switch (v.type()) {
    case api::ValType::I32: return std::to_string(v.i32());
    case api::ValType::I64: return std::to_string(v.i64());
    case api::ValType::F64: return std::to_string(v.f64());
    default: return "?";
  }
}

// What one call gave: the results, or the trap's code and message (and for an uncaught
// exception, its payload and whether its tag is the module's exported $e).
std::string outcome(Instantiated& in, const api::Result<std::vector<api::Val>>& r) {
  if (!r.ok()) {
    const api::Error& e = r.error();
    std::string s =
        "trap " + std::to_string(e.trap ? static_cast<int>(e.trap->code) : -1) + ": " + e.message;
    if (const api::Exception* x = e.exception()) {
      s += " [";
      for (const api::Val& v : x->args) s += show(v) + " ";
      auto tag = in.inst->get_tag("e");
      s += tag && *tag == x->tag ? "tag e]" : "other tag]";
    }
    return s;
  }
  std::string s;
  for (const api::Val& v : *r) s += show(v) + " ";
  return s;
}

// $interp_* functions stay interpreted (HULL_NATIVE_INTERPRET), so that exceptions cross
// between the tiers.
constexpr const char* kExceptions = R"(
(module
  (tag $e (export "e") (param i32))
  (tag $f (param i64 f64))
  (tag $g)
  (tag $e2 (param i32))
  (func $native_throw (export "native_throw") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (return (i32.const 5))))
    (throw $e (local.get 0)))
  (func $interp_throw (export "interp_throw") (param i32) (result i32)
    (local i31ref)
    (if (i32.eqz (local.get 0)) (then (return (i32.const 7))))
    (throw $e (i32.add (local.get 0) (i32.const 100))))
  ;; interpreted: catches only $g, so $e passes through it
  (func $interp_mid (export "interp_mid") (param i32) (result i32)
    (local i31ref)
    (block $h
      (try_table (catch $g $h) (return (call $native_throw (local.get 0)))))
    (i32.const -2))
  ;; interpreted: catches what its native callee throws
  (func $interp_catch (export "interp_catch") (param i32) (result i32)
    (local i31ref)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $native_throw (local.get 0))))
    (i32.add (i32.const 1000)))
  ;; native: catches what its interpreted callee throws
  (func (export "native_catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $interp_throw (local.get 0))))
    (i32.add (i32.const 2000)))
  ;; native -> interpreted -> native: the innermost throws, the outermost catches
  (func (export "sandwich") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $interp_mid (local.get 0))))
    (i32.add (i32.const 3000)))
  ;; interpreted -> native -> interpreted: the same the other way round
  (func $native_mid (param i32) (result i32)
    (block $h
      (try_table (catch $g $h) (return (call $interp_throw (local.get 0)))))
    (i32.const -3))
  (func $interp_sandwich (export "interp_sandwich") (param i32) (result i32)
    (local i31ref)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h) (call $native_mid (local.get 0))))
    (i32.add (i32.const 4000)))
  ;; one native function throws and catches (by tag: $e2's clause does not match)
  (func (export "local_catch") (param i32) (result i32)
    (block $h2 (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e2 $h2) (catch $e $h)
          (if (i32.lt_u (local.get 0) (i32.const 10))
            (then (throw $e (i32.mul (local.get 0) (i32.const 3)))))
          (i32.const -1)))
      (return))
    (i32.add (i32.const 500)))
  (func (export "payload") (param i64 f64) (result i64 f64)
    (block $h (result i64 f64)
      (try_table (result i64 f64) (catch $f $h) (throw $f (local.get 0) (local.get 1)))))
  ;; catch_ref, then throw_ref to the outer handler; catch_all_ref to a loop label
  (func (export "rethrow_ref") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e $outer)
        (block $h (result i32 exnref)
          (try_table (result i32) (catch_ref $e $h) (throw $e (local.get 0)))
          (return))
        (throw_ref)))
    (i32.add (i32.const 1)))
  (func (export "null_throw_ref") (result i32)
    (block $h (try_table (catch_all $h) (throw_ref (ref.null exn))))
    (i32.const 9))
  (func (export "loop_catch") (param i32) (result i32)
    (local $n i32)
    (ref.null exn)
    (loop $again (param exnref)
      (drop)
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (i32.ge_u (local.get $n) (local.get 0)) (then (return (local.get $n))))
      (try_table (catch_all_ref $again) (throw $g))
      (unreachable))
    (i32.const -1))
  ;; uncaught: from machine code, and from the interpreter through machine code
  (func (export "uncaught") (param i32) (result i32) (throw $e (local.get 0)))
  (func (export "uncaught_mixed") (param i32) (result i32) (call $interp_throw (local.get 0)))
  ;; traps are not caught, here or in a callee
  (func (export "trap_in_try") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (i32.div_s (i32.const 1) (local.get 0)))))
    (i32.const -4))
  (func $interp_trap (param i32) (result i32)
    (local i31ref)
    (if (local.get 0) (then (unreachable)))
    (i32.const 11))
  (func (export "trap_in_callee") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return (call $interp_trap (local.get 0)))))
    (i32.const -5))
  ;; legacy: catch, catch_all, rethrow, delegate
  (func (export "legacy") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (if (result i32) (local.get 0)
                (then (call $interp_throw (local.get 0)))
                (else (throw $g))))
          (catch $g (i32.const 50))))
      (catch $e (i32.add (i32.const 60)))))
  (func (export "legacy_rethrow") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $e (local.get 0)))
          (catch_all
            (if (i32.gt_u (local.get 0) (i32.const 5)) (then (rethrow 1)))
            (i32.const 70))))
      (catch $e (i32.add (i32.const 80)))))
  (func (export "legacy_delegate") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (try (result i32)
                (do (call $native_throw (local.get 0)))
                (delegate 1)))
          (catch $e (drop) (i32.const 90))))
      (catch $e (i32.add (i32.const 95)))))
  ;; a return_call leaves the try: the callee's exception is not caught here
  (func (export "tail_in_try") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h) (return_call $interp_throw (local.get 0))))
    (i32.const -6))
  ;; fuel: loops of throws and catches, within machine code and through the interpreter
  (func (export "spin") (param i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (result i32) (catch $e $h)
          (if (result i32) (i32.and (local.get 0) (i32.const 1))
            (then (call $interp_throw (local.get 0)))
            (else (throw $e (local.get 0))))))
      (local.set $sum (i32.add (local.get $sum)))
      (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l))
    (local.get $sum))
)
)";

class NativeExceptions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hull::native::register_tier();
    interpret_named_functions("interp");
  }
  static void TearDownTestSuite() { interpret_named_functions(nullptr); }
};

struct Call {
  const char* name;
  std::vector<api::Val> args;
  std::string want;
};

TEST_F(NativeExceptions, SameOutcomeInBothTiers) {
  const std::string uncaught42 = "trap " +
                                 std::to_string(static_cast<int>(api::TrapCode::Exception)) +
                                 ": uncaught exception (i32 42) [42 tag e]";
  const std::string uncaught142 = "trap " +
                                  std::to_string(static_cast<int>(api::TrapCode::Exception)) +
                                  ": uncaught exception (i32 142) [142 tag e]";
  const std::string div0 = "trap " +
                           std::to_string(static_cast<int>(api::TrapCode::IntegerDivideByZero)) +
                           ": integer divide by zero";
  const std::string unreachable =
      "trap " + std::to_string(static_cast<int>(api::TrapCode::Unreachable)) + ": unreachable";
  const std::string null_ref = "trap " +
                               std::to_string(static_cast<int>(api::TrapCode::NullReference)) +
                               ": null exception reference";
  const std::vector<Call> calls = {
      {"native_throw", {api::Val(0)}, "5 "},
      {"local_catch", {api::Val(4)}, "12 "},
      {"local_catch", {api::Val(40)}, "-1 "},
      {"payload", {api::Val(int64_t{-7}), api::Val(2.5)}, "-7 2.500000 "},
      {"interp_catch", {api::Val(3)}, "1003 "},
      {"interp_catch", {api::Val(0)}, "1005 "},
      {"native_catch", {api::Val(3)}, "2103 "},
      {"native_catch", {api::Val(0)}, "2007 "},
      {"sandwich", {api::Val(8)}, "3008 "},
      {"sandwich", {api::Val(0)}, "3005 "},
      {"interp_sandwich", {api::Val(8)}, "4108 "},
      {"rethrow_ref", {api::Val(20)}, "21 "},
      {"null_throw_ref", {}, null_ref},
      {"loop_catch", {api::Val(5)}, "5 "},
      {"loop_catch", {api::Val(3000)}, "3000 "},
      {"uncaught", {api::Val(42)}, uncaught42},
      {"uncaught_mixed", {api::Val(42)}, uncaught142},
      {"trap_in_try", {api::Val(0)}, div0},
      {"trap_in_try", {api::Val(1)}, "1 "},
      {"trap_in_callee", {api::Val(1)}, unreachable},
      {"trap_in_callee", {api::Val(0)}, "11 "},
      {"legacy", {api::Val(0)}, "50 "},
      {"legacy", {api::Val(2)}, "162 "},
      {"legacy_rethrow", {api::Val(3)}, "70 "},
      {"legacy_rethrow", {api::Val(9)}, "89 "},
      {"legacy_delegate", {api::Val(4)}, "99 "},
      {"legacy_delegate", {api::Val(0)}, "5 "},
      {"tail_in_try", {api::Val(42)}, uncaught142},
      {"tail_in_try", {api::Val(0)}, "7 "},
  };
  Instantiated interp(api::Tier::Interpreter, kExceptions);
  Instantiated native(api::Tier::Native, kExceptions);
  // Exactly the functions meant to stay interpreted do (by name: the others compiled).
  const std::vector<std::string> left = native.interpreted();
  ASSERT_EQ(left.size(), 5u);
  for (const std::string& why : left) EXPECT_EQ(why.rfind("interp", 0), 0u) << why;
  for (const Call& c : calls) {
    const std::string a = outcome(interp, interp.call(c.name, c.args));
    const std::string b = outcome(native, native.call(c.name, c.args));
    EXPECT_EQ(a, c.want) << c.name << " interpreted";
    EXPECT_EQ(b, c.want) << c.name << " native";
  }
}

// Each of the 3,000 rounds of loop_catch exposes an exception (catch_all_ref): past the
// heap's threshold the catch in machine code collects (with the function's values as roots)
// instead of letting them pile up.
TEST_F(NativeExceptions, ExposedExceptionsAreCollectedFromMachineCode) {
  Instantiated native(api::Tier::Native, kExceptions);
  auto r = native.call("loop_catch", {api::Val(3000)});
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ((*r)[0].i32(), 3000);
  EXPECT_LT(native.store->stats().exceptions, 2048u);
}

// The same fuel in both tiers: charged at the same check points with the same amounts, with
// exceptions thrown and caught inside machine code and through the interpreter; running out
// partway stops both at the same point.
TEST_F(NativeExceptions, SameFuel) {
  auto run = [](api::Tier tier, uint64_t fuel) {
    Instantiated in(tier, kExceptions, api::BoundsChecks::Default, /*fuel=*/true);
    EXPECT_TRUE(in.store->set_fuel(fuel).ok());
    auto r = in.call("spin", {api::Val(1000)});
    std::string s = r.ok() ? std::to_string((*r)[0].i32()) : r.error().message;
    return s + " fuel left " + std::to_string(*in.store->get_fuel());
  };
  const std::string full = run(api::Tier::Interpreter, 1'000'000);
  EXPECT_EQ(full.rfind("550500 fuel left ", 0), 0u) << full;  // sum of n + 100 * (n odd)
  EXPECT_EQ(run(api::Tier::Native, 1'000'000), full);
  const std::string cut = run(api::Tier::Interpreter, 5'000);
  EXPECT_EQ(cut, "all fuel consumed fuel left " + cut.substr(cut.rfind(' ') + 1));
  EXPECT_EQ(run(api::Tier::Native, 5'000), cut);
}

// Exception and GC references live on the store's heap, which a callee may collect: a
// function holding one across a call (in a local, on the operand stack, or an exception kept
// for a legacy rethrow) shows it to the collection in its root frame. $churn allocates 24 MiB,
// past the heap's threshold, so collections run while each of these functions waits in it;
// what they held afterwards must be intact (its payload, its tag) -- under ASan a missed root
// is a use after free.
TEST_F(NativeExceptions, ReferencesHeldAcrossCollectingCalls) {
  constexpr const char* kHeld = R"(
(module
  (tag $e (param i32))
  (type $big (array (mut i64)))
  (type $pair (struct (field i32) (field (mut i32))))
  (func $churn
    (drop (array.new_default $big (i32.const 1048576)))
    (drop (array.new_default $big (i32.const 1048576)))
    (drop (array.new_default $big (i32.const 1048576))))
  (func $caught (param i32) (result exnref)
    (local $x exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (throw $e (local.get 0))) (unreachable))
    (local.set $x)
    (drop)
    (local.get $x))
  (func $payload (param exnref) (result i32)
    (block $h (result i32) (try_table (catch $e $h) (throw_ref (local.get 0))) (unreachable)))
  (func $in_local (export "in_local") (result i32)
    (local $x exnref)
    (local.set $x (call $caught (i32.const 41)))
    (call $churn)
    (i32.add (call $payload (local.get $x)) (i32.const 1)))
  (func $on_stack (export "on_stack") (result i32)
    (call $caught (i32.const 50))
    (call $churn)
    (call $payload))
  (func $kept (export "kept") (result i32)
    (try (result i32)
      (do (try (do (throw $e (i32.const 60))) (catch_all (call $churn) (rethrow 0)))
          (i32.const 0))
      (catch $e)))
  (func $struct_held (export "struct_held") (result i32)
    (local $p (ref null $pair))
    (local.set $p (struct.new $pair (i32.const 30) (i32.const 40)))
    (struct.new $pair (i32.const 5) (i32.const 6))
    (call $churn)
    (struct.get $pair 1)
    (i32.add (struct.get $pair 0 (local.get $p)))
    (i32.add (struct.get $pair 1 (local.get $p)))))
)";
  Instantiated interp(api::Tier::Interpreter, kHeld);
  Instantiated native(api::Tier::Native, kHeld);
  EXPECT_EQ(native.interpreted(), std::vector<std::string>{});
  const std::vector<std::pair<const char*, const char*>> want = {
      {"in_local", "42 "}, {"on_stack", "50 "}, {"kept", "60 "}, {"struct_held", "76 "}};
  for (const auto& [name, result] : want) {
    EXPECT_EQ(outcome(interp, interp.call(name, {})), result) << name;
    const uint64_t before = native.store->stats().gc_collections;
    EXPECT_EQ(outcome(native, native.call(name, {})), result) << name;
    EXPECT_GT(native.store->stats().gc_collections, before) << name << ": no collection ran";
  }
}

}  // namespace
