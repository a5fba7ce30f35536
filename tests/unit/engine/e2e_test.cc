// End to end: binary -> compile -> link -> instantiate -> invoke, with real function bodies
// run by the interpreter.
#include "engine_test_util.h"

namespace hull::test {
namespace {

// Instruction bytes used below.
constexpr uint8_t kEnd = 0x0B, kLocalGet = 0x20, kI32Add = 0x6A, kCall = 0x10,
                  kCallIndirect = 0x11, kUnreachable = 0x00, kI32Const = 0x41,
                  kI32Store8 = 0x3A, kMemoryGrow = 0x40, kGlobalSet = 0x24, kGlobalGet = 0x23;

class EndToEnd : public ::testing::Test {
 protected:
  Store store;
  Linker linker;
  void SetUp() override { define_spectest(linker, store); }

  Instance* must_instantiate(const Bytes& bytes) {
    auto mod = must_compile(bytes);
    if (!mod) return nullptr;
    auto r = linker.instantiate(store, mod);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? *r : nullptr;
  }
  std::vector<Val> call_ok(Instance* inst, const char* name, std::vector<Val> args) {
    auto r = invoke(store, inst->exports.at(name).func, args);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    if (!r.ok()) return {};
    EXPECT_FALSE(r->trapped()) << r->trap->to_string();
    return r->values;
  }
};

TEST_F(EndToEnd, AddExportedFunction) {
  ModuleBuilder b;
  uint32_t t = b.type({I32, I32}, {I32});
  uint32_t f = b.func(t, {kLocalGet, 0, kLocalGet, 1, kI32Add, kEnd});
  b.export_("add", 0, f);
  Instance* inst = must_instantiate(b.build());
  ASSERT_TRUE(inst);
  auto v = call_ok(inst, "add", {Val::from_i32(2), Val::from_i32(40)});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].i32, 42u);
}

std::optional<Trap> double_host(void*, Store&, uint64_t* slots) {
  slots[0] = static_cast<uint32_t>(slots[0] * 2);
  return std::nullopt;
}

TEST_F(EndToEnd, WasmCallsHostFunction) {
  linker.define("host", "double",
                Extern::of(create_host_function(store, FuncType{{ValType::i32()}, {ValType::i32()}},
                                                double_host, nullptr)));
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {I32});
  b.import_func("host", "double", t);
  uint32_t f = b.func(t, {kLocalGet, 0, kCall, 0, kI32Const, 1, kI32Add, kEnd});
  b.export_("f", 0, f);
  Instance* inst = must_instantiate(b.build());
  ASSERT_TRUE(inst);
  auto v = call_ok(inst, "f", {Val::from_i32(20)});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].i32, 41u);
}

TEST_F(EndToEnd, StartFunctionWritesMemory) {
  ModuleBuilder b;
  b.memory(lim(1));
  uint32_t t = b.type({}, {});
  uint32_t f = b.func(t, {kI32Const, 3, kI32Const, 7, kI32Store8, 0, 0, kEnd});
  b.data_active(i32_const(3), "x");  // applied before start, then overwritten by it
  b.start(f);
  b.export_("mem", 2, 0);
  Instance* inst = must_instantiate(b.build());
  ASSERT_TRUE(inst);
  EXPECT_EQ(inst->exports.at("mem").memory->base[3], 7);
}

TEST_F(EndToEnd, StartTrapIsUninstantiable) {
  ModuleBuilder b;
  uint32_t f = b.func(b.type({}, {}), {kUnreachable, kEnd});
  b.start(f);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(r.error().message, "unreachable");
}

TEST_F(EndToEnd, TrapIsAValue) {
  ModuleBuilder b;
  uint32_t f = b.func(b.type({}, {}), {kUnreachable, kEnd});
  b.export_("boom", 0, f);
  Instance* inst = must_instantiate(b.build());
  ASSERT_TRUE(inst);
  auto r = invoke(store, inst->exports.at("boom").func, {});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->trapped());
  EXPECT_EQ(r->trap->kind, TrapKind::Unreachable);
  EXPECT_EQ(r->trap->message, "unreachable");
}

