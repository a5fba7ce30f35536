// Import matching: kinds, function types (incl. subtyping), table/memory limits against the
// current size, global mutability and covariance; unknown imports through the Linker.
#include "engine_test_util.h"

namespace hull::test {
namespace {

class ImportMatch : public ::testing::Test {
 protected:
  Store store;
  Linker linker;

  // Instantiates a module that only imports `m`.`n` as built by `add_import`.
  template <class F>
  Result<Instance*> try_import(F add_import) {
    ModuleBuilder b;
    add_import(b);
    auto mod = must_compile(b.build());
    if (!mod) return Error::make(ErrorKind::Usage, "compile failed");
    return linker.instantiate(store, mod);
  }
  void expect_incompatible(const Result<Instance*>& r) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::Unlinkable);
    EXPECT_EQ(r.error().message.rfind("incompatible import type", 0), 0u) << r.error().message;
  }
  Table* table(uint64_t min, std::optional<uint64_t> max, bool is64 = false,
               ValType elem = ValType::funcref()) {
    TableType t;
    t.elem = elem;
    t.limits.min = min;
    t.limits.max = max;
    t.limits.is64 = is64;
    return *new_table(store, t, 0);
  }
  Memory* memory(uint64_t min, std::optional<uint64_t> max, bool is64 = false) {
    MemoryType t;
    t.limits.min = min;
    t.limits.max = max;
    t.limits.is64 = is64;
    return *new_memory(store, t);
  }
};

TEST_F(ImportMatch, FunctionTypes) {
  Function* f = create_host_function(store, FuncType{{ValType::i32()}, {ValType::i64()}},
                                     nop_host, nullptr);
  linker.define("m", "f", Extern::of(f));
  EXPECT_TRUE(try_import([](ModuleBuilder& b) {
    b.import_func("m", "f", b.type({I32}, {I64}));
  }).ok());
  expect_incompatible(try_import([](ModuleBuilder& b) {
    b.import_func("m", "f", b.type({I32}, {I32}));
  }));
  expect_incompatible(try_import([](ModuleBuilder& b) {
    b.import_func("m", "f", b.type({}, {I64}));
  }));
  // Same type at a different index in another module still matches (canonical ids).
  EXPECT_TRUE(try_import([](ModuleBuilder& b) {
    b.type({F32}, {});
    b.type({}, {});
    b.import_func("m", "f", b.type({I32}, {I64}));
  }).ok());
}

TEST_F(ImportMatch, KindMismatch) {
  linker.define("m", "g", Extern::of(new_global(store, {ValType::i32(), false},
                                                Val::from_i32(1))));
  expect_incompatible(try_import([](ModuleBuilder& b) {
    b.import_func("m", "g", b.type({}, {}));
  }));
  expect_incompatible(try_import([](ModuleBuilder& b) { b.import_memory("m", "g", lim(0)); }));
}

