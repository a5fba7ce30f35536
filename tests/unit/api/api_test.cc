// Tests of the public C++ API: compile/reflect, typed and dynamic calls, host functions
// (typed, generic, trapping, re-entrant), memories, globals, tables, errors and traps.
#include <gtest/gtest.h>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

api::Module wat(const api::Engine& e, std::string_view text) {
  auto m = api::Module::from_wat(e, text);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().to_string());
  return *m;
}

constexpr std::string_view kAdd = R"(
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "swap") (param i64 f64) (result f64 i64) local.get 1 local.get 0)
  (memory (export "memory") 1 3)
  (global (export "g") (mut i32) (i32.const 7))
  (global (export "c") f64 (f64.const 2.5))
  (table (export "t") 2 funcref))
)";

TEST(ApiModule, ReflectsImportsAndExports) {
  api::Engine engine;
  auto m = wat(engine, R"((module
    (import "env" "log" (func (param i32 i32)))
    (import "env" "mem" (memory 1))
    (import "env" "g" (global (mut i64)))
    (func (export "f") (result i32) i32.const 1)))");
  auto imps = m.imports();
  ASSERT_EQ(imps.size(), 3u);
  EXPECT_EQ(imps[0].module, "env");
  EXPECT_EQ(imps[0].name, "log");
  EXPECT_EQ(imps[0].type.kind, api::ExternKind::Func);
  EXPECT_EQ(imps[0].type.func, (api::FuncType{{api::ValType::I32, api::ValType::I32}, {}}));
  EXPECT_EQ(imps[1].type.kind, api::ExternKind::Memory);
  EXPECT_EQ(imps[1].type.memory.limits.min, 1u);
  EXPECT_EQ(imps[2].type.global, (api::GlobalType{api::ValType::I64, true}));
  auto exps = m.exports();
  ASSERT_EQ(exps.size(), 1u);
  EXPECT_EQ(exps[0].name, "f");
  EXPECT_EQ(exps[0].type.func.results, std::vector<api::ValType>{api::ValType::I32});
  ASSERT_TRUE(m.export_type("f").has_value());
  EXPECT_FALSE(m.export_type("nope").has_value());
}

TEST(ApiModule, ErrorsAreValues) {
  api::Engine engine;
  const uint8_t junk[] = {0, 'a', 's', 'm', 9, 0, 0, 0};
  auto r = api::Module::compile(engine, junk);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Malformed);
  auto inv = api::Module::from_wat(engine, "(module (func (result i32) i64.const 1))");
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.error().kind, api::ErrorKind::Invalid);
  auto v = api::Module::validate(engine, junk);
  EXPECT_FALSE(v.ok());
  auto f = api::Module::from_file(engine, "/nonexistent/x.wasm");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().kind, api::ErrorKind::Io);
}

TEST(ApiEngine, ConfigIsAccepted) {
  api::Config c;
  c.features.gc = false;  // feature switches: features_test.cc
  c.consume_fuel = true;
  c.epoch_interruption = true;
  EXPECT_TRUE(api::Engine::create(c).ok());
}

TEST(ApiEngine, NativeTierNeedsOneRegistered) {
  // This test binary links no native tier (tests/unit/native has the one that does).
  api::Config c;
  c.tier = api::Tier::Native;
  auto e = api::Engine::create(c);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, api::ErrorKind::Usage);
  EXPECT_NE(e.error().message.find("register_tier"), std::string::npos) << e.error().message;
}

