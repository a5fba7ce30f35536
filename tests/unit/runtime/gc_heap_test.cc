// The GC heap's allocator and its membership test (runtime/gc_heap.h): contains() for any word,
// reuse of freed slots, zeroed memory, stats and the lazy sweep, with objects of many sizes,
// large ones included. Layouts are made by hand: the heap needs only their sizes and refs.
#include "runtime/gc_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "runtime/exception.h"

namespace hull {
namespace {

GcLayout bytes_layout(uint32_t payload) {  // a struct of `payload` bytes, no references
  GcLayout l;
  l.kind = CompositeKind::Struct;
  l.payload_size = payload;
  return l;
}

GcLayout ref_array_layout() {  // (array (mut anyref))
  GcLayout l;
  l.kind = CompositeKind::Array;
  l.payload_size = 8;
  l.elem_refs = FieldRefs::Gc;
  GcField f;
  f.is_ref = true;
  f.refs = FieldRefs::Gc;
  l.fields.push_back(f);
  return l;
}

constexpr uint64_t kNoLimit = ~uint64_t(0);

bool stress() { return std::getenv("HULL_GC_STRESS") != nullptr; }

size_t bytes_of(const GcObject* o) {
  return GcObject::kHeaderSize + (o->layout->kind == CompositeKind::Array
                                      ? size_t(o->length) * o->layout->payload_size
                                      : o->layout->payload_size);
}

// Collects `heap` with `roots` as the only roots, and finishes the sweep.
void collect(GcHeap& heap, const std::vector<const GcObject*>& roots) {
  ExceptionHeap exns;
  heap.collect(exns, [&](const std::function<void(uint64_t)>& root) {
    for (const GcObject* o : roots) root(reinterpret_cast<uint64_t>(o));
  });
  heap.finish_sweep();
}

// Checks contains() against `live` (object -> size) for the objects' starts, every 8-aligned
// word inside them, words around them, and random words (near the objects and anywhere).
void check_contains(const GcHeap& heap, const std::map<const GcObject*, size_t>& live) {
  auto is_live = [&](uintptr_t w) { return live.count(reinterpret_cast<const GcObject*>(w)) != 0; };
  auto has = [&](uintptr_t w) { return heap.contains(reinterpret_cast<const void*>(w)); };
  std::mt19937_64 rng(42);
  for (const auto& [o, bytes] : live) {
    const auto p = reinterpret_cast<uintptr_t>(o);
    ASSERT_TRUE(has(p)) << bytes;
    for (uintptr_t d = 1; d < bytes; d += d < 64 ? 1 : d < 4096 ? 8 : 4096)
      ASSERT_FALSE(has(p + d)) << bytes;
    for (int i = 0; i < 8; ++i) {
      const uintptr_t w = p + (rng() % (2 * GcHeap::kChunkBytes)) - GcHeap::kChunkBytes;
      ASSERT_EQ(has(w), is_live(w));
      const uintptr_t aligned = w & ~uintptr_t(15);
      ASSERT_EQ(has(aligned), is_live(aligned));
    }
  }
  for (int i = 0; i < 100000; ++i) {
    const uint64_t w = rng();
    ASSERT_EQ(has(w), is_live(w));
    ASSERT_EQ(has(w & ~uint64_t(15)), is_live(w & ~uint64_t(15)));
    ASSERT_EQ(has(w & 0x7FFFFFFFFFF0), is_live(w & 0x7FFFFFFFFFF0));
  }
  for (uint64_t w : {uint64_t(0), uint64_t(1), uint64_t(8), uint64_t(16), ~uint64_t(0),
                     ~uint64_t(15), uint64_t(1) << 47}) {
    ASSERT_EQ(has(w), is_live(w));
  }
}

TEST(GcHeap, ContainsOnlyLiveObjectStarts) {
  std::vector<GcLayout> layouts;
  for (uint32_t payload :
       {0u,   1u,   4u,    8u,    12u,   16u,   20u,   24u,   40u,    100u,    240u,
        241u, 300u, 1000u, 1024u, 4000u, 8176u, 8177u, 9000u, 70000u, 2000000u})
    layouts.push_back(bytes_layout(payload));
  GcHeap heap;
  std::map<const GcObject*, size_t> live;
  std::vector<const GcObject*> roots, all;
  for (int round = 0; round < 10; ++round) {
    for (size_t i = 0; i < layouts.size(); ++i) {
      const GcLayout& l = layouts[i];
      const int count = l.payload_size > 10000 ? 1 : 50;
      for (int k = 0; k < count; ++k) {
        GcObject* o = heap.allocate_struct(l, kNoLimit);
        ASSERT_NE(o, nullptr);
        ASSERT_EQ(reinterpret_cast<uintptr_t>(o) % 16, 0u);
        ASSERT_TRUE(live.emplace(o, bytes_of(o)).second);
        all.push_back(o);
        if ((k + round) % 3 == 0) roots.push_back(o);
      }
    }
  }
  EXPECT_EQ(heap.live_objects(), live.size());
  uint64_t bytes = 0;
  for (const auto& [o, n] : live) bytes += n;
  EXPECT_EQ(heap.live_bytes(), bytes);
  check_contains(heap, live);

  // Keep a third: the rest are freed, and no longer objects.
  std::set<const GcObject*> kept(roots.begin(), roots.end());
  collect(heap, roots);
  std::map<const GcObject*, size_t> survivors;
  for (const GcObject* o : roots) survivors.emplace(o, live.at(o));
  EXPECT_EQ(heap.live_objects(), survivors.size());
  for (const GcObject* o : all) EXPECT_EQ(heap.contains(o), kept.count(o) != 0);
  check_contains(heap, survivors);
}

TEST(GcHeap, EmptyChunksServeOtherClasses) {
  GcHeap heap;
  const GcLayout tiny = bytes_layout(0);
  const GcLayout mid = bytes_layout(1000);
  std::vector<const GcObject*> old;  // several chunks of 16-byte slots
  for (int i = 0; i < 50000; ++i) old.push_back(heap.allocate_struct(tiny, kNoLimit));
  collect(heap, {});
  EXPECT_EQ(heap.live_objects(), 0u);
  for (const GcObject* o : old) ASSERT_FALSE(heap.contains(o));
  // The emptied chunks are carved into bigger slots: only the new slots' starts are objects.
  std::map<const GcObject*, size_t> live;
  for (int i = 0; i < 500; ++i) {
    const GcObject* o = heap.allocate_struct(mid, kNoLimit);
    live.emplace(o, bytes_of(o));
  }
  for (const GcObject* o : old) ASSERT_EQ(heap.contains(o), live.count(o) != 0);
  check_contains(heap, live);
}

TEST(GcHeap, FreedSlotsAreReusedZeroed) {
  GcHeap heap;
  std::vector<GcLayout> layouts;
  for (uint32_t payload = 0; payload <= 12000; payload += payload < 300 ? 4 : 500)
    layouts.push_back(bytes_layout(payload));
  std::vector<const GcObject*> keep;
  std::map<const GcObject*, uint8_t> pattern;
  std::set<const GcObject*> ever;  // every address handed out
  size_t reused = 0;
  size_t first_round_bytes = 0;
  for (int round = 0; round < 6; ++round) {
    for (int k = 0; k < 20; ++k) {
      for (const GcLayout& l : layouts) {
        GcObject* o = heap.allocate_struct(l, kNoLimit);
        ASSERT_NE(o, nullptr);
        const uint8_t* p = o->payload();
        ASSERT_TRUE(std::all_of(p, p + l.payload_size, [](uint8_t b) { return b == 0; }));
        EXPECT_EQ(o->kind, RefObjectKind::Struct);
        EXPECT_FALSE(o->marked);
        const auto fill = static_cast<uint8_t>(round * 31 + k + 1);
        std::memset(o->payload(), fill, l.payload_size);
        if (k % 10 == 0) {
          keep.push_back(o);
          pattern[o] = fill;
        }
        reused += !ever.insert(o).second;
      }
    }
    if (round == 0) first_round_bytes = heap.live_bytes();
    collect(heap, keep);
    // Survivors keep their contents.
    for (const GcObject* o : keep) {
      const uint8_t* p = o->payload();
      const uint8_t fill = pattern[o];
      ASSERT_TRUE(
          std::all_of(p, p + o->layout->payload_size, [&](uint8_t b) { return b == fill; }));
    }
    EXPECT_EQ(heap.live_objects(), keep.size());
  }
  EXPECT_GT(reused, 0u);  // slots of garbage were handed out again
  // Garbage does not pile up: the heap holds about what survives.
  EXPECT_LT(heap.live_bytes(), first_round_bytes);
}

TEST(GcHeap, MarksThroughFieldsAndSweepsLazily) {
  if (stress()) GTEST_SKIP() << "stress mode sweeps at once";
  GcHeap heap;
  ExceptionHeap exns;
  const GcLayout arr = ref_array_layout();
  const GcLayout small = bytes_layout(16);
  const GcLayout big = bytes_layout(20000);
  // A root array holding a small and a large object; garbage of both sizes around them.
  GcObject* root = heap.allocate_array(arr, 2, kNoLimit);
  GcObject* a = heap.allocate_struct(small, kNoLimit);
  GcObject* b = heap.allocate_struct(big, kNoLimit);
  std::memcpy(root->payload(), &a, 8);
  std::memcpy(root->payload() + 8, &b, 8);
  std::vector<GcObject*> garbage;
  for (int i = 0; i < 5000; ++i) garbage.push_back(heap.allocate_struct(small, kNoLimit));
  for (int i = 0; i < 20; ++i) garbage.push_back(heap.allocate_struct(big, kNoLimit));
  heap.collect(exns, [&](const std::function<void(uint64_t)>& r) {
    r(reinterpret_cast<uint64_t>(root));
    r(12345);  // words that are not references are ignored
    r(reinterpret_cast<uint64_t>(root) + 16);
  });
  EXPECT_TRUE(heap.sweeping());
  EXPECT_EQ(heap.live_objects(), 5023u);  // not swept yet
  // Allocations during the sweep sweep a slice each and survive it.
  std::vector<GcObject*> fresh;
  for (int i = 0; i < 10; ++i) fresh.push_back(heap.allocate_struct(small, kNoLimit));
  fresh.push_back(heap.allocate_struct(big, kNoLimit));
  EXPECT_LT(heap.live_objects(), 5023u + fresh.size());
  heap.finish_sweep();
  EXPECT_FALSE(heap.sweeping());
  EXPECT_EQ(heap.live_objects(), 3u + fresh.size());
  for (GcObject* o : {root, a, b}) EXPECT_TRUE(heap.contains(o));
  for (GcObject* o : fresh) EXPECT_TRUE(heap.contains(o));
  size_t reused = 0;
  for (GcObject* o : garbage) {
    const bool again = std::find(fresh.begin(), fresh.end(), o) != fresh.end();
    reused += again;
    if (!again) EXPECT_FALSE(heap.contains(o));
  }
  EXPECT_GT(reused, 0u);  // freed slots were handed out again during the sweep
  EXPECT_EQ(heap.collections(), 1u);
  EXPECT_GT(heap.total_allocated_bytes(), heap.live_bytes());
}

TEST(GcHeap, LimitAndMaxArray) {
  GcHeap heap;
  const GcLayout l = bytes_layout(48);
  const GcLayout bytes_arr = [] {
    GcLayout a;
    a.kind = CompositeKind::Array;
    a.payload_size = 1;
    return a;
  }();
  EXPECT_NE(heap.allocate_struct(l, 64), nullptr);
  EXPECT_EQ(heap.allocate_struct(l, 64), nullptr);  // 128 bytes > 64
  EXPECT_EQ(heap.allocate_array(bytes_arr, 1000, 512), nullptr);
  EXPECT_EQ(heap.allocate_array(bytes_arr, 0xFFFFFFFFu, kNoLimit), nullptr);  // > kMaxArrayBytes
  GcObject* a = heap.allocate_array(bytes_arr, 100000, kNoLimit);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->length, 100000u);
  EXPECT_EQ(heap.live_objects(), 2u);
}

std::vector<uint64_t> g_finalized;

TEST(GcHeap, HostObjectsAndPins) {
  g_finalized.clear();
  {
    GcHeap heap;
    auto fin = [](uint64_t v) { g_finalized.push_back(v); };
    std::vector<ExternObject*> hosts;
    for (uint64_t i = 0; i < 300; ++i) hosts.push_back(heap.allocate_host(i, fin));
    EXPECT_EQ(heap.live_host_objects(), 300u);
    for (ExternObject* h : hosts) EXPECT_TRUE(heap.contains(h));
    heap.pin(reinterpret_cast<RefBits>(hosts[7]));
    collect(heap, {});
    EXPECT_EQ(heap.live_host_objects(), 1u);
    EXPECT_EQ(g_finalized.size(), 299u);
    EXPECT_TRUE(heap.contains(hosts[7]));
    EXPECT_FALSE(heap.contains(hosts[8]));
    heap.unpin(reinterpret_cast<RefBits>(hosts[7]));
    heap.allocate_host(1000, fin);
  }
  // The heap's end finalizes what is left.
  EXPECT_EQ(g_finalized.size(), 301u);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// Under ASan, the memory of freed objects is poisoned until it is handed out again, so that a
// reference the collector missed is reported at its first use.
TEST(GcHeapDeathTest, FreedObjectsArePoisoned) {
  GcHeap heap;
  const GcLayout small = bytes_layout(16);
  const GcLayout big = bytes_layout(20000);
  GcObject* a = heap.allocate_struct(small, kNoLimit);
  GcObject* b = heap.allocate_struct(big, kNoLimit);
  collect(heap, {});
  EXPECT_DEATH({ [[maybe_unused]] volatile uint8_t x = a->payload()[3]; }, "use-after-poison");
  EXPECT_DEATH({ [[maybe_unused]] volatile uint8_t x = b->payload()[3]; }, "use-after-poison");
}
#endif
#endif

}  // namespace
}  // namespace hull