TEST_F(ImportMatch, UnknownImport) {
  auto r = try_import([](ModuleBuilder& b) { b.import_func("m", "nope", b.type({}, {})); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unlinkable);
  EXPECT_EQ(r.error().message.rfind("unknown import", 0), 0u) << r.error().message;
}

TEST_F(ImportMatch, TableLimitsUseCurrentSize) {
  Table* t = table(10, 20);
  linker.define("m", "t", Extern::of(t));
  auto imp = [this](Limits l, uint8_t elem = FUNCREF) {
    return try_import([&](ModuleBuilder& b) { b.import_table("m", "t", elem, l); });
  };
  EXPECT_TRUE(imp(lim(10)).ok());
  EXPECT_TRUE(imp(lim(5, 20)).ok());
  EXPECT_TRUE(imp(lim(0, 30)).ok());
  expect_incompatible(imp(lim(11)));
  expect_incompatible(imp(lim(10, 15)));
  expect_incompatible(imp(lim(10), EXTERNREF));
  expect_incompatible(imp(lim64(10)));
  EXPECT_EQ(t->grow(2, 0), 10u);
  EXPECT_TRUE(imp(lim(12, 20)).ok());
  expect_incompatible(imp(lim(13)));

  // A table without a maximum cannot satisfy an import that declares one.
  linker.define("m", "t", Extern::of(table(1, std::nullopt)));
  EXPECT_TRUE(imp(lim(1)).ok());
  expect_incompatible(imp(lim(1, 100)));

  linker.define("m", "t", Extern::of(table(3, std::nullopt, true)));
  EXPECT_TRUE(imp(lim64(2)).ok());
  expect_incompatible(imp(lim(2)));
}

TEST_F(ImportMatch, MemoryLimitsUseCurrentPages) {
  Memory* m = memory(1, 2);
  linker.define("m", "mem", Extern::of(m));
  auto imp = [this](Limits l) {
    return try_import([&](ModuleBuilder& b) { b.import_memory("m", "mem", l); });
  };
  EXPECT_TRUE(imp(lim(1)).ok());
  EXPECT_TRUE(imp(lim(0, 2)).ok());
  EXPECT_TRUE(imp(lim(1, 3)).ok());
  expect_incompatible(imp(lim(2)));
  expect_incompatible(imp(lim(1, 1)));
  expect_incompatible(imp(lim64(1)));
  EXPECT_EQ(m->grow(1), 1u);
  EXPECT_TRUE(imp(lim(2)).ok());

  linker.define("m", "mem", Extern::of(memory(0, std::nullopt)));
  expect_incompatible(imp(lim(0, 10)));
  linker.define("m", "mem", Extern::of(memory(1, std::nullopt, true)));
  Limits l = lim64(1);
  EXPECT_TRUE(imp(l).ok());
}

TEST_F(ImportMatch, Globals) {
  linker.define("m", "ci", Extern::of(new_global(store, {ValType::i32(), false},
                                                 Val::from_i32(1))));
  linker.define("m", "vi", Extern::of(new_global(store, {ValType::i32(), true},
                                                 Val::from_i32(1))));
  auto imp = [this](const char* n, Bytes t, bool mut) {
    return try_import([&](ModuleBuilder& b) { b.import_global("m", n, t, mut); });
  };
  EXPECT_TRUE(imp("ci", {I32}, false).ok());
  EXPECT_TRUE(imp("vi", {I32}, true).ok());
  expect_incompatible(imp("ci", {I32}, true));
  expect_incompatible(imp("vi", {I32}, false));
  expect_incompatible(imp("ci", {I64}, false));
  expect_incompatible(imp("vi", {F32}, true));

  // Immutable globals are covariant: (ref func) satisfies funcref, not the other way round;
  // mutable ones need equal types.
  ValType ref_func = ValType::ref(HeapKind::Func, false);
  linker.define("m", "cf", Extern::of(new_global(store, {ref_func, false},
                                                 Val::from_ref(ref_func, 0))));
  linker.define("m", "vf", Extern::of(new_global(store, {ref_func, true},
                                                 Val::from_ref(ref_func, 0))));
  linker.define("m", "cfn", Extern::of(new_global(store, {ValType::funcref(), false},
                                                  Val::from_ref(ValType::funcref(), 0))));
  EXPECT_TRUE(imp("cf", {FUNCREF}, false).ok());
  expect_incompatible(imp("vf", {FUNCREF}, true));
  EXPECT_TRUE(imp("vf", {0x64, 0x70}, true).ok());  // (ref func)
  expect_incompatible(imp("cfn", {0x64, 0x70}, false));
  expect_incompatible(imp("cf", {EXTERNREF}, false));
}

TEST_F(ImportMatch, WrongImportCountIsUnlinkable) {
  ModuleBuilder b;
  b.import_func("m", "f", b.type({}, {}));
  auto mod = must_compile(b.build());
  ASSERT_TRUE(mod);
  auto r = instantiate(store, mod, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unlinkable);
}

}  // namespace
}  // namespace hull::test