TEST(ApiCall, TypedAndDynamic) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto inst = linker.instantiate(store, wat(engine, kAdd));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto add = inst->typed_func<int32_t(int32_t, int32_t)>("add");
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(*add->call(2, 40), 42);
  EXPECT_EQ(*(*add)(-5, 3), -2);
  auto swap = inst->typed_func<std::tuple<double, int64_t>(int64_t, double)>("swap");
  ASSERT_TRUE(swap.ok()) << swap.error().to_string();
  auto sr = swap->call(9, 1.5);
  ASSERT_TRUE(sr.ok());
  EXPECT_EQ(std::get<0>(*sr), 1.5);
  EXPECT_EQ(std::get<1>(*sr), 9);
  // Type checked at lookup.
  auto bad = inst->typed_func<int64_t(int32_t, int32_t)>("add");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, api::ErrorKind::Unlinkable);
  EXPECT_NE(bad.error().message.find("(i32, i32) -> (i32)"), std::string::npos);
  EXPECT_FALSE(inst->typed_func<void()>("missing").ok());

  auto f = inst->get_func("add");
  ASSERT_TRUE(f.has_value());
  auto r = f->call({api::Val(int32_t{20}), api::Val(int32_t{22})});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].i32(), 42);
  auto wrong = f->call({api::Val(int64_t{1}), api::Val(int32_t{2})});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, api::ErrorKind::Usage);
  EXPECT_FALSE(f->call({api::Val(int32_t{1})}).ok());
}

TEST(ApiCall, GuestTrapIsAnErrorWithTrap) {
  api::Engine engine;
  api::Store store(engine);
  auto inst = api::Linker().instantiate(store, wat(engine, kAdd));
  ASSERT_TRUE(inst.ok());
  auto div = inst->typed_func<int32_t(int32_t, int32_t)>("div");
  auto r = div->call(1, 0);
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::IntegerDivideByZero);
  EXPECT_EQ(r.error().trap->message, "integer divide by zero");
  EXPECT_FALSE(r.error().trap->trace.empty());
  // The store stays usable after a trap.
  EXPECT_EQ(*div->call(9, 3), 3);
}

TEST(ApiLinker, TrapsDuringInstantiationKeepTheTrap) {
  api::Engine engine;
  api::Store store(engine);
  // An active data segment out of bounds: the spec's instantiation trap, no wasm frames.
  auto seg = api::Linker().instantiate(
      store, wat(engine, R"((module (memory 1) (data (i32.const 65535) "ab")))"));
  ASSERT_FALSE(seg.ok());
  EXPECT_EQ(seg.error().kind, api::ErrorKind::Uninstantiable);
  ASSERT_TRUE(seg.error().trap.has_value());
  EXPECT_EQ(seg.error().trap->code, api::TrapCode::MemoryOutOfBounds);
  EXPECT_TRUE(seg.error().trap->trace.empty());
  // A trapping start function: the trap with its frames, innermost first.
  auto start = api::Linker().instantiate(store, wat(engine, R"((module
    (func $inner unreachable) (func $s (call $inner)) (start $s)))"));
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(start.error().kind, api::ErrorKind::Uninstantiable);
  ASSERT_TRUE(start.error().trap.has_value());
  EXPECT_EQ(start.error().trap->code, api::TrapCode::Unreachable);
  ASSERT_EQ(start.error().trap->trace.size(), 2u);
  EXPECT_EQ(start.error().trap->trace[0].func_index, 0u);
  EXPECT_EQ(start.error().trap->trace[1].func_index, 1u);
  // A later successful instantiation leaves no stale trap behind.
  EXPECT_TRUE(api::Linker().instantiate(store, wat(engine, "(module)")).ok());
}

