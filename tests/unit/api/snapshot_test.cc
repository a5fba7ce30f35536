// StoreSnapshot (include/hull/snapshot.hh): after restore() a store's instances show what a
// fresh instantiation shows -- memory size and bytes (copy-on-write image or copied segments),
// globals, tables, dropped segments -- whatever the guest changed meanwhile; and what cannot be
// reset is refused with the reason.
#include "hull/snapshot.hh"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>

#include "hull/hull.hh"

namespace api = hull::api;

namespace {

// `big`: a first data segment of that many 'a's (64 KiB or more gets a copy-on-write image
// from the second instantiation on, or from the snapshot). `pages`: the memory's size (from 4
// MiB on, a reset rewrites only the pages a use wrote: runtime/memory_reset.h).
// `big_at`: where the big segment starts ("hello" is at 16: from 0 on they overlap).
std::string state_module(size_t big, int pages = 2, int big_at = 0) {
  std::string wat = R"((module
  (memory (export "memory") )" +
                    std::to_string(pages) + " " + std::to_string(pages + 6) + R"()
  (global $g (export "g") (mut i32) (i32.const 7))
  (global $base i32 (i32.const 100))
  (table $t (export "t") 3 funcref)
  (func $a (result i32) i32.const 1)
  (func $b (result i32) i32.const 2)
  (elem (i32.const 0) $a)
  (elem $passive func $b)
)";
  if (big) {
    wat +=
        "  (data (i32.const " + std::to_string(big_at) + ") \"" + std::string(big, 'a') + "\")\n";
  }
  wat += R"(  (data (i32.const 16) "hello")
  (data $p "passive")
  (data (global.get $base) "XY")
  (func (export "dirty")
    (i32.store (i32.const 16) (i32.const 0x41414141))
    (i32.store (i32.const 100) (i32.const 0x5a5a5a5a))
    (i32.store (i32.const 60000) (i32.const 9))
    (i32.store (i32.const 120000) (i32.const 9))
    (drop (i32.load (i32.const 30000)))
    (global.set $g (i32.const 99))
    (table.set $t (i32.const 1) (ref.func $b))
    (if (i32.ge_u (memory.size) (i32.const 64)) (then
      (drop (i32.load (i32.const 1000000)))
      (i32.store (i32.const 3000000) (i32.const 9))
      (i32.store (i32.const 65540) (i32.const 9))))
    (drop (memory.grow (i32.const 2)))
    (i32.store (i32.add (i32.mul (memory.size) (i32.const 65536)) (i32.const -100)) (i32.const 9))
    (drop (table.grow $t (ref.null func) (i32.const 5)))
    (data.drop $p)
    (elem.drop $passive))
  ;; a table grown far (its storage is let go at the reset)
  (func (export "grow_table") (drop (table.grow $t (ref.func $b) (i32.const 100000))))
  ;; memory.init and table.init of the passive segments: trap once they were dropped
  (func (export "init") (result i32)
    (memory.init $p (i32.const 300) (i32.const 0) (i32.const 7))
    (table.init $t $passive (i32.const 2) (i32.const 0) (i32.const 1))
    (call_indirect (result i32) (i32.const 2))))
)";
  return wat;
}

struct Seen {
  uint64_t memory_size = 0;
  std::string bytes;  // the memory's bytes
  int32_t g = 0;
  uint64_t table_size = 0;
  bool t0 = false, t1 = false, t2 = false;  // non-null elements
};

Seen look(api::Store& store, const api::Instance& inst) {
  Seen s;
  auto mem = inst.get_memory();
  s.memory_size = mem->size();
  s.bytes.assign(reinterpret_cast<const char*>(mem->data()), mem->size());
  s.g = inst.get_global("g")->get().i32();
  auto t = inst.get_table("t");
  s.table_size = t->size();
  s.t0 = t->get(0)->ref_bits() != 0;
  s.t1 = t->get(1)->ref_bits() != 0;
  s.t2 = t->get(2)->ref_bits() != 0;
  (void)store;
  return s;
}

