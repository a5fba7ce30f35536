// Instantiation: globals, exports, element/data segment initialization order and partial
// initialization on failure, the start function, spectest, invoking host functions.
#include "engine_test_util.h"

namespace hull::test {
namespace {

class Instantiate : public ::testing::Test {
 protected:
  Store store;
  Linker linker;
  void SetUp() override { define_spectest(linker, store); }
  Function* spectest_func(const char* n) { return linker.get("spectest", n)->func; }
};

TEST_F(Instantiate, SpectestEntities) {
  EXPECT_EQ(linker.get("spectest", "global_i32")->global->get().i32, 666u);
  EXPECT_EQ(linker.get("spectest", "global_i64")->global->get().i64, 666u);
  EXPECT_FLOAT_EQ(linker.get("spectest", "global_f32")->global->get().f32, 666.6f);
  EXPECT_DOUBLE_EQ(linker.get("spectest", "global_f64")->global->get().f64, 666.6);
  EXPECT_FALSE(linker.get("spectest", "global_i32")->global->type.mut);
  Table* t = linker.get("spectest", "table")->table;
  EXPECT_EQ(t->size(), 10u);
  EXPECT_EQ(*t->type.limits.max, 20u);
  EXPECT_TRUE(linker.get("spectest", "table64")->table->type.limits.is64);
  Memory* m = linker.get("spectest", "memory")->memory;
  EXPECT_EQ(m->pages(), 1u);
  EXPECT_EQ(m->max_pages, 2u);
  EXPECT_EQ(spectest_func("print_i32_f32")->type->params.size(), 2u);
  EXPECT_EQ(linker.get("spectest", "unknown"), nullptr);
}

TEST_F(Instantiate, GlobalsSeeEarlierGlobalsAndExtendedConst) {
  ModuleBuilder b;
  b.import_global("spectest", "global_i32", {I32}, false);  // global 0 = 666
  b.global({I32}, false, Bytes{0x23, 0x00, 0x41, 0x05, 0x6A, 0x0B});  // 1: g0 + 5
  b.global({I64}, true, Bytes{0x42, 0x03, 0x42, 0x07, 0x7E, 0x0B});   // 2: 3 * 7
  b.global({I32}, false, Bytes{0x23, 0x01, 0x41, 0x02, 0x6B, 0x0B});  // 3: g1 - 2
  b.export_("g1", 3, 1);
  b.export_("g2", 3, 2);
  b.export_("g3", 3, 3);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto inst = linker.instantiate(store, mod);
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  EXPECT_EQ((*inst)->exports.at("g1").global->get().i32, 671u);
  EXPECT_EQ((*inst)->exports.at("g2").global->get().i64, 21u);
  EXPECT_TRUE((*inst)->exports.at("g2").global->type.mut);
  EXPECT_EQ((*inst)->exports.at("g3").global->get().i32, 669u);
}

TEST_F(Instantiate, ElemSegmentsAndExports) {
  ModuleBuilder b;
  uint32_t t0 = b.type({I32}, {});
  b.import_func("spectest", "print_i32", t0);  // func 0
  b.import_func("spectest", "print", b.type({}, {}));  // func 1
  b.table(FUNCREF, lim(4));
  b.global({FUNCREF}, false, ref_func(1));
  b.elem_active(0, i32_const(1), {1, 0});
  b.elem_exprs(false, {ref_func(0), ref_null(FUNCREF)});  // passive: kept
  b.elem_exprs(true, {ref_func(1)});                      // declarative: dropped
  b.export_("t", 1, 0);
  b.export_("g", 3, 0);
  b.export_("f", 0, 1);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Instance* inst = *r;
  Function* print_i32 = spectest_func("print_i32");
  Function* print = spectest_func("print");
  EXPECT_EQ(inst->funcs[0], print_i32);
  EXPECT_EQ(inst->exports.at("f").func, print);
  Table* t = inst->exports.at("t").table;
  ASSERT_EQ(t->size(), 4u);
  EXPECT_EQ(t->elems[0], 0u);
  EXPECT_EQ(t->elems[1], reinterpret_cast<RefBits>(print));
  EXPECT_EQ(t->elems[2], reinterpret_cast<RefBits>(print_i32));
  EXPECT_EQ(t->elems[3], 0u);
  EXPECT_EQ(inst->exports.at("g").global->get().ref, reinterpret_cast<RefBits>(print));
  ASSERT_EQ(inst->elems.size(), 3u);
  EXPECT_TRUE(inst->elems[0].empty());  // active: dropped after init
  ASSERT_EQ(inst->elems[1].size(), 2u);
  EXPECT_EQ(inst->elems[1][0], reinterpret_cast<RefBits>(print_i32));
  EXPECT_EQ(inst->elems[1][1], 0u);
  EXPECT_TRUE(inst->elems[2].empty());
}

TEST_F(Instantiate, DataSegments) {
  ModuleBuilder b;
  b.memory(lim(1));
  b.data_active(i32_const(10), "abc");
  b.data_passive("xyz");
  b.data_active(i32_const(11), "ZZ");  // later segments overwrite earlier ones
  b.export_("mem", 2, 0);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  Memory* m = (*r)->exports.at("mem").memory;
  EXPECT_EQ(std::string(reinterpret_cast<char*>(m->base + 10), 3), "aZZ");
  EXPECT_EQ(m->base[9], 0);
  EXPECT_EQ((*r)->data_dropped, (std::vector<bool>{true, false, true}));
}

TEST_F(Instantiate, ElemOutOfBoundsKeepsEarlierSegments) {
  // Two segments into the shared spectest table: the first fits, the second does not.
  ModuleBuilder b;
  b.import_func("spectest", "print", b.type({}, {}));
  b.import_table("spectest", "table", FUNCREF, lim(10));
  b.import_memory("spectest", "memory", lim(1));
  b.elem_active(0, i32_const(2), {0});
  b.elem_active(0, i32_const(9), {0, 0});
  b.data_active(i32_const(0), "never");
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  size_t instances = store.instances.size();
  auto r = linker.instantiate(store, mod);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(r.error().message, "out of bounds table access");
  Table* t = linker.get("spectest", "table")->table;
  EXPECT_EQ(t->elems[2], reinterpret_cast<RefBits>(spectest_func("print")));
  EXPECT_EQ(t->elems[9], 0u);  // the failing segment wrote nothing
  EXPECT_EQ(linker.get("spectest", "memory")->memory->base[0], 0);  // data never ran
  EXPECT_EQ(store.instances.size(), instances + 1);  // the instance stays in the store
}

TEST_F(Instantiate, DataOutOfBoundsKeepsEarlierSegments) {
  ModuleBuilder b;
  b.import_memory("spectest", "memory", lim(1));
  b.data_active(i32_const(100), "ok");
  b.data_active(i32_const(65535), "xx");
  b.data_active(i32_const(200), "late");
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(r.error().message, "out of bounds memory access");
  Memory* m = linker.get("spectest", "memory")->memory;
  EXPECT_EQ(m->base[100], 'o');
  EXPECT_EQ(m->base[65535], 0);
  EXPECT_EQ(m->base[200], 0);
}

TEST_F(Instantiate, ZeroLengthSegmentAtEndIsInBounds) {
  ModuleBuilder b;
  b.memory(lim(1));
  b.table(FUNCREF, lim(3));
  b.data_active(i32_const(65536), "");
  b.elem_active(0, i32_const(3), {});
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  EXPECT_TRUE(linker.instantiate(store, mod).ok());

  ModuleBuilder c;
  c.memory(lim(1));
  c.data_active(i32_const(65537), "");
  auto mod2 = must_compile(c.build());
  ASSERT_TRUE(mod2);
  auto r = linker.instantiate(store, mod2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "out of bounds memory access");
}

// Start function: runs after the segments, and a trap makes instantiation fail.
struct StartProbe {
  Memory* memory = nullptr;
  int calls = 0;
  uint8_t seen = 0;
};

std::optional<Trap> probe_host(void* env, Store&, uint64_t*) {
  auto* p = static_cast<StartProbe*>(env);
  ++p->calls;
  p->seen = p->memory->base[0];
  return std::nullopt;
}

TEST_F(Instantiate, StartRunsAfterSegments) {
  StartProbe probe;
  probe.memory = linker.get("spectest", "memory")->memory;
  linker.define("host", "probe",
                Extern::of(create_host_function(store, FuncType{}, probe_host, &probe)));
  ModuleBuilder b;
  b.import_func("host", "probe", b.type({}, {}));
  b.import_memory("spectest", "memory", lim(1));
  b.data_active(i32_const(0), "!");
  b.start(0);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(probe.calls, 1);
  EXPECT_EQ(probe.seen, '!');
}

TEST_F(Instantiate, StartTrapIsUninstantiable) {
  linker.define("host", "trap",
                Extern::of(create_host_function(store, FuncType{}, trap_host, nullptr)));
  ModuleBuilder b;
  b.import_func("host", "trap", b.type({}, {}));
  b.import_memory("spectest", "memory", lim(1));
  b.data_active(i32_const(5), "kept");
  b.start(0);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Uninstantiable);
  EXPECT_EQ(r.error().message, "boom from host");
  EXPECT_EQ(linker.get("spectest", "memory")->memory->base[5], 'k');
}

TEST_F(Instantiate, DefineInstanceReexports) {
  ModuleBuilder b;
  b.memory(lim(2, 3));
  b.export_("mem", 2, 0);
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_TRUE(r.ok());
  linker.define_instance("M", **r);
  ASSERT_NE(linker.get("M", "mem"), nullptr);
  EXPECT_EQ(linker.get("M", "mem")->memory, (*r)->exports.at("mem").memory);

  ModuleBuilder c;
  c.import_memory("M", "mem", lim(2, 3));
  auto mod2 = must_compile(c.build());
  ASSERT_TRUE(mod2);
  auto r2 = linker.instantiate(store, mod2);
  ASSERT_TRUE(r2.ok()) << r2.error().to_string();
  EXPECT_EQ((*r2)->memories[0], (*r)->memories[0]);
}

TEST_F(Instantiate, MemoryLimitFromStore) {
  store.limits.max_memory_bytes = 65536;
  ModuleBuilder b;
  b.memory(lim(2));
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = linker.instantiate(store, mod);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
}

// invoke() on host functions: typed values in and out, traps as values, API misuse as Errors.
std::optional<Trap> add_host(void*, Store&, uint64_t* slots) {
  uint32_t a = static_cast<uint32_t>(slots[0]);
  uint64_t b = slots[1];
  slots[0] = a + b;
  return std::nullopt;
}

TEST_F(Instantiate, InvokeHostFunction) {
  Function* f = create_host_function(store, FuncType{{ValType::i32(), ValType::i64()},
                                                     {ValType::i64()}},
                                     add_host, nullptr);
  Val args[] = {Val::from_i32(2), Val::from_i64(40)};
  auto r = invoke(store, f, args);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_FALSE(r->trapped());
  ASSERT_EQ(r->values.size(), 1u);
  EXPECT_TRUE(r->values[0].type == ValType::i64());
  EXPECT_EQ(r->values[0].i64, 42u);

  Val bad[] = {Val::from_i64(2), Val::from_i64(40)};
  auto e = invoke(store, f, bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::Usage);
  EXPECT_FALSE(invoke(store, f, std::span<const Val>(args, 1)).ok());

  Function* t = create_host_function(store, FuncType{}, trap_host, nullptr);
  auto tr = invoke(store, t, {});
  ASSERT_TRUE(tr.ok());
  ASSERT_TRUE(tr->trapped());
  EXPECT_EQ(tr->trap->message, "boom from host");
}

}  // namespace
}  // namespace hull::test