TEST(ApiHost, TypedHostFunctionsWithCallerMemory) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  std::string logged;
  linker.func("env", "log", [&](api::Caller& c, int32_t ptr, int32_t len) {
    auto mem = c.memory();
    ASSERT_TRUE(mem.has_value());
    auto s = mem->read_string(ptr, len);
    ASSERT_TRUE(s.ok());
    logged += *s;
  });
  linker.func("env", "twice", [](int64_t x) -> int64_t { return 2 * x; });
  linker.func("env", "pair", [](float a) { return std::make_tuple(a, double(a) * 2); });
  auto m = wat(engine, R"((module
    (import "env" "log" (func $log (param i32 i32)))
    (import "env" "twice" (func $twice (param i64) (result i64)))
    (import "env" "pair" (func $pair (param f32) (result f32 f64)))
    (memory (export "memory") 1)
    (data (i32.const 16) "hello")
    (func (export "run") (result i64)
      (call $log (i32.const 16) (i32.const 5))
      (call $twice (i64.const 21)))
    (func (export "p") (result f64) (local f64)
      (call $pair (f32.const 1.5)) (local.set 0) (drop) (local.get 0)))
  )");
  auto inst = linker.instantiate(store, m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto run = inst->typed_func<int64_t()>("run");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(*run->call(), 42);
  EXPECT_EQ(logged, "hello");
  EXPECT_EQ(*inst->typed_func<double()>("p")->call(), 3.0);
}

TEST(ApiHost, HostTrapsAndResults) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  linker.func("env", "check", [](int32_t x) -> api::Result<int32_t> {
    if (x < 0) return api::Trap::host("negative input");
    return x + 1;
  });
  auto inst = linker.instantiate(store, wat(engine, R"((module
    (import "env" "check" (func $c (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (call $c (local.get 0)))))"));
  ASSERT_TRUE(inst.ok());
  auto f = inst->typed_func<int32_t(int32_t)>("f");
  EXPECT_EQ(*f->call(1), 2);
  auto r = f->call(-1);
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().is_trap());
  EXPECT_EQ(r.error().trap->code, api::TrapCode::Host);
  EXPECT_EQ(r.error().trap->message, "negative input");
}

#if defined(__cpp_exceptions)
TEST(ApiHost, ExceptionsDoNotCrossIntoTheGuest) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  linker.func("env", "boom", []() { throw std::runtime_error("bad"); });
  auto inst = linker.instantiate(store, wat(engine, R"((module
    (import "env" "boom" (func $b)) (func (export "f") call $b)))"));
  auto r = inst->typed_func<void()>("f")->call();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().trap->message, "host exception: bad");
}
#endif

TEST(ApiHost, GenericCallbackAndReentrancy) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  // Guest -> host -> guest: the host calls back into the caller's "double" export.
  linker.func_generic("env", "call_back",
                      api::FuncType{{api::ValType::I32}, {api::ValType::I32}},
                      [](api::Caller& c, std::span<const api::Val> args,
                         std::span<api::Val> results) -> api::Result<void> {
                        auto d = c.typed_func<int32_t(int32_t)>("double");
                        if (!d) return std::move(d).error();
                        auto r = d->call(args[0].i32());
                        if (!r) return std::move(r).error();
                        results[0] = api::Val(*r + 1);
                        return {};
                      });
  auto inst = linker.instantiate(store, wat(engine, R"((module
    (import "env" "call_back" (func $cb (param i32) (result i32)))
    (func (export "double") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func (export "f") (param i32) (result i32) (call $cb (local.get 0)))))"));
  ASSERT_TRUE(inst.ok());
  EXPECT_EQ(*inst->typed_func<int32_t(int32_t)>("f")->call(20), 41);
}

TEST(ApiLinker, UnlinkableImportsGiveClearErrors) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  auto m = wat(engine, R"((module (import "env" "f" (func (param i32)))))");
  auto r = linker.instantiate(store, m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, api::ErrorKind::Unlinkable);
  EXPECT_NE(r.error().message.find("\"env\" \"f\""), std::string::npos);
  EXPECT_NE(r.error().message.find("(i32) -> ()"), std::string::npos);
  linker.func("env", "f", [](int64_t) {});
  r = linker.instantiate(store, m);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("incompatible import type"), std::string::npos);
  linker.func("env", "f", [](int32_t) {});
  EXPECT_TRUE(linker.instantiate(store, m).ok());
}