TEST_F(EndToEnd, CallIndirectAcrossModulesUsesCanonicalTypes) {
  // Module A: a function of type [i32]->[i32] placed in an exported table.
  ModuleBuilder a;
  uint32_t ta = a.type({I32}, {I32});
  uint32_t fa = a.func(ta, {kLocalGet, 0, kI32Const, 5, kI32Add, kEnd});
  a.table(FUNCREF, lim(2));
  a.elem_active(0, i32_const(0), {fa});
  a.export_("tab", 1, 0);
  Instance* ia = must_instantiate(a.build());
  ASSERT_TRUE(ia);
  linker.define_instance("A", *ia);

  // Module B declares the same type at a different index, plus a different one.
  ModuleBuilder b;
  b.type({F64}, {});
  uint32_t tb = b.type({I32}, {I32});
  uint32_t tother = b.type({}, {I32});
  b.import_table("A", "tab", FUNCREF, lim(2));
  uint32_t call = b.func(tb, {kLocalGet, 0, kI32Const, 0, kCallIndirect, uint8_t(tb), 0, kEnd});
  uint32_t wrong = b.func(b.type({}, {I32}),
                          {kI32Const, 0, kCallIndirect, uint8_t(tother), 0, kEnd});
  uint32_t empty = b.func(b.type({}, {I32}),
                          {kI32Const, 1, kCallIndirect, uint8_t(tother), 0, kEnd});
  b.export_("call", 0, call);
  b.export_("wrong", 0, wrong);
  b.export_("empty", 0, empty);
  Instance* ib = must_instantiate(b.build());
  ASSERT_TRUE(ib);
  auto v = call_ok(ib, "call", {Val::from_i32(37)});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].i32, 42u);

  auto w = invoke(store, ib->exports.at("wrong").func, {});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->trapped());
  EXPECT_EQ(w->trap->message, "indirect call type mismatch");
  auto e = invoke(store, ib->exports.at("empty").func, {});
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->trapped());
  // The interpreter may append the index ("uninitialized element 1").
  EXPECT_EQ(e->trap->message.rfind("uninitialized element", 0), 0u) << e->trap->message;
}

TEST_F(EndToEnd, MemoryGrowAndGlobalsFromWasm) {
  ModuleBuilder b;
  b.memory(lim(1, 3));
  b.global({I32}, true, i32_const(1));
  uint32_t grow = b.func(b.type({I32}, {I32}), {kLocalGet, 0, kMemoryGrow, 0, kEnd});
  uint32_t bump = b.func(b.type({}, {}), {kGlobalGet, 0, kI32Const, 1, kI32Add, kGlobalSet, 0,
                                         kEnd});
  b.export_("grow", 0, grow);
  b.export_("bump", 0, bump);
  b.export_("mem", 2, 0);
  b.export_("g", 3, 0);
  Instance* inst = must_instantiate(b.build());
  ASSERT_TRUE(inst);
  EXPECT_EQ(call_ok(inst, "grow", {Val::from_i32(2)})[0].i32, 1u);
  EXPECT_EQ(inst->exports.at("mem").memory->pages(), 3u);
  EXPECT_EQ(call_ok(inst, "grow", {Val::from_i32(1)})[0].i32, UINT32_MAX);
  call_ok(inst, "bump", {});
  call_ok(inst, "bump", {});
  EXPECT_EQ(inst->exports.at("g").global->get().i32, 3u);
}

TEST_F(EndToEnd, SpectestPrintIsCallable) {
  ModuleBuilder b;
  uint32_t t = b.type({I32}, {});
  b.import_func("spectest", "print_i32", t);
  uint32_t f = b.func(b.type({}, {}), {kI32Const, 42, kCall, 0, kEnd});
  b.export_("f", 0, f);
  Instance* inst = must_instantiate(b.build());
  ASSERT_TRUE(inst);
  call_ok(inst, "f", {});
}

}  // namespace
}  // namespace hull::test
