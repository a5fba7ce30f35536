// The native tier's atomics (lower_atomic.cc) against the interpreter's and against a model:
// every load, store, read-modify-write and cmpxchg width on a shared memory, results and the
// memory they leave; the unaligned-access and out-of-bounds traps and their order; wait and
// notify (through the interpreter's own code); a wait on an unshared memory; the fence;
// growth of the shared memory. With guard pages and with explicit checks. And machine code on
// several threads at once.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/module.h"
#include "engine/tiers.h"
#include "hull/hull.hh"
#include "hull/native.hh"
#include "instantiated.h"

namespace {

namespace api = hull::api;
using hull_native_test::Instantiated;

enum class Kind { Load, Store, Add, Sub, And, Or, Xor, Xchg, Cmpxchg };

struct AtomicOp {
  std::string name;  // e.g. "i64.atomic.rmw16.xor_u"
  Kind kind;
  bool is64;       // its value type is i64
  unsigned bytes;  // the cell's width
};

std::vector<AtomicOp> all_ops() {
  std::vector<AtomicOp> ops;
  struct Width {
    bool is64;
    unsigned bytes;
    const char* infix;  // after "atomic." (rmw), or the load/store suffix
    const char* suffix;
  };
  const Width widths[] = {{false, 4, "rmw", ""},    {true, 8, "rmw", ""},
                          {false, 1, "rmw8", "_u"}, {false, 2, "rmw16", "_u"},
                          {true, 1, "rmw8", "_u"},  {true, 2, "rmw16", "_u"},
                          {true, 4, "rmw32", "_u"}};
  const std::pair<const char*, Kind> rmw[] = {
      {"add", Kind::Add}, {"sub", Kind::Sub},   {"and", Kind::And},        {"or", Kind::Or},
      {"xor", Kind::Xor}, {"xchg", Kind::Xchg}, {"cmpxchg", Kind::Cmpxchg}};
  for (const Width& w : widths) {
    const std::string t = w.is64 ? "i64" : "i32";
    const std::string n = w.bytes == (w.is64 ? 8u : 4u) ? "" : std::to_string(w.bytes * 8);
    ops.push_back({t + ".atomic.load" + n + (n.empty() ? "" : "_u"), Kind::Load, w.is64, w.bytes});
    ops.push_back({t + ".atomic.store" + n, Kind::Store, w.is64, w.bytes});
    for (const auto& [name, kind] : rmw)
      ops.push_back({t + ".atomic." + w.infix + "." + name + w.suffix, kind, w.is64, w.bytes});
  }
  return ops;
}

std::string module_text(const std::vector<AtomicOp>& ops) {
  std::string m = R"(
(module
  (memory $s (export "memory") 1 2 shared)
  (memory $u 1)
  (data (memory $s) (i32.const 8) "\f0\e1\d2\c3\b4\a5\96\87\78\69\5a\4b\3c\2d\1e\0f")
  (func (export "load_off") (param i32) (result i32) local.get 0 i32.atomic.load offset=4)
  (func (export "wait32") (param i32 i32 i64) (result i32)
    local.get 0 local.get 1 local.get 2 memory.atomic.wait32)
  (func (export "wait64") (param i32 i64 i64) (result i32)
    local.get 0 local.get 1 local.get 2 memory.atomic.wait64)
  (func (export "notify") (param i32 i32) (result i32)
    local.get 0 local.get 1 memory.atomic.notify)
  (func (export "wait_unshared") (param i32) (result i32)
    local.get 0 i32.const 0 i64.const 0 memory.atomic.wait32 $u)
  (func (export "notify_unshared") (param i32) (result i32)
    local.get 0 i32.const 1 memory.atomic.notify $u)
  (func (export "fence") (result i32) atomic.fence i32.const 1)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
)";
  m.pop_back();  // the module's closing parenthesis: the ops' functions go before it
  for (const AtomicOp& op : ops) {
    const char* t = op.is64 ? "i64" : "i32";
    std::string params = "i32", body = "local.get 0";
    if (op.kind != Kind::Load) {
      params += std::string(" ") + t;
      body += " local.get 1";
    }
    if (op.kind == Kind::Cmpxchg) {
      params += std::string(" ") + t;
      body += " local.get 2";
    }
    const std::string result = op.kind == Kind::Store ? "" : std::string(" (result ") + t + ")";
    m += "  (func (export \"" + op.name + "\") (param " + params + ")" + result + " " + body + " " +
         op.name + ")\n";
  }
  return m + ")";
}

// The interpreter's and the native tier's instances, and the memory a correct one holds.
struct BothTiers {
  Instantiated interp, native;
  std::vector<uint8_t> model = std::vector<uint8_t>(65536, 0);
  BothTiers(const std::string& wat, api::BoundsChecks checks)
      : interp(api::Tier::Interpreter, wat, checks), native(api::Tier::Native, wat, checks) {
    const uint8_t init[] = {0xf0, 0xe1, 0xd2, 0xc3, 0xb4, 0xa5, 0x96, 0x87,
                            0x78, 0x69, 0x5a, 0x4b, 0x3c, 0x2d, 0x1e, 0x0f};
    std::memcpy(model.data() + 8, init, sizeof init);
  }
  // Calls `name` in both tiers: each gives `want` (results as decimal u64s, or the trap).
  void expect(const std::string& name, const std::vector<api::Val>& args, const std::string& want) {
    for (Instantiated* in : {&interp, &native}) {
      auto r = in->call(name, args);
      std::string got;
      if (!r.ok())
        got = "trap " +
              std::to_string(r.error().trap ? static_cast<int>(r.error().trap->code) : -1) + ": " +
              r.error().message;
      else
        for (const api::Val& v : *r)
          got += std::to_string(v.type() == api::ValType::I32 ? uint64_t{v.i32() & 0xffffffffu}
                                                              : static_cast<uint64_t>(v.i64()));
      EXPECT_EQ(got, want) << name << (in == &native ? " native" : " interpreted");
    }
  }
  uint64_t cell(uint32_t addr, unsigned bytes) const {
    uint64_t v = 0;
    std::memcpy(&v, model.data() + addr, bytes);  // little-endian
    return v;
  }
  void set_cell(uint32_t addr, unsigned bytes, uint64_t v) {
    std::memcpy(model.data() + addr, &v, bytes);
  }
};

api::Val value(bool is64, uint64_t v) {
  return is64 ? api::Val(v) : api::Val(static_cast<uint32_t>(v));
}

std::string trap(api::TrapCode code, const char* message) {
  return "trap " + std::to_string(static_cast<int>(code)) + ": " + message;
}

class NativeAtomics : public ::testing::TestWithParam<api::BoundsChecks> {
 protected:
  static void SetUpTestSuite() { hull::native::register_tier(); }
};

TEST_P(NativeAtomics, EveryOpMatchesTheModel) {
  const std::vector<AtomicOp> ops = all_ops();
  ASSERT_EQ(ops.size(), 63u);  // 7 widths x (load, store, 7 read-modify-writes)
  BothTiers run(module_text(ops), GetParam());
  ASSERT_EQ(run.native.interpreted(), std::vector<std::string>{});
  for (size_t i = 0; i < ops.size(); ++i) {
    const AtomicOp& op = ops[i];
    // Aligned addresses in the initialised bytes, narrow cells also at non-8-aligned ones.
    const uint32_t addr = 8 * (1 + i % 6) + (op.bytes < 8 ? op.bytes * (i % 3) : 0);
    const uint64_t mask = op.bytes == 8 ? ~uint64_t{0} : (uint64_t{1} << (op.bytes * 8)) - 1;
    const uint64_t vmask = op.is64 ? ~uint64_t{0} : 0xffffffffu;
    const uint64_t operand = (0x9e3779b97f4a7c15ull * (i + 1)) & vmask;
    const uint64_t old = run.cell(addr, op.bytes);
    uint64_t now = old;
    std::vector<api::Val> args{api::Val(addr)};
    switch (op.kind) {
      case Kind::Load: run.expect(op.name, args, std::to_string(old)); continue;
      case Kind::Store:
        args.push_back(value(op.is64, operand));
        run.expect(op.name, args, "");
        run.set_cell(addr, op.bytes, operand & mask);
        continue;
      case Kind::Add: now = old + operand; break;
      case Kind::Sub: now = old - operand; break;
      case Kind::And: now = old & operand; break;
      case Kind::Or: now = old | operand; break;
      case Kind::Xor: now = old ^ operand; break;
      case Kind::Xchg: now = operand; break;
      case Kind::Cmpxchg: {
        // Fails on a different value: the cell stays, its value is the result.
        run.expect(op.name, {api::Val(addr), value(op.is64, old ^ 1), value(op.is64, operand)},
                   std::to_string(old));
        EXPECT_EQ(run.cell(addr, op.bytes), old);
        // Succeeds on the same value, bits above the cell's width ignored (wrapped first).
        const uint64_t expected = (old | (~mask & 0x5a5a5a5a5a5a5a5aull)) & vmask;
        run.expect(op.name, {api::Val(addr), value(op.is64, expected), value(op.is64, operand)},
                   std::to_string(old));
        run.set_cell(addr, op.bytes, operand & mask);
        continue;
      }
    }
    args.push_back(value(op.is64, operand));
    run.expect(op.name, args, std::to_string(old));
    run.set_cell(addr, op.bytes, now & mask);
  }
  // The memory each tier left is the model's.
  for (Instantiated* in : {&run.interp, &run.native}) {
    auto mem = in->inst->get_memory("memory");
    ASSERT_TRUE(mem.has_value());
    EXPECT_EQ(std::vector<uint8_t>(mem->data(), mem->data() + 128),
              std::vector<uint8_t>(run.model.begin(), run.model.begin() + 128))
        << (in == &run.native ? "native" : "interpreted");
  }
}

TEST_P(NativeAtomics, TrapsWaitNotifyFenceGrow) {
  const std::vector<AtomicOp> ops = all_ops();
  BothTiers run(module_text(ops), GetParam());
  const std::string unaligned = trap(api::TrapCode::UnalignedAtomic, "unaligned atomic");
  const std::string oob = trap(api::TrapCode::MemoryOutOfBounds, "out of bounds memory access");
  run.expect("i32.atomic.load", {api::Val(2u)}, unaligned);
  run.expect("i64.atomic.rmw16.add_u", {api::Val(9u), api::Val(uint64_t{1})}, unaligned);
  run.expect("i32.atomic.rmw.cmpxchg", {api::Val(6u), api::Val(0u), api::Val(1u)}, unaligned);
  run.expect("i64.atomic.store", {api::Val(4u), api::Val(uint64_t{1})}, unaligned);
  // Alignment is checked first: past the end and unaligned is the alignment trap.
  run.expect("i64.atomic.rmw.add", {api::Val(65532u), api::Val(uint64_t{1})}, unaligned);
  run.expect("i64.atomic.rmw.add", {api::Val(65536u), api::Val(uint64_t{1})}, oob);
  run.expect("i32.atomic.rmw8.add_u", {api::Val(65535u), api::Val(1u)}, "0");
  run.expect("i32.atomic.rmw8.add_u", {api::Val(65536u), api::Val(1u)}, oob);
  run.expect("i32.atomic.load", {api::Val(0xfffffffcu)}, oob);
  run.expect("load_off", {api::Val(65528u)}, "16777216");  // the byte the rmw8 above set
  run.expect("load_off", {api::Val(65532u)}, oob);
  run.expect("load_off", {api::Val(1u)}, unaligned);
  // wait: 1 when the value differs, 2 when it matches and the (zero) timeout passes.
  run.expect("wait32", {api::Val(8u), api::Val(0u), api::Val(int64_t{0})}, "1");
  run.expect("wait32", {api::Val(8u), api::Val(0xc3d2e1f0u), api::Val(int64_t{0})}, "2");
  run.expect("wait64",
             {api::Val(8u), api::Val(uint64_t{0x8796a5b4c3d2e1f0ull}), api::Val(int64_t{0})}, "2");
  run.expect("wait64", {api::Val(8u), api::Val(uint64_t{1}), api::Val(int64_t{-1})}, "1");
  run.expect("wait32", {api::Val(10u), api::Val(0u), api::Val(int64_t{0})}, unaligned);
  run.expect("wait32", {api::Val(65536u), api::Val(0u), api::Val(int64_t{0})}, oob);
  // notify: nobody waits.
  run.expect("notify", {api::Val(8u), api::Val(0u)}, "0");
  run.expect("notify", {api::Val(8u), api::Val(5u)}, "0");
  run.expect("notify", {api::Val(9u), api::Val(5u)}, unaligned);
  run.expect("wait_unshared", {api::Val(0u)},
             trap(api::TrapCode::ExpectedSharedMemory, "expected shared memory"));
  run.expect("notify_unshared", {api::Val(0u)}, "0");
  run.expect("fence", {}, "1");
  // Growth of the shared memory (reserved up to its maximum: it never moves) is seen by the
  // accesses after it.
  run.expect("size", {}, "1");
  run.expect("i32.atomic.rmw.add", {api::Val(65536u), api::Val(3u)}, oob);
  run.expect("grow", {api::Val(1u)}, "1");
  run.expect("size", {}, "2");
  run.expect("i32.atomic.rmw.add", {api::Val(65536u), api::Val(3u)}, "0");
  run.expect("i32.atomic.load", {api::Val(65536u)}, "3");
  run.expect("grow", {api::Val(1u)}, "4294967295");
}

// Atomic instructions, waits and notifies charge fuel as the interpreter's do: the same fuel
// left in both tiers, and running out at the same point.
TEST_P(NativeAtomics, SameFuel) {
  constexpr const char* kLoop = R"(
(module
  (memory 1 1 shared)
  (func (export "spin") (param $n i32) (result i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (drop (i64.atomic.rmw32.cmpxchg_u (i32.const 8) (i64.const 0) (i64.const 7)))
      (drop (memory.atomic.wait32 (i32.const 0) (i32.const -1) (i64.const 0)))
      (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
      atomic.fence
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.atomic.load (i32.const 0))))
)";
  auto run = [&](api::Tier tier, uint64_t fuel) {
    Instantiated in(tier, kLoop, GetParam(), /*fuel=*/true);
    EXPECT_TRUE(in.store->set_fuel(fuel).ok());
    auto r = in.call("spin", {api::Val(1000)});
    const std::string s = r.ok() ? std::to_string((*r)[0].i32()) : r.error().message;
    return s + " fuel left " + std::to_string(*in.store->get_fuel());
  };
  const std::string full = run(api::Tier::Interpreter, 1'000'000);
  EXPECT_EQ(full.rfind("1000 fuel left ", 0), 0u) << full;
  EXPECT_NE(full, "1000 fuel left 1000000");
  EXPECT_EQ(run(api::Tier::Native, 1'000'000), full);
  const std::string cut = run(api::Tier::Interpreter, 10'000);
  EXPECT_EQ(cut.rfind("all fuel consumed fuel left ", 0), 0u) << cut;
  EXPECT_EQ(run(api::Tier::Native, 10'000), cut);
}

// Machine code on several threads, each with its own store, on one shared memory: atomic
// increments (rmw.add, and a cmpxchg loop) lose no update, and a wait in one store is ended by
// a notify from another (through the interpreter's parking lot).
TEST(NativeAtomicsThreads, ConcurrentIncrementsAndWaitNotify) {
  hull::native::register_tier();
  constexpr const char* kCounters = R"(
(module
  (import "env" "memory" (memory 1 1 shared))
  (func (export "count") (param $n i32)
    (local $old i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      ;; the same increment as a compare-and-swap loop
      (loop $retry
        (local.set $old (i32.atomic.load (i32.const 8)))
        (br_if $retry (i32.ne (local.get $old)
                              (i32.atomic.rmw.cmpxchg (i32.const 8) (local.get $old)
                                                      (i32.add (local.get $old) (i32.const 1))))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; waits for the word at 16 to change from 0, then says it is done (word 20)
  (func (export "waiter") (result i32)
    (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1))
    (i32.atomic.store (i32.const 20) (i32.const 1)))
  ;; sets the word at 16, then notifies until a waiter was woken or the waiter is done anyway
  (func (export "waker") (result i32)
    (local $woken i32)
    (i32.atomic.store (i32.const 16) (i32.const 1))
    (loop $l
      (local.set $woken (i32.add (local.get $woken)
                                 (memory.atomic.notify (i32.const 16) (i32.const 1))))
      (br_if $l (i32.and (i32.eqz (local.get $woken))
                         (i32.eqz (i32.atomic.load (i32.const 20))))))
    (local.get $woken))
)
)";
  api::Config c;
  c.tier = api::Tier::Native;
  auto engine = api::Engine::create(c);
  ASSERT_TRUE(engine.ok());
  auto module = api::Module::from_wat(*engine, kCounters);
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  const hull::CompiledModule& cm = *module->compiled();
  for (uint32_t f = cm.desc.num_imported_funcs; f < cm.desc.num_funcs(); ++f)
    EXPECT_EQ(hull::native_tier()->interpreted_because(cm, f), "") << f;
  api::MemoryType mt;
  mt.limits = {.min = 1, .max = 1, .shared = true};
  auto mem = api::SharedMemory::create(*engine, mt);
  ASSERT_TRUE(mem.ok()) << mem.error().to_string();
  // Each thread: its own store and instance, one export called.
  auto run = [&](const char* name, std::vector<api::Val> args, std::vector<api::Val>* out) {
    api::Store store(*engine);
    api::Linker linker;
    linker.define("env", "memory", mem->in(store));
    auto inst = linker.instantiate(store, *module);
    ASSERT_TRUE(inst.ok()) << inst.error().to_string();
    auto r = inst->get_func(name)->call(std::span<const api::Val>(args.data(), args.size()));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    *out = *r;
  };
  constexpr int kThreads = 4, kRounds = 50'000;
  std::vector<std::vector<api::Val>> results(kThreads + 2);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back(run, "count", std::vector<api::Val>{api::Val(kRounds)}, &results[t]);
  threads.emplace_back(run, "waiter", std::vector<api::Val>{}, &results[kThreads]);
  threads.emplace_back(run, "waker", std::vector<api::Val>{}, &results[kThreads + 1]);
  for (std::thread& t : threads) t.join();
  uint32_t add = 0, cas = 0;
  std::memcpy(&add, mem->data(), 4);
  std::memcpy(&cas, mem->data() + 8, 4);
  EXPECT_EQ(add, uint32_t{kThreads * kRounds});
  EXPECT_EQ(cas, uint32_t{kThreads * kRounds});
  // The waiter was woken (0), or found the word changed before it slept (1); the waker woke it
  // (1) or saw it done.
  ASSERT_EQ(results[kThreads].size(), 1u);
  const int32_t waited = results[kThreads][0].i32();
  const int32_t woken = results[kThreads + 1][0].i32();
  EXPECT_TRUE(waited == 0 || waited == 1) << waited;
  EXPECT_EQ(woken, waited == 0 ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(Checks, NativeAtomics,
                         ::testing::Values(api::BoundsChecks::Default, api::BoundsChecks::Explicit),
                         [](const auto& info) {
                           return info.param == api::BoundsChecks::Default ? "Default" : "Explicit";
                         });

}  // namespace