TEST(ApiObjects, HostMemoryGlobalTableImports) {
  api::Engine engine;
  api::Store store(engine);
  auto mem = api::Memory::create(store, api::MemoryType{{1, 2}});
  ASSERT_TRUE(mem.ok());
  auto g = api::Global::create(store, {api::ValType::I32, true}, api::Val(int32_t{5}));
  ASSERT_TRUE(g.ok());
  auto t = api::Table::create(store, {api::ValType::FuncRef, {2, std::nullopt}},
                              api::Val::null(api::ValType::FuncRef));
  ASSERT_TRUE(t.ok());
  api::Linker linker;
  linker.define("env", "mem", *mem).define("env", "g", *g).define("env", "t", *t);
  auto inst = linker.instantiate(store, wat(engine, R"((module
    (import "env" "mem" (memory 1))
    (import "env" "g" (global $g (mut i32)))
    (import "env" "t" (table 2 funcref))
    (func $seven (result i32) i32.const 7)
    (elem (i32.const 1) $seven)
    (func (export "f") (result i32)
      (i32.store (i32.const 8) (i32.const 1234))
      (global.set $g (i32.add (global.get $g) (i32.const 1)))
      (i32.load (i32.const 100)))))"));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  ASSERT_TRUE(mem->store<int32_t>(100, 99).ok());
  EXPECT_EQ(*inst->typed_func<int32_t()>("f")->call(), 99);
  EXPECT_EQ(*mem->load<int32_t>(8), 1234);
  EXPECT_EQ(g->get().i32(), 6);
  // Table element 1 holds $seven: call it through the table.
  auto v = t->get(1);
  ASSERT_TRUE(v.ok());
  auto fn = store.funcref(*v);
  ASSERT_TRUE(fn.has_value());
  EXPECT_EQ((*fn->call({}))[0].i32(), 7);
  EXPECT_TRUE(t->get(0)->is_null_ref());
  EXPECT_FALSE(t->get(2).ok());
  EXPECT_EQ(*t->grow(3, api::Val::null(api::ValType::FuncRef)), 2u);
  EXPECT_EQ(t->size(), 5u);
}

TEST(ApiObjects, MemoryIsBoundsChecked) {
  api::Engine engine;
  api::Store store(engine);
  auto inst = api::Linker().instantiate(store, wat(engine, kAdd));
  auto mem = inst->get_memory();
  ASSERT_TRUE(mem.has_value());
  EXPECT_EQ(mem->size(), 65536u);
  EXPECT_FALSE(mem->view(65530, 7).ok());
  EXPECT_FALSE(mem->load<int64_t>(65532).ok());
  EXPECT_FALSE(mem->view(UINT64_MAX, 2).ok());
  EXPECT_TRUE(mem->view(65530, 6).ok());
  EXPECT_EQ(*mem->grow(2), 1u);
  EXPECT_EQ(mem->pages(), 3u);
  auto over = mem->grow(1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, api::ErrorKind::Limit);
  EXPECT_TRUE(mem->store<int64_t>(3 * 65536 - 8, -1).ok());
}

TEST(ApiObjects, Globals) {
  api::Engine engine;
  api::Store store(engine);
  auto inst = api::Linker().instantiate(store, wat(engine, kAdd));
  auto g = inst->get_global("g");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->get().i32(), 7);
  EXPECT_TRUE(g->set(api::Val(int32_t{9})).ok());
  EXPECT_EQ(g->get().i32(), 9);
  EXPECT_FALSE(g->set(api::Val(1.0)).ok());
  auto c = inst->get_global("c");
  EXPECT_EQ(c->get().f64(), 2.5);
  EXPECT_FALSE(c->set(api::Val(3.0)).ok());
  EXPECT_EQ(inst->exports().size(), 7u);
}