void expect_same(const Seen& a, const Seen& b) {
  EXPECT_EQ(a.memory_size, b.memory_size);
  EXPECT_TRUE(a.bytes == b.bytes) << "the memory's bytes differ";
  EXPECT_EQ(a.g, b.g);
  EXPECT_EQ(a.table_size, b.table_size);
  EXPECT_EQ(a.t0, b.t0);
  EXPECT_EQ(a.t1, b.t1);
  EXPECT_EQ(a.t2, b.t2);
}

void reset_cycle(const api::Config& config, size_t big, int pages = 2, int big_at = 0) {
  auto engine = api::Engine::create(config);
  ASSERT_TRUE(engine.ok());
  auto module = api::Module::from_wat(*engine, state_module(big, pages, big_at));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  api::Store store(*engine);
  auto inst = api::Instance::create(store, *module, {});
  ASSERT_TRUE(inst.ok()) << inst.error().to_string();
  auto snap = api::StoreSnapshot::take(store);
  ASSERT_TRUE(snap.ok()) << snap.error().to_string();
  const Seen fresh = look(store, *inst);
  ASSERT_EQ(fresh.memory_size, uint64_t(pages) * 65536);
  ASSERT_EQ(std::memcmp(fresh.bytes.data() + 16, "hello", 5), 0);
  ASSERT_EQ(std::memcmp(fresh.bytes.data() + 100, "XY", 2), 0);
  if (big) ASSERT_EQ(fresh.bytes[50000], 'a');
  ASSERT_EQ(fresh.g, 7);
  ASSERT_TRUE(fresh.t0);
  ASSERT_FALSE(fresh.t1);

  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_TRUE(inst->get_func("dirty")->call({}).ok());
    const Seen dirty = look(store, *inst);
    EXPECT_EQ(dirty.memory_size, uint64_t(pages + 2) * 65536);
    EXPECT_EQ(dirty.g, 99);
    EXPECT_EQ(dirty.table_size, 8u);
    EXPECT_TRUE(dirty.t1);
    // The dropped segments are gone: init traps.
    auto dropped = inst->get_func("init")->call({});
    ASSERT_FALSE(dropped.ok());
    EXPECT_EQ(dropped.error().kind, api::ErrorKind::Trap);

    ASSERT_TRUE(snap->restore(store).ok());
    expect_same(look(store, *inst), fresh);
    // The memory faults past its size again (a store past it traps, not writes).
    auto mem = inst->get_memory();
    const uint8_t x = 'x';
    EXPECT_FALSE(mem->write(uint64_t(pages) * 65536, std::span<const uint8_t>(&x, 1)).ok());
    // The passive segments are back.
    auto init = inst->get_func("init")->call({});
    ASSERT_TRUE(init.ok()) << init.error().to_string();
    EXPECT_EQ((*init)[0].i32(), 2);
    EXPECT_EQ(std::memcmp(mem->data() + 300, "passive", 7), 0);
    ASSERT_TRUE(snap->restore(store).ok());
    expect_same(look(store, *inst), fresh);
  }
}

TEST(StoreSnapshot, RestoresWhatInstantiationLeft) { reset_cycle(api::Config{}, 0); }

TEST(StoreSnapshot, RestoresATableGrownFar) {
  api::Engine engine;
  auto module = api::Module::from_wat(engine, state_module(0));
  ASSERT_TRUE(module.ok()) << module.error().to_string();
  api::Store store(engine);
  auto inst = api::Instance::create(store, *module, {});
  ASSERT_TRUE(inst.ok());
  auto snap = api::StoreSnapshot::take(store);
  ASSERT_TRUE(snap.ok()) << snap.error().to_string();
  const Seen fresh = look(store, *inst);
  ASSERT_TRUE(inst->get_func("grow_table")->call({}).ok());
  EXPECT_EQ(inst->get_table("t")->size(), 100003u);
  ASSERT_TRUE(snap->restore(store).ok());
  expect_same(look(store, *inst), fresh);
  ASSERT_TRUE(inst->get_func("grow_table")->call({}).ok());  // and it grows again
  EXPECT_EQ(inst->get_table("t")->size(), 100003u);
  EXPECT_TRUE(inst->get_table("t")->get(100002)->ref_bits() != 0);
}

TEST(StoreSnapshot, RestoresAMemoryImage) {
  // 70,000 bytes of data: the snapshot maps the module's image under the memory (the first
  // instantiation copied the segments), and each restore brings the image back; the segment at
  // a computed offset inside the image's range is copied again after it.
  reset_cycle(api::Config{}, 70000);
}

TEST(StoreSnapshot, RestoresTheWrittenPagesOfABigMemory) {
  // 4 MiB with a 70,000-byte image: the reset reads the page map and rewrites the image
  // pages and zero pages the guest wrote (from the segments, with zeros), round after round.
  reset_cycle(api::Config{}, 70000, 64, 1024);
}

TEST(StoreSnapshot, RestoresABigMemoryWithOverlappingSegments) {
  // The same with the image's segments overlapping ("hello" inside the 'a's): the memory is
  // reset whole (the image discarded) instead.
  reset_cycle(api::Config{}, 70000, 64, 0);
}

TEST(StoreSnapshot, RestoresWithoutImagesOrGuardPages) {
  api::Config config;
  config.memory_images = false;
  config.bounds_checks = api::BoundsChecks::Explicit;
  reset_cycle(config, 70000);
}

TEST(StoreSnapshot, RefusesAStartFunction) {
  api::Engine engine;
  auto m = api::Module::from_wat(engine, R"((module (memory 1)
    (func $s (i32.store (i32.const 0) (i32.const 1))) (start $s)))");
  ASSERT_TRUE(m.ok());
  api::Store store(engine);
  ASSERT_TRUE(api::Instance::create(store, *m, {}).ok());
  auto snap = api::StoreSnapshot::take(store);
  ASSERT_FALSE(snap.ok());
  EXPECT_EQ(snap.error().kind, api::ErrorKind::Usage);
  EXPECT_NE(snap.error().message.find("start function"), std::string::npos) << snap.error().message;
}

TEST(StoreSnapshot, RefusesAStoreThatChanged) {
  api::Engine engine;
  auto m = api::Module::from_wat(engine, "(module (memory (export \"memory\") 1))");
  ASSERT_TRUE(m.ok());
  api::Store store(engine), other(engine);
  ASSERT_TRUE(api::Instance::create(store, *m, {}).ok());
  auto snap = api::StoreSnapshot::take(store);
  ASSERT_TRUE(snap.ok()) << snap.error().to_string();
  auto wrong = snap->restore(other);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message.find("another store"), std::string::npos)
      << wrong.error().message;
  EXPECT_TRUE(snap->of(store));
  EXPECT_FALSE(snap->of(other));
  // A snapshot outliving its store is no store's (even one made where it was).
  std::optional<api::StoreSnapshot> orphan;
  {
    api::Store gone(engine);
    ASSERT_TRUE(api::Instance::create(gone, *m, {}).ok());
    auto s = api::StoreSnapshot::take(gone);
    ASSERT_TRUE(s.ok());
    orphan.emplace(*s);
  }
  api::Store later(engine);
  EXPECT_FALSE(orphan->of(later));
  auto stale = orphan->restore(later);
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("another store"), std::string::npos);
  ASSERT_TRUE(api::Instance::create(store, *m, {}).ok());
  auto gained = snap->restore(store);
  ASSERT_FALSE(gained.ok());
  EXPECT_EQ(gained.error().kind, api::ErrorKind::Usage);
  EXPECT_NE(gained.error().message.find("gained"), std::string::npos) << gained.error().message;
}

TEST(StoreSnapshot, RefusesGcObjects) {
  api::Engine engine;
  auto m = api::Module::from_wat(engine, R"((module
    (type $s (struct (field i32)))
    (global $o (mut (ref null $s)) (ref.null $s))
    (func (export "make") (global.set $o (struct.new $s (i32.const 1))))))");
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  api::Store store(engine);
  auto inst = api::Instance::create(store, *m, {});
  ASSERT_TRUE(inst.ok());
  auto snap = api::StoreSnapshot::take(store);
  ASSERT_TRUE(snap.ok()) << snap.error().to_string();
  ASSERT_TRUE(inst->get_func("make")->call({}).ok());
  auto r = snap->restore(store);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("GC objects"), std::string::npos) << r.error().message;
}

}  // namespace