TEST(ApiStore, LimitsAndUserData) {
  api::Engine engine;
  api::StoreLimits lim;
  lim.max_memory_bytes = 2 * 65536;
  api::Store store(engine, lim);
  int tenant = 42;
  store.set_data(&tenant);
  EXPECT_EQ(*store.data_as<int>(), 42);
  api::Linker linker;
  int seen = 0;
  linker.func("env", "who", [&](api::Caller& c) { seen = *static_cast<int*>(c.data()); });
  auto inst = linker.instantiate(store, wat(engine, R"((module (import "env" "who" (func $w))
    (memory (export "memory") 1) (func (export "f") call $w)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))))"));
  ASSERT_TRUE(inst.ok());
  ASSERT_TRUE(inst->typed_func<void()>("f")->call().ok());
  EXPECT_EQ(seen, 42);
  auto grow = inst->typed_func<int32_t(int32_t)>("grow");
  EXPECT_EQ(*grow->call(1), 1);
  EXPECT_EQ(*grow->call(1), -1);  // capped by the store limit
  auto big = linker.instantiate(store, wat(engine, "(module (memory 3))"));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().kind, api::ErrorKind::Limit);
}

TEST(ApiStore, StartFunctionMayCallHostWithCaller) {
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  int32_t read = 0;
  linker.func("env", "peek", [&](api::Caller& c) {
    read = *c.memory()->load<int32_t>(0);
  });
  auto inst = linker.instantiate(store, wat(engine, R"((module (import "env" "peek" (func $p))
    (memory (export "memory") 1) (data (i32.const 0) "\2a\00\00\00") (start $p)))"));
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ(read, 42);
}

TEST(ApiStore, ExternRefs) {
  api::Engine engine;
  api::Store store(engine);
  auto inst = api::Linker().instantiate(store, wat(engine, R"((module
    (func (export "id") (param externref) (result externref) local.get 0)))"));
  api::Val r = store.new_externref(77);
  auto out = inst->get_func("id")->call({r});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(store.externref_value((*out)[0]), 77u);
  EXPECT_FALSE(store.externref_value(api::Val::null(api::ValType::ExternRef)));
}

TEST(ApiStore, MakeFuncIntoTable) {
  api::Engine engine;
  api::Store store(engine);
  api::Func f = api::make_func(store, [](int32_t x) { return x * 3; });
  EXPECT_EQ(f.type(), (api::FuncType{{api::ValType::I32}, {api::ValType::I32}}));
  auto inst = api::Linker().instantiate(store, wat(engine, R"((module
    (table (export "t") 1 funcref) (type $t (func (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (call_indirect (type $t) (local.get 0) (i32.const 0)))))"));
  ASSERT_TRUE(inst->get_table("t")->set(0, api::Val::funcref(f)).ok());
  EXPECT_EQ(*inst->typed_func<int32_t(int32_t)>("f")->call(5), 15);
}

}  // namespace

namespace {

TEST(ApiWasi, ArgsAndProcExit) {
  if (!api::wasi_available()) GTEST_SKIP() << "libhull built without WASI";
  api::Engine engine;
  api::Store store(engine);
  api::Linker linker;
  api::WasiConfig cfg;
  cfg.args = {"prog", "a", "b"};
  ASSERT_TRUE(linker.define_wasi(store, cfg).ok());
  auto m = api::Module::from_wat(engine, R"((module
    (import "wasi_snapshot_preview1" "args_sizes_get" (func $asg (param i32 i32) (result i32)))
    (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
    (memory (export "memory") 1)
    (func (export "argc") (result i32) (drop (call $asg (i32.const 0) (i32.const 4)))
      (i32.load (i32.const 0)))
    (func (export "quit") (call $exit (i32.const 7)))))");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  auto inst = linker.instantiate(store, *m);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ(*inst->typed_func<int32_t()>("argc")->call(), 3);
  EXPECT_FALSE(store.wasi_exit_code().has_value());
  auto q = inst->typed_func<void()>("quit")->call();
  ASSERT_FALSE(q.ok());
  EXPECT_TRUE(q.error().is_trap());
  EXPECT_EQ(store.wasi_exit_code(), 7u);
}

}  // namespace
